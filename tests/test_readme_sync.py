"""Re-import is a sync: successive hand-edited versions of the seed, each re-imported into one
library, leave it equal to a fresh import of that version plus what was done in paperlog."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from paperlog.library import Library
from paperlog.model import Paper
from paperlog.plan.log import log_reading
from paperlog.services.import_readme import import_readme

Edit = Callable[[str], str]


def replace(old: str, new: str) -> Edit:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


def line_of(text: str, needle: str) -> str:
    found = [ln for ln in text.split("\n") if needle in ln]
    if len(found) > 1:
        found = [ln for ln in found if ln == needle]
    [line] = found
    return line


def delete_line(needle: str) -> Edit:
    def edit(text: str) -> str:
        return text.replace(line_of(text, needle) + "\n", "", 1)

    return edit


def move_line(needle: str, after: str) -> Edit:
    """Cut the line holding ``needle`` and paste it after the line holding ``after``."""

    def edit(text: str) -> str:
        line = line_of(text, needle)
        text = text.replace(line + "\n", "", 1)
        anchor = line_of(text, after)
        return text.replace(anchor + "\n", anchor + "\n" + line + "\n", 1)

    return edit


def insert_after(after: str, lines: str) -> Edit:
    def edit(text: str) -> str:
        anchor = line_of(text, after)
        return text.replace(anchor + "\n", anchor + "\n" + lines, 1)

    return edit


NEW_WEEK = "### Wk14 - 2020.10.26\nSelf-Supervised Learning\n"

# Each edit is one a researcher makes by hand between two imports.
EDITS: list[tuple[str, Edit]] = [
    (
        "add a wish item",
        insert_after(
            "Visualizing Neural Networks with the Grand Tour",
            "* [Attention Is All You Need](https://arxiv.org/abs/1706.03762) [[TBP]()] "
            "<kbd>NIPS 2017</kbd>\n",
        ),
    ),
    ("add a week", replace("### Wk13 - 2020.10.20", NEW_WEEK + "\n### Wk13 - 2020.10.20")),
    ("carry a wish item forward", move_line("Selective Kernel Networks", "Wk14 - ")),
    (
        "fix a title typo",
        replace("AMDIM: ALearning Representations", "AMDIM: Learning Representations"),
    ),
    ("move a paper between weeks", move_line("[Curriculum Learning]", "Free-Hand Notes on")),
    ("delete an entry", delete_line("[Network in Network]")),
    ("rename a theme", replace("\nTracking\n", "\nMulti-Object Tracking\n")),
    (
        "change a badge",
        replace(
            "arxiv.org/abs/2001.07685) [[Notes](https://docs.google.com/document/d/e/"
            "2PACX-1vSl0pBzwQE5UFluG5V_cT1kDh4QUVgBExxW_gfwz-HempGGTBocllDwQm7T3H8xmSSU"
            "tRCRAqEaJRCd/pub)] <kbd>2020</kbd>",
            "arxiv.org/abs/2001.07685) [[Notes](https://docs.google.com/document/d/e/"
            "2PACX-1vSl0pBzwQE5UFluG5V_cT1kDh4QUVgBExxW_gfwz-HempGGTBocllDwQm7T3H8xmSSU"
            "tRCRAqEaJRCd/pub)] <kbd>NeurIPS 2020</kbd>",
        ),
    ),
    ("fix the SORT link", replace("FDD/pub)) <kbd>ICIP 2016", "FDD/pub)] <kbd>ICIP 2016")),
    ("annotate the new week", insert_after("Wk14 - ", "*(reduced reading: travel)* <br>\n")),
    ("delete a wish item", delete_line("[Why Momentum Really Works]")),
    ("reorder a week", move_line("[Attention U-Net:", "[3D UNet:")),
    (
        "change a url",
        replace(
            "https://papers.nips.cc/paper/4687-large-scale-distributed-deep-networks)",
            "https://papers.nips.cc/paper/4687-large-scale-distributed-deep-networks.pdf)",
        ),
    ),
    (
        "carry another wish item into a new group",
        insert_after("Selective Kernel Networks", "\nArchitectures\n"),
    ),
    ("... and the item under it", move_line("[EfficientNet:", "Architectures")),
    (
        "add a new week with a re-read",
        replace(
            "### Wk14 - 2020.10.26",
            "### Wk15 - 2020.11.02\nSemi-Supervised Learning\n"
            "* [MixMatch (cont.): A Holistic Approach to Semi-Supervised Learning]"
            "(https://arxiv.org/abs/1905.02249) <kbd>NIPS 2019</kbd>\n"
            "* [ReMixMatch: Semi-Supervised Learning with Distribution Alignment]"
            "(https://arxiv.org/abs/1911.09785) <kbd>ICLR 2020</kbd>\n\n"
            "### Wk14 - 2020.10.26",
        ),
    ),
    (
        "rename a wish group",
        replace("Architectures and Model Components", "Architectures & Components"),
    ),
    ("delete the trial week", lambda t: t[: t.index("### Wk0 - ")].rstrip("\n") + "\n"),
    (
        "add a topic",
        insert_after("* [Vid] Video", "   * [Med] Medical Imaging (Segmentation, Registration)\n"),
    ),
    ("edit the intro", replace("and slaying grad school", "and finishing grad school")),
    ("delete a resource", delete_line("[[followlist](")),
    ("delete a paper changed in paperlog", delete_line("[SimClr: A Simple Framework")),
    ("delete a paper read in paperlog", delete_line("[Statistical Modeling: The Two Cultures]")),
    (
        "un-read a paper back to the wish-list",
        move_line("[V-Net: Fully", "Breadth: Deep Learning Fundamental Concepts"),
    ),
    ("redate a week", replace("### Wk13 - 2020.10.20", "### Wk13 - 2020.10.19")),
    ("delete a read paper", delete_line("[Bag of Tricks for Image Classification]")),
]


def _projection(lib: Library, skip: set[str]) -> dict[str, Any]:
    """What a README import makes, without paperlog's own papers, readings and notes. The keys
    in ``skip`` were changed in paperlog (read with done: out of the wish-list; notes written
    then deleted from the README: kept whole)."""
    papers: dict[str, Any] = {}
    for paper in lib.load_papers():
        if paper.extra.get("origin") != "readme" or paper.key in skip:
            continue
        readings = [
            (r.week, r.week_start, r.group, r.order, dict(r.extra))
            for r in paper.readings
            if r.extra.get("origin") == "readme"
        ]
        if not readings and paper.status == "read":
            continue  # kept for its paperlog reading only
        extra = {k: v for k, v in paper.extra.items() if k not in ("readme_digest",)}
        papers[paper.display_title] = (
            paper.kind,
            paper.status if readings or paper.status != "read" else "wish",
            paper.year,
            paper.venue,
            paper.venue_label,
            paper.url,
            paper.links,
            paper.track,
            paper.wish_group,
            paper.rank,
            sorted(readings, key=repr),
            extra,
        )
    config = lib.config
    # A rank only orders: a sync keeps the ranks that already give the README's order and a
    # fresh import numbers them anew, so both are compared as places in the queue (and the
    # README's own lines in the wish-list by the place they follow).
    ranked = sorted(t[9] for t in papers.values() if t[9] is not None)
    place = {rank: n for n, rank in enumerate(ranked, start=1)}
    papers = {k: (*t[:9], place.get(t[9]), *t[10:]) for k, t in papers.items()}
    readme = copy.deepcopy(config.readme)
    for slot in readme.get("slots") or []:
        if isinstance(slot, dict) and "period" not in slot and "section" not in slot:
            slot["after"] = sum(1 for rank in ranked if rank <= float(slot.get("after") or 0))
    return {
        "papers": papers,
        "weeks": [w for w in lib.load_weeks() if w.week != 14 or w.start != date(2020, 10, 26)],
        "resources": lib.load_resources(),
        "title": config.title,
        "intro": config.intro,
        "topics": config.topics,
        "readme": readme,
    }


def _by_title(lib: Library, start: str) -> Paper:
    [paper] = [p for p in lib.load_papers() if p.display_title.startswith(start)]
    return paper


def test_successive_versions_sync_like_a_fresh_import(seed_path: Path, tmp_path: Path) -> None:
    assert len(EDITS) >= 20
    text = seed_path.read_text(encoding="utf-8")
    lib = Library.create(tmp_path / "synced")
    import_readme(lib, seed_path)
    lib = Library.open(lib.root)
    # paperlog-made changes: notes written, a wish item read with done, a paper added
    simclr = _by_title(lib, "SimClr:")
    simclr.notes = "## Key ideas\n- a contrastive loss over augmented pairs\n"
    lib.save_paper(simclr)
    stat = _by_title(lib, "Statistical Modeling")
    log_reading(lib, stat.key, date(2020, 10, 27), today=date(2020, 10, 30))
    lib.save_paper(Paper("my-added-paper", "A Paper Added With paperlog", rank=99))
    keys = {p.display_title: p.key for p in lib.load_papers()}
    skip = {stat.key}
    for number, (what, edit) in enumerate(EDITS, 1):
        text = edit(text)
        version = tmp_path / f"v{number:02d}.md"
        version.write_text(text, encoding="utf-8")
        report = import_readme(Library.open(lib.root), version)
        lib = Library.open(lib.root)
        fresh = Library.create(tmp_path / f"fresh{number:02d}")
        import_readme(fresh, version)
        fresh = Library.open(fresh.root)
        skip.update(report.kept_keys)
        mine, theirs = _projection(lib, skip), _projection(fresh, skip)
        assert mine == theirs, (f"version {number}: {what}", _diff(mine, theirs))
        # paperlog's changes survive every version
        papers = {p.key: p for p in lib.load_papers()}
        assert papers[simclr.key].notes == simclr.notes, what
        assert any(r.date == date(2020, 10, 27) for r in papers[stat.key].readings), what
        assert "my-added-paper" in papers, what
        # keys never change: a paper still present keeps the key it was first given
        for paper in papers.values():
            if paper.display_title in keys:
                assert keys[paper.display_title] == paper.key, what
        for paper in papers.values():
            keys.setdefault(paper.display_title, paper.key)
        # a second import of the same version changes nothing
        again = import_readme(Library.open(lib.root), version)
        assert (again.added, again.updated, again.removed) == (0, 0, 0), what
        if what == "delete an entry":
            assert report.removed_keys == ["network-network-2014"]
        if what == "delete a paper changed in paperlog":
            assert report.kept_keys == [simclr.key] and not report.removed_keys
        if what == "carry a wish item forward":
            [moved] = report.moved
            assert moved["to"] == "Wk14" and moved["from"].startswith("wish-list")


def test_reimport_after_doctor_fix_keeps_one_reading_per_week(
    seed_path: Path, tmp_path: Path
) -> None:
    """Issue 7 item 1: init, import readme, doctor --fix, import readme left every reading of a
    moved week twice."""
    root = tmp_path / "lib"
    assert run_cli("init", str(root)).returncode == 0
    assert run_cli("import", "readme", str(seed_path), library=root).returncode == 0
    assert run_cli("doctor", "--fix", library=root).returncode in (0, 1)
    again = run_cli("import", "readme", str(seed_path), "--json", library=root)
    assert again.returncode == 0, again.stderr
    lib = Library.open(root)
    for paper in lib.load_papers():
        weeks = [r.week for r in paper.readings]
        assert len(weeks) == len(set(weeks)), paper.key
    assert sum(len(p.readings) for p in lib.load_papers()) == 65
    week12 = run_cli("week", "12", "--json", library=root)
    assert week12.returncode == 0, week12.stderr
    assert week12.stdout.count("dual-teacher-2020") == 1


def test_doctor_reports_two_readings_in_one_week(library: Library, seed_path: Path) -> None:
    import_readme(library, seed_path)
    lib = Library.open(library.root)
    paper = lib.load_paper("u-net-2015")
    twin = paper.readings[0]
    paper.readings.append(type(twin)(twin.week, twin.week_start, twin.group, None, 9))
    lib.save_paper(paper)
    result = run_cli("doctor", "--json", library=library.root)
    assert "double-reading" in result.stdout and "u-net-2015" in result.stdout


def test_dry_run_shows_the_diff(library: Library, seed_path: Path, tmp_path: Path) -> None:
    import_readme(library, seed_path)
    text = seed_path.read_text(encoding="utf-8")
    for _, edit in (EDITS[1], EDITS[2], EDITS[3], EDITS[5]):
        text = edit(text)
    version = tmp_path / "v.md"
    version.write_text(text, encoding="utf-8")
    result = run_cli("import", "readme", str(version), "--dry-run", library=library.root)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "removed" in out and "network-network-2014" in out
    assert "moved" in out and "selective-kernel-networks" in out and "Wk14" in out
    assert "changed" in out and "amdim-2019" in out
    assert Library.open(library.root).exists("network-network-2014")


@pytest.mark.parametrize("touch", ["notes", "review", "none"])
def test_removed_item_goes_unless_touched(
    library: Library, seed_path: Path, tmp_path: Path, touch: str
) -> None:
    import_readme(library, seed_path)
    lib = Library.open(library.root)
    paper = lib.load_paper("selective-kernel-networks")
    if touch == "notes":
        paper.notes = "mine\n"
    elif touch == "review":
        paper.review = {"due": "2020-11-01"}
    lib.save_paper(paper)
    version = tmp_path / "v.md"
    version.write_text(delete_line("[Selective Kernel Networks]")(seed_path.read_text("utf-8")))
    report = import_readme(Library.open(library.root), version)
    lib = Library.open(library.root)
    if touch == "none":
        assert report.removed_keys == ["selective-kernel-networks"]
        assert not lib.exists("selective-kernel-networks")
    else:
        assert report.kept_keys == ["selective-kernel-networks"]
        assert lib.exists("selective-kernel-networks")


def _diff(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """The differing parts of two projections, readable in a failure."""
    out = [k for k in a if k != "papers" and a[k] != b[k]]
    pa, pb = a["papers"], b["papers"]
    for title in sorted({*pa, *pb}):
        if pa.get(title) != pb.get(title):
            out.append(f"{title}: {pa.get(title)} != {pb.get(title)}")
    return out
