"""A mistyped KEY is looked up in the index's ``key_names`` B-tree (issue 11): it reads names,
never a paper's JSON, its cost does not grow with the library, and its answer is the one that
scoring every name gives. On the real ``Index`` over a real SQLite file, watched with SQLite's
own authorizer and progress hooks."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import run_cli
from paperlog.errors import NotFound
from paperlog.index import Index
from paperlog.library import Library
from paperlog.lookup import Entry, IndexNames, choose_key, normalize_name, resolve
from paperlog.model import Paper

NICKNAMES = ("SimCLR", "MoCo", "BYOL", "U-Net", "DeepLab", "ResNet", "ViT", "CLIP")


def _library(root: Path, count: int) -> Library:
    library = Library.create(root)
    library.save_papers(
        Paper(
            key=f"chen{i:05d}-{2010 + i % 7}",
            title=f"A study of contrastive learning, part {i}",
            nickname=f"{NICKNAMES[i % len(NICKNAMES)]}{i % 50}" if i % 3 == 0 else None,
            year=2010 + i % 7,
        )
        for i in range(count)
    )
    Index.open(library).close()
    return library


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return _library(tmp_path_factory.mktemp("small") / "lib", 400)


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return _library(tmp_path_factory.mktemp("large") / "lib", 3200)


# A wrong year: close matches at once beside it (the neighbours answer); a spelling that is
# nobody's: every name is scored (one pass in C).
NEAR_TYPO = "chen00123-2011"
FAR_TYPO = "qqqqzzzzxxxx"


def _answer(run: Callable[[], str]) -> str:
    try:
        return "found " + run()
    except NotFound as exc:
        return str(exc)


def _entries(library: Library) -> list[Entry]:
    entries = []
    for paper in library.load_papers():
        raw = [paper.key.casefold()] + ([paper.nickname.casefold()] if paper.nickname else [])
        entries.append(Entry(paper.key, [normalize_name(r) for r in raw], paper.ids, raw))
    return entries


def _in_memory(library: Library, typed: str) -> str:
    """What scoring every name in memory answers (the lookup before the ``key_names`` table)."""
    return _answer(lambda: choose_key(typed, _entries(library)))


@contextmanager
def _watched(index: Index) -> Iterator[tuple[set[tuple[str, str]], list[int]]]:
    """(table, column) of every read SQLite authorises, and the VM steps taken, meanwhile."""
    reads: set[tuple[str, str]] = set()
    steps = [0]

    def authorize(action: int, table: str | None, column: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_READ and table is not None:
            reads.add((table, column or ""))
        return sqlite3.SQLITE_OK

    def step() -> int:
        steps[0] += 1
        return 0

    conn = index._conn
    conn.set_authorizer(authorize)
    conn.set_progress_handler(step, 100)
    try:
        yield reads, steps
    finally:
        conn.set_authorizer(None)
        conn.set_progress_handler(None, 0)


@pytest.mark.parametrize("typed", [NEAR_TYPO, FAR_TYPO, "simclr", "chen0012", "SimCLR7"])
def test_a_typed_key_reads_names_and_keys_never_a_papers_data(small: Library, typed: str) -> None:
    with Index.open(small) as index, _watched(index) as (reads, _):
        _answer(lambda: resolve(typed, IndexNames(index)))
    assert reads, "the authorizer saw no read"
    tables = {table for table, _ in reads}
    assert tables <= {"key_names", "papers"}, reads
    assert {column for table, column in reads if table == "papers"} <= {"key", "ROWID", ""}


def _closeness(library: Library, typed: str, answer: str) -> list[float]:
    """How close each suggested key is to ``typed`` (its closest name's score), in order."""
    from paperlog.lookup import _InMemory, _rank

    entries = {e.key: e for e in _entries(library)}
    shown = answer.partition("did you mean ")[2].rstrip("?").split(" or ")
    wanted = normalize_name(typed)
    return [_rank(wanted, entries[key].names, _InMemory([entries[key]]))[0][1] for key in shown]


@pytest.mark.parametrize("typed", [NEAR_TYPO, "chen03001-2016", "SimCLR7", FAR_TYPO, "sim"])
def test_the_answer_is_as_good_as_scoring_every_name(
    small: Library, large: Library, typed: str
) -> None:
    """The same key taken, the same refusal, or a list whose keys are as close place by place
    (among equally close keys the neighbours may show others than the first by key)."""
    for library in (small, large):
        with Index.open(library) as index:
            answer = _answer(lambda: resolve(typed, IndexNames(index)))
        everything = _in_memory(library, typed)
        if answer != everything:
            assert "did you mean" in answer and "did you mean" in everything
            assert _closeness(library, typed, answer) == _closeness(library, typed, everything)


def test_a_mistyped_key_costs_the_same_at_eight_times_the_papers(
    small: Library, large: Library
) -> None:
    steps = {}
    for name, library in (("small", small), ("large", large)):
        with Index.open(library) as index, _watched(index) as (_, counted):
            answer = _answer(lambda: resolve(NEAR_TYPO, IndexNames(index)))
        assert "chen00123-2014 or" in answer  # a list: the neighbours answered
        steps[name] = counted[0]
    # Reading every name would take eight times the steps; the neighbours take about as many.
    assert steps["large"] < 1.5 * steps["small"], steps


def test_a_name_nobody_has_scores_every_name_and_still_reads_no_paper(large: Library) -> None:
    with Index.open(large) as index, _watched(index) as (reads, _):
        answer = _answer(lambda: resolve(FAR_TYPO, IndexNames(index)))
    assert answer == f"no paper matches {FAR_TYPO!r}; 'paperlog list' shows the keys"
    assert {table for table, _ in reads} <= {"key_names", "papers"}


def test_damaged_names_are_found_and_rebuilt_after_an_unclean_close(small: Library) -> None:
    con = sqlite3.connect(small.state_dir / "index.sqlite")
    con.execute("DELETE FROM key_names WHERE form = '~simclr24'")
    con.commit()
    con.close()
    (small.state_dir / "index.clean").unlink()
    with Index.open(small) as index:
        assert index.last_sync.rebuilt
        assert resolve("SimCLR24", IndexNames(index)) == "chen00024-2013"


def test_the_cli_says_what_was_typed_and_the_close_keys_in_one_line(small: Library) -> None:
    result = run_cli("show", NEAR_TYPO, library=small.root)
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1
    assert f"no paper matches {NEAR_TYPO!r}; did you mean " in result.stderr
    assert " chen00123-2014 or " in result.stderr
