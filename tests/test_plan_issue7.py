"""Issue 7's plan defects, reproduced as a user meets them: the seed imported through the real
CLI, then the command of each item (week in a pause, bibtex import into the queue, markers in
a code fence, review dates, the wish-list series, start, tracks from group headings, dates)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS, GIT_IDENTITY, SEED, run_cli
from paperlog.library import Library
from replay import ReplayServer

TOP100 = CORPUS / "bibtex" / "terryum_top100papers.bib"


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed imported once per module through the CLI; each test works on a copy."""
    if not SEED.is_file():
        pytest.skip(f"real data folder {SEED.parent.parent} is absent: no seed README")
    root = tmp_path_factory.mktemp("seed") / "lib"
    assert run_cli("init", library=root).returncode == 0
    result = run_cli("import", "readme", str(SEED), library=root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def seeded(seeded_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the imported seed."""
    root = tmp_path / "lib"
    shutil.copytree(seeded_template, root)
    return root


def _json(*args: str, library: Path) -> Any:
    result = run_cli(*args, "--json", library=library)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _commit_hand_edits(root: Path) -> None:
    """Commit what the test edited by hand, as a user would, when the library is a git
    repository (a library that commits each change refuses to write over uncommitted edits)."""
    if not (root / ".git").exists():
        return
    env = {**os.environ, **GIT_IDENTITY}
    subprocess.run(["git", "add", "-A", "papers"], cwd=root, env=env, check=True)
    subprocess.run(["git", "commit", "-qm", "hand edits"], cwd=root, env=env, check=False)


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".paperlog" not in p.parts
    }


# --- item 2: a date outside every reading week ------------------------------------------------


def test_week_in_a_pause_says_so_and_names_the_next_week(seeded: Path) -> None:
    result = run_cli("week", "--date", "2020-09-15", library=seeded)
    assert result.returncode == 0, result.stderr
    assert "no reading week on 2020-09-15" in result.stdout
    assert "the next one would be Wk12 starting 2020-10-13" in result.stdout
    # none of October's papers
    assert "dual-teacher-2020" not in result.stdout
    data = _json("week", "--date", "2020-09-15", library=seeded)
    assert data["week"] is None and data["exists"] is False
    assert data["next"] == {"week": 12, "week_start": "2020-10-13"}
    assert data["groups"] == []


def test_week_before_the_first_week_says_so(seeded: Path) -> None:
    result = run_cli("week", "--date", "2019-01-01", library=seeded)
    assert result.returncode == 0, result.stderr
    assert "no reading week on 2019-01-01" in result.stdout
    assert "the next one would be Wk0 starting 2020-06-15" in result.stdout
    assert "prelu-2015" not in result.stdout


def test_week_of_a_logged_week_and_after_the_last_still_work(seeded: Path) -> None:
    inside = _json("week", "--date", "2020-10-14", library=seeded)
    assert inside["week"] == 12 and inside["exists"] is True and inside["read"] > 0
    after = _json("week", "--date", "2021-03-03", library=seeded)
    # not read in yet: the week a reading that day would open
    assert after["week"] is None and after["exists"] is False
    assert after["next"] == {"week": 14, "week_start": "2021-03-01"}


# --- items 3 and 4: import bibtex ----------------------------------------------------------


def test_bibtex_import_appends_to_the_queue_in_file_order(seeded: Path) -> None:
    if not TOP100.is_file():
        pytest.skip(f"{TOP100} is absent")
    before = _json("queue", library=seeded)
    report = _json("import", "bibtex", str(TOP100), library=seeded)
    queue = _json("queue", library=seeded)
    assert queue[: len(before)] == before
    new = queue[len(before) :]
    assert len(new) > 90
    assert [p["position"] for p in queue] == list(range(1, len(queue) + 1))
    ranks = [p["rank"] for p in queue]
    assert ranks == sorted(set(ranks))  # the README's (1024 apart), then the file's after them
    # file order: the import reports its new keys in the order of the file
    assert [p["key"] for p in new] == report["keys"]
    assert new[0]["title"].startswith("Deep neural networks are easily fooled")
    lib = Library.open(seeded)
    papers = {p.key: p for p in lib.load_papers()}
    assert {papers[p["key"]].added for p in new} == {date.today()}
    doctor = run_cli("doctor", "--json", library=seeded)
    codes = {f["code"] for f in json.loads(doctor.stdout)["findings"]}
    assert "unranked" not in codes


def test_bibtex_import_of_a_file_without_entries_is_exit_4(seeded: Path, tmp_path: Path) -> None:
    empty = tmp_path / "hostname"
    empty.write_text("myhost\n", encoding="utf-8")
    before = _files(seeded)
    result = run_cli("import", "bibtex", str(empty), library=seeded)
    assert result.returncode == 4, result.stdout
    assert "no BibTeX entry" in result.stderr and str(empty) in result.stderr
    assert _files(seeded) == before


# --- item 5: markers inside a code fence ----------------------------------------------------


def test_render_refuses_a_file_whose_markers_are_only_in_a_code_fence(
    seeded: Path, tmp_path: Path
) -> None:
    target = tmp_path / "OTHER.md"
    text = (
        "# My project\n\nTo use paperlog, put these in your README:\n\n```markdown\n"
        "<!-- paperlog:begin -->\n<!-- paperlog:end -->\n```\n\nThe end.\n"
    )
    target.write_text(text, encoding="utf-8")
    result = run_cli("render", "readme", "--output", str(target), "--no-charts", library=seeded)
    assert result.returncode == 4, result.stdout
    assert "no paperlog markers" in result.stderr
    assert target.read_text(encoding="utf-8") == text


def test_render_splices_real_markers_after_a_fenced_example(seeded: Path, tmp_path: Path) -> None:
    target = tmp_path / "OTHER.md"
    text = (
        "# Mine\n\n~~~\n<!-- paperlog:begin -->\nexample\n<!-- paperlog:end -->\n~~~\n\n"
        "<!-- paperlog:begin -->\nold\n<!-- paperlog:end -->\n\nFooter.\n"
    )
    target.write_text(text, encoding="utf-8")
    result = run_cli("render", "readme", "--output", str(target), "--no-charts", library=seeded)
    assert result.returncode == 0, result.stderr
    out = target.read_text(encoding="utf-8")
    assert out.startswith("# Mine\n\n~~~\n<!-- paperlog:begin -->\nexample\n")
    assert "\nold\n" not in out and out.endswith("\n\nFooter.\n")
    assert "Wk12" in out


# --- item 8: start without a track ------------------------------------------------------------


def test_start_makes_today_suggest_an_untracked_item_first(seeded: Path) -> None:
    # the seed's queue: breadth items and a few without a track (batch-normalization, ...)
    first = _json("today", "--date", "2020-11-02", library=seeded)
    assert first["key"] != "selective-kernel-networks"
    assert run_cli("start", "selective-kernel-networks", library=seeded).returncode == 0
    today = _json("today", "--date", "2020-11-02", library=seeded)
    assert today["key"] == "selective-kernel-networks"
    assert "already started" in today["reason"]


# --- item 9: a track from the group heading, everywhere ----------------------------------------


def test_done_with_a_depth_group_sets_the_track(seeded: Path) -> None:
    result = run_cli(
        "done",
        "batch-normalization",
        "--date",
        "2020-11-02",
        "--group",
        "Depth: Normalization",
        library=seeded,
    )
    assert result.returncode == 0, result.stderr
    paper = Library.open(seeded).load_paper("batch-normalization")
    assert paper.track == "depth"
    assert paper.readings[-1].group == "Depth: Normalization"


def test_the_group_rule_is_the_import_rule() -> None:
    from paperlog.model import Plan

    plan = Plan()
    assert plan.track_for_group("Depth: Semi-Supervised Segmentation") == "depth"
    assert plan.track_for_group("breadth : classics") == "breadth"
    assert plan.track_for_group("Depthwise convolutions") is None
    assert plan.track_for_group(None) is None
    assert plan.track_for_group("Biomedical Semi-Supervised Learning") is None


def test_add_read_and_add_with_a_track_group_set_the_track(
    tmp_path: Path, server: ReplayServer
) -> None:
    from test_add import SIMCLR_ARXIV, cli, new_library, simclr_routes

    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    read = cli(
        lib,
        server,
        "add",
        SIMCLR_ARXIV,
        "--read",
        "--date",
        "2020-07-08",
        "--group",
        "Depth: Contrastive",
        "--key",
        "simclr",
    )
    assert read.returncode == 0, read.stderr
    assert lib.load_paper("simclr").track == "depth"
    other = new_library(tmp_path / "other")
    wish = cli(other, server, "add", SIMCLR_ARXIV, "--group", "Breadth : Classics", "--key", "s")
    assert wish.returncode == 0, wish.stderr
    assert other.load_paper("s").track == "breadth"


# --- items 6 and 21: review dates, cards not due, its notes ------------------------------------


def _with_key_ideas(root: Path, key: str) -> Path:
    path = root / "papers" / f"{key}.md"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n## Key ideas\n- few labels, dense 3D output\n",
        encoding="utf-8",
    )
    # A library made by init commits each change, and refuses to write over uncommitted
    # edits: commit this one as a user would.
    subprocess.run(
        ["git", "commit", "-qm", "key ideas", str(path.relative_to(root))],
        cwd=root,
        env={**os.environ, **GIT_IDENTITY},
        check=True,
    )
    return path


def test_review_refuses_a_future_date(seeded: Path) -> None:
    path = _with_key_ideas(seeded, "3d-unet-2016")
    before = path.read_bytes()
    result = run_cli(
        "review", "--grade", "3d-unet-2016=again", "--date", "2030-01-01", library=seeded
    )
    assert result.returncode == 4, result.stdout
    assert "after today" in result.stderr
    assert path.read_bytes() == before


def test_grading_a_card_not_due_needs_force(seeded: Path) -> None:
    path = _with_key_ideas(seeded, "3d-unet-2016")
    first = run_cli(
        "review", "--grade", "3d-unet-2016=good", "--date", "2020-07-26", library=seeded
    )
    assert first.returncode == 0, first.stderr
    graded = path.read_bytes()
    again = run_cli(
        "review", "--grade", "3d-unet-2016=good", "--date", "2020-07-27", library=seeded
    )
    assert again.returncode == 4, again.stdout
    assert "not due until" in again.stderr and "--force" in again.stderr
    assert path.read_bytes() == graded
    forced = run_cli(
        "review", "--grade", "3d-unet-2016=good", "--date", "2020-07-27", "--force", library=seeded
    )
    assert forced.returncode == 0, forced.stderr
    assert path.read_bytes() != graded


def test_a_paper_not_read_yet_is_not_due(seeded: Path) -> None:
    _with_key_ideas(seeded, "3d-unet-2016")  # read in Wk5, 2020-07-20
    early = run_cli(
        "review", "--grade", "3d-unet-2016=good", "--date", "2020-07-01", library=seeded
    )
    assert early.returncode == 4 and "not read" in early.stderr


def test_the_review_day_note_once_and_never_on_errors(seeded: Path) -> None:
    _with_key_ideas(seeded, "3d-unet-2016")
    bad = run_cli("review", "--grade", "3d-unet-2016=maybe", "--date", "2020-07-27", library=seeded)
    assert bad.returncode != 0
    assert "reviews on" not in bad.stderr
    monday = ("review", "--list", "--date", "2020-07-27")
    first = run_cli(*monday, library=seeded)
    assert first.returncode == 0, first.stderr
    assert first.stderr.count("the plan reviews on sun") == 1
    second = run_cli(*monday, library=seeded)
    assert "reviews on" not in second.stderr
    sunday = run_cli("review", "--list", "--date", "2020-07-26", library=seeded)
    assert "reviews on" not in sunday.stderr


def test_nothing_to_review_says_how_to_add_key_ideas(seeded: Path) -> None:
    result = run_cli("review", "--list", "--date", "2020-07-26", library=seeded)
    assert result.returncode == 0, result.stderr
    assert "Nothing to review" in result.stdout
    assert "## Key ideas" in result.stdout


# --- item 7: the wish-list series ---------------------------------------------------------------


def test_reading_a_wish_list_paper_moves_it_out_of_the_wish_list(seeded: Path) -> None:
    before = _json("stats", library=seeded)["wishlist"]
    assert {p["size"] for p in before} == {13}
    done = run_cli("done", "nce", "--date", "2020-10-21", library=seeded)  # Wk13
    assert done.returncode == 0, done.stderr
    after = {p["week"]: p for p in _json("stats", library=seeded)["wishlist"]}
    # it waited from the first week on and left in the week it was read
    assert after[12]["size"] == 13 and after[12]["read"] == 0
    assert after[13]["size"] == 12 and after[13]["read"] == 1
    assert _json("stats", library=seeded)["totals"]["wishlist"] == 12


# --- item 19: dates in words, pins in the past, unknown topics, empty filters -------------------


@pytest.mark.parametrize(
    "args",
    [
        ("week", "--date", "2020-02-30"),
        ("today", "--date", "2020-02-30"),
        ("done", "nce", "--date", "2020-02-30"),
        ("skip", "--date", "2020-02-30"),
        ("review", "--list", "--date", "2020-02-30"),
        ("stats", "--date", "2020-02-30"),
        ("export", "ics", "--date", "2020-02-30"),
        ("queue", "pin", "nce", "2020-02-30"),
    ],
)
def test_a_wrong_day_is_refused_in_words(seeded: Path, args: tuple[str, ...]) -> None:
    before = _files(seeded)
    result = run_cli(*args, library=seeded)
    assert result.returncode == 2, result.stdout
    assert "not a date: February has 29 days in 2020" in result.stderr
    assert "%Y" not in result.stderr
    assert _files(seeded) == before


def test_other_wrong_days_in_words(seeded: Path) -> None:
    month = run_cli("week", "--date", "2021-13-01", library=seeded)
    assert "not a date: there is no month 13" in month.stderr
    shape = run_cli("week", "--date", "yesterday", library=seeded)
    assert "not a date: 'yesterday'" in shape.stderr and "YYYY-MM-DD" in shape.stderr
    common = run_cli("week", "--date", "2021-04-31", library=seeded)
    assert "not a date: April has 30 days" in common.stderr


def test_pin_refuses_a_past_day(seeded: Path) -> None:
    before = _files(seeded)
    result = run_cli("queue", "pin", "nce", "2020-01-06", library=seeded)
    assert result.returncode == 4, result.stdout
    assert "2020-01-06 is in the past" in result.stderr
    assert _files(seeded) == before


def test_search_with_an_unknown_topic_names_the_known_codes(seeded: Path) -> None:
    result = run_cli("search", "--topic", "Xyz", library=seeded)
    assert result.returncode == 4, result.stdout
    assert "xyz" in result.stderr.lower() and "Gml" in result.stderr and "Vid" in result.stderr
    inline = run_cli("search", "topic:Xyz", "segmentation", library=seeded)
    assert inline.returncode == 4 and "Uns" in inline.stderr
    known = run_cli("search", "--topic", "uns", library=seeded)
    assert known.returncode == 0, known.stderr


def test_an_empty_filter_is_an_error(seeded: Path) -> None:
    result = run_cli("search", "year:", library=seeded)
    assert result.returncode != 0
    assert "year: needs a value" in result.stderr


# --- item 18: doctor groups, exit codes, says what it fixed ---------------------------------------


def test_doctor_groups_findings_and_exits_1_until_clean(seeded: Path) -> None:
    if not TOP100.is_file():
        pytest.skip(f"{TOP100} is absent")
    for paper in (seeded / "papers").glob("*.md"):
        text = paper.read_text(encoding="utf-8")
        # 60-odd papers lose their rank and citation key, as a hand edit or an old version left
        if "status: read" in text:
            paper.write_text(text.replace("citekey:", "old_citekey:"), encoding="utf-8")
    queue = [p["key"] for p in _json("queue", library=seeded)]
    for key in queue:
        path = seeded / "papers" / f"{key}.md"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(x for x in lines if not x.startswith("rank:")), encoding="utf-8")
    _commit_hand_edits(seeded)
    report = run_cli("doctor", library=seeded)
    assert report.returncode == 1, report.stderr
    lines = report.stdout.splitlines()
    unranked = [x for x in lines if "without a rank" in x]
    assert len(unranked) == 1
    assert unranked[0].startswith(
        f"[unranked] {len(queue)} papers on the wish-list without a rank: "
    )
    assert "more" in unranked[0]
    assert sum("without a rank" in x for x in lines) == 1
    fixed = run_cli("doctor", "--fix", library=seeded)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert f"fixed [unranked] {len(queue)} papers on the wish-list without a rank" in fixed.stdout
    assert "Changed: weeks.yaml and " in fixed.stdout and "paper files" in fixed.stdout
    clean = run_cli("doctor", library=seeded)
    assert clean.returncode == 0 and clean.stdout.strip() == "No problems found."
    data = _json("doctor", library=seeded)
    assert data["clean"] is True


# --- item 20: cite keys are given on entry; export writes no paper file --------------------------


def test_import_readme_gives_every_paper_its_citekey_once(seeded: Path) -> None:
    papers = Library.open(seeded).load_papers()
    assert all(p.citekey for p in papers)
    before = _files(seeded)
    out = run_cli("export", "bibtex", library=seeded)
    assert out.returncode == 0, out.stderr
    assert _files(seeded) == before
    keys = {p.citekey for p in papers}
    assert all(f"{{{k}," in out.stdout for k in keys)


def test_export_of_an_old_library_writes_nothing_and_says_how(seeded: Path) -> None:
    for paper in (seeded / "papers").glob("*.md"):
        lines = paper.read_text(encoding="utf-8").splitlines(keepends=True)
        paper.write_text(
            "".join(x for x in lines if not x.startswith("citekey:")), encoding="utf-8"
        )
    _commit_hand_edits(seeded)
    before = _files(seeded)
    out = run_cli("export", "bibtex", library=seeded)
    assert out.returncode == 0, out.stderr
    assert _files(seeded) == before
    assert "doctor --fix" in out.stderr
    fixed = run_cli("doctor", "--fix", library=seeded)
    assert "no-citekey" in fixed.stdout
    assert all(p.citekey for p in Library.open(seeded).load_papers())
    saved = _files(seeded)
    again = run_cli("export", "bibtex", library=seeded)
    assert again.returncode == 0 and _files(seeded) == saved
    assert "doctor --fix" not in again.stderr


# --- item 10: charts a README can show ---------------------------------------------------------


def _multi_year(root: Path) -> Path:
    """Three reading spells over five years (2019, 2021, 2023 into 2024), five readings a
    week."""
    from paperlog.model import Paper, Reading, Topic, WeekInfo

    lib = Library.create(root)
    lib.config.topics = [Topic(f"T{i}", f"Topic number {i}") for i in range(8)]
    lib.save_config()
    papers, weeks = [], []
    number = 0
    for year in (2019, 2021, 2023):
        monday = date(year, 1, 7) - timedelta(days=date(year, 1, 7).weekday())
        for week in range(53 if year == 2023 else 40):  # the last spell fills a whole year
            number += 1
            start = monday + timedelta(weeks=week)
            weeks.append(WeekInfo(number, start))
            for day in range(5):
                key = f"p{number}-{day}"
                reading = Reading(number, start, "G", start + timedelta(days=day), day + 1)
                papers.append(
                    Paper(
                        key,
                        f"Paper {key}",
                        status="read",
                        readings=[reading],
                        topics=[f"T{(number + day) % 8}"],
                        venue=["CVPR", "ICCV", "NeurIPS", "ICML", "MICCAI"][day],
                        citekey=key,
                    )
                )
    lib.write_all(papers=papers, weeks=sorted(weeks, key=lambda w: -w.week))
    return root


def _chart_checks(charts: Path) -> dict[str, str]:
    svgs = {p.name: p.read_text(encoding="utf-8") for p in sorted(charts.glob("*.svg"))}
    assert len(svgs) >= 3  # the seed names no topic on its read papers: no topic chart
    for name, text in svgs.items():
        size = (charts / name).stat().st_size
        assert size <= 100_000, f"{name} is {size} bytes"
        assert 'id="legend_1"' in text, f"{name} has no legend"
    return svgs


def test_charts_of_a_multi_year_library_stay_small_and_readable(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    root = _multi_year(tmp_path / "lib")
    result = run_cli("stats", "--charts", str(root / "charts"), "--json", library=root)
    assert result.returncode == 0, result.stderr
    svgs = _chart_checks(root / "charts")
    calendar = ET.fromstring(svgs["reading-calendar.svg"])
    days = sorted(
        el.get("id", "")[4:] for el in calendar.iter() if el.get("id", "").startswith("day-")
    )
    # the last 12 months up to the last reading, not a strip since 2019
    assert "2022-12-25" <= days[0] <= "2023-01-07" and "2023-12-31" <= days[-1] <= "2024-01-10"
    assert len(days) <= 54 * 7
    for name, text in svgs.items():  # GitHub shows a README 880 px wide; 1 pt is 4/3 px
        width = float(ET.fromstring(text).get("width", "0pt").removesuffix("pt"))
        assert width * 4 / 3 <= 880, f"{name} is {width} pt wide"
    assert "readings a day" in svgs["reading-calendar.svg"]
    assert "met the target" in svgs["papers-per-week.svg"]
    everything = run_cli("stats", "--charts", str(root / "all"), "--months", "0", library=root)
    assert everything.returncode == 0, everything.stderr
    full = (root / "all" / "reading-calendar.svg").read_text(encoding="utf-8")
    assert 'id="day-2019-01-07"' in full


def test_charts_of_the_seed_have_legends(seeded: Path) -> None:
    result = run_cli("stats", "--charts", str(seeded / "charts"), library=seeded)
    assert result.returncode == 0, result.stderr
    _chart_checks(seeded / "charts")


# --- item 22: help texts -------------------------------------------------------------------------

PLAN_COMMANDS = [
    ["today"],
    ["done"],
    ["start"],
    ["skip"],
    ["week"],
    ["queue"],
    ["queue", "up"],
    ["queue", "down"],
    ["queue", "top"],
    ["queue", "pin"],
    ["queue", "unpin"],
    ["doctor"],
    ["review"],
    ["stats"],
    ["export", "ics"],
    ["export", "bibtex"],
    ["export", "csljson"],
    ["import", "bibtex"],
    ["import", "readme"],
    ["render", "readme"],
]


@pytest.mark.parametrize("path", PLAN_COMMANDS, ids=" ".join)
def test_help_shows_yyyy_mm_dd_and_ends_with_examples(path: list[str]) -> None:
    result = run_cli(*path, "--help")
    assert result.returncode == 0, result.stderr
    assert "%Y" not in result.stdout
    text = result.stdout.split("\nOptions:")[0].rstrip().splitlines()
    start = text.index("  Examples:")
    examples = [line.strip() for line in text[start + 1 :]]
    assert 1 <= len(examples) <= 2
    assert all(line.startswith("paperlog ") for line in examples), examples
    if "--date" in result.stdout:
        assert "--date YYYY-MM-DD" in result.stdout
