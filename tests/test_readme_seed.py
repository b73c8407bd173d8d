"""Importing the real seed README: every count, the tricky entries, warnings, re-import."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlog.errors import ImportProblem
from paperlog.formats.mojibake import repair_text
from paperlog.formats.readme_import import split_nickname
from paperlog.library import Library
from paperlog.model import Link, Paper
from paperlog.services.import_readme import ImportReport, import_readme


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of a library except the derived .paperlog/ folder."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".paperlog" not in p.relative_to(root).parts
    }


@pytest.fixture
def seeded(library: Library, seed_path: Path) -> tuple[Library, ImportReport]:
    report = import_readme(library, seed_path)
    return Library.open(library.root), report


def by_nickname(lib: Library, nickname: str) -> Paper:
    matches = [p for p in lib.load_papers() if p.nickname == nickname]
    assert len(matches) == 1, [p.key for p in matches]
    return matches[0]


def by_title(lib: Library, start: str) -> Paper:
    matches = [p for p in lib.load_papers() if p.title.startswith(start)]
    assert len(matches) == 1, [p.key for p in matches]
    return matches[0]


def test_seed_counts(seeded: tuple[Library, ImportReport]) -> None:
    lib, report = seeded
    papers = lib.load_papers()
    assert len(papers) == 77
    assert (report.items, report.added, report.updated, report.unchanged) == (77, 77, 0, 0)
    assert sum(p.status == "read" for p in papers) == 64
    assert sum(p.status == "wish" for p in papers) == 13
    assert len(lib.load_weeks()) == 14 == report.weeks
    resources = lib.load_resources()
    assert sum(len(g.items) for s in resources for g in s.groups) == 26 == report.resources
    assert [t.code for t in lib.config.topics] == ["Gml", "Opt", "Net", "Loc", "Uns", "Ano", "Vid"]
    assert len({p.arxiv for p in papers if p.arxiv}) == 57


def test_simclr(seeded: tuple[Library, ImportReport]) -> None:
    lib, _ = seeded
    simclr = by_nickname(lib, "SimClr")
    assert simclr.key == "simclr-2020"
    assert simclr.title == "A Simple Framework for Contrastive Learning of Visual Representations"
    assert simclr.display_title.startswith("SimClr: A Simple Framework")
    assert simclr.arxiv == "2002.05709"
    assert (simclr.venue, simclr.year, simclr.venue_label) == (None, 2020, "2020")
    assert simclr.status == "read"
    assert simclr.track == "depth"
    [reading] = simclr.readings
    assert (reading.week, reading.week_start) == (2, date(2020, 6, 29))
    assert reading.group == "Depth: Recent Self-Supervised Techniques"
    assert reading.order == 4  # fourth entry of week 2


def test_venues_and_links(seeded: tuple[Library, ImportReport]) -> None:
    lib, _ = seeded
    mixmatch = by_nickname(lib, "MixMatch")
    assert (mixmatch.venue, mixmatch.year, mixmatch.venue_label) == ("NeurIPS", 2019, "NIPS 2019")
    hrnet = by_nickname(lib, "HRNet")
    assert [link.label for link in hrnet.links] == ["Notes", "Talk"]
    assert hrnet.links[1].url.startswith("https://docs.google.com/document/d/e/2PACX-1vQWf9Og")
    # the two Springer chapters: one plain, one percent-encoded ("10.1007%2F978-...")
    equiv = by_title(lib, "Semi-supervised Machine Learning with MixMatch")
    assert equiv.doi == "10.1007/978-3-030-61166-8_12"
    confident = by_nickname(lib, "Confident Learning")
    assert confident.doi == "10.1007/978-3-030-59710-8_70"
    assert confident.url == "https://link.springer.com/chapter/10.1007%2F978-3-030-59710-8_70"
    # the SORT line's "[[Notes](...))" is read as a normal link
    sort = by_nickname(lib, "SORT")
    assert sort.links == [Link("Notes", sort.links[0].url)]
    assert sort.links[0].url.endswith("/pub")
    # to-do links are kept with an empty url
    debt = by_title(lib, "Hidden Technical Debt")
    assert debt.links == [Link("TBP", "")] and debt.links[0].is_todo
    dla = by_nickname(lib, "DLA")
    assert dla.links == [Link("Notes", "")]


def test_kinds_and_goodnotes(seeded: tuple[Library, ImportReport]) -> None:
    lib, _ = seeded
    kinds = {p.title: p.kind for p in lib.load_papers() if p.kind != "paper"}
    assert kinds == {
        "(Topic) Null Space Deep Learning": "topic",
        "L1/2 Black Box Machine Learning": "lecture",
        "L3 Introduction to Statistical Learning Theory": "lecture",
        "CVPR'18 Interpretability Workshop": "talk",
        "5 BIBM 2019 Segmentation Papers": "notes",
    }
    notes = by_title(lib, "5 BIBM 2019")
    assert (notes.venue_label, notes.venue, notes.year) == ("Goodnotes", None, None)


def test_wish_list(seeded: tuple[Library, ImportReport]) -> None:
    lib, _ = seeded
    wish = sorted((p for p in lib.load_papers() if p.status == "wish"), key=lambda p: p.rank or 0)
    # the README's order, numbered with gaps: a queue move writes the moved paper alone
    assert [p.rank for p in wish] == [1024 * n for n in range(1, 14)]
    assert wish[0].title == "Hidden Technical Debt in Machine Learning Systems"
    assert wish[0].wish_group == "Breadth: ML Perspectives"
    assert wish[0].track == "breadth"
    assert wish[5].nickname == "Batch Normalization"
    assert wish[5].wish_group == "Architectures and Model Components"
    assert wish[5].track is None
    assert wish[-1].title == "The Building Blocks of Interpretability"
    assert wish[-1].wish_group == "Breadth: Deep Learning Fundamental Concepts"
    assert all(not p.readings for p in wish)


def test_weeks(seeded: tuple[Library, ImportReport]) -> None:
    lib, _ = seeded
    weeks = {w.week: w for w in lib.load_weeks()}
    assert sorted(weeks) == list(range(14))
    assert weeks[10].note == "reduced reading due to paper submission deadline"
    assert weeks[10].groups == ["Misc"]
    assert weeks[9].start == weeks[10].start == date(2020, 8, 17)
    assert weeks[13].note is None
    assert weeks[11].groups == [
        "Tracking",
        "Localization Architectures",
        "Bloomberg - Foundations of Machine Learning",
    ]
    assert weeks[0].groups == ["(Trial Run) Test and improve the process."]


def test_paper_read_twice(seeded: tuple[Library, ImportReport]) -> None:
    lib, _ = seeded
    survey = [p for p in lib.load_papers() if p.arxiv == "2001.05566"]
    assert len(survey) == 1
    paper = survey[0]
    assert paper.display_title == "Segmentation Survey: Image Segmentation Using Deep Learning"
    assert [(r.week, r.week_start) for r in paper.readings] == [
        (2, date(2020, 6, 29)),
        (3, date(2020, 7, 6)),
    ]
    # the second listing was written differently: kept on its reading
    assert paper.readings[1].extra["display_title"].startswith("Segmentation Survey (cont.): ")


def test_stars_and_resources(seeded: tuple[Library, ImportReport]) -> None:
    lib, _ = seeded
    sections = lib.load_resources()
    assert [s.name for s in sections] == ["Meta-Learning", "Papers", "Courses & Books", "Misc"]
    assert sections[0].intro == "Learning how to learn."
    assert [g.name for g in sections[1].groups] == ["Primary", "Community Discourse & Mentions"]
    items = [it for s in sections for g in s.groups for it in g.items]
    stars = [(it.star, it.title) for it in items if it.star]
    assert stars == [
        ("🌟", "All-in-one List of *Many* Topics"),
        ("⭐", "Stanford CS231n - CNNs for Visual Recognition"),
        ("⭐", "Berkeley Pieter Abbeel - Deep Unsupervised Learning"),
    ]
    kinds = {lk.label for it in items for lk in it.links}
    assert kinds >= {"pdf", "vid", "site", "repo", "playlist", "coursera", "sub", "followlist"}
    # no mojibake left anywhere in the library
    for name, data in snapshot(lib.root).items():
        text = data.decode("utf-8")
        assert "\uf8ff" not in text and "‚≠" not in text, name


def test_config(seeded: tuple[Library, ImportReport]) -> None:
    lib, _ = seeded
    config = lib.config
    assert config.title == "WTF-is-Deep-Learning"
    assert config.intro.startswith("My notes, experiences, progress")
    assert config.intro.endswith(
        "Focal Topics: Machine Learning, Deep Learning, Computer Vision, Biomedical Imaging"
    )
    gml = config.topics[0]
    assert (gml.name, gml.description) == ("General ML", "Thinking Frameworks, Theory, Math,")
    assert config.topics[1].description is None
    readme = config.readme
    assert readme["plan"].startswith("**Plan for 2020**")
    assert [t["name"] for t in readme["tracks"]] == ["Breadth", "Depth"]
    assert readme["tracks"][0]["description"] == "aimed at solidifying DL foundations"
    assert readme["search"]["by_year"] == "2002 to 2020"
    assert readme["search"]["by_conference"] == "CVPR, NIPS, MICCAI, ICLR, ICCV, ICML, ECCV"
    assert readme["contents"].startswith("1. [Resources](#i-resources)")
    assert readme["after_plan"].startswith("(Inspired by: [Patrick Liu]")


def test_warnings(seeded: tuple[Library, ImportReport]) -> None:
    _, report = seeded
    by_line = {w.line: w.message for w in report.warnings}
    assert sorted(by_line) == [24, 59, 61, 69, 115, 116, 130, 149, 201]
    assert all("mojibake" in by_line[n] for n in (59, 61, 69))
    assert "⭐" in by_line[61] and "🌟" in by_line[59]
    assert "placeholder" in by_line[115] and "placeholder" in by_line[116]
    assert "malformed link" in by_line[130]
    assert "Wk9" in by_line[149] and "Wk10" in by_line[149]
    assert "another reading" in by_line[201]
    assert "[Gml]" in by_line[24]


def test_reimport_changes_nothing(library: Library, seed_path: Path) -> None:
    import_readme(library, seed_path)
    before = snapshot(library.root)
    report = import_readme(Library.open(library.root), seed_path)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 77)
    assert snapshot(library.root) == before


def test_reimport_keeps_keys_and_user_data(library: Library, seed_path: Path) -> None:
    import_readme(library, seed_path)
    lib = Library.open(library.root)
    simclr = lib.load_paper("simclr-2020")
    lib.delete_paper("simclr-2020")
    simclr.key = "my-simclr"
    simclr.notes = "## Key ideas\n- contrastive loss\n"
    simclr.authors = ["Ting Chen"]
    lib.save_paper(simclr)
    report = import_readme(lib, seed_path)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 77)
    kept = lib.load_paper("my-simclr")
    assert kept.notes == simclr.notes and kept.authors == ["Ting Chen"]
    assert not lib.exists("simclr-2020")


def test_reimport_updates_changed_entry(library: Library, seed_path: Path, tmp_path: Path) -> None:
    import_readme(library, seed_path)
    text = seed_path.read_text(encoding="utf-8")
    edited = tmp_path / "edited.md"
    edited.write_text(text.replace("<kbd>ICIP 2016</kbd>", "<kbd>ICIP 2017</kbd>"), "utf-8")
    report = import_readme(Library.open(library.root), edited)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 76)
    sort = by_nickname(Library.open(library.root), "SORT")
    assert (sort.venue_label, sort.year) == ("ICIP 2017", 2017)


def test_dry_run_writes_nothing(library: Library, seed_path: Path) -> None:
    before = snapshot(library.root)
    report = import_readme(library, seed_path, dry_run=True)
    assert report.dry_run and report.added == 77
    assert snapshot(library.root) == before


def test_no_entries_is_an_error(library: Library, tmp_path: Path) -> None:
    prose = tmp_path / "prose.md"
    prose.write_text("# Just a title\n\nSome words, no reading log.\n", "utf-8")
    before = snapshot(library.root)
    with pytest.raises(ImportProblem) as caught:
        import_readme(library, prose)
    assert "prose.md" in str(caught.value) and "no recognisable entries" in str(caught.value)
    assert snapshot(library.root) == before


def test_missing_file(library: Library, tmp_path: Path) -> None:
    with pytest.raises(ImportProblem, match="no such file"):
        import_readme(library, tmp_path / "absent.md")


def test_broken_library_file_writes_nothing(library: Library, seed_path: Path) -> None:
    (library.papers_dir / "broken.md").write_text("---\ntitle: [unclosed\n---\n", "utf-8")
    before = snapshot(library.root)
    with pytest.raises(Exception, match="broken YAML"):
        import_readme(library, seed_path)
    assert snapshot(library.root) == before


def test_not_utf8(library: Library, tmp_path: Path) -> None:
    bad = tmp_path / "latin1.md"
    bad.write_bytes(b"# T\n\n### Wk1 - 2020.01.06\n* [Caf\xe9](https://x.org/a)\n")
    with pytest.raises(ImportProblem, match="not UTF-8") as caught:
        import_readme(library, bad)
    assert caught.value.line == 4


@pytest.mark.parametrize(
    ("display", "nickname", "title"),
    [
        ("SimClr: A Simple Framework", "SimClr", "A Simple Framework"),
        (
            "Segmentation Survey (cont.): Image Segmentation",
            "Segmentation Survey (cont.)",
            "Image Segmentation",
        ),
        ("Statistical Modeling: The Two Cultures", None, "Statistical Modeling: The Two Cultures"),
        ("Network in Network", None, "Network in Network"),
        ("A: ", None, "A: "),
    ],
)
def test_split_nickname(display: str, nickname: str | None, title: str) -> None:
    assert split_nickname(display) == (nickname, title)


def test_mojibake_repair_leaves_good_text_alone() -> None:
    assert repair_text("‚≠ê and \uf8ffüåü") == "⭐ and 🌟"
    for good in ("naïve café", "Bird’s-Eye", "翁家笠", "MoCo v2 – 2020", "ü alone"):
        assert repair_text(good) == good


_MIXED = st.text(alphabet=st.sampled_from(list("abc XYZ-:()é⭐🌟ü✓★…—’")), min_size=1, max_size=20)


@settings(max_examples=200)
@given(_MIXED)
def test_mojibake_round_trip(text: str) -> None:
    """UTF-8 read as Mac Roman is repaired; text that is fine is left alone."""
    assert repair_text(text) == text
    assert repair_text(text.encode("utf-8").decode("mac_roman")) == text


@pytest.mark.parametrize(
    ("known", "display_start"),
    [
        (Paper("mine-doi", "x", ids={"doi": "10.1007/978-3-030-59710-8_70"}), "Confident Learning"),
        (
            Paper(
                "mine-url",
                "x",
                url="https://ronan.collobert.com/pub/matos/2009_curriculum_icml.pdf",
            ),
            "Curriculum Learning",
        ),
        (Paper("mine-title", "selective kernel NETWORKS"), "Selective Kernel Networks"),
    ],
    ids=["doi", "url", "title"],
)
def test_reimport_matches_by_doi_url_title(
    library: Library, seed_path: Path, known: Paper, display_start: str
) -> None:
    known.notes = "my own notes\n"
    library.save_paper(known)
    report = import_readme(library, seed_path)
    assert report.added == 76 and report.updated == 1
    kept = library.load_paper(known.key)
    assert kept.display_title.startswith(display_start)
    assert kept.notes == "my own notes\n"


def test_week_with_impossible_date(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "bad-date.md"
    path.write_text("# T\n\n### Wk1 - 2020.02.30\n* [A paper](https://example.org/a)\n", "utf-8")
    report = import_readme(library, path)
    assert [(w.line, "not a real date" in w.message) for w in report.warnings] == [(3, True)]
    [paper] = library.load_papers()
    assert paper.status == "read"
    assert [(r.week, r.week_start) for r in paper.readings] == [(1, None)]
