"""What a metadata source answers: one ``Record`` per paper, and the ``Source`` protocol.

A record keeps the source's own words (``venue`` as the source spells it) next to what paperlog
makes of them (``venue_canonical``), so a caller merging several sources can show both.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from paperlog.ids import Identifier


@dataclass
class Record:
    """One paper as one source describes it."""

    source: str  # "arxiv" | "crossref" | "s2" | "dblp" | "openreview"
    title: str | None = None
    authors: list[str] = field(default_factory=list)  # "Given Family"; Author when parts known
    year: int | None = None  # of publication (journal_ref year for arXiv), not of deposit
    venue: str | None = None  # as the source names it (raw text)
    venue_short: str | None = None  # the source's own abbreviation ("Phys. Rev. B", "Sci Rep")
    venue_canonical: str | None = None  # via paperlog.venues.venue_from_source
    published: bool = False  # a peer-reviewed publication (not arXiv/CoRR)
    abstract: str | None = None
    ids: dict[str, str] = field(default_factory=dict)  # arxiv, doi, s2, dblp, openreview ...
    url: str | None = None
    kind: str | None = None  # the source's type: "proceedings-article", "preprint" ...
    entry_type: str | None = None  # paperlog's: "article", "inproceedings", ... (ENTRY_TYPES)
    preprint_year: int | None = None  # the year a preprint appeared (arXiv's "published")

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


class _PlainText(HTMLParser):
    """Text of a JATS/HTML fragment, read by the stdlib's HTML tokenizer.

    A tokenizer, not a pattern, because abstracts hold bare comparisons ("p < 0.001 ... p >
    0.7", "Omega_M <~ 1.5"): the tokenizer reads a ``<`` that opens no tag as text, where a
    ``<[^>]+>`` pattern would delete everything up to the next ``>``. Entities are decoded by
    the parser (``convert_charrefs``) after the markup is gone, so "&lt;" stays a character.
    """

    # Block elements end a sentence or paragraph: a space keeps words apart.
    _BLOCKS = frozenset({"p", "sec", "div", "br", "li", "list-item", "title", "label"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0  # depth inside a <jats:title>: "Abstract" is a heading, not text

    @staticmethod
    def _local(tag: str) -> str:
        return tag.rsplit(":", 1)[-1].lower()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = self._local(tag)
        if name == "title":
            self._skip += 1
        if name in self._BLOCKS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._local(tag) in self._BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        name = self._local(tag)
        if name == "title" and self._skip:
            self._skip -= 1
        if name in self._BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def markup_to_text(text: str) -> str:
    """Plain text of a JATS/HTML fragment: tags dropped by a real parser, then entities decoded.

    Text between a bare ``<`` and ``>`` that are not tags ("P(Lambda > 0)") is kept.
    """
    parser = _PlainText()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


def strip_markup(text: str | None) -> str | None:
    """Plain text of a JATS/HTML fragment (Crossref abstracts), entities decoded."""
    if text is None:
        return None
    return clean_text(markup_to_text(text))


def is_preprint_venue(venue: str | None) -> bool:
    """True for arXiv, CoRR and other preprint servers (not a peer-reviewed venue)."""
    return bool(venue) and bool(_PREPRINT_VENUES.match(venue or ""))


# Source types -> paperlog's entry types (model.ENTRY_TYPES). A preprint server's record is a
# preprint whatever type it claims: the caller checks ``published`` first.
ENTRY_TYPE_OF = {
    # Crossref
    "journal-article": "article",
    "proceedings-article": "inproceedings",
    "book-chapter": "incollection",
    "book-section": "incollection",
    "book-part": "incollection",
    "reference-entry": "incollection",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "posted-content": "preprint",
    "dissertation": "thesis",
    "report": "report",
    # Semantic Scholar publicationTypes
    "JournalArticle": "article",
    "Conference": "inproceedings",
    "Book": "book",
    "BookSection": "incollection",
    "Review": "article",
    # DBLP
    "Journal Articles": "article",
    "Conference and Workshop Papers": "inproceedings",
    "Parts in Books or Collections": "incollection",
    "Books and Theses": "book",
    "Informal and Other Publications": "preprint",
    # arXiv, OpenReview
    "preprint": "preprint",
    "conference-paper": "inproceedings",
    "submission": "preprint",
}
_PROCEEDINGS = re.compile(r"\b(proc(eedings|\.)?|conference|conf\.|workshop|symposium)\b", re.I)


def entry_type_of(kind: str | None, venue: str | None, published: bool) -> str | None:
    """paperlog's entry type for a source's type; "preprint" for unpublished work."""
    if not published:
        return "preprint" if kind is not None or venue is not None else None
    found = ENTRY_TYPE_OF.get(kind or "")
    if found is not None and found != "preprint":
        return found
    if venue and _PROCEEDINGS.search(venue):
        return "inproceedings"
    from paperlog.venues import venue_kind

    known = venue_kind(venue) if venue else None
    if known in ("conference", "workshop"):
        return "inproceedings"
    return "article" if venue else found


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
