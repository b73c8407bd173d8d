"""Git as the sync: each write command commits what it wrote; ``paperlog sync`` pulls and pushes.

A library made by ``paperlog init`` is a git repository with ``[git] autocommit = true`` in
``paperlog.toml``. Then a command that writes (``done``, ``import readme``, ``add`` ...) ends with
one commit holding exactly the files it wrote, with a message that says what happened ("done
simclr-2020 (Wk14)"). Changes of the user's own are never swept in: the commit names its paths
(``git commit -- PATHS``), and a file the command must write that already holds uncommitted
changes is refused before anything is written. A file holding git conflict markers is never
overwritten, git or not.

Everything here runs the ``git`` program: paperlog needs no git library, and what it does is
what the user would type.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

# subprocess and shutil are imported where git runs: every command opens the library
# (``track``), most never run git, and the two (with bz2, lzma, signal, selectors) cost
# several milliseconds of start-up.
if TYPE_CHECKING:
    import subprocess

from paperlog.errors import PaperlogError

if TYPE_CHECKING:
    from paperlog.library import Library
    from paperlog.model import Config

_CONFLICT_START = re.compile(rb"^<<<<<<<(?: |$)", re.MULTILINE)
_CONFLICT_END = re.compile(rb"^>>>>>>>(?: |$)", re.MULTILINE)
"""The lines git writes before and after both sides of a conflict it could not merge (the
``=======`` between them alone could be a Markdown heading's underline)."""


class GitError(PaperlogError):
    """git refused, or a file is in a state paperlog must not write over."""


def autocommit_enabled(config: Config) -> bool:
    """``[git] autocommit`` of ``paperlog.toml`` (off when absent: older libraries opt in)."""
    table = config.extra.get("git")
    return isinstance(table, Mapping) and table.get("autocommit") is True


def has_conflict_markers(data: bytes) -> bool:
    """True when ``data`` holds a ``<<<<<<<`` / ``=======`` / ``>>>>>>>`` line git left."""
    return (
        b"<<<<<<<" in data
        and _CONFLICT_START.search(data) is not None
        and _CONFLICT_END.search(data) is not None
    )


def conflicted_files(paths: Iterable[Path]) -> list[Path]:
    """The files among ``paths`` that hold git conflict markers."""
    paths = list(paths)
    if len(paths) > 64:
        # A big batch (an import) writes mostly new files: one listing of each folder says
        # which exist, instead of a failed open per new file (10,000 of them).
        listed: dict[Path, set[str] | None] = {}
        for folder in {path.parent for path in paths}:
            try:
                listed[folder] = set(os.listdir(folder))  # noqa: PTH208 (names, no Paths)
            except OSError:
                listed[folder] = None  # unreadable: try each file, as for a small batch
        paths = [p for p in paths if (names := listed[p.parent]) is None or p.name in names]
    found = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if has_conflict_markers(data):
            found.append(path)
    return found


def _run(
    root: Path, *args: str, env: Mapping[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    import subprocess

    try:
        result = subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)", root) from None
    if check and result.returncode != 0:
        said = (result.stderr or result.stdout).strip().splitlines()
        raise GitError(f"git {args[0]} failed: {said[-1] if said else result.returncode}", root)
    return result


def repo_top(root: Path) -> Path | None:
    """The top folder of the git work tree holding ``root``, or None (no repo, no git)."""
    import shutil

    if shutil.which("git") is None:
        return None
    result = _run(root, "rev-parse", "--show-toplevel", check=False)
    return Path(result.stdout.strip()) if result.returncode == 0 else None


def needs_repository(root: Path) -> bool:
    """True when ``paperlog init`` should make ``root`` a git repository: git is installed and
    no repository tracks the folder (none above it, or one that ignores it)."""
    import shutil

    if shutil.which("git") is None:
        return False
    existing = root
    while not existing.is_dir() and existing != existing.parent:
        existing = existing.parent
    if _run(existing, "rev-parse", "--is-inside-work-tree", check=False).returncode != 0:
        return True
    # Inside a repository that ignores the folder (a build/ folder): a repository of its own.
    return _run(existing, "check-ignore", "-q", str(root), check=False).returncode == 0


def init_repository(root: Path) -> bool:
    """``git init`` the library and commit the files ``init`` wrote; True when done.

    Without a git identity (user.name, user.email) the repository is made and the files are
    left for the user's first commit.
    """
    _run(root, "init", "--quiet")
    _run(root, "add", "--all")
    made = _run(root, "commit", "--quiet", "-m", "paperlog init", check=False)
    return made.returncode == 0


@dataclass
class AutoCommit:
    """The git side of one command run: checks before a write, one commit after the command.

    ``check`` is the transaction's before-commit hook, ``record`` its after-commit hook; the CLI
    calls ``commit`` once the command succeeded.
    """

    root: Path
    enabled: bool
    written: list[Path] = field(default_factory=list)
    message: str | None = None
    lock: Callable[[], AbstractContextManager[None]] = nullcontext
    """The library's write lock, held while committing: two writers (CLI processes, the web
    server's threads) never run git at once, so neither trips over the other's index.lock."""
    kept: list[Library] = field(default_factory=list)
    """The libraries whose lock is kept from a checked write until ``commit`` releases it."""

    def _relative(self, paths: Iterable[Path]) -> list[str]:
        root = self.root.resolve()
        out = []
        for path in paths:
            try:
                out.append(str(path.resolve().relative_to(root)))
            except ValueError:
                continue  # outside the library: not ours to commit
        return out

    def check(self, paths: Sequence[Path], library: Library | None = None) -> None:
        """Refuse, before anything is written, a target holding conflict markers or (with
        autocommit) uncommitted changes of the user's; then keep ``library``'s lock, which
        the caller holds, until ``commit``."""
        conflicted = conflicted_files(paths)
        if conflicted:
            raise GitError(
                f"{conflicted[0]} holds git conflict markers (<<<<<<<); resolve the conflict "
                "and commit it first ('paperlog doctor' lists such files); nothing was written"
            )
        if not self.enabled:
            return
        if repo_top(self.root) is None:
            # autocommit on, but no repository (any more): write, commit nothing.
            self.enabled = False
            return
        relative = self._relative(paths)
        if not relative:
            return
        status = _run(
            self.root, "status", "--porcelain", "-z", "--untracked-files=no", "--", *relative
        )
        dirty = [entry[3:] for entry in status.stdout.split("\0") if len(entry) > 3]
        if dirty:
            raise GitError(
                f"{self.root / dirty[0]} has changes not committed to git, and this command "
                f"must write it; commit them ('git commit {dirty[0]}') or set them aside "
                "('git stash') first, or turn [git] autocommit off in paperlog.toml; "
                "nothing was written"
            )
        # From this write to its commit the lock stays held: another writer (the web app, a
        # second command) never finds these files written but not yet committed, which its
        # own check would take for the user's changes and refuse.
        if library is not None and not any(held is library for held in self.kept):
            library.keep_lock()
            self.kept.append(library)

    def release(self) -> None:
        """Let go of the locks kept since the first write (``commit`` does it too): before a
        command waits for its user (a prompt, an editor), which may take minutes."""
        while self.kept:
            self.kept.pop().release_lock()

    def record(self, paths: Sequence[Path]) -> None:
        """Remember what a transaction wrote (or deleted), for the commit at the end."""
        # a set for the test: an import of 10,000 files asked the list 50 million times
        known = set(self.written)
        for path in paths:
            if path not in known:
                known.add(path)
                self.written.append(path)

    def commit(self, message: str) -> str | None:
        """Commit exactly the files written, with ``message``; return the commit's short id.

        Then the lock kept since the first write is released, committed or not."""
        try:
            if not self.enabled or not self.written:
                return None
            relative = self._relative(self.written)
            if not relative:
                return None
            with self.lock():
                return self._commit(relative, message)
        finally:
            self.release()

    def _commit(self, relative: list[str], message: str) -> str | None:
        # -A for the paths: a deleted file is staged as a deletion. Only these paths are
        # named, so what the user staged for other files stays staged and uncommitted.
        _run(self.root, "add", "-A", "--", *relative)
        changed = _run(self.root, "diff", "--cached", "--quiet", "--", *relative, check=False)
        if changed.returncode == 0:
            return None  # the command wrote what was already there
        _run(self.root, "commit", "--quiet", "--no-verify", "-m", message, "--", *relative)
        self.written.clear()
        return _run(self.root, "rev-parse", "--short", "HEAD").stdout.strip()


def track(lib: Library, git: AutoCommit | None = None) -> AutoCommit:
    """Hook ``lib``'s writes to git, for the CLI and the web alike (one write path).

    Before a transaction writes, a target holding conflict markers or (with ``[git]
    autocommit``) uncommitted changes is refused; after, what it wrote is recorded; the caller
    then calls ``commit`` once with a message saying what happened. ``git`` lets several
    libraries opened by one command share one commit.
    """
    if git is None:
        git = AutoCommit(lib.root, autocommit_enabled(lib.config), lock=lib.lock)
    shared = git
    lib.before_commit.append(lambda paths: shared.check(paths, lib))
    lib.after_commit.append(git.record)
    return git


def sync(root: Path) -> list[str]:
    """``git pull --rebase`` then ``git push`` in the library's repository; lines to print."""
    if repo_top(root) is None:
        raise GitError(
            f"{root} is not a git repository; 'git init' it (or make it with 'paperlog init')",
            root,
        )
    remotes = _run(root, "remote").stdout.split()
    if not remotes:
        raise GitError(
            "this repository has no remote to sync with; add one: "
            "'git remote add origin URL' then 'git push -u origin HEAD'",
            root,
        )
    lines = []
    upstream = _run(root, "rev-parse", "--abbrev-ref", "@{upstream}", check=False)
    if upstream.returncode != 0:
        branch = _run(root, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
        _run(root, "push", "--quiet", "-u", remotes[0], branch)
        return [f"pushed {branch} to {remotes[0]} (now tracked)"]
    pulled = _run(root, "pull", "--rebase", "--quiet", check=False)
    if pulled.returncode != 0:
        said = (pulled.stderr or pulled.stdout).strip().splitlines()
        raise GitError(
            "git pull --rebase stopped: "
            + (said[-1] if said else "see 'git status'")
            + "; resolve the conflicts, 'git rebase --continue', then 'paperlog sync' again",
            root,
        )
    lines.append(f"pulled from {upstream.stdout.strip()}")
    _run(root, "push", "--quiet")
    lines.append(f"pushed to {upstream.stdout.strip()}")
    return lines
