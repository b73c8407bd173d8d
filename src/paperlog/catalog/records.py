"""A catalog paper as an ingest source describes it (``CatalogRecord``), as its row stores it
(``row_values``, ``prepare``) and as a row reads back (``CatalogPaper``), with the rules that
tie two records to one paper (normalised title, its key, ``merge``).

No database here: ``paperlog.catalog.store`` opens the catalog and reads and writes its rows
with these; ``prepare`` is all the per-record work of an ingest that another process can do.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zlib
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from paperlog.query import FTS_COLUMNS, fold

if TYPE_CHECKING:
    import sqlite3


@dataclass
class CatalogRecord:
    """One paper as an ingest source describes it (before merging into the catalog)."""

    title: str
    authors: list[str] = field(default_factory=list)
    abstract: str = ""
    year: int | None = None
    date: str | None = None
    """Submission or publication day (YYYY-MM-DD) when known."""
    venue: str = ""
    """Canonical venue name ("CVPR"); empty for a preprint."""
    venue_label: str = ""
    """The badge as a README would write it ("CVPR 2019")."""
    categories: str = ""
    """arXiv categories, space separated ("cs.CV cs.LG")."""
    arxiv: str | None = None
    doi: str | None = None
    openreview: str | None = None
    url: str | None = None
    source: str = ""


@dataclass
class CatalogPaper(CatalogRecord):
    """A catalog row: a merged record with its row id and every source that listed it."""

    id: int = 0
    sources: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``--json``): absent identifiers are left out."""
        data = asdict(self)
        for name in ("arxiv", "doi", "openreview", "url", "date", "year"):
            if data[name] is None:
                del data[name]
        del data["source"]
        return data


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_title(title: str) -> str:
    """Lower-case ASCII letters and digits only: the key that finds one paper's versions."""
    if not title.isascii():
        title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return _NOT_ALNUM.sub("", title.lower())


def title_key(norm: str) -> int:
    """A normalised title as a signed 64-bit integer (8 bytes a row instead of ~70; a match
    is confirmed on the title itself, so a collision can never merge two papers)."""
    return int.from_bytes(
        hashlib.blake2b(norm.encode(), digest_size=8).digest(), "big", signed=True
    )


def pack_text(text: str) -> bytes:
    """An abstract as stored: zlib at its fastest level (half the size of English text)."""
    return zlib.compress(text.encode(), 1) if text else b""


def unpack_text(value: bytes | str | None) -> str:
    """The stored abstract as text."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    return zlib.decompress(value).decode()


def fts_row(rec: CatalogRecord) -> tuple[str, ...]:
    """The full-text columns (``FTS_COLUMNS``) of a record, as its index row holds them."""
    other = " ".join(x for x in (rec.arxiv, rec.doi, rec.openreview, rec.categories) if x)
    venue = " ".join(x for x in (rec.venue_label, rec.venue) if x)
    values = {
        "title": rec.title,
        "nickname": "",
        "venue": venue,
        "authors": "; ".join(rec.authors),
        "notes": "",
        "abstract": rec.abstract,
        "other": other,
    }
    return tuple(values[c] for c in FTS_COLUMNS)


def _keys(rec: CatalogRecord, norm: str) -> set[tuple[str, str | int]]:
    """What can tie a record to a catalog row: its ids and, for a long enough title, the
    normalised title's key (the same rule as ``Catalog._find``)."""
    keys: set[tuple[str, str | int]] = {
        (kind, value) for kind in ("arxiv", "doi", "openreview") if (value := getattr(rec, kind))
    }
    if norm:
        # A short title matches only its own source's row (see ``Catalog._find``); the key
        # sends it the careful way when a row shares it.
        keys.add(("title_key", title_key(norm)))
    return keys


def title_can_match(title: str, norm: str) -> bool:
    """True when a title is long enough to tie two sources' records to one paper."""
    # "Introduction", "Editorial": too short to say two records are one paper.
    return len(norm) >= 16 and len(title.split()) >= 3


ROW_FIELDS = (
    "arxiv",
    "doi",
    "openreview",
    "title_key",
    "title",
    "authors",
    "abstract",
    "year",
    "date",
    "venue",
    "venue_label",
    "venue_name",
    "badge",
    "categories",
    "url",
    "sources",
)


