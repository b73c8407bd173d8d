"""The web and the CLI writing at once lose nothing; Add resolves through a local replay server."""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta
from pathlib import Path

import httpx

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
