"""The plain-text store: the library folder, its config, papers, resources and weeks.

Files are the truth; ``.paperlog/`` (the index, caches) is derived and git-ignored.
Every write is atomic (a temp file in the same folder, fsync, rename), and a batch of writes
stages every file before renaming any, so a bad input never leaves half a library.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import fcntl
import os
import stat
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from paperlog.errors import BadFile, LibraryNotFound, NotFound, PaperlogError, ValidationError
from paperlog.journal import (
    TMP_DIR_NAME,
    Recovery,
    Transaction,
    TransactionError,
    ensure_tmp_dir,
    fsync_dir,
    needs_recovery,
    recover,
    sweep_legacy_temps,
    write_new_file,
)
from paperlog.model import (
    Config,
    Link,
    Paper,
    Plan,
    ResourceGroup,
    ResourceItem,
    ResourceSection,
    Topic,
    Track,
    WeekInfo,
)
from paperlog.paperfile import dump_yaml, line_of, load_yaml, paper_from_text, paper_to_text

CONFIG_NAME = "paperlog.toml"
PAPERS_DIR = "papers"
RESOURCES_NAME = "resources.yaml"
WEEKS_NAME = "weeks.yaml"
STATE_DIR = ".paperlog"
LOCK_NAME = "lock"
ENV_VAR = "PAPERLOG_LIBRARY"


# --- atomic writes -------------------------------------------------------------------------

_ACTIVE: contextvars.ContextVar[Transaction | None] = contextvars.ContextVar(
    "paperlog_transaction", default=None
)
"""The transaction a ``Library.transaction()`` block has open, so that ``atomic_write`` of a
file inside that library (a chart, the README) joins it instead of landing on its own."""


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so a reader sees the old file or the new, never half.

    Inside a ``Library.transaction()`` block a path in that library joins the transaction.
    Elsewhere: a temp file beside ``path``, fsynced, renamed over it, the folder fsynced.
    """
    tx = _ACTIVE.get()
    if tx is not None:
        with contextlib.suppress(TransactionError):
            tx.write(path, text)
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    # A hidden name beside the target: the rename stays on one file system.
    tmp = path.parent / f".{path.name[:80]}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    write_new_file(tmp, text.encode("utf-8"), sync=True)
    try:
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def atomic_write_many(library: Library, files: Mapping[Path, str]) -> list[Path]:
    """Write several files of ``library`` as one transaction: all of them, or none, across a
    crash. Returns the paths written."""
    with library.transaction() as tx:
        for path, text in files.items():
            tx.write(path, text)
    return tx.paths


# --- config (paperlog.toml) ------------------------------------------------------------------


