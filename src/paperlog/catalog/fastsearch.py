"""``paperlog catalog search WORDS`` piped, without click or rich (the entry point's fast path).

A catalog search is a few milliseconds of SQLite; importing and building the click CLI costs
several times that. ``paperlog.cli.fastpath`` hands a plain piped ``catalog search`` here
(words, ``--limit N``, ``--catalog PATH``); anything else (``--json``, ``--help``, a bad query,
no catalog, no hits, a terminal) returns False and the click CLI does what it always did.
The rows are ``row_cells``', which the click command prints too, so both print the same.

Words alone (the common case) are answered without ``paperlog.catalog.store``: its imports
(dataclasses, pathlib, hashlib, json: ~30 ms of CPU) cost more than the query itself at 3M
papers. The catalog is read with ``sqlite3`` and ``paperlog.catalog.fts.window``, the very
ranking ``Catalog.search`` uses, and only the shown rows' columns are read; a search with
filters goes through ``Catalog.search``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

# typing is not imported at run time (a few ms of start-up on the fast path).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from paperlog.catalog.records import CatalogPaper

DEFAULT_LIMIT = 20


def row_cells(row: Sequence[Any]) -> tuple[str, ...]:
    """The cells of ``catalog search``'s table (id, title, venue, year, identifier) from a
    paper's (id, title, badge, year, arxiv, doi, openreview)."""
    rowid, title, badge, year, arxiv, doi, openreview = row
    return (
        f"c{rowid}",
        title,
        badge or ("arXiv" if arxiv else ""),
        str(year or ""),
        arxiv or doi or openreview or "",
    )


def table_rows(papers: list[CatalogPaper]) -> list[tuple[str, ...]]:
    """``row_cells`` of each paper."""
    return [
        row_cells((p.id, p.title, p.venue_label, p.year, p.arxiv, p.doi, p.openreview))
        for p in papers
    ]


def _words_only(path: str, match: str, limit: int) -> list[tuple[str, ...]] | None:
    """The rows of a words-only search, read with sqlite3 alone; None when the catalog
    cannot answer this way (another schema, a bad expression)."""
    import sqlite3

    from paperlog.catalog import fts

    try:
        conn = sqlite3.connect(path, timeout=30)
        try:
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            if version != fts.SCHEMA_VERSION:
                return None  # Catalog.open migrates, or says what is wrong
            row = conn.execute("SELECT value FROM meta WHERE name = 'fts_upto'").fetchone()
            ids = fts.window(conn, match, fts.RANK_WINDOW, limit, int(row[0]) if row else 0)
            found = conn.execute(
                "SELECT p.id, p.title, p.badge, p.year, p.arxiv, p.doi, p.openreview "
                "FROM json_each(?) AS j CROSS JOIN papers AS p ON p.id = j.value ORDER BY j.key",
                ("[" + ",".join(map(str, ids)) + "]",),
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return [row_cells(r) for r in found]


def parse(args: Sequence[str]) -> tuple[list[str], int, str | None] | None:
    """(words, limit, --catalog value) of a plain ``catalog search``'s arguments, else None."""
    words: list[str] = []
    limit = DEFAULT_LIMIT
    catalog: str | None = None
    seen: set[str] = set()
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name in ("--limit", "--catalog") and name not in seen:
            if not eq:
                if i + 1 >= len(args):
                    return None
                value = args[i + 1]
                i += 1
            seen.add(name)
            if name == "--limit":
                if not (value.isdigit() and int(value) >= 1):
                    return None  # click reports the bad value
                limit = int(value)
            else:
                catalog = value
        elif arg.startswith("-"):
            return None  # --json, --help, -word: the click CLI's business
        else:
            words.append(arg)
        i += 1
    return words, limit, catalog


def run(args: Sequence[str], environ: Mapping[str, str] | None = None) -> bool:
    """Search and print the rows; False when the click CLI must handle these arguments."""
    parsed = parse(args)
    if parsed is None:
        return False
    words, limit, catalog_path = parsed
    from paperlog.catalog.location import default_location
    from paperlog.query import QueryError, parse_query

    env = os.environ if environ is None else environ
    # os.path, not pathlib: this path imports as little as it can.
    path = os.path.expanduser(catalog_path) if catalog_path else default_location(env)  # noqa: PTH111
    if not os.path.isfile(path):  # noqa: PTH113
        return False
    try:
        query = parse_query(" ".join(words))
    except QueryError:
        return False
    match = query.match_expression()
    rows = None
    if match is not None and query.filter_sql()[0] == "1":
        rows = _words_only(path, match, limit)
    if rows is None:
        from pathlib import Path

        from paperlog.catalog.schema import CatalogError
        from paperlog.catalog.store import Catalog

        try:
            with Catalog.open(Path(path), create=False) as catalog:
                rows = table_rows(catalog.search(query, limit))
        except CatalogError:
            return False
    if not rows:
        return False
    out = sys.stdout
    try:
        out.write("".join("\t".join(row) + "\n" for row in rows))
        out.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return True
