"""Any KEY a command takes may be the key, cite key, arXiv ID or DOI, nickname, alias, a unique
prefix or a close spelling (issue 7 item 15); none unique -> "did you mean ...". Through the real
CLI, for every command that takes a KEY."""

from __future__ import annotations

import json
from datetime import date

import pytest

from conftest import run_cli
from paperlog.library import Library
from paperlog.lookup import Entry, choose_key, normalize_name
from paperlog.model import Paper, Reading

WK1 = date(2020, 6, 22)


@pytest.fixture
def lib(library: Library) -> Library:
    library.save_papers(
        [
            Paper(
                key="u-net-2015",
                title="Convolutional Networks for Biomedical Image Segmentation",
                nickname="U-Net",
                status="read",
                year=2015,
                citekey="ronneberger2015unet",
                ids={"arxiv": "1505.04597"},
                readings=[Reading(1, WK1, order=0)],
                takeaways=["skip connections keep the detail"],
            ),
            Paper(
                key="3d-unet-2016",
                title="3D UNet: Learning Dense Volumetric Segmentation",
                status="wish",
                rank=2,
            ),
            Paper(
                key="batch-normalization-2015",
                title="Batch Normalization",
                status="wish",
                rank=1,
                citekey="ioffe2015batch",
                ids={"doi": "10.5555/3045118.3045167", "arxiv": "1502.03167v3"},
                aliases=["BN"],
            ),
            Paper(key="simclr-2020", title="SimCLR", status="wish", rank=3),
            Paper(key="simclr2-2020", title="SimCLR v2", status="wish", rank=4),
        ]
    )
    return library


def _shown_key(lib: Library, typed: str) -> str:
    result = run_cli("show", typed, "--json", library=lib.root)
    assert result.returncode == 0, result.stderr
    return str(json.loads(result.stdout)["key"])


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("u-net-2015", "u-net-2015"),
        ("U-NET-2015", "u-net-2015"),
        ("ioffe2015batch", "batch-normalization-2015"),  # cite key
        ("Ioffe2015Batch", "batch-normalization-2015"),
        ("ronneberger2015unet", "u-net-2015"),
        ("1505.04597", "u-net-2015"),  # arXiv ID, with or without version or prefix
        ("arXiv:1505.04597v2", "u-net-2015"),
        ("https://arxiv.org/abs/1502.03167", "batch-normalization-2015"),
        ("10.5555/3045118.3045167", "batch-normalization-2015"),  # DOI, any case, as a URL
        ("https://doi.org/10.5555/3045118.3045167", "batch-normalization-2015"),
        ("bn", "batch-normalization-2015"),  # an alias
        ("unet", "u-net-2015"),  # the nickname, spelled without its hyphen
        ("batch-norm", "batch-normalization-2015"),  # a unique prefix
        ("batchnormalizaton", "batch-normalization-2015"),  # a close spelling
    ],
)
def test_show_finds_a_paper_by_what_the_user_typed(lib: Library, typed: str, key: str) -> None:
    assert _shown_key(lib, typed) == key


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("simclr2020", "simclr-2020"),  # exact normalised key wins over the longer one
        ("unte", "u-net-2015"),
        ("smclr", "simclr-2020 or simclr2-2020"),
    ],
)
def test_no_unique_match_suggests_close_ones(lib: Library, typed: str, suggested: str) -> None:
    result = run_cli("show", typed, "--json", library=lib.root)
    if typed == "simclr2020":
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["key"] == suggested
        return
    assert result.returncode == 3
    assert f"did you mean {suggested}?" in result.stderr
    assert result.stderr.count("\n") == 1  # one line


def test_a_shared_prefix_lists_the_candidates(lib: Library) -> None:
    result = run_cli("show", "sim", library=lib.root)
    assert result.returncode == 3
    assert "'sim' matches several papers: simclr-2020, simclr2-2020" in result.stderr


def test_every_key_command_resolves_the_same_way(lib: Library) -> None:
    """done, start, skip, queue, review --grade and enrich all accept a cite key or an ID."""
    started = run_cli("start", "ioffe2015batch", library=lib.root)
    assert started.returncode == 0, started.stderr
    assert "[batch-normalization-2015]" in started.stdout
    skipped = run_cli("skip", "BN", "--date", "2020-06-24", "--json", library=lib.root)
    assert skipped.returncode == 0, skipped.stderr
    assert json.loads(skipped.stdout)["skipped"] == "batch-normalization-2015"
    moved = run_cli("queue", "top", "3d-unet", library=lib.root)
    assert moved.returncode == 0, moved.stderr
    queue = json.loads(run_cli("queue", "--json", library=lib.root).stdout)
    assert queue[0]["key"] == "3d-unet-2016"
    graded = run_cli("review", "--grade", "unet=good", "--date", "2020-06-28", library=lib.root)
    assert graded.returncode == 0, graded.stderr
    assert lib.load_paper("u-net-2015").review  # the grade was stored
    done = run_cli("done", "arXiv:1502.03167", "--date", "2020-06-23", "--json", library=lib.root)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["key"] == "batch-normalization-2015"
    enriched = run_cli("enrich", "ronneberger2015unet", "--offline", "--json", library=lib.root)
    assert "no paper matches" not in enriched.stderr
    assert "u-net-2015" in enriched.stdout + enriched.stderr


def test_choose_key_prefers_exact_names_to_prefixes() -> None:
    entries = [
        Entry("simclr-2020", [normalize_name("simclr-2020"), "simclr"]),
        Entry("simclr-v2-2020", [normalize_name("simclr-v2-2020")]),
    ]
    assert choose_key("SimCLR", entries) == "simclr-2020"
    assert choose_key("simclr-v", entries) == "simclr-v2-2020"
