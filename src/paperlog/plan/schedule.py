"""What to read when: today's suggestion, the coming days, and a week's pace against the plan.

The choice for a reading day, in order:

1. a wish-list item pinned to that day (``pinned: 2024-05-08``);
2. an item already started (status ``reading``, ``paperlog start``), whatever its track;
3. the track furthest behind its share this week (fewest read per unit of share; a tie goes
   to the larger share), among tracks that still have candidates; untracked items come last;
4. within the track, one on a focus topic, then queue order (``rank``, unranked last), then
   key.

Read items are never suggested, nor one skipped for that day, nor one pinned to another day
still to come, nor one already suggested for an earlier day of the same run. Pure functions
over plain data; the CLI passes in what the library loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from paperlog.errors import NotFound
from paperlog.model import Paper, Plan, WeekInfo
from paperlog.plan.calendar import (
    DAY_NAMES,
    is_reading_day,
    is_review_day,
    known_weeks,
    reading_days_of_week,
    review_day_of_week,
    track_targets,
    week_for_date,
    week_start_of,
)

SKIPPED_KEY = "skipped"
"""Front-matter key (kept in ``Paper.extra``) listing the days an item was skipped."""

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class Suggestion:
    """What the plan says for one day: a paper to read, the review, or nothing."""

    date: date
    kind: str
    """``read`` (a reading day), ``review`` (the review day) or ``rest`` (neither)."""
    reason: str
    paper: Paper | None = None
    week: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The documented JSON object (``today --json``)."""
        paper = self.paper
        return {
            "date": self.date.isoformat(),
            "day": DAY_NAMES[self.date.weekday()],
            "kind": self.kind,
            "week": self.week,
            "key": paper.key if paper else None,
            "title": paper.display_title if paper else None,
            "url": paper.url if paper else None,
            "track": paper.track if paper else None,
            "topics": list(paper.topics) if paper else [],
            "rank": paper.rank if paper else None,
            "reason": self.reason,
        }


def skipped_days(paper: Paper) -> set[date]:
    """The days this item was skipped on (``skipped:`` in its front matter)."""
    raw = paper.extra.get(SKIPPED_KEY) or []
    days: set[date] = set()
    for value in raw if isinstance(raw, list) else [raw]:
        if isinstance(value, date):
            days.add(value)
            continue
        try:
            days.add(date.fromisoformat(str(value)))
        except ValueError:
            continue  # a hand-written oddity is ignored rather than blocking the plan
    return days


def queue_order(papers: Iterable[Paper]) -> list[Paper]:
    """Items not yet read, in queue order: by rank (unranked last), then key."""
    waiting = [p for p in papers if p.status != "read"]
    return sorted(waiting, key=lambda p: (p.rank is None, p.rank or 0, p.key))


def _track_read_in_week(
    papers: Iterable[Paper], week: int, upto: date, plan: Plan
) -> dict[str | None, int]:
    counts: dict[str | None, int] = {t.name: 0 for t in plan.tracks}
    for paper in papers:
        for reading in paper.readings:
            if reading.week != week:
                continue
            if reading.date is not None and reading.date > upto:
                continue
            counts[paper.track] = counts.get(paper.track, 0) + 1
    return counts


def _track_priority(
    plan: Plan, counts: dict[str | None, int], targets: dict[str, int]
) -> list[str]:
    """Track names, furthest behind first.

    Tracks short of their whole-paper target come first, by the fraction of the target read
    (so a week interleaves: depth, breadth, depth, depth, breadth, depth); a tie goes to the
    larger share. Once every target is met, extra reading follows the shares.
    """
    order = {t.name: i for i, t in enumerate(plan.tracks)}
    shares = {t.name: t.share for t in plan.tracks}

    def behind(name: str) -> tuple[bool, float, float, int]:
        read = counts.get(name, 0)
        target = targets.get(name, 0)
        if read < target:
            return (False, read / target, -shares[name], order[name])
        share = shares[name]
        ratio = read / share if share > 0 else float("inf")
        return (True, ratio, -share, order[name])

    return sorted(shares, key=behind)


def _reason(
    plan: Plan,
    paper: Paper,
    counts: dict[str | None, int],
    targets: dict[str, int],
    empty: list[str],
) -> str:
    parts: list[str] = []
    if paper.track in targets:
        read = counts.get(paper.track, 0)
        share = next(t.share for t in plan.tracks if t.name == paper.track)
        pace = f"{read} of {targets[paper.track]} read this week (share {share:.0%})"
        if empty:
            # the track furthest behind has nothing waiting: say so rather than hide it
            parts.append(f"no {' or '.join(empty)} item is waiting; {paper.track}: {pace}")
        else:
            parts.append(f"{paper.track} is furthest behind: {pace}")
    elif paper.track:
        parts.append(f"track {paper.track!r} is not in the plan")
    elif empty:
        parts.append(f"no {' or '.join(empty)} item is waiting")
    if paper.status == "reading":
        parts.append("already started")
    focus = [t for t in paper.topics if t in plan.focus_topics]
    if focus:
        parts.append(f"focus topic {', '.join(focus)}")
    # the stored rank only orders (it has gaps); the place in the queue is not known here
    parts.append("next in queue order" if paper.rank is not None else "unranked")
    return "; ".join(parts)


