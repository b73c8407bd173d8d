"""Hand-edited files never crash a command: each mistake is a one-line error naming the file
and line, and what a user wrote that paperlog does not model survives a write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from paperlog.library import Library
from paperlog.model import Paper

GOOD = "---\ntitle: A Good Paper\nstatus: wish\n---\n"

# (front matter lines after the title, the line the error names, what the error says)
BAD_PAPERS = [
    ("readings:\n- week: 1\n  week_start: 2020-02-30\n", 6, "'2020-02-30' is not a valid date"),
    ("readings:\n- week: two\n", 5, "week: 'two' is not a whole number"),
    ("readings: 2020-01-01\n", 4, "readings: expected a list of readings"),
    ("year: !!float x\n", 4, "'x' is not a valid number"),
    ("added: 2020-01-01T10:00:00+25:00\n", 4, "is not a valid date"),
    ("year: 100000000000000000000\n", 4, "year: 100000000000000000000 is not a whole number"),
    ("rank: 100000000000000000000\n", 4, "rank: 100000000000000000000 is not a whole number"),
    ("links: https://x.example\n", 4, "links: expected a list of links"),
    ('note: "a\\0b"\nbroken: [\n', 6, "broken YAML"),
]


def _library_with(library: Library, name: str, text: bytes) -> None:
    (library.papers_dir / "good.md").write_text(GOOD, encoding="utf-8")
    (library.papers_dir / name).write_bytes(text)


@pytest.mark.parametrize(("front", "line", "says"), BAD_PAPERS)
def test_a_bad_paper_file_is_a_one_line_error_at_its_line(
    library: Library, front: str, line: int, says: str
) -> None:
    _library_with(library, "bad.md", f"---\ntitle: Bad\nstatus: read\n{front}---\n".encode())
    for args in (["show", "bad"], ["done", "bad"]):
        result = run_cli(*args, library=library.root)
        assert result.returncode != 0, args
        assert "internal error" not in result.stderr, result.stderr
        lines = result.stderr.strip().split("\n")
        assert len(lines) == 1, result.stderr
        assert f"bad.md:{line}: " in lines[0], (args, lines[0])
        assert says in lines[0], (args, lines[0])
    # the other paper still works; list and search skip the bad file with a warning
    shown = run_cli("show", "good", library=library.root)
    assert shown.returncode == 0, shown.stderr
    for args in (["list"], ["search", "good"]):
        listed = run_cli(*args, "--json", library=library.root)
        assert listed.returncode == 0, (args, listed.stderr)
        assert [p["key"] for p in json.loads(listed.stdout)] == ["good"]
        warning = listed.stderr.strip().split("\n")
        assert len(warning) == 1, listed.stderr
        assert warning[0].startswith("warning: ") and f"bad.md:{line}: " in warning[0]


def test_a_byte_that_is_not_utf8_names_its_line(library: Library) -> None:
    """A ``\\xff`` byte: ``done`` raised UnicodeDecodeError."""
    _library_with(library, "bad.md", b"---\ntitle: Bad\nstatus: wish\nnickname: caf\xff\n---\n")
    for args in (["done", "bad"], ["list"]):
        result = run_cli(*args, library=library.root)
        assert (result.returncode == 0) == (args == ["list"])
        assert "internal error" not in result.stderr, result.stderr
        assert "bad.md:4: not UTF-8 text" in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        (
            "paperlog.toml",
            'title = "x"\nreadme = "x"\n',
            "paperlog.toml:2: readme: expected a table",
        ),
        ("paperlog.toml", 'title = "x"\n[plan]\nweek_start = 5\n', "week_start"),
        ("weeks.yaml", "- week: 1\n  groups: 5\n", "weeks.yaml:2: groups: expected a list"),
        ("weeks.yaml", "- week: 1\n  start: 2020-02-30\n", "weeks.yaml:2: "),
        ("resources.yaml", "- section: A\n  groups: 5\n", "resources.yaml:2: groups"),
    ],
)
def test_a_bad_config_file_is_a_one_line_error(
    library: Library, name: str, text: str, says: str
) -> None:
    (library.root / name).write_text(text, encoding="utf-8")
    for args in (["list"], ["weeks"], ["resources"], ["render", "readme", "-o", "-"]):
        result = run_cli(*args, library=library.root)
        assert "internal error" not in result.stderr, (args, result.stderr)
        if result.returncode == 0:
            continue  # a command that does not read this file
        lines = result.stderr.strip().split("\n")
        assert len(lines) == 1, (args, result.stderr)
        assert says in lines[0], (args, lines[0])


def test_structured_values_survive_a_write(library: Library) -> None:
    """Mappings a user writes in ``takeaways``, ``authors`` or unknown fields are written back
    as they were, not turned into their Python text."""
    path = library.papers_dir / "sculley.md"
    path.write_text(
        "---\ntitle: Hidden Technical Debt\nstatus: wish\nauthors:\n- given: D.\n"
        "  family: Sculley\n- Gary Holt\ntakeaways:\n- plain\n- idea: debt\n  why: glue code\n"
        "mine:\n  nested:\n  - 1\n  - a: b\n---\nnotes\n",
        encoding="utf-8",
    )
    paper = library.load_paper("sculley")
    library.save_paper(paper)
    text = path.read_text(encoding="utf-8")
    assert "- idea: debt\n  why: glue code\n" in text
    assert library.load_paper("sculley").authors == ["D. Sculley", "Gary Holt"]
    assert "mine:\n  nested:\n  - 1\n  - a: b\n" in text
    again: Paper = library.load_paper("sculley")
    assert again.takeaways == paper.takeaways
    done = run_cli("done", "sculley", library=library.root)
    assert done.returncode == 0, done.stderr
    text = path.read_text(encoding="utf-8")
    assert "- idea: debt\n  why: glue code\n" in text


def test_the_library_folder_is_named_in_a_one_line_error(tmp_path: Path) -> None:
    result = run_cli("list", library=tmp_path / "nowhere")
    assert result.returncode != 0
    assert len(result.stderr.strip().split("\n")) == 1, result.stderr
