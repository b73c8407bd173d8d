"""``enrich`` without network (issue 7 item 17): an unreachable source stops the whole run after
the first paper; a 404 is one short line ("not found in S2"), never a URL; a summary at the end.
Real CLI, real sockets: a closed port on 127.0.0.1, a host that cannot resolve, a replay server
that knows nothing."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from conftest import run_cli, run_cli_tty
from paperlog.library import Library
from paperlog.model import Config, Paper
from paperlog.resolve.reasons import short_reason, unreachable
from paperlog.resolve.sources import ENV_VARS, OPENREVIEW_V1_ENV
from replay import ReplayServer


def _papers_library(root: Path, count: int = 6) -> Library:
    lib = Library.create(root, Config(sources={"retries": 0, "timeout": 5}))
    lib.save_papers(
        [
            Paper(
                key=f"paper-{i}",
                title=f"A Study Of Things Number {i}",
                ids={"arxiv": f"2001.0000{i}"},
            )
            for i in range(count)
        ]
    )
    return lib


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: nothing listens


def _env(base: str) -> dict[str, str]:
    env = {var: f"{base}/{name}" for name, var in ENV_VARS.items()}
    env[OPENREVIEW_V1_ENV] = f"{base}/openreview-v1"
    return env


@pytest.mark.parametrize(
    "base",
    [f"http://127.0.0.1:{_closed_port()}", "http://paperlog-test.invalid"],
    ids=["connection refused", "host does not resolve"],
)
def test_unreachable_sources_stop_the_run_after_one_paper(tmp_path: Path, base: str) -> None:
    lib = _papers_library(tmp_path / "lib")
    before = {p.name: p.read_bytes() for p in lib.papers_dir.iterdir()}
    result = run_cli("enrich", "--json", library=lib.root, env=_env(base))
    assert result.returncode == 6, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["failed"] == 1
    assert report["not_tried"] == [f"paper-{i}" for i in range(1, 6)]
    assert report["stopped"] and "http" not in report["stopped"]
    (error,) = result.stderr.splitlines()
    assert "cannot be reached" in error and "5 papers not tried" in error
    assert {p.name: p.read_bytes() for p in lib.papers_dir.iterdir()} == before


def test_a_404_is_one_short_line_without_urls(tmp_path: Path, server: ReplayServer) -> None:
    lib = _papers_library(tmp_path / "lib", count=3)
    env = {f"PAPERLOG_{n.upper()}_URL": server.url(f"/{n}") for n in ENV_VARS}
    result = run_cli("enrich", library=lib.root, env=env)
    assert result.returncode == 1, result.stderr  # nothing could be looked up
    lines = result.stderr.splitlines()
    assert "3 papers (paper-0, paper-1, paper-2): not found in" in lines[0]
    assert "S2" in lines[0] and "arXiv" in lines[0]
    assert all("http" not in line and len(line) < 160 for line in lines), lines
    assert len(lines) == 2  # the grouped reason and the final error
    assert "enriched 0, unchanged 0, conflicts 0, failed 3" in result.stdout
    # the whole story stays available to scripts
    data = json.loads(run_cli("enrich", "--json", library=lib.root, env=env).stdout)
    assert all(f["reason"].startswith("not found in") for f in data["failed"])
    assert all("HTTP 404" in f["detail"] for f in data["failed"])


def test_a_summary_table_ends_the_run_on_a_terminal(tmp_path: Path, server: ReplayServer) -> None:
    lib = _papers_library(tmp_path / "lib", count=2)
    env = {f"PAPERLOG_{n.upper()}_URL": server.url(f"/{n}") for n in ENV_VARS}
    status, screen = run_cli_tty("enrich", library=lib.root, env=env, columns=120)
    assert status == 1, screen
    rows = [line for line in screen.splitlines() if line.startswith("│")]
    assert any("failed" in row and "paper-0, paper-1" in row for row in rows), screen


def test_short_reasons() -> None:
    long = (
        "could not look up arxiv 1911.01218: arxiv: http://x.invalid/a?id_list=1911.01218: "
        "cannot resolve the host, no network? ([Errno -2] Name or service not known); "
        "s2: http://x.invalid/s/paper/arXiv:1911.01218?fields=a%2Cb: cannot connect: "
        "connection refused ([Errno 111]); gave up after 1 attempt"
    )
    assert short_reason(long) == (
        "arXiv: cannot resolve the host (no network?); S2: cannot connect"
    )
    assert unreachable(long)
    not_found = (
        "no source knows a paper titled 'X': s2: https://api/x?q=1: not found (HTTP 404); "
        "crossref: https://api/works/10.1/x: not found (HTTP 404); dblp: https://d/x: HTTP 500 "
        "Internal Server Error; gave up after 4 attempts"
    )
    assert (
        short_reason(not_found) == "not found in S2, Crossref; DBLP: HTTP 500 Internal Server Error"
    )
    assert not unreachable(not_found)
    assert short_reason("title search is not conclusive (see https://x.y/z)") == (
        "title search is not conclusive (see <url>)"
    )
