"""Rendering the README: seed round trip, faithful layout, markers, charts, property round trip."""

from __future__ import annotations

import copy
import re
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperlog.errors import ValidationError
from paperlog.formats.mojibake import repair_text
from paperlog.formats.readme_render import render_readme, write_readme
from paperlog.formats.readme_shapes import parse_period
from paperlog.library import Library
from paperlog.model import (
    Link,
    Paper,
    Reading,
    ResourceGroup,
    ResourceItem,
    ResourceSection,
    Topic,
    WeekInfo,
)
from paperlog.services.import_readme import import_readme
from paperlog.venues import parse_badge

BEGIN, END = "<!-- paperlog:begin -->", "<!-- paperlog:end -->"


def snapshot(root: Path, skip: tuple[str, ...] = ("README.md",)) -> dict[str, bytes]:
    """Every library file except the derived .paperlog/ folder and the rendered README."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and ".paperlog" not in p.relative_to(root).parts
        and str(p.relative_to(root)) not in skip
    }


@pytest.fixture
def seeded(tmp_path: Path, seed_path: Path) -> Library:
    lib = Library.create(tmp_path / "seeded")
    import_readme(lib, seed_path)
    return Library.open(lib.root)


def test_seed_round_trip_gives_the_same_library(seeded: Library, tmp_path: Path) -> None:
    rendered = tmp_path / "rendered.md"
    rendered.write_text(render_readme(seeded), "utf-8")
    again = Library.create(tmp_path / "again")
    report = import_readme(again, rendered)
    assert report.added == 77
    assert snapshot(again.root) == snapshot(seeded.root)
    # and the warnings left are only the ones the data itself still carries
    assert {w.message.split(" (")[0].split(":")[0] for w in report.warnings} == {
        "topic [Gml]",
        "Wk9 and Wk10 both start on 2020-08-17",
        "same arXiv ID as week 2",
        "placeholder entry",  # the two to-do slots of Wk13, kept and rendered back
    }


def _expected_repair(line: str) -> str | None:
    """What the importer is expected to change in a seed line (None: the line is dropped)."""
    fixed = repair_text(line).rstrip()
    return re.sub(r"\[\[Notes\]\(([^)]*)\)\)", r"[[Notes](\1)]", fixed)


def test_render_differs_from_seed_only_by_repairs(seeded: Library, seed_path: Path) -> None:
    seed_lines = seed_path.read_text("utf-8").split("\n")
    rendered = render_readme(seeded).split("\n")
    assert rendered[0] == BEGIN and rendered[-2:] == [END, ""]
    changed = {n for n, line in enumerate(seed_lines, 1) if _expected_repair(line) != line}
    repairs = {n for n in changed if seed_lines[n - 1].strip()}  # not just blank-line spacing
    mojibake = {59, 61, 69}
    sort_link = {130}
    trailing_space = {
        n for n, line in enumerate(seed_lines, 1) if line != line.rstrip() and line.strip()
    }
    assert repairs == mojibake | sort_link | trailing_space
    assert trailing_space == {24, 34, 88, 114, 227, 228}
    expected = [fixed for line in seed_lines if (fixed := _expected_repair(line)) is not None]
    while expected[-1] == "":  # the seed's blank last line: the end marker stands there
        expected.pop()
    actual = [line.rstrip() for line in rendered[1:-2]]
    assert actual == expected  # spacing included: runs of two blank lines are kept


def test_render_keeps_user_text_outside_markers(seeded: Library) -> None:
    readme = seeded.readme_path
    readme.write_text("My own header\n\n" + render_readme(seeded) + "\nMy own footer\n", "utf-8")
    simclr = seeded.load_paper("simclr-2020")
    simclr.venue_label = "ICML 2020"
    seeded.save_paper(simclr)
    write_readme(seeded, None)
    text = readme.read_text("utf-8")
    assert text.startswith("My own header\n\n" + BEGIN + "\n")
    assert text.endswith(END + "\n\nMy own footer\n")
    assert "<kbd>ICML 2020</kbd>" in text
    assert text.count(BEGIN) == 1 and text.count(END) == 1


def test_render_refuses_a_file_without_markers(seeded: Library, tmp_path: Path) -> None:
    target = tmp_path / "hand-kept.md"
    target.write_text("# my hand-kept list\n", "utf-8")
    with pytest.raises(ValidationError, match="no paperlog markers"):
        write_readme(seeded, target)
    assert target.read_text("utf-8") == "# my hand-kept list\n"
    write_readme(seeded, target, force=True)
    assert target.read_text("utf-8") == render_readme(seeded)


def test_render_writes_a_new_file(seeded: Library) -> None:
    assert not seeded.readme_path.exists()
    assert write_readme(seeded) == seeded.readme_path
    assert seeded.readme_path.read_text("utf-8") == render_readme(seeded)


def test_charts_block_under_paper_notes(seeded: Library, tmp_path: Path) -> None:
    charts = [("Papers per week", "charts/pace.png"), ("Topics", "charts/topics.png")]
    text = render_readme(seeded, charts=charts)
    lines = text.split("\n")
    at = lines.index("# II. Paper Notes")
    assert lines[at + 1 : at + 6] == [
        "",
        "<!-- paperlog:charts -->",
        "![Papers per week](charts/pace.png)",
        "![Topics](charts/topics.png)",
        "",
    ]
    rendered = tmp_path / "with-charts.md"
    rendered.write_text(text, "utf-8")
    again = Library.create(tmp_path / "again")
    import_readme(again, rendered)
    assert snapshot(again.root) == snapshot(seeded.root)


def test_render_of_an_empty_library(tmp_path: Path) -> None:
    lib = Library.create(tmp_path / "empty")
    text = render_readme(lib)
    assert text.startswith(BEGIN + "\n# Reading log\n")
    assert text.endswith(END + "\n")


# --- property: generated libraries render and import back to the same data ---------------------

_TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 ]()[*_`|\\:!#<>&-'\".,")), min_size=1, max_size=24
).filter(lambda s: s.strip() != "" and any(c.isalnum() for c in s))
_URL = st.from_regex(r"https://example\.org/[a-z0-9_()=&?%.~-]{0,16}", fullmatch=True)
_LABEL = st.text(alphabet=st.sampled_from(list("abNotesTBP ]\\[_*")), max_size=8)
_BADGE = st.sampled_from([None, "NIPS 2019", "CVPR 2020", "2018", "Goodnotes", "ICLR 2021"])
_GROUP = st.from_regex(r"[A-Z][a-z]{2,8}( [A-Za-z&+]{1,8}){0,3}", fullmatch=True).filter(
    lambda s: parse_period(s) is None and not s.lower().startswith("wish")
)
_NOTE = st.from_regex(r"[a-z][a-z ]{0,20}[a-z]", fullmatch=True)


@st.composite
def libraries(draw: st.DrawFn) -> tuple[list[Paper], list[WeekInfo]]:
    """Papers (read in generated weeks, or wish-listed) with tricky titles, links, badges."""
    from paperlog.formats.readme_import import norm_title, split_nickname

    count = draw(st.integers(1, 8))
    displays = draw(
        st.lists(_TEXT, min_size=count, max_size=count, unique_by=norm_title).filter(
            lambda ds: all(norm_title(d) for d in ds)
        )
    )
    urls = draw(st.lists(_URL, min_size=count, max_size=count, unique=True))
    week_numbers = draw(st.lists(st.integers(0, 30), max_size=3, unique=True))
    first = date(2020, 6, 1)
    weeks = [
        WeekInfo(
            n,
            first + timedelta(weeks=n),
            draw(st.none() | _NOTE),
            draw(st.lists(_GROUP, min_size=1, max_size=2, unique=True)),
        )
        for n in week_numbers
    ]
    wish_groups = draw(st.lists(_GROUP, min_size=1, max_size=2, unique=True))
    papers: list[Paper] = []
    for i, (display, url) in enumerate(zip(displays, urls, strict=True)):
        nickname, title = split_nickname(display)
        links = [
            Link(label, draw(st.just("") | _URL)) for label in draw(st.lists(_LABEL, max_size=2))
        ]
        paper = Paper(f"p{i}", title, nickname=nickname, url=url, links=links)
        paper.venue_label = draw(_BADGE)
        if paper.venue_label:  # as ``paperlog add`` or an import would fill them
            badge = parse_badge(paper.venue_label)
            paper.venue, paper.year = badge.venue, badge.year
        read_in = (
            draw(st.lists(st.sampled_from(weeks), max_size=2, unique_by=lambda w: w.week))
            if weeks
            else []
        )
        read_undated = draw(st.booleans())
        undated = draw(st.sampled_from([None, date(2019, 3, 1), date(2019, 5, 6)]))
        if read_in:
            paper.status = "read"
            paper.readings = [
                Reading(w.week, w.start, draw(st.sampled_from([None, *w.groups]))) for w in read_in
            ]
        elif read_undated:  # read, but not in a numbered week (a month, or no date)
            paper.status = "read"
            paper.readings = [Reading(None, undated)]
        else:
            paper.wish_group = draw(st.sampled_from(wish_groups))
        papers.append(paper)
    # orders and ranks as a README lists them: group by group, then position
    for week in weeks:
        listed = [
            (week.groups.index(r.group) if r.group else -1, p.key, r)
            for p in papers
            for r in p.readings
            if r.week == week.week
        ]
        for order, (_, _, reading) in enumerate(sorted(listed, key=lambda t: (t[0], t[1])), 1):
            reading.order = order
    for start in (None, date(2019, 3, 1), date(2019, 5, 6)):
        same = sorted(
            (p.key, r)
            for p in papers
            for r in p.readings
            if r.week is None and r.week_start == start
        )
        for order, (_, reading) in enumerate(same, 1):
            reading.order = order
    wish = [p for p in papers if p.status == "wish"]
    group_order = list(dict.fromkeys(p.wish_group for p in wish))
    for rank, paper in enumerate(
        sorted(wish, key=lambda p: (group_order.index(p.wish_group), p.key)), 1
    ):
        paper.rank = rank
    for paper in papers:  # the first reading decides the paper's order in the week it is read
        paper.readings.sort(key=lambda r: r.week or 0)
    return papers, weeks


def _visible(papers: list[Paper]) -> dict[str | None, dict[str, Any]]:
    """What a README shows of each paper (by URL): the part a render and import must carry.
    A wish item's rank shows as its place in the list (ranks only order)."""
    queue = sorted((p for p in papers if p.rank is not None), key=lambda p: p.rank or 0)
    place = {p.key: n for n, p in enumerate(queue, start=1)}
    return {
        paper.url: {
            "display": paper.display_title,
            "url": paper.url,
            "links": [(lk.label, lk.url) for lk in paper.links],
            "badge": paper.venue_label,
            "status": paper.status,
            "wish": (paper.wish_group, place.get(paper.key)),
            "readings": [(r.week, r.week_start, r.group, r.order) for r in paper.readings],
        }
        for paper in papers
    }


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(libraries())
def test_render_then_import_round_trip(generated: tuple[list[Paper], list[WeekInfo]]) -> None:
    papers, weeks = generated
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lib = Library.create(root / "a")
        lib.write_all(papers=papers, weeks=weeks)
        text = render_readme(lib)
        readme = root / "README.md"
        readme.write_text(text, "utf-8")
        back = Library.create(root / "b")
        report = import_readme(back, readme)
        assert report.items == len(papers)
        got = _visible(back.load_papers())
        want = _visible(papers)
        assert got == want
        listed = {
            w.week for w in weeks if any(r.week == w.week for p in papers for r in p.readings)
        }
        back_weeks = {w.week: w for w in back.load_weeks()}
        for week in weeks:
            if week.week in listed:
                assert back_weeks[week.week].start == week.start
                assert back_weeks[week.week].note == week.note
        assert render_readme(back) == text


