"""Charts: valid SVG, one bar per week, one heatmap cell per day, byte-identical re-renders."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest

from paperlog.library import Library
from paperlog.model import Paper, Reading
from paperlog.plan.calendar import week_start_of
from paperlog.plan.charts import HEATMAP, PER_WEEK, TOPICS, VENUES, write_charts
from test_stats import SEED_COUNTS, SEED_STARTS, seed_layout

SVG = "{http://www.w3.org/2000/svg}"


def ids_with_prefix(path: Path, prefix: str) -> list[str]:
    """The ids of the SVG groups matplotlib wrote for marks given a gid with this prefix."""
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    return [el.get("id", "") for el in root.iter() if el.get("id", "").startswith(prefix)]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Library, list[tuple[str, str]]]:
    """The seed-layout library with its charts written once for the read-only tests."""
    lib = seed_layout(tmp_path_factory.mktemp("charts") / "lib")
    return lib, write_charts(lib, lib.root / "charts")


def test_writes_four_valid_svgs_relative_to_the_root(
    rendered: tuple[Library, list[tuple[str, str]]],
) -> None:
    lib, written = rendered
    assert [path for _, path in written] == [
        f"charts/{HEATMAP}",
        f"charts/{PER_WEEK}",
        f"charts/{TOPICS}",
        f"charts/{VENUES}",
    ]
    for alt, path in written:
        assert alt.strip()
        ET.parse(lib.root / path)  # raises on broken XML


def test_per_week_chart_has_one_bar_per_week_and_the_target(
    rendered: tuple[Library, list[tuple[str, str]]],
) -> None:
    lib, _ = rendered
    bars = ids_with_prefix(lib.root / "charts" / PER_WEEK, "week-")
    assert bars == [f"week-{n}" for n in range(len(SEED_COUNTS))]
    assert ids_with_prefix(lib.root / "charts" / PER_WEEK, "target") == ["target"]
    text = (lib.root / "charts" / PER_WEEK).read_text(encoding="utf-8")
    assert "Wk13" in text and "Wk0" in text


def test_heatmap_has_one_cell_per_day_in_range(
    rendered: tuple[Library, list[tuple[str, str]]],
) -> None:
    lib, _ = rendered
    cells = ids_with_prefix(lib.root / "charts" / HEATMAP, "day-")
    first = week_start_of(min(SEED_STARTS), lib.config.plan)
    last = week_start_of(max(SEED_STARTS), lib.config.plan) + timedelta(days=6)
    expected = [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
    assert cells == [f"day-{d}" for d in expected]
    assert len(cells) % 7 == 0


def test_rerendering_unchanged_data_is_byte_identical(tmp_path: Path) -> None:
    lib = seed_layout(tmp_path / "lib")
    first = {p: (lib.root / p).read_bytes() for _, p in write_charts(lib, lib.root / "out")}
    second = {p: (lib.root / p).read_bytes() for _, p in write_charts(lib, lib.root / "out")}
    assert first == second
    assert all(b"<dc:date>" not in data for data in first.values())
    # and a fresh process renders the same bytes (no per-process hash salt or dates)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from paperlog.library import Library;"
            "from paperlog.plan.charts import write_charts;"
            "lib = Library.open(Path(sys.argv[1])); write_charts(lib, lib.root / 'again')",
            str(lib.root),
        ],
        check=True,
    )
    for path, data in first.items():
        assert (lib.root / "again" / Path(path).name).read_bytes() == data


def test_a_change_in_the_data_changes_the_chart(tmp_path: Path) -> None:
    lib = seed_layout(tmp_path / "lib")
    before = (lib.root / write_charts(lib, lib.root / "c")[1][1]).read_bytes()
    paper = lib.load_paper("paper-13-0")
    paper.readings.append(Reading(week=12, week_start=SEED_STARTS[12]))
    lib.save_paper(paper)
    assert (lib.root / write_charts(lib, lib.root / "c")[1][1]).read_bytes() != before


def test_today_cuts_the_charts_off(tmp_path: Path) -> None:
    lib = seed_layout(tmp_path / "lib")
    write_charts(lib, lib.root / "c", today=date(2020, 7, 12))
    assert ids_with_prefix(lib.root / "c" / PER_WEEK, "week-") == [f"week-{n}" for n in range(4)]
    cells = ids_with_prefix(lib.root / "c" / HEATMAP, "day-")
    assert cells[0] == "day-2020-06-15" and cells[-1] == "day-2020-07-12"


def test_dated_readings_land_on_their_day(library: Library) -> None:
    library.save_papers(
        [
            Paper(key=f"p{d.day}", title="A", status="read", readings=[Reading(week=1, date=d)])
            for d in (date(2021, 3, 2), date(2021, 3, 4))
        ]
    )
    written = write_charts(library, library.root / "c")
    assert [p for _, p in written] == [f"c/{HEATMAP}", f"c/{PER_WEEK}"]  # no topics or venues
    cells = ids_with_prefix(library.root / "c" / HEATMAP, "day-")
    assert cells == [f"day-2021-03-0{i}" for i in range(1, 8)]
    # the cells of the two reading days are filled differently from an empty one
    root = ET.parse(library.root / "c" / HEATMAP).getroot()
    fills = {
        el.get("id"): ET.tostring(el, encoding="unicode")
        for el in root.iter()
        if el.get("id", "").startswith("day-")
    }
    assert "#ebedf0" in fills["day-2021-03-01"]
    assert "#ebedf0" not in fills["day-2021-03-02"] and "#ebedf0" not in fills["day-2021-03-04"]


def test_an_empty_library_writes_no_charts(library: Library) -> None:
    assert write_charts(library, library.root / "c") == []


def test_importing_the_module_does_not_import_matplotlib() -> None:
    code = "import sys, paperlog.plan.charts; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_charts_of_the_real_seed_import(seed_path: Path, library: Library) -> None:
    readme_import = pytest.importorskip("paperlog.services.import_readme")
    readme_import.import_readme(library, seed_path)
    written = {path: alt for alt, path in write_charts(library, library.root / "charts")}
    assert f"charts/{PER_WEEK}" in written and f"charts/{HEATMAP}" in written
    bars = ids_with_prefix(library.root / "charts" / PER_WEEK, "week-")
    assert bars == [f"week-{n}" for n in range(len(SEED_COUNTS))]
    # 2020-06-15 (a Monday) to the Sunday after Wk13's start (2020-10-20): 19 calendar weeks
    cells = ids_with_prefix(library.root / "charts" / HEATMAP, "day-")
    assert (cells[0], cells[-1], len(cells)) == ("day-2020-06-15", "day-2020-10-25", 19 * 7)
