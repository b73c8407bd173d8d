"""Start-up stays cheap: importing the CLI pulls in no heavy module (click's test_imports idea)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = {
    "httpx",
    "markdown_it",
    "matplotlib",
    "rich",
    "yaml",
    "sqlite3",
    "fsrs",
    "bibtexparser",
    "rapidfuzz",
    "ftfy",
    "icalendar",
    "xml",
    "http",
    "tempfile",
}


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {name.split(".")[0] for name in out.split()}


def test_cli_import_pulls_in_no_heavy_module() -> None:
    loaded = _modules_after("import paperlog.cli.main")
    assert not (loaded & HEAVY), f"heavy modules imported at start-up: {sorted(loaded & HEAVY)}"


def test_help_lists_commands_without_heavy_modules() -> None:
    loaded = _modules_after(
        "from paperlog.cli.main import cli\n"
        "try:\n    cli.main(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass"
    )
    assert not (loaded & {"httpx", "matplotlib", "fsrs", "bibtexparser", "markdown_it"}), sorted(
        loaded & HEAVY
    )
