"""BibTeX import and export: real bibliographies, malformed input, lossless round trips, CLI."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_cli
from paperlog.formats.bibtex import (
    EXTRA_KEY,
    entry_fields,
    entry_to_paper,
    export_bibtex,
    fields_of,
    latex_to_text,
    parse_authors,
    parse_bibtex,
    text_to_latex,
)
from paperlog.library import Library
from paperlog.model import Paper
from paperlog.paperfile import paper_from_text, paper_to_text
from paperlog.services.import_bibtex import export_library_bibtex, import_bibtex

# name -> (entries read, imported into an empty library, skipped as already there,
#          lines of malformed entries). Counted by hand with grep: every "@type{" line that
# is not an @comment; the hand-kept file has one entry whose closing brace is missing (line
# 7506, so the @Book after it still starts a block) and two papers under one eprint (Meng2022's
# eprint is Steiner2021's: both are imported, the second without the id); d2l has "Layer
# normalization" (arXiv 1607.06450) under two keys.
REAL_FILES = {
    "cmlbib_icml2020.bib": (1084, 1084, 0, []),
    "cmlbib_nips2020.bib": (1898, 1898, 0, []),
    "d2l-en_d2l.bib": (488, 487, 1, []),
    "ifnspaml_ifn_spaml_bibliography.bib": (1854, 1854, 0, [7506]),
    "terryum_top100papers.bib": (101, 101, 0, []),
}


def _bib(corpus: Path, name: str) -> Path:
    path = corpus / "bibtex" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path


@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_real_files_import_with_exact_counts(corpus: Path, library: Library, name: str) -> None:
    entries, imported, existing, bad_lines = REAL_FILES[name]
    report = import_bibtex(library, _bib(corpus, name), dry_run=True)
    assert report.entries == entries
    assert len(report.imported) == imported
    assert report.existing == existing
    assert [w.line for w in report.malformed] == bad_lines
    assert len({p.key for p in report.imported}) == imported
    assert len({(p.citekey or "").lower() for p in report.imported}) == imported
    assert all(p.status == "wish" and p.title for p in report.imported)


def _by_citekey(papers: list[Paper]) -> dict[str, Paper]:
    return {p.citekey or "": p for p in papers}


def test_latex_is_decoded_on_real_entries(corpus: Path, library: Library) -> None:
    d2l = _by_citekey(import_bibtex(library, _bib(corpus, "d2l-en_d2l.bib"), dry_run=True).imported)
    abadi = d2l["Abadi.Barham.Chen.ea.2016"]
    assert abadi.title == "TensorFlow: A system for large-scale machine learning"
    assert abadi.authors[0] == "Martín Abadi"
    assert abadi.venue_label == (
        "12th USENIX Symposium on Operating Systems Design and Implementation (OSDI 16)"
    )
    cho = d2l["Cho.Van-Merrienboer.Bahdanau.ea.2014"]
    assert cho.authors[1] == "Bart Van Merriënboer"
    assert (
        cho.title == "On the properties of neural machine translation: Encoder–decoder approaches"
    )
    pad = d2l["Alsallakh.Kokhlikyan.Miglani.ea.2020"]
    assert pad.title == "Mind the PAD – CNNs can develop blind spots"
    assert pad.arxiv == "2010.02178"  # from journal = {Ar{X}iv:2010.02178}

    hand = _by_citekey(
        import_bibtex(
            library, _bib(corpus, "ifnspaml_ifn_spaml_bibliography.bib"), dry_run=True
        ).imported
    )
    assert "Mikołaj Bińkowski" in hand["Alayrac2022"].authors
    assert "Karén Simonyan" in hand["Alayrac2022"].authors
    assert {"Heinrich Küttler", "Víctor Valdés"} <= set(hand["Beattie2016"].authors)
    assert hand["Abadi2016"].authors == ["Martín Abadi"]  # "and others" is not a person
    assert hand["Abadi2016"].arxiv == "1603.04467"


def _raw_fields(text: str, path: Path) -> dict[str, tuple[str, dict[str, str]]]:
    out: dict[str, tuple[str, dict[str, str]]] = {}
    for _line, entry, enclosed in parse_bibtex(text, path)[0]:
        fields, _bare, _dupes = fields_of(entry, enclosed)
        out.setdefault(entry.key.lower(), (entry.entry_type.lower(), fields))
    return out


@pytest.mark.parametrize("name", ["d2l-en_d2l.bib", "ifnspaml_ifn_spaml_bibliography.bib"])
def test_round_trip_keeps_every_field(corpus: Path, tmp_path: Path, name: str) -> None:
    """import -> paper files -> export -> import: same papers, and every raw field of every
    entry comes back with its value (the same text, or text that reads the same)."""
    source = _bib(corpus, name)
    first = Library.create(tmp_path / "first")
    report = import_bibtex(first, source, dry_run=name != "d2l-en_d2l.bib")
    if name == "d2l-en_d2l.bib":
        papers = first.load_papers()  # through the real files on disk
    else:  # through the front-matter text, without 1,853 fsyncs
        papers = [paper_from_text(p.key, paper_to_text(p), p.key) for p in report.imported]
    assert len(papers) == len(report.imported)
    exported = tmp_path / "out.bib"
    exported.write_text(export_bibtex(sorted(papers, key=lambda p: p.key)), encoding="utf-8")

    second = Library.create(tmp_path / "second")
    again = import_bibtex(second, exported, dry_run=True)
    # an alias is written as a copy of its entry, and read back as that alias again
    aliases = sum(len(p.aliases) for p in papers)
    assert again.malformed == [] and again.existing == aliases
    # queue ranks follow the order of each file (the export is sorted by key): not a field.
    # Two entries under one id (a copied eprint) keep both papers, but which of them holds the
    # id follows the file's order, which the export changed: their ids and BibTeX notes differ.
    both = [*papers, *again.imported]
    clashed = [p for p in both if p.extra["bibtex"].get("id_clash")]
    clash_ids = {str(p.extra["bibtex"]["fields"]["eprint"]) for p in clashed}
    pair = {p.key for p in clashed} | {p.key for p in both if p.arxiv in clash_ids}
    assert len(pair) == (2 if name.startswith("ifnspaml") else 0), pair

    def comparable(p: Paper) -> dict[str, object]:
        out = {**dataclasses.asdict(p), "rank": None}
        if p.key in pair:
            del out["ids"], out["extra"]
        return out

    before = {p.key: comparable(p) for p in papers}
    after = {p.key: comparable(p) for p in again.imported}
    assert before == after

    original = _raw_fields(source.read_text(encoding="utf-8"), source)
    written = _raw_fields(exported.read_text(encoding="utf-8"), exported)
    for paper in papers:
        key = (paper.citekey or "").lower()
        entry_type, fields = original[key]
        out_type, out_fields = written[key]
        assert out_type == entry_type
        for field, value in fields.items():
            assert field in out_fields, (key, field)
            if out_fields[field] != value:  # re-encoded: must read the same
                assert latex_to_text(out_fields[field]) == latex_to_text(value), (key, field)


def test_export_is_stable_text(corpus: Path, tmp_path: Path) -> None:
    source = _bib(corpus, "terryum_top100papers.bib")
    lib = Library.create(tmp_path / "lib")
    import_bibtex(lib, source)
    text = export_bibtex(lib.load_papers())
    again = tmp_path / "again.bib"
    again.write_text(text, encoding="utf-8")
    lib2 = Library.create(tmp_path / "lib2")
    import_bibtex(lib2, again)
    assert export_bibtex(lib2.load_papers()) == text


def test_reimport_changes_nothing(corpus: Path, library: Library) -> None:
    source = _bib(corpus, "terryum_top100papers.bib")
    first = import_bibtex(library, source)
    assert len(first.imported) == 101
    snapshot = {p.name: p.read_bytes() for p in library.paper_files()}
    second = import_bibtex(library, source)
    assert second.imported == [] and second.existing == 101
    assert {p.name: p.read_bytes() for p in library.paper_files()} == snapshot


BROKEN = r"""% a small hand-made file with the problems real ones have
@string{icml = "International Conference on Machine Learning"}

