"""Every listing a README writes comes back from a render (issue 9, round 4).

A paper listed twice in a to-read list, or read and listed again to read, sub-groups written as
plain lines under section headings (their names repeated in each section), a date line written
twice in a row, an empty month heading, later to-read headings, reference-style link
definitions: import keeps each in its place, render writes it back, and a re-import of the
render gives the same library.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from paperlog.formats.readme_render import render_readme
from paperlog.formats.readme_walk import MARKER_BEGIN, MARKER_END
from paperlog.library import Library
from paperlog.services.import_readme import ImportReport, import_readme


def _import(tmp_path: Path, text: str, name: str) -> tuple[Library, ImportReport]:
    path = tmp_path / f"{name}.md"
    path.write_text(text, "utf-8")
    library = Library.create(tmp_path / name)
    report = import_readme(library, path)
    return Library.open(library.root), report


def _body(rendered: str) -> str:
    lines = [ln for ln in rendered.split("\n") if ln not in (MARKER_BEGIN, MARKER_END)]
    return "\n".join(lines).strip("\n") + "\n"


def _listings(library: Library) -> list[tuple[str, str, list[str]]]:
    """Each item's README fields: title, status, and where it is listed."""
    return sorted(
        (
            p.display_title,
            p.status,
            [f"{r.week}|{r.week_start}|{r.group}|{r.extra.get('period')}" for r in p.readings]
            + [f"wish {p.wish_group} {p.rank}"],
        )
        for p in library.load_papers()
    )


def _round_trip(tmp_path: Path, text: str) -> tuple[Library, str, Library]:
    """Import, render, import the render: (first library, render, second library)."""
    first, _ = _import(tmp_path, text, "first")
    rendered = render_readme(first)
    again, _ = _import(tmp_path, rendered, "again")
    assert render_readme(again) == rendered
    assert _listings(again) == _listings(first)
    return first, rendered, again


LISTED_TWICE = """# Awesome papers

## Vision
- **Paper A** (2015), A. Author et al. [[pdf]](https://arxiv.org/pdf/1503.02531)
- **Paper B** (2014), B. Author et al. [[pdf]](https://arxiv.org/pdf/1409.3215)

## Old but gold
- Paper A (2015), A. Author et al. [[pdf]](https://arxiv.org/pdf/1503.02531)
- **Paper C** (2013), C. Author et al. [[pdf]](https://arxiv.org/pdf/1312.6199)
"""


def test_a_papers_second_wish_listing_is_kept_where_it_stood(tmp_path: Path) -> None:
    """terryum's and floodsung's shape: one item, and its second listing written back."""
    library, rendered, _ = _round_trip(tmp_path, LISTED_TWICE)
    assert _body(rendered) == LISTED_TWICE
    papers = library.load_papers()
    assert sorted(p.title for p in papers) == ["Paper A", "Paper B", "Paper C"]
    _, report = _import(tmp_path, LISTED_TWICE, "report")
    assert any(w.line == 8 and "listing kept as text" in w.message for w in report.warnings), (
        report.warnings
    )


READ_THEN_TO_READ = """# Notes

## 2021-02 (1)
- [Paper A](https://arxiv.org/abs/2103.15297) <kbd>CVPR 2021</kbd>

## 2021-01 (1)
- [Paper B](https://arxiv.org/abs/2102.00690)

## Papers to Read
- [Paper C](https://arxiv.org/abs/2012.12741)
- [Paper A](https://arxiv.org/abs/2103.15297) <kbd>CVPR 2021</kbd>

## TODO
- [Paper B](https://arxiv.org/abs/2102.00690)
- [Paper D](https://arxiv.org/abs/1911.08287)
"""


def test_a_read_paper_listed_again_to_read_keeps_that_listing(tmp_path: Path) -> None:
    """patrick-llgc's shape (80 such listings): the paper stays read, once; its to-read
    listing is written back under its heading, and a later to-read heading stays a heading."""
    library, rendered, _ = _round_trip(tmp_path, READ_THEN_TO_READ)
    lines = rendered.split("\n")
    # every line of the README is in the render (the to-read lists come before the months:
    # the wish-list is rendered before the log, a documented normalisation)
    assert sorted(ln for ln in _body(rendered).split("\n") if ln) == sorted(
        ln for ln in READ_THEN_TO_READ.split("\n") if ln
    )
    todo = lines.index("## TODO")
    assert lines[todo + 1 : todo + 3] == [
        "- [Paper B](https://arxiv.org/abs/2102.00690)",
        "- [Paper D](https://arxiv.org/abs/1911.08287)",
    ]
    status = {p.title: p.status for p in library.load_papers()}
    assert status == {"Paper A": "read", "Paper B": "read", "Paper C": "wish", "Paper D": "wish"}


DATE_TWICE = """# Notes

## Section: Vision

*08/ 2021*

- [Paper A](https://arxiv.org/pdf/2003.08799v7.pdf) - [short summary]()
  - **TLDR**: A.

*07/ 2021*

- [Paper B](https://arxiv.org/pdf/2103.06255.pdf) - [short summary]()
  - **TLDR**: B.

*07/ 2021*

- [Paper C](https://arxiv.org/pdf/2103.05445v1.pdf) - [short summary]()
  - **TLDR**: C.

 *11/ 2020*

 - [Paper D](https://arxiv.org/pdf/2010.15054v1.pdf) - [short summary](TBD)
  - **TLDR**: D.
"""


