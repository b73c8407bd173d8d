"""Shared fixtures: where the real data lives, a fresh library, the CLI as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from paperlog.library import Library
from paperlog.model import Config
from paperlog.resolve.http import HttpClient
from paperlog.resolve.record import Source
from paperlog.resolve.sources import ENV_VARS, make_sources
from replay import ReplayServer

# Property tests judge correctness, never speed: a loaded CI machine must not fail them for
# being slow (timing belongs in `make bench`).
settings.register_profile("paperlog", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("paperlog")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PAPERLOG_SHARED", REPO.parent / "shared"))
SEED = SHARED / "seed" / "000_838255085520cd98.txt"
CORPUS = SHARED / "corpus"


def docs_text() -> str:
    """The README and every page under docs/, as one text: where a user looks things up."""
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


requires_shared = pytest.mark.skipif(
    not SEED.is_file(),
    reason=f"real data folder {SHARED} is absent (the seed README and corpus live in ../shared)",
)


@pytest.fixture
def seed_path() -> Path:
    """The real hand-kept README the project started from; skips when ../shared is absent."""
    if not SEED.is_file():
        pytest.skip(f"real data folder {SHARED} is absent: no seed README to test against")
    return SEED


@pytest.fixture
def corpus() -> Path:
    """``../shared/corpus``; skips when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"real data folder {CORPUS} is absent")
    return CORPUS


@pytest.fixture
def library(tmp_path: Path) -> Library:
    """A new, empty library in a temp folder."""
    return Library.create(tmp_path / "lib")


# A library made by `init` commits each change: give git a name on machines that have none.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "paperlog tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "paperlog tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
}


def run_cli(
    *args: str,
    library: Path | None = None,
    input: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m paperlog ARGS`` as a real process and capture its output."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLOG_")}
    full_env.update(GIT_IDENTITY)
    full_env.update(env or {})
    argv: Sequence[str] = [sys.executable, "-m", "paperlog"]
    if library is not None:
        argv = [*argv, "--library", str(library)]
    return subprocess.run(
        [*argv, *args],
        input=input,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def run_cli_tty(
    *args: str,
    library: Path | None = None,
    columns: int = 100,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> tuple[int, str]:
    """Run ``python -m paperlog ARGS`` on a real pseudo-terminal COLUMNS wide.

    Returns the exit status and what the terminal showed (stdout and stderr, ANSI codes removed,
    line ends normalised).
    """
    import fcntl
    import pty
    import re
    import select
    import struct
    import termios

    main_fd, sub_fd = pty.openpty()
    fcntl.ioctl(sub_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    full_env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    full_env = {k: v for k, v in full_env.items() if not k.startswith("PAPERLOG_")}
    full_env.update({"TERM": "xterm-256color", **(env or {})})
    argv = [sys.executable, "-m", "paperlog"]
    if library is not None:
        argv += ["--library", str(library)]
    proc = subprocess.Popen(
        [*argv, *args], stdin=sub_fd, stdout=sub_fd, stderr=sub_fd, env=full_env, cwd=cwd
    )
    os.close(sub_fd)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([main_fd], [], [], 60)
        if not ready:
            proc.kill()
            break
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:  # EIO: the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main_fd)
    status = proc.wait(timeout=60)
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return status, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07", "", text)


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    """A real HTTP server on 127.0.0.1 replaying recorded API responses (tests/replay.py)."""
    with ReplayServer() as running:
        yield running


@pytest.fixture
def client(tmp_path: Path) -> Iterator[HttpClient]:
    """paperlog's HTTP client with a fresh cache, short timeouts and no real sleeping."""
    with HttpClient(
        cache_dir=tmp_path / "http-cache",
        user_agent="paperlog/test",
        timeout=2.0,
        sleep=lambda _s: None,
    ) as running:
        yield running


@pytest.fixture
def sources(server: ReplayServer, client: HttpClient) -> dict[str, Source]:
    """Every source from ``make_sources``, pointed at the replay server by environment."""
    environ = {var: server.url(f"/{name}") for name, var in ENV_VARS.items()}
    return {s.name: s for s in make_sources(Config(), environ, client)}


def closed_sources_env() -> dict[str, str]:
    """Every network metadata source pointed at a closed local port: nothing answers."""
    return dict.fromkeys(ENV_VARS.values(), "http://127.0.0.1:9/closed")


_OPEN_HOOK = """
import json, os, sys
papers = os.path.abspath(sys.argv[1]) + os.sep
log, seen = sys.argv[2], []
def hook(event, args):
    # every open() of a file under papers/ (a command that reads the index reads none)
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        if os.path.abspath(os.fsdecode(args[0])).startswith(papers):
            seen.append(os.fsdecode(args[0]))
    elif event == "sqlite3.connect":
        seen.append("<sqlite3.connect>")
sys.addaudithook(hook)
sys.argv = ["paperlog", *sys.argv[3:]]
from paperlog.cli.fastpath import main
try:
    main()
finally:
    with open(log, "w") as f:
        json.dump(seen, f)
"""


def run_cli_counting_opens(
    *args: str, library: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run the CLI in a real process whose audit hook (``sys.addaudithook``) records every
    file opened under ``library/papers``; also ``<sqlite3.connect>`` for each index opened, so
    a test can tell the hook ran. Returns the process and what it recorded."""
    import json
    import tempfile

    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLOG_")}
    full_env.update(GIT_IDENTITY)
    full_env.update(env or {})
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "opens.json"
        hook = [sys.executable, "-c", _OPEN_HOOK, str(library / "papers"), str(log)]
        proc = subprocess.run(
            [*hook, "--library", str(library), *args],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=120,
            check=False,
        )
        seen: list[str] = json.loads(log.read_text(encoding="utf-8")) if log.exists() else []
    return proc, seen
