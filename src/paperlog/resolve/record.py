"""What a metadata source answers: one ``Record`` per paper, and the ``Source`` protocol.

A record keeps the source's own words (``venue`` as the source spells it) next to what paperlog
makes of them (``venue_canonical``), so a caller merging several sources can show both.
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from paperlog.ids import Identifier


@dataclass
class Record:
    """One paper as one source describes it."""

    source: str  # "arxiv" | "crossref" | "s2" | "dblp" | "openreview"
    title: str | None = None
    authors: list[str] = field(default_factory=list)  # "Given Family"
    year: int | None = None
    venue: str | None = None  # as the source names it (raw text)
    venue_canonical: str | None = None  # via paperlog.venues.venue_from_source
    published: bool = False  # a peer-reviewed publication (not arXiv/CoRR)
    abstract: str | None = None
    ids: dict[str, str] = field(default_factory=dict)  # arxiv, doi, s2, dblp, openreview ...
    url: str | None = None
    kind: str | None = None  # the source's type: "proceedings-article", "preprint" ...

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (for ``--json`` output and the cache of merged results)."""
        return asdict(self)


class Source(Protocol):
    """A metadata source: looks papers up by identifier and searches them by title."""

    name: str

    def lookup(self, ident: Identifier) -> Record | None:
        """The record for ``ident``; None when this source cannot look up that kind of id.

        Raises ``NotFound`` when the source can look the id up but has no such paper, and
        ``NetworkError`` when it cannot be reached or answers badly.
        """
        ...

    def search(self, title: str, limit: int = 5) -> list[Record]:
        """Up to ``limit`` records whose title matches ``title``, best first (may be empty)."""
        ...


_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]+>")
# A JATS abstract often opens with <jats:title>Abstract</jats:title>: a heading, not text.
_JATS_TITLE = re.compile(r"<(?:jats:)?title>.*?</(?:jats:)?title>", re.DOTALL)
# Names of repositories of unreviewed work: a record whose venue is one of these is a preprint.
_PREPRINT_VENUES = re.compile(
    r"^\s*(arxiv(\.org)?|corr|biorxiv|medrxiv|ssrn|research ?square|preprints?)\b", re.IGNORECASE
)


def clean_text(text: Any) -> str | None:
    """Whitespace collapsed to single spaces; None for anything blank or not a string."""
    if not isinstance(text, str):
        return None
    text = _SPACE.sub(" ", text).strip()
    return text or None


def strip_markup(text: str | None) -> str | None:
    """Plain text of a JATS/HTML fragment (Crossref abstracts), entities decoded."""
    if text is None:
        return None
    text = _JATS_TITLE.sub(" ", text)
    return clean_text(html.unescape(_TAG.sub(" ", text)))


def is_preprint_venue(venue: str | None) -> bool:
    """True for arXiv, CoRR and other preprint servers (not a peer-reviewed venue)."""
    return bool(venue) and bool(_PREPRINT_VENUES.match(venue or ""))


def canonical_venue(venue: str | None) -> str | None:
    """The canonical venue name for a source's venue text, or None when unknown."""
    if not venue:
        return None
    from paperlog.venues import venue_from_source

    return venue_from_source(venue)


def plain_words(text: str) -> str:
    """``text`` as plain words for a search box: punctuation and hyphens become spaces.

    S2 finds nothing for hyphenated terms ("Self-Supervised"), and DBLP reads ``:`` and ``|``
    as query syntax; words alone match what the title means.
    """
    return " ".join(re.findall(r"[^\W_]+(?:'[^\W_]+)?", text))


def as_list(value: Any) -> list[Any]:
    """``value`` when it is a list, else empty: an API's odd shape is no answer, not a crash."""
    return value if isinstance(value, list) else []


def as_year(value: Any) -> int | None:
    """A year from an int or a digit string; None for anything else (booleans included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 10000 else None
    if isinstance(value, str) and value.strip().isdigit():
        return as_year(int(value.strip()))
    return None


def year_in(text: str | None) -> int | None:
    """The first plausible year (1900-2099) in ``text``, e.g. in "ICLR 2021 Oral"."""
    if not text:
        return None
    match = re.search(r"(?<!\d)(19|20)\d{2}(?!\d)", text)
    return int(match.group(0)) if match else None
