"""The paper catalog: one SQLite database of papers a user has not necessarily read.

The catalog is shared by every library of a user (it lives in the XDG data folder unless
``--catalog PATH`` or ``$PAPERLOG_CATALOG`` says otherwise) and is filled by ``catalog ingest``
from arXiv snapshots, ``.abs`` records, OAI-PMH and conference paper lists.

Its tables are named and shaped like the library index's (``papers`` and ``papers_fts``, the same
filter and full-text columns), so a ``paperlog.query.Query`` gives the same SQL over both: the
catalog is searched with exactly the syntax of ``paperlog search``.

One paper is one row however many sources list it: a record is merged into an existing row found
by arXiv ID, then DOI, then OpenReview ID, then normalised title (+ year within one), so an arXiv
preprint and its conference version are suggested once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sqlite3
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from paperlog.catalog import fts, location
from paperlog.catalog.fts import RANK_WINDOW, SCHEMA_VERSION
from paperlog.catalog.location import default_location
from paperlog.errors import PaperlogError
from paperlog.query import (
    FTS_COLUMNS,
    FTS_TABLE,
    FTS_WEIGHTS,
    PAPERS_TABLE,
    Query,
    fold,
    parse_query,
)

ENV_VAR = location.ENV_VAR
"""The environment variable naming the catalog file."""
# Schema history (SCHEMA_VERSION lives in paperlog.catalog.fts, for the search fast path):
# 1 stored the normalised title and the abstract as text, with every identifier column
# indexed; 2 keeps a 64-bit hash of the normalised title, the abstract zlib-compressed, partial
# indexes on the mostly empty DOI and OpenReview columns, and builds the full-text index after a
# bulk load (meta.fts_upto). Catalog.open migrates 1 to 2. Another module adding its own table
# (embeddings) does so with CREATE TABLE IF NOT EXISTS beside these, not by changing the
# version; so does the recent tier (papers_fts_recent, paperlog.catalog.fts).
PAGE_SIZE = 16384
"""A new catalog's page size: a row with its abstract is ~1 KB, so 4 KB pages waste a tenth."""
FTS_CHUNK = 100_000
"""Rows put in the full-text index per transaction when catching up after a bulk load."""

_PAPERS_DDL = f"""
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
_INDEXES = (
    f"CREATE INDEX IF NOT EXISTS papers_title_key ON {PAPERS_TABLE}(title_key)",
    f"CREATE INDEX IF NOT EXISTS papers_year ON {PAPERS_TABLE}(year)",
    f"CREATE INDEX IF NOT EXISTS papers_date ON {PAPERS_TABLE}(date)",
    # Most catalog papers have neither: a partial index holds only those that do.
    f"CREATE UNIQUE INDEX IF NOT EXISTS papers_doi ON {PAPERS_TABLE}(doi) WHERE doi IS NOT NULL",
    f"CREATE UNIQUE INDEX IF NOT EXISTS papers_openreview ON {PAPERS_TABLE}(openreview) "
    "WHERE openreview IS NOT NULL",
)
_STATE_DDL = """
CREATE TABLE IF NOT EXISTS ingest_state (
    source TEXT PRIMARY KEY,
    signature TEXT NOT NULL,
    records INTEGER NOT NULL,
    finished INTEGER NOT NULL
)
"""
_META_DDL = "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"


class CatalogError(PaperlogError):
    """A catalog that cannot be opened or used."""


@dataclass
class CatalogRecord:
    """One paper as an ingest source describes it (before merging into the catalog)."""

    title: str
    authors: list[str] = field(default_factory=list)
    abstract: str = ""
    year: int | None = None
    date: str | None = None
    """Submission or publication day (YYYY-MM-DD) when known."""
    venue: str = ""
    """Canonical venue name ("CVPR"); empty for a preprint."""
    venue_label: str = ""
    """The badge as a README would write it ("CVPR 2019")."""
    categories: str = ""
    """arXiv categories, space separated ("cs.CV cs.LG")."""
    arxiv: str | None = None
    doi: str | None = None
    openreview: str | None = None
    url: str | None = None
    source: str = ""


@dataclass
class CatalogPaper(CatalogRecord):
    """A catalog row: a merged record with its row id and every source that listed it."""

    id: int = 0
    sources: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``--json``): absent identifiers are left out."""
        data = asdict(self)
        for name in ("arxiv", "doi", "openreview", "url", "date", "year"):
            if data[name] is None:
                del data[name]
        del data["source"]
        return data


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_title(title: str) -> str:
    """Lower-case ASCII letters and digits only: the key that finds one paper's versions."""
    if not title.isascii():
        title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return _NOT_ALNUM.sub("", title.lower())


