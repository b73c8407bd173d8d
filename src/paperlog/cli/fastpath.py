"""The ``paperlog`` entry point: ``search`` with simple arguments skips click and rich.

``paperlog search WORDS`` is what a user runs most, often from scripts and editors, and in
process its work is a few milliseconds; importing click (and building the command tree) cost
more than the search itself (bench: about 20 ms of a 60 ms search). So when the arguments
are plain (``[--library DIR] search [--year/--venue/... VALUE] [--limit N] WORDS``) and the
output is not a terminal, this module runs the search itself with the same library, query
and row code as ``paperlog.cli.search_cmd``. Anything else (``--help``, ``--json``, a bad
query, a terminal, an option it does not know, a "-word", no hits) goes to the click CLI,
which then says and does exactly what it always did. ``tests/test_fastpath.py`` checks both paths print the same.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

_FILTERS = ("year", "venue", "topic", "track", "status", "week", "kind")
_VALUE_OPTIONS = {f"--{name}" for name in (*_FILTERS, "limit")}


def parse(args: Sequence[str]) -> tuple[str | None, dict[str, str], list[str]] | None:
    """(--library value, option values, words) for a plain search, else None."""
    library = None
    rest = list(args)
    if rest[:1] == ["--library"] and len(rest) > 1:
        library, rest = rest[1], rest[2:]
    elif rest and rest[0].startswith("--library="):
        library, rest = rest[0].split("=", 1)[1], rest[1:]
    if rest[:1] != ["search"]:
        return None
    options: dict[str, str] = {}
    words: list[str] = []
    i = 1
    while i < len(rest):
        arg = rest[i]
        name, eq, value = arg.partition("=")
        if arg in _VALUE_OPTIONS and i + 1 < len(rest) and arg[2:] not in options:
            options[arg[2:]] = rest[i + 1]
            i += 1
        elif eq and name in _VALUE_OPTIONS and name[2:] not in options:
            options[name[2:]] = value
        elif arg.startswith("-"):
            return None  # --help, --json, -word, --: the full CLI's business
        else:
            words.append(arg)
        i += 1
    limit = options.get("limit")
    if limit is not None and not (limit.isdigit() and int(limit) >= 1):
        return None  # click reports the bad value
    return library, options, words


def _search(library: str | None, options: dict[str, str], words: list[str]) -> bool:
    """Run a plain search and print its rows; False when the full CLI must handle it."""
    from paperlog.errors import PaperlogError
    from paperlog.index_fresh import find_root, table_rows_if_fresh
    from paperlog.query import QueryError, build_query

    try:
        query = build_query(" ".join(words), **{k: options.get(k) for k in _FILTERS})
    except QueryError:
        return False  # the full CLI prints the usage error
    limit = int(options["limit"]) if "limit" in options else None
    root = find_root(library, os.environ, os.getcwd())  # noqa: PTH109 (no pathlib here)
    # When the index can be trusted as it is (a live watcher, or an unchanged manifest), the
    # rows come from it without importing the library, the index module or the model.
    rows = table_rows_if_fresh(root, query, limit) if root is not None else None
    problems: list[PaperlogError] = []
    if rows is None:
        try:
            from pathlib import Path

            from paperlog.index import search_rows
            from paperlog.library import Library

            lib = Library.open(Library.find_root(library, os.environ, Path.cwd()))
            rows = search_rows(lib, query, limit, problems)
        except PaperlogError as exc:
            from paperlog.cli.common import fail

            fail(exc)
            return True
    if not rows or problems:
        return False  # the full CLI says whether the library is empty, warns of bad files
    out = sys.stdout
    try:
        # as cli.common.print_table writes views.paper_row's cells when piped
        out.write("".join("\t".join(row) + "\n" for row in rows))
        out.flush()
    except BrokenPipeError:
        # As the full CLI: a closed pipe (| head) is not an error; keep Python quiet at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return True


def _fast_search(parsed: tuple[str | None, dict[str, str], list[str]]) -> bool:
    """``_search``, or False after anything it did not expect: the full CLI then runs the
    same search and reports a failure in one line (never a traceback from here)."""
    try:
        return _search(*parsed)
    except Exception:  # nothing is printed before the rows: safe to hand over
        return False


def main(argv: Sequence[str] | None = None) -> None:
    """Run paperlog: the fast path for a plain piped search, else the click CLI."""
    args = list(sys.argv[1:] if argv is None else argv)
    parsed = parse(args)
    if parsed is not None and not sys.stdout.isatty() and _fast_search(parsed):
        return
    if args[:2] == ["catalog", "search"] and not sys.stdout.isatty():
        from paperlog.catalog.fastsearch import run  # the same for the catalog

        if run(args[2:]):
            return
    from paperlog.cli.main import main as full

    full(args)
