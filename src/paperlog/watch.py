"""Freshness without a stat per file: a watcher keeps the index in step with ``papers/``.

Without a watcher, every command's ``Index.open`` stats every paper file (one ``scandir`` of
``papers/``) to find what changed: about 7 us a file here, 70 ms at 10,000 papers, most of a
search. ``paperlog watch`` (or ``paperlog serve``, which hosts the same ``Watcher``) puts an
inotify watch on ``papers/`` and answers on a Unix socket, ``.paperlog/watch.sock``.

A command asks the watcher "sync" before it reads the index. The watcher first drains its
inotify queue, then re-reads exactly the files named by the events (hashing them, so even an
edit that keeps the size and the timestamp is seen), writes them into the index, and answers
"ok"; the command then trusts the index without a scan. This is correct because Linux queues
an inotify event inside the system call that changed the file: an edit that finished before
the command started is in the queue when the watcher drains it (git's fsmonitor and watchman
need a cookie file for the same guarantee on file systems whose events arrive late).

When no watcher answers (none runs, the socket is stale, it is busy for more than a second,
its event queue overflowed, or a changed file does not parse), the command falls back to the
full scan, so the fallback is the old, always-correct path, and a file that does not parse is
reported by it with its file and line.

**Started on first use** (git's ``core.fsmonitor=true``, which starts git's built-in daemon):
with ``[index] fsmonitor = true`` in ``paperlog.toml`` (``paperlog watch --auto on``), a command
that finds no live watcher does its own full check as always and also starts a detached
``paperlog watch --background`` (``autostart``: double fork, its own session, output to
``.paperlog/watch.log``); one instance per library (the lock), which leaves after
``fsmonitor_idle`` seconds (default 1800) in which no command asked it, or when the library
is gone. The next commands find it through the same cheap proof. It is never needed for a
right answer: until its first full sync is done its socket does not exist, and a command
that cannot reach it checks every file itself.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable

from paperlog.errors import PaperlogError

# Neither pathlib nor typing: ``ask`` is on the search fast path (index_fresh).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import socket
    import threading
    from pathlib import Path

    from paperlog.library import Library

# socket, ctypes, select, struct and fcntl are imported where used: a command with no watcher
# running pays one stat for the socket's path, a command that asks pays for the socket module.

SOCKET_NAME = "watch.sock"
LOCK_NAME = "watch.lock"
LOG_NAME = "watch.log"
FAILED_NAME = "watch.failed"
"""Left by a background watcher that could not start: no command starts another for
``RETRY_AFTER`` seconds (a library that cannot be watched must not fork on every command)."""
RETRY_AFTER = 60.0
IDLE_DEFAULT = 1800.0
"""Seconds a started-on-first-use watcher waits for a command before it leaves."""
LOG_LIMIT = 1 << 20
ASK_TIMEOUT = 1.0
"""Seconds a command waits for the watcher's answer before it scans by itself."""
SETTLE = 0.05
"""Seconds of quiet after a burst of events before the watcher applies them unasked."""

_IN_MODIFY = 0x2
_IN_ATTRIB = 0x4
_IN_CLOSE_WRITE = 0x8
_IN_MOVED_FROM = 0x40
_IN_MOVED_TO = 0x80
_IN_CREATE = 0x100
_IN_DELETE = 0x200
_IN_DELETE_SELF = 0x400
_IN_MOVE_SELF = 0x800
_IN_Q_OVERFLOW = 0x4000
_IN_IGNORED = 0x8000
_IN_ONLYDIR = 0x01000000
_MASK = (
    _IN_MODIFY
    | _IN_ATTRIB
    | _IN_CLOSE_WRITE
    | _IN_MOVED_FROM
    | _IN_MOVED_TO
    | _IN_CREATE
    | _IN_DELETE
    | _IN_DELETE_SELF
    | _IN_MOVE_SELF
    | _IN_ONLYDIR
)
_RESCAN = _IN_Q_OVERFLOW | _IN_IGNORED | _IN_DELETE_SELF | _IN_MOVE_SELF
_ENTRY_CHANGES = _IN_CREATE | _IN_DELETE | _IN_MOVED_FROM | _IN_MOVED_TO
_NOT_LIBRARY = frozenset({".paperlog", ".git"})
"""Entries of the library folder whose changes are not the library's (the index, git)."""
_EVENT_SIZE = 16
"""sizeof(struct inotify_event) without its name: int wd; uint32 mask, cookie, len."""


