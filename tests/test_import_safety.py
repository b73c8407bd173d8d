"""Imports never brick the library: what the loaders would refuse is refused or repaired at
import time, with a warning, and every later command still works."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli
from paperlog.library import Library
from paperlog.services.import_bibtex import import_bibtex

LATER_COMMANDS = [["list"], ["topics"], ["weeks"], ["search", "tricks"], ["stats"], ["doctor"]]


def _later_commands_work(library: Library) -> None:
    for args in LATER_COMMANDS:
        result = run_cli(*args, library=library.root)
        assert "internal error" not in result.stderr, (args, result.stderr)
        assert result.returncode == 0, (args, result.stderr)


def test_a_topic_listed_twice_keeps_the_first(tmp_path: Path, library: Library) -> None:
    """A README legend listing [Gml] twice wrote paperlog.toml that no command could load."""
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Log\n\n### Search\n   * [Gml] General ML\n   * [Opt] Training\n"
        "   * [Gml] General again\n\n### Wk1 - 2020.01.13\n"
        "* [Bag of Tricks](https://arxiv.org/abs/1812.01187) <kbd>CVPR 2019</kbd>\n",
        encoding="utf-8",
    )
    result = run_cli("import", "readme", str(readme), library=library.root)
    assert result.returncode == 0, result.stderr
    assert "README.md:6: topic [Gml] is defined twice (first on line 4)" in result.stderr
    _later_commands_work(library)
    assert [t.code for t in Library.open(library.root).config.topics] == ["Gml", "Opt"]


def test_a_week_number_out_of_range_is_refused(tmp_path: Path, library: Library) -> None:
    """``Wk99999999999999999999`` was written into paper files the index could not store."""
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Log\n\n### Wk99999999999999999999 - 2020.01.06\n"
        "* [Network in Network](https://arxiv.org/abs/1312.4400) <kbd>ICLR 2014</kbd>\n\n"
        "### Wk1 - 2020.01.13\n"
        "* [Bag of Tricks](https://arxiv.org/abs/1812.01187) <kbd>CVPR 2019</kbd>\n",
        encoding="utf-8",
    )
    result = run_cli("import", "readme", str(readme), library=library.root)
    assert result.returncode == 0, result.stderr
    assert "README.md:3: Wk99999999999999999999" in result.stderr
    assert "week number out of range" in result.stderr
    _later_commands_work(library)
    assert [p.title for p in Library.open(library.root).load_papers()] == ["Bag of Tricks"]


def _bib(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_entry_without_a_key_gets_the_same_key_on_reimport(
    tmp_path: Path, library: Library
) -> None:
    """Each re-import of a keyless entry added a copy (-b, -c keys)."""
    path = _bib(tmp_path, "@article{, title = {Hello World}, year = 2020}\n")
    first = import_bibtex(library, path)
    assert [str(w) for w in first.warnings] == ["line 1: no citation key; gave 'helloworld2020'"]
    for _ in range(2):
        again = import_bibtex(library, path)
        assert again.imported == []
        assert again.existing == 1
    assert library.keys() == ["hello-world-2020"]


def test_an_entry_without_a_title_is_imported_with_a_warning(
    tmp_path: Path, library: Library
) -> None:
    path = _bib(tmp_path, "@article{smith20, year = 2020}\n@misc{,}\n")
    report = import_bibtex(library, path)
    assert [p.title for p in report.imported] == ["smith20"]
    assert [str(w) for w in report.warnings] == [
        "line 1: smith20: no title; imported with its key as the title"
    ]
    assert [str(w) for w in report.malformed] == [
        "line 2: entry with neither a citation key nor a title skipped"
    ]
    _later_commands_work(library)


@pytest.mark.parametrize("depth", [33, 400])
def test_deeply_nested_braces_are_refused_not_recursed(
    tmp_path: Path, library: Library, depth: int
) -> None:
    """``title = {\\x {{{...400...}}}}`` raised RecursionError in the LaTeX decoder."""
    title = "\\x " + "{" * depth + "a" + "}" * depth
    path = _bib(
        tmp_path, f"@article{{deep, title = {{{title}}}}}\n@article{{ok, title={{Fine}}}}\n"
    )
    result = run_cli("import", "bibtex", str(path), library=library.root)
    assert result.returncode == 0, result.stderr
    assert "internal error" not in result.stderr
    assert f"deep: braces in title nest {depth} deep (at most 32); entry skipped" in (
        result.stdout + result.stderr
    )
    assert library.keys() == ["fine"]
