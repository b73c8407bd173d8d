"""The catalog's tables: the SQL that makes them, their history, and what opening checks.

Kept apart from ``paperlog.catalog.store`` (which opens the catalog, merges records into it
and searches it) so that module stays about what it does. ``SCHEMA_VERSION`` lives in
``paperlog.catalog.fts``, which the search fast path reads without this module.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from paperlog.catalog import fts
from paperlog.catalog.fts import SCHEMA_VERSION
from paperlog.catalog.records import ROW_FIELDS, pack_text, title_key
from paperlog.errors import PaperlogError
from paperlog.query import FTS_TABLE, PAPERS_TABLE

if TYPE_CHECKING:
    from pathlib import Path


class CatalogError(PaperlogError):
    """A catalog that cannot be opened or used."""


# Schema history (SCHEMA_VERSION lives in paperlog.catalog.fts, for the search fast path):
# 1 stored the normalised title and the abstract as text, with every identifier column
# indexed; 2 keeps a 64-bit hash of the normalised title, the abstract zlib-compressed, partial
# indexes on the mostly empty DOI and OpenReview columns, and builds the full-text index after a
# bulk load (meta.fts_upto). Catalog.open migrates 1 to 2. Another module adding its own table
# (embeddings) does so with CREATE TABLE IF NOT EXISTS beside these, not by changing the
# version; so does the recent tier (papers_fts_recent, paperlog.catalog.fts).
PAGE_SIZE = 16384
"""A new catalog's page size: a row with its abstract is ~1 KB, so 4 KB pages waste a tenth."""
PAPERS_DDL = f"""
CREATE TABLE IF NOT EXISTS {PAPERS_TABLE} (
    id INTEGER PRIMARY KEY,
    arxiv TEXT UNIQUE,
    doi TEXT,
    openreview TEXT,
    title_key INTEGER NOT NULL,
    title TEXT NOT NULL,
    authors TEXT NOT NULL DEFAULT '[]',
    abstract BLOB NOT NULL DEFAULT x'',
    year INTEGER,
    date TEXT,
    venue TEXT NOT NULL DEFAULT '',
    venue_label TEXT NOT NULL DEFAULT '',
    venue_name TEXT NOT NULL DEFAULT '',
    badge TEXT NOT NULL DEFAULT '',
    categories TEXT NOT NULL DEFAULT '',
    url TEXT,
    sources TEXT NOT NULL DEFAULT '[]',
    kind TEXT GENERATED ALWAYS AS ('paper') VIRTUAL,
    status TEXT GENERATED ALWAYS AS ('') VIRTUAL,
    track TEXT GENERATED ALWAYS AS ('') VIRTUAL,
    topics TEXT GENERATED ALWAYS AS ('[]') VIRTUAL,
    weeks TEXT GENERATED ALWAYS AS ('[]') VIRTUAL
)
"""
# The columns the query language filters on (see paperlog.query) exist here with the library
# index's names and its normalised (folded) values: ``venue`` and ``venue_label`` as the query
# compares them, ``venue_name`` and ``badge`` as shown. status/track/topics/weeks are constant
# (virtual: stored nowhere) for catalog papers, so such filters match nothing rather than fail.
INDEXES = (
    f"CREATE INDEX IF NOT EXISTS papers_title_key ON {PAPERS_TABLE}(title_key)",
    f"CREATE INDEX IF NOT EXISTS papers_year ON {PAPERS_TABLE}(year)",
    f"CREATE INDEX IF NOT EXISTS papers_date ON {PAPERS_TABLE}(date)",
    # Most catalog papers have neither: a partial index holds only those that do.
    f"CREATE UNIQUE INDEX IF NOT EXISTS papers_doi ON {PAPERS_TABLE}(doi) WHERE doi IS NOT NULL",
    f"CREATE UNIQUE INDEX IF NOT EXISTS papers_openreview ON {PAPERS_TABLE}(openreview) "
    "WHERE openreview IS NOT NULL",
)
STATE_DDL = """
CREATE TABLE IF NOT EXISTS ingest_state (
    source TEXT PRIMARY KEY,
    signature TEXT NOT NULL,
    records INTEGER NOT NULL,
    finished INTEGER NOT NULL
)
"""
META_DDL = "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"


def ensure_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Make the tables of a new catalog, migrate an old one, refuse a newer one."""
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version == SCHEMA_VERSION:
        return
    if version not in (0, 1):
        raise CatalogError(
            f"catalog schema {version} is newer than this paperlog's ({SCHEMA_VERSION}); "
            "upgrade paperlog, or delete the file and ingest again",
            path,
        )
    conn.execute("BEGIN IMMEDIATE")
    try:
        if version == 1:
            migrate_from_1(conn)
        else:
            create_tables(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def create_tables(conn: sqlite3.Connection) -> None:
    """The tables, their indexes and the full-text index, where missing."""
    conn.execute(PAPERS_DDL)
    for ddl in INDEXES:
        conn.execute(ddl)
    conn.execute(STATE_DDL)
    conn.execute(META_DDL)
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (FTS_TABLE,)).fetchone()
    if not exists:
        # Contentless: the text lives once, in ``papers``; the full-text table holds only
        # its index (a third of the database otherwise).
        fts.create(conn, FTS_TABLE)


def migrate_from_1(conn: sqlite3.Connection) -> None:
    """Schema 1 -> 2: rows copied with hashed title keys and compressed abstracts; the
    full-text index is kept (its text is the same)."""
    conn.create_function("paperlog_title_key", 1, title_key, deterministic=True)
    conn.create_function("paperlog_pack", 1, pack_text, deterministic=True)
    conn.execute(f"ALTER TABLE {PAPERS_TABLE} RENAME TO papers_v1")
    for name in ("papers_title", "papers_year", "papers_date"):
        conn.execute(f"DROP INDEX IF EXISTS {name}")
    create_tables(conn)
    cols = ", ".join(("id", *ROW_FIELDS))
    old = ", ".join(
        "paperlog_title_key(norm_title)"
        if name == "title_key"
        else "paperlog_pack(abstract)"
        if name == "abstract"
        else name
        for name in ("id", *ROW_FIELDS)
    )
    conn.execute(f"INSERT INTO {PAPERS_TABLE} ({cols}) SELECT {old} FROM papers_v1")
    conn.execute("DROP TABLE papers_v1")
    conn.execute(
        "INSERT OR REPLACE INTO meta (name, value) "
        f"SELECT 'fts_upto', coalesce(max(id), 0) FROM {PAPERS_TABLE}"
    )
