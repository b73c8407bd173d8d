"""Atomic multi-file writes: staged temp files, a write-ahead journal, then renames.

A ``Transaction`` collects writes and deletes of files inside one library and commits them so
that a crash (SIGKILL, power loss) at any moment leaves either every change or none:

1. every new file is written to a temp file in ``.paperlog/tmp/`` and fsynced;
2. the journal ``.paperlog/journal`` lists every (temp, target) pair and every delete, ends with
   a line holding the count and a SHA-256 of the lines before it, and is fsynced with its folder;
3. the temps are renamed over their targets and the deletes done; the touched folders are fsynced;
4. the journal is removed.

``recover`` runs (under the library lock) before any command reads or writes: a complete
journal is rolled forward (the renames whose temp still exists, the deletes), a torn or partial
one is rolled back (its temps removed, targets untouched), and stray temps are removed. A commit
of one file skips the journal: one rename is atomic by itself.

Git's lock-file-then-rename and SQLite's rollback journal are the models. Only the files
written and their folders are fsynced, never the whole machine.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import stat
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

JOURNAL_NAME = "journal"
TMP_DIR_NAME = "tmp"
_MAGIC = "paperlog-journal 1"
_TMP_SUFFIX = ".tmp"
_PARALLEL_FSYNC_FROM = 8
"""From this many staged files on, one ``syncfs`` of their file system makes them durable
(``syncfs``), else fsyncs from a few threads, which the file system commits together (10,000
files: ~5 s instead of ~35 s one after another)."""


class TransactionError(RuntimeError):
    """A transaction used wrongly (a path outside the library, a write after commit)."""


@dataclass
class Recovery:
    """What ``recover`` found and did."""

    rolled_forward: int = 0
    """Files renamed into place (or deleted) from a complete journal."""
    rolled_back: int = 0
    """Temp files of an incomplete journal removed, targets untouched."""
    stray: int = 0
    """Temp files with no journal (a kill while staging) removed."""

    @property
    def anything(self) -> bool:
        """True when there was something to recover."""
        return bool(self.rolled_forward or self.rolled_back or self.stray)


@dataclass
class Transaction:
    """A set of file writes and deletes inside ``root`` that happen all together or not at all.

    Use it through ``Library.transaction()``; ``write`` and ``delete`` only record; ``commit``
    does the work. After a commit ``paths`` lists every file written or deleted, in order.
    """

    root: Path
    state_dir: Path
    _ops: dict[str, str | None] = field(default_factory=dict)
    """Absolute target path (a string: an import records 10,000, and a ``Path`` per file
    costs more to build and hash than the rest of the bookkeeping) -> text, or None to delete."""
    paths: list[Path] = field(default_factory=list)
    committed: bool = False
    after_commit: list[Callable[[list[Path]], None]] = field(default_factory=list)
    """Called with ``paths`` once the commit is durable (e.g. a git autocommit)."""
    before_commit: list[Callable[[list[Path]], None]] = field(default_factory=list)
    """Called with the paths about to be written before anything is; raising refuses them all
    (a file holding git conflict markers, a file with the user's uncommitted changes)."""
    _prefix: str = field(default="", repr=False)
    """The library's folder as a string ending in a separator (``_inside`` tests paths)."""

    def write(self, path: Path, text: str) -> None:
        """Replace (or create) ``path`` with ``text`` at commit; a later call for it wins."""
        self._ops[self._inside(path)] = text

    def delete(self, path: Path) -> None:
        """Delete ``path`` at commit (nothing happens if it is already gone)."""
        self._ops[self._inside(path)] = None

    def pending(self) -> list[Path]:
        """The paths this transaction will write or delete."""
        return [Path(path) for path in self._ops]

    def _inside(self, path: Path) -> str:
        if self.committed:
            raise TransactionError("this transaction is already committed")
        text = os.path.abspath(path)  # noqa: PTH100 (lexical, as _lexical; a string)
        if not self._prefix:
            self._prefix = str(_lexical(self.root)).rstrip(os.sep) + os.sep
        # both are absolute and normalised: "inside" is a prefix test on the strings, which
        # costs a fraction of walking ``path.parents`` (an import records 10,000 writes)
        if not text.startswith(self._prefix):
            raise TransactionError(f"{text} is outside the library {_lexical(self.root)}")
        return text

    def commit(self) -> list[Path]:
        """Make every recorded change durable, all or nothing; return the paths changed."""
        if self.committed:
            raise TransactionError("this transaction is already committed")
        if self.before_commit:
            about = self.pending()
            for check in self.before_commit:
                check(about)
        self.committed = True
        ops = list(self._ops.items())
        self._ops = {}
        if not ops:
            return []
        tmp_dir = str(ensure_tmp_dir(self.state_dir))
        dirs_to_sync = _make_parents(path for path, _ in ops)
        staged: list[tuple[str, str | None]] = []  # (target, temp or None for a delete)
        try:
            for target, text in ops:
                temp = None if text is None else _stage(tmp_dir, target, text)
                staged.append((target, temp))
            _fsync_files([temp for _, temp in staged if temp is not None])
        except BaseException:
            for _, temp in staged:
                if temp is not None:
                    _unlink(temp)
            raise
        journal = self.state_dir / JOURNAL_NAME
        single = len(staged) == 1
        if not single:
            fsync_dir(tmp_dir)
            _write_journal(journal, self.root, staged)
            fsync_dir(self.state_dir)
        for target, temp in staged:
            _apply(target, temp)
            dirs_to_sync.add(os.path.dirname(target))  # noqa: PTH120
        for folder in sorted(dirs_to_sync):
            fsync_dir(folder)
        if not single:
            journal.unlink()
            # Durable removal: a journal that came back after a power cut would replay its
            # deletes over files written since.
            fsync_dir(self.state_dir)
        self.paths = [Path(target) for target, _ in staged]
        for hook in self.after_commit:
            hook(self.paths)
        return self.paths


# --- staging and applying ----------------------------------------------------------------------


def ensure_tmp_dir(state_dir: Path) -> Path:
    """``.paperlog/tmp/``, made on first use."""
    tmp_dir = state_dir / TMP_DIR_NAME
    try:
        tmp_dir.mkdir()
    except FileExistsError:
        if tmp_dir.is_dir() and not tmp_dir.is_symlink():
            return tmp_dir
        # A file or a symlink where paperlog keeps its temp files: not the user's, replaced.
        tmp_dir.unlink()
        tmp_dir.mkdir()
    fsync_dir(state_dir)
    return tmp_dir


def _make_parents(paths: Iterable[str]) -> set[str]:
    """Make each target's folder once; return the folders whose entries must be fsynced."""
    to_sync: set[str] = set()
    for parent in {os.path.dirname(path) for path in paths}:  # noqa: PTH120
        if not os.path.isdir(parent):  # noqa: PTH112
            Path(parent).mkdir(parents=True, exist_ok=True)
            to_sync.add(os.path.dirname(parent))  # noqa: PTH120 (the new folder's own entry)
    return to_sync


def _stage(tmp_dir: str, target: str, text: str) -> str:
    """Write ``text`` to a new temp file for ``target`` (not yet fsynced); return its path."""
    folder = tmp_dir
    parent, name = os.path.split(target)
    if _device(tmp_dir) != _device(parent):
        # .paperlog on another file system (a symlink to a cache disk): a rename cannot cross
        # it, so stage beside the target, hidden, as a single atomic write would.
        folder = parent
    temp = os.path.join(folder, f".{name[:80]}.{_temp_tag()}{_TMP_SUFFIX}")  # noqa: PTH118
    write_new_file(temp, text.encode("utf-8"), sync=False)
    return temp


_tag: list[str] = []
_serial = itertools.count(1)


def _temp_tag() -> str:
    """``<pid>.<random>.<n>``: unique among this process's temps and any other's (the random
    part is drawn once per process, not one getrandom call per file)."""
    if not _tag:
        _tag.append(f"{os.getpid()}.{os.urandom(4).hex()}")
    return f"{_tag[0]}.{next(_serial):x}"


os.register_at_fork(after_in_child=_tag.clear)  # a forked child draws its own


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)  # noqa: PTH108


