"""``make demo`` (issue 7 item 25): it runs offline, prints commands a user can paste (run inside
the demo library, values quoted), and shows add, queue, review and export too."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from conftest import REPO

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_the_demo_prints_what_a_user_can_paste(seed_path: Path, tmp_path: Path) -> None:
    demo = tmp_path / "demo-library"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLOG_")}
    env.update(
        GIT_CONFIG_GLOBAL="/dev/null",
        GIT_AUTHOR_NAME="Demo",
        GIT_AUTHOR_EMAIL="demo@example.invalid",
        GIT_COMMITTER_NAME="Demo",
        GIT_COMMITTER_EMAIL="demo@example.invalid",
    )
    result = subprocess.run(
        ["bash", str(REPO / "scripts" / "demo.sh"), str(seed_path), str(demo)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    shown = [ANSI.sub("", line)[2:] for line in result.stdout.splitlines() if "$ " in line[:12]]
    commands = [line for line in shown if line.startswith("paperlog ")]
    names = {shlex.split(line)[1] for line in commands}
    assert {"import", "list", "search", "add", "queue", "review", "export", "stats"} <= names
    assert "cd " + str(demo) in shown  # the commands run inside the library, as printed
    assert "paperlog init " + str(demo) + " --title 'Demo reading log'" in shown
    assert "paperlog search segmentation -survey" in shown
    assert any(line.startswith("added ") for line in result.stdout.splitlines())
    # Pasted into a shell inside the demo library, a printed command does what the demo showed.
    path = f"{Path(sys.executable).parent}:{env['PATH']}"
    for line in ("paperlog weeks", "paperlog search contrastive"):
        assert line in shown
        again = subprocess.run(
            ["bash", "-c", line],
            capture_output=True,
            text=True,
            env={**env, "PATH": path},
            cwd=demo,
            check=False,
        )
        assert again.returncode == 0, again.stderr
        # the same items (a search's order may move: export gave cite keys, which are indexed)
        lines = again.stdout.splitlines()
        assert lines and set(lines) <= set(result.stdout.splitlines())
    # the demo commits as a user's library does
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=demo, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert log[-1] == "paperlog init" and any(m.startswith("import readme: ") for m in log)


def test_the_demo_needs_only_the_runtime_dependencies() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    demo_rule = re.search(r"^demo: (.*)$", makefile, re.MULTILINE)
    assert demo_rule is not None
    assert demo_rule.group(1).split() == ["$(RUNTIME)"]
    runtime = re.search(r"^\$\(RUNTIME\):.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert runtime is not None
    assert "[dev]" not in runtime.group(1) and "install -e ." in runtime.group(1)
