"""Merge what several metadata sources say about one paper into one answer.

Precedence (the same whatever order the records arrive in; records are first put in a fixed
order by source rank, then by content, so every choice below is a pure function of the set):

- ``ids``: the union of every record's identifiers. When two sources disagree on one kind
  (two DOIs), the higher-ranked source's value is kept and the clash is listed in ``conflicts``;
  within one source a published record's value beats a preprint's.
- ``title``: a published source's title (Crossref, then DBLP, then Semantic Scholar, then
  OpenReview) over arXiv's; inline markup (``<i>``, ``<sub>``) dropped, whitespace collapsed,
  DBLP's closing period removed.
- ``authors``: the most complete list: the most names, then the longest names (full given names
  over initials), then source rank.
- ``venue`` and ``year``: a published record (``Record.published``) always beats a preprint, so
  SimCLR (arXiv 2002.05709, published at ICML 2020) merges to venue ICML, year 2020. Among
  published records one whose venue paperlog recognises (``venue_canonical``) beats one it
  cannot name, then the source rank decides. The year comes from the record that gave a
  published venue when it has one, else from the best record that has a year (published
  records first, then source rank).
  The venue is kept as the winning source names it (``venue_raw``, its abbreviation
  ``venue_short``); ``venue`` is paperlog's canonical short name only where the venue table
  knows one. The year is the publication year (Crossref ``issued``, arXiv's journal
  reference); ``preprint_year`` is arXiv's submission year when it differs.
- ``entry_type``: the venue winner's (article, inproceedings, ...); "preprint" when nothing
  published was found.
- ``abstract``: arXiv, then Semantic Scholar, then OpenReview, then Crossref (whose abstracts
  are JATS XML, stripped of tags), then DBLP.
- ``url``: the arXiv abstract page when there is an arXiv id (free to read), else the DOI link,
  else the best-ranked record's own URL.

``provenance`` says which source gave each field, so ``add`` and ``enrich`` can report it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from paperlog.model import Author
from paperlog.resolve.record import Record

# Lower is better. Published-metadata sources first: their titles and venues are the record of
# what was published; arXiv is the preprint.
TITLE_RANK = ("crossref", "dblp", "s2", "openreview", "arxiv")
VENUE_RANK = ("crossref", "dblp", "s2", "openreview", "arxiv")
ABSTRACT_RANK = ("arxiv", "s2", "openreview", "crossref", "dblp")
IDS_RANK = ("arxiv", "crossref", "dblp", "s2", "openreview")

MERGED_FIELDS = ("title", "authors", "year", "venue", "abstract", "url", "kind")


@dataclass
class Merged:
    """One paper as the sources together describe it, with where each field came from."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    venue: str | None = None
    """Canonical venue name ("ICML", or "arXiv" for a preprint); None when not recognised."""
    venue_raw: str | None = None
    """The venue as the winning source spelled it ("Proceedings of the 37th ICML")."""
    venue_short: str | None = None
    """The winning source's abbreviation of it ("Phys. Rev. B"), when it gives one."""
    entry_type: str | None = None
    """What was published (``model.ENTRY_TYPES``): "article", "inproceedings", "preprint"..."""
    preprint_year: int | None = None
    """The year the preprint appeared, when it differs from ``year``."""
    published: bool = False
    abstract: str | None = None
    ids: dict[str, str] = field(default_factory=dict)
    url: str | None = None
    kind: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)
    """Field name -> source name, e.g. ``{"venue": "dblp", "abstract": "arxiv"}``."""
    sources: list[str] = field(default_factory=list)
    """The sources that answered, in rank order, without repeats."""
    conflicts: list[str] = field(default_factory=list)
    """Identifier clashes between sources, as readable lines."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``add --json``)."""
        return {
            "title": self.title,
            "authors": list(self.authors),
            "year": self.year,
            "venue": self.venue,
            "venue_raw": self.venue_raw,
            "venue_short": self.venue_short,
            "entry_type": self.entry_type,
            "preprint_year": self.preprint_year,
            "published": self.published,
            "abstract": self.abstract,
            "ids": dict(self.ids),
            "url": self.url,
            "kind": self.kind,
            "provenance": dict(self.provenance),
            "sources": list(self.sources),
            "conflicts": list(self.conflicts),
        }