def write_new_file(path: Path | str, data: bytes, *, sync: bool) -> None:
    """Create ``path`` (never an existing file, never through a symlink) holding ``data``,
    fsynced when ``sync``; on any failure the half-written file is removed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        _unlink(os.fspath(path))
        raise


_devices: dict[str, int] = {}


def _device(folder: Path | str) -> int:
    name = os.fspath(folder)  # keyed by the string: a new Path per file hashes slowly
    dev = _devices.get(name)
    if dev is None:
        dev = _devices[name] = os.stat(name).st_dev  # noqa: PTH116
    return dev


def _fsync_path(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_files(paths: list[str]) -> None:
    if len(paths) < _PARALLEL_FSYNC_FROM:
        for path in paths:
            _fsync_path(path)
        return
    folders = {os.path.dirname(path) for path in paths}  # noqa: PTH120
    if len({_device(folder) for folder in folders}) == 1 and syncfs(next(iter(folders))):
        return
    from concurrent.futures import ThreadPoolExecutor  # only big batches pay for the import

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(_fsync_path, paths))


def syncfs(folder: Path | str) -> bool:
    """Flush the whole file system holding ``folder`` with one ``syncfs(2)`` call: for a big
    batch, cheaper than an fsync per file (10,000 files: ~0.3 s instead of ~1.1 s from 16
    threads on this disk), and as durable: it returns once every dirty file there is on disk,
    and reports a write-back error (Linux 5.8+). False where there is no ``syncfs`` (not
    Linux): the caller fsyncs each file instead."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # only big batches pay for the import

    try:
        call = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return False
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        if call(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"syncfs failed: {os.strerror(err)}", str(folder))
    finally:
        os.close(fd)
    return True


