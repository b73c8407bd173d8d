"""CSL-JSON out: the citation data Pandoc, Zotero and citeproc processors read.

One item per paper, keyed by its citation key, with only the variables the CSL data schema
(``csl-data.json``) defines: ``id`` and ``type`` (required), ``title``, ``author`` as
``{family, given}`` names, ``issued`` as ``{"date-parts": [[year, month]]}``,
``container-title``, ``DOI``, ``URL``, ``abstract``, ``note`` (``arXiv:<id>``), and the
volume, issue, page, publisher details an imported BibTeX entry kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from paperlog.citekey import assign_citekeys, make_citekey, split_name, taken_citekeys
from paperlog.formats.bibtex import (
    EXTRA_KEY,
    latex_to_text,
    parse_authors,
    parse_names,
    select_papers,
)
from paperlog.model import Paper
from paperlog.months import MONTHS
from paperlog.venues import venue_kind

if TYPE_CHECKING:
    from paperlog.library import Library

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


def _is_preprint(paper: Paper) -> bool:
    label = (paper.venue_label or paper.venue or "").lower()
    return bool(paper.arxiv) and (not label or label.startswith("arxiv"))


def csl_type(paper: Paper) -> str:
    """The CSL item type: from the BibTeX entry type when imported, else from the venue kind.

    An arXiv paper with no other venue is a preprint, which CSL calls ``article``.
    """
    bib_type, _ = _bibtex(paper)
    if _is_preprint(paper):
        return "article"
    if bib_type in _BIB_TYPES:
        return _BIB_TYPES[bib_type]
    kind = venue_kind(paper.venue) if paper.venue else None
    if kind in ("conference", "workshop"):
        return "paper-conference"
    if kind == "journal":
        return "article-journal"
    if kind == "blog":
        return "post-weblog"
    if kind == "preprint" or paper.arxiv:
        return "article"
    if paper.kind in ("lecture", "talk"):
        return "speech"
    return "document"


def csl_name(name: str) -> dict[str, str]:
    """A CSL name: ``{"family": ..., "given": ...}``; a one-word name is a family name alone."""
    given, family = split_name(name)
    if not given or not family:
        return {"family": " ".join(name.split())}
    return {"family": family, "given": given}


def _csl_parts(given: str, family: str, suffix: str) -> dict[str, str]:
    name = {"family": family} if family else {"literal": given}
    if given and family:
        name["given"] = given
    if suffix:
        name["suffix"] = suffix
    return name


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
        raw = kept.get("author")
        if raw is not None and parse_authors(raw) == paper.authors:
            # The entry's own name parts beat guessing ("Sharif Razavian, Ali").
            item["author"] = [_csl_parts(*name) for name in parse_names(raw)]
        else:
            item["author"] = [csl_name(a) for a in paper.authors]
    if paper.year:
        parts = [paper.year]
        month = _month(kept["month"]) if "month" in kept else None
        if month:
            parts.append(month)
        item["issued"] = {"date-parts": [parts]}
    container = paper.venue_label or paper.venue
    if container and not _is_preprint(paper):
        item["container-title"] = container
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
    papers: Iterable[Paper], *, taken: set[str] | None = None
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
            citekey = make_citekey(paper, used)
            used.add(citekey.lower())
        items.append(paper_to_csl(paper, citekey))
    return items


def export_library_csljson(
    library: Library, query: str = "", status: str | None = None, *, write_back: bool = True
) -> tuple[list[dict[str, Any]], list[Paper]]:
    """CSL-JSON for the library's papers matching ``query``/``status``, and the papers that got
    a new citation key (saved with ``write_back``, so the ids stay stable)."""
    papers = library.load_papers()
    chosen = select_papers(papers, query, status)
    changed = assign_citekeys(chosen, taken_citekeys(papers))
    if changed and write_back:
        library.write_all(papers=changed)
    return export_csljson(chosen), changed
