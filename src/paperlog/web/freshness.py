"""Keeping the server's view of the library fresh: it hosts the watcher ``paperlog watch`` runs.

``paperlog serve`` runs ``paperlog.watch.Watcher`` in a thread: one mechanism for the CLI and
the server. While the server runs, every command (``paperlog search`` in a terminal, too)
asks that watcher and reads the index without a scan, exactly as with ``paperlog watch``.

Each request opens the index the way a command does (``Index.open`` asks the watcher "sync":
it drains its inotify queue, re-reads the files the events name, answers), so a request sees
every edit that finished before it, without a scan. The watcher also bumps a generation
counter whenever an event shows a change (a paper file, or ``paperlog.toml``, ``weeks.yaml``,
``resources.yaml``: any entry of the library folder but ``.paperlog`` and ``.git``), and so
does every write the web app makes itself; what was computed from the library (the list of
papers, today's plan) is reused while the generation stands still, checked after the same
"sync", so a cached page is never older than the request.

Without a watcher of its own (not Linux, or a ``paperlog watch`` already runs for this
library, which then serves the server's requests too), nothing is cached and each request
opens the index as a command does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from paperlog.index import Index
    from paperlog.library import Library
    from paperlog.model import Paper
    from paperlog.watch import Watcher

T = TypeVar("T")
_CACHE_SIZE = 64
READY_TIMEOUT = 60.0
"""Seconds ``watch`` waits for the watcher's first sync (a large new library takes longer;
the watcher then starts serving when it is done)."""


class Freshness:
    """The hosted watcher, the generation counter it moves, and what is cached per generation."""

    def __init__(self) -> None:
        self.generation = 0
        self.watching = False
        self.why_not: str | None = None
        """Why no watcher runs here (for the server's start-up note), when none does."""
        self._lock = threading.Lock()
        self._cache: dict[Hashable, tuple[int, Any]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._watcher: Watcher | None = None
        self._state_dir: Path | None = None

    def bump(self) -> None:
        """Something changed (an event the watcher saw, a write by this server)."""
        with self._lock:
            self.generation += 1

    # the watcher ---------------------------------------------------------------------------

    def watch(self, root: Path) -> bool:
        """Run ``paperlog watch``'s watcher for the library at ``root`` in a daemon thread;
        False (and ``why_not``) when it cannot run here."""
        from paperlog.errors import PaperlogError
        from paperlog.library import Library
        from paperlog.watch import Watcher

        library = Library.open(root)
        self._state_dir = library.state_dir
        self._watcher = Watcher(library, self.bump, watch_root=True)
        ready = threading.Event()

        def started() -> None:
            self.watching = True
            ready.set()

        def run() -> None:
            assert self._watcher is not None
            try:
                self._watcher.run(self._stop, started)
            except PaperlogError as exc:  # not Linux, or a `paperlog watch` already runs
                self.why_not = str(exc)
            except Exception as exc:  # a watcher that dies leaves requests syncing themselves
                self.why_not = f"the watcher stopped: {exc}"
            finally:
                self.watching = False
                ready.set()

        self._thread = threading.Thread(target=run, name="paperlog-watch", daemon=True)
        self._thread.start()
        ready.wait(READY_TIMEOUT)
        self.bump()  # anything that changed before the watcher was up
        return self.watching

    def stop(self) -> None:
        """Stop the watcher thread (it removes its socket)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        self.watching = False

    def _synced_generation(self) -> int | None:
        """The generation once the watcher has applied every change made before this call;
        None when it cannot vouch (then nothing is reused)."""
        from paperlog.watch import ask

        if not self.watching or self._state_dir is None or not ask(self._state_dir):
            return None
        return self.generation

    # reading through it ----------------------------------------------------------------------

    @contextmanager
    def index(self, library: Library) -> Iterator[Index]:
        """The index, up to date: the watcher vouches for it, or it is synced with the files."""
        from paperlog.index import Index

        index = Index.open(library)
        try:
            yield index
        finally:
            index.close()

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, reused while the generation stands still (only with a watcher)."""
        generation = self._synced_generation()
        if generation is None:
            return compute()
        hit = self._cache.get(key)
        if hit is not None and hit[0] == generation:
            return hit[1]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = (generation, value)
        return value

    def papers(self, library: Library) -> list[Paper]:
        """Every item (read-only use), through the index."""

        def load() -> list[Paper]:
            with self.index(library) as index:
                return index.all()

        return self.cached(("papers", str(library.root)), load)