def fsync_dir(folder: Path | str) -> None:
    """Make a folder's entries (a rename, a new or removed name) durable."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the rename itself is still atomic
    finally:
        os.close(fd)


def _apply(target: str, temp: str | None) -> None:
    if temp is None:
        _unlink(target)
    else:
        os.replace(temp, target)  # noqa: PTH105 (strings: no Path per file)


# --- the journal ---------------------------------------------------------------------------------


def _rel(path: str, root: Path) -> str:
    text, prefix = str(path), str(root).rstrip(os.sep) + os.sep
    if (
        os.sep == "/"
        and text.startswith(prefix)
        and not any(x in text for x in ("/../", "/./", "//"))
    ):
        return text[len(prefix) :]  # what relative_to gives, without its per-call parsing
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _write_journal(journal: Path, root: Path, staged: list[tuple[str, str | None]]) -> None:
    # each line is what json.dumps([...], ensure_ascii=False) writes, its strings encoded
    # directly (10,000 lines for an import)
    quote = json.encoder.encode_basestring
    lines = [_MAGIC]
    for target, temp in staged:
        if temp is None:
            lines.append(f'["delete", {quote(_rel(target, root))}]')
        else:
            lines.append(f'["write", {quote(_rel(temp, root))}, {quote(_rel(target, root))}]')
    import hashlib  # here: a command that writes one file (or none) never needs it

    body = "".join(line + "\n" for line in lines)
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    data = (body + f"end {len(staged)} {digest}\n").encode("utf-8")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(journal, flags, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class _Parsed:
    complete: bool
    ops: list[tuple[str, str | None, str]]  # (kind, temp, target) relative to the root


def _parse_journal(data: bytes) -> _Parsed:
    """The journal's operations; ``complete`` only when its end line and checksum match."""
    import hashlib

    text = data.decode("utf-8", errors="replace")
    lines = text.split("\n")
    ops: list[tuple[str, str | None, str]] = []
    if not lines or lines[0] != _MAGIC:
        return _Parsed(False, ops)
    complete = False
    offset = len(lines[0]) + 1
    for line in lines[1:]:
        if line.startswith("end "):
            parts = line.split(" ")
            body = text[:offset].encode("utf-8")
            complete = (
                len(parts) == 3
                and parts[1] == str(len(ops))
                and parts[2] == hashlib.sha256(body).hexdigest()
            )
            break
        try:
            item = json.loads(line)
        except ValueError:
            break  # a torn last line: everything before it may still name temps to remove
        if isinstance(item, list) and item[:1] == ["write"] and len(item) == 3:
            ops.append(("write", str(item[1]), str(item[2])))
        elif isinstance(item, list) and item[:1] == ["delete"] and len(item) == 2:
            ops.append(("delete", None, str(item[1])))
        else:
            break
        offset += len(line) + 1
    return _Parsed(complete, ops)


