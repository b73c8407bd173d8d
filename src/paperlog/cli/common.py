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
    from paperlog.library import Library

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


def fail(exc: PaperlogError) -> None:
    """Print ``paperlog: error: <file:line: message>`` and exit with the matching status."""
    click.echo(f"paperlog: error: {exc}", err=True)
    sys.exit(exit_status_for(exc))


@dataclass
class AppContext:
    """The environment a command runs in, injected rather than read from globals."""

    library_option: str | None
    environ: Mapping[str, str]
    cwd: Path
    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)

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
        from paperlog.library import Library

        return Library.open(self.library_root())


def app(ctx: click.Context) -> AppContext:
    """The AppContext of the running command."""
    obj = ctx.find_root().obj
    if not isinstance(obj, AppContext):
        raise RuntimeError("paperlog command run outside the paperlog CLI")
    return obj


def json_option(func: F) -> F:
    """``--json``: print machine-readable JSON instead of a table."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(
        func
    )


def date_option(func: F) -> F:
    """``--date YYYY-MM-DD``: ask about any day (default: today)."""
    return click.option(
        "--date",
        "on_date",
        type=click.DateTime(formats=["%Y-%m-%d"]),
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


def print_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    out: IO[str] | None = None,
) -> None:
    """A readable table on a terminal (rich), tab-separated lines when piped."""
    stream = out or sys.stdout
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    if not stream.isatty():
        for row in cells:
            stream.write("\t".join(row) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in cells:
        table.add_row(*row)
    Console(file=stream).print(table)


def warn(message: str) -> None:
    """A warning line on stderr."""
    click.echo(f"warning: {message}", err=True)
