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
from typing import Any

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


def _full_pipe() -> tuple[int, int]:
    """A pipe whose buffer is full: a process writing to it waits until it is read."""
    import fcntl
    import os

    read_end, write_end = os.pipe()
    flags = fcntl.fcntl(write_end, fcntl.F_GETFL)
    fcntl.fcntl(write_end, fcntl.F_SETFL, flags | os.O_NONBLOCK)
    try:
        while True:
            os.write(write_end, b"." * 4096)
    except BlockingIOError:
        pass
    fcntl.fcntl(write_end, fcntl.F_SETFL, flags)
    return read_end, write_end


def test_a_web_write_to_the_file_a_command_just_wrote_waits_for_its_commit(
    lib: Library,
) -> None:
    """The CLI keeps the library lock from its write to its commit, as the web does: a web
    write to the same file in between waits for the commit instead of finding the file
    uncommitted (and refusing it as the user's own change).

    The command's output goes to a full pipe, so it stops between its write and its commit
    (printing what it did) until the test reads the pipe: the gap, held open."""
    import os
    import sys

    simclr = _key(lib, "simple-framework")
    path = lib.papers_dir / f"{simclr}.md"
    client = client_for(lib, DAY)
    csrf = csrf_of(client, "/queue")
    before = len(messages(lib.root))
    read_end, write_end = _full_pipe()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLOG_")}
    command = [sys.executable, "-m", "paperlog", "--library", str(lib.root)]
    cli = subprocess.Popen(
        [*command, "queue", "pin", simclr, "2031-01-06"],
        stdout=write_end,
        stderr=subprocess.PIPE,
        env={**env, **GIT_ENV},
    )
    os.close(write_end)
    web: list[Any] = []  # the test client's responses
    poster = threading.Thread(
        target=lambda: web.append(
            client.post("/queue/pin", data={"csrf": csrf, "key": simclr, "day": "2031-01-07"})
        )
    )
    try:
        for _ in range(1200):  # the command has written its file (and waits to print)
            if "2031-01-06" in path.read_text("utf-8") or cli.poll() is not None:
                break
            threading.Event().wait(0.05)
        assert "2031-01-06" in path.read_text("utf-8"), "the command did not write"
        assert git(lib.root, "status", "--porcelain").strip() != ""  # written, not committed
        poster.start()
        poster.join(1.0)
        assert poster.is_alive(), "the web write did not wait for the command's commit"
    finally:
        with os.fdopen(read_end, "rb") as pipe:  # let the command print, commit, end
            pipe.read()
        cli.wait(60)
        if poster.ident is not None:
            poster.join(60)
    assert cli.returncode == 0, cli.stderr.read() if cli.stderr else ""
    assert web[0].status_code == 200 and "not committed" not in web[0].text, web[0].text
    assert messages(lib.root)[:2] == [
        f"paperlog queue pin {simclr} 2031-01-07",
        f"paperlog queue pin {simclr} 2031-01-06",
    ]
    assert len(messages(lib.root)) == before + 2
    assert git(lib.root, "status", "--porcelain") == ""
    assert "2031-01-07" in path.read_text("utf-8")


def test_the_lock_is_kept_from_a_write_to_its_commit_and_no_longer(lib: Library) -> None:
    """``Library.keep_lock`` keeps the write lock past its block (another process cannot take
    it) until ``release_lock``; a command waiting for its user lets it go (``done --edit``)."""
    import fcntl
    import os

    from paperlog.gitsync import track

    def free() -> bool:
        fd = os.open(lib.state_dir / "lock", os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(fd)
        return True

    git_run = track(lib)
    paper = lib.load_paper(_key(lib, "momentum"))
    paper.pinned = date(2031, 1, 8)
    lib.save_paper(paper)
    assert git_run.kept == [lib] and not free()  # written, not committed: still held
    with lib.lock():  # a later write of the same command re-enters it
        pass
    assert not free()
    assert git_run.commit("pin") is not None
    assert git_run.kept == [] and free()

    # done --edit: the editor runs while nobody holds the lock; the commit comes after it
    probe = lib.root.parent / "probe.py"
    probe.write_text(
        "import fcntl, os, sys\n"
        f"fd = os.open({str(lib.state_dir / 'lock')!r}, os.O_RDWR)\n"
        "try:\n"
        "    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "    said = 'free'\n"
        "except BlockingIOError:\n"
        "    said = 'held'\n"
        f"open({str(lib.root.parent / 'editor-saw')!r}, 'w').write(said)\n",
        encoding="utf-8",
    )
    import sys

    key = _key(lib, "simple-framework")
    result = run_cli(
        "done",
        key,
        "--edit",
        library=lib.root,
        env={**GIT_ENV, "EDITOR": f"{sys.executable} {probe}"},
    )
    assert result.returncode == 0, result.stderr
    assert (lib.root.parent / "editor-saw").read_text() == "free"
    assert messages(lib.root)[0].startswith(f"done {key}")
    assert git(lib.root, "status", "--porcelain") == ""