def _lexical(path: Path) -> Path:
    """Absolute and without ``..``, symlinks not followed (a rename acts on the names)."""
    # normpath of the absolute path in one call (resolve() would follow symlinks)
    return Path(os.path.abspath(path))  # noqa: PTH100


def _resolve(root: Path, rel: str) -> Path | None:
    """A journal path back to an absolute one, or None when it would leave the library."""
    path, root = _lexical(root / rel), _lexical(root)
    if root not in path.parents:
        return None  # a forged or damaged journal never touches files outside the library
    return path


def recover(root: Path, state_dir: Path) -> Recovery:
    """Finish or undo an interrupted commit and remove stray temps. Call under the lock."""
    result = Recovery()
    journal = state_dir / JOURNAL_NAME
    try:
        data = _read_nofollow(journal)
    except FileNotFoundError:
        data = None
    if data is not None:
        parsed = _parse_journal(data)
        touched: set[Path] = set()
        for kind, temp_rel, target_rel in parsed.ops:
            target = _resolve(root, target_rel)
            temp = _resolve(root, temp_rel) if temp_rel is not None else None
            if target is None or (kind == "write" and temp is None):
                continue
            if not parsed.complete:
                if temp is not None and _is_temp(temp):
                    temp.unlink(missing_ok=True)
                    result.rolled_back += 1
                continue
            if kind == "delete":
                target.unlink(missing_ok=True)
            elif temp is not None and _is_temp(temp) and temp.exists():
                temp.replace(target)
            else:
                continue  # renamed before the crash
            touched.add(target.parent)
            result.rolled_forward += 1
        for folder in sorted(touched):
            fsync_dir(folder)
    result.stray += _sweep(state_dir / TMP_DIR_NAME)
    if data is not None:
        journal.unlink(missing_ok=True)
        fsync_dir(state_dir)
    return result


def _read_nofollow(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return b""  # not a file paperlog wrote: an empty, torn journal
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _is_temp(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(_TMP_SUFFIX)


def _sweep(tmp_dir: Path) -> int:
    """Remove every temp left in ``.paperlog/tmp/`` (only a dead commit leaves any)."""
    removed = 0
    if tmp_dir.is_symlink():
        return 0  # never sweep through a link: ensure_tmp_dir replaces it under the lock
    try:
        entries = list(os.scandir(tmp_dir))
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for entry in entries:
        if _is_temp(Path(entry.name)) and entry.is_file(follow_symlinks=False):
            Path(entry.path).unlink(missing_ok=True)
            removed += 1
    return removed


def needs_recovery(state_dir: Path) -> bool:
    """Cheap test (a stat and a tiny listing): is there a journal or a stray temp to handle?"""
    if os.path.lexists(state_dir / JOURNAL_NAME):
        return True
    try:
        with os.scandir(state_dir / TMP_DIR_NAME) as entries:
            return any(True for _ in entries)
    except (FileNotFoundError, NotADirectoryError):
        return False


def sweep_legacy_temps(folders: Iterable[Path]) -> int:
    """Remove ``.<name>.<pid>.<hex>.tmp`` files that older paperlog versions left beside targets."""
    removed = 0
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if _is_legacy_temp(entry.name) and entry.is_file(follow_symlinks=False):
                Path(entry.path).unlink(missing_ok=True)
                removed += 1
    return removed


def _is_legacy_temp(name: str) -> bool:
    if not (name.startswith(".") and name.endswith(_TMP_SUFFIX)):
        return False
    parts = name[1 : -len(_TMP_SUFFIX)].rsplit(".", 2)
    return len(parts) == 3 and parts[1].isdigit() and len(parts[2]) == 8
