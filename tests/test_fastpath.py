"""The entry point's fast path for a plain piped ``search``: same output as the click CLI,
without importing click or rich; anything else goes to the click CLI unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from paperlog.cli.fastpath import parse
from paperlog.index import Index
from paperlog.library import Library
from paperlog.model import Config, Paper, Reading, Topic

FAST = [sys.executable, "-m", "paperlog"]
CLICK = [sys.executable, "-c", "from paperlog.cli.main import main; main()"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    lib = Library.create(tmp_path / "lib", Config(topics=[Topic("Uns", "Unsupervised")]))
    lib.save_papers(
        [
            Paper(
                key=f"p{i}",
                title=f"Contrastive Learning Part {i}",
                nickname="SimClr" if i % 2 else None,
                status="read" if i % 3 else "wish",
                year=2015 + i,
                venue="NeurIPS" if i % 2 else None,
                venue_label=f"NIPS {2015 + i}" if i % 2 else None,
                topics=["Uns"] if i % 2 else [],
                readings=[Reading(i, date(2020, 1, 6), "Group", order=0)] if i % 3 else [],
            )
            for i in range(8)
        ]
    )
    return lib.root


def _run(argv: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*argv, *args], capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "args",
    [
        ("search", "contrastive"),
        ("search", "learning", "--limit", "3"),
        ("search", "--year", "2016..2019", "part"),
        ("search", "--venue=NIPS", "--status", "read"),
        ("search", "year:2018..", "topic:Uns"),
        ("search", "nothingmatches"),
        ("search", "--year", "20x9"),  # a usage error: the click CLI reports it
        ("search", "--json", "contrastive"),
        ("search", "--help"),
        ("search", "learning", "-simclr"),
    ],
)
def test_same_output_as_the_click_cli(root: Path, args: tuple[str, ...]) -> None:
    fast = _run(FAST, "--library", str(root), *args)
    slow = _run(CLICK, "--library", str(root), *args)
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        slow.returncode,
        slow.stdout,
        slow.stderr,
    )


def test_an_empty_library_gets_the_cli_hint(tmp_path: Path) -> None:
    Library.create(tmp_path / "empty")
    fast = _run(FAST, "--library", str(tmp_path / "empty"), "search", "x")
    slow = _run(CLICK, "--library", str(tmp_path / "empty"), "search", "x")
    assert (fast.returncode, fast.stdout, fast.stderr) == (0, "", slow.stderr)
    assert "paperlog import readme" in fast.stderr


def test_errors_are_the_cli_errors(tmp_path: Path) -> None:
    fast = _run(FAST, "--library", str(tmp_path / "none"), "search", "x")
    slow = _run(CLICK, "--library", str(tmp_path / "none"), "search", "x")
    assert fast.returncode == slow.returncode != 0
    assert fast.stderr == slow.stderr


def test_a_plain_search_imports_neither_click_nor_rich(root: Path) -> None:
    Index.open(Library.open(root)).close()  # built: a search then parses no paper file
    code = (
        "import sys\nfrom paperlog.cli.fastpath import main\n"
        f"main(['--library', {str(root)!r}, 'search', 'contrastive'])\n"
        "sys.stderr.write(' '.join(sys.modules))"
    )
    result = _run([sys.executable, "-c", code])
    assert result.returncode == 0, result.stderr
    loaded = {name.split(".")[0] for name in result.stderr.split()}
    assert not loaded & {"click", "rich", "yaml"}, sorted(loaded & {"click", "rich", "yaml"})
    assert len(result.stdout.splitlines()) == 8


@pytest.mark.parametrize(
    ("args", "parsed"),
    [
        (["search", "a", "b"], (None, {}, ["a", "b"])),
        (["--library", "L", "search", "--limit", "2", "a"], ("L", {"limit": "2"}, ["a"])),
        (["--library=L", "search", "--year=2019", "a"], ("L", {"year": "2019"}, ["a"])),
        (["search", "-excluded"], None),
        (["search", "--limit", "0"], None),
        (["search", "--json"], None),
        (["search", "--year", "1", "--year", "2"], None),
        (["list"], None),
        ([], None),
    ],
)
def test_parse(args: list[str], parsed: object) -> None:
    assert parse(args) == parsed


def test_search_rows_are_the_table_rows_of_the_papers(tmp_path: Path) -> None:
    from paperlog.views import paper_row

    lib = Library.create(tmp_path / "lib", Config())
    lib.save_papers(
        [
            Paper(key="a", title="Deep Nets", year=2019, venue="NeurIPS", nickname="DN"),
            Paper(key="b", title="Deep Trees", venue_label="NIPS 2018", kind="lecture"),
            Paper(
                key="c",
                title="Deep 'quoted' \u00e9t\u00e9",
                status="read",
                readings=[
                    Reading(3, date(2020, 1, 6), "G", order=1),
                    Reading(None, None, None, date(2020, 2, 1)),
                    Reading(7, date(2020, 2, 17), None, order=2),
                ],
            ),
        ]
    )
    with Index.open(lib) as index:
        for text in ("deep", "year:2019", "status:read", ""):
            papers = index.search(text)
            expected = [tuple("" if v is None else str(v) for v in paper_row(p)) for p in papers]
            assert index.search_rows(text) == expected, text
            assert index.search_rows(text, 1) == expected[:1]


_HEAVY = {
    "paperlog.library",
    "paperlog.index",
    "paperlog.model",
    "dataclasses",
    "click",
    "pathlib",
    "json",
    "typing",
}


def _fast_search(root: Path, *words: str) -> tuple[list[str], set[str]]:
    """The fast path's output lines and which of ``_HEAVY`` it imported."""
    code = (
        "import sys\nfrom paperlog.cli.fastpath import main\n"
        f"main(['--library', {str(root)!r}, 'search', *{list(words)!r}])\n"
        "sys.stderr.write(' '.join(sys.modules))"
    )
    result = _run([sys.executable, "-c", code])
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines(), set(result.stderr.split()) & _HEAVY


