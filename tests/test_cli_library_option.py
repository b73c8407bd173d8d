"""``--library DIR`` works after every command, subcommands of groups included."""

from __future__ import annotations

from pathlib import Path

import click

from conftest import run_cli
from paperlog.cli.main import cli


def _leaves(
    group: click.Group, ctx: click.Context, prefix: str = ""
) -> list[tuple[str, click.Command]]:
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            found += _leaves(command, ctx, f"{prefix}{name} ")
        found.append((f"{prefix}{name}", command))
    return found


def test_every_command_and_subcommand_takes_library() -> None:
    ctx = click.Context(cli)
    missing = [
        name
        for name, command in _leaves(cli, ctx)
        if not any("--library" in getattr(p, "opts", ()) for p in command.params)
    ]
    assert missing == []


def test_a_group_subcommand_with_library_after_it(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    assert run_cli("init", str(lib)).returncode == 0
    result = run_cli("topics", "suggest", "--library", str(lib), "--json")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
