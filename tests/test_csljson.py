"""CSL-JSON export, checked against the rules of the CSL data schema (csl-data.json v1.0)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from paperlog.formats.csljson import csl_name, export_csljson
from paperlog.library import Library
from paperlog.model import Paper
from paperlog.services.import_bibtex import export_library_csljson, import_bibtex

# From citation-style-language/schema, schemas/input/csl-data.json: an item is an object with
# required "type" and "id" and no properties beyond the schema's ("additionalProperties":
# false). The item types and the variables paperlog may write, with their JSON types:
CSL_TYPES = {
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book",
    "broadcast", "chapter", "classic", "collection", "dataset", "document", "entry",
    "entry-dictionary", "entry-encyclopedia", "event", "figure", "graphic", "hearing",
    "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
    "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical",
    "personal_communication", "post", "post-weblog", "regulation", "report", "review",
    "review-book", "software", "song", "speech", "standard", "thesis", "treaty", "webpage",
}  # fmt: skip
STRING = (str,)
STRING_OR_NUMBER = (str, int, float)
VARIABLES: dict[str, tuple[type, ...]] = {
    "id": STRING_OR_NUMBER,
    "type": STRING,
    "title": STRING,
    "container-title": STRING,
    "collection-title": STRING,
    "DOI": STRING,
    "URL": STRING,
    "ISBN": STRING,
    "ISSN": STRING,
    "abstract": STRING,
    "note": STRING,
    "publisher": STRING,
    "publisher-place": STRING,
    "genre": STRING,
    "volume": STRING_OR_NUMBER,
    "issue": STRING_OR_NUMBER,
    "page": STRING_OR_NUMBER,
    "number": STRING_OR_NUMBER,
    "edition": STRING_OR_NUMBER,
}
NAME_KEYS = {
    "family", "given", "dropping-particle", "non-dropping-particle", "suffix", "comma-suffix",
    "static-ordering", "literal", "parse-names",
}  # fmt: skip


def check_item(item: dict[str, Any]) -> None:
    """Fail on anything the CSL data schema would reject."""
    assert isinstance(item.get("id"), str | int) and item["id"] != ""
    assert item.get("type") in CSL_TYPES
    for key, value in item.items():
        if key in ("author", "editor"):
            assert isinstance(value, list) and value
            for name in value:
                assert isinstance(name, dict) and set(name) <= NAME_KEYS and name
                assert all(isinstance(v, str) and v for v in name.values())
        elif key == "issued":
            assert set(value) == {"date-parts"}
            parts = value["date-parts"]
            assert isinstance(parts, list) and 1 <= len(parts) <= 2
            for date in parts:
                assert isinstance(date, list) and 1 <= len(date) <= 3
                assert all(isinstance(p, int | str) for p in date)
        else:
            assert key in VARIABLES, f"{key!r} is not a CSL variable paperlog should write"
            assert isinstance(value, VARIABLES[key]), (key, value)


def _import(corpus: Path, library: Library, name: str) -> list[Paper]:
    path = corpus / "bibtex" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return import_bibtex(library, path, dry_run=True).imported


@pytest.mark.parametrize(
    "name",
    ["d2l-en_d2l.bib", "ifnspaml_ifn_spaml_bibliography.bib", "terryum_top100papers.bib"],
)
def test_real_libraries_give_valid_csl(corpus: Path, library: Library, name: str) -> None:
    papers = _import(corpus, library, name)
    items = export_csljson(papers)
    assert len(items) == len(papers)
    assert len({i["id"] for i in items}) == len(items)
    for item in items:
        check_item(item)
    json.dumps(items)  # plain JSON data


def test_types_names_and_dates_from_real_entries(corpus: Path, library: Library) -> None:
    papers = _import(corpus, library, "terryum_top100papers.bib")
    items = {i["id"]: i for i in export_csljson(papers)}
    hinton = items["hinton2015distilling"]  # journal={arXiv preprint arXiv:1503.02531}
    assert hinton["type"] == "article"
    assert hinton["note"] == "arXiv:1503.02531"
    assert hinton["URL"] == "https://arxiv.org/abs/1503.02531"
    assert "container-title" not in hinton
    assert hinton["issued"] == {"date-parts": [[2015]]}
    razavian = items["sharif2014cnn"]
    assert razavian["type"] == "paper-conference"
    assert razavian["author"][0] == {"family": "Sharif Razavian", "given": "Ali"}
    assert razavian["page"] == "806-813"
    assert razavian["container-title"].startswith("Proceedings of the IEEE Conference")

    hand = {
        i["id"]: i
        for i in export_csljson(_import(corpus, library, "ifnspaml_ifn_spaml_bibliography.bib"))
    }
    assert hand["Aalburg2002"]["issued"] == {"date-parts": [[2002, 6]]}  # month = jun
    assert hand["Aalburg2002"]["publisher-place"] == "Kloster Irsee, Germany"
    assert hand["Abdel-Hamid2012"]["container-title"] == "Proc. of ICASSP"


def test_paper_without_bibtex_origin() -> None:
    papers = [
        Paper(
            key="simclr-2020",
            title="A Simple Framework for Contrastive Learning of Visual Representations",
            authors=["Ting Chen", "Laurens van der Maaten", "Plato"],
            year=2020,
            venue="ICML",
            venue_label="ICML 2020",
            ids={"arxiv": "2002.05709", "doi": "10.5555/3524938.3525087"},
            abstract="We present SimCLR.",
        ),
        Paper(key="other", title="A Simple Framework again", authors=["Ting Chen"], year=2020),
    ]
    items = export_csljson(papers)
    for item in items:
        check_item(item)
    assert items[0] == {
        "id": "chen2020simple",
        "type": "paper-conference",
        "title": "A Simple Framework for Contrastive Learning of Visual Representations",
        "author": [
            {"family": "Chen", "given": "Ting"},
            {"family": "Maaten", "given": "Laurens", "non-dropping-particle": "van der"},
            {"family": "Plato"},
        ],
        "issued": {"date-parts": [[2020]]},
        "container-title": "ICML",  # the venue, not the badge: the year is in "issued"
        "DOI": "10.5555/3524938.3525087",
        "URL": "https://arxiv.org/abs/2002.05709",
        "abstract": "We present SimCLR.",
        "note": "arXiv:2002.05709",
    }
    assert items[1]["id"] == "chen2020simplea" and items[1]["type"] == "document"
    assert papers[0].citekey is None  # the export alone changes no paper


def test_csl_name() -> None:
    assert csl_name("Geoffrey E. Hinton") == {"family": "Hinton", "given": "Geoffrey E."}
    assert csl_name("Chen, Ting") == {"family": "Chen", "given": "Ting"}


def test_library_export_saves_new_ids(library: Library) -> None:
    library.save_papers([Paper(key="a", title="Deep Nets", authors=["A. Writer"], year=2019)])
    items, changed = export_library_csljson(library)
    assert [i["id"] for i in items] == ["writer2019deep"]
    assert [p.key for p in changed] == ["a"]
    assert library.load_paper("a").citekey == "writer2019deep"


def test_cli_export_csljson(tmp_path: Path, library: Library) -> None:
    library.save_papers(
        [
            Paper(key="a", title="Old Nets", year=2012, status="read", authors=["A. One"]),
            Paper(key="b", title="New Nets", year=2020, status="wish", authors=["B. Two"]),
        ]
    )
    out = tmp_path / "refs.json"
    result = run_cli("export", "csljson", "--status", "read", "-o", str(out), library=library.root)
    assert result.returncode == 0, result.stderr
    items = json.loads(out.read_text(encoding="utf-8"))
    assert [i["title"] for i in items] == ["Old Nets"]
    check_item(items[0])
    piped = run_cli("export", "csljson", "nets", "--no-save-keys", library=library.root)
    assert [i["title"] for i in json.loads(piped.stdout)] == ["Old Nets", "New Nets"]
    assert "not saved" in piped.stderr
    assert library.load_paper("b").citekey is None
