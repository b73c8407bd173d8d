"""The plan commands as a user runs them (real subprocesses): a whole week, then bad input."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from paperlog.library import Library
from paperlog.model import Paper

MON = date(2024, 5, 6)


def _day(offset: int) -> str:
    return (MON + timedelta(days=offset)).isoformat()


def _json(*args: str, library: Path) -> Any:
    result = run_cli(*args, "--json", library=library)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _library(library: Library) -> Path:
    papers = [
        Paper(f"breadth-{i}", f"Breadth paper {i}", status="wish", track="breadth", rank=i)
        for i in (1, 2, 3)
    ]
    papers += [
        Paper(
            f"depth-{i}",
            f"Depth paper {i}",
            status="wish",
            track="depth",
            rank=3 + i,
            wish_group="Depth: SSL",
            url=f"https://example.org/depth-{i}",
        )
        for i in (1, 2, 3, 4, 5)
    ]
    library.save_papers(papers)
    return library.root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".paperlog" not in p.parts
    }


def test_a_whole_week(library: Library) -> None:
    root = _library(library)
    # Monday: the plan suggests, the user reads it
    monday = _json("today", "--date", _day(0), library=root)
    assert monday["date"] == _day(0) and monday["key"] == "depth-1"
    assert "depth" in monday["reason"]
    done = run_cli("done", monday["key"], "--date", _day(0), library=root)
    assert done.returncode == 0, done.stderr
    assert "Wk1" in done.stdout
    # Tuesday: breadth is behind now
    tuesday = _json("today", "--date", _day(1), library=root)
    assert tuesday["key"] == "breadth-1"
    # the user skips it: the next suggestion replaces it for Tuesday only
    skipped = _json("skip", "--date", _day(1), library=root)
    assert skipped["skipped"] == "breadth-1"
    assert skipped["next"]["key"] == "breadth-2"
    assert _json("today", "--date", _day(1), library=root)["key"] == "breadth-2"
    assert (
        run_cli(
            "done", "breadth-2", "--date", _day(1), "--group", "Breadth", library=root
        ).returncode
        == 0
    )
    # Wednesday: the user moves a depth paper to the front and pins one to Friday
    moved = run_cli("queue", "top", "depth-4", library=root)
    assert moved.returncode == 0, moved.stderr
    queue = _json("queue", library=root)
    assert [q["key"] for q in queue][:2] == ["depth-4", "breadth-1"]
    ranks = [q["rank"] for q in queue]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    pin = run_cli("queue", "pin", "breadth-3", _day(4), "--date", _day(2), library=root)
    assert pin.returncode == 0, pin.stderr
    assert run_cli("queue", "down", "depth-4", "2", library=root).returncode == 0
    assert [q["key"] for q in _json("queue", library=root)][:3] == [
        "breadth-1",
        "breadth-3",
        "depth-4",
    ]
    assert run_cli("queue", "up", "depth-4", library=root).returncode == 0
    wednesday = _json("today", "--date", _day(2), library=root)
    assert wednesday["key"] == "depth-4"
    # the coming days: Friday holds the pin, Sunday is the review, nothing repeats
    coming = _json("today", "--date", _day(2), "--next", "5", library=root)
    assert [c["date"] for c in coming] == [_day(i) for i in range(2, 7)]
    assert coming[2]["key"] == "breadth-3" and "pinned" in coming[2]["reason"]
    assert coming[4]["kind"] == "review" and coming[4]["key"] is None
    keys = [c["key"] for c in coming if c["key"]]
    assert len(keys) == len(set(keys)) == 4
    for offset, key in [(2, "depth-4"), (3, "depth-2"), (4, "breadth-3")]:
        result = run_cli(
            "done", key, "--date", _day(offset), "--edit", library=root, env={"EDITOR": "true"}
        )
        assert result.returncode == 0, result.stderr
    # the week as the README shows it, with pace against the plan
    week = _json("week", "--date", _day(5), library=root)
    assert (week["week"], week["week_start"], week["read"], week["target"]) == (1, _day(0), 5, 6)
    assert week["by_track"] == {
        "breadth": {"read": 2, "target": 2},
        "depth": {"read": 3, "target": 4},
    }
    assert week["remaining"] == {"papers": 1, "days": 1, "reading_days": [_day(5)]}
    names = [g["name"] for g in week["groups"]]
    assert names[:2] == ["Depth: SSL", "Breadth"]
    order = [e["key"] for g in week["groups"] for e in g["entries"]]
    assert sorted(order) == sorted(["depth-1", "breadth-2", "depth-4", "depth-2", "breadth-3"])
    text = run_cli("week", "1", "--date", _day(5), library=root)
    assert text.returncode == 0
    assert "Wk1 - 2024.05.06" in text.stdout and "read 5 of 6" in text.stdout
    # Sunday: the review
    sunday = _json("today", "--date", _day(6), library=root)
    assert sunday["key"] is None and "review" in sunday["reason"]
    plain = run_cli("today", "--date", _day(6), library=root)
    assert "paperlog review" in plain.stdout
    # reading a paper again the next week adds a second reading
    assert run_cli("done", "depth-1", "--date", _day(8), library=root).returncode == 0
    again = Library.open(root).load_paper("depth-1")
    assert [r.week for r in again.readings] == [1, 2]


def test_start_marks_reading(library: Library) -> None:
    root = _library(library)
    result = run_cli("start", "depth-3", library=root)
    assert result.returncode == 0, result.stderr
    assert Library.open(root).load_paper("depth-3").status == "reading"
    assert _json("today", "--date", _day(0), library=root)["key"] == "depth-3"


def test_bad_input_is_one_line_nonzero_and_writes_nothing(library: Library) -> None:
    root = _library(library)
    before = _snapshot(root)
    future = run_cli("done", "depth-1", "--date", "2999-01-01", library=root)
    assert future.returncode != 0
    assert "after today" in future.stderr and len(future.stderr.strip().splitlines()) == 1
    unknown = run_cli("done", "no-such-paper", "--date", _day(0), library=root)
    assert unknown.returncode != 0 and "no-such-paper" in unknown.stderr
    assert run_cli("queue", "up", "no-such-paper", library=root).returncode != 0
    assert _snapshot(root) == before
    # a plan whose shares do not add up is refused by every command, naming paperlog.toml
    config = root / "paperlog.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("share = 0.6666666666666666", "share = 0.9"),
        encoding="utf-8",
    )
    before = _snapshot(root)
    for args in (
        ["today", "--date", _day(0)],
        ["done", "depth-1", "--date", _day(0)],
        ["week", "--date", _day(0)],
        ["queue"],
    ):
        bad = run_cli(*args, library=root)
        assert bad.returncode != 0, args
        assert "paperlog.toml" in bad.stderr and "add up to 1" in bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1
    assert _snapshot(root) == before


def test_week_with_unknown_number_and_empty_wish_list(library: Library) -> None:
    root = library.root
    missing = run_cli("week", "4", "--date", _day(0), library=root)
    assert missing.returncode != 0 and "no week 4" in missing.stderr
    empty = _json("today", "--date", _day(0), library=root)
    assert empty["key"] is None and "wish-list is empty" in empty["reason"]
    assert run_cli("skip", "--date", _day(0), library=root).returncode != 0


def test_export_ics_to_a_file(library: Library, tmp_path: Path) -> None:
    from icalendar import Calendar

    root = _library(library)
    out = tmp_path / "plan.ics"
    result = run_cli(
        "export", "ics", "--date", _day(2), "--weeks", "2", "-o", str(out), library=root
    )
    assert result.returncode == 0, result.stderr
    cal = Calendar.from_ical(out.read_bytes())
    events = list(cal.walk("VEVENT"))
    # Wed..Sat of week 1 and Mon..Sat of week 2 (10 reading days for 8 items), two review days
    assert len(events) == 12
    summaries = [str(e["SUMMARY"]) for e in events]
    assert sum(s.startswith("Read: ") and "empty" not in s for s in summaries) == 8
    assert summaries.count("Read: (wish-list empty)") == 2
    assert summaries.count("Review Wk1") == 1 and summaries.count("Review Wk2") == 1
    stdout = run_cli("export", "ics", "--date", _day(2), "--weeks", "2", library=root)
    again = Calendar.from_ical(stdout.stdout)
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [str(e["UID"]) for e in events]


def test_the_plan_on_the_imported_seed(library: Library, seed_path: Path) -> None:
    readme_import = pytest.importorskip(
        "paperlog.services.import_readme", reason="the README importer has not landed yet"
    )
    readme_import.import_readme(library, seed_path)
    root = library.root
    # Wk13 (written 2020.10.20, a Tuesday) holds Thursday 2020-10-22
    wk13 = _json("week", "--date", "2020-10-22", library=root)
    assert (wk13["week"], wk13["week_start"]) == (13, "2020-10-20")
    assert wk13["read"] > 0 and wk13["remaining"]["days"] == 3
    # the seed's wish-list has breadth items and no depth ones: the plan says so
    queue = _json("queue", library=root)
    monday = _json("today", "--date", "2020-10-26", library=root)
    assert monday["key"] == next(q["key"] for q in queue if q["track"] == "breadth")
    assert "no depth item is waiting" in monday["reason"]
    # reading it opens Wk14 on the next calendar Monday
    done = run_cli("done", monday["key"], "--date", "2020-10-26", "--json", library=root)
    assert done.returncode == 0, done.stderr
    logged = json.loads(done.stdout)
    assert (logged["week"], logged["week_start"], logged["new_week"]) == (14, "2020-10-26", True)
    assert logged["group"] == next(q["wish_group"] for q in queue if q["key"] == monday["key"])
    # a day in the six-week pause would steal Wk12's number: refused, nothing written
    before = _snapshot(root)
    paused = run_cli("done", queue[1]["key"], "--date", "2020-09-23", library=root)
    assert paused.returncode != 0 and "Wk12" in paused.stderr
    assert _snapshot(root) == before


def test_the_queue_shows_places_not_the_gapped_ranks(library: Library) -> None:
    """Ranks only order and have gaps after a renumbering (1024, 2048, ...); a user sees the
    place in the queue, in the table, in --json (`position`), after a move, and in `today`."""
    root = _library(library)
    assert run_cli("queue", "top", "depth-5", library=root).returncode == 0  # renumbers
    queue = _json("queue", library=root)
    assert [q["position"] for q in queue] == list(range(1, len(queue) + 1))
    assert queue[0]["key"] == "depth-5" and queue[1]["rank"] > 2  # gaps in the stored ranks
    table = run_cli("queue", library=root)
    assert [line.split("\t")[:2] for line in table.stdout.splitlines()][:3] == [
        ["1", "depth-5"],
        ["2", "breadth-1"],
        ["3", "breadth-2"],
    ]
    moved = run_cli("queue", "down", "breadth-2", "3", library=root)
    assert moved.returncode == 0, moved.stderr
    assert ["6", "breadth-2"] in [line.split("\t")[:2] for line in moved.stdout.splitlines()]
    assert _json("queue", library=root)[5]["key"] == "breadth-2"
    from paperlog.index import Index

    Library.open(root).save_paper(Paper("unranked-1", "Unranked", status="wish"))
    with Index.open(Library.open(root)) as index:
        ranks = index.queue_ranks()
        assert [index.queue_position(k) for k, _ in ranks] == list(range(1, len(ranks) + 1))
        assert ranks[-1] == ("unranked-1", None)
        assert index.queue_position("no-such-key") is None
    today = _json("today", "--date", _day(0), library=root)
    assert "next in queue order" in today["reason"] and "#1024" not in today["reason"]


def test_queue_remove_deletes_one_waiting_item_and_refuses_a_read_one(library: Library) -> None:
    """The web's Queue page could remove an item; the CLI had no command for it."""
    root = _library(library)
    assert run_cli("done", "breadth-1", "--date", _day(0), library=root).returncode == 0
    before = _snapshot(root)
    removed = run_cli("queue", "remove", "depth-2", library=root)
    assert removed.returncode == 0, removed.stderr
    assert "Removed Depth paper 2 [depth-2] from the wish-list" in removed.stdout
    after = _snapshot(root)
    assert set(before) - set(after) == {"papers/depth-2.md"}
    assert all(after[name] == before[name] for name in after)  # no other file written
    assert [q["key"] for q in _json("queue", library=root)][:3] == [
        "breadth-2",
        "breadth-3",
        "depth-1",
    ]
    refused = run_cli("queue", "remove", "breadth-1", library=root)
    assert refused.returncode == 4
    assert "has readings in the log" in refused.stderr and "\n" not in refused.stderr.strip()
    assert (root / "papers" / "breadth-1.md").read_bytes() == after["papers/breadth-1.md"]