def _socket_address(state_dir: Path | str) -> str:
    """The socket's path (too long for AF_UNIX: ``_LongPath``, and commands scan)."""
    path = os.path.join(state_dir, SOCKET_NAME)
    if len(path.encode()) < 100:
        return path
    raise _LongPath(path)


class _LongPath(Exception):
    pass


def ask(state_dir: Path | str, timeout: float = ASK_TIMEOUT) -> bool:
    """True when a live watcher for this library has brought the index up to date.

    One failed ``connect`` (no socket file) is the whole cost when no watcher runs.
    """
    try:
        address = _socket_address(state_dir)
    except _LongPath:
        return False
    if not os.path.exists(address):
        return False
    # _socket, not socket: the search fast path pays for this import on every call while a
    # watcher runs, and socket.py adds selectors and its enums (about 2 ms of CPU here)
    import _socket

    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(address)
        sock.sendall(b"sync\n")
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = sock.recv(64)
            if not chunk:
                return False
            reply += chunk
    except OSError:
        return False
    finally:
        sock.close()
    return reply == b"ok\n"


class AlreadyWatching(PaperlogError):
    """Another watcher holds this library's lock."""


# --- started on first use (git's core.fsmonitor=true) ---------------------------------------


def fsmonitor_idle(index_table: object) -> float | None:
    """The idle seconds of a watcher started on first use when ``[index] fsmonitor = true``
    (``index_table`` is that table), else None."""
    if not isinstance(index_table, dict) or index_table.get("fsmonitor") is not True:
        return None
    idle = index_table.get("fsmonitor_idle", IDLE_DEFAULT)
    if isinstance(idle, bool) or not isinstance(idle, int | float) or idle <= 0:
        return IDLE_DEFAULT  # config_from_toml reports a bad value; never fail a search here
    return float(idle)


def autostart_if_wanted(root: Path | str, state_dir: Path | str) -> bool:
    """``autostart`` when the library's ``paperlog.toml`` turns ``[index] fsmonitor`` on.

    For the search fast path: one read of the small config file, and a TOML parse only when
    it names ``fsmonitor`` at all.
    """
    from paperlog.index_fresh import CONFIG_NAME

    try:
        with open(os.path.join(root, CONFIG_NAME), "rb") as file:
            text = file.read()
    except OSError:
        return False
    if b"fsmonitor" not in text:
        return False
    import tomllib

    try:
        data = tomllib.loads(text.decode())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False  # the full path reports it with its line
    if fsmonitor_idle(data.get("index")) is None:
        return False
    return autostart(root, state_dir)


_STARTED: list[str] = []
"""Libraries this process already tried to start a watcher for (at most once each)."""


def autostart(root: Path | str, state_dir: Path | str) -> bool:
    """Start a detached ``paperlog watch --background`` for the library at ``root`` unless a
    watcher runs or is starting (its lock is held); True when one was started.

    The caller does its own full check regardless: the new watcher vouches for nothing until
    its first full sync is done and its socket exists.
    """
    import sys

    # absolute: the watcher runs from "/" (a relative --library would name another folder)
    root, state_dir = os.path.abspath(root), os.path.abspath(state_dir)
    if root in _STARTED or not sys.platform.startswith("linux"):
        return False
    _STARTED.append(root)
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return False  # fork in a threaded process (a server) is unsafe; it hosts its own
    try:
        failed = os.stat(os.path.join(state_dir, FAILED_NAME))
    except OSError:
        pass
    else:
        import time

        if time.time() - failed.st_mtime < RETRY_AFTER:
            return False  # it could not start a moment ago: do not fork on every command
    import fcntl

    try:
        fd = os.open(
            os.path.join(state_dir, LOCK_NAME), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644
        )
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # held: a watcher runs, or one is starting
    finally:
        os.close(fd)  # and the probe's lock with it
    # --after: the watcher's first sync waits for this command to close the index, or it
    # would find the index open (not marked clean) and verify every row (17 s at 100k)
    argv = [sys.executable, "-m", "paperlog", "--library", root, "watch", "--background"]
    _spawn([*argv, "--after", str(os.getpid())], os.path.join(state_dir, LOG_NAME))
    return True