def _choose(
    plan: Plan,
    day: date,
    candidates: list[Paper],
    counts: dict[str | None, int],
) -> tuple[Paper, str] | None:
    pinned = [p for p in candidates if p.pinned == day]
    if pinned:
        paper = min(pinned, key=lambda p: (p.rank is None, p.rank or 0, p.key))
        return paper, f"pinned for {day.isoformat()}"
    # an item pinned to a day still ahead waits for that day
    free = [p for p in candidates if p.pinned is None or p.pinned < day]
    if not free:
        return None
    focus = set(plan.focus_topics)

    def preference(p: Paper) -> tuple[bool, bool, bool, int, str]:
        return (
            p.status != "reading",
            not (focus & set(p.topics)),
            p.rank is None,
            p.rank or 0,
            p.key,
        )

    targets = track_targets(plan)
    started = [p for p in free if p.status == "reading"]
    if started:
        # a paper the user started (``paperlog start``) is finished first, whatever its track
        paper = min(started, key=preference)
        return paper, _reason(plan, paper, counts, targets, [])
    empty: list[str] = []
    for track in _track_priority(plan, counts, targets):
        pool = [p for p in free if p.track == track]
        if pool:
            paper = min(pool, key=preference)
            return paper, _reason(plan, paper, counts, targets, empty)
        empty.append(track)
    paper = min(free, key=preference)
    return paper, _reason(plan, paper, counts, targets, empty)


def suggest_days(
    plan: Plan,
    papers: list[Paper],
    weeks: list[WeekInfo],
    start: date,
    count: int = 1,
) -> list[Suggestion]:
    """The plan for ``count`` days from ``start`` (inclusive), one Suggestion per day.

    Later days assume the earlier suggestions get read: each counts towards its track's
    balance and is not suggested again.
    """
    used: set[str] = set()
    planned: dict[int, list[Paper]] = {}
    suggestions: list[Suggestion] = []
    # a week the plan fills becomes a reading week, so the weeks after it number on from it
    sim_weeks = list(weeks)
    for offset in range(count):
        day = start + timedelta(days=offset)
        week, week_start = week_for_date(day, plan, sim_weeks, papers)
        name = _WEEKDAY_NAMES[day.weekday()]
        if is_review_day(day, plan):
            reason = f"{name} is the review day: run 'paperlog review'"
            suggestions.append(Suggestion(day, "review", reason, week=week))
            continue
        if not is_reading_day(day, plan):
            reason = f"no reading planned on {name}s"
            suggestions.append(Suggestion(day, "rest", reason, week=week))
            continue
        counts = _track_read_in_week(papers, week, day, plan)
        for extra in planned.get(week, []):
            counts[extra.track] = counts.get(extra.track, 0) + 1
        waiting = queue_order(papers)
        candidates = [p for p in waiting if p.key not in used and day not in skipped_days(p)]
        chosen = _choose(plan, day, candidates, counts)
        if chosen is None:
            if not waiting:
                reason = "the wish-list is empty: add items with 'paperlog add'"
            elif not candidates:
                reason = "every waiting item is skipped for this day or planned for an earlier one"
            else:
                reason = "every waiting item is pinned to a later day"
            suggestions.append(Suggestion(day, "read", reason, week=week))
            continue
        paper, reason = chosen
        so_far = sum(counts.values())
        if so_far >= plan.papers_per_week:
            reason += f"; an extra: the week's {plan.papers_per_week} are already read"
        logged_today = sorted({p.key for p in papers for r in p.readings if r.date == day})
        if logged_today:
            reason += f"; already logged today: {', '.join(logged_today)}"
        used.add(paper.key)
        if week not in planned and all(w.week != week for w in sim_weeks):
            sim_weeks.append(WeekInfo(week, week_start))
        planned.setdefault(week, []).append(paper)
        suggestions.append(Suggestion(day, "read", reason, paper, week))
    return suggestions


def suggest_today(plan: Plan, papers: list[Paper], weeks: list[WeekInfo], day: date) -> Suggestion:
    """The plan's word for one day."""
    return suggest_days(plan, papers, weeks, day, 1)[0]


# --- a week's report ----------------------------------------------------------------------


@dataclass
class WeekEntry:
    """One reading in a week, as the README lists it."""

    key: str
    title: str
    track: str | None
    date: date | None
    order: int


