"""``paperlog sync``: git pull --rebase, then git push, in the library's repository."""

from __future__ import annotations

import click

from paperlog.cli.common import app


@click.command("sync")
@click.pass_context
def sync_cmd(ctx: click.Context) -> None:
    """Share the library through git: pull others' commits (rebasing yours), then push.

    Each write command already commits what it changed ([git] autocommit in paperlog.toml), so
    sync has only to exchange commits. A library without a remote gets told how to add one.

    \b
    Examples:
      paperlog sync
      paperlog sync --library ~/reading
    """
    from paperlog.gitsync import sync

    for line in sync(app(ctx).library_root()):
        click.echo(line)
