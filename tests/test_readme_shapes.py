"""Shapes people write: to-read sections, week headings, badges on one listing, entry text."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperlog.formats.readme_render import render_readme
from paperlog.formats.readme_shapes import parse_any_entry, parse_period, parse_week_heading
from paperlog.library import Library
from paperlog.services.import_readme import import_readme


@pytest.mark.parametrize(
    ("heading", "number", "start"),
    [
        ("Week 3 (June 22)", 3, None),
        ("Week 3 - 2020-06-22", 3, "2020-06-22"),
        ("Week 12", 12, None),
        ("Wk13 - 2020.10.20", 13, "2020-10-20"),
    ],
)
def test_numbered_week_headings(heading: str, number: int, start: str | None) -> None:
    parsed = parse_week_heading(heading)
    assert parsed is not None
    assert (parsed[0], parsed[1].isoformat() if parsed[1] else None) == (number, start)


@pytest.mark.parametrize(
    ("heading", "start"),
    [
        ("Week of 2020.06.22", "2020-06-22"),
        ("Week of June 22, 2020", "2020-06-22"),
        ("2020-06-22", "2020-06-22"),
        ("Jun 22, 2020", "2020-06-22"),
        ("22 June 2020", "2020-06-22"),
    ],
)
def test_dated_week_headings(heading: str, start: str) -> None:
    period = parse_period(heading)
    assert period is not None and period.start is not None
    assert period.start.isoformat() == start


@pytest.mark.parametrize(
    ("text", "title", "url"),
    [
        (
            "🦩 [Flamingo: a Visual Language Model](https://arxiv.org/abs/2204.14198)",
            "Flamingo: a Visual Language Model",
            "https://arxiv.org/abs/2204.14198",
        ),
        (
            "**[Attention Is All You Need](https://arxiv.org/abs/1706.03762)**",
            "Attention Is All You Need",
            "https://arxiv.org/abs/1706.03762",
        ),
        ("[**Bold Title**](https://x.org/a)", "Bold Title", "https://x.org/a"),
        ("[Some Paper, arXiv](https://x.org/b)", "Some Paper", "https://x.org/b"),
    ],
)
def test_entry_text_cleaned(text: str, title: str, url: str) -> None:
    entry = parse_any_entry(text)
    assert entry is not None and (entry.title, entry.url) == (title, url)


def test_text_in_the_url_slot_is_repaired_with_a_warning() -> None:
    entry = parse_any_entry("[[arXiv](A New Method for Things)] <kbd>ICLR 2020</kbd>")
    assert entry is not None
    assert entry.title == "A New Method for Things" and entry.url is None
    assert [(lk.label, lk.url) for lk in entry.links] == [("arXiv", "")]
    assert entry.badges == ["ICLR 2020"] and "URL slot" in entry.problems[0]


SHAPES = """# My reading

## Week 2 (June 29)
* [Paper B](https://arxiv.org/abs/2002.05709)
* [Paper A again](https://arxiv.org/abs/1905.11946) <kbd>ICML 2019</kbd>

## Week 1 (June 22)
* [Paper A](https://arxiv.org/abs/1905.11946)

Papers I will read:
* [Future Paper](https://arxiv.org/abs/1706.03762)

### Backlog
* [Later Paper](https://arxiv.org/abs/1502.03167)
"""


def test_shapes_import_and_render_back(tmp_path: Path) -> None:
    library = Library.create(tmp_path / "lib")
    path = tmp_path / "shapes.md"
    path.write_text(SHAPES, "utf-8")
    import_readme(library, path)
    lib = Library.open(library.root)
    papers = {p.title: p for p in lib.load_papers()}
    assert sorted(papers) == ["Future Paper", "Later Paper", "Paper A", "Paper B"]
    assert papers["Future Paper"].status == "wish" and papers["Later Paper"].status == "wish"
    # the badge of the second listing is the item's; the first listing keeps none
    paper_a = papers["Paper A"]
    assert (paper_a.venue_label, paper_a.year) == ("ICML 2019", 2019)
    assert sorted(r.week or 0 for r in paper_a.readings) == [1, 2]
    rendered = render_readme(lib)
    assert "## Week 2 (June 29)" in rendered and "## Week 1 (June 22)" in rendered
    assert "* [Paper A](https://arxiv.org/abs/1905.11946)\n" in rendered
    assert "<kbd>ICML 2019</kbd>" in rendered
    again = Library.create(tmp_path / "again")
    (tmp_path / "r.md").write_text(rendered, "utf-8")
    import_readme(again, tmp_path / "r.md")
    assert render_readme(Library.open(again.root)) == rendered
