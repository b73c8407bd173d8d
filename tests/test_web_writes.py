"""The web and the CLI writing at once lose nothing; Add resolves through a local replay server."""

from __future__ import annotations

import re
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from conftest import run_cli
from paperlog.library import Library
from paperlog.model import Paper
from paperlog.plan.schedule import skipped_days
from paperlog.web.common import Settings
from replay import ReplayServer
from test_add import SIMCLR_ARXIV, simclr_routes, source_env
from web_helpers import WED, at, client_for, csrf_of, make_library
from web_server import running_server

WRITES = 200
FIRST = date(2025, 1, 1)


def test_interleaved_cli_and_http_writes_are_all_kept(tmp_path: Path) -> None:
    """100 CLI processes and 100 HTTP posts each add a skipped day to the same paper file.

    Every write is a read-modify-write of one file; without the shared lock some would be lost.
    """
    lib = Library.create(tmp_path / "lib")
    lib.save_papers([Paper("hot-2024", "A much-edited paper", rank=1)])
    days = [FIRST + timedelta(days=i) for i in range(WRITES)]
    settings = Settings(root=lib.root, now=lambda: at(WED))
    errors: list[str] = []
    with running_server(settings) as url, httpx.Client(base_url=url) as http:
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', http.get("/queue").text)
        assert token is not None

        def web(mine: list[date]) -> None:
            with httpx.Client(base_url=url) as own:
                for day in mine:
                    r = own.post(
                        "/skip",
                        data={"csrf": token.group(1), "key": "hot-2024", "date": day.isoformat()},
                    )
                    if r.status_code != 303:
                        errors.append(f"web {day}: {r.status_code} {r.text[:200]}")

        def cli(mine: list[date]) -> None:
            for day in mine:
                r = run_cli("skip", "hot-2024", "--date", day.isoformat(), library=lib.root)
                if r.returncode != 0:
                    errors.append(f"cli {day}: {r.stderr}")

        # even days over HTTP, odd days by the CLI, each side in two threads, all at once
        workers = [
            threading.Thread(target=web, args=(days[0::4],)),
            threading.Thread(target=web, args=(days[2::4],)),
            threading.Thread(target=cli, args=(days[1::4],)),
            threading.Thread(target=cli, args=(days[3::4],)),
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert errors == []
    assert skipped_days(lib.load_paper("hot-2024")) == set(days)


def test_add_shows_metadata_and_duplicates_before_writing(
    tmp_path: Path, server: ReplayServer
) -> None:
    simclr_routes(server)
    lib = Library.create(tmp_path / "lib")
    client = client_for(lib, environ=source_env(server))
    page = client.get(f"/add?q={SIMCLR_ARXIV}")
    assert page.status_code == 200
    assert "A Simple Framework for Contrastive Learning" in page.text
    assert 'id="add-queue"' in page.text
    assert lib.keys() == []  # looking up writes nothing
    token = csrf_of(client, f"/add?q={SIMCLR_ARXIV}")
    added = client.post("/add", data={"csrf": token, "q": SIMCLR_ARXIV, "action": "read"})
    assert added.status_code == 200
    keys = lib.keys()
    assert len(keys) == 1
    paper = lib.load_paper(keys[0])
    assert paper.status == "read" and paper.readings[0].date == WED
    assert paper.ids["arxiv"] == SIMCLR_ARXIV
    # the same paper again: the duplicate check answers before any add button is shown
    again = client.get(f"/add?q={SIMCLR_ARXIV}")
    assert 'id="duplicate"' in again.text and keys[0] in again.text
    assert 'id="add-queue"' not in again.text
    refused = client.post("/add", data={"csrf": token, "q": SIMCLR_ARXIV, "action": "queue"})
    assert refused.status_code == 400 and "already in the library" in refused.text
    assert lib.keys() == keys


def test_add_errors_are_shown(tmp_path: Path) -> None:
    lib = make_library(tmp_path / "lib")
    client = client_for(lib)
    page = client.get("/add?q=2013.99999")
    assert "looks like an arXiv id" in page.text and 'role="alert"' in page.text


def test_the_watcher_syncs_only_after_a_change(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from paperlog.web.app import create_app
    from paperlog.web.freshness import Freshness
    from web_helpers import BASE_URL

    lib = make_library(tmp_path / "lib")
    freshness = Freshness()
    if not freshness.watch(lib.root):
        pytest.skip(f"no file watcher on this machine: {freshness.why_not}")
    try:
        client = TestClient(
            create_app(Settings(root=lib.root, now=lambda: at(WED)), freshness),
            base_url=BASE_URL,
        )
        assert "MoCo" in client.get("/queue").text
        with freshness.index(lib) as index:
            assert index.last_sync.unchanged == 0  # nothing changed: no scan at all
        # an edit from outside reaches the next request once the watcher has seen it
        path = lib.paper_path("resnet-2016")
        path.write_text(path.read_text("utf-8").replace("Deep Residual", "Edited outside"), "utf-8")
        deadline = time.monotonic() + 10
        while "Edited outside" not in client.get("/papers").text:
            assert time.monotonic() < deadline, "the watcher never saw the change"
            time.sleep(0.02)
        # a write through the web shows at once, without waiting for the watcher
        token = csrf_of(client, "/queue")
        client.post("/queue/top", data={"csrf": token, "key": "byol-2020"})
        assert re.findall(r'<tr id="q-([^"]+)"', client.get("/queue").text)[0] == "byol-2020"
    finally:
        freshness.stop()


def test_serve_prints_the_url_opens_the_browser_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    lib = make_library(tmp_path / "lib")
    opened = tmp_path / "opened.txt"
    fake_browser = tmp_path / "browser.py"
    fake_browser.write_text(
        f"import sys, pathlib; pathlib.Path({str(opened)!r}).write_text(sys.argv[1])\n", "utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLOG_")}
    env["BROWSER"] = f"{sys.executable} {fake_browser} %s"
    port = free_port()
    argv = [sys.executable, "-m", "paperlog", "--library", str(lib.root), "serve"]
    proc = subprocess.Popen(
        [*argv, "--port", str(port), "--open"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = f"http://127.0.0.1:{port}/"
        assert url in line, line
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(url, timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None, proc.stderr
                time.sleep(0.1)
        assert response.status_code == 200 and "Today" in response.text
        while not opened.exists():
            assert time.monotonic() < deadline, "--open did not start the browser"
            time.sleep(0.1)
        assert opened.read_text("utf-8") == url
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "stopped" in out


def free_port() -> int:
    """A free loopback port (closed again before the server binds it)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
