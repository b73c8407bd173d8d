"""Crossref REST API: ``/works/{doi}`` for a DOI, ``/works?query.bibliographic=`` for a title.

Crossref knows what publishers registered: journal and proceedings DOIs, the container title
(journal or proceedings name), dates, and often a JATS abstract.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from paperlog.errors import NetworkError
from paperlog.ids import normalize_doi
from paperlog.resolve.record import (
    ENTRY_TYPE_OF,
    Record,
    as_list,
    as_year,
    canonical_venue,
    clean_text,
    entry_type_of,
    is_preprint_venue,
    strip_markup,
    year_in,
)

if TYPE_CHECKING:
    from paperlog.ids import Identifier
    from paperlog.resolve.http import HttpClient

# Crossref "type" values that are peer-reviewed (or at least editorially published) work.
PUBLISHED_TYPES = frozenset(
    {
        "journal-article",
        "proceedings-article",
        "book-chapter",
        "book",
        "monograph",
        "edited-book",
        "reference-book",
        "reference-entry",
        "book-section",
        "book-part",
    }
)
# The fields a search asks for: a work with its reference list can run to hundreds of kB.
SEARCH_SELECT = ",".join(
    [
        "DOI",
        "title",
        "author",
        "container-title",
        "short-container-title",
        "event",
        "type",
        "URL",
        "abstract",
        "published-print",
        "published-online",
        "issued",
        "created",
    ]
)
ARXIV_DOI_PREFIX = "10.48550/"
# Which date a year comes from: ``issued`` is Crossref's publication date (the earlier of print
# and online). ``created`` is when the DOI was deposited, not when the work appeared (a 2003
# workshop paper deposited in 2004): never a publication year.
DATE_FIELDS = ("issued", "published", "published-print", "published-online")


class CrossrefSource:
    """api.crossref.org (or a mirror / replay server at ``base_url``)."""

    name = "crossref"

    def __init__(self, client: HttpClient, base_url: str) -> None:
        self.client = client
        self.base_url = base_url

    def lookup(self, ident: Identifier) -> Record | None:
        """The work registered under a DOI; ``NotFound`` when Crossref does not know it."""
        if ident.kind != "doi" or ident.value.lower().startswith(ARXIV_DOI_PREFIX):
            return None  # arXiv's DOIs are registered with DataCite: Crossref has none of them
        url = f"{self.base_url}/works/{quote(ident.value, safe='/')}"
        data = self.client.get_json(url, source=self.name)
        message = _message(data, url)
        if not isinstance(message, dict):
            raise NetworkError(f"crossref: {url}: malformed response: 'message' is not a work")
        return work_to_record(message)

    def search(self, title: str, limit: int = 5) -> list[Record]:
        """Works whose bibliographic metadata best matches ``title``, Crossref's ranking."""
        if not title.strip():
            return []
        url = f"{self.base_url}/works"
        params = {"query.bibliographic": title, "rows": str(limit), "select": SEARCH_SELECT}
        data = self.client.get_json(url, params, source=self.name)
        message = _message(data, url)
        items = message.get("items") if isinstance(message, dict) else None
        if not isinstance(items, list):
            raise NetworkError(f"crossref: {url}: malformed response: no 'items' list")
        return [work_to_record(item) for item in items[:limit] if isinstance(item, dict)]


def _message(data: Any, url: str) -> Any:
    if not isinstance(data, dict) or "message" not in data:
        raise NetworkError(f"crossref: {url}: malformed response: no 'message' object")
    return data["message"]


def _first(value: Any) -> str | None:
    """Crossref wraps most strings in lists: the first non-blank one."""
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str) and item.strip():
                return clean_text(item)
        return None
    return clean_text(value) if isinstance(value, str) else None


def work_year(work: dict[str, Any]) -> int | None:
    """The publication year: the first date field present (issued, published, print, online),
    else the year the proceedings or event name carries ("... Workshops, 2003")."""
    for name in DATE_FIELDS:
        date = work.get(name)
        parts = date.get("date-parts") if isinstance(date, dict) else None
        rows = as_list(parts)
        first = as_list(rows[0]) if rows else []
        if first and (year := as_year(first[0])) is not None:
            return year
    event = work.get("event")
    for text in (
        _first(work.get("container-title")),
        clean_text(event.get("name")) if isinstance(event, dict) else None,
    ):
        if (year := year_in(text)) is not None:
            return year
    return None


def _author_name(author: dict[str, Any]) -> str | None:
    from paperlog.model import Author

    given = clean_text(author.get("given"))
    family = clean_text(author.get("family"))
    orcid = clean_text(author.get("ORCID"))
    if family:
        # Crossref's family is the family as the person writes it ("Del Maestro"): kept whole.
        return Author(
            family,
            given or "",
            suffix=clean_text(author.get("suffix")) or "",
            orcid=orcid.rsplit("/", 1)[-1] if orcid else None,
        )
    return given or clean_text(author.get("name"))


def work_to_record(work: dict[str, Any]) -> Record:
    """One Crossref work ("message" of /works/{doi}, or an item of a search) as a Record."""
    kind = work.get("type") if isinstance(work.get("type"), str) else None
    short = _first(work.get("short-container-title"))
    venue = _first(work.get("container-title")) or short
    if venue is None and isinstance(work.get("event"), dict):
        venue = clean_text(work["event"].get("name"))
    published = kind in PUBLISHED_TYPES and not is_preprint_venue(venue)
    doi = normalize_doi(str(work.get("DOI") or ""))
    ids = {"doi": doi} if doi else {}
    authors = [
        name
        for a in as_list(work.get("author"))
        if isinstance(a, dict) and (name := _author_name(a)) is not None
    ]
    abstract = work.get("abstract")
    url = work.get("URL") if isinstance(work.get("URL"), str) else None
    return Record(
        source="crossref",
        title=strip_markup(_first(work.get("title"))),
        authors=authors,
        year=work_year(work),
        venue=venue,
        venue_short=short,
        venue_canonical=canonical_venue(venue) or canonical_venue(short),
        published=published,
        abstract=strip_markup(abstract) if isinstance(abstract, str) else None,
        ids=ids,
        url=url or (f"https://doi.org/{doi}" if doi else None),
        kind=kind,
        entry_type=entry_type_of(kind, venue, published)
        if kind in PUBLISHED_TYPES or kind == "posted-content"
        else ENTRY_TYPE_OF.get(kind or ""),
    )
