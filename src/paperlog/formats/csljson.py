"""CSL-JSON out: the citation data Pandoc, Zotero and citeproc processors read.

One item per paper, keyed by its citation key, with only the variables the CSL data schema
(``csl-data.json``) defines: ``id`` and ``type`` (required), ``title``, ``author`` as
``{family, given}`` names, ``issued`` as ``{"date-parts": [[year, month]]}``,
``container-title``, ``DOI``, ``URL``, ``abstract``, ``note`` (``arXiv:<id>``), and the
volume, issue, page, publisher details an imported BibTeX entry kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from paperlog.citekey import (
    DEFAULT_FORMULA,
    make_citekey,
    taken_citekeys,
)
from paperlog.formats.bibtex import EXTRA_KEY
from paperlog.formats.citation import entry_type, venue_name
from paperlog.formats.latex import latex_to_text
from paperlog.model import Paper
from paperlog.months import MONTHS
from paperlog.names import author_parts

# BibTeX entry type -> CSL item type.
_BIB_TYPES = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "book": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "manual": "report",
    "unpublished": "manuscript",
    "online": "webpage",
    "software": "software",
    "dataset": "dataset",
    "patent": "patent",
}
# Kept BibTeX fields -> CSL variables (all strings in the schema, or string-or-number).
_BIB_VARIABLES = {
    "volume": "volume",
    "number": "issue",
    "pages": "page",
    "publisher": "publisher",
    "address": "publisher-place",
    "isbn": "ISBN",
    "issn": "ISSN",
    "edition": "edition",
    "series": "collection-title",
}


def _bibtex(paper: Paper) -> tuple[str | None, dict[str, str]]:
    data = paper.extra.get(EXTRA_KEY)
    if not isinstance(data, dict):
        return None, {}
    fields = data.get("fields")
    kept = {str(k).lower(): str(v) for k, v in fields.items()} if isinstance(fields, dict) else {}
    return (str(data["type"]).lower() if data.get("type") else None), kept


# paperlog's entry types -> CSL item types. A preprint is CSL's "article" (what Zotero and
# citeproc-js call a preprint in CSL 1.0.1).
_CSL_TYPES = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "incollection": "chapter",
    "book": "book",
    "preprint": "article",
    "thesis": "thesis",
    "report": "report",
    "talk": "speech",
    "lecture": "speech",
    "webpage": "webpage",
    "misc": "document",
}


def csl_type(paper: Paper) -> str:
    """The CSL item type: from the imported BibTeX entry type when there is one, else from the
    paper's entry type (``formats.citation.entry_type``)."""
    bib_type, _ = _bibtex(paper)
    kind = entry_type(paper)
    if kind == "preprint":
        return "article"
    if bib_type in _BIB_TYPES:
        return _BIB_TYPES[bib_type]
    return _CSL_TYPES.get(kind, "document")


def csl_name(name: str) -> dict[str, str]:
    """A CSL name from an author's parts: ``family``, ``given``, ``non-dropping-particle``
    ("van der"), ``suffix``; a name with a family part only is a family name alone."""
    parts = author_parts(name)
    out = {"family": parts.family}
    if parts.given:
        out["given"] = parts.given
    if parts.particle:
        out["non-dropping-particle"] = parts.particle
    if parts.suffix:
        out["suffix"] = parts.suffix
    return out


def _month(value: str) -> int | None:
    text = latex_to_text(value).strip().lower().rstrip(".")
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return MONTHS.get(text)


def paper_to_csl(paper: Paper, item_id: str) -> dict[str, Any]:
    """One CSL-JSON item for a paper, with ``item_id`` as its ``id``."""
    bib_type, kept = _bibtex(paper)
    item: dict[str, Any] = {"id": item_id, "type": csl_type(paper), "title": paper.title}
    if paper.authors:
        item["author"] = [csl_name(a) for a in paper.authors]
    if paper.year:
        parts = [paper.year]
        month = _month(kept["month"]) if "month" in kept else None
        if month:
            parts.append(month)
        item["issued"] = {"date-parts": [parts]}
    container = venue_name(paper)
    if container and item["type"] not in ("article", "document", "speech", "book"):
        item["container-title"] = container
    elif container and item["type"] == "speech":
        item["event-title"] = container
    for field, variable in _BIB_VARIABLES.items():
        if field in kept and kept[field].strip():
            # Page ranges keep a plain hyphen, as CSL processors expect ("1-10").
            raw = kept[field].replace("--", "-") if field == "pages" else kept[field]
            item[variable] = latex_to_text(raw)
    if paper.doi:
        item["DOI"] = paper.doi
    url = paper.url or (f"https://arxiv.org/abs/{paper.arxiv}" if paper.arxiv else None)
    if url:
        item["URL"] = url
    if paper.abstract:
        item["abstract"] = paper.abstract
    if paper.arxiv:
        item["note"] = f"arXiv:{paper.arxiv}"
        if item["type"] == "article":
            item.setdefault("publisher", "arXiv")
            item["number"] = f"arXiv:{paper.arxiv}"
    if bib_type in ("phdthesis", "mastersthesis") and "school" in kept:
        item["publisher"] = latex_to_text(kept["school"])
        item["genre"] = "PhD thesis" if bib_type == "phdthesis" else "Master's thesis"
    if bib_type in ("techreport", "report") and "institution" in kept:
        item["publisher"] = latex_to_text(kept["institution"])
    return item


def export_csljson(
    papers: Iterable[Paper], *, taken: set[str] | None = None, formula: str = DEFAULT_FORMULA
) -> list[dict[str, Any]]:
    """CSL-JSON items for the papers, in the order given; ``id`` is the citation key.

    A paper without a citation key gets one for the output (as ``export_bibtex`` does).
    """
    papers = list(papers)
    used = taken_citekeys(papers) | (taken or set())
    items = []
    for paper in papers:
        citekey = paper.citekey
        if not citekey:
            citekey = make_citekey(paper, used, formula)
            used.add(citekey.lower())
        items.append(paper_to_csl(paper, citekey))
    return items
