"""``paperlog search`` through a real subprocess on a small library made in the test."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from conftest import run_cli
from paperlog.library import Library
from paperlog.model import Config, Paper, Reading, Topic


@pytest.fixture
def root(tmp_path: Path) -> Path:
    lib = Library.create(
        tmp_path / "lib", Config(topics=[Topic("Uns", "Unsupervised"), Topic("Loc", "Loc")])
    )
    papers = [
        Paper(
            key="simclr-2020",
            title="A Simple Framework for Contrastive Learning of Visual Representations",
            nickname="SimClr",
            status="read",
            year=2020,
            venue_label="2020",
            topics=["Uns"],
            track="depth",
            readings=[Reading(2, date(2020, 6, 29), "Depth: Self-Supervised", order=3)],
        ),
        Paper(
            key="mixmatch-2019",
            title="MixMatch: A Holistic Approach to Semi-Supervised Learning",
            status="read",
            year=2019,
            venue="NeurIPS",
            venue_label="NIPS 2019",
            topics=["Uns"],
            track="depth",
            readings=[Reading(13, date(2020, 10, 20), "Semi-Supervised Learning", order=2)],
        ),
        Paper(
            key="unet-2015",
            title="U-Net: Convolutional Networks for Biomedical Image Segmentation",
            status="read",
            year=2015,
            venue="MICCAI",
            venue_label="MICCAI 2015",
            topics=["Loc"],
            track="breadth",
            readings=[Reading(3, date(2020, 7, 6), "Breadth: Segmentation", order=0)],
            notes="Contrastive pretraining would help here.\n",
        ),
        Paper(
            key="l3-learning-theory-2018",
            title="L3 Introduction to Statistical Learning Theory",
            kind="lecture",
            status="read",
            year=2018,
            venue_label="2018",
            readings=[Reading(11, date(2020, 8, 31), "Bloomberg", order=0)],
        ),
        Paper(
            key="tech-debt-2015",
            title="Hidden Technical Debt in Machine Learning Systems",
            year=2015,
            venue="NeurIPS",
            venue_label="NIPS 2015",
            wish_group="Breadth: ML Perspectives",
            rank=1,
        ),
    ]
    lib.save_papers(papers)
    return lib.root


def _json_keys(*args: str, root: Path) -> list[str]:
    result = run_cli("search", *args, "--json", library=root)
    assert result.returncode == 0, result.stderr
    return [item["key"] for item in json.loads(result.stdout)]


def test_words_best_match_first(root: Path) -> None:
    # Title hit before a notes-only hit.
    assert _json_keys("contrastive", root=root) == ["simclr-2020", "unet-2015"]


def test_json_objects_are_paper_views(root: Path) -> None:
    result = run_cli("search", "holistic", "--json", library=root)
    (item,) = json.loads(result.stdout)
    assert item["key"] == "mixmatch-2019"
    assert item["venue"] == "NeurIPS" and item["venue_label"] == "NIPS 2019"
    assert item["readings"] == [
        {"week": 13, "week_start": "2020-10-20", "group": "Semi-Supervised Learning", "date": None}
    ]


def test_venue_alias_finds_canonical_venue(root: Path) -> None:
    assert sorted(_json_keys("--venue", "NIPS", root=root)) == ["mixmatch-2019", "tech-debt-2015"]
    assert sorted(_json_keys("venue:neurips", root=root)) == ["mixmatch-2019", "tech-debt-2015"]


def test_filters_as_options_and_in_words_agree(root: Path) -> None:
    by_options = _json_keys(
        "learning", "--year", "2018..2020", "--topic", "Uns", "--status", "read", root=root
    )
    in_words = _json_keys("learning year:2018..2020 topic:uns status:read", root=root)
    assert sorted(by_options) == sorted(in_words) == ["mixmatch-2019", "simclr-2020"]


def test_each_filter(root: Path) -> None:
    assert _json_keys("--kind", "lecture", root=root) == ["l3-learning-theory-2018"]
    assert _json_keys("--week", "2..3", root=root) == ["unet-2015", "simclr-2020"]
    assert _json_keys("--week", "13", root=root) == ["mixmatch-2019"]
    assert sorted(_json_keys("--track", "breadth", root=root)) == ["unet-2015"]
    assert _json_keys("--status", "wish", root=root) == ["tech-debt-2015"]
    assert sorted(_json_keys("--year", "..2015", root=root)) == ["tech-debt-2015", "unet-2015"]


def test_filters_only_list_newest_reading_first(root: Path) -> None:
    assert _json_keys("--status", "read", root=root) == [
        "mixmatch-2019",
        "l3-learning-theory-2018",
        "unet-2015",
        "simclr-2020",
    ]


def test_limit_and_exact_phrase(root: Path) -> None:
    full = _json_keys("learning", root=root)
    assert len(full) == 4
    assert _json_keys("learning", "--limit", "2", root=root) == full[:2]
    assert _json_keys('"technical debt"', root=root) == ["tech-debt-2015"]
    assert _json_keys('"debt technical"', root=root) == []


def test_no_match_is_an_empty_list(root: Path) -> None:
    assert _json_keys("zzzzqqq", root=root) == []


def test_table_when_piped_is_tab_separated(root: Path) -> None:
    result = run_cli("search", "simclr", library=root)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    # the columns of `list`, in the same order
    key, kind, status, year, venue, weeks, title = line.split("\t")
    assert (key, kind, status, year, venue, weeks) == (
        "simclr-2020",
        "paper",
        "read",
        "2020",
        "2020",
        "Wk2",
    )
    assert title.startswith("SimClr: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--year", "abc"), "year: 'abc' is not a number or range"),
        (("--status", "done"), "status: 'done' is not one of"),
        (("week:x",), "week: 'x'"),
        (("--limit", "0"), "--limit"),
    ],
)
def test_bad_query_is_a_usage_error(root: Path, args: tuple[str, ...], message: str) -> None:
    result = run_cli("search", *args, library=root)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_awkward_text_never_crashes(root: Path) -> None:
    result = run_cli("search", '"unclosed', "*", "-", ":", "(NEAR", "AND", library=root)
    assert result.returncode == 0, result.stderr


def test_broken_paper_file_is_skipped_naming_file_and_line(root: Path) -> None:
    """One hand-edit mistake does not hide the library: the file is skipped with a warning
    (issue 8 item 5); a command on that paper fails (tests/test_hand_edits.py)."""
    before = _json_keys("learning", root=root)
    bad = root / "papers" / "broken.md"
    bad.write_text("---\ntitle: ok\nyear: [2019\n---\n", encoding="utf-8")
    result = run_cli("search", "learning", library=root)
    assert result.returncode == 0
    assert result.stderr.startswith(f"warning: {bad}:4: broken YAML")
    assert len(result.stderr.strip().splitlines()) == 1
    assert _json_keys("learning", root=root) == before


def test_deleting_the_index_is_safe(root: Path) -> None:
    before = _json_keys("learning", root=root)
    shutil.rmtree(root / ".paperlog")
    assert _json_keys("learning", root=root) == before
    assert (root / ".paperlog" / "index.sqlite").is_file()


def test_concurrent_searches_on_a_fresh_library_all_succeed(root: Path) -> None:
    # Four processes race to create and fill the index; each must wait its turn, none fail.
    with ThreadPoolExecutor(4) as pool:
        results = list(
            pool.map(lambda _: run_cli("search", "learning", "--json", library=root), range(4))
        )
    for result in results:
        assert result.returncode == 0, result.stderr
    keys = [[item["key"] for item in json.loads(r.stdout)] for r in results]
    assert all(k == keys[0] for k in keys) and len(keys[0]) == 4


def test_edits_show_up_without_a_refresh(root: Path) -> None:
    assert _json_keys("zebrafish", root=root) == []
    lib = Library.open(root)
    paper = lib.load_paper("unet-2015")
    paper.notes += "Zebrafish embryo data.\n"
    lib.save_paper(paper)
    assert _json_keys("zebrafish", root=root) == ["unet-2015"]
    lib.delete_paper("unet-2015")
    assert _json_keys("zebrafish", root=root) == []


def test_help_documents_every_filter() -> None:
    result = run_cli("search", "--help")
    assert result.returncode == 0
    for option in ("--year", "--venue", "--topic", "--track", "--status", "--week", "--kind"):
        assert option in result.stdout