def config_from_toml(text: str, path: Path | str) -> Config:
    """Parse ``paperlog.toml``; unknown keys are kept in ``extra``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise BadFile(f"broken TOML: {getattr(exc, 'msg', exc)}", path, line) from None
    known = {"title", "intro", "topics", "plan", "readme", "sources"}
    # a hand edit of the wrong shape is a one-line error at its line, never a TypeError later
    for name, kind, what in (
        ("topics", list, "a list of [[topics]] tables"),
        ("plan", dict, "a table"),
        ("readme", dict, "a table"),
        ("sources", dict, "a table"),
        ("index", dict, "a table"),
    ):
        if name in data and not isinstance(data[name], kind):
            raise BadFile(f"{name}: expected {what}", path, _toml_line(text, name))
    _check_index_table(data.get("index", {}), text, path)
    topics = []
    for item in data.get("topics", []):
        if not isinstance(item, dict) or "code" not in item or "name" not in item:
            raise BadFile("each [[topics]] needs a code and a name", path, line_of(text, "code"))
        topics.append(Topic(str(item["code"]), str(item["name"]), item.get("description")))
    codes = [t.code for t in topics]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise ValidationError(f"topic code {dupes[0]!r} is defined twice", path)
    plan_data = dict(data.get("plan", {}))
    tracks_raw = plan_data.pop("tracks", None)
    plan = Plan()
    if tracks_raw is not None:
        shares_ok = isinstance(tracks_raw, list) and all(
            isinstance(t, dict)
            and "name" in t
            and isinstance(t.get("share", 0), int | float)
            and not isinstance(t.get("share", 0), bool)
            for t in tracks_raw
        )
        if not shares_ok:
            raise BadFile(
                "plan.tracks: each track needs a name and a numeric share",
                path,
                _toml_line(text, "tracks"),
            )
        plan.tracks = [
            Track(str(t["name"]), float(t.get("share", 0)), t.get("description"))
            for t in tracks_raw
        ]
    for name, kinds, what in _PLAN_FIELDS:
        if name in plan_data:
            value = plan_data.pop(name)
            ok = isinstance(value, kinds) and not isinstance(value, bool)
            if ok and isinstance(value, list):
                ok = all(isinstance(v, str) for v in value)
            if not ok:
                raise BadFile(f"plan.{name}: expected {what}", path, _toml_line(text, name))
            setattr(plan, name, value)
    if "focus_topics" in plan_data:
        focus = plan_data.pop("focus_topics")
        if not isinstance(focus, list):
            raise BadFile(
                "plan.focus_topics: expected a list of topic codes",
                path,
                _toml_line(text, "focus_topics"),
            )
        plan.focus_topics = [str(code) for code in focus]
    plan.extra = plan_data
    return Config(
        title=str(data.get("title", "Reading log")),
        intro=str(data.get("intro", "")),
        topics=topics,
        plan=plan,
        readme=dict(data.get("readme", {})),
        sources=dict(data.get("sources", {})),
        extra={k: v for k, v in data.items() if k not in known},
    )


def _check_index_table(table: dict[str, Any], text: str, path: Path | str) -> None:
    """``[index]``: ``fsmonitor`` (start a watcher on first use, paperlog.watch) is true or
    false, ``fsmonitor_idle`` a positive number of seconds. Kept in ``Config.extra``."""
    if "fsmonitor" in table and not isinstance(table["fsmonitor"], bool):
        raise BadFile(
            "index.fsmonitor: expected true or false", path, _toml_line(text, "fsmonitor")
        )
    idle = table.get("fsmonitor_idle", 1)
    if isinstance(idle, bool) or not isinstance(idle, int | float) or idle <= 0:
        raise BadFile(
            "index.fsmonitor_idle: expected a number of seconds above 0",
            path,
            _toml_line(text, "fsmonitor_idle"),
        )


_PLAN_FIELDS: list[tuple[str, type | tuple[type, ...], str]] = [
    ("papers_per_week", int, "a whole number"),
    ("reading_days", list, "a list of day names"),
    ("review_day", str, "a day name"),
    ("week_start", str, "a day name"),
    ("start", date, "a date (YYYY-MM-DD)"),
]


def _toml_line(text: str, key: str) -> int | None:
    """The line of ``key =`` or ``[key]`` in TOML text, for error messages."""
    import re

    match = re.search(
        rf"^\s*(?:{re.escape(key)}\s*=|\[+\s*(?:\w+\.)*{re.escape(key)}\s*\]+)",
        text,
        flags=re.MULTILINE,
    )
    return text.count("\n", 0, match.start()) + 1 if match else None


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def config_to_toml(config: Config) -> str:
    """TOML text in a fixed order: scalars, plan, topics, readme, sources, then extras."""
    import tomli_w

    plan = config.plan
    plan_data: dict[str, Any] = _drop_none(
        {
            "papers_per_week": plan.papers_per_week,
            "reading_days": plan.reading_days,
            "review_day": plan.review_day,
            "week_start": plan.week_start,
            "start": plan.start,
        }
    )
    if plan.focus_topics:
        plan_data["focus_topics"] = plan.focus_topics
    plan_data.update(plan.extra)
    plan_data["tracks"] = [
        _drop_none({"name": t.name, "share": t.share, "description": t.description})
        for t in plan.tracks
    ]
    data: dict[str, Any] = {"title": config.title, "intro": config.intro, "plan": plan_data}
    if config.topics:
        data["topics"] = [
            _drop_none({"code": t.code, "name": t.name, "description": t.description})
            for t in config.topics
        ]
    if config.readme:
        data["readme"] = config.readme
    if config.sources:
        data["sources"] = config.sources
    for k, v in config.extra.items():
        data.setdefault(k, v)
    return tomli_w.dumps(data, multiline_strings=True)


# --- resources.yaml and weeks.yaml ---------------------------------------------------------


def _links_from(raw: Any) -> list[Link]:
    return [Link(str(i["label"]), str(i.get("url") or "")) for i in raw or []]


def resources_from_yaml(text: str, path: Path | str) -> list[ResourceSection]:
    """Parse ``resources.yaml``: a list of sections, each with groups of items."""
    data = load_yaml(text, path) or []
    if not isinstance(data, list):
        raise BadFile("resources.yaml must be a list of sections", path, 1)
    sections = []
    for sec in data:
        if not isinstance(sec, dict) or "section" not in sec:
            raise BadFile("each resource section needs a 'section' name", path, 1)
        groups = []
        raw_groups = sec.get("groups") or []
        if not isinstance(raw_groups, list) or not all(
            isinstance(g, dict)
            and isinstance(g.get("items") or [], list)
            and all(isinstance(i, dict) and "title" in i for i in g.get("items") or [])
            and all(
                isinstance(lk, dict) and "label" in lk
                for i in g.get("items") or []
                for lk in i.get("links") or []
            )
            for g in raw_groups
        ):
            raise BadFile(
                "groups: expected a list of groups, each with items that have a title "
                "(and links with a label)",
                path,
                line_of(text, "groups"),
            )
        for grp in raw_groups:
            items = [
                ResourceItem(
                    title=str(it["title"]),
                    links=_links_from(it.get("links")),
                    star=it.get("star"),
                    extra={k: v for k, v in it.items() if k not in {"title", "links", "star"}},
                )
                for it in grp.get("items") or []
            ]
            groups.append(ResourceGroup(grp.get("name"), items))
        extra = {k: v for k, v in sec.items() if k not in {"section", "intro", "groups"}}
        sections.append(ResourceSection(str(sec["section"]), sec.get("intro"), groups, extra))
    return sections


def resources_to_yaml(sections: Iterable[ResourceSection]) -> str:
    """YAML text of the Resources sections in their order."""
    out = []
    for sec in sections:
        groups = []
        for grp in sec.groups:
            items = []
            for it in grp.items:
                item: dict[str, Any] = {"title": it.title}
                if it.star:
                    item["star"] = it.star
                if it.links:
                    item["links"] = [{"label": lk.label, "url": lk.url} for lk in it.links]
                item.update(it.extra)
                items.append(item)
            groups.append(_drop_none({"name": grp.name, "items": items}))
        sec_data = _drop_none({"section": sec.name, "intro": sec.intro, "groups": groups})
        sec_data.update(sec.extra)
        out.append(sec_data)
    return dump_yaml(out) if out else "[]\n"


def weeks_from_yaml(text: str, path: Path | str) -> list[WeekInfo]:
    """Parse ``weeks.yaml``: one entry per week that says more than its papers."""
    data = load_yaml(text, path) or []
    if not isinstance(data, list):
        raise BadFile("weeks.yaml must be a list of weeks", path, 1)
    weeks = []
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("week"), int):
            raise BadFile("each week needs a whole-number 'week'", path, 1)
        start = item.get("start")
        if start is not None and not isinstance(start, date):
            try:
                start = date.fromisoformat(str(start))
            except ValueError:
                raise BadFile(
                    f"week {item['week']}: start {start!r} is not a date",
                    path,
                    line_of(text, "start"),
                ) from None
        if not isinstance(item.get("groups") or [], list):
            raise BadFile("groups: expected a list of group names", path, line_of(text, "groups"))
        weeks.append(
            WeekInfo(
                week=item["week"],
                start=start,
                note=item.get("note"),
                groups=[str(g) for g in item.get("groups") or []],
                extra={
                    k: v for k, v in item.items() if k not in {"week", "start", "note", "groups"}
                },
            )
        )
    return weeks


def weeks_to_yaml(weeks: Iterable[WeekInfo]) -> str:
    """YAML text of the week annotations, newest week first as a README shows them."""
    out = []
    for wk in weeks:
        item: dict[str, Any] = {"week": wk.week}
        if wk.start is not None:
            item["start"] = wk.start
        if wk.note:
            item["note"] = wk.note
        if wk.groups:
            item["groups"] = wk.groups
        item.update(wk.extra)
        out.append(item)
    return dump_yaml(out) if out else "[]\n"


# --- the library ---------------------------------------------------------------------------


def _open_lock(path: Path) -> int:
    """Open the lock file without following a symlink, truncating or blocking on a FIFO."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise PaperlogError(
                "is a symbolic link; paperlog never writes through one: delete it "
                "(paperlog makes a new lock file)",
                path,
            ) from None
        raise PaperlogError(f"cannot open the library lock: {exc.strerror}", path) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise PaperlogError("is not a regular file; delete it (paperlog makes a new one)", path)
    return fd


