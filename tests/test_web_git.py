"""Web writes take the CLI's write path to git: in a library made by ``paperlog init`` (a real
git repository, ``[git] autocommit = true``) every web action ends in one commit holding exactly
the files it wrote, with the CLI's message; a file with uncommitted changes is refused before
anything is written; CLI and web committing at once lose no commit."""

from __future__ import annotations

import re
import subprocess
import threading
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from conftest import run_cli
from paperlog.library import Library
from paperlog.web.common import Settings
from test_gitsync import BIBTEX, GIT_ENV, committed_files, git, make_library, messages
from web_helpers import at, client_for, csrf_of
from web_server import running_server

pytestmark = pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True, check=False).returncode != 0,
    reason="git is not installed",
)
DAY = date(2020, 6, 24)


@pytest.fixture
def lib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    """A library made by the CLI's init (committed), two wish-list papers imported by the CLI;
    the server's own git runs get the same identity as the CLI's."""
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    root = make_library(tmp_path)
    (tmp_path / "refs.bib").write_text(BIBTEX, encoding="utf-8")
    imported = run_cli("import", "bibtex", str(tmp_path / "refs.bib"), library=root, env=GIT_ENV)
    assert imported.returncode == 0, imported.stderr
    assert git(root, "status", "--porcelain") == ""
    return Library.open(root)


def _key(lib: Library, word: str) -> str:
    return next(p.stem for p in lib.papers_dir.glob("*.md") if word in p.stem)


def test_each_web_write_is_one_commit_with_the_clis_message(lib: Library) -> None:
    client = client_for(lib, DAY)
    csrf = csrf_of(client, "/queue")
    moco, simclr = _key(lib, "momentum"), _key(lib, "simple-framework")
    before = len(messages(lib.root))

    top = client.post("/queue/top", data={"csrf": csrf, "key": simclr}, follow_redirects=False)
    assert top.status_code == 303, top.text
    assert messages(lib.root)[0] == f"paperlog queue top {simclr}"
    files = committed_files(lib.root)
    assert f"papers/{simclr}.md" in files and all(f.startswith("papers/") for f in files)

    done = client.post(
        "/done", data={"csrf": csrf, "key": moco, "date": DAY.isoformat()}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    # the very words `paperlog done` commits with
    assert re.fullmatch(rf"done {moco} \(Wk\d+\)", messages(lib.root)[0])
    assert f"papers/{moco}.md" in committed_files(lib.root)
    assert all(p.startswith("papers/") or p == "weeks.yaml" for p in committed_files(lib.root))

    page = client.get(f"/papers/{moco}").text
    content_hash = re.search(r'name="hash" value="([0-9a-f]+)"', page)
    assert content_hash is not None
    saved = client.post(
        f"/papers/{moco}",
        data={"csrf": csrf, "hash": content_hash.group(1), "notes": "## Key ideas\n\n- queues\n"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    assert messages(lib.root)[0] == f"edit {moco}"
    assert committed_files(lib.root) == [f"papers/{moco}.md"]
    assert "- queues" in git(lib.root, "show", f"HEAD:papers/{moco}.md")

    assert len(messages(lib.root)) == before + 3
    assert git(lib.root, "status", "--porcelain") == ""  # nothing written and left uncommitted


def test_a_file_with_uncommitted_changes_is_refused_by_the_web_too(lib: Library) -> None:
    client = client_for(lib, DAY)
    csrf = csrf_of(client, "/queue")
    path = lib.papers_dir / f"{_key(lib, 'momentum')}.md"
    edited = path.read_text(encoding="utf-8") + "\nMy half-written thought.\n"
    path.write_text(edited, encoding="utf-8")
    before = messages(lib.root)
    done = client.post("/done", data={"csrf": csrf, "key": path.stem, "date": DAY.isoformat()})
    assert done.status_code == 400
    assert "not committed" in done.text and "nothing was written" in done.text
    assert path.read_text(encoding="utf-8") == edited  # the user's edit, untouched
    assert messages(lib.root) == before


def test_without_autocommit_the_web_commits_nothing(lib: Library) -> None:
    config = lib.config_path
    config.write_text(
        config.read_text(encoding="utf-8").replace("autocommit = true", "autocommit = false"),
        encoding="utf-8",
    )
    git(lib.root, "commit", "-qam", "autocommit off")
    client = client_for(lib, DAY)
    simclr = _key(lib, "simple-framework")
    top = client.post("/queue/top", data={"csrf": csrf_of(client, "/queue"), "key": simclr})
    assert top.status_code == 200
    assert messages(lib.root)[0] == "autocommit off"
    status = git(lib.root, "status", "--porcelain").splitlines()
    assert f" M papers/{simclr}.md" in status  # written, left for the user to commit


def test_cli_and_web_committing_at_once_lose_no_commit(lib: Library) -> None:
    """Web posts (threads of one server) and CLI processes at once: every write is committed,
    none trips over another's git index lock (commits are taken under the library lock)."""
    moco, simclr = _key(lib, "momentum"), _key(lib, "simple-framework")
    before = len(messages(lib.root))
    errors: list[str] = []
    settings = Settings(root=lib.root, now=lambda: at(DAY))
    with running_server(settings) as url, httpx.Client(base_url=url) as http:
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', http.get("/queue").text)
        assert token is not None

        # distinct reading days (Monday to Friday), so every pin changes its file
        days = [d for d in (date(2031, 1, 6) + timedelta(n) for n in range(30)) if d.weekday() < 5]

        def web(mine: list[date]) -> None:
            with httpx.Client(base_url=url) as own:
                for d in mine:
                    day = d.isoformat()
                    r = own.post(
                        "/queue/pin", data={"csrf": token.group(1), "key": moco, "day": day}
                    )
                    if r.status_code != 303:
                        said = re.findall(r"<p[^>]*>(.*?)</p>", r.text, re.S)
                        errors.append(f"web: {r.status_code} {said}")

        def cli() -> None:
            for d in days[12:18]:
                r = run_cli("queue", "pin", simclr, d.isoformat(), library=lib.root, env=GIT_ENV)
                if r.returncode != 0 or "not committed" in r.stderr:
                    errors.append(f"cli: {r.stderr}")

        workers = [
            threading.Thread(target=web, args=(days[0:6],)),
            threading.Thread(target=web, args=(days[6:12],)),
        ]
        workers.append(threading.Thread(target=cli))
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert errors == []
    assert git(lib.root, "status", "--porcelain") == ""
    # every pin changed its file: 18 writes, 18 commits
    assert len(messages(lib.root)) == before + 18
