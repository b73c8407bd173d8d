"""Re-import as a sync: what a README import brought in belongs to that README.

A README import marks what it brings in: every paper it creates gets ``origin: readme`` and a
``readme_digest`` (a short hash of everything paperlog itself may change in the paper: notes,
authors, abstract, topics, review state, readings logged with ``done``, ids from enrichment,
fields a user added), and every reading it logs gets ``origin: readme``. Re-importing a newer
version of the README then makes the library equal to a fresh import of that version, except
for what was added or changed in paperlog:

- the README's readings of a paper replace the readings an earlier import logged (matched by
  week number and theme group, never by start date); readings logged in paperlog are kept;
- an item the README no longer lists is removed when the earlier import made it and nothing was
  changed in paperlog since (its digest still matches); otherwise it stays as it is, and the
  report says so;
- a paper that was not made by a README import (``add``, BibTeX import, or a library imported
  before provenance was recorded) is never removed.

The digest is only ever recomputed while a paper is untouched, so once a user changed a paper
in paperlog it stays "touched" for good: a later re-import cannot remove their work.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from paperlog.model import Paper, Reading, Topic, WeekInfo

ORIGIN = "origin"
"""Front-matter field (paper and reading) naming what made it: ``readme`` for an import."""
README = "readme"
DIGEST = "readme_digest"
"""Front-matter field: hash of the paper's paperlog-owned parts when the import last wrote it."""
README_EXTRA = frozenset(
    {"tags", "rating", "minutes", "published", "readme_rest", "readme_line", ORIGIN, DIGEST}
)
"""Extra fields a README import fills (owned by the README, not by paperlog)."""


def is_readme_reading(reading: Reading) -> bool:
    """True for a reading a README import logged.

    Readings written before provenance was recorded carry no ``origin``; those without a day
    are the README's too (``done`` and ``add --read`` always record the day).
    """
    origin = reading.extra.get(ORIGIN)
    if origin is not None:
        return bool(origin == README)
    return reading.date is None


def _readme_ids(paper: Paper) -> set[tuple[str, str]]:
    from paperlog.formats.readme_import import ids_from_urls

    return set(ids_from_urls([paper.url or "", *(lk.url for lk in paper.links)]).items())


def _reading_data(reading: Reading) -> dict[str, Any]:
    return {
        "week": reading.week,
        "week_start": str(reading.week_start),
        "group": reading.group,
        "date": str(reading.date),
        "order": reading.order,
        "extra": reading.extra,
    }


def digest(paper: Paper) -> str:
    """A short hash of what paperlog (not the README) may change in ``paper``."""
    readme_ids = _readme_ids(paper)
    data = {
        "authors": paper.authors,
        "abstract": paper.abstract,
        "topics": paper.topics,
        "takeaways": paper.takeaways,
        "review": paper.review,
        "pinned": str(paper.pinned),
        "notes": paper.notes,
        "reading": paper.status == "reading",
        "ids": sorted(kv for kv in paper.ids.items() if kv not in readme_ids),
        "readings": [_reading_data(r) for r in paper.readings if not is_readme_reading(r)],
        "extra": {k: v for k, v in paper.extra.items() if k not in README_EXTRA},
    }
    blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()[:12]


def from_readme(paper: Paper) -> bool:
    """True when a README import made this paper."""
    return bool(paper.extra.get(ORIGIN) == README)


def touched(paper: Paper) -> bool:
    """True when the paper is not the README's alone: made elsewhere, or changed in paperlog."""
    if not from_readme(paper):
        return True
    return paper.extra.get(DIGEST) != digest(paper)


def mark_new(paper: Paper) -> None:
    """Record that a README import made ``paper`` (and its readings) now."""
    for reading in paper.readings:
        reading.extra[ORIGIN] = README
    paper.extra[ORIGIN] = README
    paper.extra[DIGEST] = digest(paper)


def _place(paper: Paper) -> str:
    """Where a paper stands, for the diff: its README readings' weeks, or the wish-list."""
    weeks = [
        f"Wk{r.week}"
        if r.week is not None
        else (r.extra.get("period") or r.extra.get("section") or str(r.week_start))
        for r in paper.readings
        if is_readme_reading(r)
    ]
    if weeks:
        return ", ".join(str(w) for w in weeks)
    if paper.status == "wish":
        return f"wish-list ({paper.wish_group})" if paper.wish_group else "wish-list"
    return paper.status


def _same_reading(a: Reading, b: Reading) -> bool:
    """A paperlog reading the README now lists too: same week number, same or no group."""
    if a.week is None or a.week != b.week:
        return False
    return a.group is None or b.group is None or a.group == b.group


