"""The plan's calendar: calendar weeks, reading days, week numbers, and checking the plan.

A week is a calendar week that starts on ``plan.week_start``. Week *numbers* count the weeks in
which the user read, so a pause does not burn numbers: the seed goes from Wk11 (2020.08.31) to
Wk12 (2020.10.13) across six idle calendar weeks. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from paperlog.errors import ValidationError
from paperlog.model import Paper, Plan, WeekInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Day names as ``paperlog.toml`` writes them, in ``date.weekday()`` order."""

SHARE_TOLERANCE = 0.01
"""How far the track shares may sum from 1 (``0.33 + 0.67`` and ``1/3 + 2/3`` both pass)."""


_ISO_DAY = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*")


def parse_day(text: str) -> date:
    """``YYYY-MM-DD`` -> date; else ``ValueError`` saying in words what is wrong.

    ``2020-02-30`` -> "not a date: February has 29 days in 2020", not a strptime format.
    """
    match = _ISO_DAY.fullmatch(text)
    if match is None:
        raise ValueError(f"not a date: {text!r} (write it YYYY-MM-DD, e.g. 2024-05-08)")
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        raise ValueError(f"not a date: there is no month {month} in {text} (months run 1-12)")
    if year < 1:
        raise ValueError(f"not a date: there is no year {year} in {text}")
    import calendar as _calendar  # here: it imports locale, and only a typed --date needs it

    days = _calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        name = _calendar.month_name[month]
        raise ValueError(f"not a date: {name} has {days} days in {year} ({text})")
    return date(year, month, day)


def day_index(name: str) -> int:
    """0 for Monday ... 6 for Sunday; accepts ``mon`` or ``Monday`` in any case."""
    key = str(name).strip().lower()[:3]
    if key not in DAY_NAMES or len(str(name).strip()) < 3:
        raise ValueError(f"{name!r} is not a day name (mon, tue, wed, thu, fri, sat, sun)")
    return DAY_NAMES.index(key)


def day_name(day: date) -> str:
    """The short day name of a date (``mon``)."""
    return DAY_NAMES[day.weekday()]


def week_start_of(day: date, plan: Plan) -> date:
    """The first day of the calendar week holding ``day`` (on ``plan.week_start``)."""
    offset = (day.weekday() - day_index(plan.week_start)) % 7
    return day - timedelta(days=offset)


def week_days(start: date) -> list[date]:
    """The seven days of the calendar week starting at ``start``."""
    return [start + timedelta(days=i) for i in range(7)]


def reading_days_of_week(start: date, plan: Plan) -> list[date]:
    """The reading days of the calendar week that starts at ``start``, in date order."""
    wanted = {day_index(d) for d in plan.reading_days}
    return [d for d in week_days(start) if d.weekday() in wanted]


def review_day_of_week(start: date, plan: Plan) -> date:
    """The review day of the calendar week that starts at ``start``."""
    return next(d for d in week_days(start) if d.weekday() == day_index(plan.review_day))


def is_reading_day(day: date, plan: Plan) -> bool:
    """True when the plan reads on this day of the week."""
    return day.weekday() in {day_index(d) for d in plan.reading_days}


def is_review_day(day: date, plan: Plan) -> bool:
    """True on the plan's review day."""
    return day.weekday() == day_index(plan.review_day)


def known_weeks(weeks: Iterable[WeekInfo], papers: Iterable[Paper]) -> dict[int, date | None]:
    """Every week number the library knows with its start as written.

    weeks.yaml wins; a week that only exists in the papers' readings takes the earliest
    ``week_start`` its readings give.
    """
    known: dict[int, date | None] = {w.week: w.start for w in weeks}
    from_readings: dict[int, date | None] = {}
    for paper in papers:
        for reading in paper.readings:
            if reading.week is None or reading.week in known:
                continue
            prev = from_readings.get(reading.week)
            start = reading.week_start
            if reading.week not in from_readings or (
                start is not None and (prev is None or start < prev)
            ):
                from_readings[reading.week] = start
    known.update(from_readings)
    return known