@dataclass
class WeekReport:
    """A week as the README shows it, plus its pace against the plan.

    ``week`` is None when the day asked about lies in no reading week (a pause, before the
    first week, or a week nothing is logged in yet); ``next_week`` then names the reading week
    that comes next: the existing one after a pause, or the one a reading that day would open.
    """

    week: int | None
    week_start: date
    note: str | None
    groups: list[tuple[str | None, list[WeekEntry]]]
    read: int
    target: int
    by_track: dict[str, dict[str, int]]
    days_left: list[date]
    exists: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    next_week: tuple[int, date] | None = None
    on_date: date | None = None

    @property
    def remaining(self) -> int:
        """Papers still to read to reach the week's target."""
        return max(self.target - self.read, 0)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON object (``week --json``)."""
        nxt = self.next_week
        return {
            "week": self.week,
            "exists": self.exists,
            "date": self.on_date.isoformat() if self.on_date else None,
            "next": {"week": nxt[0], "week_start": nxt[1].isoformat()} if nxt else None,
            "week_start": self.week_start.isoformat(),
            "note": self.note,
            "groups": [
                {
                    "name": name,
                    "entries": [
                        {
                            "key": e.key,
                            "title": e.title,
                            "track": e.track,
                            "date": e.date.isoformat() if e.date else None,
                        }
                        for e in entries
                    ],
                }
                for name, entries in self.groups
            ],
            "read": self.read,
            "target": self.target,
            "by_track": self.by_track,
            "remaining": {
                "papers": self.remaining,
                "days": len(self.days_left),
                "reading_days": [d.isoformat() for d in self.days_left],
            },
        }


def _no_week_report(
    plan: Plan, day: date, next_week: tuple[int, date], *, reading: bool
) -> WeekReport:
    """The report for a day in no reading week; ``reading``: a reading that day may open
    ``next_week`` (after the last week), so its reading days still count as left."""
    cal_start = week_start_of(day, plan)
    targets = track_targets(plan)
    days_left = [d for d in reading_days_of_week(cal_start, plan) if d >= day] if reading else []
    return WeekReport(
        week=None,
        week_start=cal_start,
        note=None,
        groups=[],
        read=0,
        target=plan.papers_per_week,
        by_track={t: {"read": 0, "target": n} for t, n in targets.items()},
        days_left=days_left,
        exists=False,
        extra={"review_day": review_day_of_week(cal_start, plan).isoformat()},
        next_week=next_week,
        on_date=day,
    )


def week_report(
    plan: Plan,
    papers: list[Paper],
    weeks: list[WeekInfo],
    day: date,
    number: int | None = None,
) -> WeekReport:
    """The week holding ``day`` (or week ``number``), with pace and what is left as of ``day``.

    A day in no reading week gets an empty report (``week`` None) naming the next reading
    week, never another week's papers: see ``WeekReport``.
    """
    if number is None:
        number, start = week_for_date(day, plan, weeks, papers)
        known = known_weeks(weeks, papers)
        cal = week_start_of(day, plan)
        if number not in known or known[number] is None:
            return _no_week_report(plan, day, (number, start), reading=True)
        if week_start_of(known[number] or day, plan) != cal:
            # a pause, or before the first week: week_for_date would hand out the number of a
            # later week; name the reading week that follows instead
            later = sorted(
                (s, n) for n, s in known.items() if s is not None and week_start_of(s, plan) > cal
            )
            return _no_week_report(plan, day, (later[0][1], later[0][0]), reading=False)
    else:
        known = known_weeks(weeks, papers)
        if number not in known:
            shown = ", ".join(str(n) for n in sorted(known)) or "none yet"
            raise NotFound(f"no week {number} in the library (weeks: {shown})")
        start = known[number] or week_start_of(day, plan)
    info = next((w for w in weeks if w.week == number), None)
    entries: list[tuple[str | None, WeekEntry]] = []
    for paper in papers:
        for reading in paper.readings:
            if reading.week == number:
                entry = WeekEntry(
                    paper.key, paper.display_title, paper.track, reading.date, reading.order
                )
                entries.append((reading.group, entry))
    entries.sort(key=lambda ge: (ge[1].order, ge[1].date or date.min, ge[1].key))
    group_names: list[str | None] = list(info.groups) if info else []
    for name, _ in entries:
        if name not in group_names:
            group_names.append(name)
    groups = [(name, [e for g, e in entries if g == name]) for name in group_names]
    targets = track_targets(plan)
    by_track = {t: {"read": 0, "target": n} for t, n in targets.items()}
    for _, entry in entries:
        if entry.track in by_track:
            by_track[entry.track]["read"] += 1
    cal_start = week_start_of(start, plan)
    reading_days = reading_days_of_week(cal_start, plan)
    days_left = [d for d in reading_days if d >= day]
    return WeekReport(
        week=number,
        week_start=start,
        note=info.note if info else None,
        groups=[(name, members) for name, members in groups if members or info],
        read=len(entries),
        target=plan.papers_per_week,
        by_track=by_track,
        days_left=days_left,
        exists=info is not None or bool(entries),
        extra={"review_day": review_day_of_week(cal_start, plan).isoformat()},
        on_date=day,
    )
