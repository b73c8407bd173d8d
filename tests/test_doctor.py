"""``paperlog doctor``: weeks that contradict each other or the calendar, queue problems, fixes."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_cli
from paperlog.library import Library
from paperlog.model import Paper, Reading, WeekInfo
from paperlog.plan.doctor import diagnose, run_doctor

WEEK_CODES = {"off-day-start", "same-week", "out-of-order", "no-start", "missing-week"}


def _seed_layout(seed: Path) -> list[tuple[int, date, int]]:
    """(number, start, entries) of every week heading in the real seed README."""
    weeks: list[tuple[int, date, int]] = []
    for line in seed.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"### Wk(\d+) - (\d{4})\.(\d{2})\.(\d{2})", line)
        if heading:
            number, y, m, d = (int(g) for g in heading.groups())
            weeks.append((number, date(y, m, d), 0))
        elif weeks and line.startswith("* "):
            number, start, count = weeks[-1]
            weeks[-1] = (number, start, count + 1)
    return weeks


def _build(library: Library, layout: list[tuple[int, date, int]]) -> Library:
    papers: list[Paper] = []
    infos: list[WeekInfo] = []
    for number, start, count in layout:
        infos.append(WeekInfo(number, start, groups=["G"]))
        for i in range(count):
            papers.append(
                Paper(
                    f"wk{number}-{i}",
                    f"Week {number} paper {i}",
                    status="read",
                    readings=[Reading(number, start, "G", None, i + 1)],
                )
            )
    library.write_all(papers=papers, weeks=sorted(infos, key=lambda w: -w.week))
    return library


def _week_findings(library: Library) -> list[tuple[str, int | None]]:
    findings, _ = diagnose(library.config.plan, library.load_papers(), library.load_weeks())
    return sorted((f.code, f.week) for f in findings if f.code in WEEK_CODES)


def _check_seed_fix(library: Library) -> None:
    assert _week_findings(library) == [
        ("off-day-start", 12),
        ("off-day-start", 13),
        ("same-week", 10),
    ]
    report = run_doctor(library, fix=True)
    assert report.fixed
    starts = {w.week: w.start for w in library.load_weeks()}
    # Wk10 is the later of the two 2020.08.17 weeks: it moves to the next Monday
    assert starts[9] == date(2020, 8, 17) and starts[10] == date(2020, 8, 24)
    # the Tuesday starts move back to their calendar Mondays
    assert starts[12] == date(2020, 10, 12) and starts[13] == date(2020, 10, 19)
    assert all(s is not None and s.weekday() == 0 for s in starts.values())
    # readings follow their week
    for paper in library.load_papers():
        for reading in paper.readings:
            if reading.week is not None:
                assert reading.week_start == starts[reading.week], paper.key
    assert _week_findings(library) == []
    assert not [f for f in report.remaining if f.code in WEEK_CODES | {"reading-start"}]


def test_doctor_on_the_seed_week_layout(library: Library, seed_path: Path) -> None:
    layout = _seed_layout(seed_path)
    assert len(layout) == 14
    _check_seed_fix(_build(library, layout))


def test_doctor_on_the_imported_seed(library: Library, seed_path: Path) -> None:
    readme_import = pytest.importorskip(
        "paperlog.services.import_readme", reason="the README importer has not landed yet"
    )
    readme_import.import_readme(library, seed_path)
    library = Library.open(library.root)
    _check_seed_fix(library)


def test_doctor_cli_reports_then_fixes(library: Library, seed_path: Path) -> None:
    root = _build(library, _seed_layout(seed_path)).root
    before = {p.name: p.read_bytes() for p in (root / "papers").iterdir()}
    weeks_before = (root / "weeks.yaml").read_bytes()
    report = run_cli("doctor", "--json", library=root)
    assert report.returncode == 1, report.stderr  # problems found: a pre-commit hook stops
    data = json.loads(report.stdout)
    codes = sorted((f["code"], f["week"]) for f in data["findings"] if f["code"] != "no-citekey")
    assert codes == [("off-day-start", 12), ("off-day-start", 13), ("same-week", 10)]
    same = next(f for f in data["findings"] if f["code"] == "same-week")
    assert "Wk9 and Wk10 both start 2020.08.17" in same["message"]
    assert "2020.08.24" in same["fix"]
    assert data["fixed"] is False
    # reporting writes nothing
    assert (root / "weeks.yaml").read_bytes() == weeks_before
    assert {p.name: p.read_bytes() for p in (root / "papers").iterdir()} == before
    text = run_cli("doctor", library=root)
    assert "doctor --fix" in text.stdout
    fixed = run_cli("doctor", "--fix", "--json", library=root)
    assert fixed.returncode == 0, fixed.stderr
    result = json.loads(fixed.stdout)
    assert result["fixed"] is True and result["remaining"] == []
    again = run_cli("doctor", library=root)
    assert again.stdout.strip() == "No problems found."


def test_reading_and_queue_checks_and_their_fixes(library: Library) -> None:
    papers = [
        Paper("a", "A", status="read", readings=[Reading(1, date(2024, 5, 7), "G", None, 1)]),
        Paper("b", "B", status="read", readings=[Reading(3, date(2024, 5, 20), "G", None, 1)]),
        Paper("lost", "Lost", status="read"),
        Paper("stale", "Stale", status="read", rank=2, readings=[Reading(1, date(2024, 5, 6))]),
        Paper("w1", "W1", status="wish", rank=1),
        Paper("w2", "W2", status="wish", rank=1),
        Paper("w3", "W3", status="wish"),
    ]
    weeks = [WeekInfo(2, date(2024, 5, 13)), WeekInfo(1, date(2024, 5, 6))]
    library.write_all(papers=papers, weeks=weeks)
    findings, _ = diagnose(library.config.plan, library.load_papers(), library.load_weeks())
    # papers made here have no citation key: that finding has its own test
    codes = sorted((f.code, f.key or f.week) for f in findings if f.code != "no-citekey")
    assert codes == [
        ("duplicate-rank", "w2"),
        ("missing-week", 3),
        ("rank-on-read", "stale"),
        ("read-without-reading", "lost"),
        ("reading-start", "a"),
        ("unranked", "w3"),
    ]
    lost = next(f for f in findings if f.code == "read-without-reading")
    assert not lost.fixable and "paperlog done lost" in lost.fix
    report = run_doctor(library, fix=True)
    assert [f.code for f in report.remaining] == ["read-without-reading"]
    assert library.load_paper("a").readings[0].week_start == date(2024, 5, 6)
    assert library.load_paper("stale").rank is None
    ranks = [(p.key, p.rank) for p in library.load_papers() if p.status == "wish"]
    assert ranks == [("w1", 1), ("w2", 2), ("w3", 3)]
    assert {w.week: w.start for w in library.load_weeks()}[3] == date(2024, 5, 20)


def test_out_of_order_weeks_are_renumbered_by_date(library: Library) -> None:
    papers = [
        Paper("x", "X", status="read", readings=[Reading(1, date(2024, 5, 13), "G", None, 1)]),
        Paper("y", "Y", status="read", readings=[Reading(2, date(2024, 5, 6), "G", None, 1)]),
    ]
    library.write_all(
        papers=papers, weeks=[WeekInfo(2, date(2024, 5, 6)), WeekInfo(1, date(2024, 5, 13))]
    )
    assert _week_findings(library) == [("out-of-order", 2)]
    run_doctor(library, fix=True)
    assert {w.week: w.start for w in library.load_weeks()} == {
        1: date(2024, 5, 6),
        2: date(2024, 5, 13),
    }
    assert library.load_paper("x").readings[0].week == 2
    assert library.load_paper("y").readings[0].week == 1
    assert _week_findings(library) == []


def test_same_week_with_no_room_needs_a_hand(library: Library) -> None:
    weeks = [
        WeekInfo(3, date(2024, 5, 13)),
        WeekInfo(2, date(2024, 5, 6)),
        WeekInfo(1, date(2024, 5, 6)),
    ]
    library.write_all(weeks=weeks)
    findings, _ = diagnose(library.config.plan, [], library.load_weeks())
    same = [f for f in findings if f.code == "same-week"]
    assert len(same) == 1 and not same[0].fixable and "by hand" in same[0].fix
    report = run_doctor(library, fix=True)
    assert not report.fixed
    assert library.load_weeks() == weeks


@settings(max_examples=25, deadline=None)
@given(
    starts=st.lists(
        st.dates(min_value=date(2020, 1, 1), max_value=date(2020, 12, 31)),
        min_size=1,
        max_size=8,
    ),
    ranks=st.lists(st.one_of(st.none(), st.integers(1, 5)), max_size=6),
)
def test_after_fix_only_hand_work_remains(
    tmp_path_factory: pytest.TempPathFactory, starts: list[date], ranks: list[int | None]
) -> None:
    library = Library.create(tmp_path_factory.mktemp("lib"))
    weeks = [WeekInfo(n, s) for n, s in enumerate(starts)]
    papers = [
        Paper(f"r{n}", f"R{n}", status="read", readings=[Reading(n, s, "G", None, 1)])
        for n, s in enumerate(starts)
    ]
    papers += [Paper(f"w{i}", f"W{i}", status="wish", rank=r) for i, r in enumerate(ranks)]
    library.write_all(papers=papers, weeks=sorted(weeks, key=lambda w: -w.week))
    report = run_doctor(library, fix=True)
    assert all(not f.fixable for f in report.remaining), report.remaining
    # what the report says is left is what a fresh run finds
    findings, _ = diagnose(library.config.plan, library.load_papers(), library.load_weeks())
    assert [f.to_json() for f in findings] == [f.to_json() for f in report.remaining]
    # nothing lost: every reading is still there, in a week weeks.yaml lists
    listed = {w.week for w in library.load_weeks()}
    loaded = library.load_papers()
    assert sum(len(p.readings) for p in loaded) == len(starts)
    assert all(r.week in listed for p in loaded for r in p.readings)


def test_dated_readings_outside_their_week_and_pinning_a_same_week(library: Library) -> None:
    # Wk1 and Wk2 share a calendar week, and Wk2's reading is dated inside it: moving Wk2 to
    # the next week would contradict the date, so doctor asks for a hand
    papers = [
        Paper("a", "A", status="read", readings=[Reading(1, date(2024, 5, 6), "G", None, 1)]),
        Paper(
            "b", "B", status="read", readings=[Reading(2, date(2024, 5, 6), "G", date(2024, 5, 8))]
        ),
        Paper(
            "c", "C", status="read", readings=[Reading(1, date(2024, 5, 6), "G", date(2024, 6, 3))]
        ),
    ]
    for paper in papers:
        paper.citekey = f"{paper.key}2024"  # only the week findings are under test here
    library.write_all(
        papers=papers, weeks=[WeekInfo(2, date(2024, 5, 6)), WeekInfo(1, date(2024, 5, 6))]
    )
    findings, _ = diagnose(library.config.plan, library.load_papers(), library.load_weeks())
    by_code = {f.code: f for f in findings}
    assert sorted(by_code) == ["reading-date", "same-week"]
    assert not by_code["same-week"].fixable and "dated 2024.05.08" in by_code["same-week"].fix
    assert by_code["reading-date"].key == "c" and not by_code["reading-date"].fixable
    weeks_before = library.weeks_path.read_bytes()
    assert not run_doctor(library, fix=True).fixed
    assert library.weeks_path.read_bytes() == weeks_before


def test_doctor_lists_every_file_that_does_not_read(library: Library, seed_path: Path) -> None:
    """Two hand-broken paper files and a broken weeks.yaml: every command stops at the first
    with file:line and a pointer to doctor; doctor lists all three, writes nothing (not even
    with --fix), and checks the rest once they read again."""
    root = _build(library, _seed_layout(seed_path)).root
    files = sorted((root / "papers").iterdir())[:2]
    originals = {path: path.read_text(encoding="utf-8") for path in [*files, root / "weeks.yaml"]}
    for path in files:
        path.write_text(originals[path].replace("\nstatus: ", "\nstatus: [", 1), encoding="utf-8")
    (root / "weeks.yaml").write_text(originals[root / "weeks.yaml"] + "- {\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in (root / "papers").iterdir()}

    today = run_cli("today", library=root)
    assert today.returncode != 0
    assert re.match(r"paperlog: error: .*(\.md|weeks\.yaml):\d+: broken YAML", today.stderr)
    assert "'paperlog doctor' lists every file that does not read" in today.stderr

    for args in (("doctor", "--json"), ("doctor", "--fix", "--json")):
        report = run_cli(*args, library=root)
        assert report.returncode == 1, report.stderr
        data = json.loads(report.stdout)
        found = [f for f in data["findings"] if f["code"] == "unreadable"]
        assert len(found) == 3 and len(data["findings"]) == 3
        assert sorted(f["key"] for f in found if f["key"]) == sorted(p.stem for p in files)
        for path in files:
            finding = next(f for f in found if f["key"] == path.stem)
            assert re.match(rf"{re.escape(str(path))}:\d+: broken YAML", finding["message"])
            assert f"git checkout -- papers/{path.name}" in finding["fix"]
        assert any("weeks.yaml" in f["message"] for f in found)
        assert {p: p.read_bytes() for p in (root / "papers").iterdir()} == before

    for path, text in originals.items():
        path.write_text(text, encoding="utf-8")
    again = run_cli("doctor", "--json", library=root)
    codes = {f["code"] for f in json.loads(again.stdout)["findings"]}
    assert "unreadable" not in codes and "same-week" in codes