def week_for_date(
    day: date, plan: Plan, weeks: list[WeekInfo], papers: Iterable[Paper] = ()
) -> tuple[int, date]:
    """The (number, start) of the plan week a day belongs to.

    An existing week whose start falls in the day's calendar week keeps its number and its
    start as written (so a new reading agrees with weeks.yaml); when two do (the seed's Wk9 and
    Wk10 both start 2020.08.17) the higher number wins, as it is the one the user moved on to.
    Otherwise the week is new: the next number after the latest week that starts before it
    (1 when there is none), starting on the calendar week start.
    """
    cal_start = week_start_of(day, plan)
    known = known_weeks(weeks, papers)
    same = [
        (num, start)
        for num, start in known.items()
        if start is not None and week_start_of(start, plan) == cal_start
    ]
    if same:
        return max(same)
    before = [num for num, start in known.items() if start is not None and start < cal_start]
    return (max(before) + 1 if before else 1), cal_start


def validate_plan(plan: Plan) -> list[str]:
    """Everything wrong with a plan, one readable sentence each (empty when it is sound)."""
    problems: list[str] = []
    if (
        not isinstance(plan.papers_per_week, int)
        or isinstance(plan.papers_per_week, bool)
        or plan.papers_per_week < 1
    ):
        problems.append(
            f"papers_per_week must be a whole number >= 1, not {plan.papers_per_week!r}"
        )
    reading: set[int] = set()
    if not isinstance(plan.reading_days, list) or not plan.reading_days:
        problems.append("reading_days must be a non-empty list of day names such as 'mon'")
    else:
        for name in plan.reading_days:
            try:
                reading.add(day_index(name))
            except ValueError as exc:
                problems.append(f"reading_days: {exc}")
    for field_name in ("review_day", "week_start"):
        value = getattr(plan, field_name)
        try:
            index = day_index(value)
        except ValueError as exc:
            problems.append(f"{field_name}: {exc}")
            continue
        if field_name == "review_day" and index in reading:
            problems.append(f"review_day {value!r} is also a reading day")
    if plan.start is not None and not isinstance(plan.start, date):
        problems.append(f"start must be a date (YYYY-MM-DD), not {plan.start!r}")
    if not plan.tracks:
        problems.append("the plan needs at least one track")
    else:
        names = [t.name for t in plan.tracks]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            problems.append(f"track {dupes[0]!r} is defined twice")
        if any(t.share < 0 for t in plan.tracks):
            problems.append("track shares must not be negative")
        total = sum(t.share for t in plan.tracks)
        if abs(total - 1) > SHARE_TOLERANCE:
            shares = " + ".join(f"{t.name} {t.share:g}" for t in plan.tracks)
            problems.append(f"track shares must add up to 1, but {shares} = {total:g}")
    return problems


def check_plan(plan: Plan, config_path: object = "paperlog.toml") -> None:
    """Raise ``ValidationError`` naming paperlog.toml when the plan is unusable."""
    problems = validate_plan(plan)
    if problems:
        raise ValidationError(f"[plan] is invalid: {'; '.join(problems)}", str(config_path))


def track_targets(plan: Plan, total: int | None = None) -> dict[str, int]:
    """Whole-paper targets per track for a week of ``total`` papers (default papers_per_week).

    Largest-remainder rounding, so the targets always add up to the total (6 papers with
    shares 1/3 and 2/3 give breadth 2, depth 4).
    """
    count = plan.papers_per_week if total is None else total
    raw = [(t.name, t.share * count) for t in plan.tracks]
    targets = {name: int(value) for name, value in raw}
    left = count - sum(targets.values())
    # ties go to the track listed first, so the result never depends on dict hashing
    by_remainder = sorted(range(len(raw)), key=lambda i: (-(raw[i][1] - int(raw[i][1])), i))
    for i in by_remainder[: max(left, 0)]:
        targets[raw[i][0]] += 1
    return targets
