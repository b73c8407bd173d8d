"""The library commands through a real subprocess: init, list, show, resources, weeks, topics."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from conftest import run_cli
from paperlog.library import Library
from paperlog.model import (
    Config,
    Link,
    Paper,
    Reading,
    ResourceGroup,
    ResourceItem,
    ResourceSection,
    Topic,
    WeekInfo,
)


def _small_library(root: Path) -> Library:
    lib = Library.create(root, Config(title="T", topics=[Topic("Uns", "Unsupervised", "GAN, VAE")]))
    lib.save_papers(
        [
            Paper(
                key="simclr-2020",
                title="A Simple Framework for Contrastive Learning of Visual Representations",
                nickname="SimClr",
                status="read",
                year=2020,
                venue_label="2020",
                ids={"arxiv": "2002.05709"},
                url="https://arxiv.org/abs/2002.05709",
                links=[Link("Notes", "https://example.org/n")],
                topics=["Uns"],
                track="depth",
                readings=[Reading(2, date(2020, 6, 29), "Depth: Self-Supervised", order=0)],
                notes="\n## Key ideas\n- big batches\n",
            ),
            Paper(
                key="l3-statistical-learning-2018",
                title="L3 Introduction to Statistical Learning Theory",
                kind="lecture",
                status="read",
                year=2018,
                readings=[Reading(11, date(2020, 8, 31), "Bloomberg", order=0)],
            ),
            Paper(key="batch-norm", title="Batch Normalization", status="wish", rank=1),
        ]
    )
    lib.save_weeks(
        [
            WeekInfo(11, date(2020, 8, 31), note="reduced reading", groups=["Bloomberg"]),
            WeekInfo(2, date(2020, 6, 29), groups=["Depth: Self-Supervised"]),
        ]
    )
    lib.save_resources(
        [
            ResourceSection(
                "Courses & Books",
                groups=[
                    ResourceGroup(
                        "Fundamentals",
                        [
                            ResourceItem(
                                "Stanford CS231n",
                                [Link("site", "http://cs231n.stanford.edu/")],
                                "⭐",
                            )
                        ],
                    )
                ],
            )
        ]
    )
    return lib


def test_init_creates_missing_folder(tmp_path: Path) -> None:
    root = tmp_path / "new" / "lib"
    result = run_cli("init", "--title", "My log", library=root)
    assert result.returncode == 0, result.stderr
    assert (root / "paperlog.toml").is_file()
    assert (root / "papers").is_dir()
    assert (root / ".git").is_dir()
    assert ".paperlog/" in (root / ".gitignore").read_text(encoding="utf-8")
    assert Library.open(root).config.title == "My log"
    again = run_cli("init", library=root)
    assert again.returncode != 0
    assert "already exists" in again.stderr


def test_init_takes_a_folder_argument(tmp_path: Path) -> None:
    result = run_cli("init", "reading", "--no-git", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "reading" / "paperlog.toml").is_file()
    assert not (tmp_path / "reading" / ".git").exists()


def test_list_json_fields(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    _small_library(root)
    result = run_cli("list", "--json", library=root)
    assert result.returncode == 0, result.stderr
    items = {d["key"]: d for d in json.loads(result.stdout)}
    assert set(items) == {"simclr-2020", "l3-statistical-learning-2018", "batch-norm"}
    simclr = items["simclr-2020"]
    for field in (
        "key",
        "kind",
        "title",
        "nickname",
        "year",
        "venue",
        "venue_label",
        "ids",
        "url",
        "links",
        "status",
        "track",
        "topics",
        "readings",
    ):
        assert field in simclr
    assert simclr["ids"] == {"arxiv": "2002.05709"}  # absent ids are left out, never null
    assert simclr["readings"] == [
        {"week": 2, "week_start": "2020-06-29", "group": "Depth: Self-Supervised", "date": None}
    ]
    assert simclr["links"] == [{"label": "Notes", "url": "https://example.org/n"}]
    assert items["batch-norm"]["status"] == "wish"


def test_list_filters_by_kind_and_status(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    _small_library(root)
    lectures = json.loads(run_cli("list", "--kind", "lecture", "--json", library=root).stdout)
    assert [d["key"] for d in lectures] == ["l3-statistical-learning-2018"]
    wish = json.loads(run_cli("list", "--status", "wish", "--json", library=root).stdout)
    assert [d["key"] for d in wish] == ["batch-norm"]
    table = run_cli("list", library=root)
    assert table.returncode == 0
    assert "SimClr: A Simple Framework" in table.stdout


def test_show_by_nickname_and_prefix(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    _small_library(root)
    shown = run_cli("show", "SimClr", library=root)
    assert shown.returncode == 0, shown.stderr
    assert "2002.05709" in shown.stdout and "big batches" in shown.stdout
    data = json.loads(run_cli("show", "simc", "--json", library=root).stdout)
    assert data["key"] == "simclr-2020" and "big batches" in data["notes"]
    missing = run_cli("show", "nothing-like-this", library=root)
    assert missing.returncode == 3
    assert "no paper matches" in missing.stderr


def test_weeks_resources_topics_json(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    _small_library(root)
    weeks = json.loads(run_cli("weeks", "--json", library=root).stdout)
    assert [w["week"] for w in weeks] == [11, 2]
    assert weeks[0] == {
        "week": 11,
        "week_start": "2020-08-31",
        "note": "reduced reading",
        "groups": [{"name": "Bloomberg", "keys": ["l3-statistical-learning-2018"]}],
    }
    resources = json.loads(run_cli("resources", "--json", library=root).stdout)
    item = resources[0]["groups"][0]["items"][0]
    assert item == {
        "title": "Stanford CS231n",
        "star": "⭐",
        "links": [{"label": "site", "url": "http://cs231n.stanford.edu/"}],
    }
    topics = json.loads(run_cli("topics", "--json", library=root).stdout)
    assert topics == [
        {"code": "Uns", "name": "Unsupervised", "description": "GAN, VAE", "count": 1}
    ]


def test_library_found_from_env_and_parent_folder(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    _small_library(root)
    by_env = run_cli("list", "--json", env={"PAPERLOG_LIBRARY": str(root)})
    assert by_env.returncode == 0 and len(json.loads(by_env.stdout)) == 3
    by_cwd = run_cli("list", "--json", cwd=root / "papers")
    assert by_cwd.returncode == 0 and len(json.loads(by_cwd.stdout)) == 3


def test_missing_library_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("list", cwd=tmp_path)
    assert result.returncode == 5
    assert result.stderr.startswith("paperlog: error: no library here")
    assert len(result.stderr.strip().splitlines()) == 1


def test_broken_paper_file_names_file_and_line(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    _small_library(root)
    bad = root / "papers" / "broken.md"
    bad.write_text("---\ntitle: Broken\nyear: [2019\n---\n", encoding="utf-8")
    result = run_cli("list", library=root)
    assert result.returncode == 0  # skipped with a warning: the rest of the library is listed
    assert result.stderr.startswith(f"warning: {bad}:")
    assert len(result.stderr.strip().splitlines()) == 1
    shown = run_cli("show", "broken", library=root)
    assert shown.returncode == 4
    assert f"{bad}:" in shown.stderr


def test_unknown_topic_code_is_bad_input(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    _small_library(root)
    bad = root / "papers" / "odd.md"
    bad.write_text("---\ntitle: Odd\ntopics:\n- Xyz\n---\n", encoding="utf-8")
    result = run_cli("show", "odd", library=root)
    assert result.returncode == 4
    assert f"{bad}:3: unknown topic code 'Xyz'" in result.stderr
