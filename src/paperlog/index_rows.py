"""A paper as the index stores it: its JSON (``paper_to_json``/``paper_from_json``) and the
row of filter, plan and stats columns derived from it (``paper_row_values``).

Kept apart from ``paperlog.index`` (which opens, syncs and reads the index); what a row holds
is described in ``paperlog.index_schema``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from paperlog.errors import PaperlogError
from paperlog.index_fresh import CELL_SEP
from paperlog.index_schema import FILTER_COLUMNS
from paperlog.model import Link, Paper, Reading
from paperlog.names import author_from_data, authors_to_data
from paperlog.query import filter_values
from paperlog.views import paper_row


def _enc(value: Any) -> Any:
    """Free-form YAML values (``extra``, ``review``) as JSON, types tagged so they come back."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, list):
        return [_enc(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _enc(v) for k, v in value.items()}
        return {"$map": [[_enc(k), _enc(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"$tuple": [_enc(v) for v in value]}
    if isinstance(value, set | frozenset):
        return {"$set": [_enc(v) for v in value]}
    if isinstance(value, bytes):
        import base64

        return {"$bytes": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"cannot store a {type(value).__name__} in the index")


def _dec(value: Any) -> Any:
    if not value:  # the common case: no extra fields, no review state
        return value
    if isinstance(value, list):
        return [_dec(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$datetime":
            return datetime.fromisoformat(inner)
        if tag == "$date":
            return date.fromisoformat(inner)
        if tag == "$map":
            return {_dec(k): _dec(v) for k, v in inner}
        if tag == "$tuple":
            return tuple(_dec(v) for v in inner)
        if tag == "$set":
            return {_dec(v) for v in inner}
        if tag == "$bytes":
            import base64

            return base64.b64decode(inner)
    return {k: _dec(v) for k, v in value.items()}


def iso_or_none(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def date_or_none(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


def paper_to_json(paper: Paper) -> str:
    """The exact JSON form of a paper (dates as ISO strings); ``paper_from_json`` inverts it."""
    data = {
        "key": paper.key,
        "title": paper.title,
        "kind": paper.kind,
        "nickname": paper.nickname,
        "status": paper.status,
        "authors": authors_to_data(paper.authors),
        "year": paper.year,
        "preprint_year": paper.preprint_year,
        "entry_type": paper.entry_type,
        "venue": paper.venue,
        "container": paper.container,
        "venue_label": paper.venue_label,
        "ids": paper.ids,
        "url": paper.url,
        "links": [[link.label, link.url] for link in paper.links],
        "track": paper.track,
        "topics": paper.topics,
        "wish_group": paper.wish_group,
        "rank": paper.rank,
        "readings": [
            [
                iso_or_none(r.week_start),
                iso_or_none(r.date),
                r.week,
                r.group,
                r.order,
                _enc(r.extra),
            ]
            for r in paper.readings
        ],
        "citekey": paper.citekey,
        "aliases": paper.aliases,
        "abstract": paper.abstract,
        "added": iso_or_none(paper.added),
        "takeaways": paper.takeaways,
        "review": _enc(paper.review),
        "pinned": iso_or_none(paper.pinned),
        "extra": _enc(paper.extra),
        "notes": paper.notes,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def paper_from_json(text: str) -> Paper:
    """Rebuild the ``Paper`` that ``paper_to_json`` wrote."""
    d = json.loads(text)
    return Paper(
        key=d["key"],
        title=d["title"],
        kind=d["kind"],
        nickname=d["nickname"],
        status=d["status"],
        authors=[a for a in map(author_from_data, d["authors"]) if a is not None],
        year=d["year"],
        preprint_year=d.get("preprint_year"),
        entry_type=d.get("entry_type"),
        venue=d["venue"],
        container=d.get("container"),
        venue_label=d["venue_label"],
        ids=d["ids"],
        url=d["url"],
        links=[Link(label, url) for label, url in d["links"]],
        track=d["track"],
        topics=d["topics"],
        wish_group=d["wish_group"],
        rank=d["rank"],
        readings=[
            Reading(
                week=week,
                week_start=date_or_none(start),
                group=group,
                date=date_or_none(day),
                order=order,
                extra=_dec(extra),
            )
            for start, day, week, group, order, extra in d["readings"]
        ],
        citekey=d["citekey"],
        aliases=d.get("aliases", []),
        abstract=d["abstract"],
        added=date_or_none(d["added"]),
        takeaways=d["takeaways"],
        review=_dec(d["review"]),
        pinned=date_or_none(d["pinned"]),
        extra=_dec(d["extra"]),
        notes=d["notes"],
    )


# --- the index ---------------------------------------------------------------------------------


def _recency(paper: Paper) -> tuple[str, int, int]:
    """(last reading day, its week, its order) for the "newest reading first" order."""
    best = ("", -1, 0)
    for r in paper.readings:
        day = r.date or r.week_start
        cand = (day.isoformat() if day else "", r.week if r.week is not None else -1, r.order)
        if cand[:2] > best[:2]:
            best = cand
    return best


def paper_row_values(paper: Paper, path: str, stat: os.stat_result, sha1: str) -> tuple[Any, ...]:
    values = filter_values(paper)
    last_read, last_week, last_order = _recency(paper)
    return (
        paper.key,
        path,
        stat.st_mtime_ns,
        stat.st_size,
        sha1,
        *(values[c] for c in FILTER_COLUMNS),
        last_read,
        last_week,
        last_order,
        paper.rank,
        paper.track,
        iso_or_none(paper.pinned),
        # the plan's "skipped:" days (plan.schedule.SKIPPED_KEY): such an item leaves the
        # queue's order on those days, so Index.waiting always includes it
        int("skipped" in paper.extra),
        # what a table of search hits shows (views.paper_row, as text): printing hits reads
        # this column instead of decoding each paper's JSON
        join_cells(paper_row(paper)),
        *stats_values(paper),
    )


REVIEW_UNREADABLE = "!"
"""``review_due`` of a paper whose ``review:`` mapping is not a valid card: ``stats`` then
takes the path that reports the error (``plan.review.card_of``)."""


def stats_values(paper: Paper) -> tuple[Any, ...]:
    """The ``STATS_COLUMNS`` of a paper: its ``added`` day, whether it has a wish-list
    heading, its first reading's day (``plan.review.first_read_on``), how many readings, whether
    it has takeaways to review, its card's due day in UTC (what ``review`` compares at noon UTC
    of a ``--date``), and venue, badge and topics (once each) as written."""
    from paperlog.plan.review import card_of, first_read_on, takeaways_of

    due: str | None = None
    if paper.review and paper.review.get("due") is not None:
        try:
            card = card_of(paper)
        except (PaperlogError, ValueError, TypeError):
            due = REVIEW_UNREADABLE
        else:
            assert card is not None
            moment = card.due if card.due.tzinfo else card.due.replace(tzinfo=UTC)
            due = moment.astimezone(UTC).date().isoformat()
    return (
        iso_or_none(paper.added),
        int(bool(paper.wish_group)),
        iso_or_none(first_read_on(paper)),
        len(paper.readings),
        int(bool(takeaways_of(paper))),
        due,
        paper.venue,
        paper.venue_label,
        json.dumps(list(dict.fromkeys(paper.topics)), ensure_ascii=False),
    )


def join_cells(cells: Sequence[Any]) -> str:
    # A separator inside a cell (a control character no title needs) is shown as a space.
    return CELL_SEP.join(str(cell).replace(CELL_SEP, " ") for cell in cells)
