"""What every command shares: the injected environment, opening the library, output helpers.

Output adapts like httpie's: a table on a terminal, JSON with ``--json``. Rich is imported only
when a table is actually printed.
"""

from __future__ import annotations

import enum
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from paperlog.errors import (
    BadFile,
    ImportProblem,
    LibraryNotFound,
    NetworkError,
    NotFound,
    PaperlogError,
    ValidationError,
)

if TYPE_CHECKING:
    from paperlog.gitsync import AutoCommit
    from paperlog.library import Library
    from paperlog.model import Paper

F = TypeVar("F", bound=Callable[..., Any])


class ExitStatus(enum.IntEnum):
    """Process exit codes, one per kind of failure, so scripts can tell them apart."""

    OK = 0
    ERROR = 1
    USAGE = 2
    NOT_FOUND = 3
    BAD_INPUT = 4
    NO_LIBRARY = 5
    NETWORK = 6


def exit_status_for(exc: PaperlogError) -> ExitStatus:
    if isinstance(exc, LibraryNotFound):
        return ExitStatus.NO_LIBRARY
    if isinstance(exc, NotFound):
        return ExitStatus.NOT_FOUND
    if isinstance(exc, BadFile | ValidationError | ImportProblem):
        return ExitStatus.BAD_INPUT
    if isinstance(exc, NetworkError):
        return ExitStatus.NETWORK
    return ExitStatus.ERROR


def fail(exc: PaperlogError, verbose: bool = False) -> None:
    """Print ``paperlog: error: <file:line: message>`` and exit with the matching status.

    A lookup that failed at every source is told in a few words per source; ``verbose``
    (``--verbose``) gives each request in full, to paste into a browser.
    """
    message = str(exc)
    if isinstance(exc, NetworkError) and not verbose:
        from paperlog.resolve.reasons import brief

        short = brief(message)
        if short != message:
            message = f"{short} (--verbose shows each request)"
    click.echo(f"paperlog: error: {message}{_what_to_do(exc)}", err=True)
    sys.exit(exit_status_for(exc))


def _what_to_do(exc: PaperlogError) -> str:
    """For a paper file or weeks.yaml that does not read: where to look for the others."""
    from paperlog.errors import BadFile

    path = exc.path
    if not isinstance(exc, BadFile) or path is None:
        return ""
    if (path.parent.name == "papers" and path.suffix == ".md") or path.name == "weeks.yaml":
        return " (fix that line; 'paperlog doctor' lists every file that does not read)"
    return ""


@dataclass
class AppContext:
    """The environment a command runs in, injected rather than read from globals."""

    library_option: str | None
    environ: Mapping[str, str]
    cwd: Path
    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)
    argv: list[str] = field(default_factory=list)
    """The arguments the command was given (the default commit message names them)."""
    change: str | None = None
    """What the command did, in a few words: the git commit message ("done simclr (Wk14)")."""
    git: AutoCommit | None = None
    libraries: list[Library] = field(default_factory=list)
    """The libraries this command opened (``open_library``)."""

    @classmethod
    def from_environment(cls, library_option: str | None) -> AppContext:
        return cls(library_option, dict(os.environ), Path.cwd())

    @property
    def is_tty(self) -> bool:
        return self.stdout.isatty()

    def library_root(self) -> Path:
        from paperlog.library import Library

        return Library.find_root(self.library_option, self.environ, self.cwd)

    def open_library(self) -> Library:
        """Open the library; its writes are checked and (with autocommit) committed by git."""
        from paperlog.gitsync import track
        from paperlog.library import Library

        root = self.library_root()
        # The same Library object for each opening of one folder in one command: its lock is
        # kept from a write to the commit (gitsync.AutoCommit), and a second object would wait
        # for it forever.
        for opened in self.libraries:
            if opened.root == root:
                return opened
        lib = Library.open(root)
        self.git = track(lib, self.git)
        self.libraries.append(lib)
        return lib

    def before_waiting(self) -> None:
        """Let go of the library lock before waiting for the user (a prompt, an editor): held
        from a write to the commit, it would make every other writer wait as long."""
        if self.git is not None:
            self.git.release()

    def describe(self, change: str) -> None:
        """Say what the command did; with git autocommit on, the commit message."""
        self.change = change

    def finish(self) -> None:
        """Commit what the command wrote (a library with [git] autocommit on), then let go
        of the library lock, which is held from the first write to the commit."""
        if self.git is None:
            return
        if not self.git.written:
            self.git.release()
            return
        from paperlog.errors import PaperlogError

        message = self.change or _command_line(self.argv)
        try:
            self.git.commit(message)
        except PaperlogError as exc:
            # The files are written and durable; only the commit is missing.
            warn(f"the change is written but not committed: {exc}; commit it with git")


