"""Commands over the library itself: init, list, show, resources, weeks, topics."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from paperlog.cli.common import (
    EMPTY_LIBRARY_HINT,
    app,
    json_option,
    print_json,
    print_papers,
    print_table,
    warn,
)

if TYPE_CHECKING:
    from paperlog.errors import PaperlogError
    from paperlog.library import Library
    from paperlog.model import Paper


def load_items(lib: Library, *, skip_bad: bool = False) -> list[Paper]:
    """Every item, through the index (kept in step with the files by its incremental sync).

    ``skip_bad``: a paper file that cannot be read is left out with a one-line warning (for
    ``list``: one hand-edit mistake must not hide the whole library).
    """
    from paperlog.index import all_papers

    if not skip_bad:
        return all_papers(lib)
    problems: list[PaperlogError] = []
    papers = all_papers(lib, problems)
    for problem in problems:
        click.echo(f"warning: {problem} (skipped)", err=True)
    return papers


@click.command("init")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@click.option("--title", default=None, help="The library's title (README heading).")
@click.option(
    "--git/--no-git",
    default=True,
    show_default=True,
    help="Make the folder a git repository when it is not inside one.",
)
@click.option(
    "--fsmonitor",
    is_flag=True,
    help="Commands start a watcher on first use ([index] fsmonitor; see paperlog watch --auto).",
)
@click.pass_context
def init_cmd(
    ctx: click.Context, folder: str | None, title: str | None, git: bool, fsmonitor: bool
) -> None:
    """Create a library in FOLDER, else --library DIR, else the current folder (made if missing).

    The folder becomes a git repository (unless inside one already, or --no-git), and each
    write command then commits what it changed ([git] autocommit in paperlog.toml).

    \b
    Examples:
      paperlog init ~/reading
      paperlog init --title "My reading log" --no-git
    """
    from paperlog.gitsync import init_repository, needs_repository
    from paperlog.library import Library
    from paperlog.model import Config

    env = app(ctx)
    chosen = folder or env.library_option
    root = Path(chosen).expanduser().resolve() if chosen else env.cwd
    make_repo = git and needs_repository(root)
    config = Config(title=title) if title else Config()
    if make_repo:
        # Each write command then commits what it changed ('paperlog sync' shares them).
        config.extra["git"] = {"autocommit": True}
    if fsmonitor:
        config.extra["index"] = {"fsmonitor": True}
    lib = Library.create(root, config)
    made_repo = make_repo
    if make_repo and not init_repository(lib.root):
        warn("git could not commit (no user.name/user.email set?): commit the library yourself")
    click.echo(
        f"Created a library in {lib.root}" + (" (a new git repository)" if made_repo else "")
    )
    click.echo("Next: 'paperlog import readme README.md' or 'paperlog add 2002.05709'.")


@click.command("list")
@click.option(
    "--kind",
    type=click.Choice(["paper", "lecture", "talk", "topic", "notes", "other"]),
    default=None,
    help="Only items of this kind.",
)
@click.option(
    "--status",
    type=click.Choice(["wish", "reading", "read"]),
    default=None,
    help="Only this status.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Show at most this many items."
)
@json_option
@click.pass_context
def list_cmd(
    ctx: click.Context, kind: str | None, status: str | None, limit: int | None, as_json: bool
) -> None:
    """List every item: papers, lectures, talks, topic write-ups and notes bundles.

    \b
    Examples:
      paperlog list --status wish
      paperlog list --limit 40
    """
    from paperlog.index import Index
    from paperlog.views import paper_view

    lib = app(ctx).open_library()
    if limit is not None and kind is None and status is None:
        with Index.open(lib) as index:  # one screen: only the rows shown are decoded
            everything = index.all(limit)
    else:
        everything = load_items(lib, skip_bad=True)
    items = [
        p
        for p in everything
        if (kind is None or p.kind == kind) and (status is None or p.status == status)
    ][:limit]
    if as_json:
        print_json([paper_view(p) for p in items])
        return
    if not everything:
        click.echo(EMPTY_LIBRARY_HINT, err=True)
        return
    print_papers(items)


@click.command("show")
@click.argument("key")
@json_option
@click.pass_context
def show_cmd(ctx: click.Context, key: str, as_json: bool) -> None:
    """Show one item with its notes.

    KEY may be the key, cite key, arXiv ID or DOI, nickname or alias, a unique start of one of
    them, or a close spelling.

    \b
    Examples:
      paperlog show u-net-2015
      paperlog show arXiv:1505.04597 --json
    """
    from paperlog.views import paper_view

    lib = app(ctx).open_library()
    paper = lib.load_paper(lib.resolve_key(key))
    if as_json:
        data: dict[str, Any] = paper_view(paper)
        data.update(
            {
                "abstract": paper.abstract,
                "notes": paper.notes,
                "path": str(lib.paper_path(paper.key)),
            }
        )
        print_json(data)
        return
    click.secho(paper.display_title, bold=True)
    facts = [
        ("key", paper.key),
        ("kind", paper.kind),
        ("status", paper.status),
        ("authors", ", ".join(paper.authors)),
        ("venue", paper.venue_label or paper.venue or ""),
        ("year", paper.year or ""),
        ("ids", ", ".join(f"{k}:{v}" for k, v in paper.ids.items())),
        ("url", paper.url or ""),
        ("track", paper.track or ""),
        ("topics", ", ".join(paper.topics)),
        ("wish-list", f"{paper.wish_group or ''} #{paper.rank}" if paper.rank else ""),
    ]
    for label, value in facts:
        if value:
            click.echo(f"  {label:<10} {value}")
    for link in paper.links:
        click.echo(f"  {link.label:<10} {link.url or '(to do)'}")
    for reading in paper.readings:
        start = reading.week_start.isoformat() if reading.week_start else "?"
        click.echo(f"  read       Wk{reading.week} ({start}) {reading.group or ''}".rstrip())
    click.echo(f"  file       {lib.paper_path(paper.key)}")
    if paper.notes.strip():
        click.echo()
        click.echo(paper.notes.strip())


@click.command("resources")
@json_option
@click.pass_context
def resources_cmd(ctx: click.Context, as_json: bool) -> None:
    """List the Resources: courses, talks, sites, with their link kinds.

    \b
    Examples:
      paperlog resources
      paperlog resources --json
    """
    from paperlog.views import resources_view

    sections = app(ctx).open_library().load_resources()
    if as_json:
        print_json(resources_view(sections))
        return
    rows = [
        (
            sec.name,
            grp.name or "",
            f"{item.star} " * bool(item.star) + item.title,
            " ".join(f"[{lk.label}]" for lk in item.links),
            " ".join(lk.url for lk in item.links),
        )
        for sec in sections
        for grp in sec.groups
        for item in grp.items
    ]
    print_table(("section", "group", "title", "kinds", "links"), rows)


@click.command("weeks")
@json_option
@click.pass_context
def weeks_cmd(ctx: click.Context, as_json: bool) -> None:
    """List the weeks: number, start, annotation, papers read and theme headings.

    \b
    Examples:
      paperlog weeks
      paperlog weeks --json
    """
    from paperlog.views import week_view

    lib = app(ctx).open_library()
    papers = load_items(lib)
    views = [week_view(info, papers) for info in lib.load_weeks()]
    if as_json:
        print_json(views)
        return
    rows = [
        (
            f"Wk{v['week']}",
            v["week_start"] or "",
            sum(len(g["keys"]) for g in v["groups"]),
            "; ".join(g["name"] or "-" for g in v["groups"]),
            v["note"] or "",
        )
        for v in views
    ]
    print_table(("week", "start", "read", "groups", "note"), rows)


@click.command("topics")
@json_option
@click.pass_context
def topics_cmd(ctx: click.Context, as_json: bool) -> None:
    """List the topic codes of the taxonomy with how many items carry each.

    \b
    Examples:
      paperlog topics
      paperlog search --topic Uns
    """
    from paperlog.views import topics_view

    lib = app(ctx).open_library()
    data = topics_view(lib.config.topics, load_items(lib))
    if as_json:
        print_json(data)
        return
    rows = [(f"[{d['code']}]", d["name"], d["description"] or "", d["count"]) for d in data]
    print_table(("code", "name", "description", "items"), rows)
