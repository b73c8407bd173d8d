"""Pace against the plan: readings per week, streaks, track balance, topics, venues, years.

Weeks are the plan's numbered weeks (``plan.calendar``): a pause does not burn week numbers, so
a streak runs over consecutive *numbers*, not calendar weeks. Every count is a pure function of
the papers, ``weeks.yaml`` and a ``today`` cut-off; nothing reads the clock.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from paperlog.model import Paper, Plan, Reading, WeekInfo
from paperlog.plan.calendar import check_plan, known_weeks, week_for_date, week_start_of

if TYPE_CHECKING:
    from paperlog.library import Library

NO_TRACK = "(none)"
"""The track name readings without a track are counted under."""


@dataclass
class WeekStat:
    """One plan week: how many readings it logged against the target."""

    week: int
    week_start: date | None
    read: int
    target: int
    met: bool
    note: str | None = None


@dataclass
class TrackStat:
    """Readings on one track against the plan's share for it."""

    track: str
    read: int
    share: float
    """The fraction of all readings that were on this track."""
    target_share: float | None
    """The plan's share for the track (None for readings without a known track)."""
    tracked_share: float | None = None
    """The fraction of the readings on the plan's tracks (imported logs leave many readings
    without a track; this is the share to hold against ``target_share``)."""


@dataclass
class Count:
    """A named count: a topic, venue or year and how many papers read carry it."""

    name: str
    count: int
    label: str | None = None
    """A topic's name, or ``venue_label`` when the canonical venue is unknown."""


@dataclass
class WishPoint:
    """The wish-list's size at the end of one plan week."""

    week: int
    week_start: date | None
    size: int
    added: int
    read: int


@dataclass
class Stats:
    """Everything ``paperlog stats`` reports."""

    today: date | None
    target: int
    weeks: list[WeekStat]
    streak: int
    longest_streak: int
    weeks_meeting: int
    in_progress: int | None
    """The week holding ``today`` when it is still short of the target (it does not break a
    streak yet), else None."""
    tracks: list[TrackStat]
    topics: list[Count]
    venues: list[Count]
    years: list[Count]
    wishlist: list[WishPoint]
    totals: dict[str, Any] = field(default_factory=dict)
    review: dict[str, int] | None = None
    """Spaced repetition at ``today``: ``cards`` (read papers with takeaways), ``graded`` (of
    those, graded at least once), ``due``. None without a ``today``."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``stats --json`` (dates as YYYY-MM-DD)."""
        data = asdict(self)
        return _iso(data)  # type: ignore[no-any-return]


def _iso(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value


# --- readings and their weeks ------------------------------------------------------------------


def reading_day(reading: Reading, starts: dict[int, date | None]) -> date | None:
    """The day a reading counts on: its own day, else its week's start (imported weeks)."""
    if reading.date is not None:
        return reading.date
    if reading.week_start is not None:
        return reading.week_start
    return starts.get(reading.week) if reading.week is not None else None


def week_of_reading(
    reading: Reading, plan: Plan, weeks: list[WeekInfo], papers: Sequence[Paper]
) -> int | None:
    """The plan week a reading is logged in: its ``week``, else the week of its day."""
    if reading.week is not None:
        return reading.week
    if reading.date is not None:
        return week_for_date(reading.date, plan, weeks, papers)[0]
    return None


def dated_readings(
    papers: Sequence[Paper], plan: Plan, weeks: list[WeekInfo], today: date | None
) -> list[tuple[Paper, Reading, int | None, date | None]]:
    """Every reading up to ``today`` with its week number and day (either may be unknown)."""
    starts = known_weeks(weeks, papers)
    # week_for_date scans every paper for the weeks it knows; hand it those weeks once instead
    # and its answer depends only on the calendar week, so ask once per calendar week
    known = [WeekInfo(week=n, start=s) for n, s in starts.items()]
    by_week_start: dict[date, int | None] = {}
    out = []
    for paper in papers:
        for reading in paper.readings:
            day = reading_day(reading, starts)
            if today is not None and day is not None and day > today:
                continue
            if reading.week is None and reading.date is not None:
                cal = week_start_of(reading.date, plan)
                if cal not in by_week_start:
                    by_week_start[cal] = week_of_reading(reading, plan, known, ())
                number = by_week_start[cal]
            else:
                number = reading.week
            out.append((paper, reading, number, day))
    return out


# --- streaks -----------------------------------------------------------------------------------


def streaks(met: Sequence[bool]) -> tuple[int, int]:
    """(current, longest) run of True: current counts back from the last entry."""
    current = 0
    for flag in reversed(met):
        if not flag:
            break
        current += 1
    longest = run = 0
    for flag in met:
        run = run + 1 if flag else 0
        longest = max(longest, run)
    return current, longest


def venue_name(paper: Paper) -> tuple[str, str | None] | None:
    """(name, label): the canonical venue, else the venue a badge names as written ("BHI
    Journal"); None when there is no venue ("2020", or "Goodnotes", a notes app, not a venue)."""
    return venue_of(paper.venue, paper.venue_label)


def venue_of(venue: str | None, label: str | None) -> tuple[str, str | None] | None:
    """``venue_name`` of a paper with this venue and badge."""
    if venue:
        return venue, None
    if label:
        from paperlog.venues import parse_badge

        name = parse_badge(label).venue
        if name:
            return name, label
    return None


def _counts(counter: Counter[str], labels: dict[str, str | None]) -> list[Count]:
    ordered = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0].lower()))
    return [Count(name, count, labels.get(name)) for name, count in ordered]


