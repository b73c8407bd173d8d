"""``stats`` from SQL aggregates over the index (``plan.statsindex``) equals ``compute_stats``
over every paper, on the seed's layout, the real seed and a generated library; the command
reads no paper file. (Its speed is ``make bench``'s business, not a test's.)"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from conftest import run_cli, run_cli_counting_opens
from paperlog.index import Index
from paperlog.library import Library
from paperlog.model import Paper, Reading
from paperlog.plan.charts import reading_days
from paperlog.plan.review import grade_many, moment_of
from paperlog.plan.stats import compute_stats
from paperlog.plan.statsindex import reading_days_from_index, stats_from_index
from test_stats import seed_layout

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import _synth


def assert_same_stats(lib: Library, days: list[date | None]) -> None:
    papers, weeks = lib.load_papers(), lib.load_weeks()
    with Index.open(lib) as index:
        for day in days:
            fast = stats_from_index(lib, index, weeks, day)
            assert fast is not None
            assert fast.to_dict() == compute_stats(lib, papers, weeks, day).to_dict(), day
        # what the web's stats page fingerprints its charts with, from the index too
        assert reading_days_from_index(index, weeks) == reading_days(papers, weeks)


def test_the_seed_layout(tmp_path: Path) -> None:
    lib = seed_layout(tmp_path / "seed")
    days = [None, date(2020, 6, 1), date(2020, 6, 20), date(2020, 7, 1), date(2020, 8, 18)]
    assert_same_stats(lib, [*days, date(2020, 10, 14), date(2021, 1, 1)])


def test_the_real_seed(seed_path: Path, library: Library) -> None:
    from paperlog.services.import_readme import import_readme

    import_readme(library, seed_path)
    assert_same_stats(library, [None, date(2020, 7, 1), date(2020, 9, 1), date(2024, 1, 1)])


def generated(root: Path, count: int) -> Library:
    """The bench's synthetic papers, varied where stats has rules: readings with a day and no
    week number, or with neither, a second reading, ``added`` days, readings after the days
    asked, papers without a track or venue, a ``review`` card on some."""
    rng = random.Random(5)
    papers = _synth.papers(count)
    for i, paper in enumerate(papers):
        if paper.readings and i % 7 == 0:  # a day and no week number: stats finds the week
            r = paper.readings[0]
            assert r.week_start is not None
            paper.readings[0] = Reading(None, None, r.group, r.week_start + timedelta(days=2))
        if paper.readings and i % 11 == 0:  # read again, no day known
            paper.readings.append(Reading(paper.readings[0].week, None, None, None, 9))
        if paper.readings and i % 29 == 0:  # only a week number that no other reading dates
            paper.readings = [Reading(100_000 + i, None, None, None, 0)]
        if i % 5 == 0:
            paper.added = date(2000, 1, 3) + timedelta(days=rng.randrange(0, count))
        if i % 13 == 0:
            paper.track = None
        if i % 17 == 0:
            paper.venue = None
        if paper.readings and i % 19 == 0:
            paper.takeaways = ["an idea"]
    lib = Library.create(root, _synth.config())
    lib.save_papers(papers)
    graded = [p.key for p in papers if p.readings and p.readings[0].week is not None][::40]
    grade_many(lib, [(key, "good") for key in graded], moment_of(date(2001, 6, 1)), force=True)
    return lib


def test_a_generated_library(tmp_path: Path) -> None:
    lib = generated(tmp_path / "gen", 1_200)
    start = date(2000, 1, 3)
    days = [None, start - timedelta(days=1), start, start + timedelta(days=100)]
    days += [date(2001, 6, 1), date(2001, 7, 20), date(2003, 1, 1), date(2030, 1, 1)]
    assert_same_stats(lib, days)


def test_stats_reads_no_paper_file(tmp_path: Path) -> None:
    lib = generated(tmp_path / "gen", 300)
    first = run_cli("stats", "--json", "--date", "2001-06-01", library=lib.root)
    assert first.returncode == 0, first.stderr  # the index is built (every file read) once
    proc, opened = run_cli_counting_opens(
        "stats", "--json", "--date", "2001-06-01", library=lib.root
    )
    assert proc.returncode == 0, proc.stderr
    assert opened == ["<sqlite3.connect>"]  # the hook ran; no file under papers/ was opened
    stats = compute_stats(lib, lib.load_papers(), lib.load_weeks(), date(2001, 6, 1))
    assert json.loads(proc.stdout) == stats.to_dict()


def test_a_bad_review_card_is_still_reported_with_its_file(tmp_path: Path) -> None:
    lib = generated(tmp_path / "gen", 60)
    paper = next(p for p in lib.load_papers() if p.readings)
    paper.takeaways = ["an idea"]
    paper.review = {"state": "dozing", "due": datetime(2001, 1, 1, tzinfo=UTC)}
    lib.save_papers([paper])
    with Index.open(lib) as index:
        assert stats_from_index(lib, index, lib.load_weeks(), date(2001, 6, 1)) is None
    proc = run_cli("stats", "--date", "2001-06-01", library=lib.root)
    assert proc.returncode != 0
    assert f"{paper.key}.md" in proc.stderr and "dozing" in proc.stderr


@pytest.mark.parametrize("status", ["read", "wish"])
def test_a_paper_without_readings(tmp_path: Path, status: str) -> None:
    """Read with no reading logged (a card from its status), or waiting since it was added."""
    lib = seed_layout(tmp_path / "seed")
    lib.save_papers(
        [
            Paper(key="bare", title="Bare", status=status, takeaways=["x"]),
            Paper(key="later", title="Later", status=status, added=date(2020, 9, 1)),
        ]
    )
    assert_same_stats(lib, [None, date(2020, 7, 1), date(2020, 9, 2)])
