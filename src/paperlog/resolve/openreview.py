"""OpenReview API v2: ``/notes?id=FORUM`` for a submission, ``/notes/search?term=`` for a title.

OpenReview holds every submission, accepted or not; the ``venue`` field says which ("ICLR 2021
Oral" against "Submitted to ICLR 2021"), and only an accepted paper counts as published.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from paperlog.errors import NetworkError, NotFound
from paperlog.resolve.record import Record, canonical_venue, clean_text, year_in

if TYPE_CHECKING:
    from paperlog.ids import Identifier
    from paperlog.resolve.http import HttpClient

# Venue wording of a paper that was not (or not yet) accepted.
_UNPUBLISHED = re.compile(
    r"submitted|submission|withdrawn|rejected|under review|desk.reject", re.IGNORECASE
)


class OpenReviewSource:
    """api2.openreview.net, falling back to API v1 (``v1_url``) for venues still served there."""

    name = "openreview"

    def __init__(self, client: HttpClient, base_url: str, *, v1_url: str | None = None) -> None:
        self.client = client
        self.base_url = base_url
        self.v1_url = v1_url

    def _bases(self) -> list[str]:
        return [self.base_url] + ([self.v1_url] if self.v1_url else [])

    def lookup(self, ident: Identifier) -> Record | None:
        """The submission whose forum id is ``ident.value``; ``NotFound`` when there is none."""
        if ident.kind != "openreview":
            return None
        asked = []
        for base in self._bases():
            url = f"{base}/notes"
            asked.append(url)
            try:
                data = self.client.get_json(url, {"id": ident.value}, source=self.name)
            except NotFound:
                continue  # API v2 answers 404 for a note that lives in API v1
            notes = _notes(data, url)
            if notes:
                return note_to_record(notes[0])
        raise NotFound(f"openreview: no note with id {ident.value} ({', '.join(asked)})")

    def search(self, title: str, limit: int = 5) -> list[Record]:
        """Forum notes (submissions) matching ``title`` by OpenReview's full-text search.

        API v2 first; API v1 (when configured) fills the rest of ``limit``, so a paper from an
        older ICLR is found too. A note both APIs return is listed once.
        """
        if not title.strip():
            return []
        params = {
            "term": title,
            "type": "terms",
            "content": "all",
            "group": "all",
            "source": "forum",
            "limit": str(limit),
        }
        found: list[Record] = []
        for base in self._bases():
            if len(found) >= limit:
                break
            url = f"{base}/notes/search"
            try:
                notes = _notes(self.client.get_json(url, params, source=self.name), url)
            except NotFound:
                continue
            seen = {r.ids.get("openreview") for r in found}
            found.extend(
                r for n in notes if (r := note_to_record(n)).ids.get("openreview") not in seen
            )
        return found[:limit]


def _notes(data: Any, url: str) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or not isinstance(data.get("notes"), list):
        raise NetworkError(f"openreview: {url}: malformed response: no 'notes' list")
    return [n for n in data["notes"] if isinstance(n, dict)]


def field(content: dict[str, Any], name: str) -> Any:
    """A content field's value: API v2 wraps it as ``{"value": ...}``, API v1 does not."""
    raw = content.get(name)
    if isinstance(raw, dict) and "value" in raw:
        return raw["value"]
    return raw


def _text(content: dict[str, Any], name: str) -> str | None:
    value = field(content, name)
    return clean_text(value) if isinstance(value, str) else None


def _year(note: dict[str, Any], venue: str | None) -> int | None:
    if (year := year_in(venue)) is not None:
        return year
    for stamp in ("pdate", "odate", "cdate", "tcdate"):
        value = note.get(stamp)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            try:
                return datetime.fromtimestamp(value / 1000, tz=UTC).year
            except (OverflowError, OSError, ValueError):
                continue  # a timestamp no calendar holds: try the next one
    return None


def note_to_record(note: dict[str, Any]) -> Record:
    """One OpenReview note (a submission) as a Record."""
    content = note.get("content") if isinstance(note.get("content"), dict) else {}
    assert isinstance(content, dict)
    venue = _text(content, "venue")
    venueid = _text(content, "venueid") or ""
    authors = field(content, "authors")
    forum = note.get("forum") or note.get("id")
    ids = {"openreview": str(forum)} if forum else {}
    published = bool(venue) and not _UNPUBLISHED.search(venue or "")
    if venueid and _UNPUBLISHED.search(venueid):
        published = False
    return Record(
        source="openreview",
        title=_text(content, "title"),
        authors=[a for x in authors if isinstance(x, str) and (a := clean_text(x))]
        if isinstance(authors, list)
        else [],
        year=_year(note, venue),
        venue=venue,
        venue_canonical=canonical_venue(venue) if published else None,
        published=published,
        abstract=_text(content, "abstract"),
        ids=ids,
        url=f"https://openreview.net/forum?id={forum}" if forum else None,
        kind="conference-paper" if published else "submission",
        entry_type="inproceedings" if published else "preprint",
    )
