"""The CLI at its edges, as a stranger meets them: a pipe closed early, no network.

A reader that closes the pipe early (``paperlog weeks --json | head -1``) is no error: the
command's stdout is a real pipe whose read end is closed before the command starts, so its
first write fails with EPIPE whatever the timing: the exit status is 0 and stderr stays empty
(click alone would exit 1; Python would print "Exception ignored" as it flushes at exit).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GIT_IDENTITY, SEED, run_cli


def _closed_pipe_run(*args: str, library: Path) -> subprocess.CompletedProcess[bytes]:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLOG_")}
        env.update(GIT_IDENTITY)
        return subprocess.run(
            [sys.executable, "-m", "paperlog", "--library", str(library), *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SEED.is_file():
        pytest.skip(f"real data folder {SEED.parent} is absent: no seed README to import")
    seed = SEED
    lib = tmp_path_factory.mktemp("pipe") / "lib"
    assert run_cli("init", "--no-git", str(lib)).returncode == 0
    assert run_cli("import", "readme", str(seed), library=lib).returncode == 0
    return lib


@pytest.mark.parametrize(
    "args",
    [
        ("weeks", "--json"),
        ("list", "--json"),
        ("list",),
        ("search", "semi"),  # the search fast path
        ("search", "semi", "--json"),
        ("show", "simclr-2020"),
        ("stats",),
        ("topics",),
        ("export", "bibtex"),
    ],
)
def test_closed_pipe_exits_zero_quietly(seeded: Path, args: tuple[str, ...]) -> None:
    done = _closed_pipe_run(*args, library=seeded)
    assert done.stderr.decode() == ""
    assert done.returncode == 0


def test_other_write_errors_still_fail(seeded: Path, tmp_path: Path) -> None:
    """Only a closed pipe is forgiven: stdout on a full device is still an error."""
    full = Path("/dev/full")
    if not full.exists():
        pytest.skip("no /dev/full on this system")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLOG_")}
    with full.open("wb") as out:
        done = subprocess.run(
            [sys.executable, "-m", "paperlog", "--library", str(seeded), "weeks", "--json"],
            stdout=out,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
            check=False,
        )
    assert done.returncode != 0


def test_a_lookup_with_no_network_is_one_short_line(tmp_path: Path) -> None:
    """Every source unreachable: the error names each source and the cause in a few words,
    not five request URLs; --verbose gives the requests in full."""
    lib = tmp_path / "lib"
    assert run_cli("init", "--no-git", str(lib)).returncode == 0
    # a host that never resolves (RFC 6761 .invalid) behind every source
    env = {
        f"PAPERLOG_{name.upper()}_URL": f"http://{name}.invalid"
        for name in ("arxiv", "s2", "crossref", "dblp", "openreview")
    }
    short = run_cli("add", "Attention is all you need", library=lib, env=env)
    assert short.returncode != 0
    line = short.stderr.strip()
    assert "\n" not in line and "http" not in line, line
    assert "cannot resolve the host (no network?)" in line
    assert line.endswith("(--verbose shows each request)")
    full = run_cli("--verbose", "add", "Attention is all you need", library=lib, env=env)
    assert ".invalid" in full.stderr
