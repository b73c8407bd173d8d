"""``paperlog watch``: commands trust a live watcher instead of a stat per file, and still see
every edit; with no watcher (or a dead one) they scan as before."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import run_cli
from paperlog.errors import PaperlogError
from paperlog.index import Index
from paperlog.library import Library
from paperlog.model import Config, Paper
from paperlog.watch import SOCKET_NAME, Watcher

pytestmark = pytest.mark.skipif(os.uname().sysname != "Linux", reason="inotify is Linux's")


def _papers() -> list[Paper]:
    return [
        Paper(key=f"paper-{i:02d}", title=f"Learning Feature Number {i:02d}", year=2000 + i)
        for i in range(12)
    ]


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    library = Library.create(tmp_path / "lib", Config())
    library.save_papers(_papers())
    return library


class Running:
    """A watcher in a thread, stopped at the end of the test."""

    def __init__(self, library: Library) -> None:
        self.watcher = Watcher(library)
        self.stop = threading.Event()
        ready = threading.Event()
        self.error: BaseException | None = None

        def target() -> None:
            try:
                self.watcher.run(self.stop, ready.set)
            except BaseException as exc:  # surfaced by the test
                self.error = exc
                ready.set()

        self.thread = threading.Thread(target=target, daemon=True)
        self.thread.start()
        assert ready.wait(30), "the watcher did not start"
        assert self.error is None, self.error

    def close(self) -> None:
        self.stop.set()
        self.thread.join(30)


@pytest.fixture
def watching(lib: Library) -> Iterator[Running]:
    running = Running(lib)
    yield running
    running.close()


def _search(lib: Library, *words: str) -> list[str]:
    result = run_cli("search", *words, library=lib.root)
    assert result.returncode == 0, result.stderr
    return [line.split("\t")[0] for line in result.stdout.splitlines()]


def _edit_in_place_keeping_stat(path: Path, old: bytes, new: bytes) -> None:
    """What an editor that writes in place does, at worst: same size, same timestamp."""
    assert len(old) == len(new)
    before = path.stat()
    data = path.read_bytes()
    assert old in data
    with path.open("r+b") as handle:  # in place: same inode, no rename
        handle.write(data.replace(old, new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )


def test_commands_trust_a_live_watcher_without_scanning(lib: Library, watching: Running) -> None:
    with Index.open(lib) as index:
        assert index.last_sync.watched
        assert index.last_sync.unchanged == 0  # no file was looked at
        assert len(index) == 12


def test_same_size_same_mtime_edit_shows_in_the_next_search(
    lib: Library, watching: Running
) -> None:
    assert _search(lib, "zebra") == []
    _edit_in_place_keeping_stat(lib.paper_path("paper-03"), b"Learning", b"Zebrass!")
    assert _search(lib, "zebrass") == ["paper-03"]


def test_added_and_deleted_files_show_in_the_next_search(lib: Library, watching: Running) -> None:
    lib.save_paper(Paper(key="okapi", title="Okapi Ranking Revisited"))
    lib.delete_paper("paper-05")
    assert _search(lib, "okapi") == ["okapi"]
    assert "paper-05" not in _search(lib, "learning")
    assert len(_search(lib, "learning")) == 11


def test_without_a_watcher_commands_scan(lib: Library) -> None:
    running = Running(lib)
    running.close()
    assert not (lib.state_dir / SOCKET_NAME).exists()  # a stopped watcher removes its socket
    with Index.open(lib) as index:
        assert not index.last_sync.watched
        # every file looked at (files written just now are re-read: the racy-git rule)
        assert index.last_sync.unchanged + index.last_sync.touched == 12


def test_a_dead_watchers_socket_is_not_trusted(lib: Library) -> None:
    Index.open(lib).close()
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(lib.state_dir / SOCKET_NAME))
    stale.close()  # the file stays, nobody listens: as after a kill -9
    lib.save_paper(Paper(key="okapi", title="Okapi Ranking Revisited"))
    with Index.open(lib) as index:
        assert not index.last_sync.watched
        assert index.last_sync.added == 1
    assert _search(lib, "okapi") == ["okapi"]


def test_index_rebuilt_by_a_command_while_watching(lib: Library, watching: Running) -> None:
    for path in lib.state_dir.iterdir():
        if path.name.startswith("index.sqlite"):
            path.unlink()
    assert len(_search(lib, "learning")) == 12  # this command rebuilds the index by a scan
    _edit_in_place_keeping_stat(lib.paper_path("paper-07"), b"Learning", b"Zebrass!")
    assert _search(lib, "zebrass") == ["paper-07"]  # the watcher wrote into the new file


def test_a_broken_file_is_reported_with_its_line(lib: Library, watching: Running) -> None:
    path = lib.paper_path("paper-02")
    path.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    result = run_cli("search", "learning", library=lib.root)
    # search warns of the file it cannot read (file:line) and answers from the others
    assert "paper-02.md:3: broken YAML" in result.stderr
    lib.save_paper(_papers()[2])  # fixed: the next search is whole again
    assert len(_search(lib, "learning")) == 12


def test_one_watcher_per_library(lib: Library, watching: Running) -> None:
    with pytest.raises(PaperlogError, match="already runs"):
        Watcher(lib).run(threading.Event())


def test_the_watchers_own_writes_leave_the_index_marked_clean(
    lib: Library, watching: Running
) -> None:
    import time

    from paperlog.index_check import was_closed_cleanly

    assert _search(lib, "learning")  # a command closed the index cleanly
    lib.save_paper(Paper(key="okapi", title="Okapi Ranking Revisited"))
    # the watcher applies the change by itself after a quiet moment (no command asks)
    for _ in range(600):
        if watching.watcher.applied:
            break
        time.sleep(0.05)
    assert watching.watcher.applied == 1
    # else the next command would take the watcher's write for a crash and verify every row
    assert was_closed_cleanly(lib.state_dir / "index.sqlite")


def test_the_server_hosts_the_same_watcher_for_commands(lib: Library) -> None:
    from paperlog.web.freshness import Freshness

    freshness = Freshness()
    assert freshness.watch(lib.root), freshness.why_not
    try:
        # a command run while the server runs asks the server's watcher: no scan
        with Index.open(lib) as index:
            assert index.last_sync.watched
        # an in-place edit that keeps size and timestamp is seen by the next command
        _edit_in_place_keeping_stat(lib.paper_path("paper-03"), b"Feature", b"Zebrafi")
        assert _search(lib, "zebrafi") == ["paper-03"]
        # and a second watcher (`paperlog watch`) is refused: one per library
        with pytest.raises(PaperlogError, match="already runs"):
            Watcher(lib).run()
    finally:
        freshness.stop()
    assert not (lib.state_dir / SOCKET_NAME).exists()


def test_the_servers_cache_moves_with_any_library_file(lib: Library) -> None:
    from paperlog.web.freshness import Freshness

    freshness = Freshness()
    assert freshness.watch(lib.root), freshness.why_not
    try:
        computed: list[int] = []

        def compute() -> int:
            computed.append(1)
            return len(computed)

        assert freshness.cached("k", compute) == 1
        assert freshness.cached("k", compute) == 1  # nothing changed: reused
        # weeks.yaml is outside papers/: the root watch sees it; the change is drained by the
        # "sync" that cached() asks first, so the very next call recomputes
        lib.weeks_path.write_text("[]\n# edited\n", encoding="utf-8")
        assert freshness.cached("k", compute) == 2
        (lib.state_dir / "unrelated").write_text("x")  # .paperlog/ is not the library
        (lib.root / ".git").mkdir()
        assert freshness.cached("k", compute) == 2
        path = lib.paper_path("paper-05")
        path.write_text(path.read_text("utf-8").replace("Feature", "Changed"), "utf-8")
        assert freshness.cached("k", compute) == 3
    finally:
        freshness.stop()


def test_a_server_beside_a_running_watcher_uses_it(lib: Library, watching: Running) -> None:
    from paperlog.web.freshness import Freshness

    freshness = Freshness()
    assert not freshness.watch(lib.root)
    assert freshness.why_not is not None and "already runs" in freshness.why_not
    with freshness.index(lib) as index:
        assert index.last_sync.watched  # the other watcher vouches