def _command_line(argv: Sequence[str]) -> str:
    """``paperlog queue top vit``: the words typed, --library and its folder left out."""
    words: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--library":
            skip = True
        elif not arg.startswith("--library="):
            words.append(arg)
    return " ".join(["paperlog", *words])


def app(ctx: click.Context) -> AppContext:
    """The AppContext of the running command."""
    obj = ctx.find_root().obj
    if not isinstance(obj, AppContext):
        raise RuntimeError("paperlog command run outside the paperlog CLI")
    return obj


class WordsCommand(click.Command):
    """A command whose free words may start with "-": ``search segmentation -survey``.

    A word that starts with "-" and is not one of the command's options is a query term (a NOT
    term for search), not an error: before click parses, the options and their values are kept
    in front and every other word moves behind a "--", in the order typed.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: dict[str, bool] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes_value[name] = not (param.is_flag or param.count)
        options: list[str] = []
        words: list[str] = []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                words.extend(rest)
                break
            name = arg.split("=", 1)[0]
            if name in takes_value:
                options.append(arg)
                value = next(rest, None) if takes_value[name] and "=" not in arg else None
                if value is not None:
                    options.append(value)
            else:
                words.append(arg)
        return super().parse_args(ctx, [*options, "--", *words] if words else options)


def json_option(func: F) -> F:
    """``--json``: print machine-readable JSON instead of a table."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(
        func
    )


