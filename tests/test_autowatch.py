"""A watcher started on first use (``[index] fsmonitor = true``, git's ``core.fsmonitor``).

Real processes throughout: the CLI starts a detached ``paperlog watch --background``, later
commands find it through the socket, it leaves when idle or when the library is gone, and a
killed one is replaced while commands check every file themselves in between.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import run_cli
from paperlog.library import Library
from paperlog.model import Config, Paper
from paperlog.watch import FAILED_NAME, LOG_NAME, SOCKET_NAME

pytestmark = pytest.mark.skipif(os.uname().sysname != "Linux", reason="inotify is Linux's")


def _papers() -> list[Paper]:
    return [
        Paper(key=f"paper-{i:02d}", title=f"Learning Feature Number {i:02d}", year=2000 + i)
        for i in range(12)
    ]


def _watchers(root: Path) -> list[int]:
    """Pids of the background watchers of this library (from /proc: they are not our children)."""
    pids = []
    wanted = ["--library", str(root), "watch", "--background"]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if any(argv[i : i + 4] == wanted for i in range(len(argv))):
            pids.append(int(entry.name))
    return pids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait(condition: object, timeout: float = 60.0) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _status(root: Path) -> dict[str, object]:
    result = run_cli("watch", "--status", "--json", library=root)
    assert result.returncode == 0, result.stderr
    found: dict[str, object] = json.loads(result.stdout)
    return found


def _search(root: Path, *words: str) -> list[str]:
    result = run_cli("search", *words, library=root)
    assert result.returncode == 0, result.stderr
    return [line.split("\t")[0] for line in result.stdout.splitlines()]


def _edit_in_place(path: Path, old: bytes, new: bytes, *, keep_stat: bool = False) -> None:
    """What VS Code or nano do: write the same inode, no rename; the same size here. With
    ``keep_stat`` the timestamp is put back too, which only a watcher (it hashes the files
    events name) can see (docs/search.md, "Which edits are seen when")."""
    assert len(old) == len(new)
    before = path.stat()
    data = path.read_bytes()
    with path.open("r+b") as handle:
        handle.write(data.replace(old, new, 1))
    if keep_stat:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    """A library with ``[index] fsmonitor = true``; its background watchers killed at the end."""
    library = Library.create(tmp_path / "lib", Config())
    library.save_papers(_papers())
    result = run_cli("watch", "--auto", "on", library=library.root)
    assert result.returncode == 0, result.stderr
    assert "fsmonitor = true" in library.config_path.read_text("utf-8")
    yield library.root
    for pid in _watchers(library.root):  # started by this test's commands
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _set_idle(root: Path, seconds: float) -> None:
    path = root / "paperlog.toml"
    text = path.read_text("utf-8").replace("fsmonitor = true", "fsmonitor = true\n")
    path.write_text(text + f"fsmonitor_idle = {seconds}\n", "utf-8")
    assert Library.open(root).config.extra["index"]["fsmonitor_idle"] == seconds


def _started(root: Path) -> int:
    """Wait for the watcher a command started; its pid."""
    _wait(lambda: _status(root)["watching"])
    found = _status(root)
    assert found["kind"] == "auto"
    assert isinstance(found["pid"], int)
    return found["pid"]


def test_first_command_starts_a_watcher_the_next_finds_alive(root: Path) -> None:
    assert _status(root) == {"watching": False, "pid": None, "kind": None, "auto": True}
    assert len(_search(root, "learning")) == 12  # answered by its own full check
    pid = _started(root)
    assert _watchers(root) == [pid]
    assert len(_search(root, "learning")) == 12
    assert _watchers(root) == [pid]  # the second command asked it, and started no other
    log = (root / ".paperlog" / LOG_NAME).read_text("utf-8")
    assert log.count("watching") == 1, log


def test_an_in_place_edit_shows_in_the_next_search(root: Path) -> None:
    _search(root, "learning")
    _started(root)
    _edit_in_place(root / "papers" / "paper-03.md", b"Learning", b"Zebrass!", keep_stat=True)
    assert _search(root, "zebrass") == ["paper-03"]
    (root / "papers" / "paper-04.md").unlink()
    assert "paper-04" not in _search(root, "learning")


def test_commands_before_its_first_sync_check_for_themselves(root: Path) -> None:
    # Every search right after an edit sees it, whether the watcher is still starting (no
    # socket yet: the command checks every file) or already answering.
    for i in range(6):
        word = f"Zeb{i:05d}"
        _edit_in_place(root / "papers" / f"paper-{i:02d}.md", b"Learning", word.encode())
        assert _search(root, word.lower()) == [f"paper-{i:02d}"]
    _started(root)


def test_it_leaves_when_idle(root: Path) -> None:
    _set_idle(root, 1.5)
    _search(root, "learning")
    pid = _started(root)
    _wait(lambda: not _alive(pid), timeout=30)
    assert not (root / ".paperlog" / SOCKET_NAME).exists()
    assert "left" in (root / ".paperlog" / LOG_NAME).read_text("utf-8")
    assert len(_search(root, "learning")) == 12  # and the next command starts another
    assert _started(root) != pid


def test_it_leaves_when_the_library_is_gone(root: Path, tmp_path: Path) -> None:
    _search(root, "learning")
    pid = _started(root)
    moved = tmp_path / "moved"
    root.rename(moved)
    _wait(lambda: not _alive(pid), timeout=30)


def test_after_kill_9_commands_check_every_file_and_a_new_one_starts(root: Path) -> None:
    _search(root, "learning")
    pid = _started(root)
    os.kill(pid, signal.SIGKILL)
    _wait(lambda: not _alive(pid))
    assert (root / ".paperlog" / SOCKET_NAME).exists()  # stale: nobody listens
    _edit_in_place(root / "papers" / "paper-05.md", b"Learning", b"Zebrass!")
    assert _search(root, "zebrass") == ["paper-05"]  # its own full check saw the edit
    assert _started(root) != pid


def test_one_watcher_when_two_start_at_once(root: Path) -> None:
    argv = [sys.executable, "-m", "paperlog", "--library", str(root), "watch", "--background"]
    procs = [
        subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    pid = _started(root)
    assert pid in [p.pid for p in procs]
    loser = next(p for p in procs if p.pid != pid)
    _, err = loser.communicate(timeout=60)
    assert loser.returncode == 0 and "another watcher runs" in err
    winner = next(p for p in procs if p.pid == pid)
    winner.kill()
    winner.wait()
    # two commands at once, no watcher alive: at most one watcher stays
    searches = [
        subprocess.Popen(
            [sys.executable, "-m", "paperlog", "--library", str(root), "search", "learning"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    for search in searches:
        out, _ = search.communicate(timeout=60)
        assert out.count(b"\n") == 12
    second = _started(root)
    _wait(lambda: len(_watchers(root)) == 1)  # a second one started would have left by now
    assert _watchers(root) == [second]


def test_a_watcher_that_cannot_start_is_not_retried_on_every_command(root: Path) -> None:
    bad = root / "papers" / "paper-02.md"
    bad.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    result = run_cli("search", "learning", library=root)
    assert "paper-02.md:3: broken YAML" in result.stderr  # the command's own check says so
    failed = root / ".paperlog" / FAILED_NAME
    _wait(failed.exists)
    _wait(lambda: not _watchers(root))
    log = (root / ".paperlog" / LOG_NAME).read_text("utf-8")
    run_cli("search", "learning", library=root)
    time.sleep(0.5)
    assert (root / ".paperlog" / LOG_NAME).read_text("utf-8") == log  # nothing started
    assert not _watchers(root)


def test_auto_off_stops_the_one_started_and_starts_no_more(root: Path) -> None:
    _search(root, "learning")
    pid = _started(root)
    result = run_cli("watch", "--auto", "off", library=root)
    assert result.returncode == 0 and "stopping" in result.stderr
    _wait(lambda: not _alive(pid))
    assert len(_search(root, "learning")) == 12
    time.sleep(0.5)
    assert not _watchers(root)
    assert _status(root)["auto"] is False


def test_a_bad_setting_is_a_one_line_error(root: Path) -> None:
    path = root / "paperlog.toml"
    path.write_text(path.read_text("utf-8").replace("= true", '= "yes"'), "utf-8")
    result = run_cli("list", library=root)
    assert result.returncode != 0
    assert "paperlog.toml" in result.stderr and "index.fsmonitor: expected true or false" in (
        result.stderr
    )


def test_init_can_turn_it_on(tmp_path: Path) -> None:
    result = run_cli("init", str(tmp_path / "new"), "--no-git", "--fsmonitor")
    assert result.returncode == 0, result.stderr
    assert Library.open(tmp_path / "new").config.extra["index"] == {"fsmonitor": True}
    assert _status(tmp_path / "new")["auto"] is True


def test_it_waits_for_the_command_that_started_it(root: Path) -> None:
    # Its first sync would otherwise find the index still open by that command (not marked
    # clean) and verify every row: 17 s at 100,000 papers instead of 0.6 s.
    assert run_cli("watch", "--auto", "off", library=root).returncode == 0  # none by search
    assert len(_search(root, "learning")) == 12  # the index exists, closed cleanly
    assert not _watchers(root)
    command = subprocess.Popen(["sleep", "2"])
    argv = [sys.executable, "-m", "paperlog", "--library", str(root), "watch", "--background"]
    watcher = subprocess.Popen(
        [*argv, "--after", str(command.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        time.sleep(1.0)
        assert command.poll() is None
        assert not (root / ".paperlog" / SOCKET_NAME).exists()  # still waiting
        command.wait()
        assert _started(root) == watcher.pid
    finally:
        watcher.kill()
        watcher.wait()
