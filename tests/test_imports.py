"""Start-up stays cheap: importing the CLI pulls in no heavy module (click's test_imports idea)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from paperlog.library import Library

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


# What the daily commands (issue 11's table) never use: git runs (subprocess, shutil with bz2
# and lzma), a typed --date's month check (calendar), socket.py's enums (the watcher is asked
# through _socket), PyYAML (the files paperlog writes take the fast path), rich (piped output),
# and everything heavier.
DAILY_UNUSED = {"subprocess", "shutil", "bz2", "lzma", "calendar", "socket", "yaml"} | (
    HEAVY - {"sqlite3"}
)

_DUMP_MODULES = """
import atexit, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write("\\n".join(sys.modules)))
sys.argv = ["paperlog", *sys.argv[2:]]
from paperlog.cli.fastpath import main
main()
"""


def _daily_library(root: Path) -> Library:
    """Twelve papers: six read over two weeks, six queued with gapped ranks."""
    from datetime import date, timedelta

    from paperlog.model import Config, Paper, Reading

    start = date(2024, 5, 6)
    lib = Library.create(root, Config())
    papers = [
        Paper(
            key=f"p{i:02d}",
            title=f"Paper number {i}",
            status="read" if i < 6 else "wish",
            rank=None if i < 6 else (i + 1) * 1024,
            readings=[Reading(i // 3 + 1, start + timedelta(weeks=i // 3), "G", order=i % 3)]
            if i < 6
            else [],
        )
        for i in range(12)
    ]
    lib.save_papers(papers)
    return lib


def test_daily_commands_import_only_what_they_use(tmp_path: Path) -> None:
    from test_watch import Running

    lib = _daily_library(tmp_path / "lib")
    running = Running(lib)  # as the bench runs them: commands ask the watcher
    try:
        for args in (
            ["today"],
            ["week"],
            ["stats"],
            ["list", "--limit", "40"],
            ["show", "p02"],
            ["start", "p07"],
            ["queue", "up", "p09"],
            ["done", "p11"],
        ):
            dump = tmp_path / "modules.txt"
            result = subprocess.run(
                [sys.executable, "-c", _DUMP_MODULES, str(dump), "--library", str(lib.root), *args],
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, result.stderr
            loaded = {name.split(".")[0] for name in dump.read_text().split()}
            assert not (loaded & DAILY_UNUSED), (args, sorted(loaded & DAILY_UNUSED))
    finally:
        running.close()