def title_key(norm: str) -> int:
    """A normalised title as a signed 64-bit integer (8 bytes a row instead of ~70; a match
    is confirmed on the title itself, so a collision can never merge two papers)."""
    return int.from_bytes(
        hashlib.blake2b(norm.encode(), digest_size=8).digest(), "big", signed=True
    )


def pack_text(text: str) -> bytes:
    """An abstract as stored: zlib at its fastest level (half the size of English text)."""
    return zlib.compress(text.encode(), 1) if text else b""


def unpack_text(value: bytes | str | None) -> str:
    """The stored abstract as text."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    return zlib.decompress(value).decode()


def default_path(env: Mapping[str, str]) -> Path:
    """``$PAPERLOG_CATALOG``, else ``$XDG_DATA_HOME/paperlog/catalog.sqlite``."""
    return Path(default_location(env))


def _fts_row(rec: CatalogRecord) -> tuple[str, ...]:
    other = " ".join(x for x in (rec.arxiv, rec.doi, rec.openreview, rec.categories) if x)
    venue = " ".join(x for x in (rec.venue_label, rec.venue) if x)
    values = {
        "title": rec.title,
        "nickname": "",
        "venue": venue,
        "authors": "; ".join(rec.authors),
        "notes": "",
        "abstract": rec.abstract,
        "other": other,
    }
    return tuple(values[c] for c in FTS_COLUMNS)


def _keys(rec: CatalogRecord, norm: str) -> set[tuple[str, str | int]]:
    """What can tie a record to a catalog row: its ids and, for a long enough title, the
    normalised title's key (the same rule as ``Catalog._find``)."""
    keys: set[tuple[str, str | int]] = {
        (kind, value) for kind in ("arxiv", "doi", "openreview") if (value := getattr(rec, kind))
    }
    if norm:
        # A short title matches only its own source's row (see ``Catalog._find``); the key
        # sends it the careful way when a row shares it.
        keys.add(("title_key", title_key(norm)))
    return keys


def _title_can_match(title: str, norm: str) -> bool:
    # "Introduction", "Editorial": too short to say two records are one paper.
    return len(norm) >= 16 and len(title.split()) >= 3


_ROW_FIELDS = (
    "arxiv",
    "doi",
    "openreview",
    "title_key",
    "title",
    "authors",
    "abstract",
    "year",
    "date",
    "venue",
    "venue_label",
    "venue_name",
    "badge",
    "categories",
    "url",
    "sources",
)


def _row_values(rec: CatalogRecord, sources: list[str], norm: str | None = None) -> list[Any]:
    values = {
        "arxiv": rec.arxiv,
        "doi": rec.doi,
        "openreview": rec.openreview,
        "title_key": title_key(normalise_title(rec.title) if norm is None else norm),
        "title": rec.title,
        "authors": json.dumps(rec.authors, ensure_ascii=False),
        "abstract": pack_text(rec.abstract),
        "year": rec.year,
        "date": rec.date,
        "venue": fold(rec.venue) if rec.venue else "",
        "venue_label": fold(rec.venue_label) if rec.venue_label else "",
        "venue_name": rec.venue,
        "badge": rec.venue_label,
        "categories": rec.categories,
        # The arXiv link is derived on reading, not stored three million times.
        "url": None if rec.arxiv and rec.url == f"https://arxiv.org/abs/{rec.arxiv}" else rec.url,
        "sources": json.dumps(sources),
    }
    return [values[name] for name in _ROW_FIELDS]


Key = tuple[str, str | int]
"""What can tie a record to a row: ("arxiv" | "doi" | "openreview" | "title_key", value)."""
Prepared = tuple[tuple[Any, ...], tuple[Key, ...]]
"""A record made ready to merge: its row values (``_ROW_FIELDS``) and its keys."""


