"""The CLI as a real subprocess: ``paperlog import readme`` and ``paperlog render readme``."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli
from paperlog.library import Library


def test_import_json_and_warnings(library: Library, seed_path: Path) -> None:
    result = run_cli("import", "readme", str(seed_path), "--json", library=library.root)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["items"], report["added"], report["read"], report["wish"]) == (77, 77, 64, 13)
    assert (report["weeks"], report["resources"], report["topics"]) == (14, 26, 7)
    assert {w["line"] for w in report["warnings"]} == {24, 59, 61, 69, 115, 116, 130, 149, 201}
    assert len(library.load_papers()) == 77
    again = run_cli("import", "readme", str(seed_path), "--json", library=library.root)
    assert json.loads(again.stdout)["unchanged"] == 77


def test_import_table_prints_warnings_with_file_and_line(library: Library, seed_path: Path) -> None:
    result = run_cli("import", "readme", str(seed_path), "--dry-run", library=library.root)
    assert result.returncode == 0, result.stderr
    assert "items\t77" in result.stdout and "added\t77" in result.stdout
    assert f"warning: {seed_path}:130: malformed link" in result.stderr
    assert library.load_papers() == []  # --dry-run wrote nothing


def test_import_errors(library: Library, tmp_path: Path) -> None:
    missing = run_cli("import", "readme", str(tmp_path / "nope.md"), library=library.root)
    assert missing.returncode == 4
    assert (
        missing.stderr.startswith("paperlog: error: ") and "nope.md: no such file" in missing.stderr
    )
    prose = tmp_path / "prose.md"
    prose.write_text("# Notes\n\nNothing to import here.\n", "utf-8")
    empty = run_cli("import", "readme", str(prose), library=library.root)
    assert empty.returncode == 4 and "no recognisable entries" in empty.stderr
    assert library.load_papers() == []


def test_render_writes_and_keeps_user_text(library: Library, seed_path: Path) -> None:
    run_cli("import", "readme", str(seed_path), library=library.root)
    result = run_cli("render", "readme", "--no-charts", library=library.root)
    assert result.returncode == 0, result.stderr
    readme = library.readme_path
    text = readme.read_text("utf-8")
    assert text.startswith("<!-- paperlog:begin -->\n# WTF-is-Deep-Learning\n")
    readme.write_text(text + "\nMy footer.\n", "utf-8")
    again = run_cli("render", "readme", "--no-charts", library=library.root)
    assert again.returncode == 0
    assert readme.read_text("utf-8") == text + "\nMy footer.\n"


def test_render_refuses_unmarked_file_without_force(library: Library, tmp_path: Path) -> None:
    target = tmp_path / "README.md"
    target.write_text("# hand-kept\n", "utf-8")
    refused = run_cli("render", "readme", "--output", str(target), library=library.root)
    assert refused.returncode == 4 and "--force" in refused.stderr
    assert target.read_text("utf-8") == "# hand-kept\n"
    forced = run_cli("render", "readme", "--output", str(target), "--force", library=library.root)
    assert forced.returncode == 0, forced.stderr
    assert target.read_text("utf-8").startswith("<!-- paperlog:begin -->")


def test_help_lists_both_commands() -> None:
    assert "readme" in run_cli("import", "--help").stdout
    assert "--charts / --no-charts" in run_cli("render", "readme", "--help").stdout


def test_render_with_charts_links_images_that_exist(
    library: Library, seed_path: Path, tmp_path: Path
) -> None:
    run_cli("import", "readme", str(seed_path), library=library.root)
    result = run_cli("render", "readme", library=library.root)
    assert result.returncode == 0, result.stderr
    lines = library.readme_path.read_text("utf-8").split("\n")
    at = lines.index("# II. Paper Notes")
    assert lines[at + 2] == "<!-- paperlog:charts -->"
    images = [line for line in lines[at + 3 :] if line.startswith("![")]
    assert images, "the charts module wrote no chart for the seed"
    for line in images:
        path = line[line.index("](") + 2 : -1]
        assert (library.root / path).is_file(), path
    # the rendered README, charts and all, imports back to the same items
    other = Library.create(tmp_path / "other")
    back = run_cli("import", "readme", str(library.readme_path), "--json", library=other.root)
    assert json.loads(back.stdout)["added"] == 77
