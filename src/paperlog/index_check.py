"""Never trust the index: the checks that decide when ``.paperlog/index.sqlite`` is rebuilt.

The index is a cache of the paper files, and SQLite keeps no checksum of what it stores. So:

- **a clean marker**: closing the index records the size, mtime and inode of the index file
  and its WAL in ``.paperlog/index.clean``. An open that finds them different (a process died
  with the index open, another program wrote the file, a WAL was deleted) runs ``verify``:
  ``PRAGMA quick_check``, FTS5's own integrity check, and every row decoded and compared with
  the columns and full-text entry it should have produced;
- **a checksum per row**: each paper's stored JSON carries a CRC-32 that every read checks, so
  a damaged row is never returned even when the marker could not tell;
- **racy files** (git's racy-git rule): a paper file whose mtime is not older than the scan
  that recorded it could change again within the same timestamp and size; such a row is stored
  "smudged" (size -1) so the next scan re-reads and re-hashes it.

Any failure raises ``IndexDamaged``; ``Index`` answers by rebuilding from the files.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import zlib
from collections.abc import Callable

# No json, pathlib or typing at import: the search fast path checks the clean marker with
# this module and nothing else of the index's (index_fresh).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

CLEAN_NAME = "index.clean"
SMUDGED_SIZE = -1
"""The size stored for a racy file: no real file has it, so the next scan re-reads the file."""
_FINE_WINDOW_NS = 100_000_000
"""How far behind the scan's clock a file's mtime can lag on a file system with fine
timestamps: the kernel stamps files from a coarse clock (one tick, 1-10 ms); 100 ms is ample."""
_COARSE_WINDOW_NS = 2_000_000_000
"""For file systems that store whole seconds (FAT: 2 s) the window is the granularity."""


class IndexDamaged(Exception):
    """The index file cannot be trusted (checked and found wrong): rebuild it from the files."""


# --- the per-row checksum -----------------------------------------------------------------------


def row_checksum(data: str) -> int:
    """CRC-32 of a row's stored JSON (cheap: it is checked on every read)."""
    return zlib.crc32(data.encode("utf-8"))


def check_row(key: object, data: object, crc: object) -> str:
    """The row's JSON when its checksum matches; ``IndexDamaged`` otherwise."""
    if not isinstance(data, str) or not isinstance(crc, int) or row_checksum(data) != crc:
        raise IndexDamaged(f"index row {key!r} does not match its checksum")
    return data


# --- racy files ----------------------------------------------------------------------------------


def is_racy(mtime_ns: int, scan_start_ns: int) -> bool:
    """True when a file stamped ``mtime_ns`` may still change unseen (same size, same mtime)
    after a scan that started at ``scan_start_ns``: its mtime is not clearly older than it."""
    whole_seconds = mtime_ns % 1_000_000_000 == 0
    window = _COARSE_WINDOW_NS if whole_seconds else _FINE_WINDOW_NS
    return mtime_ns >= scan_start_ns - window


# --- the clean marker ----------------------------------------------------------------------------


def _stamp(index_path: Path | str) -> bytes:
    """``[[size, mtime_ns, inode], ...]`` of the index file and its WAL (``null`` for one that
    does not exist), as JSON text written by hand: the marker's bytes are compared whole."""
    out = []
    for suffix in ("", "-wal"):
        try:
            st = os.stat(f"{index_path}{suffix}")
        except FileNotFoundError:
            out.append("null")
            continue
        out.append(f"[{st.st_size}, {st.st_mtime_ns}, {st.st_ino}]")
    return f"[{', '.join(out)}]".encode("ascii")


def _marker(index_path: Path | str) -> str:
    return os.path.join(os.path.dirname(index_path), CLEAN_NAME)


def was_closed_cleanly(index_path: Path | str) -> bool:
    """True when the index and its WAL are exactly as the last clean close left them."""
    try:
        with open(_marker(index_path), "rb") as f:
            recorded = f.read(4096)
    except OSError:
        return False
    return recorded == _stamp(index_path)


def mark_clean(index_path: Path | str) -> None:
    """Record the index's state after a close (a hint: a torn or lost marker only means the
    next open verifies). Written only when it changed, never through a symlink."""
    marker = _marker(index_path)
    data = _stamp(index_path)
    try:
        fd = os.open(marker, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError:
        return
    try:
        if os.read(fd, len(data) + 1) != data:
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
    except OSError:
        pass
    finally:
        os.close(fd)


def forget_clean(index_path: Path) -> None:
    """Drop the marker (the index is being rebuilt or was found damaged)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(_marker(index_path))


# --- full verification ---------------------------------------------------------------------------


def quick_check(conn: sqlite3.Connection, fts_table: str) -> None:
    """SQLite's structural check and FTS5's index-against-content check."""
    rows = conn.execute("PRAGMA quick_check").fetchall()
    if rows != [("ok",)]:
        raise IndexDamaged(f"PRAGMA quick_check: {rows[0][0] if rows else 'no answer'}")
    try:
        conn.execute(f"INSERT INTO {fts_table} ({fts_table}) VALUES ('integrity-check')")
    except sqlite3.DatabaseError as exc:
        raise IndexDamaged(f"full-text index: {exc}") from None


def fake_stat(size: int, mtime_ns: int) -> os.stat_result:
    """A stat result holding only a size and an mtime (to rebuild a row as the sync would)."""
    return os.stat_result((0, 0, 0, 0, 0, 0, size, 0, 0, 0, 0.0, 0.0, 0.0, 0, mtime_ns, 0))


def verify_rows(
    conn: sqlite3.Connection,
    *,
    tables: tuple[str, str, str],
    row_columns: tuple[str, ...],
    fts_columns: tuple[str, ...],
    expected: Callable[[tuple[Any, ...], str], tuple[tuple[Any, ...], tuple[Any, ...]]],
) -> int:
    """Check every row: checksum, decode, and that its columns and full-text entry are what the
    stored paper gives (``expected(stored_row, json)`` -> (row, full-text values)). Returns the
    number of rows checked; raises ``IndexDamaged`` at the first wrong one."""
    papers, data, fts = tables
    cols = ", ".join(f"p.{c}" for c in row_columns)
    fts_cols = ", ".join(f"f.{c}" for c in fts_columns)
    sql = (
        f"SELECT {cols}, d.data, d.crc, {fts_cols}, f.rowid FROM {papers} AS p "
        f"LEFT JOIN {data} AS d ON d.id = p.rowid LEFT JOIN {fts} AS f ON f.rowid = p.rowid"
    )
    n = len(row_columns)
    count = 0
    for row in conn.execute(sql):
        stored, text, crc = tuple(row[:n]), row[n], row[n + 1]
        stored_fts, fts_rowid = tuple(row[n + 2 : -1]), row[-1]
        checked = check_row(stored[0], text, crc)
        try:
            want_row, want_fts = expected(stored, checked)
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise IndexDamaged(f"index row {stored[0]!r} does not decode: {exc}") from None
        if want_row != stored or fts_rowid is None or want_fts != stored_fts:
            raise IndexDamaged(f"index row {stored[0]!r} disagrees with its stored paper")
        count += 1
    for table in (data, fts):
        (other,) = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        if other != count:
            raise IndexDamaged(f"{table} holds {other} rows for {count} papers")
    return count