@dataclass
class Library:
    """A library folder. Open one with ``Library.open`` or make one with ``Library.create``.

    Writes go through ``transaction()`` (all files of a change, or none, across a crash) under
    ``lock()`` (one writer at a time; the config is re-read once the lock is held).
    """

    root: Path
    config: Config = field(default_factory=Config)
    after_commit: list[Callable[[list[Path]], None]] = field(
        default_factory=list, repr=False, compare=False
    )
    """Called after each committed transaction with the paths it wrote or deleted."""
    before_commit: list[Callable[[list[Path]], None]] = field(
        default_factory=list, repr=False, compare=False
    )
    """Called with the paths a transaction will write before it writes any; may refuse."""
    last_recovery: Recovery | None = field(default=None, repr=False, compare=False)
    """What the last recovery of an interrupted write did (None when nothing was left)."""
    _lock_depth: int = field(default=0, repr=False, compare=False)
    _lock_kept: int | None = field(default=None, repr=False, compare=False)
    """The lock's descriptor while ``keep_lock`` keeps it past its ``lock()`` block."""
    _keep_asked: bool = field(default=False, repr=False, compare=False)
    _tx: Transaction | None = field(default=None, repr=False, compare=False)

    # locations
    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def papers_dir(self) -> Path:
        return self.root / PAPERS_DIR

    @property
    def resources_path(self) -> Path:
        return self.root / RESOURCES_NAME

    @property
    def weeks_path(self) -> Path:
        return self.root / WEEKS_NAME

    @property
    def state_dir(self) -> Path:
        """``.paperlog/``: derived data (index, caches, lock, journal), created on demand."""
        path = self.root / STATE_DIR
        try:
            path.mkdir()
        except FileExistsError:
            if not path.is_dir():
                raise PaperlogError(
                    "is not a folder; paperlog keeps its index, lock and journal there: "
                    "move that file away",
                    path,
                ) from None
        return path

    @property
    def readme_path(self) -> Path:
        return self.root / "README.md"

    def paper_path(self, key: str) -> Path:
        return self.papers_dir / f"{key}.md"

    # opening
    @staticmethod
    def find_root(
        explicit: str | os.PathLike[str] | None, env: Mapping[str, str], cwd: Path
    ) -> Path:
        """``--library DIR``, else ``$PAPERLOG_LIBRARY``, else the nearest folder up with the config."""
        if explicit:
            return Path(explicit).expanduser().resolve()
        if env.get(ENV_VAR):
            return Path(env[ENV_VAR]).expanduser().resolve()
        for folder in [cwd, *cwd.parents]:
            if (folder / CONFIG_NAME).is_file():
                return folder
        raise LibraryNotFound(
            f"no library here: no {CONFIG_NAME} in {cwd} or any folder above it; "
            "run 'paperlog init' or pass --library DIR"
        )

    @classmethod
    def open(cls, root: Path) -> Library:
        """Open the library at ``root``; a missing or broken config is an error naming it.

        An interrupted write (a journal or temp files left by a killed process) is finished or
        undone first, when no other paperlog process holds the lock.
        """
        config_path = root / CONFIG_NAME
        if not config_path.is_file():
            raise LibraryNotFound(
                f"no library at {root}: {CONFIG_NAME} is missing; run 'paperlog --library {root} init'"
            )
        lib = cls(root)
        lib._recover_if_left()
        text = config_path.read_text(encoding="utf-8")
        lib.config = config_from_toml(text, config_path)
        return lib

    @classmethod
    def create(cls, root: Path, config: Config | None = None) -> Library:
        """Make a new library at ``root`` (created when missing). Refuses to overwrite one."""
        root.mkdir(parents=True, exist_ok=True)
        if (root / CONFIG_NAME).exists():
            raise ValidationError(f"a library already exists here: {root / CONFIG_NAME}")
        lib = cls(root, config or Config())
        lib.papers_dir.mkdir(exist_ok=True)
        with lib.transaction() as tx:
            tx.write(lib.config_path, config_to_toml(lib.config))
            if not lib.resources_path.exists():
                tx.write(lib.resources_path, "[]\n")
            if not lib.weeks_path.exists():
                tx.write(lib.weeks_path, "[]\n")
            gitignore = root / ".gitignore"
            if not gitignore.exists():
                tx.write(gitignore, f"{STATE_DIR}/\n")
        return lib

    # locking and transactions
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the library's write lock: two paperlog processes never write at once.

        On taking it, an interrupted write is recovered and ``paperlog.toml`` is read again, so
        a read-modify-write inside sees what the last writer left. Re-entrant in one process.
        """
        if self._lock_depth or self._lock_kept is not None:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
                if not self._keep_asked:
                    self.release_lock()  # a kept lock released inside this block
            return
        fd = _open_lock(self.state_dir / LOCK_NAME)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._lock_depth = 1
            self._recover_locked()
            self._reload_config()
            yield
        finally:
            self._lock_depth = 0
            if self._keep_asked:
                self._lock_kept = fd  # held on until release_lock()
            else:
                os.close(fd)  # closing the descriptor releases the lock

    def keep_lock(self) -> None:
        """Keep the write lock, held now, after the ``lock()`` block ends, until
        ``release_lock()``: a command's writes and their git commit are then one hold of the
        lock, as the web app's are (``gitsync.AutoCommit``). Later ``lock()`` blocks of this
        ``Library`` re-enter it; another process (or thread) waits as for any writer."""
        if not self._lock_depth and self._lock_kept is None:
            raise RuntimeError("keep_lock() outside a hold of the lock")
        self._keep_asked = True

    def release_lock(self) -> None:
        """End what ``keep_lock`` kept (at once, or as the open ``lock()`` block ends)."""
        self._keep_asked = False
        if self._lock_kept is not None and not self._lock_depth:
            fd, self._lock_kept = self._lock_kept, None
            os.close(fd)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Collect writes and deletes; commit them all at once, under the lock, on exit.

        ``with lib.transaction() as tx: tx.write(path, text); tx.delete(path)``. An exception
        inside the block writes nothing. A transaction opened inside another joins it. After
        the block, ``tx.paths`` lists what was written or deleted.
        """
        if self._tx is not None:
            yield self._tx
            return
        with self.lock():
            tx = Transaction(
                self.root,
                self.state_dir,
                after_commit=list(self.after_commit),
                before_commit=list(self.before_commit),
            )
            self._tx = tx
            token = _ACTIVE.set(tx)
            try:
                yield tx
            finally:
                self._tx = None
                _ACTIVE.reset(token)
            tx.commit()

    def _recover_locked(self) -> None:
        state = self.state_dir
        tmp_dir = state / TMP_DIR_NAME
        if not tmp_dir.is_dir() or tmp_dir.is_symlink():
            # First write by a journaling paperlog: older versions left their temp files
            # beside the targets; sweep them once.
            sweep_legacy_temps([self.root, self.papers_dir, self.root / "charts"])
            ensure_tmp_dir(state)
        if needs_recovery(state):
            self.last_recovery = recover(self.root, state)

    def _recover_if_left(self) -> None:
        """Recover a dead writer's leftovers, unless a live writer holds the lock."""
        state = self.root / STATE_DIR
        if not state.is_dir() or not needs_recovery(state):
            return
        fd = _open_lock(state / LOCK_NAME)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # a live writer: its commit is still under way
            if needs_recovery(state):
                self.last_recovery = recover(self.root, state)
        finally:
            os.close(fd)

    def _reload_config(self) -> None:
        try:
            text = self.config_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return  # a library being created: the config is still only in memory
        self.config = config_from_toml(text, self.config_path)

    # papers
    def paper_files(self) -> list[Path]:
        """Every ``papers/*.md`` file, sorted by key."""
        if not self.papers_dir.is_dir():
            return []
        # Sorted by key (the stem), as the index lists them: "abc" before "abc-b".
        return sorted(
            (
                Path(e.path)
                for e in os.scandir(self.papers_dir)
                if e.name.endswith(".md") and not e.name.startswith(".") and e.is_file()
            ),
            key=lambda path: path.stem,
        )

    def keys(self) -> list[str]:
        """All paper keys, sorted."""
        return [p.stem for p in self.paper_files()]

    def exists(self, key: str) -> bool:
        return self.paper_path(key).is_file()

    def parse_paper_file(self, path: Path) -> Paper:
        """Read and validate one paper file (topic codes checked against the taxonomy)."""
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise BadFile(f"not UTF-8 text (byte {raw[exc.start]:#x})", path, line) from None
        paper = paper_from_text(path.stem, text, path)
        self.validate(paper, path, text)
        return paper

    def validate(
        self,
        paper: Paper,
        path: Path | None = None,
        text: str | None = None,
        *,
        config: Config | None = None,
    ) -> None:
        """Check a paper against the library (or ``config``): topic codes must be known."""
        codes = (config or self.config).topic_codes()
        for code in paper.topics:
            if code not in codes:
                known = ", ".join(sorted(codes)) or "none defined in paperlog.toml"
                raise ValidationError(
                    f"unknown topic code {code!r} (known: {known})",
                    path or self.paper_path(paper.key),
                    line_of(text, "topics") if text else None,
                )

    def load_paper(self, key: str) -> Paper:
        """Load one paper by exact key."""
        path = self.paper_path(key)
        if not path.is_file():
            raise NotFound(f"no paper with key {key!r} in {self.papers_dir}")
        return self.parse_paper_file(path)

    def load_papers(self, unreadable: list[PaperlogError] | None = None) -> list[Paper]:
        """Load every paper; duplicate keys (names differing only in case) are an error.

        A file that cannot be read raises, unless ``unreadable`` is given: then its error is
        added there and the file left out (``paperlog doctor`` lists them all).
        """
        if unreadable is None:
            papers = [self.parse_paper_file(p) for p in self.paper_files()]
        else:
            papers = []
            for path in self.paper_files():
                try:
                    papers.append(self.parse_paper_file(path))
                except PaperlogError as exc:
                    unreadable.append(exc)
        seen: dict[str, str] = {}
        for paper in papers:
            low = paper.key.lower()
            if low in seen:
                raise ValidationError(
                    f"duplicate key: {paper.key!r} and {seen[low]!r} differ only in case",
                    self.paper_path(paper.key),
                )
            seen[low] = paper.key
        return papers

    def save_paper(self, paper: Paper) -> None:
        """Write one paper file atomically (after validating it)."""
        self.save_papers([paper])

    def save_papers(self, papers: Iterable[Paper]) -> None:
        """Write many paper files as one transaction: all of them or none."""
        papers = list(papers)
        with self.transaction() as tx:  # validated under the lock, against the fresh config
            for paper in papers:
                self.validate(paper)
                tx.write(self.paper_path(paper.key), paper_to_text(paper))

    def delete_paper(self, key: str) -> None:
        """Delete one paper file (in the open transaction, if any)."""
        path = self.paper_path(key)
        if not path.is_file():
            raise NotFound(f"no paper with key {key!r} in {self.papers_dir}")
        with self.transaction() as tx:
            tx.delete(path)

    def resolve_key(self, text: str) -> str:
        """A key from what a user typed: the key, cite key, arXiv ID or DOI, nickname, alias,
        unique prefix or a close spelling (``paperlog.lookup.find_key``)."""
        from paperlog.lookup import find_key

        return find_key(self, text)

    # config, resources, weeks
    def save_config(self) -> None:
        """Write ``self.config`` as it is in memory (a blind write: read it under the lock)."""
        config = self.config
        with self.transaction() as tx:
            self.config = config
            tx.write(self.config_path, config_to_toml(config))

    def load_resources(self) -> list[ResourceSection]:
        if not self.resources_path.is_file():
            return []
        return resources_from_yaml(
            self.resources_path.read_text(encoding="utf-8"), self.resources_path
        )

    def save_resources(self, sections: Iterable[ResourceSection]) -> None:
        """Write ``resources.yaml`` (in the open transaction, if any)."""
        with self.transaction() as tx:
            tx.write(self.resources_path, resources_to_yaml(sections))

    def load_weeks(self) -> list[WeekInfo]:
        if not self.weeks_path.is_file():
            return []
        return weeks_from_yaml(self.weeks_path.read_text(encoding="utf-8"), self.weeks_path)

    def save_weeks(self, weeks: Iterable[WeekInfo]) -> None:
        """Write ``weeks.yaml`` (in the open transaction, if any)."""
        with self.transaction() as tx:
            tx.write(self.weeks_path, weeks_to_yaml(weeks))

    def write_all(
        self,
        *,
        papers: Iterable[Paper] = (),
        resources: Iterable[ResourceSection] | None = None,
        weeks: Iterable[WeekInfo] | None = None,
        config: Config | None = None,
        delete: Iterable[str] = (),
    ) -> None:
        """Write a whole change (an import, a ``done``) as one transaction: all or nothing.

        ``delete`` names paper keys to remove in the same transaction.
        """
        papers = list(papers)
        with self.transaction() as tx:  # validated under the lock, against the fresh config
            for paper in papers:
                self.validate(paper, config=config)
                tx.write(self.paper_path(paper.key), paper_to_text(paper))
            if resources is not None:
                tx.write(self.resources_path, resources_to_yaml(resources))
            if weeks is not None:
                tx.write(self.weeks_path, weeks_to_yaml(weeks))
            if config is not None:
                tx.write(self.config_path, config_to_toml(config))
                self.config = config
            for key in delete:
                tx.delete(self.paper_path(key))