# --- the whole picture -------------------------------------------------------------------------


def compute_stats(
    library: Library, papers: Sequence[Paper], weeks: list[WeekInfo], today: date | None
) -> Stats:
    """Stats of ``papers`` as of ``today`` (None: everything logged, no cut-off).

    Weeks run from the lowest to the highest number known (weeks.yaml or readings) whose start
    is on or before ``today``; a number missing in between counts as a week with no readings.
    ``plan.statsindex`` computes the same from the index's columns without the papers.
    """
    plan = library.config.plan
    check_plan(plan, library.config_path)
    readings = dated_readings(papers, plan, weeks, today)
    read_papers = {id(p): p for p, _, _, _ in readings}
    facts = ReadFacts()
    for paper in read_papers.values():
        facts.add(paper.topics, venue_name(paper), paper.year, 1)

    def spans(first_start: date) -> list[tuple[date, date | None]]:
        out = []
        for paper in papers:
            span = _wish_span(paper, first_start)
            if span is not None:
                out.append((span[0] or first_start, span[1]))
        return out

    return assemble_stats(
        library,
        weeks,
        known_weeks(weeks, papers),
        [(number, paper.track, 1) for paper, _, number, _ in readings],
        facts,
        papers=len(papers),
        spans=spans,
        wishlist=sum(1 for p in papers if _on_wishlist(p, today)),
        review=review_summary(papers, today) if today is not None else None,
        today=today,
    )


@dataclass
class ReadFacts:
    """Topics, venues and years counted over the papers read (each paper once)."""

    papers: int = 0
    topics: Counter[str] = field(default_factory=Counter)
    venues: Counter[str] = field(default_factory=Counter)
    venue_labels: dict[str, str | None] = field(default_factory=dict)
    years: Counter[str] = field(default_factory=Counter)

    def add(
        self,
        topics: Iterable[str],
        venue: tuple[str, str | None] | None,
        year: int | None,
        count: int,
    ) -> None:
        """Count ``count`` read papers with these topics, venue (``venue_name``) and year; the
        first paper of a venue (in key order) gives its label."""
        self.papers += count
        for topic in dict.fromkeys(topics):
            self.topics[topic] += count
        if venue is not None:
            self.venues[venue[0]] += count
            self.venue_labels.setdefault(venue[0], venue[1])
        if year is not None:
            self.years[str(year)] += count