def prepare(rec: CatalogRecord) -> Prepared:
    """A record as ``Catalog.upsert_prepared`` takes it: all the per-record work that needs no
    database (title key, compressed abstract, JSON), so another process can do it."""
    norm = normalise_title(rec.title)
    values = tuple(_row_values(rec, [rec.source] if rec.source else [], norm))
    keys = [
        (kind, value) for kind in ("arxiv", "doi", "openreview") if (value := getattr(rec, kind))
    ]
    if norm:  # _keys' rule, with the key _row_values computed (hashing twice costs ~3 us)
        keys.append(("title_key", values[_ROW_FIELDS.index("title_key")]))
    return values, tuple(keys)


def record_from_values(values: tuple[Any, ...]) -> CatalogRecord:
    """The record a prepared row was made from (as far as merging can tell)."""
    row = dict(zip(_ROW_FIELDS, values, strict=True))
    sources = json.loads(row["sources"])
    arxiv = row["arxiv"]
    return CatalogRecord(
        title=row["title"],
        authors=json.loads(row["authors"]),
        abstract=unpack_text(row["abstract"]),
        year=row["year"],
        date=row["date"],
        venue=row["venue_name"],
        venue_label=row["badge"],
        categories=row["categories"],
        arxiv=arxiv,
        doi=row["doi"],
        openreview=row["openreview"],
        url=row["url"] or (f"https://arxiv.org/abs/{arxiv}" if arxiv else None),
        source=sources[0] if sources else "",
    )


