"""Recommended papers in the text before a dated log are read items, written back in place.

Issue 9: "a list of recommended papers with notes links in a prose section is imported as
items, not dropped". A researcher recommending papers with links to their notes has read
them: each listing is a reading without a date in the group of its heading (never a wish-list
item), the text around the list stays verbatim, a render writes the entries back where they
stood, and a re-import follows the list as it is edited (a sync, like any other list).
"""

from __future__ import annotations

from pathlib import Path

from paperlog.formats.readme_render import render_readme
from paperlog.formats.readme_walk import MARKER_BEGIN, MARKER_END
from paperlog.library import Library
from paperlog.services.import_readme import ImportReport, import_readme

MONTHLY = """# Paper notes
My reading log, inspired by [Denny Britz](https://github.com/dennybritz/deeplearning-papernotes).

## About me
I work on perception for driving.

## Recommended papers
If you are new to the field, start with these:

- [Attention Is All You Need](https://arxiv.org/abs/1706.03762) [[notes](paper_notes/transformer.md)] <kbd>NIPS 2017</kbd>
- [Deep Residual Learning for Image Recognition](https://arxiv.org/abs/1512.03385) [[notes](paper_notes/resnet.md)] ![CVPR](https://img.shields.io/badge/CVPR-2016-blue)
- [Mask R-CNN](https://arxiv.org/abs/1703.06870) [[notes](paper_notes/mask_rcnn.md)]

Questions welcome.

## 2021-02 (2)
- [Paper A](https://arxiv.org/abs/2103.15297) [[Notes](paper_notes/a.md)] <kbd>CVPR 2021</kbd>
- [Mask R-CNN](https://arxiv.org/abs/1703.06870) [[notes](paper_notes/mask_rcnn.md)]

## 2021-01 (1)
- [Paper B](https://arxiv.org/abs/2102.00690)
"""

WEEKLY = """# Reading log
I read a paper a day.

## Must-read
My favourites so far, each with my notes.

### Self-supervised
* [SimCLR: A Simple Framework for Contrastive Learning of Visual Representations](https://arxiv.org/abs/2002.05709) [[Notes](notes/simclr.md)] <kbd>ICML 2020</kbd>

<!-- BYOL next -->

* [BYOL: Bootstrap Your Own Latent](https://arxiv.org/abs/2006.07733) [[Notes](notes/byol.md)] <kbd>NeurIPS 2020</kbd>

### Detection
* [Focal Loss for Dense Object Detection](https://arxiv.org/abs/1708.02002) [[Notes](notes/focal.md)] <kbd>ICCV 2017</kbd>

### Wk2 - 2020.06.29
* [SimCLR: A Simple Framework for Contrastive Learning of Visual Representations](https://arxiv.org/abs/2002.05709) [[Notes](notes/simclr.md)] <kbd>ICML 2020</kbd>

### Wk1 - 2020.06.22
* [Paper C](https://arxiv.org/abs/1502.03167)
"""

LINE = """# Log

## About
Hi, I keep my notes here.

Papers I recommend:
- [SimCLR](https://arxiv.org/abs/2002.05709) [[notes](notes/simclr.md)]

### Week of 2020.06.22
- [Paper C](https://arxiv.org/abs/1502.03167)
"""


def _import(tmp_path: Path, text: str, name: str) -> tuple[Library, ImportReport]:
    path = tmp_path / f"{name}.md"
    path.write_text(text, "utf-8")
    library = Library.create(tmp_path / name) if not (tmp_path / name).exists() else None
    library = library or Library.open(tmp_path / name)
    report = import_readme(library, path)
    return Library.open(library.root), report


def _body(rendered: str) -> str:
    lines = [ln for ln in rendered.split("\n") if ln not in (MARKER_BEGIN, MARKER_END)]
    return "\n".join(lines).strip("\n") + "\n"


def _state(library: Library) -> list[tuple[str, str, list[tuple[str, str, int, str]]]]:
    """Each item: title, status, readings (section, group, order, period)."""
    return sorted(
        (
            p.display_title,
            p.status,
            sorted(
                (
                    str(r.extra.get("section")),
                    str(r.group),
                    r.order,
                    str(r.extra.get("period") or r.week),
                )
                for r in p.readings
            ),
        )
        for p in library.load_papers()
    )


def test_recommended_papers_are_read_items_in_the_group_of_their_heading(
    tmp_path: Path,
) -> None:
    library, report = _import(tmp_path, MONTHLY, "monthly")
    papers = {p.title: p for p in library.load_papers()}
    assert set(papers) == {
        "Attention Is All You Need",
        "Deep Residual Learning for Image Recognition",
        "Mask R-CNN",
        "Paper A",
        "Paper B",
    }
    assert report.read == 5 and report.wish == 0
    attention = papers["Attention Is All You Need"]
    (reading,) = attention.readings
    assert (reading.week, reading.week_start, reading.date) == (None, None, None)
    assert reading.group == "Recommended papers"
    assert reading.extra["section"] == "Recommended papers"
    assert attention.venue_label == "NIPS 2017" and attention.links[0].url.endswith(".md")
    # a shields.io badge is the entry's badge
    resnet = papers["Deep Residual Learning for Image Recognition"]
    assert (resnet.venue, resnet.year) == ("CVPR", 2016)
    # recommended and read in a month: one item, its month reading and its recommendation
    mask = papers["Mask R-CNN"]
    assert sorted(str(r.extra.get("section") or r.extra.get("period")) for r in mask.readings) == [
        "2021-02 (2)",
        "Recommended papers",
    ]
    assert any("recommended under 'Recommended papers'" in w.message for w in report.warnings)


