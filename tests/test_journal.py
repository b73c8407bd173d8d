"""Atomic batches and the lock: a journal that survives kills, recovery, O_NOFOLLOW, fresh config.

Kills are real: a child process commits a transaction and SIGKILLs itself at a chosen step
(after the first rename, halfway through writing the journal, while staging); the parent then
opens the library as the next command would and checks the files.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import run_cli
from paperlog.errors import PaperlogError
from paperlog.journal import JOURNAL_NAME, TMP_DIR_NAME, TransactionError
from paperlog.library import Library, atomic_write
from paperlog.model import Paper, Topic

KEYS = ("alpha", "beta", "gamma", "delta")


def _library(tmp_path: Path) -> Library:
    lib = Library.create(tmp_path / "lib")
    lib.save_papers(Paper(key=k, title=f"Paper {k}", notes="old\n") for k in KEYS)
    return lib


def _tree(root: Path) -> dict[str, bytes]:
    """Every file of the library except the derived ``.paperlog/``."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".paperlog" not in p.relative_to(root).parts
    }


def _temps(root: Path) -> list[Path]:
    return list(root.rglob("*.tmp"))


def _die_during_commit(lib: Library, patch: str) -> None:
    """In a child process: rewrite every paper's notes and weeks.yaml in one transaction,
    with ``patch`` (code run after importing the journal module as ``j``) arranging a SIGKILL."""
    code = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        import paperlog.journal as j
        from paperlog.library import Library
        from paperlog.model import WeekInfo
        lib = Library.open(Path({str(lib.root)!r}))
        def die():
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    code += textwrap.dedent(patch)
    code += textwrap.dedent(
        """
        papers = lib.load_papers()
        for p in papers:
            p.notes = "new\\n"
        lib.write_all(papers=papers, weeks=[WeekInfo(week=1, note="new week")])
        print("survived")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == -9, done.stderr
    assert "survived" not in done.stdout


def _notes(lib: Library) -> set[str]:
    return {p.notes for p in lib.load_papers()}


def test_commit_writes_everything_and_lists_the_paths(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    seen: list[list[Path]] = []
    lib.after_commit.append(seen.append)
    with lib.transaction() as tx:
        tx.write(lib.paper_path("alpha"), "---\ntitle: Changed\n---\n")
        tx.delete(lib.paper_path("beta"))
        lib.save_weeks([])  # joins the open transaction
    assert tx.paths == [lib.paper_path("alpha"), lib.paper_path("beta"), lib.weeks_path]
    assert seen == [tx.paths]
    assert lib.load_paper("alpha").title == "Changed"
    assert not lib.exists("beta")
    assert not (lib.state_dir / JOURNAL_NAME).exists()
    assert _temps(lib.root) == []


def test_an_error_inside_a_transaction_writes_nothing(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    before = _tree(lib.root)
    with pytest.raises(RuntimeError), lib.transaction() as tx:
        tx.write(lib.paper_path("alpha"), "---\ntitle: Changed\n---\n")
        lib.delete_paper("beta")
        raise RuntimeError("stop")
    assert _tree(lib.root) == before
    assert _temps(lib.root) == []


def test_a_path_outside_the_library_is_refused(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    with pytest.raises(TransactionError), lib.transaction() as tx:
        tx.write(tmp_path / "elsewhere.txt", "x")
    for sneaky in (lib.root, lib.root / "papers" / ".." / "..", Path(f"{lib.root}-twin/a.md")):
        with pytest.raises(TransactionError), lib.transaction() as tx:
            tx.write(sneaky, "x")
    outside = tmp_path / "out.md"
    with lib.transaction():
        atomic_write(outside, "written at once\n")  # outside: its own atomic write
    assert outside.read_text(encoding="utf-8") == "written at once\n"


def test_a_big_batch_is_made_durable_by_one_syncfs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """100 staged files: one ``syncfs`` of their file system, no fsync per file; the journal
    and the folders are still fsynced one by one (on Linux; elsewhere each file is)."""
    from paperlog import journal

    if not journal.syncfs(tmp_path):
        pytest.skip("no syncfs(2) here: each file is fsynced (the other tests cover it)")
    lib = _library(tmp_path)
    calls: list[str] = []
    real_fsync, real_syncfs = os.fsync, journal.syncfs

    def fsync(fd: int) -> None:
        calls.append("dir" if Path(f"/proc/self/fd/{fd}").is_dir() else "file")
        real_fsync(fd)

    def syncfs(folder: Path) -> bool:
        calls.append("syncfs")
        return real_syncfs(folder)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(journal, "syncfs", syncfs)
    with lib.transaction() as tx:
        for i in range(100):
            tx.write(lib.paper_path(f"p{i:03d}"), f"---\ntitle: P {i}\n---\n")
    assert calls.count("syncfs") == 1
    assert calls.count("file") == 1  # the journal itself
    assert calls.index("syncfs") < calls.index("file")  # the files are durable before it
    assert [lib.load_paper(f"p{i:03d}").title for i in (0, 99)] == ["P 0", "P 99"]
    assert _temps(lib.root) == []


def test_kill_between_renames_is_rolled_forward(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    _die_during_commit(
        lib,
        """
        real = j._apply
        def apply(target, temp):
            real(target, temp)
            die()
        j._apply = apply
        """,
    )
    # The child renamed one file of five and died: the state on disk is mixed...
    assert (lib.state_dir / JOURNAL_NAME).exists()
    # ...and the next command finishes the commit before it reads anything.
    again = Library.open(lib.root)
    assert again.last_recovery is not None
    assert again.last_recovery.rolled_forward == 4
    assert _notes(again) == {"new\n"}
    assert [w.note for w in again.load_weeks()] == ["new week"]
    assert not (lib.state_dir / JOURNAL_NAME).exists()
    assert _temps(lib.root) == []


def test_torn_journal_is_rolled_back(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    before = _tree(lib.root)
    _die_during_commit(
        lib,
        """
        import os as _os
        real_write = _os.write
        def torn(fd, data):
            if len(data) > 20 and bytes(data[:16]) == b"paperlog-journal":
                real_write(fd, bytes(data[: len(data) // 2]))
                die()
            return real_write(fd, data)
        j.os.write = torn
        """,
    )
    assert (lib.state_dir / JOURNAL_NAME).exists()
    assert len(_temps(lib.root)) == 5
    again = Library.open(lib.root)
    assert again.last_recovery is not None and again.last_recovery.rolled_back > 0
    assert _tree(lib.root) == before
    assert _temps(lib.root) == []
    assert not (lib.state_dir / JOURNAL_NAME).exists()


def test_kill_while_staging_leaves_nothing_after_the_next_command(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    before = _tree(lib.root)
    _die_during_commit(
        lib,
        """
        real = j._stage
        count = 0
        def stage(*args):
            global count
            count += 1
            if count == 3:
                die()
            return real(*args)
        j._stage = stage
        """,
    )
    assert len(_temps(lib.root)) == 2
    assert run_cli("list", library=lib.root).returncode == 0
    assert _tree(lib.root) == before
    assert _temps(lib.root) == []


def test_a_live_writer_is_not_recovered_under_its_feet(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    journal = lib.state_dir / JOURNAL_NAME
    with lib.lock():
        journal.write_text("paperlog-journal 1\n", encoding="utf-8")  # "being written"
        Library.open(lib.root)  # another process would try the lock and leave it alone
        assert journal.exists()
        journal.unlink()


def test_a_forged_journal_never_touches_files_outside(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    import hashlib

    body = 'paperlog-journal 1\n["delete", "../victim.txt"]\n'
    digest = hashlib.sha256(body.encode()).hexdigest()
    (lib.state_dir / JOURNAL_NAME).write_text(body + f"end 1 {digest}\n", encoding="utf-8")
    Library.open(lib.root)
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert not (lib.state_dir / JOURNAL_NAME).exists()


def test_temps_left_by_older_versions_are_swept_once(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    legacy = lib.papers_dir / ".alpha.md.1234.0a1b2c3d.tmp"
    legacy.write_text("half", encoding="utf-8")
    (lib.state_dir / TMP_DIR_NAME).rmdir()  # as a library written by an older paperlog
    lib.save_paper(Paper(key="epsilon", title="Paper epsilon"))
    assert not legacy.exists()


def test_symlinked_lock_is_refused_and_nothing_outside_is_truncated(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    outside = tmp_path / "precious.txt"
    outside.write_text("precious data\n", encoding="utf-8")
    lock = lib.state_dir / "lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(outside)
    done = run_cli("start", "alpha", library=lib.root)
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1, done.stderr
    assert "lock" in done.stderr and "symbolic link" in done.stderr
    assert outside.read_text(encoding="utf-8") == "precious data\n"
    with pytest.raises(PaperlogError, match="symbolic link"), lib.lock():
        pass


def test_state_dir_that_is_a_file_is_a_one_line_error(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    for child in sorted(lib.state_dir.rglob("*"), reverse=True):
        child.rmdir() if child.is_dir() else child.unlink()
    lib.state_dir.rmdir()
    (lib.root / ".paperlog").write_text("not a folder\n", encoding="utf-8")
    for args in (("start", "alpha"), ("search", "paper")):
        done = run_cli(*args, library=lib.root)
        assert done.returncode != 0
        assert done.stderr.count("\n") == 1, done.stderr
        assert ".paperlog" in done.stderr and "not a folder" in done.stderr


_README = """# Log {name}

### Search (Cmd-F)
**By Topic Category** -
   e.g. [{a}], [{b}]
   * [{a}] Topic {a}
   * [{b}] Topic {b}

# II. Paper Notes

### Wk{week} - 2020.01.{day:02d}
* [Paper {name}](https://example.org/{name}) [{a}]
"""


def _import(lib: Path, readme: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "paperlog", "--library", str(lib), "import", "readme"]
    return subprocess.Popen(
        [*argv, str(readme)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )


def _state(lib: Path) -> tuple[list[str], list[str]]:
    opened = Library.open(lib)
    return sorted(opened.config.topic_codes()), opened.keys()


def test_concurrent_imports_are_serialised_without_lost_updates(tmp_path: Path) -> None:
    readmes = []
    for name, a, b, week, day in (("one", "Aaa", "Bbb", 1, 6), ("two", "Ccc", "Ddd", 2, 13)):
        path = tmp_path / f"{name}.md"
        path.write_text(_README.format(name=name, a=a, b=b, week=week, day=day), "utf-8")
        readmes.append(path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLOG_")}
    # The two orders one after the other: a concurrent run must end as one of them.
    serial: list[tuple[list[str], list[str]]] = []
    for order in (readmes, readmes[::-1]):
        lib = Library.create(tmp_path / f"serial{len(serial)}").root
        for readme in order:
            assert _import(lib, readme, env).wait(timeout=120) == 0
        serial.append(_state(lib))
    assert all("Ccc" in codes or "Aaa" in codes for codes, _ in serial)
    for round_ in range(3):
        lib = Library.create(tmp_path / f"lib{round_}").root
        procs = [_import(lib, readme, env) for readme in readmes]
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        assert _state(lib) in serial


def test_config_is_read_again_once_the_lock_is_held(tmp_path: Path) -> None:
    first = Library.create(tmp_path / "lib")
    stale = Library.open(first.root)  # opened before the other writer's change
    stale_importer = Library.open(first.root)
    first.config.topics.append(Topic("New", "A topic another process added"))
    first.save_config()
    # The stale object validates and writes against the config on disk, not its old copy.
    stale.save_paper(Paper(key="tagged", title="Tagged", topics=["New"]))
    assert stale.config.topic_codes() == {"New"}
    readme = tmp_path / "one.md"
    readme.write_text(_README.format(name="one", a="Aaa", b="Bbb", week=1, day=6), "utf-8")
    from paperlog.services.import_readme import import_readme

    import_readme(stale_importer, readme)
    assert {"New", "Aaa", "Bbb"} <= set(Library.open(first.root).config.topic_codes())
