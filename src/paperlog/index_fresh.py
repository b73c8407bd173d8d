"""Is the index fresh? The cheap proofs, and a search that needs nothing else when they hold.

Two proofs let a command trust ``.paperlog/index.sqlite`` as it is:

- a live ``paperlog watch`` answers "ok" (``watch.ask``): it has applied every change queued
  before the command started (no file is looked at);
- or the **manifest**: one listing of ``papers/`` and a ``stat`` per file give the names and
  (mtime_ns, size) of every paper file, in listing order, and these bytes equal those stored
  by the last complete sync. It holds no ``stat`` object: at 100,000 papers it is about
  3 MB, where the per-file list it replaced held 100,000 ``os.stat_result`` objects (about
  140 MB of peak memory).

``table_rows_if_fresh`` is the search fast path's whole query (``cli/fastpath.py``): when no
interrupted write waits for recovery, the index was closed cleanly (its marker read after the
watcher answered, as ``Index.open`` reads it), its schema is current and one of the proofs holds, it answers with the table's rows after importing only this module,
``paperlog.query`` and ``sqlite3``, never ``paperlog.library``, ``paperlog.index`` or the
model (about half of a search's start-up). Anything else answers None and the caller takes
the full path (``Library.open``, ``Index.open``), which syncs, repairs or reports.
"""

from __future__ import annotations

import os

# os.path, not pathlib, and no typing at run time: this is the search fast path's module.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from array import array
    from collections.abc import Mapping
    from pathlib import Path

    from paperlog.query import Query

SCHEMA_VERSION = 11
"""The index's ``PRAGMA user_version``: another version is rebuilt (``paperlog.index``)."""
INDEX_NAME = "index.sqlite"

# The same names as paperlog.library and paperlog.journal (tests/test_index_fresh.py checks
# they agree); repeated here so that the fast path does not import those modules.
CONFIG_NAME = "paperlog.toml"
STATE_DIR = ".paperlog"
ENV_VAR = "PAPERLOG_LIBRARY"
JOURNAL_NAME = "journal"
TMP_DIR_NAME = "tmp"


def scan_manifest(papers_dir: Path | str) -> bytes:
    """The manifest of every ``papers/*.md`` in listing order (what ``Index._scan`` lists).

    This is the whole cost of proving freshness without a watcher, so it is kept near the
    floor of one ``stat`` per file (bench/bench_fresh.py measures both): names from one
    ``listdir`` of an open folder, each file stat'ed relative to it (``dir_fd``: no path walk
    per file), the two numbers kept in an ``array`` rather than formatted per file.
    """
    from array import array

    try:
        fd = os.open(papers_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        return _pack([], array("q"))
    try:
        names = [n for n in os.listdir(fd) if n.endswith(".md") and not n.startswith(".")]
        numbers = array("q")
        add = numbers.extend
        stat = os.stat
        for name in names:
            st = stat(name, dir_fd=fd)
            add((st.st_mtime_ns, st.st_size))
    except FileNotFoundError:
        # gone since the listing, or a dangling link (which Index._scan leaves out): no proof
        return b"?"
    finally:
        os.close(fd)
    return _pack(names, numbers)


def manifest_of(scan: list[tuple[str, str, os.stat_result]]) -> bytes:
    """The manifest of a detailed scan (``Index._scan``: key, path, stat), as above."""
    from array import array

    numbers = array("q")
    for _, _, st in scan:
        numbers.extend((st.st_mtime_ns, st.st_size))
    return _pack([f"{key}.md" for key, _, _ in scan], numbers)


def manifest_count(manifest: bytes) -> int:
    """How many files a manifest lists."""
    head, _, _ = manifest.partition(b"\n")
    return int(head) if head.isdigit() else 0


def _pack(names: list[str], numbers: array[int]) -> bytes:
    """``count LF names (NUL between) LF (mtime_ns, size) as native int64s``: equal bytes
    mean the same files with the same stats, in the same order. (A name holding NUL cannot
    exist; a directory named ``x.md`` is stat'ed here but not listed by ``Index._scan``, so
    such a folder never matches and always takes the full path: slower, never wrong.)"""
    return b"%d\n%s\n%s" % (len(names), os.fsencode("\0".join(names)), numbers.tobytes())


def find_root(explicit: str | None, env: Mapping[str, str], cwd: str) -> str | None:
    """``Library.find_root``'s answer (``--library``, ``$PAPERLOG_LIBRARY``, the nearest folder
    up with the config), or None where that raises."""
    if explicit:
        return os.path.realpath(os.path.expanduser(explicit))
    if env.get(ENV_VAR):
        return os.path.realpath(os.path.expanduser(env[ENV_VAR]))
    folder = os.path.abspath(cwd)
    while True:
        if os.path.isfile(os.path.join(folder, CONFIG_NAME)):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _needs_recovery(state: str) -> bool:
    """``journal.needs_recovery``: an interrupted write's journal or temp files are left."""
    if os.path.lexists(os.path.join(state, JOURNAL_NAME)):
        return True
    try:
        with os.scandir(os.path.join(state, TMP_DIR_NAME)) as entries:
            return any(True for _ in entries)
    except (FileNotFoundError, NotADirectoryError):
        return False


def table_rows_if_fresh(
    root: Path | str, query: Query, limit: int | None
) -> list[tuple[str, ...]] | None:
    """The hits' table rows (``Hits.table_rows``) when the index can be trusted as it is;
    None when the full path must open the library (and sync, verify or recover)."""
    import sqlite3

    from paperlog.index_check import mark_clean, was_closed_cleanly
    from paperlog.query import search_sql

    if not os.path.isfile(os.path.join(root, CONFIG_NAME)):
        return None
    state = os.path.join(root, STATE_DIR)
    path = os.path.join(state, INDEX_NAME)
    if _needs_recovery(state):
        return None
    from paperlog.watch import ask, autostart_if_wanted

    # The watcher is asked before the clean marker is read, as ``Index.open`` does: it answers
    # only after its own writes are committed and marked. Read first, the marker could be
    # caught between the watcher's commit and its mark (applying the last command's change),
    # taken for a crash, and the search sent to the full path, which verifies every row.
    watched = ask(state)
    clean = was_closed_cleanly(path)
    if watched and not clean:
        # an event after its answer (another writer) may have started another write: ask
        # once more; a marker still wrong is then not the watcher's doing (the full path
        # verifies)
        watched = ask(state)
        clean = was_closed_cleanly(path)
    if not clean:
        return None
    if not watched:
        autostart_if_wanted(root, state)  # [index] fsmonitor: a watcher for the next command
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version != SCHEMA_VERSION:
            return None
        if not watched:
            stored = conn.execute("SELECT value FROM sync_state WHERE name = 'manifest'").fetchone()
            if stored is None or stored[0] != scan_manifest(os.path.join(root, "papers")):
                return None
        sql, params = search_sql(query, limit, columns="p.table_row")
        rows = [tuple(row.split(CELL_SEP)) for (row,) in conn.execute(sql, params)]
    except sqlite3.Error:
        return None  # the full path verifies and rebuilds
    finally:
        conn.close()
    if not watched:
        mark_clean(path)  # as Index.close does: the close just changed the WAL, soundly
    # else the watcher keeps the marker while it vouches (as for Index.open's readers): no
    # stamp of a read that began before the watcher's last write lands after the watcher's own
    return rows


CELL_SEP = "\x1f"
"""Between the cells of the stored ``table_row`` (ASCII's unit separator; splitting is several
times cheaper than a JSON decode, which was most of printing 700 hits)."""
