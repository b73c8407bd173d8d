"""Shapes of real reading-log READMEs the project had not seen (issue 9, "checked on real
READMEs"): each fixture is written here in the shape of one such README, never its text.

- A README without headings whose years are plain paragraphs (``2018``) over entries written
  ``Title [[Paper](url)] [[Review](notes)]`` with a nested ``Authors, Venue, Year`` line.
- An undated list whose intro says it holds papers read (``a paper a week``, ``summaries of``):
  read items, not a wish-list; to-read wording still wins for its own section, and a curated
  "awesome" list stays a wish-list.
- Advice on *how to read* papers is no to-read list, and a linkless list item needs to read
  like a title to be imported as one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from paperlog.errors import ImportProblem
from paperlog.formats.readme_render import render_readme
from paperlog.formats.readme_shapes import citation_line, is_read_list, looks_like_title
from paperlog.library import Library
from paperlog.services.import_readme import ImportReport, import_readme

YEAR_LINES = """Short reviews of papers on reinforcement learning and vision.

2019

- Learning Latent Dynamics for Planning from Pixels [[Paper](https://arxiv.org/abs/1811.04551)] [[Review](reviews/planet.md)]
    - Danijar Hafner, Timothy Lillicrap, Ian Fischer, ICML, 2019

2018

- Neural Ordinary Differential Equations [[Paper](https://arxiv.org/abs/1806.07366)] [[Review](https://github.com/someone/papers/blob/master/reviews/neural-odes.md)]
    - Ricky T. Q. Chen, Yulia Rubanova, Jesse Bettencourt, David Duvenaud, NeurIPS, 2018
- Group Normalization [[Paper](https://arxiv.org/abs/1803.08494)] [[Review](reviews/gn.md)]
    - Yuxin Wu, Kaiming He, ECCV, 2018
"""

A_PAPER_A_WEEK = """# reading-notes

One paper every week, starting this spring: a paper a week. This repository keeps the
papers and my notes on each of them.

## Papers

- [Batch Normalization: Accelerating Deep Network Training](https://example.org/notes/batchnorm)
- [Dropout: A Simple Way to Prevent Neural Networks from Overfitting](https://example.org/notes/dropout)
- [Adam: A Method for Stochastic Optimization](https://example.org/notes/adam)
"""

READ_THEN_TO_READ = """# Papers I have read

## Vision

- [Mask R-CNN](https://arxiv.org/abs/1703.06870)
- [Focal Loss for Dense Object Detection](https://arxiv.org/abs/1708.02002)

## Next up, to read

- [DETR: End-to-End Object Detection with Transformers](https://arxiv.org/abs/2005.12872)
"""

AWESOME = """# Awesome Graph Papers

A curated list of the most cited graph learning papers.

## Foundations

- [Semi-Supervised Classification with Graph Convolutional Networks](https://arxiv.org/abs/1609.02907)
- [Graph Attention Networks](https://arxiv.org/abs/1710.10903)
"""

HOW_TO_READ = """# reading
My notes about reading

## How to read a paper?

### [A talk on reading](https://example.org/talk)

1. Make a list of papers.
2. Skim the list, then pick a few.

Passes
- Abstract and figures first
- Then the introduction, skip the math
- Reread what was unclear

Where papers come from
- Mailing lists
- Colleagues
"""

LINKLESS_TO_READ = """# Notes

## To read

- Make a list of papers first.
- Deep Sets
- Zaheer et al. 2017, permutation invariant networks
- Set Transformer: A Framework for Attention-based Permutation-Invariant Neural Networks
"""

ITALIC_TITLES = """# Deep Learning Papers
- Papers that taught me something
- Sorted by date

## Architectures

### CNN
- *Going Deeper with Convolutions* [[arxiv, 14.09]](https://arxiv.org/abs/1409.4842)
- *Densely Connected Convolutional Networks* [[arxiv, 16.08]](https://arxiv.org/abs/1608.06993) [[**PyTorch**]](https://github.com/someone/densenet)
"""

PROSE_WITH_LINKS = """# Introduction

These are my personal reading notes.

## Welcome

1. Now and then I upload notes on papers to the [repository](https://example.org/repo), which reads better on the [website](https://example.org/).
2. Even if a paper is not here, you can also [open an issue](https://example.org/issues) to tell me about it.
3. Welcome to [send a pull request](https://example.org/pulls) for typos.
"""

TASK_LIST = """# paper-notes

## To read

### Vision

- [ ] [Going Deeper with Convolutions](https://arxiv.org/abs/1409.4842)
- [x] [Pixel Recurrent Neural Networks](https://arxiv.org/abs/1601.06759)

### Biology

- [x] Predicting protein structure from sequence with deep networks
- [ ] Deep Patient: An Unsupervised Representation of Patient Records
"""


def _import(tmp_path: Path, text: str, name: str) -> tuple[Library, ImportReport]:
    path = tmp_path / f"{name}.md"
    path.write_text(text, "utf-8")
    library = Library.create(tmp_path / name)
    report = import_readme(library, path)
    return Library.open(library.root), report


def _state(library: Library) -> list[tuple[str, str, str | None, list[str]]]:
    return sorted(
        (
            p.title,
            p.status,
            p.wish_group,
            sorted(f"{r.extra.get('period')}|{r.group}|{r.order}" for r in p.readings),
        )
        for p in library.load_papers()
    )


def _round_trip(tmp_path: Path, library: Library, name: str) -> Library:
    """Render the library's README and import that into a new library."""
    rendered = render_readme(library)
    again, _ = _import(tmp_path, rendered, f"{name}-again")
    return again


def test_year_paragraphs_are_date_sections_and_nested_lines_give_authors_venue_year(
    tmp_path: Path,
) -> None:
    library, report = _import(tmp_path, YEAR_LINES, "years")
    assert (report.read, report.wish) == (3, 0)
    papers = {p.title: p for p in library.load_papers()}
    planet = papers["Learning Latent Dynamics for Planning from Pixels"]
    assert planet.url == "https://arxiv.org/abs/1811.04551"
    assert [(link.label, link.url) for link in planet.links][-1] == ("Review", "reviews/planet.md")
    assert planet.authors == ["Danijar Hafner, Timothy Lillicrap, Ian Fischer"]
    assert (planet.venue, planet.year) == ("ICML", 2019)
    assert [r.extra.get("period") for r in planet.readings] == ["2019"]
    gn = papers["Group Normalization"]
    assert (gn.venue, gn.year, gn.readings[0].extra.get("period")) == ("ECCV", 2018, "2018")
    odes = papers["Neural Ordinary Differential Equations"]
    assert odes.venue == "NeurIPS" and odes.authors[0].startswith("Ricky T. Q. Chen")
    # the intro stays the intro, and the round trip keeps every section and field
    assert library.config.intro.startswith("Short reviews")
    assert _state(_round_trip(tmp_path, library, "years")) == _state(library)


def test_an_intro_saying_papers_read_makes_an_undated_list_read(tmp_path: Path) -> None:
    library, report = _import(tmp_path, A_PAPER_A_WEEK, "weekly")
    assert (report.read, report.wish) == (3, 0)
    for paper in library.load_papers():
        (reading,) = paper.readings
        assert (reading.week, reading.week_start, reading.date) == (None, None, None)
        assert reading.group == "Papers"
    assert _state(_round_trip(tmp_path, library, "weekly")) == _state(library)


def test_a_read_title_with_a_to_read_section_keeps_that_section_wish(tmp_path: Path) -> None:
    library, report = _import(tmp_path, READ_THEN_TO_READ, "mixed")
    status = {p.display_title: (p.status, p.wish_group) for p in library.load_papers()}
    assert status["Mask R-CNN"] == ("read", None)
    assert status["Focal Loss for Dense Object Detection"] == ("read", None)
    assert status["DETR: End-to-End Object Detection with Transformers"] == (
        "wish",
        "Next up, to read",
    )
    assert (report.read, report.wish) == (2, 1)


def test_a_curated_awesome_list_stays_a_wish_list(tmp_path: Path) -> None:
    library, report = _import(tmp_path, AWESOME, "awesome")
    assert (report.read, report.wish) == (0, 2)
    assert {p.wish_group for p in library.load_papers()} == {"Foundations"}


def test_advice_on_how_to_read_imports_no_items(tmp_path: Path) -> None:
    path = tmp_path / "advice.md"
    path.write_text(HOW_TO_READ, "utf-8")
    library = Library.create(tmp_path / "advice")
    with pytest.raises(ImportProblem, match="no recognisable entries"):
        import_readme(library, path)
    assert Library.open(library.root).load_papers() == []


def test_a_linkless_item_needs_to_read_like_a_title(tmp_path: Path) -> None:
    library, report = _import(tmp_path, LINKLESS_TO_READ, "linkless")
    titles = sorted(p.display_title for p in library.load_papers())
    assert titles == [
        "Deep Sets",
        "Set Transformer: A Framework for Attention-based Permutation-Invariant Neural Networks",
        "Zaheer et al. 2017, permutation invariant networks",
    ]
    assert report.wish == 3
    # the step is kept as the README's text and written back
    assert "- Make a list of papers first." in render_readme(library)


def test_italic_titles_with_labelled_links_are_entries(tmp_path: Path) -> None:
    library, _report = _import(tmp_path, ITALIC_TITLES, "italic")
    papers = {p.title: p for p in library.load_papers()}
    assert set(papers) == {
        "Going Deeper with Convolutions",
        "Densely Connected Convolutional Networks",
    }
    dense = papers["Densely Connected Convolutional Networks"]
    assert dense.url == "https://arxiv.org/abs/1608.06993"
    assert dense.ids.get("arxiv") == "1608.06993"
    assert dense.wish_group == "CNN"
    assert _state(_round_trip(tmp_path, library, "italic")) == _state(library)


def test_sentences_with_links_are_not_entries(tmp_path: Path) -> None:
    path = tmp_path / "prose.md"
    path.write_text(PROSE_WITH_LINKS, "utf-8")
    library = Library.create(tmp_path / "prose")
    with pytest.raises(ImportProblem, match="no recognisable entries"):
        import_readme(library, path)


def test_task_boxes_are_no_part_of_the_title_and_mark_an_item(tmp_path: Path) -> None:
    library, report = _import(tmp_path, TASK_LIST, "tasks")
    papers = {p.title: p for p in library.load_papers()}
    assert set(papers) == {
        "Going Deeper with Convolutions",
        "Pixel Recurrent Neural Networks",
        "Predicting protein structure from sequence with deep networks",  # a box: an item
        "Deep Patient: An Unsupervised Representation of Patient Records",
    }
    assert papers["Pixel Recurrent Neural Networks"].url == "https://arxiv.org/abs/1601.06759"
    assert papers["Pixel Recurrent Neural Networks"].wish_group == "Vision"
    assert report.wish == 4
    rendered = render_readme(library)
    assert "- [x] [Pixel Recurrent Neural Networks](https://arxiv.org/abs/1601.06759)" in rendered
    assert _state(_round_trip(tmp_path, library, "tasks")) == _state(library)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("Papers I read", True),
        ("papers-I-read", True),
        ("Summaries of papers on deep learning.", True),
        ("I've read these, one a week", True),
        ("Papers I have read and papers I want to read", False),
        ("A curated list of papers", False),
        ("How to read papers", False),
    ],
)
def test_read_list_wording(text: str, read: bool) -> None:
    assert is_read_list(text) is read


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Compile list of papers.", False),
        ("Skip around the list.", False),
        ("Read but skip the math", False),
        ("Attention Is All You Need", True),
        ("DeepCancer: Detecting Cancer through Gene Expressions", True),
        ("Mikolov et al., word vectors", True),
        ("What did authors try to accomplish?", False),
    ],
)
def test_linkless_title_signal(text: str, title: bool) -> None:
    assert looks_like_title(text) is title


def test_citation_line() -> None:
    assert citation_line("Qi Wu, Peng Wang, ArXiv, 2017") == {
        "authors": "Qi Wu, Peng Wang",
        "venue_text": "ArXiv",
        "year": "2017",
    }
    assert citation_line("we found this useful, in part, since 2017") is None
    assert citation_line("See [notes](x.md), CVPR, 2017") is None