class Catalog:
    """An open catalog database. ``Catalog.open(path)``; also a context manager."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self.recent_rows = fts.RECENT_ROWS
        """The recent tier's size after a rebuild (``paperlog.catalog.fts``)."""
        self.defer_fts = False
        """When set (``catalog ingest`` does), new rows wait for ``index_pending`` instead of
        entering the full-text index at each commit: one bulk pass at the end is faster."""

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> Catalog:
        """Open (and with ``create``, make) the catalog at ``path``."""
        if not create and not path.is_file():
            raise CatalogError(
                f"no catalog at {path}; build one with 'paperlog catalog ingest SOURCE'"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            # Only a new, empty file takes a page size (before WAL is turned on).
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.row_factory = sqlite3.Row
            # Registered before any statement runs (SQLite refuses while one is active).
            conn.create_function("paperlog_unpack", 1, unpack_text, deterministic=True)
            catalog = cls(path, conn)
            catalog._ensure_schema()
        except sqlite3.DatabaseError as exc:
            raise CatalogError(f"cannot use the catalog: {exc}", path) from None
        return catalog

    def _ensure_schema(self) -> None:
        (version,) = self._conn.execute("PRAGMA user_version").fetchone()
        if version == SCHEMA_VERSION:
            return
        if version not in (0, 1):
            raise CatalogError(
                f"catalog schema {version} is newer than this paperlog's ({SCHEMA_VERSION}); "
                "upgrade paperlog, or delete the file and ingest again",
                self.path,
            )
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            if version == 1:
                self._migrate_from_1()
            else:
                self._create_tables()
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def _create_tables(self) -> None:
        self._conn.execute(_PAPERS_DDL)
        for ddl in _INDEXES:
            self._conn.execute(ddl)
        self._conn.execute(_STATE_DDL)
        self._conn.execute(_META_DDL)
        exists = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = ?", (FTS_TABLE,)
        ).fetchone()
        if not exists:
            # Contentless: the text lives once, in ``papers``; the full-text table holds only
            # its index (a third of the database otherwise).
            fts.create(self._conn, FTS_TABLE)

    def _migrate_from_1(self) -> None:
        """Schema 1 -> 2: rows copied with hashed title keys and compressed abstracts; the
        full-text index is kept (its text is the same)."""
        conn = self._conn
        conn.create_function("paperlog_title_key", 1, title_key, deterministic=True)
        conn.create_function("paperlog_pack", 1, pack_text, deterministic=True)
        conn.execute(f"ALTER TABLE {PAPERS_TABLE} RENAME TO papers_v1")
        for name in ("papers_title", "papers_year", "papers_date"):
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        self._create_tables()
        cols = ", ".join(("id", *_ROW_FIELDS))
        old = ", ".join(
            "paperlog_title_key(norm_title)"
            if name == "title_key"
            else "paperlog_pack(abstract)"
            if name == "abstract"
            else name
            for name in ("id", *_ROW_FIELDS)
        )
        conn.execute(f"INSERT INTO {PAPERS_TABLE} ({cols}) SELECT {old} FROM papers_v1")
        conn.execute("DROP TABLE papers_v1")
        conn.execute(
            "INSERT OR REPLACE INTO meta (name, value) "
            f"SELECT 'fts_upto', coalesce(max(id), 0) FROM {PAPERS_TABLE}"
        )

    def close(self) -> None:
        """Close the database."""
        self._conn.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        (count,) = self._conn.execute(f"SELECT count(*) FROM {PAPERS_TABLE}").fetchone()
        return int(count)

    # --- writing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """A bulk load: new rows wait for ``index_pending``; no fsync; a bigger page cache.

        ``synchronous = OFF`` is safe against a kill (SQLite's WAL keeps every committed
        transaction and discards the one under way; only a power cut could hurt, and the
        catalog is rebuilt from its sources); it saves the sync of every checkpoint.
        """
        self._conn.execute("PRAGMA synchronous = OFF")
        self._conn.execute("PRAGMA cache_size = -262144")  # 256 MiB: the id/title indexes
        self.defer_fts = True
        try:
            yield
        finally:
            self.defer_fts = False
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA cache_size = -2000")

    def begin(self) -> None:
        """Start a write transaction (ingest commits in batches)."""
        self._conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        """Commit the open transaction (with its new rows in the full-text index, unless
        ``defer_fts``)."""
        if not self.defer_fts:
            self._index_above(self.fts_upto(), None)
        self._conn.execute("COMMIT")

    def rollback(self) -> None:
        """Roll the open transaction back, if any."""
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def _find(self, rec: CatalogRecord, norm: str) -> sqlite3.Row | None:
        conn = self._conn
        for column, value in (
            ("arxiv", rec.arxiv),
            ("doi", rec.doi),
            ("openreview", rec.openreview),
        ):
            if value:
                row = conn.execute(
                    f"SELECT * FROM {PAPERS_TABLE} WHERE {column} = ?", (value,)
                ).fetchone()
                if row is not None:
                    return row  # type: ignore[no-any-return]
        if not norm:
            return None
        short = not _title_can_match(rec.title, norm)
        for row in conn.execute(
            f"SELECT * FROM {PAPERS_TABLE} WHERE title_key = ?", (title_key(norm),)
        ):
            if normalise_title(row["title"]) != norm:
                continue  # a hash collision, not the same title
            year = row["year"]
            if short:
                # "CoachGAN", "Editorial": too short to say two sources name one paper, but
                # the same source listing it again (a re-read file) is the same paper.
                if rec.source and rec.source in json.loads(row["sources"]) and year == rec.year:
                    return row  # type: ignore[no-any-return]
                continue
            if rec.year is None or year is None or abs(year - rec.year) <= 1:
                # Another id of the same kind means another paper with the same title.
                if any(
                    value and row[column] and row[column] != value
                    for column, value in (("arxiv", rec.arxiv), ("doi", rec.doi))
                ):
                    continue
                return row  # type: ignore[no-any-return]
        return None

    def upsert(self, rec: CatalogRecord) -> bool:
        """Merge one record in (inside a transaction); True when it made a new row."""
        norm = normalise_title(rec.title)
        row = self._find(rec, norm)
        if row is None:
            self._insert_new([tuple(_row_values(rec, [rec.source] if rec.source else [], norm))])
            return True
        old = _paper_from_row(row)
        merged = _merge(old, rec)
        if merged is None:
            return False
        for kind in ("arxiv", "doi", "openreview"):
            value = getattr(merged, kind)
            if (
                value != getattr(old, kind)
                and self._conn.execute(
                    f"SELECT 1 FROM {PAPERS_TABLE} WHERE {kind} = ? AND id != ?", (value, old.id)
                ).fetchone()
            ):
                # Another row holds that id: the record linked two rows; keep them apart.
                setattr(merged, kind, getattr(old, kind))
        assignments = ", ".join(f"{name} = ?" for name in _ROW_FIELDS)
        self._conn.execute(
            f"UPDATE {PAPERS_TABLE} SET {assignments} WHERE id = ?",
            [*_row_values(merged, merged.sources), merged.id],
        )
        # Indexed already (in the whole index, the recent tier or both): out with the old
        # text, in with the new. A row above ``fts_upto`` is indexed from its current values
        # by ``index_pending``.
        cols = ", ".join(FTS_COLUMNS)
        marks = ", ".join("?" for _ in FTS_COLUMNS)
        for table in fts.replace_tables(self._conn, old.id, self.fts_upto()):
            self._conn.execute(
                f"INSERT INTO {table} ({table}, rowid, {cols}) VALUES ('delete', ?, {marks})",
                (old.id, *_fts_row(old)),
            )
            self._conn.execute(
                f"INSERT INTO {table} (rowid, {cols}) VALUES (?, {marks})",
                (merged.id, *_fts_row(merged)),
            )
        return False

    def upsert_many(self, records: list[CatalogRecord]) -> tuple[int, int]:
        """Merge a batch in (inside a transaction); returns (new rows, merged records)."""
        return self.upsert_prepared([prepare(rec) for rec in records])

    def upsert_prepared(self, items: list[Prepared]) -> tuple[int, int]:
        """Merge a batch of ``prepare``d records in (inside a transaction); returns (new
        rows, merged records).

        Most records of a snapshot are new papers: those that share no identifier and no
        normalised title with the catalog or with each other are inserted together (one
        ``executemany`` of the prepared rows); the rest go through ``upsert`` one by one. New
        rows enter the full-text index later, in bulk (``index_pending``).
        """
        known = self._existing_keys([keys for _, keys in items])
        fresh: list[tuple[Any, ...]] = []
        added = merged = 0
        for values, keys in items:
            if any(key in known for key in keys):
                self._insert_new(fresh)  # so the one-by-one path sees them
                fresh = []
                if self.upsert(record_from_values(values)):
                    added += 1
                else:
                    merged += 1
            else:
                fresh.append(values)
                added += 1
            known.update(keys)
        self._insert_new(fresh)
        return added, merged

    def _existing_keys(self, keys: list[tuple[Key, ...]]) -> set[Key]:
        wanted: dict[str, list[str | int]] = {
            "arxiv": [],
            "doi": [],
            "openreview": [],
            "title_key": [],
        }
        for record_keys in keys:
            for kind, value in record_keys:
                wanted[kind].append(value)
        found: set[Key] = set()
        for column, values in wanted.items():
            if values:
                for (value,) in self._conn.execute(
                    f"SELECT {column} FROM {PAPERS_TABLE} "
                    f"WHERE {column} IN (SELECT value FROM json_each(?))",
                    (json.dumps(values),),
                ):
                    found.add((column, value))
        return found

    def _insert_new(self, rows: list[tuple[Any, ...]]) -> None:
        """Insert prepared rows (``_row_values``) as new papers, numbered after the last."""
        if not rows:
            return
        (last,) = self._conn.execute(f"SELECT coalesce(max(id), 0) FROM {PAPERS_TABLE}").fetchone()
        cols = ", ".join(("id", *_ROW_FIELDS))
        marks = ", ".join("?" for _ in range(len(_ROW_FIELDS) + 1))
        self._conn.executemany(
            f"INSERT INTO {PAPERS_TABLE} ({cols}) VALUES ({marks})",
            ((last + n, *values) for n, values in enumerate(rows, 1)),
        )

    def fts_upto(self) -> int:
        """Every row up to this id is in the full-text index; those above wait for
        ``index_pending`` (a bulk load indexes its rows at the end, much faster)."""
        value = self.get_meta("fts_upto")
        return int(value) if value else 0

    def pending_fts(self) -> int:
        """Rows not yet in the full-text index."""
        (count,) = self._conn.execute(
            f"SELECT count(*) FROM {PAPERS_TABLE} WHERE id > ?", (self.fts_upto(),)
        ).fetchone()
        return int(count)

    def index_pending(self, progress: Callable[[int], None] | None = None) -> int:
        """Put rows above ``fts_upto`` in the full-text index, ``FTS_CHUNK`` rows a
        transaction, each moving the mark with it (a kill loses one chunk's work, never the
        index's consistency), then bring the recent tier level. Returns how many rows were
        indexed."""
        done = 0
        while True:
            self.begin()
            try:
                count = self._index_above(self.fts_upto(), FTS_CHUNK)
                self._conn.execute("COMMIT")
            except BaseException:
                self.rollback()
                raise
            if not count:
                fts.sync_recent(self._conn, self.fts_upto(), rows=self.recent_rows, chunk=FTS_CHUNK)
                return done
            done += count
            if progress:
                progress(count)

    def _index_above(self, upto: int, limit: int | None) -> int:
        """Index up to ``limit`` rows above ``upto`` and move the mark (in the open
        transaction); how many were indexed.

        Its columns are ``_fts_row``'s, written in SQL (``fts.index_rows``); a test checks both
        give the same index. The recent tier follows when it was level (``fts.follow``).
        """
        (last, count) = self._conn.execute(
            f"SELECT max(id), count(*) FROM (SELECT id FROM {PAPERS_TABLE} WHERE id > ? "
            "ORDER BY id LIMIT ?)",
            (upto, -1 if limit is None else limit),
        ).fetchone()
        if not count:
            return 0
        fts.index_rows(self._conn, FTS_TABLE, upto, last)
        fts.follow(self._conn, upto, last)
        self.set_meta("fts_upto", str(last))
        return int(count)

    # --- ingest bookkeeping -----------------------------------------------------------------

    def ingest_progress(self, source: str, signature: str) -> tuple[int, bool]:
        """(records already committed, finished) for a source file with this signature."""
        row = self._conn.execute(
            "SELECT signature, records, finished FROM ingest_state WHERE source = ?", (source,)
        ).fetchone()
        if row is None or row[0] != signature:
            return 0, False
        return int(row[1]), bool(row[2])

    def set_ingest_progress(
        self, source: str, signature: str, records: int, finished: bool
    ) -> None:
        """Record how far a source got (inside the batch's transaction, so a kill keeps both)."""
        self._conn.execute(
            "INSERT OR REPLACE INTO ingest_state (source, signature, records, finished) "
            "VALUES (?, ?, ?, ?)",
            (source, signature, records, int(finished)),
        )

    def get_meta(self, name: str) -> str | None:
        """A stored setting (e.g. the last OAI-PMH harvest day)."""
        row = self._conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, name: str, value: str) -> None:
        """Store a setting."""
        self._conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))

    def delete_meta(self, name: str) -> None:
        """Forget a stored setting."""
        self._conn.execute("DELETE FROM meta WHERE name = ?", (name,))

    # --- reading ----------------------------------------------------------------------------

    def search(self, query: Query | str, limit: int | None = 20) -> list[CatalogPaper]:
        """Papers matching the query (``paperlog search`` syntax), best match first."""
        if isinstance(query, str):
            query = parse_query(query)
        where, params = query.filter_sql()
        match = query.match_expression()
        if match is None:
            sql = (
                f"SELECT p.* FROM {PAPERS_TABLE} AS p WHERE {where} "
                "ORDER BY p.date DESC, p.year DESC, p.id DESC"
            )
        elif where == "1" and limit is not None:
            # Words only: rank in the full-text index alone and read just the rows shown (a
            # join would read every matching row of a multi-million-row table). Of a match
            # set larger than RANK_WINDOW, the newest rows are ranked (FTS5 walks its
            # doclists newest first and stops there): at 3M papers "learning" matches 450,000
            # and BM25 costs ~15-20 us a match. The recent tier answers when it can
            # (``paperlog.catalog.fts``).
            try:
                ids = fts.window(self._conn, match, RANK_WINDOW, limit, self.fts_upto())
            except sqlite3.OperationalError as exc:
                raise CatalogError(f"cannot search the catalog: {exc}", self.path) from None
            rows = self._run(
                f"SELECT p.* FROM json_each(?) AS j CROSS JOIN {PAPERS_TABLE} AS p "
                "ON p.id = j.value ORDER BY j.key",
                [json.dumps(ids)],
            )
            return [_paper_from_row(row) for row in rows]
        else:
            weights = ", ".join(str(w) for w in FTS_WEIGHTS)
            sql = (
                f"SELECT p.* FROM {FTS_TABLE} JOIN {PAPERS_TABLE} AS p "
                f"ON p.id = {FTS_TABLE}.rowid WHERE {FTS_TABLE} MATCH ? AND {where} "
                f"ORDER BY bm25({FTS_TABLE}, {weights}), p.id"
            )
            params = [match, *params]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_paper_from_row(row) for row in self._run(sql, params)]

    def _run(self, sql: str, params: list[Any]) -> list[sqlite3.Row]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            raise CatalogError(f"cannot search the catalog: {exc}", self.path) from None

    def get(self, ident: str) -> CatalogPaper | None:
        """A paper by catalog id (``c123``), arXiv ID, DOI or OpenReview ID."""
        text = ident.strip()
        if re.fullmatch(r"c\d+", text):
            row = self._conn.execute(
                f"SELECT * FROM {PAPERS_TABLE} WHERE id = ?", (int(text[1:]),)
            ).fetchone()
            return _paper_from_row(row) if row else None
        from paperlog.ids import parse_identifier

        parsed = parse_identifier(text)
        candidates: list[tuple[str, str]] = []
        if parsed.kind in ("arxiv", "doi", "openreview"):
            candidates.append((parsed.kind, parsed.value))
        candidates += [("arxiv", text), ("doi", text.lower()), ("openreview", text)]
        for column, value in candidates:
            row = self._conn.execute(
                f"SELECT * FROM {PAPERS_TABLE} WHERE {column} = ?", (value,)
            ).fetchone()
            if row is not None:
                return _paper_from_row(row)
        return None

    def by_title(self, title: str) -> list[CatalogPaper]:
        """Papers whose normalised title equals this one's."""
        norm = normalise_title(title)
        rows = self._conn.execute(
            f"SELECT * FROM {PAPERS_TABLE} WHERE title_key = ?", (title_key(norm),)
        ).fetchall()
        return [_paper_from_row(row) for row in rows if normalise_title(row["title"]) == norm]

    def iter_papers(
        self, where: str = "1", params: Iterable[Any] = (), batch: int = 5000
    ) -> Iterator[CatalogPaper]:
        """Every paper matching a WHERE fragment over ``papers AS p``, in id order, streamed."""
        last = 0
        params = list(params)
        while True:
            rows = self._conn.execute(
                f"SELECT * FROM {PAPERS_TABLE} AS p WHERE p.id > ? AND ({where}) "
                "ORDER BY p.id LIMIT ?",
                [last, *params, batch],
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _paper_from_row(row)
            last = rows[-1]["id"]

    def texts(self, where: str = "1", params: Iterable[Any] = ()) -> tuple[list[int], list[str]]:
        """(ids, "title. abstract" texts) of the matching papers, for a text model."""
        ids: list[int] = []
        texts: list[str] = []
        sql = (
            f"SELECT p.id, p.title, p.abstract FROM {PAPERS_TABLE} AS p WHERE {where} ORDER BY p.id"
        )
        for rowid, title, abstract in self._conn.execute(sql, list(params)):
            ids.append(int(rowid))
            texts.append(f"{title}. {unpack_text(abstract)}")
        return ids, texts

    def texts_of(self, ids: list[int]) -> tuple[list[int], list[str]]:
        """(ids, "title. abstract" texts) of these papers, in id order."""
        out_ids: list[int] = []
        texts: list[str] = []
        sql = (
            f"SELECT p.id, p.title, p.abstract FROM {PAPERS_TABLE} AS p "
            "WHERE p.id IN (SELECT value FROM json_each(?)) ORDER BY p.id"
        )
        for rowid, title, abstract in self._conn.execute(sql, (json.dumps(ids),)):
            out_ids.append(int(rowid))
            texts.append(f"{title}. {unpack_text(abstract)}")
        return out_ids, texts

    def values_of(self, name: str, ids: Iterable[int]) -> list[Any]:
        """One column of these papers, in the given order (``date``, ``year``, ``sources``)."""
        if name not in ("year", "date", "sources", "venue", "categories"):
            raise ValueError(f"not a catalog column: {name}")
        wanted = [int(i) for i in ids]
        found = dict(
            self._conn.execute(
                f"SELECT id, {name} FROM {PAPERS_TABLE} "
                "WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(wanted),),
            ).fetchall()
        )
        return [found.get(i) for i in wanted]

    def execute(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read-only query over the catalog's tables (``papers``, ``papers_fts``)."""
        try:
            return [tuple(r) for r in self._conn.execute(sql, list(params)).fetchall()]
        except sqlite3.OperationalError as exc:
            raise CatalogError(f"cannot query the catalog: {exc}", self.path) from None

    def all_ids(self) -> list[int]:
        """Every row id, in order."""
        return [int(i) for (i,) in self._conn.execute(f"SELECT id FROM {PAPERS_TABLE} ORDER BY id")]

    def column(self, name: str) -> list[Any]:
        """One column of every row, in id order (``year``, ``date``, ``sources``)."""
        if name not in ("year", "date", "sources", "venue", "categories", "title_key"):
            raise ValueError(f"not a catalog column: {name}")
        return [v for (v,) in self._conn.execute(f"SELECT {name} FROM {PAPERS_TABLE} ORDER BY id")]

    def papers(self, ids: Iterable[int]) -> dict[int, CatalogPaper]:
        """Papers by row id."""
        wanted = list(ids)
        if not wanted:
            return {}
        rows = self._conn.execute(
            f"SELECT * FROM {PAPERS_TABLE} WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(wanted),),
        ).fetchall()
        return {int(row["id"]): _paper_from_row(row) for row in rows}

    def stats(self) -> dict[str, Any]:
        """Counts for ``catalog info``: papers, by source, by year range, file size."""
        (count,) = self._conn.execute(f"SELECT count(*) FROM {PAPERS_TABLE}").fetchone()
        (lo, hi) = self._conn.execute(f"SELECT min(year), max(year) FROM {PAPERS_TABLE}").fetchone()
        by_source: dict[str, int] = {}
        for (value,) in self._conn.execute(
            f"SELECT j.value FROM {PAPERS_TABLE}, json_each({PAPERS_TABLE}.sources) AS j"
        ):
            by_source[value] = by_source.get(value, 0) + 1
        size = sum(
            p.stat().st_size
            for p in (self.path, self.path.with_name(self.path.name + "-wal"))
            if p.exists()
        )
        return {
            "path": str(self.path),
            "papers": int(count),
            "years": [lo, hi],
            "sources": dict(sorted(by_source.items())),
            "bytes": size,
            "unindexed": self.pending_fts(),
        }


def _paper_from_row(row: sqlite3.Row | tuple[Any, ...]) -> CatalogPaper:
    r: Any = row
    return CatalogPaper(
        id=int(r["id"]),
        title=r["title"],
        authors=json.loads(r["authors"]),
        abstract=unpack_text(r["abstract"]),
        year=r["year"],
        date=r["date"],
        venue=r["venue_name"],
        venue_label=r["badge"],
        categories=r["categories"],
        arxiv=r["arxiv"],
        doi=r["doi"],
        openreview=r["openreview"],
        url=r["url"] or (f"https://arxiv.org/abs/{r['arxiv']}" if r["arxiv"] else None),
        sources=json.loads(r["sources"]),
    )


def _merge(old: CatalogPaper, rec: CatalogRecord) -> CatalogPaper | None:
    """``old`` with what ``rec`` adds; None when nothing changes (re-ingest is a no-op)."""
    new = CatalogPaper(**asdict(old))
    for name in ("arxiv", "doi", "openreview", "url", "date"):
        if getattr(new, name) is None and getattr(rec, name):
            setattr(new, name, getattr(rec, name))
    if len(rec.abstract) > len(new.abstract):
        new.abstract = rec.abstract
    if not new.authors and rec.authors:
        new.authors = rec.authors
    if rec.categories and not new.categories:
        new.categories = rec.categories
    # A published venue beats a preprint: the conference list names where it appeared.
    if rec.venue and not new.venue:
        new.venue, new.venue_label = rec.venue, rec.venue_label
        if rec.year:
            new.year = rec.year
    elif new.year is None and rec.year:
        new.year = rec.year
    if rec.source and rec.source not in new.sources:
        new.sources = [*new.sources, rec.source]
    return None if new == old else new
