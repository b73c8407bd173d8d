"""``paperlog review`` and ``paperlog stats`` as real processes: JSON, grades, stdin, a terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from paperlog.library import Library
from paperlog.model import Paper, Reading
from test_stats import SEED_COUNTS, SEED_MET, seed_layout

SUNDAY = "2020-07-05"


@pytest.fixture
def lib(library: Library) -> Library:
    """Three papers read in Wk2: two with key ideas (front matter, notes), one without."""
    start = date(2020, 6, 29)
    library.save_papers(
        [
            Paper(
                key="simclr-2020",
                title="A Simple Framework for Contrastive Learning",
                nickname="SimCLR",
                status="read",
                readings=[Reading(week=2, week_start=start)],
                takeaways=["contrastive loss over two augmented views", "big batches help"],
            ),
            Paper(
                key="moco-2020",
                title="Momentum Contrast",
                nickname="MoCo",
                status="read",
                readings=[Reading(week=2, week_start=start)],
                notes="## Key ideas\n- a queue of negatives\n- a momentum encoder\n",
            ),
            Paper(
                key="rotnet-2018",
                title="Predicting Image Rotations",
                status="read",
                readings=[Reading(week=2, week_start=start)],
            ),
        ]
    )
    return library


def files_of(library: Library) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in library.paper_files()}


def due_json(library: Library, day: str) -> dict[str, Any]:
    out = run_cli("review", "--list", "--json", "--date", day, library=library.root, input="")
    assert out.returncode == 0, out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def test_list_json_shows_due_items(lib: Library) -> None:
    data = due_json(lib, SUNDAY)
    items = data["items"]
    assert isinstance(items, list)
    assert [i["key"] for i in items] == ["moco-2020", "simclr-2020"]
    simclr = items[1]
    assert simclr["state"] == "new" and simclr["due"] is None
    assert simclr["takeaways"] == ["contrastive loss over two augmented views", "big batches help"]
    assert simclr["title"] == "SimCLR: A Simple Framework for Contrastive Learning"
    assert items[0]["takeaways"] == ["a queue of negatives", "a momentum encoder"]
    assert data["review_day"] == "sun"


def test_grade_saves_and_reschedules(lib: Library) -> None:
    out = run_cli("review", "--grade", "simclr=good", "--date", SUNDAY, "--json", library=lib.root)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [g["key"] for g in data["graded"]] == ["simclr-2020"]
    due = data["graded"][0]["due"]
    assert due > f"{SUNDAY}T23:59"
    assert data["next_due"] == due
    review = lib.load_paper("simclr-2020").review
    assert review["due"] == due and review["last_rating"] == "good"
    assert "review" not in lib.paper_path("moco-2020").read_text(encoding="utf-8")
    # no longer due the same day; due again on its day
    assert [i["key"] for i in due_json(lib, SUNDAY)["items"]] == ["moco-2020"]
    again = due_json(lib, due[:10])["items"]
    assert [(i["key"], i["state"]) for i in again] == [
        ("simclr-2020", "review"),
        ("moco-2020", "new"),
    ]


def test_plain_grade_output_names_the_next_review(lib: Library) -> None:
    out = run_cli(
        "review", "--grade", "simclr-2020=4", "--grade", "moco=again", "--date", SUNDAY,
        library=lib.root,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("simclr-2020: easy -> next review 2020-")
    assert lines[1].startswith("moco-2020: again -> next review 2020-")
    assert lines[-1].startswith("Next review due: 2020-")
    assert out.stderr == ""  # Sunday is the review day: no note


def test_answers_on_stdin_when_not_a_terminal(lib: Library) -> None:
    answers = "# Sunday review\nsimclr good\nmoco-2020=hard\n"
    out = run_cli("review", "--date", "2020-07-07", library=lib.root, input=answers)
    assert out.returncode == 0, out.stderr
    assert lib.load_paper("moco-2020").review["last_rating"] == "hard"
    assert lib.load_paper("simclr-2020").review["last_rating"] == "good"
    assert "the plan reviews on sun" in out.stderr  # 2020-07-07 is a Tuesday


def test_empty_stdin_lists_what_is_due(lib: Library) -> None:
    out = run_cli("review", "--date", SUNDAY, library=lib.root, input="")
    assert out.returncode == 0, out.stderr
    assert [line.split("\t")[0] for line in out.stdout.splitlines()] == [
        "moco-2020",
        "simclr-2020",
    ]


@pytest.mark.parametrize(
    ("args", "stdin", "status", "message"),
    [
        (["--grade", "nosuch=good"], "", 3, "no paper matches 'nosuch'"),
        (["--grade", "simclr=superb"], "", 4, "'superb' is not a grade"),
        (["--grade", "rotnet=good"], "", 4, "rotnet-2018.md: has no takeaways"),
        ([], "simclr good\nmoco wonderful\n", 4, "<stdin>:2: 'wonderful' is not a grade"),
    ],
)
def test_bad_grades_fail_cleanly_and_change_nothing(
    lib: Library, args: list[str], stdin: str, status: int, message: str
) -> None:
    before = files_of(lib)
    out = run_cli("review", "--date", SUNDAY, *args, library=lib.root, input=stdin)
    assert out.returncode == status
    assert out.stderr.startswith("paperlog: error: ") and message in out.stderr
    assert files_of(lib) == before


def test_interactive_session_on_a_terminal(lib: Library) -> None:
    """A real pseudo-terminal: question, Enter reveals the key ideas, a grade, the next one."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLOG_")}
    env["TERM"] = "dumb"
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperlog", "--library", str(lib.root), "review", "--date", SUNDAY],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    os.write(master, b"\n3\n\nq\n")
    output = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            proc.kill()
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    proc.wait(timeout=60)
    os.close(master)
    text = output.decode("utf-8", "replace")
    assert proc.returncode == 0, text
    assert "MoCo: what are its key ideas?" in text
    assert "a queue of negatives" in text
    assert "good: next review 2020-" in text
    assert "SimCLR: what are its key ideas?" in text
    assert "Graded 1 of 2." in text
    assert lib.load_paper("moco-2020").review["last_rating"] == "good"
    assert lib.load_paper("simclr-2020").review == {}


