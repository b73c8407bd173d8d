"""Keeping the server's view of the library fresh without scanning 10,000 files per request.

Without a watcher every request opens the index with a sync (one scan of ``papers/``), which
is always right and costs a stat per file. ``paperlog serve`` runs a file watcher (watchfiles:
inotify on Linux) over the library folder: every change outside ``.paperlog/`` and ``.git/``
bumps a generation counter, and so does every write the web app makes itself. A request syncs
the index only when the generation moved since the last sync, and what was computed from the
index (the list of papers, today's plan) is reused while the generation stands still.

A change on disk reaches the counter a few milliseconds after it happens (the watcher's step);
a request in that window sees the library as it was just before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Iterator

    from paperlog.index import Index
    from paperlog.library import Library
    from paperlog.model import Paper

T = TypeVar("T")
_IGNORED_PARTS = frozenset({".paperlog", ".git"})
_CACHE_SIZE = 64


class Freshness:
    """The generation counter, the watcher that moves it, and what is cached per generation."""

    def __init__(self) -> None:
        self.generation = 0
        self.watching = False
        self._synced = -1
        self._lock = threading.Lock()
        self._cache: dict[Hashable, tuple[int, Any]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def bump(self) -> None:
        """Something changed (a write by this server): the next request syncs."""
        with self._lock:
            self.generation += 1

    # the watcher ---------------------------------------------------------------------------

    def watch(self, root: Path) -> bool:
        """Start watching ``root`` in a daemon thread; False when no watcher is available."""
        try:
            import watchfiles
        except ImportError:
            return False

        def relevant(_change: Any, path: str) -> bool:
            return not _IGNORED_PARTS.intersection(Path(path).relative_to(root).parts)

        ready = threading.Event()

        def run() -> None:
            try:
                for _changes in watchfiles.watch(
                    root,
                    watch_filter=relevant,
                    stop_event=self._stop,
                    debounce=200,
                    step=5,
                    yield_on_timeout=True,
                    rust_timeout=200,
                ):
                    ready.set()
                    if _changes:
                        self.bump()
            except Exception:  # a watcher that dies leaves the server syncing every request
                self.watching = False
            finally:
                ready.set()

        self._thread = threading.Thread(target=run, name="paperlog-watch", daemon=True)
        self._thread.start()
        ready.wait(5)
        self.watching = self._thread.is_alive()
        self.bump()  # anything that changed before the watcher was up
        return self.watching

    def stop(self) -> None:
        """Stop the watcher thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self.watching = False

    # reading through it ----------------------------------------------------------------------

    @contextmanager
    def index(self, library: Library) -> Iterator[Index]:
        """The index, synced with the files unless the watcher saw nothing change since."""
        from paperlog.index import Index

        seen = self.generation
        need = not self.watching or seen != self._synced
        index = Index.open(library) if need else Index.open(library, sync=False)
        try:
            if need:
                self._synced = seen
            yield index
        finally:
            index.close()

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, reused while the generation stands still (only with a watcher)."""
        if not self.watching:
            return compute()
        generation = self.generation
        hit = self._cache.get(key)
        if hit is not None and hit[0] == generation and self._synced == generation:
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

        if self.watching and self._synced != self.generation:
            with self.index(library):
                pass  # sync first, so the cached list is this generation's
        return self.cached(("papers", str(library.root)), load)
