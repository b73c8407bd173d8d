"""Changes the plan makes to the library: log a reading, start, skip, and reorder the queue.

Each function loads what it needs, checks everything first, then writes the whole change in
one batch (``Library.write_all``) under the library lock, so bad input leaves the library as
it was. What a change needs to know of the other papers (which weeks exist, the queue's
ranks) comes from the index with SQL, and only the files that change are written: ``done``
writes the paper's file (and ``weeks.yaml`` when the week is new or gains a heading), a queue
move writes the moved paper's file alone (gapped ranks, ``RANK_GAP``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from paperlog.errors import NotFound, ValidationError
from paperlog.library import weeks_to_yaml
from paperlog.model import Paper, Plan, Reading, WeekInfo
from paperlog.plan.calendar import (
    check_plan,
    is_reading_day,
    known_weeks,
    week_for_date,
    week_start_of,
)
from paperlog.plan.ranks import RANK_GAP, next_rank, remap_slots
from paperlog.plan.schedule import SKIPPED_KEY, Suggestion, skipped_days, suggest_today

if TYPE_CHECKING:
    from paperlog.index import Index
    from paperlog.library import Library


@dataclass
class Logged:
    """What ``done`` wrote: the paper, its new reading, and the week it went into."""

    paper: Paper
    reading: Reading
    week: WeekInfo
    new_week: bool


def _find(papers: list[Paper], key: str) -> Paper:
    for paper in papers:
        if paper.key == key:
            return paper
    raise NotFound(f"no paper with key {key!r}")


def _renumber(queue: list[Paper]) -> list[Paper]:
    """Give ``queue`` gapped ranks in its order; return the items whose rank changed."""
    changed = []
    for position, paper in enumerate(queue, start=1):
        if paper.rank != position * RANK_GAP:
            paper.rank = position * RANK_GAP
            changed.append(paper)
    return changed


def rank_between(before: int, after: int | None) -> int | None:
    """A whole-number rank strictly between two neighbours' ranks (``before`` 0 at the front,
    ``after`` None at the end or before an unranked item); None when there is no room."""
    if after is None:
        return before + RANK_GAP
    middle = (before + after) // 2
    return middle if before < middle < after else None


def _week_context(library: Library, weeks: list[WeekInfo], day: date) -> Paper:
    """The weeks any paper was read in that can matter for ``day``, as one stand-in paper with
    one reading per week (earliest start, highest order), from the index: what
    ``add_reading`` needs of the others (``plan.fromindex.nearby_weeks``)."""
    from paperlog.index import Index
    from paperlog.plan.fromindex import nearby_weeks, stand_in

    with Index.open(library) as index:
        return stand_in(nearby_weeks(index, library.config.plan, weeks, [day]))


def _sorted_weeks(weeks: list[WeekInfo]) -> list[WeekInfo]:
    # weeks.yaml lists the newest week first, as the README does
    return sorted(weeks, key=lambda w: -w.week)


def add_reading(
    plan: Plan,
    papers: list[Paper],
    weeks: list[WeekInfo],
    paper: Paper,
    day: date,
    *,
    group: str | None = None,
) -> tuple[Reading, WeekInfo, bool]:
    """Append a reading of ``paper`` on ``day`` to it, in memory; return it, its week, new?

    The pure core of ``done`` (``paperlog add --read`` can share it): the week comes from
    ``week_for_date``; a new week is appended to ``weeks``; the group joins the week's headings;
    order = last in that week + 1. ``papers`` is every paper, or any papers whose readings give
    the same weeks, starts and orders (``done`` passes a stand-in built from the index).
    Raises ``ValidationError`` when the day would take the number of a later week.
    """
    number, start = week_for_date(day, plan, weeks, papers)
    taken = known_weeks(weeks, papers).get(number)
    if taken is not None and week_start_of(taken, plan) != week_start_of(day, plan):
        # a day in a pause (or before the first week) would get the number of a later
        # week; merging it there would put the reading in the wrong week
        raise ValidationError(
            f"{day.isoformat()} falls outside every logged week, but the number it would "
            f"get, Wk{number}, already belongs to the week of {taken.isoformat()}; "
            "renumber the later weeks in weeks.yaml first (paperlog doctor helps)",
            "weeks.yaml",
        )
    last = max((r.order for p in papers for r in p.readings if r.week == number), default=0)
    reading = Reading(week=number, week_start=start, group=group, date=day, order=last + 1)
    info = next((w for w in weeks if w.week == number), None)
    new_week = info is None
    if info is None:
        info = WeekInfo(number, start)
        weeks.append(info)
    if group and group not in info.groups:
        info.groups.append(group)
    # a heading that names a track ("Depth: ...") gives a paper without one its track, by the
    # rule README import uses
    paper.track = paper.track or plan.track_for_group(group)
    paper.readings.append(reading)
    return reading, info, new_week


def log_reading(
    library: Library,
    key: str,
    day: date,
    today: date,
    group: str | None = None,
) -> Logged:
    """Log that ``key`` was read on ``day``: a reading in that day's plan week, status read.

    The reading goes last in its week (order = last + 1), under ``group`` or the item's
    wish-list heading; the item leaves the queue (rank cleared, the rest renumbered) and loses
    its pin. Reading an item again adds another reading. A future day is refused.
    """
    check_plan(library.config.plan, library.config_path)
    if day > today:
        raise ValidationError(
            f"cannot log a reading on {day.isoformat()}: it is after today ({today.isoformat()})"
        )
    with library.lock():
        resolved = library.resolve_key(key)
        paper = library.load_paper(resolved)  # the file: the truth for a write
        weeks = library.load_weeks()
        before = weeks_to_yaml(_sorted_weeks(weeks))
        papers = [_week_context(library, weeks, day), paper]
        if any(r.date == day for r in paper.readings):
            raise ValidationError(
                f"{paper.key} already has a reading on {day.isoformat()}",
                library.paper_path(paper.key),
            )
        try:
            reading, info, new_week = add_reading(
                library.config.plan, papers, weeks, paper, day, group=group or paper.wish_group
            )
        except ValidationError as exc:
            raise ValidationError(exc.message, library.weeks_path) from None
        paper.status = "read"
        paper.rank = None  # the others keep theirs: a gap in the ranks orders the same
        paper.pinned = None
        after = _sorted_weeks(weeks)
        library.write_all(papers=[paper], weeks=after if weeks_to_yaml(after) != before else None)
    return Logged(paper, reading, info, new_week)


def start_reading(library: Library, key: str) -> Paper:
    """Mark an item as started (status ``reading``); it stays in the queue at its rank."""
    with library.lock():
        paper = library.load_paper(library.resolve_key(key))
        if paper.status == "reading":
            return paper
        if paper.status == "read":
            # a re-read goes back in the queue, at the end, until it is logged again
            papers = library.load_papers()
            paper.rank = next_rank(papers)
        paper.status = "reading"
        library.save_paper(paper)
    return paper


def skip(library: Library, day: date, key: str | None = None) -> tuple[Paper, Suggestion]:
    """Skip an item for ``day`` (default: the day's suggestion); return it and the new pick.

    The day is added to the item's ``skipped:`` list in its front matter, so the plan passes
    it over on that day only; it keeps its place in the queue for the days after.
    """
    plan = library.config.plan
    check_plan(plan, library.config_path)
    with library.lock():
        papers = library.load_papers()
        weeks = library.load_weeks()
        if key is None:
            current = suggest_today(plan, papers, weeks, day)
            if current.paper is None:
                raise NotFound(f"nothing to skip on {day.isoformat()}: {current.reason}")
            paper = current.paper
        else:
            paper = _find(papers, library.resolve_key(key))
        if paper.status == "read":
            raise ValidationError(f"{paper.key} is already read; there is nothing to skip")
        days = skipped_days(paper)
        if day not in days:
            days.add(day)
            paper.extra[SKIPPED_KEY] = sorted(days)
            library.save_paper(paper)
    return paper, suggest_today(plan, papers, weeks, day)


# --- the queue ----------------------------------------------------------------------------


class QueueSlice(list[Paper]):
    """Some of the queue, in order, with the place of its first item (1 = the queue's first):
    ranks have gaps, so a place is what a user is shown."""

    def __init__(self, papers: list[Paper], first: int = 1) -> None:
        super().__init__(papers)
        self.first = first


def _move(
    library: Library, key: str, place: int | None, delta: int = 0, window: int | None = None
) -> QueueSlice:
    """Move one queued item to ``place`` (1-based) or by ``delta``; return the queue (with
    ``window``, only the item and up to that many neighbours on each side).

    The item takes a rank between its new neighbours', so only its file is written; when
    they have no room between them (ranks 1..n of an older library, a gap used up, or an
    unranked neighbour before it) the queue is numbered again with gaps, once.
    """
    from paperlog.index import Index

    with library.lock():
        resolved = library.resolve_key(key)
        with Index.open(library) as index:
            moved = None if window is None else _move_near(index, resolved, place, delta, window)
        if moved is not None:
            before, after, shown, first, unchanged = moved
            if unchanged:
                return QueueSlice(_queue_papers(library, shown), first + 1)
            rank = rank_between(before, after) if before is not None else None
            if rank is not None:
                paper = library.load_paper(resolved)
                paper.rank = rank
                library.save_paper(paper)
                return QueueSlice(_queue_papers(library, shown), first + 1)
        # no window, a slice that changed under us, or no room between the neighbours: the
        # whole queue (numbered again with gaps when there is no room)
        with Index.open(library) as index:
            ranks = index.queue_ranks()
        keys = [k for k, _ in ranks]
        if resolved not in keys:
            raise ValidationError(f"{resolved} is read; only waiting items are in the queue")
        rest = [r for r in ranks if r[0] != resolved]
        target = (place - 1) if place is not None else keys.index(resolved) + delta
        target = min(max(target, 0), len(rest))
        order = [k for k, _ in rest]
        order.insert(target, resolved)
        shown, first = order, 0
        if window is not None:
            first = max(0, target - window)
            shown = order[first : target + window + 1]
        if order == keys:
            return QueueSlice(_queue_papers(library, shown), first + 1)
        before = rest[target - 1][1] if target > 0 else 0
        after = rest[target][1] if target < len(rest) else None
        rank = rank_between(before, after) if before is not None else None
        paper = library.load_paper(resolved)
        if rank is not None:
            paper.rank = rank
            library.save_paper(paper)
            return QueueSlice(_queue_papers(library, shown), first + 1)
        queue = [paper if k == resolved else library.load_paper(k) for k in order]
        old = {p.key: p.rank for p in queue if p.rank is not None}
        changed = _renumber(queue)
        if changed:
            config = copy.deepcopy(library.config)
            slots = config.readme.get("slots") or []
            new = {p.key: p.rank for p in queue if p.rank is not None}
            moved_slots = remap_slots(slots, old, new, moved=resolved)
            # the README's own lines in the wish-list move with the ranks, in one transaction
            library.write_all(papers=changed, config=config if moved_slots else None)
    return QueueSlice([p for p in queue if p.key in set(shown)], first + 1)


_Near = tuple[int | None, int | None, list[str], int, bool]


def _move_near(index: Index, key: str, place: int | None, delta: int, window: int) -> _Near | None:
    """What ``_move`` needs, from the queue's slice around the item and its new place instead
    of every waiting key (33,333 at 100,000 papers): the ranks before and after the new place,
    the keys shown, the first shown's place (0-based), and whether nothing moves. None when
    the slice does not hold the item where its place says (the index changed in between)."""
    from paperlog.query import PAPERS_TABLE

    position = index.queue_position(key)
    if position is None:
        raise ValidationError(f"{key} is read; only waiting items are in the queue")
    ((count,),) = index.rows(f"SELECT count(*) FROM {PAPERS_TABLE} WHERE status != 'read'")
    old = position - 1
    target = min(max((place - 1) if place is not None else old + delta, 0), count - 1)
    # old places [lo, hi) cover the item, its new neighbours and the window shown
    lo = max(0, min(old, target - max(window, 1)))
    hi = min(count, max(old + 1, target + window + 2))
    chunk = index.rows(
        f"SELECT key, rank FROM {PAPERS_TABLE} WHERE status != 'read' "
        "ORDER BY rank IS NULL, rank, key LIMIT ? OFFSET ?",
        (hi - lo, lo),
    )
    if len(chunk) != hi - lo or chunk[old - lo][0] != key:
        return None
    rest = chunk[: old - lo] + chunk[old - lo + 1 :]  # rest[i - lo] is the queue's i-th without it
    before = rest[target - 1 - lo][1] if target > 0 else 0
    after = rest[target - lo][1] if target < count - 1 else None
    order = [k for k, _ in rest]
    order.insert(target - lo, key)
    first = max(0, target - window)
    shown = order[first - lo : target + window + 1 - lo]
    return before, after, shown, first, target == old


def _queue_papers(library: Library, keys: list[str]) -> list[Paper]:
    """The queue's papers in this order, from the index (synced after the write)."""
    from paperlog.index import Index

    with Index.open(library) as index:
        by_key = {p.key: p for p in index.papers(keys)}
    return [by_key[k] for k in keys if k in by_key]


def queue_up(library: Library, key: str, steps: int = 1, window: int | None = None) -> QueueSlice:
    """Move an item ``steps`` places towards the front of the queue."""
    return _move(library, key, None, -steps, window)


def queue_down(library: Library, key: str, steps: int = 1, window: int | None = None) -> QueueSlice:
    """Move an item ``steps`` places towards the back of the queue."""
    return _move(library, key, None, steps, window)


def queue_top(library: Library, key: str, window: int | None = None) -> QueueSlice:
    """Put an item first in the queue."""
    return _move(library, key, 1, window=window)


def queue_pin(library: Library, key: str, day: date, today: date | None = None) -> Paper:
    """Pin a waiting item to a reading day: the plan suggests it on that day.

    A day before ``today`` is refused: a pin in the past would never be suggested.
    """
    plan = library.config.plan
    check_plan(plan, library.config_path)
    if today is not None and day < today:
        raise ValidationError(
            f"{day.isoformat()} is in the past (today is {today.isoformat()}); "
            "pin a reading day from today on"
        )
    with library.lock():
        paper = library.load_paper(library.resolve_key(key))
        if paper.status == "read":
            raise ValidationError(f"{paper.key} is already read; pin a waiting item")
        if not is_reading_day(day, plan):
            raise ValidationError(
                f"{day.isoformat()} is not a reading day (reading_days in paperlog.toml: "
                f"{', '.join(plan.reading_days)})"
            )
        paper.pinned = day
        library.save_paper(paper)
    return paper


def queue_unpin(library: Library, key: str) -> Paper:
    """Remove an item's pin."""
    with library.lock():
        paper = library.load_paper(library.resolve_key(key))
        if paper.pinned is not None:
            paper.pinned = None
            library.save_paper(paper)
    return paper


def queue_remove(library: Library, key: str) -> Paper:
    """Take a waiting item off the wish-list: its file is deleted; the others keep their
    ranks (a gap orders the same), so no other file is written.

    Only an item never read can be removed (a read item's readings are the log); git keeps
    the deleted file's history.
    """
    with library.lock():
        paper = library.load_paper(library.resolve_key(key))
        if paper.status == "read" or paper.readings:
            raise ValidationError(
                f"{paper.key} has readings in the log; only a waiting item can be removed",
                library.paper_path(paper.key),
            )
        library.delete_paper(paper.key)
    return paper
