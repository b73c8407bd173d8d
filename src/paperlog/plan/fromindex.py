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
        f"SELECT week, min(week_start) AS s, max(ord) AS o FROM {READINGS_TABLE} "
        "WHERE week IS NOT NULL GROUP BY week"
    )
    if not days:
        rows = index.rows(summary)
    else:
        cals = [week_start_of(d, plan) for d in days]
        # one pass over the readings' covering index; only the weeks kept come back
        rows = index.rows(
            f"WITH w AS MATERIALIZED ({summary}), "
            "y(week) AS (SELECT value FROM json_each(:listed)), "
            "k(week) AS (SELECT week FROM w WHERE s BETWEEN :lo AND :hi "
            "AND week NOT IN (SELECT week FROM y) "
            "UNION SELECT max(week) FROM w WHERE s < :lo AND week NOT IN (SELECT week FROM y) "
            "UNION SELECT * FROM (SELECT week FROM w WHERE s > :hi "
            "AND week NOT IN (SELECT week FROM y) ORDER BY s, week LIMIT 1) "
            "UNION SELECT week FROM y) "
            "SELECT week, s, o FROM w WHERE week IN (SELECT week FROM k) "
            "OR week - 1 IN (SELECT week FROM k) ORDER BY week",
            {
                "listed": json.dumps(sorted({w.week for w in weeks} | set(numbers))),
                "lo": min(cals).isoformat(),
                "hi": (max(cals) + timedelta(days=6)).isoformat(),
            },
        )
    return [Reading(week=w, week_start=_day(s), order=o) for w, s, o in rows]


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
