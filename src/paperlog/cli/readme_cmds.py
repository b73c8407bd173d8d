"""``paperlog import readme`` and ``paperlog render readme``: thin wrappers over formats/."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from paperlog.cli.common import app, json_option, print_json, print_table, warn

if TYPE_CHECKING:
    from paperlog.library import Library
    from paperlog.services.import_readme import ImportReport


@click.command("readme")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Read and report, write nothing.")
@click.option(
    "--replace",
    is_flag=True,
    help="Follow this README even though it shares few items with the one imported before "
    "(items only that README brought in are removed).",
)
@json_option
@click.pass_context
def import_readme_cmd(
    ctx: click.Context, file: Path, dry_run: bool, replace: bool, as_json: bool
) -> None:
    """Import a hand-kept README reading log (weeks, wish-list, resources, topics).

    \b
    Examples:
      paperlog import readme README.md --dry-run
      paperlog import readme README.md
    """
    from paperlog.services.import_readme import import_readme

    env = app(ctx)
    lib = env.open_library()
    report = import_readme(lib, file, dry_run=dry_run, replace=replace)
    if not dry_run and env.git is not None and file.resolve().is_relative_to(lib.root.resolve()):
        # The library's own README, edited by hand and imported: the commit takes it along,
        # or the next 'render readme' would find the user's uncommitted edit and refuse.
        env.git.record([file.resolve()])
    env.describe(
        f"import readme: {report.items} items ({report.added} new, {report.updated} updated)"
    )
    if as_json:
        print_json(report.to_dict(), env.stdout)
        return
    for warning in report.warnings:
        warn(f"{file}:{warning.line}: {warning.message}")
    if report.refused:
        warn(f"{file}: the import (without --dry-run) would be refused: {report.refused}")
    verb = "would import" if dry_run else "imported"
    print_table(
        ["what", "count"],
        [
            ["items", report.items],
            ["added", report.added],
            ["updated", report.updated],
            ["unchanged", report.unchanged],
            ["removed", report.removed],
            ["kept (not in the README)", len(report.kept_keys)],
            ["read", report.read],
            ["wish-list", report.wish],
            ["weeks", report.weeks],
            ["resources", report.resources],
            ["topics", report.topics],
            ["warnings", len(report.warnings)],
        ],
        title=f"{verb} {file}",
        out=env.stdout,
    )
    for line in diff_lines(report):
        click.echo(line, file=env.stdout)


def diff_lines(report: ImportReport) -> list[str]:
    """What the import changes item by item: added, removed, kept, moved, changed."""
    out = [f"added: {key}" for key in report.added_keys if report.unchanged or report.updated]
    out += [f"removed: {key} (no longer in the README)" for key in report.removed_keys]
    out += [
        f"kept: {key} (no longer in the README, but changed in paperlog)"
        for key in report.kept_keys
    ]
    out += [f"moved: {m['key']}: {m['from']} -> {m['to']}" for m in report.moved]
    out += [f"changed: {c['key']}: {', '.join(c['fields'])}" for c in report.changed]
    return out


@click.command("readme")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: README.md in the library).",
)
@click.option("--force", is_flag=True, help="Overwrite a file that has no paperlog markers.")
@click.option(
    "--charts/--no-charts",
    default=True,
    show_default=True,
    help="Add progress charts under the Paper Notes heading (when the plan module is present).",
)
@click.pass_context
def render_readme_cmd(ctx: click.Context, output: Path | None, force: bool, charts: bool) -> None:
    """Regenerate the README between its <!-- paperlog:begin/end --> markers.

    Markers inside a fenced code block do not count.

    \b
    Examples:
      paperlog render readme
      paperlog render readme --output README.md --no-charts
    """
    from paperlog.formats.readme_render import write_readme

    env = app(ctx)
    lib = env.open_library()
    target = output or lib.readme_path
    with lib.transaction():  # the charts and the README land together, or not at all
        images = _charts(lib, target) if charts else []
        path = write_readme(lib, target, charts=images, force=force)
    click.echo(f"Wrote {path}", file=env.stdout)


def _charts(lib: Library, target: Path) -> list[tuple[str, str]]:
    """Progress charts from the plan module, linked relative to the README being written."""
    from paperlog.errors import ValidationError
    from paperlog.plan.charts import write_charts

    folder = lib.root / "charts"
    if folder.is_symlink() and not folder.resolve().is_relative_to(lib.root.resolve()):
        raise ValidationError(
            "is a link to a folder outside the library; render writes charts only inside it",
            folder,
        )
    out = []
    for alt, rel in write_charts(lib, folder):
        link = os.path.relpath(lib.root / rel, target.resolve().parent)
        out.append((alt, Path(link).as_posix()))
    return out
