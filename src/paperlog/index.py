"""The SQLite (FTS5) index: a cache of the library's paper files, kept fresh by itself.

The files under ``papers/`` are the truth; ``.paperlog/index.sqlite`` is derived from them and
safe to delete. Every ``Index.open`` syncs incrementally: one ``os.scandir`` of ``papers/``
(stat only), compared with the stored ``(mtime_ns, size)``; only new or changed files are read,
and a file whose stat changed but whose SHA-1 did not just gets its stat updated. Nothing is
parsed (and YAML is not imported) when nothing changed. A schema-version mismatch or a corrupt
file rebuilds the index from the files.

Each row keeps the paper's full data as JSON (``paper_to_json``), so a search returns ``Paper``
objects without touching the files.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from paperlog import index_fresh, index_rows, index_schema
from paperlog.errors import PaperlogError, ValidationError
from paperlog.index_check import (
    SMUDGED_SIZE,
    IndexDamaged,
    check_row,
    fake_stat,
    forget_clean,
    is_racy,
    mark_clean,
    quick_check,
    row_checksum,
    verify_rows,
    was_closed_cleanly,
)
from paperlog.index_fresh import CELL_SEP, manifest_count, manifest_of, scan_manifest
from paperlog.index_plan import PlanQueries
from paperlog.index_rows import (
    iso_or_none,
    paper_from_json,
    paper_row_values,
    paper_to_json,
)
from paperlog.index_schema import (
    DATA_DDL,
    NAMES_DDL,
    NAMES_INDEXES,
    NAMES_TABLE,
    PAPERS_DDL,
    PAPERS_INDEXES,
    READINGS_DDL,
    READINGS_INDEXES,
    ROW_COLUMNS,
    STATE_DDL,
)
from paperlog.model import Paper
from paperlog.query import (
    FTS_COLUMNS,
    FTS_TABLE,
    PAPERS_TABLE,
    Query,
    fts_create_sql,
    fts_values,
    parse_query,
    search_sql,
)

if TYPE_CHECKING:
    from paperlog.hits import Hits
    from paperlog.library import Library

_T = TypeVar("_T")

SCHEMA_VERSION = index_fresh.SCHEMA_VERSION
"""The index file's ``user_version`` (kept in ``index_fresh``, which the fast path reads)."""
INDEX_NAME = index_fresh.INDEX_NAME
# what other modules read from here, defined with the tables and rows
DATA_TABLE = index_schema.DATA_TABLE
READINGS_TABLE = index_schema.READINGS_TABLE
STATS_COLUMNS = index_schema.STATS_COLUMNS
REVIEW_UNREADABLE = index_rows.REVIEW_UNREADABLE
OPTIMIZE_AFTER = 200
"""Merge the full-text index's segments after a sync that changed at least this many rows."""


@dataclass
class SyncStats:
    """What one sync did: files added, re-parsed, re-read with the same content, removed."""

    added: int = 0
    updated: int = 0
    touched: int = 0
    """Files whose stat changed but whose content (SHA-1) did not: re-read, not re-parsed."""
    removed: int = 0
    unchanged: int = 0
    rebuilt: bool = False
    """True when the index was (re)created from scratch by this open."""
    watched: bool = False
    """True when a live watcher vouched for the index, so no scan was made (``watch.py``)."""
    verified: bool = False
    """True when the open verified every row (the clean marker did not match: ``index_check``)."""

    @property
    def read(self) -> int:
        """How many paper files were read from disk."""
        return self.added + self.updated + self.touched

    @property
    def changed(self) -> bool:
        """True when the index content changed."""
        return bool(self.added or self.updated or self.removed)


# --- Paper <-> JSON (exact) --------------------------------------------------------------------


_UNTRUSTED = (sqlite3.Error, IndexDamaged, ValueError, KeyError, TypeError, IndexError)
"""What reading the index can raise when its file is damaged: each one means "rebuild"."""