def _rank(order: tuple[str, ...], source: str) -> int:
    return order.index(source) if source in order else len(order)


def _content_key(record: Record) -> str:
    # A total order among records of one source, so ties never depend on arrival order.
    return json.dumps(record.to_dict(), sort_keys=True, ensure_ascii=False, default=str)


def _ordered(records: list[Record], order: tuple[str, ...]) -> list[Record]:
    # Within one source a published record comes first: DBLP lists the ICML paper and its CoRR
    # preprint as two records, and the ICML one's ids and title are the ones to keep.
    return sorted(
        records,
        key=lambda r: (_rank(order, r.source), r.source, not r.published, _content_key(r)),
    )


# Inline markup publishers leave in titles (Crossref: "Deep <i>Residual</i> Learning").
_INLINE_TAG = re.compile(
    r"</?(?:i|b|em|strong|u|sub|sup|scp|tt|span|mml:[a-z]+)(?:\s[^>]*)?>", re.IGNORECASE
)


def _clean_title(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = " ".join(_INLINE_TAG.sub("", text).split()).rstrip(".")
    return cleaned or None


def clean_abstract(text: str | None) -> str | None:
    """An abstract as plain text: whitespace collapsed, a leading "Abstract" heading dropped.

    Markup is not touched here: each source hands over plain text (Crossref's JATS goes
    through ``record.strip_markup``'s HTML parser). arXiv's abstracts are plain text in which
    "<" and ">" are comparisons ("P(Lambda > 0) = 99%"), so no tag pattern may run over them.
    """
    if text is None:
        return None
    # Crossref abstracts often open with a bare "Abstract" heading left from the JATS title.
    plain = " ".join(text.split())
    plain = re.sub(r"^abstract[:.]?\s+", "", plain, flags=re.IGNORECASE)
    return plain or None


def _authors_key(record: Record) -> tuple[int, int, int, str, str]:
    names = [" ".join(a.split()) for a in record.authors if a.strip()]
    return (
        -len(names),
        -sum(len(n) for n in names),
        _rank(TITLE_RANK, record.source),
        record.source,
        _content_key(record),
    )


def _norm_id(kind: str, value: str) -> str:
    return value.strip().lower() if kind == "doi" else value.strip()


def merge_records(records: list[Record]) -> Merged:
    """Merge records about one paper following the module's documented precedence.

    The result does not depend on the order of ``records``. An empty list gives an empty
    ``Merged`` (no title), which callers treat as "nothing found".
    """
    merged = Merged()
    if not records:
        return merged
    merged.sources = list(dict.fromkeys(r.source for r in _ordered(records, TITLE_RANK)))

    for record in _ordered(records, TITLE_RANK):
        title = _clean_title(record.title)
        if title:
            merged.title = title
            merged.provenance["title"] = record.source
            break

    with_authors = [r for r in records if any(a.strip() for a in r.authors)]
    if with_authors:
        best = min(with_authors, key=_authors_key)
        # A name another source gives with its parts (Crossref's family "Del Maestro") keeps
        # them: the display strings agree, only one of the sources knows where to split.
        parts = {str(a): a for r in records for a in r.authors if isinstance(a, Author)}
        merged.authors = [
            a if isinstance(a, Author) else parts.get(" ".join(a.split()), " ".join(a.split()))
            for a in best.authors
            if a.strip()
        ]
        merged.provenance["authors"] = best.source

    _merge_venue_year(records, merged)

    for record in _ordered(records, ABSTRACT_RANK):
        abstract = clean_abstract(record.abstract)
        if abstract:
            merged.abstract = abstract
            merged.provenance["abstract"] = record.source
            break

    id_source: dict[str, str] = {}
    for record in _ordered(records, IDS_RANK):
        for kind, value in sorted(record.ids.items()):
            if not value:
                continue
            if kind not in merged.ids:
                merged.ids[kind] = value
                id_source[kind] = record.source
            elif id_source[kind] != record.source and _norm_id(kind, merged.ids[kind]) != _norm_id(
                kind, value
            ):
                # Two records of one source may differ (a preprint and its published version
                # under two DBLP keys): only sources that contradict each other are reported.
                merged.conflicts.append(
                    f"{kind}: {id_source[kind]} says {merged.ids[kind]}, "
                    f"{record.source} says {value}"
                )
    merged.ids = dict(sorted(merged.ids.items()))
    if merged.ids:
        merged.provenance["ids"] = ",".join(sorted(set(id_source.values())))

    _merge_url(records, merged, id_source)

    for record in _ordered(records, VENUE_RANK):
        if record.kind:
            merged.kind = record.kind
            merged.provenance["kind"] = record.source
            break
    return merged


def _merge_venue_year(records: list[Record], merged: Merged) -> None:
    """Venue and year: published beats preprint, then source rank (see the module doc)."""
    # (not published) sorts False first, so every published record comes before any preprint;
    # among those, one whose venue paperlog recognises beats one it cannot name (a series title
    # such as "Lecture Notes in Computer Science").
    by_venue = sorted(
        records,
        key=lambda r: (
            not r.published,
            r.venue_canonical is None,
            _rank(VENUE_RANK, r.source),
            r.source,
            _content_key(r),
        ),
    )
    winner: Record | None = None
    for record in by_venue:
        if record.venue_canonical or record.venue:
            winner = record
            break
    if winner is not None:
        merged.venue = winner.venue_canonical
        merged.venue_raw = winner.venue
        merged.venue_short = winner.venue_short
        merged.published = winner.published
        merged.provenance["venue"] = winner.source
    merged.entry_type = _entry_type(records, winner)
    if merged.entry_type is not None:
        merged.provenance["entry_type"] = (
            winner.source if winner else _entry_type_source(records, merged.entry_type)
        )
    # The venue's own year when the venue is a publication; otherwise a published record's
    # year still beats a preprint's (by_venue puts published records first).
    preprint = min((r.preprint_year for r in records if r.preprint_year is not None), default=None)
    if preprint is None:
        preprint = min(
            (r.year for r in records if not r.published and r.year is not None), default=None
        )
    if winner is not None and winner.published and winner.year is not None:
        merged.year = winner.year
        merged.provenance["year"] = winner.source
    else:
        for record in by_venue:
            if record.year is not None:
                merged.year = record.year
                merged.provenance["year"] = record.source
                break
    if preprint is not None and merged.year is not None and preprint != merged.year:
        merged.preprint_year = preprint


def _entry_type(records: list[Record], winner: Record | None) -> str | None:
    """The published version's type; "preprint" when only preprints answered."""
    if winner is not None and winner.published and winner.entry_type:
        return winner.entry_type
    published = [r for r in _ordered(records, VENUE_RANK) if r.published and r.entry_type]
    if published:
        return published[0].entry_type
    if any(r.entry_type == "preprint" or r.ids.get("arxiv") for r in records):
        return "preprint"
    return next((r.entry_type for r in _ordered(records, VENUE_RANK) if r.entry_type), None)


def _entry_type_source(records: list[Record], entry_type: str) -> str:
    """The source whose record gave ``entry_type``, the same whatever order records came in."""
    ordered = _ordered(records, VENUE_RANK)
    for record in ordered:
        if record.entry_type == entry_type or (
            entry_type == "preprint" and record.ids.get("arxiv")
        ):
            return record.source
    return ordered[0].source


def _merge_url(records: list[Record], merged: Merged, id_source: dict[str, str]) -> None:
    from paperlog.ids import arxiv_url, doi_url

    if merged.ids.get("arxiv"):
        merged.url = arxiv_url(merged.ids["arxiv"])
        merged.provenance["url"] = id_source["arxiv"]
        return
    if merged.ids.get("doi"):
        merged.url = doi_url(merged.ids["doi"])
        merged.provenance["url"] = id_source["doi"]
        return
    for record in _ordered(records, VENUE_RANK):
        if record.url:
            merged.url = record.url
            merged.provenance["url"] = record.source
            return