def test_review_a_paper_of_the_real_seed_by_its_nickname(seed_path: Path, library: Library) -> None:
    readme_import = pytest.importorskip("paperlog.services.import_readme")
    readme_import.import_readme(library, seed_path)
    # the seed keeps no key ideas: write some for SimCLR (read in Wk2) and review it
    (simclr,) = [p for p in library.load_papers() if (p.nickname or "").lower() == "simclr"]
    simclr.takeaways = ["contrastive loss between two augmented views"]
    library.save_paper(simclr)
    items = due_json(library, "2020-07-05")["items"]
    assert [(i["key"], i["read_on"]) for i in items] == [(simclr.key, "2020-06-29")]
    assert items[0]["question"] == f"{simclr.nickname}: what are its key ideas?"
    assert due_json(library, "2020-06-28")["items"] == []  # not read yet
    out = run_cli("review", "--grade", "SimClr=good", "--date", "2020-07-05", library=library.root)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"{simclr.key}: good -> next review 2020-07-")
    assert library.load_paper(simclr.key).review["reps"] == 1


def test_a_terminal_on_stdin_but_a_pipe_on_stdout_lists_instead_of_waiting(lib: Library) -> None:
    master, slave = pty.openpty()
    try:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "paperlog",
                "--library",
                str(lib.root),
                "review",
                "--date",
                SUNDAY,
            ],
            stdin=slave,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(slave)
        os.close(master)
    assert out.returncode == 0, out.stderr
    assert [line.split("\t")[0] for line in out.stdout.splitlines()] == ["moco-2020", "simclr-2020"]


# --- stats -------------------------------------------------------------------------------------


def test_stats_json_on_the_seed_layout(tmp_path: Path) -> None:
    seed = seed_layout(tmp_path / "seed")
    out = run_cli("stats", "--json", "--date", "2020-10-25", library=seed.root)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [(w["week"], w["read"], w["target"]) for w in data["weeks"]] == [
        (n, c, 6) for n, c in enumerate(SEED_COUNTS)
    ]
    assert data["weeks"][12]["week_start"] == "2020-10-13"
    assert data["streak"] == 0 and data["longest_streak"] == 3
    assert data["weeks_meeting"] == len(SEED_MET)
    assert data["totals"]["readings"] == sum(SEED_COUNTS)


def test_stats_text_and_charts(tmp_path: Path) -> None:
    seed = seed_layout(tmp_path / "seed")
    out = run_cli(
        "stats", "--date", "2020-10-25", "--charts", "charts", library=seed.root, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    assert "Papers per week (target 6)" in out.stdout
    assert "Wk13" in out.stdout
    assert (tmp_path / "charts" / "papers-per-week.svg").is_file()
    assert "longest 3" in out.stdout


def test_stats_json_after_importing_the_real_seed(seed_path: Path, tmp_path: Path) -> None:
    root = tmp_path / "lib"
    assert run_cli("init", "--no-git", library=root).returncode == 0
    imported = run_cli("import", "readme", str(seed_path), library=root)
    if imported.returncode != 0 and "No such command" in imported.stderr:
        pytest.skip("'paperlog import readme' has not landed yet")
    assert imported.returncode == 0, imported.stderr
    out = run_cli("stats", "--json", "--date", "2020-10-25", library=root)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [w["read"] for w in data["weeks"]] == SEED_COUNTS
    assert [w["week"] for w in data["weeks"] if w["read"] >= w["target"]] == SEED_MET
    assert (data["totals"]["readings"], data["totals"]["papers_read"]) == (65, 64)
    assert data["streak"] == 0


@pytest.mark.parametrize("command", ["stats", "review"])
def test_a_broken_plan_is_one_line_naming_the_config(library: Library, command: str) -> None:
    text = library.config_path.read_text(encoding="utf-8")
    library.config_path.write_text(
        text.replace('review_day = "sun"', 'review_day = "someday"'), encoding="utf-8"
    )
    out = run_cli(command, "--date", SUNDAY, library=library.root, input="")
    assert out.returncode == 4
    assert out.stderr.startswith("paperlog: error: ") and "paperlog.toml" in out.stderr
    assert "review_day" in out.stderr and len(out.stderr.splitlines()) == 1


def test_stats_needs_a_library(tmp_path: Path) -> None:
    out = run_cli("stats", cwd=tmp_path)
    assert out.returncode == 5 and "no library here" in out.stderr


def test_the_command_module_and_the_plan_modules_import_nothing_heavy() -> None:
    code = (
        "import sys, paperlog.cli.review_cmds, paperlog.plan.review, paperlog.plan.stats,"
        " paperlog.plan.charts\n"
        "print(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'fsrs', 'matplotlib', 'numpy', 'yaml', 'rich'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
