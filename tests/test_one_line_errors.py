"""One-line errors, always: every error is one line on stderr; details with ``--verbose``."""

from __future__ import annotations

import click
import pytest

from conftest import run_cli
from paperlog.cli import main as cli_main
from paperlog.library import Library


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["list", "--nope"],
            "paperlog: error: No such option '--nope' (see 'paperlog list --help')",
        ),
        (["done"], "paperlog: error: Missing argument 'KEY' (see 'paperlog done --help')"),
        (["queue", "--limit", "x"], "(see 'paperlog queue --help')"),
        (["frob"], "paperlog: error: No such command 'frob'"),
    ],
)
def test_usage_errors_are_one_line(library: Library, args: list[str], says: str) -> None:
    """click's usage errors were three or four lines (usage, hint, blank, error)."""
    result = run_cli(*args, library=library.root)
    assert result.returncode == 2
    lines = result.stderr.strip().split("\n")
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(says) or says in lines[0], lines[0]


def test_verbose_shows_the_usage_too(library: Library) -> None:
    result = run_cli("--verbose", "list", "--nope", library=library.root)
    assert result.returncode == 2
    assert "Usage: paperlog list" in result.stderr
    assert "No such option" in result.stderr


@pytest.mark.parametrize("bad", ["\x00", "a\nb", "\r"])
def test_yaml_errors_with_control_characters_are_one_line(library: Library, bad: str) -> None:
    """A YAML error quoting a NUL byte or a line break printed two lines."""
    path = library.papers_dir / "bad.md"
    path.write_bytes(f"---\ntitle: x\nnote: {bad}\x07[\n---\n".encode())
    result = run_cli("show", "bad", library=library.root)
    assert result.returncode != 0
    lines = result.stderr.strip().split("\n")
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("paperlog: error: "), lines[0]
    assert "bad.md:" in lines[0]


def test_an_internal_error_is_one_line_with_the_traceback_on_verbose(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug (an exception that is no PaperlogError) is one line; ``--verbose`` re-raises it
    so the traceback shows."""

    @click.command("boom")
    def boom() -> None:
        raise ValueError("line one\nline two")

    monkeypatch.setitem(cli_main.cli.commands, "boom", boom)
    with pytest.raises(SystemExit) as exited:
        cli_main.main(["boom"])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err == (
        "paperlog: internal error: ValueError: line one\\nline two "
        "(a bug; run again with --verbose for the traceback)\n"
    )
    with pytest.raises(ValueError, match="line one"):
        cli_main.main(["--verbose", "boom"])