def _is_busy(exc: BaseException) -> bool:
    """True when another process holds the file (not damage: do not delete it, go around it)."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


class Index(PlanQueries):
    """An open index over one library. Use ``Index.open(library)`` (also a context manager)."""

    def __init__(self, library: Library, conn: sqlite3.Connection, path: Path) -> None:
        self.library = library
        self.path = path
        self._conn = conn
        self.last_sync = SyncStats()
        self._memory = False
        self._trusted = True
        """False once damage was seen and not yet repaired: no clean marker on close."""
        self.generation = 0
        """How many times this index was rebuilt while open (row ids change then: ``Hits``)."""
        self._leave_marker = False
        """True when a live watcher vouched for this index: it keeps the clean marker."""

    # opening -----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        library: Library,
        *,
        sync: bool = True,
        problems: list[PaperlogError] | None = None,
        ask_watcher: bool = True,
    ) -> Index:
        """Open (or create) the library's index and sync it with the files.

        ``sync=False`` skips the scan when the caller knows nothing changed since its last
        sync (``paperlog serve``'s file watcher); a new, verified or rebuilt index is always
        synced.

        The index is never trusted: after an unclean close it is verified, and any SQLite
        error, undecodable row or failed check rebuilds it from the files (in memory when the
        file cannot be used at all), so the answer is always the files' answer. A live
        watcher (``paperlog watch``) vouches that no paper file changed unseen, so no scan is
        made; otherwise (or with ``ask_watcher=False``) every paper file is stat'ed.

        With a ``problems`` list, a paper file that cannot be read is skipped and its error
        added there (``list`` and ``search`` warn and go on); without, the first is raised.
        """
        path = library.state_dir / INDEX_NAME
        # The watcher is asked before the clean marker is read: it answers only after its own
        # writes are committed and marked, so the marker is read between two of its writes.
        # Read first, the marker could be caught inside one (the watcher applying the last
        # command's change), taken for a crash, and every row verified: seconds at 100,000.
        # Asked even for a new index (then synced all the same): a command that finds no
        # watcher starts one when [index] fsmonitor is on.
        vouched = ask_watcher and _watcher_vouches(library)
        clean = was_closed_cleanly(path)
        if vouched and not clean:
            # an event after its answer (another writer) may have started another write: ask
            # once more; a marker still wrong is then not the watcher's doing, so verify
            vouched = _watcher_vouches(library)
            clean = was_closed_cleanly(path)
        try:
            return cls._open(
                library,
                path,
                problems=problems,
                verify=not clean,
                sync=sync,
                vouched=vouched,
            )
        except _UNTRUSTED as exc:
            if _is_busy(exc):
                return cls._open(library, path, problems=problems, memory=True)
        # A damaged or foreign file: the files are the truth, so start the cache again.
        _discard(path)
        try:
            return cls._open(library, path, problems=problems)
        except sqlite3.Error:
            return cls._open(library, path, problems=problems, memory=True)

    @classmethod
    def _open(
        cls,
        library: Library,
        path: Path,
        *,
        verify: bool = False,
        memory: bool = False,
        problems: list[PaperlogError] | None = None,
        sync: bool = True,
        vouched: bool = False,
    ) -> Index:
        index = cls(library, _connect(":memory:" if memory else path), path)
        index._memory = memory
        try:
            rebuilt = index._ensure_schema()
            verified = verify and not rebuilt
            if verified:
                index._verify()
            if not (sync or rebuilt or verify or memory):
                stats = SyncStats()
            elif vouched and not memory and not rebuilt:
                stats = SyncStats(watched=True)
                # the watcher keeps the marker while it vouches (it marks after each of its
                # writes): this reader's close leaves it alone, so no stale stamp of a read
                # that began before the watcher's last write can land after the watcher's own
                index._leave_marker = not verified
            else:
                stats = index.sync(problems)
        except BaseException:
            index._trusted = False
            index.close()
            raise
        stats.rebuilt = rebuilt
        stats.verified = verified
        index.last_sync = stats
        return index

    def _ensure_schema(self) -> bool:
        """Create the tables when the file is new or holds another schema version."""
        (version,) = self._conn.execute("PRAGMA user_version").fetchone()
        if version == SCHEMA_VERSION:
            return False
        # The index is a cache: WAL lets a reader and a syncing writer work at once. The mode
        # is stored in the file, so it is set once here rather than on every open.
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have created the tables while this one waited for the lock.
            (version,) = self._conn.execute("PRAGMA user_version").fetchone()
            if version == SCHEMA_VERSION:
                self._conn.execute("COMMIT")
                return False
            names = [
                row[0]
                for row in self._conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            for name in names:  # a virtual table drops its shadow tables with it
                self._conn.execute(f'DROP TABLE IF EXISTS "{name}"')
            self._conn.execute(PAPERS_DDL)
            self._conn.execute(DATA_DDL)
            self._conn.execute(STATE_DDL)
            self._conn.execute(READINGS_DDL)
            self._conn.execute(NAMES_DDL)
            for ddl in (*READINGS_INDEXES, *PAPERS_INDEXES, *NAMES_INDEXES):
                self._conn.execute(ddl)
            self._conn.execute(fts_create_sql())
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        return True

    def rebuild(self) -> SyncStats:
        """Throw the index file away and build it again from the paper files."""
        self._conn.close()
        if not self._memory:
            _discard(self.path)
        try:
            self._conn = _connect(":memory:" if self._memory else self.path)
            self._ensure_schema()
        except sqlite3.Error:  # the file cannot be made again (a read-only folder): in memory
            self._memory = True
            self._conn = _connect(":memory:")
            self._ensure_schema()
        self._trusted = True
        self.generation += 1
        stats = self.sync()
        stats.rebuilt = True
        self.last_sync = stats
        return stats

    def _read(self, run: Callable[[], _T]) -> _T:
        """Run a read; damage found only now (a bad page, a row failing its checksum or not
        decoding) rebuilds from the files, once, and answers from the rebuilt index."""
        try:
            return run()
        except _UNTRUSTED as exc:
            self._trusted = False
            if _is_busy(exc):
                self._memory = True  # another process holds the file: answer from memory
        self.rebuild()
        return run()

    def _rollback(self) -> None:
        # Only when a transaction is open: a failed COMMIT may already have ended it, and a
        # second error here would hide the first.
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def mark_clean(self) -> None:
        """Record the file's state as sound now, as a clean close does (a process that keeps
        the index open, the watcher, calls this after each of its writes)."""
        if self._trusted and not self._memory:
            mark_clean(self.path)

    def close(self) -> None:
        """Close the database connection; record a clean close when the index is sound."""
        self._conn.close()
        if self._leave_marker and self.generation == 0:
            return  # only read, and the watcher that vouched for it keeps the marker
        if self._trusted and not self._memory:
            mark_clean(self.path)

    def __enter__(self) -> Index:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # syncing -----------------------------------------------------------------------------

    def _scan(self) -> list[tuple[str, str, os.stat_result]]:
        """(key, path, stat) of every ``papers/*.md``, as ``Library.paper_files`` lists them."""
        found: list[tuple[str, str, os.stat_result]] = []
        try:
            entries = os.scandir(self.library.papers_dir)
        except FileNotFoundError:
            return found
        with entries:
            for entry in entries:
                name = entry.name
                if name.endswith(".md") and not name.startswith(".") and entry.is_file():
                    found.append((name[:-3], entry.path, entry.stat()))
        return found

    def sync(self, problems: list[PaperlogError] | None = None) -> SyncStats:
        """Bring the index in line with ``papers/``: read only new or changed files.

        A file that fails to parse raises its ``BadFile`` (file:line) after the other changes
        are stored; it is retried on the next sync.
        """
        stats = SyncStats()
        # First the manifest alone (index_fresh: one bytes object, no stat kept per file); the
        # detailed scan below, a second listing, is made only when something changed.
        row = self._conn.execute("SELECT value FROM sync_state WHERE name = 'manifest'").fetchone()
        if row is not None:
            quick = scan_manifest(self.library.papers_dir)
            if row[0] == quick:
                stats.unchanged = manifest_count(quick)
                return stats
            del quick
        scan_start_ns = time.time_ns()  # before any stat: the racy-git reference point
        scan = self._scan()
        manifest = manifest_of(scan)
        files = {key: (path, st) for key, path, st in scan}
        error: PaperlogError | None = None
        complete = True
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            # Read inside the write transaction: another process's sync cannot slip between.
            stored = {
                key: (mtime, size)
                for key, mtime, size in self._conn.execute(
                    f"SELECT key, mtime_ns, size FROM {PAPERS_TABLE}"
                )
            }
            changed = [
                key
                for key, (_, st) in files.items()
                if stored.get(key) != (st.st_mtime_ns, st.st_size)
            ]
            stats.unchanged = len(files) - len(changed)
            for key in stored.keys() - files.keys():
                self._delete(key)
                stats.removed += 1
            for key in sorted(changed):
                path, st = files[key]
                try:
                    self._update(key, path, st, stats, known=key in stored)
                    if is_racy(st.st_mtime_ns, scan_start_ns):
                        self._smudge(key)
                        complete = False  # no manifest either: the next sync must look
                except FileNotFoundError:
                    complete = False  # deleted since the scan: the next sync removes it
                except (PaperlogError, OSError, UnicodeDecodeError) as exc:
                    complete = False
                    if problems is not None:
                        problems.append(_as_paperlog_error(exc, path))
                    elif error is None:
                        error = _as_paperlog_error(exc, path)
            if stats.added:
                self._check_duplicate_keys()
            if stats.added + stats.updated + stats.removed >= OPTIMIZE_AFTER:
                self._conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")
            # The table now holds exactly this scan's stats, unless a file could not be stored;
            # then no manifest, so the next sync compares file by file and retries it.
            if complete:
                self._conn.execute(
                    "INSERT OR REPLACE INTO sync_state (name, value) VALUES ('manifest', ?)",
                    (manifest,),
                )
            else:
                self._conn.execute("DELETE FROM sync_state WHERE name = 'manifest'")
            self._conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        if error is not None:
            raise error
        return stats

    def refresh(self, keys: list[str]) -> SyncStats:
        """Re-read these papers' files (a watcher's events name them): changed ones are
        re-parsed, vanished ones dropped. Each file is hashed even when its stat did not
        change, so an edit that keeps size and timestamp is seen too."""
        stats = SyncStats()
        if not keys:
            return stats  # a watcher's answer with nothing pending keeps the manifest valid
        error: PaperlogError | None = None
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for key in keys:
                path = str(self.library.paper_path(key))
                known = (
                    self._conn.execute(
                        f"SELECT 1 FROM {PAPERS_TABLE} WHERE key = ?", (key,)
                    ).fetchone()
                    is not None
                )
                try:
                    st = Path(path).stat()
                    self._update(key, path, st, stats, known=known)
                except FileNotFoundError:
                    if known:
                        self._delete(key)
                        stats.removed += 1
                except (PaperlogError, OSError, UnicodeDecodeError) as exc:
                    if error is None:
                        error = _as_paperlog_error(exc, path)
            if stats.added:
                self._check_duplicate_keys()
            # The rows no longer match the last scan's manifest: the next scan compares all.
            self._conn.execute("DELETE FROM sync_state WHERE name = 'manifest'")
            self._conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        if error is not None:
            raise error
        return stats

    def _update(
        self, key: str, path: str, st: os.stat_result, stats: SyncStats, *, known: bool
    ) -> None:
        import hashlib  # here, not at the top: it costs start-up time and a no-change sync skips it

        raw = Path(path).read_bytes()
        sha1 = hashlib.sha1(raw, usedforsecurity=False).hexdigest()
        if known:
            (old_sha1,) = self._conn.execute(
                f"SELECT sha1 FROM {PAPERS_TABLE} WHERE key = ?", (key,)
            ).fetchone()
            if old_sha1 == sha1:
                self._conn.execute(
                    f"UPDATE {PAPERS_TABLE} SET mtime_ns = ?, size = ? WHERE key = ?",
                    (st.st_mtime_ns, st.st_size, key),
                )
                stats.touched += 1
                return
        paper = self._parse(Path(path), raw.decode("utf-8"))
        if known:
            self._delete(key)
            stats.updated += 1
        else:
            stats.added += 1
        cols = ", ".join(ROW_COLUMNS)
        marks = ", ".join("?" for _ in ROW_COLUMNS)
        cur = self._conn.execute(
            f"INSERT INTO {PAPERS_TABLE} ({cols}) VALUES ({marks})",
            paper_row_values(paper, path, st, sha1),
        )
        if paper.readings:
            self._conn.executemany(
                f"INSERT INTO {READINGS_TABLE} (id, week, week_start, day, ord) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (cur.lastrowid, r.week, iso_or_none(r.week_start), iso_or_none(r.date), r.order)
                    for r in paper.readings
                ],
            )
        self._conn.executemany(
            f"INSERT INTO {NAMES_TABLE} (id, form) VALUES (?, ?)",
            [(cur.lastrowid, form) for form in _name_forms(paper)],
        )
        data = paper_to_json(paper)
        self._conn.execute(
            f"INSERT INTO {DATA_TABLE} (id, data, crc) VALUES (?, ?, ?)",
            (cur.lastrowid, data, row_checksum(data)),
        )
        fts_marks = ", ".join("?" for _ in FTS_COLUMNS)
        self._conn.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(FTS_COLUMNS)}) VALUES (?, {fts_marks})",
            (cur.lastrowid, *fts_values(paper)),
        )

    def _smudge(self, key: str) -> None:
        """Store an impossible size for a racy file so the next sync re-reads it (racy-git:
        an edit within the same timestamp tick and of the same size would go unseen)."""
        self._conn.execute(f"UPDATE {PAPERS_TABLE} SET size = ? WHERE key = ?", (SMUDGED_SIZE, key))

    # integrity (storage; see index_check) ------------------------------------------------

    def _verify(self) -> None:
        """The full check after an unclean close: structure, FTS, every row (IndexDamaged)."""
        quick_check(self._conn, FTS_TABLE)
        (version,) = self._conn.execute("PRAGMA user_version").fetchone()
        if version != SCHEMA_VERSION:
            raise IndexDamaged(f"schema version {version}, expected {SCHEMA_VERSION}")
        verify_rows(
            self._conn,
            tables=(PAPERS_TABLE, DATA_TABLE, FTS_TABLE),
            row_columns=ROW_COLUMNS,
            fts_columns=FTS_COLUMNS,
            expected=_expected_row,
        )
        self._verify_names()

    def _verify_names(self) -> None:
        """Each item's ``key_names`` rows are exactly those its stored names give."""
        stored: dict[int, list[str]] = {}
        for rowid, form in self._conn.execute(
            f"SELECT id, form FROM {NAMES_TABLE} ORDER BY id, form"
        ):
            stored.setdefault(rowid, []).append(form)
        sql = (
            "SELECT p.rowid, p.key, "
            "json_extract(d.data, '$.nickname', '$.citekey', '$.ids', '$.aliases') "
            f"FROM {PAPERS_TABLE} AS p JOIN {DATA_TABLE} AS d ON d.id = p.rowid"
        )
        from paperlog.lookup import name_forms

        for rowid, key, values in self._conn.execute(sql):
            if stored.pop(rowid, []) != name_forms(key, *json.loads(values)):
                raise IndexDamaged(f"index row {key!r} disagrees with its names")
        if stored:
            raise IndexDamaged(f"{NAMES_TABLE} holds names of {len(stored)} missing papers")

    def _parse(self, path: Path, text: str) -> Paper:
        # What Library.parse_paper_file does, on the bytes already read for the SHA-1, so the
        # stored hash and the stored paper always come from the same read.
        from paperlog.paperfile import paper_from_text

        paper = paper_from_text(path.stem, text, path)
        self.library.validate(paper, path, text)
        return paper

    def _delete(self, key: str) -> None:
        row = self._conn.execute(
            f"SELECT rowid FROM {PAPERS_TABLE} WHERE key = ?", (key,)
        ).fetchone()
        if row is not None:
            self._conn.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = ?", row)
            self._conn.execute(f"DELETE FROM {DATA_TABLE} WHERE id = ?", row)
            self._conn.execute(f"DELETE FROM {READINGS_TABLE} WHERE id = ?", row)
            self._conn.execute(f"DELETE FROM {NAMES_TABLE} WHERE id = ?", row)
            self._conn.execute(f"DELETE FROM {PAPERS_TABLE} WHERE rowid = ?", row)

    def _check_duplicate_keys(self) -> None:
        keys = [row[0] for row in self._conn.execute(f"SELECT key FROM {PAPERS_TABLE}")]
        seen: dict[str, str] = {}
        for key in sorted(keys):
            low = key.lower()
            if low in seen:
                raise ValidationError(
                    f"duplicate key: {key!r} and {seen[low]!r} differ only in case",
                    self.library.paper_path(key),
                )
            seen[low] = key

    # reading -----------------------------------------------------------------------------

    def search(self, query: Query | str, limit: int | None = None) -> Hits:
        """Items matching the query, best match first (newest reading first without words).

        One SQL statement gives the hits' row ids and keys; a ``Paper`` is decoded only when
        the result is indexed or iterated (``paperlog.hits.Hits``; valid while the index is
        open), and ``Hits.table_rows()`` gives a table's columns without any."""
        from paperlog.hits import Hits

        sql, params = search_sql(query, limit)
        return Hits(self, sql, params)

    def search_rows(self, query: Query | str, limit: int | None = None) -> list[tuple[str, ...]]:
        """The rows a table of the hits shows (``views.paper_row``: key, kind, status, year,
        venue, weeks, title), read by SQLite's JSON functions: a search that only prints
        builds no ``Paper`` (decoding them was most of an in-process search)."""
        return self.search(query, limit).table_rows()

    def _table_rows(self, ids: list[int]) -> list[tuple[str, ...]]:
        if not ids:
            return []
        sql = (
            f"SELECT rowid, table_row FROM {PAPERS_TABLE} "
            "WHERE rowid IN (SELECT value FROM json_each(?))"
        )
        found = {
            rowid: tuple(row.split(CELL_SEP))
            for rowid, row in self._conn.execute(sql, (json.dumps(ids),))
        }
        if len(found) != len(set(ids)):
            raise IndexDamaged("a hit has no stored row")
        return [found[i] for i in ids]

    def _papers(self, ids: list[int]) -> list[Paper]:
        """The papers of these row ids, in this order."""
        if not ids:
            return []
        data = {
            rowid: check_row(rowid, text, crc)
            for rowid, text, crc in self._conn.execute(
                f"SELECT id, data, crc FROM {DATA_TABLE} "
                "WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            )
        }
        if len(data) != len(set(ids)):
            raise IndexDamaged("a paper row has no stored data")
        return [paper_from_json(data[i]) for i in ids]

    def keys(self, query: Query | str | None = None) -> list[str]:
        """Keys of the items matching ``query`` (all items without one), sorted."""
        if query is None:
            query = Query()
        if isinstance(query, str):
            query = parse_query(query)
        where, params = query.to_sql()
        sql = f"SELECT p.key FROM {PAPERS_TABLE} AS p WHERE {where} ORDER BY p.key"
        return self._read(lambda: [key for (key,) in self._conn.execute(sql, params)])

    def all(self, limit: int | None = None) -> list[Paper]:
        """Every item (the first ``limit``), sorted by key."""
        sql = f"SELECT p.rowid FROM {PAPERS_TABLE} AS p ORDER BY p.key"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._read(lambda: self._papers([rowid for (rowid,) in self._conn.execute(sql)]))

    def papers(self, keys: list[str]) -> list[Paper]:
        """The items with these keys (those that exist), in no particular order."""
        sql = f"SELECT p.rowid FROM {PAPERS_TABLE} AS p WHERE p.key IN (SELECT value FROM json_each(?))"
        return self._read(
            lambda: self._papers(
                [rowid for (rowid,) in self._conn.execute(sql, (json.dumps(keys),))]
            )
        )

    def __len__(self) -> int:
        sql = f"SELECT count(*) FROM {PAPERS_TABLE}"
        return int(self._read(lambda: self._conn.execute(sql).fetchone()[0]))

    def rows(
        self, sql: str, params: list[Any] | tuple[Any, ...] | dict[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        """Run one read-only SQL statement over the index tables (``paperlog.browse`` uses it)."""
        return self._read(lambda: [tuple(row) for row in self._conn.execute(sql, params)])

    def papers_by_rowid(self, ids: list[int]) -> list[Paper]:
        """The papers of these ``papers`` row ids, in this order."""
        return self._read(lambda: self._papers(ids))


def _watcher_vouches(library: Library) -> bool:
    """True when a live watcher answered that the index is up to date (``watch.py``).

    When none did and ``[index] fsmonitor`` is on, one is started for the next command.
    """
    from paperlog.watch import ask, autostart, fsmonitor_idle

    if ask(library.state_dir):
        return True
    if fsmonitor_idle(library.config.extra.get("index")) is not None:
        autostart(library.root, library.state_dir)
    return False


def _name_forms(paper: Paper) -> list[str]:
    from paperlog.lookup import name_forms

    return name_forms(paper.key, paper.nickname, paper.citekey, paper.ids, paper.aliases)


def _expected_row(stored: tuple[Any, ...], text: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The row and full-text values the sync would store for this row's JSON (its stat kept)."""
    paper = paper_from_json(text)
    key, path, mtime_ns, size, sha1 = stored[:5]
    if paper.key != key:
        raise ValueError(f"row {key!r} holds the data of {paper.key!r}")
    return paper_row_values(paper, path, fake_stat(size, mtime_ns), sha1), fts_values(paper)


def _discard(path: Path) -> None:
    """Delete an index file, its journal files and its clean marker."""
    forget_clean(path)
    for suffix in ("", "-wal", "-shm", "-journal"):
        name = Path(f"{path}{suffix}")
        try:
            name.unlink(missing_ok=True)
        except IsADirectoryError:  # a folder where paperlog keeps a file: not the user's
            import shutil

            shutil.rmtree(name, ignore_errors=True)
        except OSError:
            pass  # cannot remove it: the index is built in memory instead


def _connect(path: Path | str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    # synchronous=NORMAL is enough for a cache: a damaged file is simply rebuilt.
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def _as_paperlog_error(exc: BaseException, path: str) -> PaperlogError:
    from paperlog.errors import BadFile

    if isinstance(exc, PaperlogError):
        return exc
    if isinstance(exc, UnicodeDecodeError):
        line = exc.object.count(b"\n", 0, exc.start) + 1 if isinstance(exc.object, bytes) else None
        return BadFile(f"not UTF-8 text: {exc.reason} at byte {exc.start}", path, line)
    return BadFile(f"cannot read: {exc}", path)


def search(
    library: Library,
    query: str | Query,
    limit: int | None = None,
    problems: list[PaperlogError] | None = None,
) -> list[Paper]:
    """Open the library's index (syncing it), run one query, close it (``problems``: as for
    ``Index.open``)."""
    with Index.open(library, problems=problems) as index:
        return list(index.search(query, limit))


def search_rows(
    library: Library,
    query: str | Query,
    limit: int | None = None,
    problems: list[PaperlogError] | None = None,
) -> list[tuple[str, ...]]:
    """Open the library's index (syncing it), run one query for its table rows, close it
    (``problems``: as for ``Index.open``)."""
    with Index.open(library, problems=problems) as index:
        return index.search_rows(query, limit)


def all_papers(library: Library, problems: list[PaperlogError] | None = None) -> list[Paper]:
    """Every item through the index (synced with the files on open), sorted by key
    (``problems``: as for ``Index.open``)."""
    with Index.open(library, problems=problems) as index:
        return index.all()
