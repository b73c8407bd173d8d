"""``today`` and ``week`` get only the papers they need from the index (``plan.fromindex``):
the plan they compute is the one computed from every paper."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from paperlog.errors import ValidationError
from paperlog.index import Index
from paperlog.library import Library
from paperlog.model import Config, Paper, Plan, Reading, Topic, WeekInfo
from paperlog.plan.fromindex import plan_papers
from paperlog.plan.schedule import suggest_days, week_report

START = date(2021, 1, 4)  # a Monday


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    rng = random.Random(3)
    config = Config(topics=[Topic("Uns", "U"), Topic("Loc", "L")], plan=Plan(focus_topics=["Uns"]))
    library = Library.create(tmp_path / "lib", config)
    papers = []
    for i in range(120):
        read = i < 70
        week = i // 6 + 1
        day = START + timedelta(weeks=week - 1, days=i % 6)
        readings = [Reading(week, START + timedelta(weeks=week - 1), "G", day, i % 6)]
        if read and i % 10 == 0:  # read again a few weeks later
            readings.append(Reading(week + 3, START + timedelta(weeks=week + 2), None, None, 7))
        papers.append(
            Paper(
                key=f"k{i:03d}",
                title=f"Paper {i}",
                status="read" if read else rng.choice(["wish", "wish", "reading"]),
                track=rng.choice(["depth", "breadth", None]),
                topics=rng.choice([[], [], ["Loc"], ["Uns"], ["Uns", "Loc"]]),
                rank=None if read else i * 3,
                pinned=START + timedelta(weeks=12, days=rng.randrange(6)) if i % 17 == 5 else None,
                readings=readings if read else [],
                extra={"skipped": [START + timedelta(weeks=12)]}
                if (i % 13 == 0 or i in (70, 71, 72, 73)) and not read  # the head too
                else {},
            )
        )
    library.save_papers(papers)
    library.save_weeks([WeekInfo(w, START + timedelta(weeks=w - 1), note="n") for w in (2, 5)])
    return library


def test_today_from_the_index_is_today_from_every_paper(lib: Library) -> None:
    plan, weeks = lib.config.plan, lib.load_weeks()
    everything = lib.load_papers()
    with Index.open(lib) as index:
        for offset in (0, 3, 20, 60, 84, 90, 200):
            start = START + timedelta(days=offset)
            for count in (1, 9, 40):
                days = [start + timedelta(days=i) for i in range(count)]
                some = plan_papers(index, plan, weeks, days, waiting=True)
                if count == 1:
                    assert len(some) < 30 < len(everything)  # a few, not every waiting one
                assert suggest_days(plan, some, weeks, start, count) == suggest_days(
                    plan, everything, weeks, start, count
                ), (start, count)


def test_week_from_the_index_is_week_from_every_paper(lib: Library) -> None:
    plan, weeks = lib.config.plan, lib.load_weeks()
    everything = lib.load_papers()
    with Index.open(lib) as index:
        for offset in (0, 10, 40, 85, 200):
            day = START + timedelta(days=offset)
            some = plan_papers(index, plan, weeks, [day])
            assert week_report(plan, some, weeks, day) == week_report(plan, everything, weeks, day)
        for number in (1, 2, 5, 9, 14):
            day = START + timedelta(days=300)
            some = plan_papers(index, plan, weeks, [day], number=number)
            assert week_report(plan, some, weeks, day, number) == week_report(
                plan, everything, weeks, day, number
            )


def test_skipped_and_pinned_heads_do_not_hide_the_next_ones(tmp_path: Path) -> None:
    day = START + timedelta(weeks=3)  # a Monday
    library = Library.create(tmp_path / "small", Config())
    papers = [
        Paper(
            key=f"{track}-{n}",
            title=f"{track} {n}",
            track=track,
            rank=10 * n + i,
            extra={"skipped": [day, day + timedelta(days=1)]} if n < 2 else {},
            pinned=day + timedelta(days=2) if n == 2 else None,
        )
        for i, track in enumerate(("depth", "breadth"))
        for n in range(5)
    ]
    library.save_papers(papers)
    plan, weeks = library.config.plan, library.load_weeks()
    with Index.open(library) as index:
        for count in (1, 2, 4):
            days = [day + timedelta(days=i) for i in range(count)]
            some = plan_papers(index, plan, weeks, days, waiting=True)
            full = suggest_days(plan, papers, weeks, day, count)
            assert suggest_days(plan, some, weeks, day, count) == full, count
            assert full[0].paper is not None and full[0].paper.key.endswith("-3")


def messy_calendar(root: Path, seed: int) -> Library:
    """Many weeks whose numbers do not follow their starts: pauses, a number reused after a
    gap, weeks whose readings give no start, weeks.yaml starts that differ from the readings'."""
    rng = random.Random(seed)
    library = Library.create(root, Config())
    papers, numbers = [], list(range(1, 80))
    rng.shuffle(numbers[40:])  # later numbers out of date order
    day = START
    for i, number in enumerate(numbers):
        day += timedelta(weeks=rng.choice([1, 1, 1, 2, 6]))
        start = None if i % 9 == 4 else day + timedelta(days=rng.choice([0, 0, 1]))
        for j in range(rng.randrange(1, 4)):
            papers.append(
                Paper(
                    key=f"w{number}-{j}",
                    title=f"W{number} {j}",
                    status="read",
                    track=rng.choice(["depth", "breadth", None]),
                    readings=[Reading(number, start, None, None if start is None else day, j)],
                )
            )
    papers += [Paper(key=f"q{i}", title=f"Q {i}", rank=(i + 1) * 1024) for i in range(20)]
    library.save_papers(papers)
    library.save_weeks(
        [WeekInfo(n, START + timedelta(weeks=rng.randrange(0, 200))) for n in (3, 50, 81)]
    )
    return library


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_nearby_weeks_answer_as_every_week_does(tmp_path: Path, seed: int) -> None:
    """``nearby_weeks`` keeps few weeks, yet today, week and done's week and order come out
    as with every paper, on days before, inside, between and after the logged weeks."""
    from paperlog.plan.fromindex import nearby_weeks, stand_in
    from paperlog.plan.log import add_reading

    lib = messy_calendar(tmp_path / "lib", seed)
    plan, weeks = lib.config.plan, lib.load_weeks()
    everything = lib.load_papers()
    rng = random.Random(seed)
    with Index.open(lib) as index:
        every_week = nearby_weeks(index, plan, weeks, [])
        for offset in [-30, 0, 3, *rng.sample(range(1500), 25), 2000]:
            day = START + timedelta(days=offset)
            near = nearby_weeks(index, plan, weeks, [day])
            assert len(near) < len(every_week) / 2
            assert near == _nearby_by_rule(every_week, plan, weeks, day), day
            for count in (1, 8):
                some = plan_papers(index, plan, weeks, [day + timedelta(i) for i in range(count)])
                waiting = [p for p in everything if p.status != "read"]
                assert suggest_days(plan, some + waiting, weeks, day, count) == suggest_days(
                    plan, everything, weeks, day, count
                ), (day, count)
            some = plan_papers(index, plan, weeks, [day])
            assert week_report(plan, some, weeks, day) == week_report(
                plan, everything, weeks, day
            ), day
            # done: the same week, start and order, or the same refusal
            outcomes = []
            for context in ([stand_in(near)], everything):
                paper = Paper(key="new", title="New")
                try:
                    reading, info, new = add_reading(plan, context, list(weeks), paper, day)
                    outcomes.append((reading, info, new))
                except ValidationError as exc:
                    outcomes.append(str(exc))  # type: ignore[arg-type]
            assert outcomes[0] == outcomes[1], day


