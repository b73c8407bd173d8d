"""The ``paperlog`` entry point: global options, lazy command loading, error reporting.

Command modules are imported only when their command runs (or help lists it), so
``paperlog search`` never pays for HTTP, Markdown parsing or plotting.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from paperlog.cli.common import AppContext, ExitStatus, app, fail
from paperlog.errors import one_line

# name -> "module:attribute". Groups (import, render, export) are lazy groups themselves.
COMMANDS: dict[str, str] = {
    "init": "paperlog.cli.library_cmds:init_cmd",
    "list": "paperlog.cli.library_cmds:list_cmd",
    "show": "paperlog.cli.library_cmds:show_cmd",
    "resources": "paperlog.cli.library_cmds:resources_cmd",
    "weeks": "paperlog.cli.library_cmds:weeks_cmd",
    "topics": "paperlog.cli.discover_cmds:topics_group",
    "search": "paperlog.cli.search_cmd:search_cmd",
    "import": "paperlog.cli.main:import_group",
    "render": "paperlog.cli.main:render_group",
    "export": "paperlog.cli.main:export_group",
    "add": "paperlog.cli.meta_cmds:add_cmd",
    "enrich": "paperlog.cli.meta_cmds:enrich_cmd",
    "today": "paperlog.cli.plan_cmds:today_cmd",
    "done": "paperlog.cli.plan_cmds:done_cmd",
    "start": "paperlog.cli.plan_cmds:start_cmd",
    "skip": "paperlog.cli.plan_cmds:skip_cmd",
    "week": "paperlog.cli.plan_cmds:week_cmd",
    "queue": "paperlog.cli.plan_cmds:queue_cmd",
    "doctor": "paperlog.cli.plan_cmds:doctor_cmd",
    "review": "paperlog.cli.review_cmds:review_cmd",
    "stats": "paperlog.cli.review_cmds:stats_cmd",
    "watch": "paperlog.cli.watch_cmd:watch_cmd",
    "catalog": "paperlog.cli.discover_cmds:catalog_group",
    "recommend": "paperlog.cli.discover_cmds:recommend_cmd",
    "rate": "paperlog.cli.discover_cmds:rate_cmd",
    "serve": "paperlog.cli.serve_cmd:serve_cmd",
    "sync": "paperlog.cli.git_cmds:sync_cmd",
}

IMPORT_COMMANDS = {
    "readme": "paperlog.cli.readme_cmds:import_readme_cmd",
    "bibtex": "paperlog.cli.bibtex_cmds:import_bibtex_cmd",
}
RENDER_COMMANDS = {"readme": "paperlog.cli.readme_cmds:render_readme_cmd"}
EXPORT_COMMANDS = {
    "bibtex": "paperlog.cli.bibtex_cmds:export_bibtex_cmd",
    "csljson": "paperlog.cli.bibtex_cmds:export_csljson_cmd",
    "ics": "paperlog.cli.plan_cmds:export_ics_cmd",
}


class LazyGroup(click.Group):
    """A click group whose subcommands live in modules imported on first use."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, attr = self.lazy[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attr)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
            return with_library_option(command)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # `paperlog list --json | head -1`: the reader closed the pipe, having read what it
            # wanted. No error (click would exit 1): exit 0, and keep Python quiet when it
            # flushes stdout at exit (what the search fast path does too).
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(0) from None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Find the command; a mistyped name gets "did you mean ..." from the known names."""
        name = click.utils.make_str(args[0]) if args else ""
        if args and self.get_command(ctx, name) is None and not name.startswith("-"):
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=3, cutoff=0.7)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint} 'paperlog --help' lists the commands.")
        return super().resolve_command(ctx, args)


def _set_library(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    # `paperlog list --library DIR` means what `paperlog --library DIR list` means.
    if value is not None:
        app(ctx).library_option = value


LIBRARY_HELP = (
    "Library folder (default: $PAPERLOG_LIBRARY, else the nearest folder up holding paperlog.toml)."
)


def with_library_option(command: click.Command) -> click.Command:
    """Give a command (and, in a group, each of its commands) the ``--library DIR`` option."""
    if isinstance(command, click.Group) and not isinstance(command, LazyGroup):
        # A plain group (queue, catalog, topics) lists its commands itself: give each one.
        for sub in command.commands.values():
            with_library_option(sub)
    if not any(p.name == "library_after" for p in command.params):
        command.params.append(
            click.Option(
                ["--library", "library_after"],
                type=click.Path(file_okay=False),
                metavar="DIR",
                default=None,
                expose_value=False,
                is_eager=True,
                callback=_set_library,
                help=LIBRARY_HELP,
            )
        )
    if isinstance(command, click.Group):
        for sub in command.commands.values():  # a plain group's commands (queue up, ...)
            with_library_option(sub)
    return command


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--library",
    "library",
    type=click.Path(file_okay=False),
    metavar="DIR",
    default=None,
    help=LIBRARY_HELP,
)
@click.option(
    "--verbose",
    is_flag=True,
    default=False,
    help="On an error, show the details (click's usage text, a traceback) after the one line.",
)
@click.version_option(package_name="paperlog")
@click.pass_context
def cli(ctx: click.Context, library: str | None, verbose: bool) -> None:
    """paperlog keeps a paper-reading log: a plain-text library, a plan, fast search.

    \b
    Examples:
      paperlog init ~/reading && cd ~/reading
      paperlog import readme OLD_README.md
    """
    if isinstance(ctx.obj, AppContext):  # made by main(), which commits after the command
        ctx.obj.library_option = library
    else:
        ctx.obj = AppContext.from_environment(library)


@cli.group(cls=LazyGroup, lazy=IMPORT_COMMANDS, name="import")
def import_group() -> None:
    """Bring items in from a hand-kept README or a BibTeX file.

    \b
    Examples:
      paperlog import readme README.md
      paperlog import bibtex refs.bib
    """


@cli.group(cls=LazyGroup, lazy=RENDER_COMMANDS, name="render")
def render_group() -> None:
    """Write documents generated from the library (the README).

    \b
    Examples:
      paperlog render readme
    """


@cli.group(cls=LazyGroup, lazy=EXPORT_COMMANDS, name="export")
def export_group() -> None:
    """Write the library out for other tools (BibTeX, CSL-JSON, iCalendar).

    \b
    Examples:
      paperlog export bibtex > refs.bib
      paperlog export csljson > refs.json
    """


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; domain errors become a one-line message and a non-zero exit code."""
    from paperlog.errors import PaperlogError

    env = AppContext.from_environment(None)
    env.argv = list(sys.argv[1:] if argv is None else argv)
    try:
        cli.main(args=argv, prog_name="paperlog", standalone_mode=False, obj=env)
        env.finish()
    except PaperlogError as exc:
        env.finish()  # what was written before the error is committed, not left dirty
        fail(exc, verbose=_verbose(argv))
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(ExitStatus.ERROR)
    except click.ClickException as exc:
        _usage_error(exc, argv)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(ExitStatus.OK)
    except Exception as exc:
        # A bug, not the user's doing: still one line, the traceback only with --verbose.
        if _verbose(argv):
            raise
        click.echo(
            f"paperlog: internal error: {type(exc).__name__}: {one_line(str(exc))} "
            "(a bug; run again with --verbose for the traceback)",
            err=True,
        )
        sys.exit(ExitStatus.ERROR)


def _verbose(argv: list[str] | None) -> bool:
    """``--verbose`` on the command line; read from argv, since parsing itself may fail."""
    return "--verbose" in (sys.argv[1:] if argv is None else argv)


def _usage_error(exc: click.ClickException, argv: list[str] | None) -> None:
    """``paperlog: error: <what>`` on one line, with the command's help as the hint (click's
    usage block too with --verbose)."""
    if _verbose(argv):
        exc.show()
    else:
        ctx = getattr(exc, "ctx", None)
        where = ctx.command_path if ctx is not None else "paperlog"
        message = one_line(exc.format_message())
        if isinstance(exc, click.UsageError) and "--help" not in message:
            message = f"{message.rstrip('.')} (see '{where} --help')"
        click.echo(f"paperlog: error: {message}", err=True)
    sys.exit(exc.exit_code)
