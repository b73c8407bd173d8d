"""The plain-text store: the library folder, its config, papers, resources and weeks.

Files are the truth; ``.paperlog/`` (the index, caches) is derived and git-ignored.
Every write is atomic (a temp file in the same folder, fsync, rename), and a batch of writes
stages every file before renaming any, so a bad input never leaves half a library.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from paperlog.errors import BadFile, LibraryNotFound, NotFound, ValidationError
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
ENV_VAR = "PAPERLOG_LIBRARY"


# --- atomic writes -------------------------------------------------------------------------


def _stage(path: Path, text: str, *, sync: bool = True, make_parent: bool = True) -> Path:
    """Write ``text`` to a temp file beside ``path`` and return the temp path.

    With ``sync`` the file is fsynced here; a batch passes False and syncs once for all. A
    batch also makes each folder once and passes ``make_parent=False``.
    """
    if make_parent:
        path.parent.mkdir(parents=True, exist_ok=True)
    # A hidden name beside the target: the rename stays on one file system, and a crash leaves
    # only a dot-file that no reader lists. (tempfile is avoided: it slows start-up.)
    tmp = f"{path.parent}/.{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    # Encoded here and written with os.write: the same bytes a text file opened with
    # encoding="utf-8", newline="\n" writes, without building a file object per file.
    data = text.encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
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
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so a reader sees the old file or the new, never half."""
    tmp = _stage(path, text)
    tmp.replace(path)


_BATCH_SYNC_FROM = 8
"""From this many files on, a batch syncs once (os.sync) instead of fsyncing every file:
an import of 10,000 papers would otherwise spend most of its time waiting on the disk."""


def atomic_write_many(files: Mapping[Path, str]) -> None:
    """Stage every file first, then rename them all: a failure while staging writes nothing.

    Every staged file's data is on disk before the first rename, so a crash leaves either the
    old files or the new ones, never an empty or half-written file.
    """
    one_sync = len(files) >= _BATCH_SYNC_FROM
    staged: list[tuple[Path, Path]] = []
    try:
        for parent in {path.parent for path in files}:  # once per folder, not per file
            parent.mkdir(parents=True, exist_ok=True)
        for path, text in files.items():
            staged.append((_stage(path, text, sync=not one_sync, make_parent=False), path))
        if one_sync:
            os.sync()
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in staged:
        tmp.replace(path)


# --- config (paperlog.toml) ------------------------------------------------------------------


