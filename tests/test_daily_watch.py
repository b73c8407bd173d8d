"""Daily commands beside a running watcher (issue 11, ``done (last in queue)`` at 100k): each
``done`` writes one paper file, the watcher re-reads exactly that file, and no command falls
back to the full scan or to verifying every row of the index.

The miss this guards: the watcher applies the previous ``done``'s file a moment after it is
written; a command that read the clean marker while the watcher was between its commit and
its mark took the watcher's write for a crash and verified all 100,000 rows (5.5 s instead of
0.12 s, in some runs only). Commands now ask the watcher first and read the marker after its
answer (``Index.open``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import run_cli
from paperlog.index import Index
from paperlog.index_check import was_closed_cleanly
from paperlog.index_fresh import table_rows_if_fresh
from paperlog.library import Library
from paperlog.model import Config, Paper, Reading, WeekInfo
from paperlog.query import parse_query
from test_watch import Running

pytestmark = pytest.mark.skipif(os.uname().sysname != "Linux", reason="inotify is Linux's")

COUNT = 300
START = date(2020, 1, 6)  # a Monday


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    """300 papers: two thirds read over 50 weeks, the rest queued with gapped ranks."""
    library = Library.create(tmp_path / "lib", Config())
    papers = []
    for i in range(COUNT):
        read = i % 3 != 2
        week = i // 6
        papers.append(
            Paper(
                key=f"p{i:03d}",
                title=f"Paper number {i}",
                status="read" if read else "wish",
                rank=None if read else (i + 1) * 1024,
                readings=[Reading(week + 1, START + timedelta(weeks=week), "G", order=i % 6)]
                if read
                else [],
            )
        )
    library.save_papers(papers)
    # as an import writes it: every week, newest first
    library.save_weeks(
        [WeekInfo(w + 1, START + timedelta(weeks=w), groups=["G"]) for w in range(49, -1, -1)]
    )
    Index.open(library).close()
    return library


@pytest.fixture
def watching(lib: Library) -> Iterator[Running]:
    running = Running(lib)
    yield running
    running.close()


def _snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".paperlog" not in path.parts:
            st = path.stat()
            out[str(path.relative_to(root))] = (st.st_ino, st.st_mtime_ns, path.read_bytes())
    return out


def _search(root: Path, word: str) -> list[str]:
    result = run_cli("search", word, library=root)
    assert result.returncode == 0, result.stderr
    return [line.split("\t")[0] for line in result.stdout.splitlines()]


def test_consecutive_dones_of_the_queues_tail_write_one_file_and_never_scan(
    lib: Library, watching: Running
) -> None:
    # An edit the watcher cannot see: through a hard link outside papers/ (inotify reports
    # an event to the folder the file was opened through). Only a command's full scan (a
    # stat per file) would notice it, so while it stays unfound no command scanned.
    hidden = lib.root / "outside-link.md"
    os.link(lib.paper_path("p000"), hidden)
    with hidden.open("a", encoding="utf-8") as handle:
        handle.write("\nokapiword\n")
    queue = [f"p{i:03d}" for i in range(COUNT) if i % 3 == 2]
    day = (START + timedelta(weeks=(COUNT - 1) // 6)).isoformat()  # a week weeks.yaml has
    for n, key in enumerate(reversed(queue[-6:]), start=1):  # the tail, six times running
        before = _snapshot(lib.root)
        result = run_cli("done", key, "--date", day, library=lib.root)
        assert result.returncode == 0, result.stderr
        after = _snapshot(lib.root)
        assert sorted(k for k in after if after[k] != before.get(k)) == [f"papers/{key}.md"]
        with Index.open(lib) as index:  # asks the watcher, which applies the write first
            assert index.last_sync.watched and not index.last_sync.verified
            assert index.papers([key])[0].status == "read"
        assert watching.watcher.applied == n  # exactly one file re-read per done
    assert _search(lib.root, "okapiword") == []  # no command scanned
    watching.close()
    assert _search(lib.root, "okapiword") == ["p000"]  # with no watcher, the scan sees it


def test_a_command_during_the_watchers_write_does_not_verify_the_index(
    lib: Library, watching: Running
) -> None:
    index_path = lib.state_dir / "index.sqlite"
    watcher_index = watching.watcher._index
    mark = watcher_index.mark_clean
    inside, release = threading.Event(), threading.Event()

    def mark_later() -> None:
        # The watcher has committed the change and not marked it yet: hold it there.
        inside.set()
        assert release.wait(30)
        mark()

    watcher_index.mark_clean = mark_later  # type: ignore[method-assign]
    lib.save_paper(Paper(key="okapi", title="Okapi Ranking Revisited"))
    assert inside.wait(30), "the watcher did not apply the change by itself"
    # Exactly the moment the bench hit: the marker disagrees with the index file.
    assert not was_closed_cleanly(index_path)
    threading.Timer(0.2, release.set).start()  # the watcher finishes while the command asks
    with Index.open(lib) as index:
        assert index.last_sync.watched
        assert not index.last_sync.verified  # read after the watcher's answer: clean
        assert [p.key for p in index.papers(["okapi"])] == ["okapi"]
    assert was_closed_cleanly(index_path)


def test_the_search_fast_path_during_the_watchers_write_answers_by_itself(
    lib: Library, watching: Running
) -> None:
    """The search fast path (``index_fresh.table_rows_if_fresh``) asks the watcher before it
    reads the marker, as ``Index.open`` does: caught between the watcher's commit and its mark,
    it waits for the answer and answers from the index, instead of taking the watcher's write
    for a crash and leaving for the full path (which would verify every row)."""
    index_path = lib.state_dir / "index.sqlite"
    watcher_index = watching.watcher._index
    mark = watcher_index.mark_clean
    inside, release = threading.Event(), threading.Event()

    def mark_later() -> None:
        inside.set()
        assert release.wait(30)
        mark()

    watcher_index.mark_clean = mark_later  # type: ignore[method-assign]
    lib.save_paper(Paper(key="okapi", title="Okapi Ranking Revisited"))
    assert inside.wait(30), "the watcher did not apply the change by itself"
    assert not was_closed_cleanly(index_path)
    threading.Timer(0.2, release.set).start()
    rows = table_rows_if_fresh(lib.root, parse_query("okapi"), None)
    assert rows is not None, "the fast path read the marker before the watcher's answer"
    assert [row[0] for row in rows] == ["okapi"]  # fresh: the write the watcher just applied
    assert was_closed_cleanly(index_path)  # the watcher's mark, not overwritten


def test_a_write_by_another_program_is_still_verified_beside_a_watcher(
    lib: Library, watching: Running
) -> None:
    import sqlite3

    with Index.open(lib) as index:
        assert not index.last_sync.verified
    # Another program changes the index behind the watcher's back: the watcher's next
    # write must not mark that as sound, so the next command verifies (and rebuilds).
    con = sqlite3.connect(lib.state_dir / "index.sqlite")
    con.execute("UPDATE papers SET status = 'wish'")  # the JSON and its checksum intact
    con.commit()
    con.close()
    lib.save_paper(Paper(key="okapi", title="Okapi Ranking Revisited"))
    # the fast path leaves it to the full path, which verifies
    assert table_rows_if_fresh(lib.root, parse_query("okapi"), None) is None
    with Index.open(lib) as index:
        assert index.last_sync.rebuilt  # verified, found wrong, built again from the files
        assert len(index.search("status:read")) == 200
    with Index.open(lib) as index:
        assert index.last_sync.watched and not index.last_sync.verified  # clean again
