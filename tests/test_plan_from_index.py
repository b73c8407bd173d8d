"""``today`` and ``week`` get only the papers they need from the index (``plan.fromindex``):
the plan they compute is the one computed from every paper."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest

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
