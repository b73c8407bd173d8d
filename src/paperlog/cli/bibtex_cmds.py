"""``paperlog import bibtex``, ``paperlog export bibtex``, ``paperlog export csljson``."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from paperlog.cli.common import app, json_option, print_json, warn

_STATUSES = ["wish", "reading", "read"]


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr when stderr is a terminal, else no callback at all."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(escape(label), total=None)  # a file name is text, not markup

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@click.command("bibtex", short_help="Import a .bib file as wish-list papers.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would be imported; write nothing.")
@json_option
@click.pass_context
def import_bibtex_cmd(ctx: click.Context, file: Path, dry_run: bool, as_json: bool) -> None:
    """Import a .bib file: each entry becomes a wish-list paper, every field kept.

    Entries the library already has (same DOI or arXiv ID, or same citation key and title) are
    skipped, so importing a file again changes nothing; a paper already there without a
    citation key takes the entry's. Malformed entries are reported with their line. New papers
    join the end of the queue in file order, added today; a file with no entry is exit 4.

    \b
    Examples:
      paperlog import bibtex references.bib --dry-run
      paperlog import bibtex references.bib
    """
    from paperlog.services.import_bibtex import import_bibtex

    library = app(ctx).open_library()
    with library.lock(), _progress_bar(f"Importing {file.name}") as progress:
        report = import_bibtex(library, file, progress=progress, dry_run=dry_run)
    app(ctx).describe(f"import bibtex {file.name}: {len(report.imported)} entries")
    if as_json:
        print_json(report.as_dict())
        return
    for problem in [*report.malformed, *report.warnings]:
        warn(f"{file}:{problem.line}: {problem.message}" if problem.line else problem.message)
    verb = "Would import" if dry_run else "Imported"
    linked = f", {len(report.linked)} of them given the file's key" if report.linked else ""
    click.echo(
        f"{verb} {len(report.imported)} of {report.entries} entries from {file}"
        f" ({report.existing} already in the library{linked}, {len(report.malformed)} malformed,"
        f" {len(report.renamed)} citation keys changed)."
    )


_ENTRY = re.compile(r"^@(?!(?:string|comment|preamble)\b)\w+\s*\{", re.IGNORECASE | re.MULTILINE)
"""An entry's first line (not the @string macros and comments a file kept are written with)."""


def _write_output(text: str, output: Path | None, entries: int) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from paperlog.library import atomic_write

    path = output.expanduser().resolve()
    atomic_write(path, text)
    # as `export ics` and `render readme` do; a query that matched nothing shows here too
    click.echo(f"Wrote {entries} {'entry' if entries == 1 else 'entries'} to {path}", err=True)


def _report_new_keys(count: int, write_back: bool) -> None:
    if not count:
        return
    if write_back:
        click.echo(f"Gave citation keys to {count} papers (saved in their files).", err=True)
    else:
        # keys are given when a paper enters the library; an export never writes paper files
        click.echo(
            f"{count} papers have no citation key: exported under keys made now, not saved; "
            "run 'paperlog doctor --fix' (or export with --save-keys) to give them keys for good.",
            err=True,
        )


_export_options = [
    click.argument("query", nargs=-1),
    click.option("--status", type=click.Choice(_STATUSES), default=None, help="Only this status."),
    click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write to FILE instead of standard output.",
    ),
    click.option(
        "--save-keys/--no-save-keys",
        default=False,
        help="Give papers without a citation key one and save it in their files "
        "(default: write no paper file; 'paperlog doctor --fix' does the same).",
    ),
]


def _with_export_options(func: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_export_options):
        func = option(func)
    return func


@click.command("bibtex", short_help="The papers as BibTeX (for LaTeX).")
@_with_export_options
@click.pass_context
def export_bibtex_cmd(
    ctx: click.Context,
    query: tuple[str, ...],
    status: str | None,
    output: Path | None,
    save_keys: bool,
) -> None:
    """Write the papers (all, or those QUERY and --status pick) as BibTeX.

    QUERY uses the search syntax ("year:2019.. venue:CVPR contrastive"). Citation keys are
    given when papers enter the library; export writes no paper file (a paper from an older
    library without a key is exported under one made now: 'paperlog doctor --fix' saves them).

    \b
    Examples:
      paperlog export bibtex > thesis.bib
      paperlog export bibtex venue:CVPR year:2019.. -o cvpr.bib
    """
    from paperlog.services.import_bibtex import export_library_bibtex

    library = app(ctx).open_library()
    with library.lock():
        text, changed = export_library_bibtex(
            library, " ".join(query), status, write_back=save_keys
        )
    entries = len(_ENTRY.findall(text))
    _write_output(text, output, entries)
    _report_new_keys(len(changed), save_keys)


@click.command("csljson", short_help="The papers as CSL-JSON (for Pandoc, Zotero).")
@_with_export_options
@click.pass_context
def export_csljson_cmd(
    ctx: click.Context,
    query: tuple[str, ...],
    status: str | None,
    output: Path | None,
    save_keys: bool,
) -> None:
    """Write the papers (all, or those QUERY and --status pick) as CSL-JSON (for Pandoc).

    Item ids are the citation keys; export writes no paper file (see export bibtex).

    \b
    Examples:
      paperlog export csljson -o refs.json
      paperlog export csljson --status read contrastive
    """
    import json

    from paperlog.services.import_bibtex import export_library_csljson

    library = app(ctx).open_library()
    with library.lock():
        items, changed = export_library_csljson(
            library, " ".join(query), status, write_back=save_keys
        )
    _write_output(json.dumps(items, ensure_ascii=False, indent=2) + "\n", output, len(items))
    _report_new_keys(len(changed), save_keys)
