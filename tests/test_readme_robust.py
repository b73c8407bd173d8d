"""Placeholders kept as to-do slots, garbled badges and a doubled topic code read with a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli
from paperlog.formats.readme_parse import parse_entry
from paperlog.formats.readme_render import render_readme
from paperlog.library import Library
from paperlog.services.import_readme import import_readme

SLOTS = """# Log

### Wk2 - 2020.06.29
Theme
* [A Real Paper](https://arxiv.org/abs/2002.05709) <kbd>ICML 2020</kbd>
* [TBA]()
* [[TBP]()]
* [TBD]() [[Notes]()]

### Wk1 - 2020.06.22
* []() [[Notes]()] <kbd>MICCAI 2020</kbd>
* [Another Paper](https://arxiv.org/abs/1905.11946)

## To read
* [Wish One](https://arxiv.org/abs/1502.03167)
* [TBA]()
"""


def test_placeholders_are_slots_kept_and_rendered_back(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "slots.md"
    path.write_text(SLOTS, "utf-8")
    report = import_readme(library, path)
    lib = Library.open(library.root)
    titles = sorted(p.title for p in lib.load_papers())
    assert titles == ["A Real Paper", "Another Paper", "Wish One"]  # never a paper named TBA
    slot_lines = [w.line for w in report.warnings if "to-do slot" in w.message]
    assert slot_lines == [6, 7, 8, 11, 16]
    rendered = render_readme(lib)
    for line in ("* [TBA]()", "* [[TBP]()]", "* [TBD]() [[Notes]()]"):
        assert line in rendered
    assert rendered.count("* [TBA]()") == 2
    # in their places: after the entry they followed
    lines = rendered.split("\n")
    real = lines.index(next(ln for ln in lines if ln.startswith("* [A Real Paper]")))
    assert lines[real + 1 : real + 4] == ["* [TBA]()", "* [[TBP]()]", "* [TBD]() [[Notes]()]"]
    wk1 = lines.index("### Wk1 - 2020.06.22")
    assert lines[wk1 + 1] == "* []() [[Notes]()] <kbd>MICCAI 2020</kbd>"
    # and a render imports back to the same library
    again = Library.create(tmp_path / "again")
    (tmp_path / "r.md").write_text(rendered, "utf-8")
    import_readme(again, tmp_path / "r.md")
    assert render_readme(Library.open(again.root)) == rendered


def test_seed_placeholders_render_back(library: Library, seed_path: Path) -> None:
    import_readme(library, seed_path)
    rendered = render_readme(Library.open(library.root))
    assert rendered.count("* []() [[Notes]()] <kbd>MICCAI 2020</kbd>") == 2
    assert len(Library.open(library.root).load_papers()) == 77  # slots are not items


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("[A](u) <kbd>ICLR 2020</kbd?", "'</kbd?'"),
        ("[A](u) <kbd>ICLR 2020</kbd", "'</kbd'"),
        ("[A](u) <kbd>ICLR 2020</kb[d>", "'</kb[d>'"),
        ("[A](u) <kbd>ICLR 2020", "not closed"),
        ("[A](u) <kbd>ICLR 2020<", "not closed"),
    ],
)
def test_garbled_badge_close_is_a_warning(text: str, found: str) -> None:
    entry = parse_entry(text)
    assert entry is not None and entry.badges == ["ICLR 2020"]
    assert len(entry.problems) == 1 and found in entry.problems[0]


def test_garbled_badge_through_the_cli(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text("# T\n\n### Wk1 - 2020.06.22\n* [A](https://x.org/a) <kbd>ICLR 2020</kbd?\n")
    result = run_cli("import", "readme", str(path), library=library.root)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "bad.md:4:" in result.stderr


def test_topic_defined_twice_is_merged(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "topics.md"
    path.write_text(
        "# T\n\n### Search\n**By Topic Category** -\n   * [Net] Networks (backbones)\n"
        "   * [Net] Networks again\n   * [Uns] Unsupervised\n\n"
        "### Wk1 - 2020.06.22\n* [A](https://x.org/a)\n",
        "utf-8",
    )
    result = run_cli("import", "readme", str(path), library=library.root)
    assert result.returncode == 0, result.stderr
    assert "topics.md:6:" in result.stderr and "defined twice" in result.stderr
    assert [t.code for t in Library.open(library.root).config.topics] == ["Net", "Uns"]
    # the library still loads: every command works, re-import included
    assert run_cli("list", library=library.root).returncode == 0
    assert run_cli("import", "readme", str(path), library=library.root).returncode == 0


def test_fidelity_script_measures_the_seed(seed_path: Path) -> None:
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, str(root / "bench" / "fidelity.py"), "--json", str(seed_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert (row["entries"], row["slots"], row["items"], row["read"], row["wish"]) == (
        78,
        2,
        77,
        64,
        13,
    )
    assert row["unread"] == 0 and row["round_trip_changed"] == 0


ROUND_TRIP = [
    "DanielTakeshi_Paper_Notes",
    "RobvanGastel_machine-learning-notes",
    "RockWenJJ_learning-and-research",
    "SunnyMarkLiu_paper-notes-monthly",
    "aleju_papers",
    "dennybritz_deeplearning-papernotes",
    "fgabel_Deep-Learning-and-Automated-Driving-Papernotes",
    "floodsung_Deep-Learning-Papers-Reading-Roadmap",
    "nikvaessen_deep-learning-papers",
    "terryum_awesome-deep-learning-papers",
]


def test_corpus_render_imports_back_to_the_same_items(corpus: Path) -> None:
    """import -> render -> import keeps every item's README fields and every section's order
    (bench/fidelity.py; patrick-llgc, the largest, is measured by make fidelity only)."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    paths = [str(corpus / "readmes" / name / "README.md") for name in ROUND_TRIP]
    result = subprocess.run(
        [sys.executable, str(root / "bench" / "fidelity.py"), "--json", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["name"], r["error"], r["round_trip_changed"]) for r in rows] == [
        ("README.md", None, 0) for _ in ROUND_TRIP
    ]
    assert all(r["entries"] > 0 and r["titles"] == r["items"] for r in rows)


MONTHLY = """# Notes
Intro line.

## About me
I read papers. See [my blog](https://blog.example).

- [A post](https://blog.example/1)

## 2021-10
- [Paper One](https://arxiv.org/abs/2002.05709) <kbd>ICML 2020</kbd> [tag]
- [Paper Two](https://arxiv.org/abs/1905.11946)

## 2021-09
- [Paper Three](https://arxiv.org/abs/1502.03167) `Sustainability`
"""


def test_month_log_renders_as_written(library: Library, tmp_path: Path) -> None:
    """Prose before the log is kept in place; month sections stay month sections; nothing
    invented (no weeks, no Contents block, no notes heading)."""
    path = tmp_path / "monthly.md"
    path.write_text(MONTHLY, "utf-8")
    import_readme(library, path)
    rendered = render_readme(Library.open(library.root))
    body = rendered.split("\n")[1:-2]  # between the markers
    assert "\n".join(body).strip() == MONTHLY.strip()
    assert "### Wk" not in rendered and "Contents" not in rendered