def wait_for_exit(pid: int, timeout: float) -> None:
    """Return when process ``pid`` has ended, or after ``timeout`` seconds."""
    import select
    import time

    try:
        fd = os.pidfd_open(pid)
    except (OSError, AttributeError):
        deadline = time.monotonic() + timeout  # no pidfd (old kernel): poll
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            except PermissionError:
                pass
            time.sleep(0.01)
        return
    try:
        select.select([fd], [], [], timeout)  # readable once the process has ended
    finally:
        os.close(fd)


def _spawn(argv: list[str], log_path: str) -> None:
    """Run ``argv`` detached: double fork, its own session, stdin from /dev/null, output
    appended to ``log_path``, no descriptor of this process kept (a pipe it held open would
    keep a caller's ``| head`` or a benchmark waiting)."""
    pid = os.fork()
    if pid == 0:
        code = 127
        try:
            os.setsid()  # no terminal: a closed terminal's SIGHUP does not reach it
            if os.fork() == 0:
                null = os.open(os.devnull, os.O_RDONLY)
                log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                os.dup2(null, 0)
                os.dup2(log, 1)
                os.dup2(log, 2)
                os.chdir("/")  # hold no folder busy
                os.execv(argv[0], argv)
            code = 0  # the middle process leaves at once; the watcher is init's child
        finally:
            os._exit(code)
    os.waitpid(pid, 0)


def status(state_dir: Path | str) -> dict[str, object]:
    """Whether a watcher answers for this library, and its pid and kind (``auto`` when a
    command started it, ``manual`` for ``paperlog watch`` or ``paperlog serve``)."""
    alive = ask(state_dir)
    pid: int | None = None
    kind: str | None = None
    if alive:
        try:
            with open(os.path.join(state_dir, LOCK_NAME), encoding="utf-8") as file:
                words = file.read().split()
        except OSError:
            words = []
        if len(words) == 2 and words[0].isdigit():
            pid, kind = int(words[0]), words[1]
    return {"watching": alive, "pid": pid, "kind": kind}


def request_quit(state_dir: Path | str) -> bool:
    """Ask a watcher started on first use to leave; True when one said it will."""
    import socket

    try:
        address = _socket_address(state_dir)
    except _LongPath:
        return False
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(ASK_TIMEOUT)
        sock.connect(address)
        sock.sendall(b"quit\n")
        return sock.recv(64) == b"bye\n"
    except OSError:
        return False
    finally:
        sock.close()


class _Inotify:
    """A minimal inotify binding (ctypes over libc): one watched folder, events by name."""

    def __init__(self) -> None:
        import ctypes
        import sys

        if not sys.platform.startswith("linux"):
            raise PaperlogError("paperlog watch needs Linux (inotify); commands scan instead")
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._errno = ctypes.get_errno
        fd = self._libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            raise PaperlogError(f"cannot start inotify: {os.strerror(self._errno())}")
        self.fd: int = fd

    def add(self, folder: Path) -> int:
        wd = int(self._libc.inotify_add_watch(self.fd, os.fsencode(folder), _MASK))
        if wd < 0:
            raise PaperlogError(f"cannot watch {folder}: {os.strerror(self._errno())}")
        return wd

    def read(self) -> list[tuple[int, int, str]]:
        """Every queued event as (watch descriptor, mask, name), without blocking."""
        import struct

        events: list[tuple[int, int, str]] = []
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return events
            offset = 0
            while offset < len(data):
                wd, mask, _cookie, length = struct.unpack_from("iIII", data, offset)
                offset += _EVENT_SIZE
                name = data[offset : offset + length].rstrip(b"\0")
                offset += length
                events.append((wd, mask, os.fsdecode(name)))

    def close(self) -> None:
        os.close(self.fd)


