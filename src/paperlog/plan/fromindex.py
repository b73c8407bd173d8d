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

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from paperlog.model import Paper, Plan, Reading, WeekInfo
from paperlog.plan.calendar import week_for_date

if TYPE_CHECKING:
    from paperlog.index import Index


def stand_in(readings: Iterable[Reading]) -> Paper:
    """A paper that only carries readings: read, untracked, never suggested or listed."""
    return Paper(key="", title="(readings of other weeks)", status="read", readings=list(readings))


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
    summary = index.week_summary()
    context = [stand_in(summary)]
    shown = {week_for_date(day, plan, weeks, context)[0] for day in days}
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
