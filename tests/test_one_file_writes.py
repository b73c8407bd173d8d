"""A daily command touches only what it needs: ``done``, ``start`` and queue moves on a
1,000-paper library write exactly one paper file (plus the index, and ``weeks.yaml`` when a
reading opens a week), whatever the paper's place in the queue."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import run_cli
from paperlog.library import Library
from paperlog.model import Config, Paper, Reading, WeekInfo

COUNT = 1_000
START = date(2020, 1, 6)  # a Monday


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One library of 1,000 papers (two thirds read, the rest queued with ranks 1..n, as an
    older paperlog numbered them), made once and copied per test."""
    root = tmp_path_factory.mktemp("big") / "lib"
    lib = Library.create(root, Config())
    papers = []
    rank = 0
    for i in range(COUNT):
        read = i % 3 != 2
        if not read:
            rank += 1
        week = i // 6
        papers.append(
            Paper(
                key=f"p{i:04d}",
                title=f"Paper number {i}",
                status="read" if read else "wish",
                track="depth" if i % 2 else "breadth",
                rank=None if read else rank,
                readings=[Reading(week + 1, START + timedelta(weeks=week), "G", order=i % 6)]
                if read
                else [],
            )
        )
    lib.save_papers(papers)
    # as an import writes it: every week, newest first
    lib.save_weeks(
        [
            WeekInfo(w + 1, START + timedelta(weeks=w), groups=["G"])
            for w in range(COUNT // 6, -1, -1)
        ]
    )
    return root


@pytest.fixture
def root(template: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "lib"
    shutil.copytree(template, target)
    assert run_cli("search", "paper", "--limit", "1", library=target).returncode == 0  # index
    return target


def _snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file outside .paperlog/: (inode, mtime_ns, bytes)."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".paperlog" not in path.parts and ".git" not in path.parts:
            st = path.stat()
            out[str(path.relative_to(root))] = (st.st_ino, st.st_mtime_ns, path.read_bytes())
    return out


def _changed(before: dict[str, tuple[int, int, bytes]], root: Path) -> list[str]:
    after = _snapshot(root)
    assert after.keys() == before.keys(), "files were added or removed"
    return sorted(name for name in after if after[name] != before[name])


def _queue(root: Path) -> list[str]:
    import json

    result = run_cli("queue", "--json", library=root)
    assert result.returncode == 0, result.stderr
    return [item["key"] for item in json.loads(result.stdout)]


@pytest.mark.parametrize("where", ["first", "last"])
def test_done_writes_one_paper_file(root: Path, where: str) -> None:
    queue = _queue(root)
    key = queue[0] if where == "first" else queue[-1]
    # a day in the last week the library knows: the week exists, weeks.yaml stays as it is
    day = (START + timedelta(weeks=(COUNT - 1) // 6)).isoformat()
    before = _snapshot(root)
    result = run_cli("done", key, "--date", day, library=root)
    assert result.returncode == 0, result.stderr
    assert _changed(before, root) == [f"papers/{key}.md"]
    assert _queue(root) == [k for k in queue if k != key]


def test_done_opening_a_week_also_writes_weeks_yaml(root: Path) -> None:
    key = _queue(root)[0]
    before = _snapshot(root)
    result = run_cli("done", key, library=root)  # today: a week the library has not seen
    assert result.returncode == 0, result.stderr
    assert _changed(before, root) == [f"papers/{key}.md", "weeks.yaml"]


def test_queue_moves_write_one_paper_file_once_ranks_have_gaps(root: Path) -> None:
    queue = _queue(root)
    before = _snapshot(root)
    # ranks 1..n (an older library) have no room between them: numbered again, once
    assert run_cli("queue", "up", queue[10], library=root).returncode == 0
    assert len(_changed(before, root)) > 1
    expected = [*queue[:9], queue[10], queue[9], *queue[11:]]
    assert _queue(root) == expected
    for args, key in ((("up", "3"), queue[200]), (("down",), queue[5]), (("top",), queue[300])):
        before = _snapshot(root)
        result = run_cli("queue", args[0], key, *args[1:], library=root)
        assert result.returncode == 0, result.stderr
        assert _changed(before, root) == [f"papers/{key}.md"], args
    assert _queue(root)[0] == queue[300]


def test_start_writes_one_paper_file(root: Path) -> None:
    key = _queue(root)[100]
    before = _snapshot(root)
    assert run_cli("start", key, library=root).returncode == 0
    assert _changed(before, root) == [f"papers/{key}.md"]


def test_a_queue_move_shows_its_neighbourhood_not_the_whole_queue(root: Path) -> None:
    queue = _queue(root)
    result = run_cli("queue", "up", queue[100], "2", library=root)
    assert result.returncode == 0, result.stderr
    shown = [line.split("\t")[1] for line in result.stdout.splitlines()]
    assert shown == [*queue[93:98], queue[100], *queue[98:100], *queue[101:104]]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_windowed_queue_move_reads_a_slice_and_moves_as_the_whole_queue_does(
    tmp_path: Path, seed: int
) -> None:
    """``queue up/down/top`` (the CLI shows a window) find the item's new neighbours from the
    queue's slice around it, not every waiting key: the queue and the window shown come out as
    the same move made on the whole list, ranks tied, unranked items and the ends included."""
    import random

    from paperlog.index import Index
    from paperlog.plan.log import queue_down, queue_top, queue_up

    rng = random.Random(seed)
    lib = Library.create(tmp_path / "lib", Config())
    ranks = [rng.choice([None, 3, 7, 7, *range(8, 4000, 97)]) for _ in range(40)]
    lib.save_papers(
        [Paper(key=f"q{i:02d}", title=f"Q {i}", rank=r) for i, r in enumerate(ranks)]
        + [Paper(key=f"r{i}", title=f"R {i}", status="read") for i in range(5)]
    )
    with Index.open(lib) as index:
        model = [k for k, _ in index.queue_ranks()]
    for _ in range(30):
        key = rng.choice(model)
        kind, steps = rng.choice(["up", "down", "top"]), rng.choice([1, 2, 5, 50])
        old = model.index(key)
        target = 0 if kind == "top" else old + (-steps if kind == "up" else steps)
        target = min(max(target, 0), len(model) - 1)
        model.remove(key)
        model.insert(target, key)
        if kind == "up":
            moved = queue_up(lib, key, steps, window=5)
        elif kind == "down":
            moved = queue_down(lib, key, steps, window=5)
        else:
            moved = queue_top(lib, key, window=5)
        first = max(0, target - 5)
        assert [p.key for p in moved] == model[first : target + 6], (kind, key, steps)
        assert moved.first == first + 1
        with Index.open(lib) as index:
            assert [k for k, _ in index.queue_ranks()] == model
