"""What the plan suggests: track balance, focus topics, pins, skips, no repeats, review day.

Small libraries are written to disk with Library.save_paper and loaded back, so the schedule
sees exactly what the files say.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlog.errors import NotFound, ValidationError
from paperlog.library import Library
from paperlog.model import Config, Paper, Plan, Reading, Topic, Track, WeekInfo
from paperlog.plan.calendar import track_targets
from paperlog.plan.log import (
    log_reading,
    queue_down,
    queue_pin,
    queue_top,
    queue_unpin,
    queue_up,
    skip,
    start_reading,
)
from paperlog.plan.schedule import queue_order, suggest_days, suggest_today, week_report

MON = date(2024, 5, 6)  # a Monday
SUN = date(2024, 5, 12)


def _wish(key: str, rank: int | None, track: str | None, topics: list[str] | None = None) -> Paper:
    return Paper(key, f"Title {key}", status="wish", rank=rank, track=track, topics=topics or [])


def _lib(library: Library, papers: list[Paper], plan: Plan | None = None) -> Library:
    if plan is not None or any(p.topics for p in papers):
        config = Config(
            topics=[Topic("Uns", "Unsupervised"), Topic("Seg", "Segmentation")],
            plan=plan or Plan(),
        )
        library.config = config
        library.save_config()
    library.save_papers(papers)
    return library


def _suggest(library: Library, day: date, count: int = 1) -> list[str | None]:
    days = suggest_days(
        library.config.plan, library.load_papers(), library.load_weeks(), day, count
    )
    return [s.paper.key if s.paper else None for s in days]


def test_depth_first_then_balance_follows_the_shares(library: Library) -> None:
    papers = [_wish(f"b{i}", i, "breadth") for i in range(1, 5)]
    papers += [_wish(f"d{i}", 4 + i, "depth") for i in range(1, 7)]
    _lib(library, papers)
    keys = _suggest(library, MON, 6)
    tracks = [k[0] if k else None for k in keys]
    # over the six reading days the plan reaches its 2 breadth / 4 depth targets
    assert tracks.count("b") == 2 and tracks.count("d") == 4
    # the larger share starts; then the furthest-behind track, so breadth is not left to Saturday
    assert tracks[0] == "d"
    assert tracks[1] == "b"
    # within a track, queue order
    assert [k for k in keys if k and k.startswith("d")] == ["d1", "d2", "d3", "d4"]


def test_logged_readings_count_towards_the_balance(library: Library) -> None:
    papers = [_wish("b1", 1, "breadth"), _wish("d1", 2, "depth"), _wish("d2", 3, "depth")]
    papers.append(
        Paper(
            "old",
            "Old depth",
            status="read",
            track="depth",
            readings=[Reading(1, MON, "G", MON, 1), Reading(1, MON, "G", MON + timedelta(1), 2)],
        )
    )
    library.save_weeks([WeekInfo(1, MON)])
    _lib(library, papers)
    s = suggest_today(
        library.config.plan, library.load_papers(), library.load_weeks(), MON + timedelta(2)
    )
    # depth has 2 of 4 (ratio 3 per unit share), breadth 0 of 2: breadth is behind
    assert s.paper is not None and s.paper.key == "b1"
    assert "breadth is furthest behind: 0 of 2" in s.reason


def test_focus_topics_come_before_queue_order(library: Library) -> None:
    plan = Plan(focus_topics=["Uns"])
    papers = [_wish("d1", 1, "depth", ["Seg"]), _wish("d2", 2, "depth", ["Uns"])]
    _lib(library, papers, plan)
    s = suggest_today(library.config.plan, library.load_papers(), [], MON)
    assert s.paper is not None and s.paper.key == "d2"
    assert "focus topic Uns" in s.reason


def test_started_item_comes_first_in_its_track(library: Library) -> None:
    _lib(library, [_wish("d1", 1, "depth"), _wish("d2", 2, "depth")])
    start_reading(library, "d2")
    assert library.load_paper("d2").status == "reading"
    assert _suggest(library, MON) == ["d2"]


def test_pins_win_on_their_day_and_wait_before_it(library: Library) -> None:
    papers = [_wish("d1", 1, "depth"), _wish("d2", 2, "depth"), _wish("b1", 3, "breadth")]
    _lib(library, papers)
    queue_pin(library, "b1", MON + timedelta(2))
    keys = _suggest(library, MON, 3)
    assert keys[2] == "b1"
    assert "b1" not in keys[:2]
    s = suggest_days(library.config.plan, library.load_papers(), [], MON, 3)[2]
    assert s.reason == f"pinned for {(MON + timedelta(2)).isoformat()}"
    queue_unpin(library, "b1")
    assert library.load_paper("b1").pinned is None


def test_pin_refuses_a_non_reading_day_and_a_read_item(library: Library) -> None:
    _lib(library, [_wish("d1", 1, "depth"), Paper("r", "Read", status="read")])
    with pytest.raises(ValidationError, match="not a reading day"):
        queue_pin(library, "d1", SUN)
    with pytest.raises(ValidationError, match="already read"):
        queue_pin(library, "r", MON)
    assert library.load_paper("d1").pinned is None


def test_review_day_and_empty_wish_list(library: Library) -> None:
    _lib(library, [Paper("r", "Read", status="read", readings=[Reading(1, MON, None, MON, 1)])])
    review = suggest_today(library.config.plan, library.load_papers(), [], SUN)
    assert review.kind == "review" and review.paper is None
    assert "paperlog review" in review.reason
    empty = suggest_today(library.config.plan, library.load_papers(), [], MON)
    assert empty.kind == "read" and empty.paper is None
    assert "wish-list is empty" in empty.reason


def test_a_day_that_is_neither_reading_nor_review_rests(library: Library) -> None:
    plan = Plan(reading_days=["mon", "tue", "wed", "thu", "fri"])
    _lib(library, [_wish("d1", 1, "depth")], plan)
    sat = suggest_today(library.config.plan, library.load_papers(), [], MON + timedelta(5))
    assert sat.kind == "rest" and sat.paper is None


def test_untracked_items_are_still_suggested(library: Library) -> None:
    _lib(library, [_wish("u1", 1, None), _wish("u2", 2, None)])
    assert _suggest(library, MON, 2) == ["u1", "u2"]


@settings(max_examples=25, deadline=None)
@given(
    ranks=st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=12),
    tracks=st.lists(st.sampled_from(["breadth", "depth", None]), min_size=12, max_size=12),
    days=st.integers(min_value=1, max_value=21),
    offset=st.integers(min_value=0, max_value=400),
)
def test_never_repeats_nor_suggests_read_items(
    tmp_path_factory: pytest.TempPathFactory,
    ranks: list[int],
    tracks: list[str | None],
    days: int,
    offset: int,
) -> None:
    library = Library.create(tmp_path_factory.mktemp("lib"))
    papers = [_wish(f"w{i}", r, tracks[i]) for i, r in enumerate(ranks)]
    papers.append(Paper("done", "Done", status="read", rank=None, track="depth"))
    _lib(library, papers)
    keys = [k for k in _suggest(library, MON + timedelta(offset), days) if k]
    assert len(keys) == len(set(keys))
    assert "done" not in keys
    # every reading day gets a paper while the wish-list lasts
    plan = library.config.plan
    reading_days = sum(
        1
        for i in range(days)
        if (MON + timedelta(offset + i)).strftime("%a").lower() in plan.reading_days
    )
    assert len(keys) == min(reading_days, len(ranks))


def test_done_logs_into_the_week_and_leaves_the_queue(library: Library) -> None:
    papers = [_wish("a", 1, "depth"), _wish("b", 2, "depth"), _wish("c", 3, "breadth")]
    papers[0].wish_group = "Depth: SSL"
    _lib(library, papers)
    first = log_reading(library, "a", MON, today=SUN)
    assert (first.reading.week, first.reading.week_start, first.reading.order) == (1, MON, 1)
    assert first.reading.group == "Depth: SSL"
    assert first.new_week
    second = log_reading(library, "c", MON + timedelta(1), today=SUN, group="Breadth")
    assert second.reading.order == 2 and not second.new_week
    a = library.load_paper("a")
    assert a.status == "read" and a.rank is None
    assert [p.key for p in queue_order(library.load_papers())] == ["b"]
    assert library.load_paper("b").rank == 2  # the others keep their ranks: one file written
    weeks = library.load_weeks()
    assert [(w.week, w.start, w.groups) for w in weeks] == [(1, MON, ["Depth: SSL", "Breadth"])]
    # reading again, the next week, adds a second reading (the seed's "(cont.)")
    again = log_reading(library, "a", MON + timedelta(8), today=SUN + timedelta(7))
    assert again.reading.week == 2 and len(library.load_paper("a").readings) == 2
    assert [w.week for w in library.load_weeks()] == [2, 1]


def test_done_refuses_the_future_an_unknown_key_and_a_double_log(library: Library) -> None:
    _lib(library, [_wish("a", 1, "depth")])
    before = library.paper_path("a").read_bytes()
    with pytest.raises(ValidationError, match="after today"):
        log_reading(library, "a", SUN, today=MON)
    with pytest.raises(NotFound, match="nope"):
        log_reading(library, "nope", MON, today=SUN)
    assert library.paper_path("a").read_bytes() == before
    assert library.load_weeks() == []
    log_reading(library, "a", MON, today=SUN)
    with pytest.raises(ValidationError, match="already has a reading"):
        log_reading(library, "a", MON, today=SUN)


def test_skip_passes_over_an_item_for_that_day_only(library: Library) -> None:
    _lib(library, [_wish("d1", 1, "depth"), _wish("d2", 2, "depth")])
    skipped, nxt = skip(library, MON)
    assert skipped.key == "d1"
    assert nxt.paper is not None and nxt.paper.key == "d2"
    assert library.load_paper("d1").extra["skipped"] == [MON]
    assert _suggest(library, MON) == ["d2"]
    assert _suggest(library, MON + timedelta(1)) == ["d1"]


def test_queue_moves_take_a_rank_between_the_neighbours(library: Library) -> None:
    _lib(library, [_wish(k, r, "depth") for k, r in [("a", 1), ("b", 5), ("c", 9), ("d", None)]])

    def order() -> list[tuple[str, int | None]]:
        return [(p.key, p.rank) for p in queue_order(library.load_papers())]

    queue_up(library, "c")
    assert order() == [("a", 1), ("c", 3), ("b", 5), ("d", None)]
    # after an unranked item there is no rank to place between: numbered again, with gaps
    queue_down(library, "a", 10)
    assert order() == [("c", 1024), ("b", 2048), ("d", 3072), ("a", 4096)]
    queue_top(library, "d")
    assert order() == [("d", 512), ("c", 1024), ("b", 2048), ("a", 4096)]
    queue_down(library, "d", 2)
    assert order() == [("c", 1024), ("b", 2048), ("d", 3072), ("a", 4096)]


def test_week_report_pace_and_what_is_left(library: Library) -> None:
    _lib(
        library,
        [
            _wish(k, i, t)
            for i, (k, t) in enumerate(
                [("b1", "breadth"), ("d1", "depth"), ("d2", "depth")], start=1
            )
        ],
    )
    for i, key in enumerate(["b1", "d1", "d2"]):
        log_reading(library, key, MON + timedelta(i), today=SUN)
    library.save_weeks([WeekInfo(1, MON, note="reduced reading", groups=[])])
    report = week_report(
        library.config.plan, library.load_papers(), library.load_weeks(), MON + timedelta(3)
    )
    data = report.to_json()
    assert (data["week"], data["read"], data["target"]) == (1, 3, 6)
    assert data["note"] == "reduced reading"
    assert data["by_track"] == {
        "breadth": {"read": 1, "target": 2},
        "depth": {"read": 2, "target": 4},
    }
    assert data["remaining"]["papers"] == 3
    assert data["remaining"]["days"] == 3  # Thu, Fri, Sat
    assert [e["key"] for g in data["groups"] for e in g["entries"]] == ["b1", "d1", "d2"]
    with pytest.raises(NotFound, match="no week 7"):
        week_report(library.config.plan, library.load_papers(), library.load_weeks(), MON, 7)


def test_done_in_a_pause_that_would_reuse_a_later_number_is_refused(library: Library) -> None:
    # the seed's pause: Wk11 on 2020-08-31, Wk12 on 2020-10-13, nothing read in between
    library.save_weeks([WeekInfo(12, date(2020, 10, 13)), WeekInfo(11, date(2020, 8, 31))])
    _lib(library, [_wish("a", 1, "depth")])
    weeks_before = library.weeks_path.read_bytes()
    with pytest.raises(ValidationError, match="Wk12, already belongs"):
        log_reading(library, "a", date(2020, 9, 23), today=date(2021, 1, 1))
    assert library.weeks_path.read_bytes() == weeks_before
    assert library.load_paper("a").readings == []
    # a day after the last week opens the next number
    logged = log_reading(library, "a", date(2020, 10, 28), today=date(2021, 1, 1))
    assert (logged.reading.week, logged.reading.week_start) == (13, date(2020, 10, 26))


def test_reason_notes_a_met_target_and_todays_reading(library: Library) -> None:
    _lib(library, [_wish(f"d{i}", i, "depth") for i in range(1, 9)])
    library.config.plan.papers_per_week = 2
    library.save_config()
    log_reading(library, "d1", MON, today=SUN)
    same_day = suggest_today(library.config.plan, library.load_papers(), library.load_weeks(), MON)
    assert same_day.paper is not None and same_day.paper.key == "d2"
    assert "already logged today: d1" in same_day.reason
    assert "an extra" not in same_day.reason
    log_reading(library, "d2", MON + timedelta(1), today=SUN)
    extra = suggest_today(
        library.config.plan, library.load_papers(), library.load_weeks(), MON + timedelta(2)
    )
    assert extra.paper is not None and "an extra: the week's 2 are already read" in extra.reason


def test_nothing_left_to_suggest_says_why(library: Library) -> None:
    _lib(library, [_wish("d1", 1, "depth"), _wish("d2", 2, "depth")])
    skip(library, MON, "d1")
    queue_pin(library, "d2", MON + timedelta(3))
    s = suggest_today(library.config.plan, library.load_papers(), [], MON)
    assert s.paper is None and "pinned to a later day" in s.reason
    skip(library, MON + timedelta(1), "d1")
    days = suggest_days(library.config.plan, library.load_papers(), [], MON + timedelta(1), 1)
    assert days[0].paper is None
    queue_unpin(library, "d2")
    skip(library, MON + timedelta(1), "d2")
    s = suggest_today(library.config.plan, library.load_papers(), [], MON + timedelta(1))
    assert s.paper is None and "skipped for this day" in s.reason


@settings(max_examples=60, deadline=None)
@given(
    weights=st.lists(st.floats(min_value=0.01, max_value=1), min_size=1, max_size=4),
    reading=st.integers(min_value=1, max_value=6),
)
def test_a_full_week_meets_every_track_target(weights: list[float], reading: int) -> None:
    total = sum(weights)
    days = ["mon", "tue", "wed", "thu", "fri", "sat"][:reading]
    plan = Plan(
        tracks=[Track(f"t{i}", w / total) for i, w in enumerate(weights)],
        reading_days=days,
        papers_per_week=reading,
    )
    papers = [
        _wish(f"t{i}-{j}", i * 10 + j, f"t{i}") for i in range(len(weights)) for j in range(7)
    ]
    got: dict[str, int] = {}
    for s in suggest_days(plan, papers, [], MON, 7):
        if s.paper is not None and s.paper.track is not None:
            got[s.paper.track] = got.get(s.paper.track, 0) + 1
    assert got == {t: n for t, n in track_targets(plan).items() if n}