_WORDS = st.from_regex(r"[A-Z][a-z]{1,7}( [A-Za-z0-9&+/-]{1,7}){0,3}", fullmatch=True).filter(
    lambda s: parse_period(s) is None and "resources" not in s.lower()
)


@st.composite
def resources_and_topics(draw: st.DrawFn) -> tuple[list[ResourceSection], list[Topic]]:
    """Resource sections (intro, named and unnamed groups, stars, link kinds) and a taxonomy."""
    sections = []
    for name in draw(st.lists(_WORDS, min_size=1, max_size=3, unique=True)):
        intro = draw(st.none() | _WORDS.map(lambda w: w + "."))
        names = draw(st.lists(_WORDS, min_size=1, max_size=2, unique=True))
        groups = [ResourceGroup(None if i == 0 and intro else n) for i, n in enumerate(names)]
        for group in groups:
            for title in draw(st.lists(_WORDS, min_size=1, max_size=3)):
                star = draw(st.sampled_from([None, "⭐", "🌟"]))
                kinds = draw(st.lists(st.sampled_from(["pdf", "site", "repo", "vid"]), max_size=2))
                links = [Link(kind, draw(_URL)) for kind in kinds]
                group.items.append(ResourceItem(title, links, star))
        sections.append(ResourceSection(name, intro, groups))
    codes = draw(st.lists(st.from_regex(r"[A-Z][a-z]{2}", fullmatch=True), max_size=4, unique=True))
    topics = [
        Topic(code, draw(_WORDS), draw(st.none() | _WORDS.filter(lambda w: ")" not in w)))
        for code in codes
    ]
    return sections, topics


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(resources_and_topics())
def test_resources_and_topics_round_trip(
    generated: tuple[list[ResourceSection], list[Topic]],
) -> None:
    sections, topics = generated
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lib = Library.create(root / "a")
        config = copy.deepcopy(lib.config)
        config.topics = topics
        wish = Paper("w", "Some paper", url="https://example.org/w")
        lib.write_all(papers=[wish], resources=sections, config=config)
        text = render_readme(lib)
        readme = root / "README.md"
        readme.write_text(text, "utf-8")
        back = Library.create(root / "b")
        import_readme(back, readme)
        assert back.load_resources() == sections
        assert back.config.topics == topics
        assert render_readme(back) == text


def test_import_reads_only_between_markers(seeded: Library, tmp_path: Path) -> None:
    """Text a user keeps outside the markers is theirs: a re-import leaves it out, and says so."""
    mine = "My notes about this list\n\n* [Not an entry of the log](https://example.org/x)\n\n"
    rendered = tmp_path / "README.md"
    rendered.write_text(mine + render_readme(seeded) + "\nThanks for reading!\n", "utf-8")
    again = Library.create(tmp_path / "again")
    report = import_readme(again, rendered)
    assert report.items == 77
    assert snapshot(again.root) == snapshot(seeded.root)
    assert report.warnings[0].line == 1
    assert "3 line(s) outside the paperlog markers" in report.warnings[0].message
