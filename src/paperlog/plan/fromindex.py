"""The papers a plan view needs, from the index: no parse and no decode of every paper.

``today`` and ``week`` work on a list of papers (``plan.schedule``); at 100,000 papers,
decoding every one of them from the index took seconds. What they read of the papers is
narrow: which weeks exist and when they start (``known_weeks``), the readings of the weeks
shown, the readings on the days shown, and (for ``today``) the waiting items. So the list
handed to them holds exactly those papers, plus one stand-in paper that carries, for every
other week, one reading with the week's earliest start (``Index.week_summary``). The plan
code sees the same weeks, starts, counts and queue as with every paper, and stays unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from paperlog.index import READINGS_TABLE
from paperlog.model import Paper, Plan, Reading, WeekInfo
from paperlog.plan.calendar import week_for_date, week_start_of

if TYPE_CHECKING:
    from paperlog.index import Index


def stand_in(readings: Iterable[Reading]) -> Paper:
    """A paper that only carries readings: read, untracked, never suggested or listed."""
    return Paper(key="", title="(readings of other weeks)", status="read", readings=list(readings))


def nearby_weeks(
    index: Index,
    plan: Plan,
    weeks: list[WeekInfo],
    days: Sequence[date],
    numbers: Sequence[int] = (),
) -> list[Reading]:
    """``Index.week_summary`` cut to the weeks that can matter for ``days`` (and week
    ``numbers``): the plan's answers for those days are the same as with every week.

    What the plan asks of the other weeks (``plan.calendar.week_for_date``, ``week_report``,
    ``add_reading``): which weeks start in a day's calendar week (kept: every week starting
    between the first day's calendar week and the end of the last one's); the highest number
    among the weeks starting before a day (kept: the highest starting before that window;
    those in it are kept anyway); the first week starting after it (kept: the first after the
    window); and whether the number after one of those is taken, and by which start (kept:
    the week after each kept week and each weeks.yaml week). Weeks whose readings give no
    start take part in none of these, except as such a "next number". At 100,000 papers and
    16,667 weeks the plan code then walks a few weeks instead of all of them.
    """
    summary = (
        f"SELECT week, min(week_start), max(ord) FROM {READINGS_TABLE} "
        "WHERE week IS NOT NULL {where} GROUP BY week ORDER BY week"
    )
    if not days:
        rows = index.rows(summary.format(where=""))
        return [Reading(week=w, week_start=_day(s), order=o) for w, s, o in rows]
    cals = [week_start_of(d, plan) for d in days]
    lo, hi = min(cals).isoformat(), (max(cals) + timedelta(days=6)).isoformat()
    listed = {w.week for w in weeks} | set(numbers)
    keep = set(listed)

    def start_of(week: int) -> str | None:
        # a week's start is its readings' earliest (the covering index by week: one seek)
        ((start,),) = index.rows(
            f"SELECT min(week_start) FROM {READINGS_TABLE} WHERE week = ?", (week,)
        )
        return start  # type: ignore[no-any-return]

    # Each rule is a short walk of an index, not a pass over every reading (at 100,000 papers
    # the grouped pass over 66,667 readings was most of today's own work). The weeks starting
    # in the days' calendar weeks: a reading starting there, and none starting earlier.
    for (week,) in index.rows(
        f"SELECT DISTINCT week FROM {READINGS_TABLE} INDEXED BY readings_by_start "
        "WHERE week_start BETWEEN ? AND ? AND week IS NOT NULL",
        (lo, hi),
    ):
        if week not in listed and (start_of(week) or "") >= lo:
            keep.add(week)
    # The highest number starting before them: the weeks from the highest number down, until
    # one has a reading starting before (a future week is rare, so the walk is short).
    for (week,) in index.rows(
        f"SELECT week FROM {READINGS_TABLE} INDEXED BY readings_by_week WHERE week IS NOT NULL "
        "AND week_start < ? AND week NOT IN (SELECT value FROM json_each(?)) "
        "ORDER BY week DESC LIMIT 1",
        (lo, json.dumps(sorted(listed))),
    ):
        keep.add(week)
    # The first week (by start, then number) starting after them: readings by start from
    # there, until one's week has no earlier reading.
    for start, week in _walk_after(index, hi):
        if week not in listed and start_of(week) == start:
            keep.add(week)
            break
    wanted = sorted(keep | {week + 1 for week in keep})
    rows = index.rows(
        summary.format(where="AND week IN (SELECT value FROM json_each(?))"),
        (json.dumps(wanted),),
    )
    return [Reading(week=w, week_start=_day(s), order=o) for w, s, o in rows]


def _walk_after(index: Index, hi: str) -> Iterable[tuple[str, int]]:
    """(start, week) of the readings starting after ``hi``, by start then week, a page at a
    time (the first page almost always holds the answer)."""
    after: tuple[str, int] = (hi, 2**62)
    while True:
        page = index.rows(
            f"SELECT week_start, week FROM {READINGS_TABLE} INDEXED BY readings_by_start "
            "WHERE (week_start, week) > (?, ?) AND week IS NOT NULL "
            "ORDER BY week_start, week LIMIT 64",
            after,
        )
        yield from page
        if len(page) < 64:
            return
        after = page[-1]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


def plan_papers(
    index: Index,
    plan: Plan,
    weeks: list[WeekInfo],
    days: Iterable[date],
    *,
    number: int | None = None,
    waiting: bool = False,
) -> list[Paper]:
    """The papers a plan view over ``days`` (and week ``number``) needs, as described above:
    the papers read in those days' weeks or on those days, with ``waiting`` the waiting ones
    the plan can pick on those days (``Index.waiting``), and a stand-in for every other week."""
    days = list(days)
    summary = nearby_weeks(index, plan, weeks, days, () if number is None else (number,))
    context = [stand_in(summary)]
    shown = {week_for_date(day, plan, weeks, context)[0] for day in days}
    if len(days) > 1 and shown:
        # suggest_days counts a week it fills as logged, so the empty calendar weeks after it
        # take the next numbers: one more number per calendar week the days span
        shown |= set(range(min(shown), max(shown) + len(days) // 7 + 2))
    if number is not None:
        shown.add(number)
    papers = [stand_in(r for r in summary if r.week not in shown)]
    seen: set[str] = set()
    for paper in index.readers(sorted(shown), days):
        seen.add(paper.key)
        papers.append(paper)
    if waiting:
        candidates = index.waiting(per_track=len(days), focus=plan.focus_topics)
        papers += [p for p in candidates if p.key not in seen]
    return papers