def assemble_stats(
    library: Library,
    weeks: list[WeekInfo],
    starts: dict[int, date | None],
    tallies: Iterable[tuple[int | None, str | None, int]],
    facts: ReadFacts,
    *,
    papers: int,
    spans: Callable[[date], Sequence[tuple[date, date | None]]],
    wishlist: int,
    review: dict[str, int] | None,
    today: date | None,
) -> Stats:
    """The ``Stats`` from what every reading and paper contributes, however it was gathered.

    ``starts``: every known week's start (``known_weeks``); ``tallies``: (week number, track,
    how many readings) for the readings up to ``today``; ``spans(first_start)``: each waiting
    paper's (joined, left) wish-list days; ``wishlist``: how many wait at ``today``.
    """
    plan = library.config.plan
    target = int(plan.papers_per_week)
    notes = {w.week: w.note for w in weeks}
    per_week: Counter[int] = Counter()
    track_counts: Counter[str] = Counter()
    total = 0
    for number, track, count in tallies:
        if number is not None:
            per_week[number] += count
        track_counts[track or NO_TRACK] += count
        total += count
    numbers = {n for n, s in starts.items() if today is None or s is None or s <= today}
    numbers |= set(per_week)
    span = range(min(numbers), max(numbers) + 1) if numbers else range(0)
    week_stats = [
        WeekStat(
            week=n,
            week_start=starts.get(n),
            read=per_week[n],
            target=target,
            met=per_week[n] >= target,
            note=notes.get(n),
        )
        for n in span
    ]

    in_progress = None
    if week_stats and today is not None:
        last = week_stats[-1]
        if (
            last.week_start is not None
            and not last.met
            and week_start_of(last.week_start, plan) == week_start_of(today, plan)
        ):
            in_progress = last.week
    flags = [w.met for w in week_stats]
    current, longest = streaks(flags[:-1] if in_progress is not None else flags)

    shares = {t.name: t.share for t in plan.tracks}
    tracked = sum(track_counts[name] for name in shares)
    tracks = [
        TrackStat(
            name,
            track_counts[name],
            _ratio(track_counts[name], total),
            shares[name],
            _ratio(track_counts[name], tracked),
        )
        for name in shares
    ]
    tracks += [
        TrackStat(name, count, _ratio(count, total), None)
        for name, count in sorted(track_counts.items())
        if name not in shares
    ]

    topic_names: dict[str, str | None] = {t.code: t.name for t in library.config.topics}
    first_start = first_week_start(week_stats)
    wish_points = (
        [] if first_start is None else growth_points(spans(first_start), week_stats, plan, today)
    )
    return Stats(
        review=review,
        today=today,
        target=target,
        weeks=week_stats,
        streak=current,
        longest_streak=longest,
        weeks_meeting=sum(flags),
        in_progress=in_progress,
        tracks=tracks,
        topics=_counts(facts.topics, dict(topic_names)),
        venues=_counts(facts.venues, facts.venue_labels),
        years=[Count(y, facts.years[y]) for y in sorted(facts.years)],
        wishlist=wish_points,
        totals={
            "readings": total,
            "papers_read": facts.papers,
            "papers": papers,
            "wishlist": wishlist,
            "weeks": len(week_stats),
            "weeks_meeting": sum(flags),
            "per_week": round(total / len(week_stats), 2) if week_stats else 0.0,
            "target_per_week": target,
        },
    )


def review_summary(papers: Sequence[Paper], today: date) -> dict[str, int]:
    """How the review stands on ``today`` (noon UTC, as ``review --date`` takes a day)."""
    from paperlog.plan.review import due_items, is_read_by, moment_of, takeaways_of

    cards = [p for p in papers if is_read_by(p, today) and takeaways_of(p)]
    return {
        "cards": len(cards),
        "graded": sum(1 for p in cards if p.review.get("due") is not None),
        "due": len(due_items(papers, moment_of(today))),
    }


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


# --- the wish-list over time -------------------------------------------------------------------


def _wish_span(paper: Paper, first_start: date | None) -> tuple[date | None, date | None] | None:
    """(joined, left) the wish-list, by the rules ``wishlist_growth`` documents; None when the
    paper never waited. ``joined`` None means "since before the log began"."""
    return wish_span(
        added=paper.added,
        wish_grouped=bool(paper.wish_group),
        read_on=_first_reading_day(paper),
        has_readings=bool(paper.readings),
        is_read=paper.status == "read",
        first_start=first_start,
    )


def wish_span(
    *,
    added: date | None,
    wish_grouped: bool,
    read_on: date | None,
    has_readings: bool,
    is_read: bool,
    first_start: date | None,
) -> tuple[date | None, date | None] | None:
    """``_wish_span`` of a paper given only what it needs of it (the index stores these)."""
    if has_readings and read_on is None:
        return None
    if not has_readings and is_read:
        return None
    if added is not None:
        joined: date | None = added
    elif read_on is None or wish_grouped:
        # still waiting, or read after waiting under a wish-list heading: there since the start
        joined = first_start
    else:
        joined = read_on
    if read_on is not None and joined is not None and joined >= read_on:
        # read the day it came in (or before it was added): it never waited
        return None
    return joined, read_on


def _on_wishlist(paper: Paper, today: date | None) -> bool:
    """Waiting at ``today`` (None: now), by the rules ``wishlist_growth`` documents."""
    return on_wishlist(_wish_span(paper, None), today)


def on_wishlist(span: tuple[date | None, date | None] | None, today: date | None) -> bool:
    """Whether a paper with this span (``wish_span`` with no ``first_start``) waits at
    ``today`` (None: now)."""
    if span is None:
        return False
    joined, left = span
    if today is None:
        return left is None
    return (joined is None or joined <= today) and (left is None or today < left)


def _first_reading_day(paper: Paper) -> date | None:
    days = [r.date or r.week_start for r in paper.readings]
    known = [d for d in days if d is not None]
    return min(known) if known else None