class DayParam(click.ParamType[date]):
    """A day written YYYY-MM-DD, converted to a ``date``; a wrong one is refused in words
    ("not a date: February has 29 days in 2020"), for every --date option and day argument."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The ``date`` the text names (a ``date`` passes through)."""
        if isinstance(value, date):
            return value
        from paperlog.plan.calendar import parse_day

        try:
            return parse_day(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DAY = DayParam()
"""The one day type of the CLI (``type=DAY``)."""


def date_option(func: F) -> F:
    """``--date YYYY-MM-DD``: ask about any day (default: today)."""
    return click.option(
        "--date",
        "on_date",
        type=DAY,
        default=None,
        help="The day to ask about, YYYY-MM-DD (default: today).",
    )(func)


def to_jsonable(value: Any) -> Any:
    """Dates as YYYY-MM-DD, everything else as json would."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def print_json(data: Any, out: IO[str] | None = None) -> None:
    """Pretty JSON on stdout, UTF-8 kept."""
    stream = out or sys.stdout
    stream.write(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2))
    stream.write("\n")


# Columns of free text: on a narrow terminal they give way (one line, cut with an ellipsis; the
# full text is in `show` and --json). Every other column keeps its width, so a key never breaks.
FLEX_COLUMNS = frozenset(
    {
        "title",
        "description",
        "note",
        "group",
        "groups",
        "links",
        "authors",
        "library",
        "source says",
    }
)


def print_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    out: IO[str] | None = None,
) -> None:
    """A readable table on a terminal (rich), tab-separated lines when piped.

    On a terminal every cell is plain text (rich markup in a title is shown, never obeyed), a
    column empty in every row is left out, and free-text columns are cut to one line.
    """
    stream = out or sys.stdout
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    if not stream.isatty():
        for row in cells:
            stream.write("\t".join(row) + "\n")
        return
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    shown = [i for i in range(len(columns)) if not cells or any(row[i] for row in cells)]
    console = Console(file=stream)
    natural = {i: max([cell_len(columns[i]), *(cell_len(row[i]) for row in cells)]) for i in shown}
    dropped: list[str] = []
    while True:
        # Each column costs two spaces of padding and one rule, plus the closing rule.
        width = _fit_widths(columns, natural, console.width - 3 * len(shown) - 1)
        if _readable(columns, natural, width):
            break
        victim = next((i for name in DROPPABLE for i in shown if columns[i] == name), None)
        if victim is None:
            break
        shown.remove(victim)
        del natural[victim]
        dropped.append(columns[victim])
    table = Table(title=Text(title) if title else None, show_lines=False, header_style="bold")
    for i in shown:
        table.add_column(Text(columns[i]), no_wrap=True, overflow="ellipsis", width=width[i])
    for row in cells:
        # Text, not str: "[pdf]" or "[bold]" in a user's string is text, not rich markup.
        table.add_row(*(Text(row[i]) for i in shown))
    console.print(table)
    if dropped:
        console.print(
            Text(f"({', '.join(dropped)} left out to fit {console.width} columns)", style="dim")
        )


# On a narrow terminal these columns give way whole, in this order, before a free-text column
# is cut below READABLE cells: a title cut to "2D Semi…" says nothing, a missing "kind" little.
DROPPABLE = ("kind", "weeks", "status", "sources")
READABLE = 24


def _readable(columns: Sequence[str], natural: dict[int, int], width: dict[int, int]) -> bool:
    """Whether every free-text column keeps READABLE cells (or its whole text, if shorter)."""
    return all(width[i] >= min(READABLE, natural[i]) for i in width if columns[i] in FLEX_COLUMNS)


PAPER_COLUMNS = ("key", "kind", "status", "year", "venue", "weeks", "title")
"""The columns of a list of items, in the same order in ``list`` and ``search``."""

EMPTY_LIBRARY_HINT = (
    "The library is empty. Bring in a hand-kept list with 'paperlog import readme FILE', "
    "or add a paper with 'paperlog add ID' (an arXiv ID, DOI, link or title)."
)


def print_papers(papers: Sequence[Paper]) -> None:
    """Items as a table: key, kind, status, year, venue, weeks read, title (one line each)."""
    from paperlog.views import paper_row  # shared with the search fast path (cli/fastpath.py)

    print_table(PAPER_COLUMNS, [paper_row(p) for p in papers])


def _fit_widths(columns: Sequence[str], natural: dict[int, int], room: int) -> dict[int, int]:
    """Column widths that fit ``room`` cells: free text gives way first, then the short
    columns, the key last (a key is what a user types next, so it stays whole if it can)."""
    width = dict(natural)
    flex = [i for i in width if columns[i] in FLEX_COLUMNS]
    short = [i for i in width if columns[i] not in FLEX_COLUMNS and columns[i] != "key"]
    key = [i for i in width if columns[i] == "key"]
    for tier, floor in ((flex, 20), (short, 4), (flex, 8), (key, 8)):
        excess = sum(width.values()) - room
        if excess <= 0:
            break
        spare = {i: width[i] - floor for i in tier if width[i] > floor}
        total = sum(spare.values())
        if not total:
            continue
        cut = min(excess, total)
        # In proportion to how much each column can give; rounding up so the sum is reached.
        for i, can in spare.items():
            width[i] -= min(can, -(-cut * can // total))
    return width


def warn(message: str) -> None:
    """A warning line on stderr."""
    click.echo(f"warning: {message}", err=True)
