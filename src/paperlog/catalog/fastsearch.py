"""``paperlog catalog search WORDS`` piped, without click or rich (the entry point's fast path).

A catalog search is a few milliseconds of SQLite; importing and building the click CLI costs
several times that. ``paperlog.cli.fastpath`` hands a plain piped ``catalog search`` here
(words, ``--limit N``, ``--catalog PATH``); anything else (``--json``, ``--help``, a bad query,
no catalog, no hits, a terminal) returns False and the click CLI does what it always did.
The rows are ``table_rows``'s, which the click command prints too, so both print the same.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperlog.catalog.store import CatalogPaper

DEFAULT_LIMIT = 20


def table_rows(papers: list[CatalogPaper]) -> list[tuple[str, ...]]:
    """The cells of ``catalog search``'s table: id, title, venue, year, identifier."""
    return [
        (
            f"c{p.id}",
            p.title,
            p.venue_label or ("arXiv" if p.arxiv else ""),
            str(p.year or ""),
            p.arxiv or p.doi or p.openreview or "",
        )
        for p in papers
    ]


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
    from paperlog.catalog.store import Catalog, CatalogError, default_path
    from paperlog.query import QueryError, parse_query

    env = os.environ if environ is None else environ
    path = Path(catalog_path) if catalog_path else default_path(env)
    if not path.is_file():
        return False
    try:
        query = parse_query(" ".join(words))
        with Catalog.open(path, create=False) as catalog:
            found = catalog.search(query, limit)
    except (QueryError, CatalogError):
        return False
    if not found:
        return False
    out = sys.stdout
    try:
        out.write("".join("\t".join(row) + "\n" for row in table_rows(found)))
        out.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return True