def wishlist_growth(
    papers: Iterable[Paper], week_stats: Sequence[WeekStat], plan: Plan, today: date | None
) -> list[WishPoint]:
    """The wish-list's size at the end of each week that has a start date.

    A paper joins on its ``added`` date and leaves on its first reading's day. Imported data
    has no ``added`` dates, so: a paper still waiting, or one read that still carries its
    wish-list heading (``wish_group``: it waited there, then ``done`` read it), joins at the
    first week (it was already waiting when the log began); a paper read without ever being
    on the wish-list, as far as the log can tell, is not counted at all.
    """
    first_start = first_week_start(week_stats)
    if first_start is None:
        return []
    spans: list[tuple[date, date | None]] = []
    for paper in papers:
        span = _wish_span(paper, first_start)
        if span is not None:
            spans.append((span[0] or first_start, span[1]))
    return growth_points(spans, week_stats, plan, today)


def first_week_start(week_stats: Sequence[WeekStat]) -> date | None:
    """The earliest start of the weeks that have one (the wish-list's "log began" day)."""
    return min((w.week_start for w in week_stats if w.week_start is not None), default=None)


def growth_points(
    spans: Sequence[tuple[date, date | None]],
    week_stats: Sequence[WeekStat],
    plan: Plan,
    today: date | None,
) -> list[WishPoint]:
    """The wish-list's size per dated week from every waiting paper's (joined, left) days."""
    dated = [w for w in week_stats if w.week_start is not None]
    # sorted join and leave days: each week is a few bisections, not a pass over every paper
    joins = sorted(j for j, _ in spans)
    leaves = sorted(r for _, r in spans if r is not None)
    points = []
    for week in dated:
        assert week.week_start is not None
        start = week_start_of(week.week_start, plan)
        end = start + timedelta(days=6)
        if today is not None and end > today:
            end = today
        # a paper leaves after it joins, so "left by end" is a subset of "joined by end"
        size = bisect_right(joins, end) - bisect_right(leaves, end)
        added = bisect_right(joins, end) - bisect_left(joins, start)
        left = bisect_right(leaves, end) - bisect_left(leaves, start)
        points.append(WishPoint(week.week, week.week_start, size, added, max(left, 0)))
    return points


# --- text for a terminal -----------------------------------------------------------------------

_BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(value: float, scale: float, width: int = 24) -> str:
    """A bar of unicode blocks ``width`` cells long at ``value == scale``, eighths for the tail."""
    if scale <= 0 or value <= 0:
        return ""
    eighths = round(min(value / scale, 1.0) * width * 8)
    return "█" * (eighths // 8) + (_BLOCKS[eighths % 8] if eighths % 8 else "")


def render_text(stats: Stats, width: int = 24) -> str:
    """Compact text bars: weeks against the target, streaks, tracks, top topics and venues."""
    lines = []
    scale = max([stats.target, *(w.read for w in stats.weeks)])
    lines.append(f"Papers per week (target {stats.target})")
    for w in stats.weeks:
        mark = "✓" if w.met else (" …" if w.week == stats.in_progress else " ")
        start = w.week_start.isoformat() if w.week_start else "          "
        lines.append(
            f"  Wk{w.week:<3} {start}  {bar(w.read, scale, width):<{width}} {w.read:>2} {mark}"
        )
    lines.append("")
    lines.append(
        f"Streak: {stats.streak} week(s) on plan; longest {stats.longest_streak}; "
        f"{stats.weeks_meeting} of {len(stats.weeks)} weeks met the plan"
    )
    totals = stats.totals
    lines.append(
        f"Read: {totals['readings']} readings of {totals['papers_read']} items; "
        f"wish-list {totals['wishlist']}"
    )
    if stats.review and stats.review["cards"]:
        lines.append(
            f"Review: {stats.review['cards']} papers with key ideas, "
            f"{stats.review['graded']} graded, {stats.review['due']} due"
        )
    if stats.tracks:
        lines.append("")
        lines.append("Tracks (readings; share of those on a track vs the plan)")
        for t in stats.tracks:
            share = t.tracked_share if t.target_share is not None else None
            versus = f"{share:.0%} (plan {t.target_share:.0%})" if share is not None else ""
            lines.append(
                f"  {t.track:<10} {bar(t.share, 1.0, width):<{width}} {t.read:>3}  {versus}"
            )
    for title, counts in (("Topics", stats.topics), ("Venues", stats.venues)):
        if not counts:
            continue
        lines.append("")
        lines.append(f"{title} (papers read)")
        top = max(c.count for c in counts)
        for c in counts[:10]:
            lines.append(f"  {c.name[:12]:<12} {bar(c.count, top, width):<{width}} {c.count:>3}")
    return "\n".join(lines) + "\n"