@dataclass
class SyncDiff:
    """What a re-import changes, item by item (``import readme --dry-run`` shows it)."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    """Items no longer in the README but changed in paperlog: kept."""
    moved: list[dict[str, str]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)


_COMPARED = (
    "title",
    "nickname",
    "kind",
    "year",
    "venue",
    "venue_label",
    "url",
    "links",
    "track",
    "wish_group",
    "rank",
    "notes",
    "authors",
)


def sync_paper(existing: Paper, new: Paper, diff: SyncDiff) -> Paper:
    """``existing`` made equal to what the README now says of it, paperlog's changes kept."""
    was_touched = touched(existing)
    out = dataclasses.replace(
        existing,
        authors=list(existing.authors),
        topics=list(existing.topics),
        takeaways=list(existing.takeaways),
        review=copy.deepcopy(existing.review),
        readings=[],
        extra={},
    )
    out.title, out.nickname, out.kind = new.title, new.nickname, new.kind
    out.links, out.track = new.links, new.track
    if was_touched:  # paperlog's metadata (an enriched year, venue, url) is kept
        out.url = new.url or existing.url
        out.venue_label = new.venue_label or existing.venue_label
        out.venue = new.venue if new.venue is not None else existing.venue
        out.year = new.year if new.year is not None else existing.year
        out.track = new.track or existing.track
        out.authors = out.authors or new.authors
        out.notes = existing.notes or new.notes
    else:
        out.url, out.venue_label, out.venue, out.year = (
            new.url,
            new.venue_label,
            new.venue,
            new.year,
        )
        out.authors, out.notes = list(new.authors), new.notes
    out.ids = {**existing.ids, **new.ids}
    own = [copy.deepcopy(r) for r in existing.readings if not is_readme_reading(r)]
    fresh: list[Reading] = []
    for reading in new.readings:
        twin = next((r for r in own if _same_reading(r, reading)), None)
        if twin is not None:  # logged with done, then written into the README: one reading
            twin.group, twin.order = reading.group or twin.group, reading.order
            continue
        reading.extra[ORIGIN] = README
        fresh.append(reading)
    out.readings = [*fresh, *own]
    if out.readings:
        out.status, out.wish_group, out.rank = "read", None, None
    else:
        out.status = existing.status if existing.status == "reading" else new.status
        out.wish_group, out.rank = new.wish_group, new.rank
    kept_extra = {k: v for k, v in existing.extra.items() if k not in README_EXTRA}
    out.extra = {**copy.deepcopy(kept_extra), **new.extra}
    if from_readme(existing):
        out.extra[ORIGIN] = README
        # a touched paper keeps its old digest: it stays touched for good
        out.extra[DIGEST] = existing.extra.get(DIGEST) if was_touched else digest(out)
        if out.extra[DIGEST] is None:
            del out.extra[DIGEST]
    _note_diff(existing, out, diff)
    return out


def _note_diff(old: Paper, new: Paper, diff: SyncDiff) -> None:
    before, after = _place(old), _place(new)
    groups_before = [(r.week, r.group) for r in old.readings if is_readme_reading(r)]
    groups_after = [(r.week, r.group) for r in new.readings if is_readme_reading(r)]
    if before != after or groups_before != groups_after:
        diff.moved.append({"key": old.key, "from": before, "to": after})
    fields = [name for name in _COMPARED if getattr(old, name) != getattr(new, name)]
    if fields:
        diff.changed.append({"key": old.key, "fields": fields})


def drop_from_readme(paper: Paper) -> Paper | None:
    """A paper the README no longer lists: None (remove it) when only the README made it,
    else the paper as it is (kept whole, readings included: the user's work on it wins, and
    the report names it so they can restore the line or remove the item)."""
    return paper if touched(paper) else None


def sync_weeks(
    existing: list[WeekInfo], parsed: list[WeekInfo], papers: list[Paper]
) -> list[WeekInfo]:
    """The README's weeks, plus earlier weeks a kept reading still names."""
    numbers = {w.week for w in parsed}
    named = {r.week for p in papers for r in p.readings if r.week is not None}
    kept = [w for w in existing if w.week not in numbers and w.week in named]
    return sorted([*parsed, *kept], key=lambda w: -w.week)


def sync_topics(existing: list[Topic], parsed: list[Topic], papers: list[Paper]) -> list[Topic]:
    """The README's topic legend, plus earlier topics a paper still uses (so it still loads)."""
    if not parsed:
        return existing
    codes = {t.code for t in parsed}
    used = {code for p in papers for code in p.topics}
    return [*parsed, *(t for t in existing if t.code not in codes and t.code in used)]
