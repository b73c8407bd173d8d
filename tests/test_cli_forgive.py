"""A CLI that forgives (issue 7, items 12-16): options anywhere, dashes in queries, plain text
on a terminal, tables that fit, mistyped commands. Every test runs the real CLI in a subprocess,
on a real pseudo-terminal where what the terminal shows is the point."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from conftest import run_cli, run_cli_tty
from paperlog.cli.main import COMMANDS, EXPORT_COMMANDS, IMPORT_COMMANDS, RENDER_COMMANDS
from paperlog.library import Library
from paperlog.model import (
    Config,
    Link,
    Paper,
    Reading,
    ResourceGroup,
    ResourceItem,
    ResourceSection,
    Topic,
    WeekInfo,
)

HOSTILE = (
    "Noisy Student [revisited] and [bold]tricks[/bold]",
    "[link=https://evil.example]x",
    "[/x]",
)


def _papers_library(root: Path) -> Library:
    lib = Library.create(root, Config(topics=[Topic("Uns", "Unsupervised", "GAN, VAE")]))
    lib.save_papers(
        [
            Paper(
                key="simclr-2020",
                title="A Simple Framework for Contrastive Learning of Visual Representations",
                nickname="SimCLR",
                status="read",
                year=2020,
                ids={"arxiv": "2002.05709"},
                topics=["Uns"],
                readings=[Reading(2, date(2020, 6, 29), "Depth", order=0)],
            ),
            Paper(key="moco-2020", title="Momentum Contrast", status="read", year=2020),
            Paper(key="contrastive-survey-2021", title="A contrastive survey", status="wish"),
        ]
    )
    return lib


# --- item 12: --library after the subcommand ---------------------------------------------------


def _all_command_paths() -> list[list[str]]:
    paths = [[name] for name in COMMANDS if name not in ("import", "render", "export")]
    paths += [["import", name] for name in IMPORT_COMMANDS]
    paths += [["render", name] for name in RENDER_COMMANDS]
    paths += [["export", name] for name in EXPORT_COMMANDS]
    paths += [["queue", name] for name in ("up", "down", "top", "pin", "unpin")]
    return paths


@pytest.mark.parametrize("path", _all_command_paths(), ids=" ".join)
def test_every_command_takes_library_after_its_name(path: list[str]) -> None:
    result = run_cli(*path, "--help")
    assert result.returncode == 0, result.stderr
    assert "--library DIR " in result.stdout


# Item 22 for this area's commands: the help ends with one or two examples to copy.
MY_COMMANDS = [
    ["init"],
    ["list"],
    ["show"],
    ["resources"],
    ["weeks"],
    ["topics"],
    ["search"],
    ["add"],
    ["enrich"],
    ["import"],
    ["render"],
    ["export"],
    [],
]


@pytest.mark.parametrize("path", MY_COMMANDS, ids=lambda p: " ".join(p) or "paperlog")
def test_help_ends_with_examples(path: list[str]) -> None:
    result = run_cli(*path, "--help")
    assert result.returncode == 0, result.stderr
    text = result.stdout.split("\nOptions:")[0].rstrip().splitlines()
    start = text.index("  Examples:")
    examples = [line.strip() for line in text[start + 1 :]]
    assert 1 <= len(examples) <= 2
    assert all(line.startswith("paperlog ") for line in examples), examples


def test_library_after_the_subcommand_means_what_it_means_before(tmp_path: Path) -> None:
    lib = _papers_library(tmp_path / "lib")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before = run_cli("--library", str(lib.root), "list", "--json", cwd=elsewhere)
    after = run_cli("list", "--library", str(lib.root), "--json", cwd=elsewhere)
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == json.loads(before.stdout)
    assert len(json.loads(after.stdout)) == 3
    # the later one wins, and it works inside a group too
    wins = run_cli("list", "--json", "--library", str(lib.root), library=elsewhere)
    assert wins.returncode == 0, wins.stderr
    empty = tmp_path / "new"
    made = run_cli("init", "--library", str(empty), "--no-git")
    assert made.returncode == 0, made.stderr
    assert (empty / "paperlog.toml").is_file()
    shown = run_cli("show", "simclr-2020", "--library", str(lib.root), "--json", cwd=elsewhere)
    assert json.loads(shown.stdout)["key"] == "simclr-2020"
    exported = run_cli("export", "bibtex", "--library", str(lib.root), cwd=elsewhere)
    assert exported.returncode == 0, exported.stderr
    assert "2002.05709" in exported.stdout


# --- item 13: words that start with "-" ------------------------------------------------------


def test_a_dash_word_is_a_not_term_not_an_option(tmp_path: Path) -> None:
    lib = _papers_library(tmp_path / "lib")
    result = run_cli("search", "contrastive", "-survey", "--json", library=lib.root)
    assert result.returncode == 0, result.stderr
    keys = [item["key"] for item in json.loads(result.stdout)]
    assert "contrastive-survey-2021" not in keys
    assert "simclr-2020" in keys
    # options still work on either side of the words, and "--" still ends the options
    mixed = run_cli(
        "search", "--status", "read", "contrastive", "-survey", "--json", library=lib.root
    )
    assert {i["key"] for i in json.loads(mixed.stdout)} == {"simclr-2020", "moco-2020"}
    after = run_cli("search", "-survey", "contrastive", "--limit", "1", "--json", library=lib.root)
    assert after.returncode == 0, after.stderr
    assert len(json.loads(after.stdout)) == 1
    # a word made only of known short-option letters is a word too ("-h" alone is help)
    letters = run_cli("search", "contrastive", "-hh", "--json", library=lib.root)
    assert letters.returncode == 0, letters.stderr


# --- item 14: user strings are text, never rich markup ----------------------------------------


def _hostile_library(root: Path) -> Library:
    title, link_title, closing = HOSTILE
    lib = Library.create(root, Config(topics=[Topic("Uns", closing, link_title)]))
    lib.save_papers(
        [
            Paper(
                key="noisy-student-2020",
                title=title,
                status="read",
                year=2020,
                venue="[red]CVPR[/red]",
                topics=["Uns"],
                readings=[Reading(3, date(2020, 7, 6), link_title, order=0)],
            ),
            Paper(key="wish-2021", title=link_title, status="wish", rank=1),
            Paper(key="closing-2021", title=closing, status="wish", rank=2),
        ]
    )
    lib.save_weeks([WeekInfo(3, date(2020, 7, 6), note=title, groups=[link_title])])
    lib.save_resources(
        [
            ResourceSection(
                closing,
                groups=[
                    ResourceGroup(
                        title,
                        [ResourceItem(link_title, [Link("pdf", "https://example.org/a.pdf")])],
                    )
                ],
            )
        ]
    )
    return lib


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["list"], HOSTILE),
        (["search", "noisy"], [HOSTILE[0], "[red]CVPR[/red]"]),
        (["resources"], [*HOSTILE, "[pdf]"]),
        (["weeks"], HOSTILE[:2]),
        (["topics"], [HOSTILE[2], HOSTILE[1]]),
        (["queue"], HOSTILE[1:]),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) and v[0].isalpha() else "",
)
def test_hostile_strings_reach_the_terminal_as_written(
    tmp_path: Path, args: list[str], shown: list[str]
) -> None:
    lib = _hostile_library(tmp_path / "lib")
    status, screen = run_cli_tty(*args, library=lib.root, columns=220)
    assert status == 0, screen
    assert "│" in screen  # a rich table, not the piped form
    for text in shown:
        assert text in screen, f"{text!r} not shown by {args}:\n{screen}"


def test_show_prints_a_hostile_title_as_written(tmp_path: Path) -> None:
    lib = _hostile_library(tmp_path / "lib")
    status, screen = run_cli_tty("show", "noisy-student-2020", library=lib.root)
    assert status == 0, screen
    assert HOSTILE[0] in screen


# --- item 16: tables that fit a terminal ------------------------------------------------------


def _long_library(root: Path) -> Library:
    lib = Library.create(root)
    long_title = "A Remarkably Long Title About Learning Representations " * 4
    lib.save_papers(
        [
            Paper(
                key="virtual-adversarial-training-regularization-2018",
                title=long_title.strip(),
                status="wish",
                rank=1,
            ),
            Paper(key="short-2020", title="Short " + long_title, status="wish", rank=2),
        ]
    )
    return lib


def _table_lines(screen: str) -> list[str]:
    return [line for line in screen.splitlines() if line.startswith("│")]


def test_list_on_a_narrow_terminal_keeps_keys_whole_and_titles_on_one_line(
    tmp_path: Path,
) -> None:
    lib = _long_library(tmp_path / "lib")
    status, screen = run_cli_tty("list", library=lib.root, columns=100)
    assert status == 0, screen
    rows = _table_lines(screen)
    assert len(rows) == 2, screen  # one line per item: nothing wrapped
    assert all(len(line) <= 100 for line in screen.splitlines())
    assert "virtual-adversarial-training-regularization-2018" in rows[1]
    assert all("…" in row for row in rows)  # titles cut with an ellipsis
    # no paper has a venue, a year or a reading: those columns are left out
    header = next(line for line in screen.splitlines() if line.startswith("┃"))
    assert "venue" not in header and "year" not in header and "weeks" not in header
    assert "title" in header and "key" in header


def test_an_80_column_terminal_leaves_out_kind_and_status_before_cutting_titles_short(
    tmp_path: Path,
) -> None:
    lib = Library.create(tmp_path / "lib")
    title = "Virtual Adversarial Training: A Regularization Method for Supervised Learning"
    lib.save_papers(
        [
            Paper(
                key="virtual-adversarial-2018",
                title=title,
                year=2018,
                venue="TPAMI 2018",
                status="wish",
                rank=1,
            ),
        ]
    )
    status, screen = run_cli_tty("list", library=lib.root, columns=80)
    assert status == 0, screen
    header = next(line for line in screen.splitlines() if line.startswith("┃"))
    assert "kind" not in header and "status" not in header, screen
    assert "venue" in header and "year" in header, screen
    row = _table_lines(screen)[0]
    assert "virtual-adversarial-2018" in row  # the key stays whole
    assert "Virtual Adversarial Training" in row  # the title keeps a readable part
    assert "(kind, status left out to fit 80 columns)" in screen
    wide_status, wide = run_cli_tty("list", library=lib.root, columns=200)
    assert wide_status == 0 and "left out" not in wide
    assert "status" in next(line for line in wide.splitlines() if line.startswith("┃"))


def test_list_and_search_show_the_same_columns(tmp_path: Path) -> None:
    lib = _papers_library(tmp_path / "lib")
    listed = run_cli("list", "--status", "read", library=lib.root)
    found = run_cli("search", "--status", "read", library=lib.root)
    assert listed.returncode == 0 and found.returncode == 0, listed.stderr + found.stderr
    assert sorted(listed.stdout.splitlines()) == sorted(found.stdout.splitlines())
    status, screen = run_cli_tty("list", library=lib.root, columns=200)
    status2, screen2 = run_cli_tty("search", "contrastive", library=lib.root, columns=200)
    assert status == status2 == 0, screen + screen2
    headers = [
        next(line for line in s.splitlines() if line.startswith("┃")).split("┃")
        for s in (screen, screen2)
    ]
    assert [c.strip() for c in headers[0]] == [c.strip() for c in headers[1]]


def test_an_empty_library_says_what_to_do_next(tmp_path: Path) -> None:
    lib = Library.create(tmp_path / "lib")
    for args in (["list"], ["search", "anything"]):
        result = run_cli(*args, library=lib.root)
        assert result.returncode == 0, result.stderr
        assert "paperlog import readme FILE" in result.stderr
        assert "paperlog add ID" in result.stderr


# --- item 15 (commands): mistyped command names ------------------------------------------------


@pytest.mark.parametrize(("typed", "meant"), [("lst", "list"), ("serach", "search")])
def test_a_mistyped_command_gets_a_suggestion(typed: str, meant: str) -> None:
    result = run_cli(typed)
    assert result.returncode == 2
    assert f"Did you mean '{meant}'?" in result.stderr


def test_a_mistyped_subcommand_gets_a_suggestion() -> None:
    result = run_cli("import", "redme", "x.md")
    assert result.returncode == 2
    assert "Did you mean 'readme'?" in result.stderr