def row_values(rec: CatalogRecord, sources: list[str], norm: str | None = None) -> list[Any]:
    """A record's row as stored (``ROW_FIELDS``), listed by ``sources``."""
    values = {
        "arxiv": rec.arxiv,
        "doi": rec.doi,
        "openreview": rec.openreview,
        "title_key": title_key(normalise_title(rec.title) if norm is None else norm),
        "title": rec.title,
        "authors": json.dumps(rec.authors, ensure_ascii=False),
        "abstract": pack_text(rec.abstract),
        "year": rec.year,
        "date": rec.date,
        "venue": fold(rec.venue) if rec.venue else "",
        "venue_label": fold(rec.venue_label) if rec.venue_label else "",
        "venue_name": rec.venue,
        "badge": rec.venue_label,
        "categories": rec.categories,
        # The arXiv link is derived on reading, not stored three million times.
        "url": None if rec.arxiv and rec.url == f"https://arxiv.org/abs/{rec.arxiv}" else rec.url,
        "sources": json.dumps(sources),
    }
    return [values[name] for name in ROW_FIELDS]


Key = tuple[str, str | int]
"""What can tie a record to a row: ("arxiv" | "doi" | "openreview" | "title_key", value)."""
Prepared = tuple[tuple[Any, ...], tuple[Key, ...]]
"""A record made ready to merge: its row values (``ROW_FIELDS``) and its keys."""


def prepare(rec: CatalogRecord) -> Prepared:
    """A record as ``Catalog.upsert_prepared`` takes it: all the per-record work that needs no
    database (title key, compressed abstract, JSON), so another process can do it."""
    norm = normalise_title(rec.title)
    values = tuple(row_values(rec, [rec.source] if rec.source else [], norm))
    keys = [
        (kind, value) for kind in ("arxiv", "doi", "openreview") if (value := getattr(rec, kind))
    ]
    if norm:  # _keys' rule, with the key row_values computed (hashing twice costs ~3 us)
        keys.append(("title_key", values[ROW_FIELDS.index("title_key")]))
    return values, tuple(keys)


def record_from_values(values: tuple[Any, ...]) -> CatalogRecord:
    """The record a prepared row was made from (as far as merging can tell)."""
    row = dict(zip(ROW_FIELDS, values, strict=True))
    sources = json.loads(row["sources"])
    arxiv = row["arxiv"]
    return CatalogRecord(
        title=row["title"],
        authors=json.loads(row["authors"]),
        abstract=unpack_text(row["abstract"]),
        year=row["year"],
        date=row["date"],
        venue=row["venue_name"],
        venue_label=row["badge"],
        categories=row["categories"],
        arxiv=arxiv,
        doi=row["doi"],
        openreview=row["openreview"],
        url=row["url"] or (f"https://arxiv.org/abs/{arxiv}" if arxiv else None),
        source=sources[0] if sources else "",
    )


def paper_from_row(row: sqlite3.Row | tuple[Any, ...]) -> CatalogPaper:
    """A stored row (``SELECT *``) as a ``CatalogPaper``."""
    r: Any = row
    return CatalogPaper(
        id=int(r["id"]),
        title=r["title"],
        authors=json.loads(r["authors"]),
        abstract=unpack_text(r["abstract"]),
        year=r["year"],
        date=r["date"],
        venue=r["venue_name"],
        venue_label=r["badge"],
        categories=r["categories"],
        arxiv=r["arxiv"],
        doi=r["doi"],
        openreview=r["openreview"],
        url=r["url"] or (f"https://arxiv.org/abs/{r['arxiv']}" if r["arxiv"] else None),
        sources=json.loads(r["sources"]),
    )


def merge(old: CatalogPaper, rec: CatalogRecord) -> CatalogPaper | None:
    """``old`` with what ``rec`` adds; None when nothing changes (re-ingest is a no-op)."""
    new = CatalogPaper(**asdict(old))
    for name in ("arxiv", "doi", "openreview", "url", "date"):
        if getattr(new, name) is None and getattr(rec, name):
            setattr(new, name, getattr(rec, name))
    if len(rec.abstract) > len(new.abstract):
        new.abstract = rec.abstract
    if not new.authors and rec.authors:
        new.authors = rec.authors
    if rec.categories and not new.categories:
        new.categories = rec.categories
    # A published venue beats a preprint: the conference list names where it appeared.
    if rec.venue and not new.venue:
        new.venue, new.venue_label = rec.venue, rec.venue_label
        if rec.year:
            new.year = rec.year
    elif new.year is None and rec.year:
        new.year = rec.year
    if rec.source and rec.source not in new.sources:
        new.sources = [*new.sources, rec.source]
    return None if new == old else new