def test_a_date_line_written_twice_in_a_row_is_one_section_written_twice(
    tmp_path: Path,
) -> None:
    """fgabel's shape: `*07/ 2021*` twice in a row is one date section; its second line is
    written back between the entries it stood between, and a TLDR written as a list item of
    its own under an indented entry stays under it."""
    library, rendered, _ = _round_trip(tmp_path, DATE_TWICE)
    assert _body(rendered) == DATE_TWICE
    groups = {
        p.title: (r.week_start.isoformat() if r.week_start else None, r.group)
        for p in library.load_papers()
        for r in p.readings
    }
    assert groups["Paper B"] == groups["Paper C"] == ("2021-07-01", "Section: Vision")
    (paper_d,) = [p for p in library.load_papers() if p.title == "Paper D"]
    assert "**TLDR**: D." in paper_d.notes


EMPTY_MONTHS = """# Notes

#### 2014-08

- Paper A [[arXiv](http://arxiv.org/abs/1408.5882)]

#### 2014-07

#### 2014-06

- Paper B [[arXiv](http://arxiv.org/abs/1406.2661)]

#### 2014-03

#### 2014-02
"""


def test_a_month_heading_with_nothing_under_it_is_written_back_in_its_place(
    tmp_path: Path,
) -> None:
    """dennybritz's shape: empty months are kept (`[readme] empty_periods`), in date order."""
    library, rendered, _ = _round_trip(tmp_path, EMPTY_MONTHS)
    assert _body(rendered) == EMPTY_MONTHS
    assert [p["label"] for p in library.config.readme["empty_periods"]] == [
        "2014-07",
        "2014-03",
        "2014-02",
    ]


SUB_GROUPS = """Inspired by [a blog][1].

# Reinforcement Learning

## 2019 Papers

- Paper A, ICML 2019 (3)
- [Paper B](https://github.com/me/notes/blob/master/rl/Paper_B.md), arXiv 2019 (1)

Early-year

- Paper C, ICLR 2019 (1)

## 2018 Papers

Late-year

- Paper D, NeurIPS 2018 (2)

Early-year

- Paper E, ICLR 2018 (1)

# Miscellaneous
(Mostly about robotics.)

## 2019 Misc Papers

- Paper F, RSS 2019 (1)

[1]:https://example.org/about
"""


def test_sub_groups_written_as_lines_under_section_headings_come_back_in_place(
    tmp_path: Path,
) -> None:
    """DanielTakeshi's shape: a section heading over sub-groups written as plain lines, the
    sub-group names repeated in each section ("Early-year" twice), a heading over a one-line
    paragraph, and reference-style link definitions at the end: all written back where they
    stood, each run of a group under its own line."""
    library, rendered, _ = _round_trip(tmp_path, SUB_GROUPS)
    assert _body(rendered) == SUB_GROUPS
    groups = {p.title: p.readings[0].group for p in library.load_papers()}
    assert groups == {
        "Paper A": "2019 Papers",
        "Paper B": "2019 Papers",
        "Paper C": "Early-year",
        "Paper D": "Late-year",
        "Paper E": "Early-year",
        "Paper F": "2019 Misc Papers",
    }


CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "readmes"
NAMES = [
    "DanielTakeshi_Paper_Notes",
    "RobvanGastel_machine-learning-notes",
    "RockWenJJ_learning-and-research",
    "SunnyMarkLiu_paper-notes-monthly",
    "aleju_papers",
    "dennybritz_deeplearning-papernotes",
    "fgabel_Deep-Learning-and-Automated-Driving-Papernotes",
    "floodsung_Deep-Learning-Papers-Reading-Roadmap",
    "nikvaessen_deep-learning-papers",
    "patrick-llgc_Learning-Deep-Learning",
    "terryum_awesome-deep-learning-papers",
]
REPAIRED = {"patrick-llgc_Learning-Deep-Learning": 2}
"""Entry lines a render writes repaired (patrick-llgc: `<kbd>CoRL 2021<kbd>`, `</bd>`)."""


@pytest.mark.parametrize("name", NAMES)
def test_every_corpus_readme_renders_back_with_only_normalisation(name: str) -> None:
    """make fidelity on each corpus README: no source line missing from the render but list
    markers and repaired entries, nothing added but those repairs, round trip identical."""
    import sys

    path = CORPUS / name / "README.md"
    if not path.is_file():
        pytest.skip(f"corpus README {path} is absent (../shared is not mounted)")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import fidelity

    row = fidelity.measure(name, path)
    assert row.error is None
    repaired = REPAIRED.get(name, 0)
    assert {k: v for k, v in row.missing.items() if k != "marker"} == (
        {"entry": repaired} if repaired else {}
    )
    assert row.added == repaired and row.round_trip_changed == 0
