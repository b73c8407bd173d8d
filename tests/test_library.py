"""The plain-text store: round trips, atomic writes, validation with file and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlog.errors import BadFile, LibraryNotFound, NotFound, ValidationError
from paperlog.library import Library
from paperlog.model import Config, Link, Paper, Reading, Topic
from paperlog.paperfile import paper_from_text, paper_to_text


def _paper() -> Paper:
    return Paper(
        key="simclr-2020",
        title="A Simple Framework for Contrastive Learning of Visual Representations",
        nickname="SimClr",
        status="read",
        year=2020,
        ids={"arxiv": "2002.05709"},
        url="https://arxiv.org/abs/2002.05709",
        links=[Link("Notes", "https://docs.example/notes"), Link("TBP")],
        readings=[
            Reading(2, date(2020, 6, 29), "Depth: Recent Self-Supervised Techniques", order=3)
        ],
        extra={"my_rating": 5},
        notes="\n## Key ideas\n- contrastive loss\n",
    )


def test_save_then_load_is_identical(library: Library) -> None:
    paper = _paper()
    library.save_paper(paper)
    text = library.paper_path(paper.key).read_text(encoding="utf-8")
    loaded = library.load_paper(paper.key)
    assert loaded == paper
    library.save_paper(loaded)
    assert library.paper_path(paper.key).read_text(encoding="utf-8") == text


def test_unknown_front_matter_keys_are_kept(library: Library) -> None:
    path = library.paper_path("x")
    path.write_text("---\ntitle: X\nmy_field: keep me\n---\nbody\n", encoding="utf-8")
    paper = library.load_paper("x")
    assert paper.extra == {"my_field": "keep me"}
    library.save_paper(paper)
    assert "my_field: keep me" in path.read_text(encoding="utf-8")


def test_broken_yaml_names_file_and_line(library: Library) -> None:
    path = library.paper_path("bad")
    path.write_text("---\ntitle: ok\nyear: [2019\n---\n", encoding="utf-8")
    with pytest.raises(BadFile) as info:
        library.load_paper("bad")
    assert info.value.path == path
    assert info.value.line is not None and info.value.line >= 3
    assert str(info.value).startswith(f"{path}:")


def test_unknown_topic_code_is_rejected_with_line(tmp_path: Path) -> None:
    lib = Library.create(tmp_path / "lib", Config(topics=[Topic("Uns", "Unsupervised")]))
    path = lib.paper_path("p")
    path.write_text("---\ntitle: P\ntopics:\n- Uns\n- Zzz\n---\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        lib.load_paper("p")
    assert "Zzz" in str(info.value) and info.value.line == 3


def test_duplicate_keys_differing_in_case(library: Library) -> None:
    for name in ("SimCLR", "simclr"):
        library.paper_path(name).write_text("---\ntitle: S\n---\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="duplicate key"):
        library.load_papers()


def test_find_root_walks_up(tmp_path: Path, library: Library) -> None:
    deep = library.root / "papers" / "a" / "b"
    deep.mkdir(parents=True)
    assert Library.find_root(None, {}, deep) == library.root
    assert Library.find_root(None, {"PAPERLOG_LIBRARY": str(tmp_path)}, deep) == tmp_path
    with pytest.raises(LibraryNotFound):
        Library.find_root(None, {}, tmp_path)


def test_resolve_key(library: Library) -> None:
    library.save_paper(_paper())
    library.save_paper(Paper(key="simple-baselines-2019", title="Simple Baselines"))
    assert library.resolve_key("simclr-2020") == "simclr-2020"
    assert library.resolve_key("simc") == "simclr-2020"
    assert library.resolve_key("SimClr") == "simclr-2020"
    with pytest.raises(NotFound, match="several"):
        library.resolve_key("sim")
    with pytest.raises(NotFound):
        library.resolve_key("nothing")


def test_config_round_trip(library: Library) -> None:
    library.config.topics = [Topic("Gml", "General ML", "Thinking Frameworks, Theory, Math, ")]
    library.config.plan.start = date(2020, 6, 15)
    library.config.readme = {"years": "2002 to 2020"}
    library.save_config()
    text = library.config_path.read_text(encoding="utf-8")
    again = Library.open(library.root)
    assert again.config == library.config
    again.save_config()
    assert again.config_path.read_text(encoding="utf-8") == text


def test_batch_write_stages_everything_first(library: Library) -> None:
    good = _paper()
    bad = Paper(key="bad", title="Bad", topics=["Nope"])
    with pytest.raises(ValidationError):
        library.write_all(papers=[good, bad])
    assert library.keys() == []


_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\r\x85\u2028\u2029"
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(
    title=_text.filter(lambda s: s.strip() != ""),
    nickname=st.none() | _text,
    year=st.none() | st.integers(1900, 2100),
    labels=st.lists(st.tuples(_text.filter(str.strip), _text), max_size=3),
    notes=st.text(max_size=200).map(lambda s: s.replace("\r", "")),
    group=st.none() | _text,
)
def test_paper_file_round_trip(
    title: str,
    nickname: str | None,
    year: int | None,
    labels: list[tuple[str, str]],
    notes: str,
    group: str | None,
) -> None:
    paper = Paper(
        key="k",
        title=title,
        nickname=nickname,
        year=year,
        links=[Link(a, b) for a, b in labels],
        readings=[Reading(1, date(2020, 1, 6), group, order=0)],
        notes=notes,
    )
    text = paper_to_text(paper)
    again = paper_from_text("k", text, "k.md")
    assert again == paper
    assert paper_to_text(again) == text


def test_keys_are_short_slugs_with_the_year() -> None:
    from paperlog.model import make_key, slugify

    assert (
        slugify("Don't Decay the Learning Rate, Increase the Batch Size")
        == "dont-decay-learning-rate"
    )
    assert slugify("Übersicht: Ä Ö’s") == "ubersicht-os"
    paper = Paper(key="", title="Network in Network", year=2014)
    assert make_key(paper, set()) == "network-network-2014"
    assert make_key(paper, {"network-network-2014"}) == "network-network-2014-b"
    assert make_key(Paper(key="", title="x", nickname="SimClr", year=2020), set()) == "simclr-2020"
