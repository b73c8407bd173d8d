"""The benchmark's corpora: one synthetic library per size, the same papers for every tool.

``corpus(n)`` builds (once, cached under ``build/bench/corpus-N``) from ``_synth.papers(n)``:

- ``lib/``: a paperlog library, written with ``Library.save_papers``;
- ``floor.sqlite``: the floor's own SQLite file, one plain table and one FTS5 table holding the
  same full-text columns and tokenizer as paperlog's index, nothing else;
- ``papis/``: a papis library (one folder per paper with ``info.yaml``), sizes up to 10k;
- ``pubs/``: a pubs repository (``bib/KEY.bib`` and ``meta/KEY.yaml``), sizes up to 10k;
- ``keys.json``: the wish-list keys in rank order (the bench picks the queue's head and tail)
  and the keys of read papers.

A corpus is rebuilt when ``CORPUS_VERSION`` or ``_synth`` changes (a stamp file holds both).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

import _synth
from paperlog.library import Library
from paperlog.model import Paper
from paperlog.query import FTS_COLUMNS, FTS_TOKENIZE, fts_values

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "build" / "bench"
CORPUS_VERSION = "3"
OTHERS_UP_TO = 10_000
"""papis and pubs get corpora up to this size (their rows are measured at 10k)."""


def _stamp() -> str:
    synth = (Path(__file__).with_name("_synth.py")).read_bytes()
    return f"{CORPUS_VERSION} {hashlib.sha1(synth, usedforsecurity=False).hexdigest()}"


def corpus(count: int) -> Path:
    """The cached corpus folder of ``count`` papers, built when missing or stale."""
    root = CACHE / f"corpus-{count}"
    stamp = root / "stamp"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == _stamp():
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    papers = _synth.papers(count)
    lib = Library.create(root / "lib", _synth.config())
    for start in range(0, count, 10_000):  # batches bound the staged text held at once
        lib.save_papers(papers[start : start + 10_000])
    _floor_db(root / "floor.sqlite", papers)
    if count <= OTHERS_UP_TO:
        _papis(root / "papis", papers)
        _pubs(root / "pubs", papers)
    queue = sorted((p for p in papers if p.status == "wish"), key=lambda p: p.rank or 0)
    keys = {"queue": [p.key for p in queue], "read": [p.key for p in papers if p.readings]}
    (root / "keys.json").write_text(json.dumps(keys), encoding="utf-8")
    stamp.write_text(_stamp(), encoding="utf-8")
    return root


def _floor_db(path: Path, papers: list[Paper]) -> None:
    conn = sqlite3.connect(path)
    cols = ", ".join(FTS_COLUMNS)
    conn.execute("CREATE TABLE docs (key TEXT, year INTEGER, venue TEXT, title TEXT, status TEXT)")
    conn.execute(f"CREATE VIRTUAL TABLE fts USING fts5({cols}, tokenize = '{FTS_TOKENIZE}')")
    marks = ", ".join("?" for _ in FTS_COLUMNS)
    with conn:
        for i, p in enumerate(papers, 1):
            label = p.venue_label or p.venue or ""
            conn.execute(
                "INSERT INTO docs (rowid, key, year, venue, title, status) VALUES (?, ?, ?, ?, ?, ?)",
                (i, p.key, p.year, label, p.title, p.status),
            )
            conn.execute(
                f"INSERT INTO fts (rowid, {cols}) VALUES (?, {marks})", (i, *fts_values(p))
            )
        conn.execute("INSERT INTO fts (fts) VALUES ('optimize')")
    conn.execute("VACUUM")
    conn.close()


def _yaml_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _papis(root: Path, papers: list[Paper]) -> None:
    """One folder per paper with an ``info.yaml`` as papis writes it (``papis_id`` included,
    so that indexing does not rewrite every file)."""
    for p in papers:
        folder = root / p.key
        folder.mkdir(parents=True)
        authors = " and ".join(p.authors)
        lines = [
            f"author: {_yaml_str(authors)}",
            f"title: {_yaml_str(p.title)}",
            f"year: {p.year}",
            f"venue: {_yaml_str(p.venue_label or '')}",
            f"ref: {p.key}",
            f"papis_id: {hashlib.md5(p.key.encode(), usedforsecurity=False).hexdigest()}",
            "type: article",
        ]
        (folder / "info.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _bib_escape(text: str) -> str:
    return text.replace("{", "").replace("}", "")


def _pubs(root: Path, papers: list[Paper]) -> None:
    """A pubs repository as ``pubs init`` and ``pubs import`` leave it."""
    for sub in ("bib", "meta", "doc", "notes"):
        (root / sub).mkdir(parents=True)
    for p in papers:
        authors = " and ".join(
            f"{a.rsplit(' ', 1)[-1]}, {a.rsplit(' ', 1)[0]}" if " " in a else a for a in p.authors
        )
        bib = (
            f"@article{{{p.key},\n author = {{{_bib_escape(authors)}}},\n"
            f" title = {{{_bib_escape(p.title)}}},\n journal = {{{p.venue_label or ''}}},\n"
            f" year = {{{p.year}}}\n}}\n"
        )
        (root / "bib" / f"{p.key}.bib").write_text(bib, encoding="utf-8")
        (root / "meta" / f"{p.key}.yaml").write_text(
            "added: 2020-01-01 00:00:00.000000\ndocfile: null\ntags: !!set {}\n", encoding="utf-8"
        )


def pubs_config(corpus_root: Path) -> Path:
    """A pubs config file pointing at the corpus' repository."""
    path = corpus_root / "pubsrc"
    repo = corpus_root / "pubs"
    path.write_text(
        f"[main]\npubsdir = {repo}\ndocsdir = {repo / 'doc'}\n[formating]\ncolor = False\n"
        "[plugins]\n",
        encoding="utf-8",
    )
    return path


def papis_env(corpus_root: Path) -> dict[str, str]:
    """The environment that points papis at the corpus' library with the whoosh backend."""
    home = corpus_root / "papis-home"
    (home / "cfg" / "papis").mkdir(parents=True, exist_ok=True)
    (home / "cfg" / "papis" / "config").write_text(
        "[settings]\ndefault-library = bench\ndatabase-backend = whoosh\n\n"
        f"[bench]\ndir = {corpus_root / 'papis'}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLOG_")}
    env["XDG_CONFIG_HOME"] = str(home / "cfg")
    env["XDG_CACHE_HOME"] = str(home / "cache")
    return env


def work_copy(corpus_root: Path, name: str) -> Path:
    """A fresh copy of the corpus' paperlog library (index included) for commands that write."""
    target = CACHE / f"work-{corpus_root.name}-{name}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(corpus_root / "lib", target, symlinks=True)
    return target