def _age(root: Path) -> None:
    """Files written an hour ago: not racy, so a sync stores the manifest."""
    old = time.time() - 3600
    for path in (root / "papers").iterdir():
        os.utime(path, (old, old))


def test_a_fresh_index_is_read_without_the_library_modules(root: Path) -> None:
    _age(root)
    Index.open(Library.open(root)).close()  # stores the manifest of an unchanged folder
    lines, heavy = _fast_search(root, "contrastive")
    assert len(lines) == 8 and heavy == set()
    lines, heavy = _fast_search(root, "year:2019..")
    assert [line.split("\t")[0] for line in lines] == ["p7", "p5", "p4", "p6"] and not heavy


def test_an_in_place_edit_is_seen_without_a_watcher(root: Path) -> None:
    _age(root)
    Index.open(Library.open(root)).close()
    path = root / "papers" / "p3.md"
    text = path.read_bytes()
    with path.open("r+b") as f:  # in place, same size: only the mtime tells
        f.write(text.replace(b"Contrastive Learning Part 3", b"Zebrafishes Learning Part 3"))
    lines, heavy = _fast_search(root, "zebrafishes")
    assert [line.split("\t")[0] for line in lines] == ["p3"]
    assert "paperlog.index" in heavy  # the manifest differed: the full path synced
    lines, heavy = _fast_search(root, "zebrafishes")  # racy now: still the full path, still seen
    assert [line.split("\t")[0] for line in lines] == ["p3"]


def test_an_interrupted_write_takes_the_full_path(root: Path) -> None:
    _age(root)
    Index.open(Library.open(root)).close()
    (root / ".paperlog" / "tmp").mkdir(exist_ok=True)
    (root / ".paperlog" / "tmp" / "stray").write_text("left by a killed writer")
    lines, heavy = _fast_search(root, "contrastive")
    assert len(lines) == 8 and "paperlog.library" in heavy  # it recovered first


def test_the_fast_paths_names_are_the_librarys() -> None:
    import paperlog.index
    import paperlog.index_fresh as fresh
    import paperlog.journal
    import paperlog.library

    assert fresh.CONFIG_NAME == paperlog.library.CONFIG_NAME
    assert fresh.STATE_DIR == paperlog.library.STATE_DIR
    assert fresh.ENV_VAR == paperlog.library.ENV_VAR
    assert fresh.JOURNAL_NAME == paperlog.journal.JOURNAL_NAME
    assert fresh.TMP_DIR_NAME == paperlog.journal.TMP_DIR_NAME
    assert paperlog.index.SCHEMA_VERSION == fresh.SCHEMA_VERSION


def test_the_quick_manifest_is_the_detailed_scans(root: Path) -> None:
    from paperlog.index_fresh import manifest_count, manifest_of, scan_manifest

    (root / "papers" / ".hidden.md").write_text("x")
    (root / "papers" / "notes.txt").write_text("x")
    with Index.open(Library.open(root)) as index:
        assert scan_manifest(root / "papers") == manifest_of(index._scan())
        assert manifest_count(scan_manifest(root / "papers")) == 8
    before = scan_manifest(root / "papers")
    one = next((root / "papers").glob("*.md"))
    st = one.stat()
    os.utime(one, ns=(st.st_atime_ns, st.st_mtime_ns + 1))  # same size, 1 ns later
    assert scan_manifest(root / "papers") != before
    # a missing folder lists nothing, as an empty one does
    assert scan_manifest(root / "gone") == manifest_of([]) == scan_manifest(root / "weeks.yaml")