@inproceedings{chen2020simple,
  title = {A Simple Framework for Contrastive Learning of Visual Representations},
  author = {Chen, Ting and Kornblith, Simon and Norouzi, Mohammad and Hinton, Geoffrey},
  booktitle = icml,
  year = 2020,
  month = jul,
  pages = {1597--1607},
  eprint = {2002.05709},
  archivePrefix = {arXiv}
}

@article{broken2019,
  title = {This entry never closes its title,
  author = {Nobody, Anne},

@article{goodfellow2014generative,
  title = {Generative Adversarial Nets},
  author = {Goodfellow, Ian and Pouget-Abadie, Jean},
  journal = {Advances in Neural Information Processing Systems},
  year = {2014},
  note = "part " # "two"
}

@misc{goodfellow2014generative,
  title = {{GAN}s: a {\"u}ber-tutorial},
  author = {M{\"u}ller, J{\"o}rg},
  year = {2016},
  doi = {10.1000/XYZ.123}
}

@misc{twice,
  title = {Repeated Fields},
  address = {Here},
  address = {There}
}

@misc{chen2020copy,
  title = {A Simple Framework for Contrastive Learning (same arXiv ID as the first entry)},
  eprint = {arXiv:2002.05709v2}
}
"""


def _broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.bib"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def test_malformed_entries_are_reported_with_lines_and_the_rest_imported(
    tmp_path: Path, library: Library
) -> None:
    path = _broken(tmp_path)
    report = import_bibtex(library, path)
    lines = BROKEN.splitlines()
    assert [w.line for w in report.malformed] == [lines.index("@article{broken2019,") + 1]
    assert report.entries == 5
    citekeys = [p.citekey for p in report.imported]
    assert citekeys == ["chen2020simple", "goodfellow2014generative", "muller2016gans", "twice"]
    assert report.renamed == [("goodfellow2014generative", "muller2016gans")]
    assert report.existing == 1  # chen2020copy: the same arXiv paper as chen2020simple
    messages = [str(w) for w in report.warnings]
    assert any("repeated field address" in m for m in messages)
    assert any("chen2020copy: same paper as chen2020simple" in m for m in messages)
    assert report.aliased == [("chen2020copy", "chen2020simple")]
    assert len(library.load_papers()) == 4

    simclr, gan, gans, twice = (library.load_paper(p.key) for p in report.imported)
    assert simclr.venue_label == "International Conference on Machine Learning"  # @string
    assert simclr.venue == "ICML"
    assert simclr.ids == {"arxiv": "2002.05709"}
    assert simclr.year == 2020
    assert simclr.extra[EXTRA_KEY]["unbraced"] == ["month"]
    assert gan.venue == "NeurIPS"
    assert gans.title == "GANs: a über-tutorial"
    assert gans.authors == ["Jörg Müller"]
    assert gans.doi == "10.1000/xyz.123"
    assert twice.extra[EXTRA_KEY]["fields"]["address"] == "Here"


def test_broken_file_round_trips_macros_and_concatenations(
    tmp_path: Path, library: Library
) -> None:
    import_bibtex(library, _broken(tmp_path))
    text = export_bibtex(sorted(library.load_papers(), key=lambda p: p.key))
    assert "  month = jul,\n" in text  # still the month macro, not the string "jul"
    assert '  note = "part " # "two"' in text
    assert "@inproceedings{chen2020simple," in text


def test_only_malformed_is_an_error_and_writes_nothing(tmp_path: Path, library: Library) -> None:
    path = tmp_path / "bad.bib"
    path.write_text("@article{x,\n  title = {never closed\n", encoding="utf-8")
    result = run_cli("import", "bibtex", str(path), library=library.root)
    assert result.returncode == 4
    assert result.stderr.startswith("paperlog: error: ")
    assert f"{path}:1:" in result.stderr
    assert library.paper_files() == []


def test_not_utf8_names_the_line(tmp_path: Path, library: Library) -> None:
    path = tmp_path / "latin1.bib"
    path.write_bytes(b"@misc{a,\n  title = {ok}\n}\n@misc{b,\n  title = {caf\xe9}\n}\n")
    result = run_cli("import", "bibtex", str(path), library=library.root)
    assert result.returncode == 4
    assert f"{path}:5:" in result.stderr and "UTF-8" in result.stderr
    assert library.paper_files() == []


def test_cli_import_and_export(tmp_path: Path, library: Library) -> None:
    path = _broken(tmp_path)
    dry = run_cli("import", "bibtex", str(path), "--dry-run", library=library.root)
    assert dry.returncode == 0, dry.stderr
    assert "Would import 4 of 5 entries" in dry.stdout
    assert library.paper_files() == []
    result = run_cli("import", "bibtex", str(path), library=library.root)
    assert result.returncode == 0, result.stderr
    assert "Imported 4 of 5 entries" in result.stdout
    assert len(library.paper_files()) == 4
    line = BROKEN.splitlines().index("@article{broken2019,") + 1
    assert f"{path}:{line}: malformed entry skipped" in result.stderr

    again = run_cli("import", "bibtex", str(path), "--json", library=library.root)
    data = json.loads(again.stdout)
    assert data["imported"] == 0 and data["existing"] == 5 and data["malformed"] == 1

    out = tmp_path / "out.bib"
    exported = run_cli("export", "bibtex", "year:2015..2019", "-o", str(out), library=library.root)
    assert exported.returncode == 0, exported.stderr
    assert f"Wrote 1 entry to {out}" in exported.stderr  # the @string macro is no entry
    text = out.read_text(encoding="utf-8")
    # the file's own text and macros come first, as paperlog.toml [bibtex] keeps them
    assert text.startswith(
        "% a small hand-made file with the problems real ones have\n"
        '@string{icml = "International Conference on Machine Learning"}\n'
    )
    entries = re.findall(r"^@(\w+)\{([^,\n]+),", text, flags=re.M)
    assert entries == [("misc", "muller2016gans")]
    everything = run_cli("export", "bibtex", "--status", "wish", library=library.root)
    # four papers, one of them also under the key of its duplicate (chen2020copy)
    written = re.findall(r"^@(\w+)\{([^,\n]+),", everything.stdout, flags=re.M)
    assert [k for t, k in written if t != "string"] == [
        "muller2016gans",
        "goodfellow2014generative",
        "twice",
        "chen2020simple",
        "chen2020copy",
    ]


def test_export_gives_and_saves_citekeys(library: Library) -> None:
    paper = Paper(
        key="simclr-2020",
        title="A Simple Framework for Contrastive Learning of Visual Representations",
        authors=["Ting Chen", "Geoffrey Hinton"],
        year=2020,
        ids={"arxiv": "2002.05709"},
        venue="ICML",
        venue_label="ICML 2020",
    )
    other = Paper(key="other", title="Another one", citekey="chen2020simple")
    library.save_papers([paper, other])
    # by default an export writes no paper file: the key is made for this output only
    plain = run_cli("export", "bibtex", "simple", library=library.root)
    assert "@inproceedings{chen2020simplea," in plain.stdout and "doctor --fix" in plain.stderr
    assert library.load_paper("simclr-2020").citekey is None
    result = run_cli("export", "bibtex", "simple", "--save-keys", library=library.root)
    assert result.returncode == 0, result.stderr
    assert "@inproceedings{chen2020simplea," in result.stdout
    assert "Gave citation keys to 1 papers (saved in their files)" in result.stderr
    assert library.load_paper("simclr-2020").citekey == "chen2020simplea"
    second = run_cli("export", "bibtex", "simple", library=library.root)
    assert second.stdout == result.stdout and second.stderr == ""


def test_arxiv_paper_exports_as_misc_with_eprint() -> None:
    paper = Paper(
        key="k",
        title="SimCLR: A Simple Framework",
        authors=["Ting Chen", "Laurens van der Maaten"],
        year=2020,
        ids={"arxiv": "2002.05709", "doi": "10.48550/arxiv.2002.05709"},
        url="https://arxiv.org/abs/2002.05709",
        abstract="We present SimCLR & more: 100% _simple_.",
    )
    text = export_bibtex([paper])
    assert text == (
        "@misc{chen2020simclr,\n"
        "  author = {Chen, Ting and van der Maaten, Laurens},\n"
        "  title = {{SimCLR}: A Simple Framework},\n"
        "  year = {2020},\n"
        "  doi = {10.48550/arxiv.2002.05709},\n"
        "  eprint = {2002.05709},\n"
        "  archivePrefix = {arXiv},\n"
        "  url = {https://arxiv.org/abs/2002.05709},\n"
        "  abstract = {We present SimCLR \\& more: 100\\% \\_simple\\_.}\n"
        "}\n"
    )
    assert paper.citekey is None  # export alone does not change the paper


def test_user_edits_win_over_kept_raw_fields() -> None:
    paper = entry_to_paper(
        "article",
        "x",
        {"title": "{{Old}} Title", "author": "Doe, J. and others", "journal": "J. {ML}"},
    )
    assert paper.title == "Old Title"
    _type, fields = entry_fields(paper)
    assert ("title", "{{Old}} Title", True) in fields  # unchanged: the raw text
    paper.title = "New Title"
    paper.authors = ["Jane Doe"]
    _type, fields = entry_fields(paper)
    assert ("title", "New Title", True) in fields
    assert ("author", "Doe, Jane", True) in fields
    assert ("journal", "J. {ML}", True) in fields


def test_latex_decoding_table() -> None:
    cases = {
        r"{\"u}ber \"{U} \'{\i} {\'\i} \c{c} \v{r} \ss{} {\o} \aa": "über Ü í í ç ř ß ø å",
        r"Proc.\ of {GAN}s -- a---b ``q''": "Proc. of GANs – a—b “q”",
        r"\emph{Deep} \textbf{nets} \& co.~\% 5\$": "Deep nets & co. % 5$",
        r"Near-optimal $O(\sqrt{T})$ {R}egret": "Near-optimal $O(\\sqrt{T})$ Regret",
        "two\n\t\t  lines": "two lines",
    }
    for raw, text in cases.items():
        assert latex_to_text(raw) == text
    assert parse_authors(r"Sch{\"o}lkopf, Bernhard and van der Maaten, L. and others") == [
        "Bernhard Schölkopf",
        "L. van der Maaten",
    ]


_TEXT = st.text(
    alphabet=st.characters(
        categories=("L", "N", "P", "S", "Zs"), exclude_characters="\x00\x01\x02\x03\x04\x05\x06"
    ),
    max_size=40,
).map(lambda s: " ".join(s.split()))
_WORD = st.from_regex(r"[A-ZÖ][a-zéüøł'&%_$#^~-]{1,8}", fullmatch=True).filter(
    lambda w: not w.endswith("-") and "--" not in w and w.lower() not in ("and", "others")
)
_NAME = st.lists(_WORD, min_size=2, max_size=3).map(" ".join)


@given(text=_TEXT)
def test_latex_encoding_round_trips(text: str) -> None:
    assert latex_to_text(text_to_latex(text)) == text.strip()


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(
    title=_TEXT.filter(lambda t: t.strip() != ""),
    authors=st.lists(_NAME, min_size=1, max_size=4),
    year=st.integers(min_value=1900, max_value=2099),
    abstract=st.one_of(st.none(), _TEXT.filter(lambda t: t.strip() != "")),
)
def test_generated_entries_round_trip(
    title: str, authors: list[str], year: int, abstract: str | None
) -> None:
    paper = Paper(key="k", title=title, authors=authors, year=year, abstract=abstract)
    text = export_bibtex([paper])
    entries, malformed, _ = parse_bibtex(text, "<generated>")
    assert malformed == [] and len(entries) == 1
    _line, entry, enclosed = entries[0]
    fields, bare, _ = fields_of(entry, enclosed)
    back = entry_to_paper(entry.entry_type, entry.key, fields, bare)
    assert (back.title, back.authors, back.year, back.abstract) == (
        title,
        authors,
        year,
        abstract,
    )


def test_export_library_filters_by_query_and_status(library: Library) -> None:
    library.save_papers(
        [
            Paper(key="a", title="Old Nets", year=2012, status="read", authors=["A. One"]),
            Paper(key="b", title="New Nets", year=2020, status="wish", authors=["B. Two"]),
        ]
    )
    text, changed = export_library_bibtex(library, "year:2015..")
    assert "title = {New Nets}" in text and "Old Nets" not in text
    assert [p.key for p in changed] == ["b"]
    text, _ = export_library_bibtex(library, "", "read", write_back=False)
    assert "title = {Old Nets}" in text and "New Nets" not in text


def test_macros_and_concatenations_without_string_blocks(tmp_path: Path) -> None:
    """With no @string to resolve, values are unbraced by paperlog itself: same results."""
    text = (
        "@misc{a,\n"
        '  title = "Quoted {"}Title{"}",\n'
        "  month = sep,\n"
        '  note = "left" # " and " # {right},\n'
        "  howpublished = {a} # {b},\n"
        "  year = 2001,\n"
        "  pages = {{1}--{2}}\n"
        "}\n"
    )
    path = tmp_path / "plain.bib"
    path.write_text(text, encoding="utf-8")
    (_line, entry, enclosed), *rest = parse_bibtex(text, path)[0]
    assert rest == [] and enclosed
    fields, bare, _ = fields_of(entry, enclosed)
    assert fields == {
        "title": 'Quoted {"}Title{"}',
        "month": "sep",
        "note": '"left" # " and " # {right}',
        "howpublished": "{a} # {b}",
        "year": "2001",
        "pages": "{1}--{2}",
    }
    assert bare == ["month", "note", "howpublished"]
    paper = entry_to_paper(entry.entry_type, entry.key, fields, bare)
    assert paper.title == 'Quoted "Title"'
    lines = {line.rstrip(",") for line in export_bibtex([paper]).splitlines()}
    assert {
        "  month = sep",
        '  note = "left" # " and " # {right}',
        "  howpublished = {a} # {b}",
        "  pages = {{1}--{2}}",
    } <= lines


def test_progress_is_reported(tmp_path: Path, library: Library) -> None:
    calls: list[tuple[int, int]] = []
    import_bibtex(
        library, _broken(tmp_path), progress=lambda done, total: calls.append((done, total))
    )
    assert calls and calls[-1] == (5, 5)


def test_missing_file_is_an_error(tmp_path: Path, library: Library) -> None:
    result = run_cli("import", "bibtex", str(tmp_path / "nope.bib"), library=library.root)
    assert result.returncode == 4
    assert "nope.bib" in result.stderr and "cannot read" in result.stderr


def test_entries_without_a_title_round_trip() -> None:
    for fields in ({"author": "Doe, Jane"}, {"title": "{}", "year": "2001"}):
        paper = entry_to_paper("misc", "doe-note", dict(fields))
        assert paper.title == "doe-note" and paper.extra[EXTRA_KEY]["untitled"]
        entries = parse_bibtex(export_bibtex([paper]), "<out>")[0]
        back, _bare, _ = fields_of(entries[0][1], entries[0][2])
        assert back == fields


def test_same_key_for_another_paper_is_imported_renamed(tmp_path: Path, library: Library) -> None:
    library.save_papers(
        [Paper(key="held", title="Held", citekey="smith2020deep", ids={"doi": "10.1000/a"})]
    )
    path = tmp_path / "clash.bib"
    path.write_text(
        "@article{smith2020deep, title={Other}, doi={10.1000/b}}\n"
        "@article{Smith2020Deep, title={{H}eld}, year={2020}}\n"
        "@article{SMITH2020DEEP, title={Third, without ids}}\n",
        encoding="utf-8",
    )
    report = import_bibtex(library, path)
    assert [p.citekey for p in report.imported] == [
        "other",
        "thirdids",
    ]  # "without" is a Better BibTeX skip-word
    assert report.renamed == [("smith2020deep", "other"), ("SMITH2020DEEP", "thirdids")]
    assert report.existing == 1  # same key, same title, no contradicting id: the held paper
    again = import_bibtex(library, path)  # a re-import changes nothing
    assert again.imported == [] and again.existing == 3


def test_papers_already_there_take_the_files_citation_key(tmp_path: Path, library: Library) -> None:
    """A paper from a README (no citation key) found again in a .bib gets the file's key."""
    library.save_papers(
        [
            Paper(key="simclr-2020", title="SimCLR", ids={"arxiv": "2002.05709"}),
            Paper(key="keyed", title="Keyed", ids={"doi": "10.1000/k"}, citekey="mine"),
        ]
    )
    path = tmp_path / "thesis.bib"
    path.write_text(
        "@inproceedings{chen2020simple, title={A Simple Framework}, eprint={2002.05709},"
        " booktitle={ICML}, pages={1597--1607}}\n"
        "@article{other2020, title={Keyed}, doi={10.1000/K}}\n",
        encoding="utf-8",
    )
    report = import_bibtex(library, path)
    assert report.imported == [] and report.existing == 2
    assert [(p.key, p.citekey) for p in report.linked] == [
        ("simclr-2020", "chen2020simple"),
        ("keyed", "mine"),
    ]
    # the other entry's key is not lost: a document citing other2020 still builds
    assert library.load_paper("keyed").aliases == ["other2020"]
    simclr = library.load_paper("simclr-2020")
    assert simclr.citekey == "chen2020simple" and simclr.title == "SimCLR"
    assert library.load_paper("keyed").citekey == "mine"  # a key once given never changes
    text = export_bibtex([simclr])
    assert text.startswith("@inproceedings{chen2020simple,\n")
    assert "  pages = {1597--1607},\n" in text and "  title = {{SimCLR}},\n" in text
    again = import_bibtex(library, path)
    assert again.linked == [] and again.existing == 2


def test_lectures_and_notes_export_as_misc_with_howpublished() -> None:
    lecture = Paper(
        key="cs231n",
        title="CNNs for Visual Recognition",
        kind="lecture",
        venue_label="Stanford CS231n",
        year=2017,
        url="http://cs231n.stanford.edu/",
    )
    text = export_bibtex([lecture])
    assert text.startswith("@misc{")
    assert "  howpublished = {Stanford CS231n},\n" in text
    entries = parse_bibtex(text, "<out>")[0]
    fields, bare, _ = fields_of(entries[0][1], entries[0][2])
    back = entry_to_paper(entries[0][1].entry_type, entries[0][1].key, fields, bare)
    assert (back.title, back.venue_label, back.year, back.url) == (
        lecture.title,
        "Stanford CS231n",
        2017,
        lecture.url,
    )
    linked = entry_to_paper(
        "misc", "web", {"title": "Site", "howpublished": "\\url{https://x.org}"}
    )
    assert linked.venue_label is None
    assert ("howpublished", "\\url{https://x.org}", True) in entry_fields(linked)[1]


def test_hand_edited_bibtex_front_matter_is_tolerated() -> None:
    paper = Paper(
        key="k",
        title="T",
        citekey="k",
        extra={
            EXTRA_KEY: {
                "type": "Misc",
                "fields": {"Month": "jun", "pages": 12, "note": None},
                "unbraced": "month",
            }
        },
    )
    assert export_bibtex([paper]) == (
        "@misc{k,\n  title = {T},\n  pages = {12},\n  month = jun,\n  note = {}\n}\n"
    )
    assert export_bibtex([Paper(key="x", title="X", citekey="x", extra={EXTRA_KEY: "odd"})]) == (
        "@misc{x,\n  title = {X}\n}\n"
    )


def test_urls_lose_tex_wrappers_and_escapes() -> None:
    raw = r"\url{https://example.org/a\_b?x=1\&y=2}"
    paper = entry_to_paper("misc", "u", {"title": "U", "url": raw})
    assert paper.url == "https://example.org/a_b?x=1&y=2"
    assert ("url", raw, True) in entry_fields(paper)[1]  # written back as it was
    paper.url = "https://example.org/new"
    assert ("url", "https://example.org/new", True) in entry_fields(paper)[1]


CLASH = """@article{first2022,
  title = {Internal Language Model Adaptation With Text-Only Data},
  author = {Meng, Zhong},
  year = {2022},
  eprint = {2106.10270},
  archiveprefix = {arXiv}
}

@article{second2021,
  title = {How to Train Your ViT? Data, Augmentation, and Regularization in Vision Transformers},
  author = {Steiner, Andreas},
  year = {2021},
  eprint = {2106.10270},
  archiveprefix = {arXiv}
}

@article{again2021,
  title = {How to train your ViT? Data, augmentation and regularization in vision transformers},
  author = {Steiner, Andreas},
  year = {2021},
  eprint = {2106.10270}
}
"""


def test_two_papers_under_one_id_are_both_kept(library: Library, tmp_path: Path) -> None:
    """An entry whose arXiv id an earlier entry holds under another title is a second paper
    with a wrong (copied) id, not a duplicate to skip: it is imported without that id, warned
    about with its line, and exported with its eprint as written. A third entry with the
    first's id and a different title is a clash too; the same title would be a duplicate."""
    path = tmp_path / "clash.bib"
    path.write_text(CLASH, encoding="utf-8")
    report = import_bibtex(library, path)
    assert [p.citekey for p in report.imported] == ["first2022", "second2021", "again2021"]
    first, second, third = report.imported
    assert first.arxiv == "2106.10270" and second.arxiv is None and third.arxiv is None
    assert [w.line for w in report.warnings] == [9, 17]
    assert "second2021: same arxiv id 2106.10270 as first2022 but another title" in str(
        report.warnings[0]
    )
    text, _ = export_library_bibtex(Library.open(library.root), write_back=False)
    entry = text[text.index("@article{second2021") :].split("\n}\n")[0]
    assert "eprint = {2106.10270}" in entry and "archivePrefix = {arXiv}" in entry
    again = import_bibtex(Library.open(library.root), path)
    assert not again.imported and again.existing == 3  # a re-import changes nothing


def test_one_paper_under_one_id_is_still_one(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "dupe.bib"
    path.write_text(
        CLASH.split("@article{again2021", maxsplit=1)[0]
        .replace("first2022", "x")
        .replace(
            "Internal Language Model Adaptation With Text-Only Data",
            "How to Train Your ViT? Data Augmentation and Regularization",
        ),
        encoding="utf-8",
    )
    report = import_bibtex(library, path)
    assert [p.citekey for p in report.imported] == ["x"]
    assert report.existing == 1 and not any("another title" in str(w) for w in report.warnings)
