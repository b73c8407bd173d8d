"""The docs stay honest: every command has help text and a README entry (sqlite-utils' idea)."""

from __future__ import annotations

import click
import pytest

from conftest import REPO, docs_text
from paperlog.cli.main import cli


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    ctx = click.Context(group)
    found: list[tuple[str, click.Command]] = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        full = f"{prefix}{name}"
        found.append((full, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{full} "))
    return found


COMMANDS = _commands(cli)


def test_the_expected_commands_exist() -> None:
    names = {name for name, _ in COMMANDS}
    for name in (
        "init",
        "import readme",
        "render readme",
        "list",
        "show",
        "search",
        "resources",
        "weeks",
        "topics",
    ):
        assert name in names


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_has_help(name: str, command: click.Command) -> None:
    assert (command.help or "").strip(), f"'paperlog {name}' has no help text"


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_is_in_docs(name: str, command: click.Command) -> None:
    docs = docs_text()
    assert f"paperlog {name}" in docs, f"neither README.md nor docs/ documents 'paperlog {name}'"


def test_readme_fits_a_few_screens() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme) < 12_000, "README.md is a newcomer's page: move the guide into docs/"


def test_docs_links_resolve() -> None:
    """Every relative link in README.md and docs/ names a file that exists."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    for page in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        tokens = md.parse(page.read_text(encoding="utf-8"))
        for token in tokens:
            for child in token.children or []:
                href = str(child.attrs.get("href", "")) if child.type == "link_open" else ""
                target = href.split("#", 1)[0]
                if not target or "://" in target or target.startswith("mailto:"):
                    continue
                assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_readme_opens_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make demo" in quick and "make test" in quick
