"""Citation keys: Better BibTeX's auth+year+shorttitle shape, fallbacks, a/b/c disambiguation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperlog.citekey import (
    BBT_FORMULA,
    DEFAULT_FORMULA,
    assign_citekeys,
    base_citekey,
    citekey_formula,
    ensure_citekey,
    family_name,
    make_citekey,
    suffix,
    taken_citekeys,
)
from paperlog.model import Paper

SIMCLR = Paper(
    key="simclr-2020",
    title="A Simple Framework for Contrastive Learning of Visual Representations",
    authors=["Ting Chen", "Simon Kornblith", "Mohammad Norouzi", "Geoffrey Hinton"],
    year=2020,
)


def test_author_year_first_significant_title_word() -> None:
    assert make_citekey(SIMCLR, set()) == "chen2020simple"


def test_family_name_forms() -> None:
    assert family_name("Chen, Ting") == "Chen"
    assert family_name("Laurens van der Maaten") == "van der Maaten"
    assert family_name("Martin Luther King Jr.") == "King"
    assert family_name("Smith, Jr., John") == "Smith"
    assert family_name("Plato") == "Plato"


def test_accents_are_folded_and_particles_kept() -> None:
    muller = Paper(
        key="k", title="Über Self-Supervised Learning", authors=["Jörg Müller"], year=2019
    )
    assert make_citekey(muller, set()) == "muller2019uber"
    soren = Paper(key="k", title="The Ørsted Effect", authors=["Søren Łukasz"], year=2001)
    assert make_citekey(soren, set()) == "lukasz2001orsted"
    tsne = Paper(key="k", title="Visualizing Data using t-SNE", authors=["Laurens van der Maaten"])
    assert make_citekey(tsne, set()) == "vandermaatenvisualizing"


def test_latex_in_names_and_titles_is_ignored() -> None:
    paper = Paper(key="k", title='{GAN}s for {\\"u}ber', authors=['Sch{\\"o}lkopf, Bernhard'])
    assert make_citekey(paper, set()) == "scholkopfgans"


def test_fallbacks_without_authors() -> None:
    nick = Paper(key="k", title="A Simple Framework", nickname="SimCLR", year=2020)
    assert make_citekey(nick, set()) == "simclr2020simple"
    untitled_author = Paper(
        key="k", title="Hidden Technical Debt in Machine Learning Systems", year=2015
    )
    assert make_citekey(untitled_author, set()) == "hiddentechnical2015"
    assert make_citekey(Paper(key="k", title="!!!", year=1999), set()) == "anon1999"
    # A title made only of skip-words still says something.
    assert make_citekey(Paper(key="k", title="To Be", authors=["A. Writer"]), set()) == "writerbe"


def test_suffixes_follow_better_bibtex() -> None:
    assert [suffix(n) for n in (1, 2, 26, 27, 28, 52, 53, 702, 703)] == [
        "a",
        "b",
        "z",
        "aa",
        "ab",
        "az",
        "ba",
        "zz",
        "aaa",
    ]


def test_clashes_get_a_b_c_in_order() -> None:
    taken: set[str] = set()
    keys = []
    for _ in range(30):
        key = make_citekey(SIMCLR, taken)
        taken.add(key)
        keys.append(key)
    assert keys[:4] == ["chen2020simple", "chen2020simplea", "chen2020simpleb", "chen2020simplec"]
    assert keys[26:29] == ["chen2020simplez", "chen2020simpleaa", "chen2020simpleab"]
    assert len(set(keys)) == 30


def test_taken_is_compared_case_insensitively() -> None:
    papers = [Paper(key="x", title="t", citekey="Chen2020Simple"), Paper(key="y", title="u")]
    taken = taken_citekeys(papers)
    assert taken == {"chen2020simple"}
    assert make_citekey(SIMCLR, taken) == "chen2020simplea"


def test_ensure_citekey_keeps_an_existing_key() -> None:
    paper = Paper(key="k", title=SIMCLR.title, authors=SIMCLR.authors, year=2020, citekey="mine")
    taken = {"chen2020simple"}
    assert ensure_citekey(paper, taken) == "mine"
    assert "mine" in taken
    fresh = Paper(key="k2", title=SIMCLR.title, authors=SIMCLR.authors, year=2020)
    assert ensure_citekey(fresh, taken) == "chen2020simplea"
    assert fresh.citekey == "chen2020simplea"
    assert ensure_citekey(fresh, taken) == "chen2020simplea"  # stable on a second call


@given(
    title=st.text(max_size=60),
    authors=st.lists(st.text(max_size=30), max_size=3),
    year=st.one_of(st.none(), st.integers(min_value=1900, max_value=2100)),
    nickname=st.one_of(st.none(), st.text(max_size=12)),
    taken=st.sets(st.from_regex(r"[a-z]{1,8}[0-9]{0,4}[a-z]{0,6}", fullmatch=True), max_size=20),
)
def test_keys_are_plain_ascii_and_never_taken(
    title: str, authors: list[str], year: int | None, nickname: str | None, taken: set[str]
) -> None:
    paper = Paper(key="k", title=title, authors=authors, year=year, nickname=nickname)
    key = make_citekey(paper, taken)
    assert re.fullmatch(r"[a-z0-9]+", key)
    assert key not in taken
    assert key.startswith(base_citekey(paper))


def test_assign_citekeys_gives_keys_only_where_missing() -> None:
    keep = Paper(key="a", title="Kept", citekey="mine2020kept")
    fresh = Paper(key="b", title=SIMCLR.title, authors=SIMCLR.authors, year=2020)
    twin = Paper(key="c", title=SIMCLR.title, authors=SIMCLR.authors, year=2020)
    taken = taken_citekeys([keep, fresh, twin])
    changed = assign_citekeys([keep, fresh, twin], taken)
    assert changed == [fresh, twin]
    assert [p.citekey for p in (keep, fresh, twin)] == [
        "mine2020kept",
        "chen2020simple",
        "chen2020simplea",
    ]
    assert assign_citekeys([keep, fresh, twin], taken) == []


# --- the formula setting (issue 10, item 8) -------------------------------------------------------

BERTRAND = Paper(
    key="k",
    title="How Much Should We Trust Differences-in-Differences Estimates?",
    authors=["Marianne Bertrand", "Esther Duflo", "Sendhil Mullainathan"],
    year=2004,
)


def test_skip_words_are_better_bibtex_s_exactly() -> None:
    from paperlog.citekey import SKIP_WORDS

    # "how" is not one of Better BibTeX's skip-words; "without", "over", "through" are
    assert make_citekey(BERTRAND, set()) == "bertrand2004how"
    assert {"without", "over", "through", "zum", "versus"} <= SKIP_WORDS
    assert not {"how", "what", "we", "our", "not"} & SKIP_WORDS
    # Better BibTeX's skipWords preference, default value (content/Preferences/preferences.yaml)
    bbt = (
        "a,ab,aboard,about,above,across,after,against,al,along,amid,among,an,and,anti,around,as,"
        "at,before,behind,below,beneath,beside,besides,between,beyond,but,by,d,da,das,de,del,dell,"
        "dello,dei,degli,della,dell,delle,dem,den,der,des,despite,die,do,down,du,during,ein,eine,"
        "einem,einen,einer,eines,el,en,et,except,for,from,gli,i,il,in,inside,into,is,l,la,las,le,"
        "les,like,lo,los,near,nor,of,off,on,onto,or,over,past,per,plus,round,save,since,so,some,"
        "sur,than,the,through,to,toward,towards,un,una,unas,under,underneath,une,unlike,uno,unos,"
        "until,up,upon,versus,via,von,while,with,within,without,yet,zu,zum"
    )
    assert frozenset(bbt.split(",")) == SKIP_WORDS


def test_formulas_and_presets() -> None:
    assert make_citekey(SIMCLR, set(), BBT_FORMULA) == "chenSimpleFrameworkContrastive2020"
    assert make_citekey(SIMCLR, set(), "bbt") == "chenSimpleFrameworkContrastive2020"
    assert make_citekey(BERTRAND, set(), "scholar") == "bertrand2004much"
    assert make_citekey(SIMCLR, set(), "auth + '_' + year") == "Chen_2020"
    assert (
        make_citekey(SIMCLR, set(), "auth.upper + shorttitle(2,0).lower") == "CHENsimpleframework"
    )
    assert base_citekey(SIMCLR) == make_citekey(SIMCLR, set(), DEFAULT_FORMULA)


def test_structured_family_names_key_whole() -> None:
    from paperlog.model import Author

    paper = Paper(key="k", title="Quantum Fluids", authors=[Author("Del Maestro", "A.")], year=2011)
    assert make_citekey(paper, set()) == "delmaestro2011quantum"


def test_a_library_s_formula_is_used_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    from paperlog.errors import BadFile
    from paperlog.library import Library
    from paperlog.model import Config

    config = Config(extra={"citekey": BBT_FORMULA})
    assert citekey_formula(config) == BBT_FORMULA
    assert citekey_formula(Config()) == DEFAULT_FORMULA
    with pytest.raises(BadFile, match=r"paperlog.toml.*shorttitles"):
        citekey_formula(Config(extra={"citekey": "auth + shorttitles(1)"}))
    lib = Library.create(tmp_path / "lib", config)
    assert citekey_formula(Library.open(lib.root).config) == BBT_FORMULA
