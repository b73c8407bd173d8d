"""Stats: readings per week against the plan, streaks, tracks, topics, venues, the wish-list."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlog.library import Library
from paperlog.model import Config, Paper, Reading, Topic, WeekInfo
from paperlog.plan.review import grade, moment_of
from paperlog.plan.stats import (
    NO_TRACK,
    bar,
    compute_stats,
    render_text,
    streaks,
    venue_name,
)

# The seed README's layout (weeks, their starts as written, readings per week). Wk9 and Wk10
# share a start, Wk12/Wk13 start on a Tuesday, and a six-week pause comes before Wk12.
SEED_STARTS = [
    date(2020, 6, 15),
    date(2020, 6, 22),
    date(2020, 6, 29),
    date(2020, 7, 6),
    date(2020, 7, 13),
    date(2020, 7, 20),
    date(2020, 7, 27),
    date(2020, 8, 3),
    date(2020, 8, 10),
    date(2020, 8, 17),
    date(2020, 8, 17),
    date(2020, 8, 31),
    date(2020, 10, 13),
    date(2020, 10, 20),
]
SEED_COUNTS = [3, 6, 6, 6, 3, 7, 3, 5, 4, 3, 3, 7, 4, 5]
SEED_MET = [1, 2, 3, 5, 11]
SEED_TOPICS = [Topic("Uns", "Unsupervised Techniques"), Topic("Loc", "Localization")]


def seed_layout(root: Path) -> Library:
    """A library with the seed's weeks and counts; one paper (the survey) read in Wk2 and Wk3.

    Papers cycle through tracks, topics and venues (canonical, label-only, none) so every
    breakdown has something to count.
    """
    lib = Library.create(root, Config(topics=list(SEED_TOPICS)))
    survey = Paper(
        key="segmentation-survey-2020",
        title="Image Segmentation Using Deep Learning",
        nickname="Segmentation Survey",
        status="read",
        year=2020,
        topics=["Loc"],
        track="breadth",
    )
    papers = [survey]
    weeks = []
    for number, (start, count) in enumerate(zip(SEED_STARTS, SEED_COUNTS, strict=True)):
        weeks.append(WeekInfo(week=number, start=start))
        if number in (2, 3):
            survey.readings.append(Reading(week=number, week_start=start, order=0))
            count -= 1
        for i in range(count):
            papers.append(
                Paper(
                    key=f"paper-{number}-{i}",
                    title=f"Paper {number}.{i}",
                    status="read",
                    year=2015 + i % 4,
                    venue=("CVPR", "MICCAI", None, None)[i % 4],
                    venue_label=(None, None, "NIPS 2019", None)[i % 4],
                    topics=(["Uns"], ["Loc"], [], ["Uns", "Loc"])[i % 4],
                    track=("breadth", "depth", "depth", None)[i % 4],
                    readings=[Reading(week=number, week_start=start, order=i + 1)],
                )
            )
    papers.append(Paper(key="wish-a", title="Waiting A", status="wish"))
    papers.append(Paper(key="wish-b", title="Waiting B", status="wish", added=date(2020, 7, 1)))
    lib.write_all(papers=papers, weeks=weeks)
    return lib


@pytest.fixture
def seed_lib(tmp_path: Path) -> Library:
    return seed_layout(tmp_path / "seed")


def test_seed_layout_weeks_streaks_and_totals(seed_lib: Library) -> None:
    stats = compute_stats(seed_lib, seed_lib.load_papers(), seed_lib.load_weeks(), None)
    assert [(w.week, w.read, w.target) for w in stats.weeks] == [
        (n, c, 6) for n, c in enumerate(SEED_COUNTS)
    ]
    assert [w.week_start for w in stats.weeks] == SEED_STARTS
    assert [w.week for w in stats.weeks if w.met] == SEED_MET
    assert stats.weeks_meeting == len(SEED_MET)
    # Wk13 fell short, so the current streak is 0; Wk1-Wk3 is the longest run
    assert (stats.streak, stats.longest_streak) == (0, 3)
    assert stats.totals["readings"] == sum(SEED_COUNTS)
    assert stats.totals["papers_read"] == sum(SEED_COUNTS) - 1
    assert stats.totals["wishlist"] == 2


def test_json_shape(seed_lib: Library) -> None:
    data = compute_stats(seed_lib, seed_lib.load_papers(), seed_lib.load_weeks(), None).to_dict()
    assert data["weeks"][0] == {
        "week": 0,
        "week_start": "2020-06-15",
        "read": 3,
        "target": 6,
        "met": False,
        "note": None,
    }
    assert {"streak", "longest_streak", "tracks", "topics", "venues", "years", "wishlist"} <= set(
        data
    )


def test_today_cuts_off_later_weeks(seed_lib: Library) -> None:
    stats = compute_stats(
        seed_lib, seed_lib.load_papers(), seed_lib.load_weeks(), date(2020, 7, 12)
    )
    assert [w.week for w in stats.weeks] == [0, 1, 2, 3]
    # Wk3 (2020-07-06) is the week of 07-12 and met the plan: streak Wk1-Wk3
    assert stats.streak == 3 and stats.in_progress is None
    assert stats.totals["readings"] == sum(SEED_COUNTS[:4])


def test_a_week_in_progress_does_not_break_the_streak(seed_lib: Library) -> None:
    # only Wk0-Wk3, with Wk3 cut to two readings so far
    papers = [p for p in seed_lib.load_papers() if all(r.week <= 3 for r in p.readings if r.week)]
    wk3 = [p for p in papers if [r.week for r in p.readings] == [3]]
    papers = [p for p in papers if p not in wk3[1:]]
    weeks = seed_lib.load_weeks()[:4]
    during = compute_stats(seed_lib, papers, weeks, date(2020, 7, 9))
    assert during.weeks[-1].week == 3 and during.weeks[-1].read == 2
    assert during.in_progress == 3
    assert during.streak == 2  # Wk1 and Wk2; Wk3 can still make it
    after = compute_stats(seed_lib, papers, weeks, date(2020, 7, 14))
    assert after.in_progress is None and after.streak == 0
    assert (during.longest_streak, after.longest_streak) == (2, 2)


def test_tracks_topics_venues_years(seed_lib: Library) -> None:
    stats = compute_stats(seed_lib, seed_lib.load_papers(), seed_lib.load_weeks(), None)
    papers = [p for p in seed_lib.load_papers() if p.readings]
    readings = [(p, r) for p in papers for r in p.readings]
    by_track = {t.track: t for t in stats.tracks}
    assert by_track["breadth"].read == sum(1 for p, _ in readings if p.track == "breadth")
    assert by_track["breadth"].target_share == pytest.approx(1 / 3)
    assert by_track[NO_TRACK].target_share is None
    assert sum(t.read for t in stats.tracks) == len(readings)
    assert sum(t.share for t in stats.tracks) == pytest.approx(1, abs=1e-3)
    on_plan = [t for t in stats.tracks if t.target_share is not None]
    assert sum(t.tracked_share or 0 for t in on_plan) == pytest.approx(1, abs=1e-3)
    assert by_track[NO_TRACK].tracked_share is None
    topics = {c.name: c for c in stats.topics}
    assert topics["Uns"].count == sum(1 for p in papers if "Uns" in p.topics)
    assert topics["Uns"].label == "Unsupervised Techniques"
    venues = {c.name: c for c in stats.venues}
    assert venues["NeurIPS"].count == sum(
        1 for p in papers if p.venue == "NeurIPS" or (p.venue_label or "").startswith("NIPS")
    )
    assert venues["CVPR"].label is None
    assert venues["CVPR"].count == sum(1 for p in papers if p.venue == "CVPR")
    assert [c.name for c in stats.years] == sorted(c.name for c in stats.years)
    assert sum(c.count for c in stats.years) == len(papers)


def test_wishlist_growth_from_added_dates_and_imports(seed_lib: Library) -> None:
    stats = compute_stats(seed_lib, seed_lib.load_papers(), seed_lib.load_weeks(), None)
    sizes = {p.week: p for p in stats.wishlist}
    # wish-a has no added date: waiting since the first week; wish-b was added 2020-07-01
    assert sizes[0].size == 1
    assert (sizes[2].size, sizes[2].added) == (2, 1)
    assert sizes[13].size == 2
    # imported papers that were read have no added date: they never sat on the list
    assert all(p.read == 0 for p in stats.wishlist)
    assert [(p.week, p.added) for p in stats.wishlist if p.added] == [(0, 1), (2, 1)]
    # the series and the total agree at any day
    for day in (date(2020, 6, 20), date(2020, 7, 5), date(2020, 10, 25)):
        upto = compute_stats(seed_lib, seed_lib.load_papers(), seed_lib.load_weeks(), day)
        assert upto.wishlist[-1].size == upto.totals["wishlist"]


def test_wishlist_counts_a_paper_from_added_to_read(library: Library) -> None:
    start = date(2021, 1, 4)
    library.write_all(
        papers=[
            Paper(
                key="a",
                title="A",
                status="read",
                added=start - timedelta(days=3),
                readings=[Reading(week=2, week_start=start + timedelta(days=7))],
            ),
            Paper(key="b", title="B", added=start + timedelta(days=8)),
            Paper(key="c", title="C", status="read", readings=[Reading(week=1, date=start)]),
        ],
        weeks=[WeekInfo(week=1, start=start), WeekInfo(week=2, start=start + timedelta(days=7))],
    )
    stats = compute_stats(library, library.load_papers(), library.load_weeks(), None)
    assert [(p.week, p.size, p.added, p.read) for p in stats.wishlist] == [
        (1, 1, 0, 0),
        (2, 1, 1, 1),
    ]


def test_readings_without_a_week_number_find_their_week(library: Library) -> None:
    start = date(2021, 3, 1)
    library.write_all(
        papers=[
            Paper(key="a", title="A", status="read", readings=[Reading(week=1, week_start=start)]),
            Paper(key="b", title="B", status="read", readings=[Reading(date=start + timedelta(2))]),
            Paper(key="c", title="C", status="read", readings=[Reading(date=start + timedelta(9))]),
        ],
        weeks=[WeekInfo(week=1, start=start)],
    )
    stats = compute_stats(library, library.load_papers(), library.load_weeks(), date(2021, 3, 10))
    assert [(w.week, w.read) for w in stats.weeks] == [(1, 2), (2, 1)]


def test_a_missing_week_number_counts_as_zero(library: Library) -> None:
    library.write_all(
        papers=[
            Paper(key="a", title="A", status="read", readings=[Reading(week=1)]),
            Paper(key="b", title="B", status="read", readings=[Reading(week=3)]),
        ]
    )
    stats = compute_stats(library, library.load_papers(), [], None)
    assert [(w.week, w.read) for w in stats.weeks] == [(1, 1), (2, 0), (3, 1)]


def test_an_empty_library_has_empty_stats(library: Library) -> None:
    stats = compute_stats(library, [], [], date(2021, 1, 1))
    assert stats.weeks == [] and stats.streak == 0 and stats.totals["readings"] == 0
    assert "Streak: 0" in render_text(stats)


def test_review_summary(seed_lib: Library) -> None:
    papers = {p.key: p for p in seed_lib.load_papers()}
    for key in ("paper-1-0", "paper-2-0", "paper-13-0"):
        papers[key].takeaways = ["an idea"]
    seed_lib.save_papers(papers.values())
    due = grade(seed_lib, "paper-1-0", "easy", moment_of(date(2020, 6, 28))).due.date()
    assert due > date(2020, 7, 5)
    on = compute_stats(seed_lib, seed_lib.load_papers(), seed_lib.load_weeks(), date(2020, 7, 5))
    # paper-2-0 (read in Wk2) is new, paper-1-0 is graded and not due yet, and paper-13-0 is
    # read in October: not a card yet
    assert on.review == {"cards": 2, "graded": 1, "due": 1}
    later = compute_stats(seed_lib, seed_lib.load_papers(), seed_lib.load_weeks(), due)
    assert later.review == {"cards": 2, "graded": 1, "due": 2}
    assert "papers with key ideas" in render_text(on)
    assert compute_stats(seed_lib, seed_lib.load_papers(), [], None).review is None


def test_a_day_before_the_log_began_has_no_weeks(seed_lib: Library) -> None:
    stats = compute_stats(seed_lib, seed_lib.load_papers(), seed_lib.load_weeks(), date(2020, 6, 1))
    assert stats.weeks == [] and stats.totals["readings"] == 0
    assert stats.wishlist == [] and stats.totals["wishlist"] == 1  # wish-b is added later


@settings(deadline=None)
@given(st.lists(st.booleans(), max_size=40))
def test_streaks_match_a_brute_force_count(met: list[bool]) -> None:
    current, longest = streaks(met)
    runs = [j - i for i in range(len(met) + 1) for j in range(i, len(met) + 1) if all(met[i:j])]
    assert longest == max(runs)
    assert current == max(j - i for i in range(len(met) + 1) for j in [len(met)] if all(met[i:]))


@settings(deadline=None)
@given(st.floats(min_value=0, max_value=100), st.floats(min_value=0.1, max_value=100))
def test_bars_never_exceed_their_width(value: float, scale: float) -> None:
    assert len(bar(value, scale, 20)) <= 20


def test_venue_name_reads_a_label_through_the_venue_table() -> None:
    assert venue_name(Paper(key="a", title="A", venue_label="NNLS 2020")) == ("TNNLS", "NNLS 2020")
    assert venue_name(Paper(key="a", title="A", venue_label="CVPR'18")) == ("CVPR", "CVPR'18")
    assert venue_name(Paper(key="a", title="A", venue_label="BHI Journal 2017")) == (
        "BHI Journal",
        "BHI Journal 2017",
    )
    assert venue_name(Paper(key="a", title="A", venue_label="2020")) is None
    # a notes app, not a venue: the seed's hand-written notes bundles carry this badge
    assert venue_name(Paper(key="a", title="A", kind="notes", venue_label="Goodnotes")) is None
    assert venue_name(Paper(key="a", title="A", venue="NeurIPS", venue_label="NIPS 2019")) == (
        "NeurIPS",
        None,
    )


def test_text_report_shows_every_week(seed_lib: Library) -> None:
    stats = compute_stats(seed_lib, seed_lib.load_papers(), seed_lib.load_weeks(), None)
    text = render_text(stats)
    for week in stats.weeks:
        assert f"Wk{week.week} " in text
    assert "longest 3" in text


# --- the real seed, through the README importer -----------------------------------------------


def test_real_seed_import_matches_the_seed_counts(seed_path: Path, library: Library) -> None:
    readme_import = pytest.importorskip(
        "paperlog.services.import_readme", reason="the README importer has not landed yet"
    )
    readme_import.import_readme(library, seed_path)
    stats = compute_stats(library, library.load_papers(), library.load_weeks(), None)
    assert [w.read for w in stats.weeks] == SEED_COUNTS
    assert [w.week for w in stats.weeks if w.met] == SEED_MET
    assert stats.totals["readings"] == 65
    assert stats.totals["papers_read"] == 64
    assert (stats.streak, stats.longest_streak) == (0, 3)
