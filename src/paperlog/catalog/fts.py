"""The catalog's full-text indexes: the whole one (``papers_fts``) and its recent tier.

A bare word is a prefix match, and FTS5 answers a prefix by merging the doclists of every term
it covers, then BM25 counts each phrase's rows over the whole index: at 3M papers "learning"
alone reads ~450,000 rows' entries (~100-170 ms), however few rows are shown. A word search
ranks only the newest ``RANK_WINDOW`` matches anyway (``Catalog.search``), so the recent tier,
a second contentless FTS5 table holding only the newest ~``RECENT_ROWS`` indexed rows, finds
those same rows in a tenth of the index: when it holds a full window of matches, they are the
newest matches of the whole catalog (it holds every indexed row above ``recent_from``); with
fewer the search asks the whole index. Words find what they always found; BM25 within the
window uses the tier's statistics (term rarity among recent papers), which only reorders
close scores.

The tier exists only in a catalog of more than ``2 * RECENT_ROWS`` rows (below that the whole
index is fast enough), is filled after the whole index (``index_pending``) a chunk a
transaction like it, and is rebuilt from the newest rows when it has grown to twice its size.
Its marks (``meta.recent_from``, ``meta.recent_upto``) say which rows it holds; a search uses
it only when it is level with the whole index (``recent_upto == fts_upto``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from paperlog.query import FTS_COLUMNS, FTS_TABLE, FTS_TOKENIZE, FTS_WEIGHTS, PAPERS_TABLE

SCHEMA_VERSION = 2
"""The catalog schema ``paperlog.catalog.schema`` makes (its history is told there)."""
RANK_WINDOW = 5_000
"""A word search ranks at most this many matches, the newest (see ``Catalog.search``)."""
RECENT_TABLE = "papers_fts_recent"
RECENT_ROWS = 500_000
"""Rows of the recent tier after a rebuild: at 3M synthetic papers the 5,000 newest matches of
'contrastive learning' lie within the newest ~370,000 rows."""

_SOURCE = {
    "title": "title",
    "nickname": "''",
    "venue": "trim(badge || ' ' || venue_name)",
    "authors": "coalesce((SELECT group_concat(value, '; ') FROM json_each(authors)), '')",
    "notes": "''",
    "abstract": "paperlog_unpack(abstract)",
    # Spacing differs from records.fts_row's join; the tokens (all the index keeps) do not.
    "other": "coalesce(arxiv, '') || ' ' || coalesce(doi, '') || ' ' || "
    "coalesce(openreview, '') || ' ' || categories",
}


def create_sql(table: str) -> str:
    """A contentless FTS5 table with the catalog's columns: the text lives once, in
    ``papers``; a changed row leaves the index by FTS5's 'delete' command with its old values."""
    cols = ", ".join(FTS_COLUMNS)
    return f"CREATE VIRTUAL TABLE {table} USING fts5({cols}, content='', tokenize='{FTS_TOKENIZE}')"


AUTOMERGE = 16
"""FTS5 merges segments once this many share a level (its default is 4). A bulk load writes
one segment a 20,000-row batch; merging 16 at a time instead of 4 rewrites each row fewer
times: indexing 200,000 papers took 65 instead of 81 us of CPU a paper, and a word search
measured the same (9.7 vs 9.3 ms)."""


def create(conn: sqlite3.Connection, table: str) -> None:
    """Create a catalog full-text table (``create_sql``) with its merge setting."""
    conn.execute(create_sql(table))
    conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', {AUTOMERGE})")


def index_rows(conn: sqlite3.Connection, table: str, above: int, upto: int) -> None:
    """Put the rows ``above < id <= upto`` into ``table`` with one INSERT ... SELECT (the rows
    never become Python objects; only the abstract is inflated, by ``paperlog_unpack``)."""
    cols = ", ".join(FTS_COLUMNS)
    select = ", ".join(_SOURCE[c] for c in FTS_COLUMNS)
    conn.execute(
        f"INSERT INTO {table} (rowid, {cols}) SELECT id, {select} FROM {PAPERS_TABLE} "
        "WHERE id > ? AND id <= ? ORDER BY id",
        (above, upto),
    )


