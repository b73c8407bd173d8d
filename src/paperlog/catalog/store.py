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

What a record is and how it becomes a row (and merges into one) is ``paperlog.catalog.records``;
the tables and their history, ``paperlog.catalog.schema``.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from paperlog.catalog import fts, location
from paperlog.catalog.fts import RANK_WINDOW
from paperlog.catalog.location import default_location
from paperlog.catalog.records import (
    ROW_FIELDS,
    CatalogPaper,
    CatalogRecord,
    Key,
    Prepared,
    fts_row,
    merge,
    normalise_title,
    paper_from_row,
    prepare,
    record_from_values,
    row_values,
    title_can_match,
    title_key,
    unpack_text,
)
from paperlog.catalog.schema import PAGE_SIZE, CatalogError, ensure_schema
from paperlog.query import (
    FTS_COLUMNS,
    FTS_TABLE,
    FTS_WEIGHTS,
    PAPERS_TABLE,
    Query,
    parse_query,
)

ENV_VAR = location.ENV_VAR
"""The environment variable naming the catalog file."""
FTS_CHUNK = 100_000
"""Rows put in the full-text index per transaction when catching up after a bulk load."""


def default_path(env: Mapping[str, str]) -> Path:
    """``$PAPERLOG_CATALOG``, else ``$XDG_DATA_HOME/paperlog/catalog.sqlite``."""
    return Path(default_location(env))


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
            ensure_schema(conn, path)
        except sqlite3.DatabaseError as exc:
            raise CatalogError(f"cannot use the catalog: {exc}", path) from None
        return catalog

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
        short = not title_can_match(rec.title, norm)
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
            self._insert_new([tuple(row_values(rec, [rec.source] if rec.source else [], norm))])
            return True
        old = paper_from_row(row)
        merged = merge(old, rec)
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
        assignments = ", ".join(f"{name} = ?" for name in ROW_FIELDS)
        self._conn.execute(
            f"UPDATE {PAPERS_TABLE} SET {assignments} WHERE id = ?",
            [*row_values(merged, merged.sources), merged.id],
        )
        # Indexed already (in the whole index, the recent tier or both): out with the old
        # text, in with the new. A row above ``fts_upto`` is indexed from its current values
        # by ``index_pending``.
        cols = ", ".join(FTS_COLUMNS)
        marks = ", ".join("?" for _ in FTS_COLUMNS)
        for table in fts.replace_tables(self._conn, old.id, self.fts_upto()):
            self._conn.execute(
                f"INSERT INTO {table} ({table}, rowid, {cols}) VALUES ('delete', ?, {marks})",
                (old.id, *fts_row(old)),
            )
            self._conn.execute(
                f"INSERT INTO {table} (rowid, {cols}) VALUES (?, {marks})",
                (merged.id, *fts_row(merged)),
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
        """Insert prepared rows (``row_values``) as new papers, numbered after the last."""
        if not rows:
            return
        (last,) = self._conn.execute(f"SELECT coalesce(max(id), 0) FROM {PAPERS_TABLE}").fetchone()
        cols = ", ".join(("id", *ROW_FIELDS))
        marks = ", ".join("?" for _ in range(len(ROW_FIELDS) + 1))
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

        Its columns are ``fts_row``'s, written in SQL (``fts.index_rows``); a test checks both
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
            return [paper_from_row(row) for row in rows]
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
        return [paper_from_row(row) for row in self._run(sql, params)]

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
            return paper_from_row(row) if row else None
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
                return paper_from_row(row)
        return None

    def by_title(self, title: str) -> list[CatalogPaper]:
        """Papers whose normalised title equals this one's."""
        norm = normalise_title(title)
        rows = self._conn.execute(
            f"SELECT * FROM {PAPERS_TABLE} WHERE title_key = ?", (title_key(norm),)
        ).fetchall()
        return [paper_from_row(row) for row in rows if normalise_title(row["title"]) == norm]

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
                yield paper_from_row(row)
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
        return {int(row["id"]): paper_from_row(row) for row in rows}

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