@pytest.mark.parametrize("seed", [1, 2])
def test_the_queue_heads_are_the_first_of_each_track(tmp_path: Path, seed: int) -> None:
    """``Index.waiting(per_track)`` without a focus (index walks) picks what the plan's order
    picks: every item with a pin or a skipped day, and per track the first ``per_track``
    others, started ones first, then by rank, unranked last, then by key."""
    rng = random.Random(seed)
    lib = Library.create(tmp_path / "lib", Config())
    papers = [
        Paper(
            key=f"k{i:03d}",
            title=f"K {i}",
            status=rng.choice(["wish", "wish", "wish", "reading", "read"]),
            track=rng.choice(["depth", "breadth", "Side", None]),
            rank=rng.choice([None, *range(1, 40)]),
            pinned=START if rng.random() < 0.08 else None,
            extra={"skipped": [START]} if rng.random() < 0.08 else {},
        )
        for i in range(150)
    ]
    lib.save_papers(papers)
    waiting = [p for p in papers if p.status != "read"]
    with Index.open(lib) as index:
        for per_track in (1, 2, 5, 200):
            want = {p.key for p in waiting if p.pinned or p.extra}
            for track in {p.track for p in waiting}:
                free = [p for p in waiting if p.track == track and not (p.pinned or p.extra)]
                free.sort(key=lambda p: (p.status != "reading", p.rank is None, p.rank or 0, p.key))
                want |= {p.key for p in free[:per_track]}
            assert {p.key for p in index.waiting(per_track=per_track)} == want, per_track


def _nearby_by_rule(
    every: list[Reading], plan: Plan, weeks: list[WeekInfo], day: date
) -> list[Reading]:
    """``nearby_weeks``' rule over every week's summary (what its index walks must give): the
    weeks starting in the day's calendar week, the highest number starting before it, the
    first starting after it, the weeks.yaml weeks, and the number after each of those."""
    from paperlog.plan.calendar import week_start_of

    listed = {w.week for w in weeks}
    lo = week_start_of(day, plan)
    hi = lo + timedelta(days=6)
    free = [
        (r.week, r.week_start)
        for r in every
        if r.week is not None and r.week not in listed and r.week_start is not None
    ]
    keep = set(listed)
    keep |= {week for week, start in free if lo <= start <= hi}
    before = [week for week, start in free if start < lo]
    after = sorted((start, week) for week, start in free if start > hi)
    keep |= {max(before)} if before else set()
    keep |= {after[0][1]} if after else set()
    return [r for r in every if r.week in keep or (r.week is not None and r.week - 1 in keep)]