def _meta(conn: sqlite3.Connection, name: str) -> int | None:
    row = conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    return int(row[0]) if row else None


def _set_meta(conn: sqlite3.Connection, name: str, value: int) -> None:
    conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, str(value)))


def recent_range(conn: sqlite3.Connection) -> tuple[int, int] | None:
    """(recent_from, recent_upto) of the tier, or None when there is none."""
    start = _meta(conn, "recent_from")
    upto = _meta(conn, "recent_upto")
    return None if start is None or upto is None else (start, upto)


def replace_tables(conn: sqlite3.Connection, rowid: int, fts_upto: int) -> list[str]:
    """The full-text tables holding row ``rowid`` (a merge replaces its text in each)."""
    tables = [FTS_TABLE] if rowid <= fts_upto else []
    tier = recent_range(conn)
    if tier is not None and tier[0] < rowid <= tier[1]:
        tables.append(RECENT_TABLE)
    return tables


def follow(conn: sqlite3.Connection, above: int, upto: int) -> None:
    """Rows just put in the whole index (``above < id <= upto``, in the open transaction)
    enter the tier too when it was level with it, so it stays usable."""
    tier = recent_range(conn)
    if tier is not None and tier[1] == above and upto > above:
        index_rows(conn, RECENT_TABLE, above, upto)
        _set_meta(conn, "recent_upto", upto)


def sync_recent(
    conn: sqlite3.Connection,
    fts_upto: int,
    *,
    rows: int,
    chunk: int,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Bring the tier level with the whole index (every row up to ``fts_upto``), a chunk a
    transaction, each moving ``recent_upto`` with it; (re)build it from the newest ``rows``
    rows when missing or grown past twice that. Returns how many rows entered it."""
    if fts_upto <= 2 * rows:
        return 0
    tier = recent_range(conn)
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (RECENT_TABLE,)).fetchone()
    if tier is None or not exists or fts_upto - tier[0] > 2 * rows:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(f"DROP TABLE IF EXISTS {RECENT_TABLE}")
            create(conn, RECENT_TABLE)
            start = fts_upto - rows
            _set_meta(conn, "recent_from", start)
            _set_meta(conn, "recent_upto", start)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        tier = (start, start)
    done = 0
    upto = tier[1]
    while upto < fts_upto:
        last = min(upto + chunk, fts_upto)
        conn.execute("BEGIN IMMEDIATE")
        try:
            index_rows(conn, RECENT_TABLE, upto, last)
            _set_meta(conn, "recent_upto", last)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if progress:
            progress(last - upto)
        done += last - upto
        upto = last
    return done


def window(conn: sqlite3.Connection, match: str, size: int, limit: int, fts_upto: int) -> list[int]:
    """Ids of the best ``limit`` of the newest ``size`` matches, best first: from the tier
    when it holds a full window of them, else from the whole index."""
    tier = recent_range(conn)
    if tier is not None and tier[1] == fts_upto:
        ids, matched = _ranked(conn, RECENT_TABLE, match, size, limit)
        if matched >= size:
            return ids
    return _ranked(conn, FTS_TABLE, match, size, limit)[0]


def _ranked(
    conn: sqlite3.Connection, table: str, match: str, size: int, limit: int
) -> tuple[list[int], int]:
    # The inner query walks the doclists newest first and stops at the window; the count over
    # the window says whether it was full.
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    rows = conn.execute(
        "SELECT rid, count(*) OVER () FROM (SELECT rowid AS rid, "
        f"bm25({table}, {weights}) AS score FROM {table} WHERE {table} MATCH ? "
        "ORDER BY rowid DESC LIMIT ?) ORDER BY score, rid LIMIT ?",
        (match, size, limit),
    ).fetchall()
    return [int(r[0]) for r in rows], int(rows[0][1]) if rows else 0