class Watcher:
    """Keeps one library's index fresh from inotify events and answers commands' "sync".

    ``run()`` blocks until ``stop`` is set (or forever); ``paperlog serve`` runs it in a
    thread (``web/freshness.py``), so commands run while the server does ask it too. Only one
    watcher runs per library (a lock file under ``.paperlog/``).

    ``on_change`` is called (on the watcher's thread) whenever an event shows a change: a
    paper file, or with ``watch_root`` any entry of the library folder itself except
    ``.paperlog`` and ``.git`` (``paperlog.toml``, ``weeks.yaml``, ``resources.yaml``), which
    the server's cached pages depend on. A change a command asks about is drained before the
    answer, so ``on_change`` has run for it by the time ``ask`` returns.
    """

    def __init__(
        self,
        library: Library,
        on_change: Callable[[], None] | None = None,
        *,
        watch_root: bool = False,
        idle: float | None = None,
        background: bool = False,
    ) -> None:
        self.library = library
        self.on_change = on_change
        self.watch_root = watch_root
        self.idle = idle
        """Leave after this many seconds in which no command asked (None: never)."""
        self.background = background
        """Started by a command (``autostart``): leaves when the library is gone, and on
        a "quit" request (``paperlog watch --auto off``)."""
        self._last_ask = 0.0
        self._quit = False
        self.pending: set[str] = set()
        self.rescan = False
        self.applied = 0
        """How many changed files the watcher has written into the index (for tests, logs)."""
        self._papers_wd = -1
        self._root_wd = -1

    def run(
        self,
        stop: threading.Event | None = None,
        ready: Callable[[], None] | None = None,
        prepare: Callable[[], None] | None = None,
    ) -> None:
        """Watch until ``stop`` is set; ``ready`` is called once commands may ask,
        ``prepare`` once the lock is held, before anything else."""
        import fcntl
        import socket

        from paperlog.index import Index

        lib = self.library
        state = lib.state_dir
        with contextlib.ExitStack() as stack:
            # "a", not "w": opening must not empty the file of a watcher that holds the lock
            lock = stack.enter_context((state / LOCK_NAME).open("a"))
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise AlreadyWatching(
                    "a watcher already runs for this library", state / LOCK_NAME
                ) from None
            lock.truncate(0)  # who holds it, for `paperlog watch --status`
            lock.write(f"{os.getpid()} {'auto' if self.background else 'manual'}\n")
            lock.flush()
            if prepare is not None:
                prepare()
            try:
                address = _socket_address(state)
            except _LongPath as exc:
                raise PaperlogError(f"the library's path is too long for a socket: {exc}") from None
            lib.papers_dir.mkdir(exist_ok=True)
            inotify = _Inotify()
            stack.callback(inotify.close)
            self._papers_wd = inotify.add(lib.papers_dir)
            if self.watch_root:
                self._root_wd = inotify.add(lib.root)
            # The watch is in place before this full sync: nothing changed in between is lost.
            index = Index.open(lib, ask_watcher=False)
            stack.callback(self._close_index)
            self._index = index
            self._index_id = _file_id(index.path)
            index.mark_clean()  # the sync just written is sound: commands need not verify it
            # A stale socket of a watcher that died: the lock is ours, so nobody listens there.
            _unlink_quietly(address)
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            stack.callback(server.close)
            server.bind(address)
            stack.callback(lambda: _unlink_quietly(address))
            server.listen(16)
            if self.background:
                _unlink_quietly(os.path.join(state, FAILED_NAME))
            if ready is not None:
                ready()
            self._last_ask = _now()
            self._loop(server, inotify, stop)

    def _close_index(self) -> None:
        self._index.close()

    def _loop(self, server: socket.socket, inotify: _Inotify, stop: threading.Event | None) -> None:
        import select

        while stop is None or not stop.is_set():
            timeout = SETTLE if self.pending or self.rescan else 0.5
            readable, _, _ = select.select([server.fileno(), inotify.fd], [], [], timeout)
            if inotify.fd in readable:
                self._take(inotify.read(), inotify)
            if server.fileno() in readable:
                self._answer(server, inotify)
            elif not readable and (self.pending or self.rescan):
                self._apply(inotify)  # quiet for SETTLE: apply before anyone asks
            if self._should_leave():
                return

    def _should_leave(self) -> bool:
        """Idle too long, asked to quit, or (started by a command) the library is gone."""
        if self._quit:
            return True
        if self.idle is not None and _now() - self._last_ask > self.idle:
            return True
        if self.background:
            # The config, or the socket (.paperlog/ removed): commands could not reach us.
            state = self.library.state_dir
            return not (self.library.config_path.is_file() and (state / SOCKET_NAME).exists())
        return False

    def _take(self, events: list[tuple[int, int, str]], inotify: _Inotify) -> None:
        changed = False
        for wd, mask, name in events:
            if mask & _IN_Q_OVERFLOW:
                self.rescan = changed = True
            elif wd == self._papers_wd:
                if mask & _RESCAN:
                    self.rescan = changed = True
                elif name.endswith(".md") and not name.startswith("."):
                    self.pending.add(name[:-3])
                    changed = True
            elif wd == self._root_wd and name and name not in _NOT_LIBRARY:
                changed = True
                if name == self.library.papers_dir.name and mask & _ENTRY_CHANGES:
                    self.rescan = True  # papers/ itself created, removed or renamed
        if changed and self.on_change is not None:
            self.on_change()

    def _answer(self, server: socket.socket, inotify: _Inotify) -> None:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(ASK_TIMEOUT)
            try:
                request = conn.recv(64)
                self._last_ask = _now()
                if request == b"quit\n" and self.background:
                    self._quit = True
                    conn.sendall(b"bye\n")
                    return
                if request != b"sync\n":
                    conn.sendall(b"no\n")
                    return
                # Every edit finished before the asking command started is queued by now.
                self._take(inotify.read(), inotify)
                ok = self._apply(inotify)
                conn.sendall(b"ok\n" if ok else b"scan\n")
            except OSError:
                return

    def _apply(self, inotify: _Inotify) -> bool:
        """Write the pending changes into the index; False when the asker must scan itself."""
        from paperlog.index import Index
        from paperlog.index_check import was_closed_cleanly

        try:
            if _file_id(self._index.path) != self._index_id:
                # The index file was replaced (rebuilt by a command): write into the new one.
                self._index.close()
                self._index = Index.open(self.library, ask_watcher=False)
                self._index_id = _file_id(self._index.path)
                self.rescan = False  # opening it was a full scan
                sound = True  # opened as a command opens it: verified had its marker been wrong
            else:
                # Commands read the clean marker only after asking (Index.open), so the
                # watcher keeps it while it runs; it re-marks only what was sound before its
                # own write, so a write by another program since the last mark is still
                # verified by the next command, not blessed here.
                sound = was_closed_cleanly(self._index.path)
            if self.rescan:
                if not self.library.papers_dir.is_dir():
                    return False
                with contextlib.suppress(PaperlogError):
                    # again, after the folder came back (a new descriptor when it is new)
                    self._papers_wd = inotify.add(self.library.papers_dir)
                self.rescan = False
                self._index.sync()
            # Named files are re-read even after a scan: a scan trusts unchanged stats.
            keys = sorted(self.pending)
            self.pending.clear()
            try:
                self._index.refresh(keys)
            except BaseException:
                self.pending.update(keys)  # retried on the next request
                raise
            # Its own committed writes leave the index sound: record that, as a clean close
            # does, or the next command would take the changed file for a crash and verify
            # every row (index_check).
            if sound:
                self._index.mark_clean()
            self.applied += len(keys)
        except PaperlogError:
            # A file that does not parse: the asking command's own scan reports it (file:line);
            # the next request retries everything.
            self.rescan = True
            return False
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ESTALE):
                raise
            self.rescan = True
            return False
        return True


def _now() -> float:
    import time

    return time.monotonic()


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
