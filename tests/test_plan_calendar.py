"""The plan's calendar: week starts, week numbers across pauses, plan validation, targets."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperlog.errors import ValidationError
from paperlog.model import Paper, Plan, Reading, Track, WeekInfo
from paperlog.plan.calendar import (
    DAY_NAMES,
    check_plan,
    day_index,
    reading_days_of_week,
    review_day_of_week,
    track_targets,
    validate_plan,
    week_for_date,
    week_start_of,
)

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
week_starts = st.sampled_from(DAY_NAMES)


@given(days, week_starts)
def test_week_start_is_on_the_start_day_within_six_days_before(day: date, start: str) -> None:
    plan = Plan(week_start=start)
    first = week_start_of(day, plan)
    assert first.weekday() == DAY_NAMES.index(start)
    assert timedelta(0) <= day - first <= timedelta(days=6)


@given(days, week_starts)
def test_week_start_is_idempotent(day: date, start: str) -> None:
    plan = Plan(week_start=start)
    first = week_start_of(day, plan)
    assert week_start_of(first, plan) == first


@given(days, st.integers(min_value=0, max_value=6))
def test_every_day_of_a_week_maps_to_the_same_start(day: date, shift: int) -> None:
    plan = Plan()
    first = week_start_of(day, plan)
    assert week_start_of(first + timedelta(days=shift), plan) == first


def _seed_weeks() -> list[WeekInfo]:
    # the seed's layout: Wk9/Wk10 share a start, a six-week pause before Wk12, Tuesday starts
    starts = {
        8: date(2020, 8, 10),
        9: date(2020, 8, 17),
        10: date(2020, 8, 17),
        11: date(2020, 8, 31),
        12: date(2020, 10, 13),
        13: date(2020, 10, 20),
    }
    return [WeekInfo(n, s) for n, s in starts.items()]


def test_a_day_inside_an_existing_week_keeps_its_number_and_written_start() -> None:
    weeks = _seed_weeks()
    # Thursday 2020-10-22 is in the calendar week of Wk13, which the seed starts on a Tuesday
    assert week_for_date(date(2020, 10, 22), Plan(), weeks) == (13, date(2020, 10, 20))
    # Monday 2020-10-19 belongs to the same calendar week, before the written start
    assert week_for_date(date(2020, 10, 19), Plan(), weeks) == (13, date(2020, 10, 20))


def test_two_weeks_on_one_start_resolve_to_the_later_number() -> None:
    assert week_for_date(date(2020, 8, 19), Plan(), _seed_weeks()) == (10, date(2020, 8, 17))


def test_a_pause_does_not_burn_numbers() -> None:
    weeks = _seed_weeks()
    # the calendar weeks between Wk11 and Wk12 were idle: the first day read there is Wk12
    assert week_for_date(date(2020, 9, 23), Plan(), weeks) == (12, date(2020, 9, 21))
    # after the last week, the next number
    assert week_for_date(date(2020, 11, 5), Plan(), weeks) == (14, date(2020, 11, 2))


def test_weeks_known_only_from_readings_count() -> None:
    paper = Paper("p", "P", status="read", readings=[Reading(4, date(2021, 3, 1), "G")])
    assert week_for_date(date(2021, 3, 3), Plan(), [], [paper]) == (4, date(2021, 3, 1))
    assert week_for_date(date(2021, 3, 10), Plan(), [], [paper]) == (5, date(2021, 3, 8))


def test_an_empty_library_starts_at_week_one() -> None:
    assert week_for_date(date(2024, 5, 8), Plan(), []) == (1, date(2024, 5, 6))


def test_week_start_other_than_monday() -> None:
    plan = Plan(
        week_start="sun", reading_days=["sun", "mon", "tue", "wed", "thu", "fri"], review_day="sat"
    )
    assert week_start_of(date(2024, 5, 8), plan) == date(2024, 5, 5)
    assert review_day_of_week(date(2024, 5, 5), plan) == date(2024, 5, 11)
    assert len(reading_days_of_week(date(2024, 5, 5), plan)) == 6


def test_default_plan_is_valid() -> None:
    assert validate_plan(Plan()) == []


@pytest.mark.parametrize(
    ("plan", "fragment"),
    [
        (Plan(tracks=[Track("breadth", 0.5), Track("depth", 0.6)]), "add up to 1"),
        (Plan(papers_per_week=0), "papers_per_week"),
        (Plan(reading_days=["mon", "funday"]), "funday"),
        (Plan(review_day="sat"), "also a reading day"),
        (Plan(week_start="xyz"), "week_start"),
        (Plan(tracks=[]), "at least one track"),
    ],
)
def test_invalid_plans_are_named(plan: Plan, fragment: str) -> None:
    problems = validate_plan(plan)
    assert any(fragment in p for p in problems), problems
    with pytest.raises(ValidationError, match=r"paperlog\.toml"):
        check_plan(plan)


def test_rounded_shares_pass() -> None:
    assert validate_plan(Plan(tracks=[Track("b", 0.33), Track("d", 0.67)])) == []


def test_day_index_accepts_long_names() -> None:
    assert day_index("Monday") == 0
    assert day_index("SUN") == 6
    with pytest.raises(ValueError, match="not a day"):
        day_index("mo")


@given(
    st.integers(min_value=1, max_value=40),
    st.lists(st.floats(min_value=0.01, max_value=1), min_size=1, max_size=5),
)
def test_track_targets_add_up(total: int, weights: list[float]) -> None:
    s = sum(weights)
    plan = Plan(tracks=[Track(f"t{i}", w / s) for i, w in enumerate(weights)])
    targets = track_targets(plan, total)
    assert sum(targets.values()) == total
    for track in plan.tracks:
        assert abs(targets[track.name] - track.share * total) < 1


def test_seed_targets() -> None:
    assert track_targets(Plan()) == {"breadth": 2, "depth": 4}