def config_from_toml(text: str, path: Path | str) -> Config:
    """Parse ``paperlog.toml``; unknown keys are kept in ``extra``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise BadFile(f"broken TOML: {getattr(exc, 'msg', exc)}", path, line) from None
    known = {"title", "intro", "topics", "plan", "readme", "sources"}
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
        plan.tracks = [
            Track(str(t["name"]), float(t.get("share", 0)), t.get("description"))
            for t in tracks_raw
        ]
    for name in ("papers_per_week", "reading_days", "review_day", "week_start", "start"):
        if name in plan_data:
            setattr(plan, name, plan_data.pop(name))
    if "focus_topics" in plan_data:
        plan.focus_topics = list(plan_data.pop("focus_topics"))
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
        for grp in sec.get("groups") or []:
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
                raise BadFile(f"week {item['week']}: start {start!r} is not a date", path) from None
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


@dataclass
class Library:
    """A library folder. Open one with ``Library.open`` or make one with ``Library.create``."""

    root: Path
    config: Config = field(default_factory=Config)

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
        """``.paperlog/``: derived data (index, caches), created on demand."""
        path = self.root / STATE_DIR
        path.mkdir(exist_ok=True)
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
        """Open the library at ``root``; a missing or broken config is an error naming it."""
        config_path = root / CONFIG_NAME
        if not config_path.is_file():
            raise LibraryNotFound(
                f"no library at {root}: {CONFIG_NAME} is missing; run 'paperlog --library {root} init'"
            )
        text = config_path.read_text(encoding="utf-8")
        return cls(root, config_from_toml(text, config_path))

    @classmethod
    def create(cls, root: Path, config: Config | None = None) -> Library:
        """Make a new library at ``root`` (created when missing). Refuses to overwrite one."""
        root.mkdir(parents=True, exist_ok=True)
        if (root / CONFIG_NAME).exists():
            raise ValidationError(f"a library already exists here: {root / CONFIG_NAME}")
        lib = cls(root, config or Config())
        lib.papers_dir.mkdir(exist_ok=True)
        files = {lib.config_path: config_to_toml(lib.config)}
        if not lib.resources_path.exists():
            files[lib.resources_path] = "[]\n"
        if not lib.weeks_path.exists():
            files[lib.weeks_path] = "[]\n"
        gitignore = root / ".gitignore"
        if not gitignore.exists():
            files[gitignore] = f"{STATE_DIR}/\n"
        atomic_write_many(files)
        return lib

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the library's write lock: two paperlog processes never write at once."""
        with (self.state_dir / "lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

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
        text = path.read_text(encoding="utf-8")
        paper = paper_from_text(path.stem, text, path)
        self.validate(paper, path, text)
        return paper

    def validate(self, paper: Paper, path: Path | None = None, text: str | None = None) -> None:
        """Check a paper against the library: topic codes must be in the taxonomy."""
        codes = self.config.topic_codes()
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

    def load_papers(self) -> list[Paper]:
        """Load every paper; duplicate keys (names differing only in case) are an error."""
        papers = [self.parse_paper_file(p) for p in self.paper_files()]
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
        self.validate(paper)
        atomic_write(self.paper_path(paper.key), paper_to_text(paper))

    def save_papers(self, papers: Iterable[Paper]) -> None:
        """Write many paper files; nothing is renamed into place until all are staged."""
        papers = list(papers)
        for paper in papers:
            self.validate(paper)
        self.papers_dir.mkdir(exist_ok=True)
        atomic_write_many({self.paper_path(p.key): paper_to_text(p) for p in papers})

    def delete_paper(self, key: str) -> None:
        self.paper_path(key).unlink()

    def resolve_key(self, text: str) -> str:
        """A key from what a user typed: exact key, any case, unique prefix, or nickname."""
        keys = self.keys()
        if text in keys:
            return text
        low = text.lower()
        exact = [k for k in keys if k.lower() == low]
        if len(exact) == 1:
            return exact[0]
        prefixed = [k for k in keys if k.lower().startswith(low)]
        if len(prefixed) == 1:
            return prefixed[0]
        by_nick = [p.key for p in self.load_papers() if (p.nickname or "").lower() == low]
        if len(by_nick) == 1:
            return by_nick[0]
        candidates = prefixed or by_nick
        if candidates:
            shown = ", ".join(candidates[:8])
            raise NotFound(f"{text!r} matches several papers: {shown}; give more of the key")
        raise NotFound(f"no paper matches {text!r}; 'paperlog list' shows the keys")

    # config, resources, weeks
    def save_config(self) -> None:
        atomic_write(self.config_path, config_to_toml(self.config))

    def load_resources(self) -> list[ResourceSection]:
        if not self.resources_path.is_file():
            return []
        return resources_from_yaml(
            self.resources_path.read_text(encoding="utf-8"), self.resources_path
        )

    def save_resources(self, sections: Iterable[ResourceSection]) -> None:
        atomic_write(self.resources_path, resources_to_yaml(sections))

    def load_weeks(self) -> list[WeekInfo]:
        if not self.weeks_path.is_file():
            return []
        return weeks_from_yaml(self.weeks_path.read_text(encoding="utf-8"), self.weeks_path)

    def save_weeks(self, weeks: Iterable[WeekInfo]) -> None:
        atomic_write(self.weeks_path, weeks_to_yaml(weeks))

    def write_all(
        self,
        *,
        papers: Iterable[Paper] = (),
        resources: Iterable[ResourceSection] | None = None,
        weeks: Iterable[WeekInfo] | None = None,
        config: Config | None = None,
        delete: Iterable[str] = (),
    ) -> None:
        """Write a whole change (an import) as one batch: all staged, then all renamed.

        ``delete`` names paper keys to remove once every new file is in place.
        """
        papers = list(papers)
        if config is not None:
            self.config = config
        for paper in papers:
            self.validate(paper)
        self.papers_dir.mkdir(exist_ok=True)
        files: dict[Path, str] = {self.paper_path(p.key): paper_to_text(p) for p in papers}
        if resources is not None:
            files[self.resources_path] = resources_to_yaml(resources)
        if weeks is not None:
            files[self.weeks_path] = weeks_to_yaml(weeks)
        if config is not None:
            files[self.config_path] = config_to_toml(config)
        atomic_write_many(files)
        for key in delete:
            self.paper_path(key).unlink(missing_ok=True)