def test_render_writes_recommended_lists_back_where_they_stood(tmp_path: Path) -> None:
    for name, text in (("monthly", MONTHLY), ("weekly", WEEKLY), ("line", LINE)):
        library, _ = _import(tmp_path, text, name)
        rendered = render_readme(library)
        assert _body(rendered) == text, name
        again, _ = _import(tmp_path, rendered, f"{name}-again")
        assert render_readme(again) == rendered, name
        assert _state(again) == _state(library), name


def test_sub_headings_of_a_recommended_list_are_its_groups(tmp_path: Path) -> None:
    library, _ = _import(tmp_path, WEEKLY, "weekly")
    state = {title: readings for title, _, readings in _state(library)}
    assert state["BYOL: Bootstrap Your Own Latent"] == [("Must-read", "Self-supervised", 2, "None")]
    assert state["Focal Loss for Dense Object Detection"] == [("Must-read", "Detection", 3, "None")]
    simclr = state["SimCLR: A Simple Framework for Contrastive Learning of Visual Representations"]
    assert [s for s, _, _, _ in simclr] == ["Must-read", "None"]
    assert all(p.status == "read" for p in library.load_papers())


def test_reimport_follows_the_edited_recommended_list(tmp_path: Path) -> None:
    """Adding, removing and reordering recommended papers is a sync: the library equals a
    fresh import of the new version; an item changed in paperlog is kept."""
    library, _ = _import(tmp_path, MONTHLY, "lib")
    (resnet,) = [p for p in library.load_papers() if p.title.startswith("Deep Residual")]
    edited = (
        MONTHLY.replace(
            "- [Attention Is All You Need](https://arxiv.org/abs/1706.03762) [[notes](paper_notes/transformer.md)] <kbd>NIPS 2017</kbd>\n",
            "",
        )
        .replace(
            "- [Mask R-CNN](https://arxiv.org/abs/1703.06870) [[notes](paper_notes/mask_rcnn.md)]\n\nQuestions",
            "- [Mask R-CNN](https://arxiv.org/abs/1703.06870) [[notes](paper_notes/mask_rcnn.md)]\n"
            "- [YOLO](https://arxiv.org/abs/1506.02640) [[notes](paper_notes/yolo.md)]\n\nQuestions",
        )
        .replace("Deep Residual Learning for Image Recognition", "Deep Residual Learning")
    )
    again, report = _import(tmp_path, edited, "lib")
    fresh, _ = _import(tmp_path, edited, "fresh")
    assert _state(again) == _state(fresh)
    assert render_readme(again) == render_readme(fresh)
    assert _body(render_readme(again)) == edited
    assert report.removed_keys == ["attention-is-all-you-2017"]
    assert [p.key for p in again.load_papers() if p.title == "YOLO"] == report.added_keys
    # the renamed paper keeps its key; then a paper changed in paperlog is kept, not removed
    assert resnet.key in {p.key for p in again.load_papers()}
    touched = again.paper_path(resnet.key)
    touched.write_text(touched.read_text("utf-8") + "\nMy own notes.\n", "utf-8")
    without = edited.replace(
        "- [Deep Residual Learning](https://arxiv.org/abs/1512.03385) [[notes](paper_notes/resnet.md)] ![CVPR](https://img.shields.io/badge/CVPR-2016-blue)\n",
        "",
    )
    _, report = _import(tmp_path, without, "lib")
    assert report.kept_keys == [resnet.key] and not report.removed_keys


def test_what_is_no_recommended_list_stays_as_it_was(tmp_path: Path) -> None:
    """ "Papers I want to read" is a to-read list; a curated list (no dates) keeps its
    "Must-read" section as a wish-list group; a section that recommends nothing is text."""
    must = LINE.replace("Papers I recommend:", "Papers I want to read:")
    library, _ = _import(tmp_path, must, "must")
    assert {p.title: p.status for p in library.load_papers()}["SimCLR"] == "wish"
    curated = "# Awesome\n\n## Must-read\n- [SimCLR](https://arxiv.org/abs/2002.05709)\n"
    library, _ = _import(tmp_path, curated, "curated")
    (paper,) = library.load_papers()
    assert (paper.status, paper.wish_group) == ("wish", "Must-read")
    prose = MONTHLY.replace("## Recommended papers", "## Useful links").split("## 2021-02")[0]
    prose += "## 2021-01 (1)\n- [Paper B](https://arxiv.org/abs/2102.00690)\n"
    library, _ = _import(tmp_path, prose, "prose")
    assert [p.title for p in library.load_papers()] == ["Paper B"]
    assert _body(render_readme(library)) == prose
