"""Merging source records: documented precedence, order independence, published beats preprint."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlog.model import Paper
from paperlog.resolve.dedupe import find_duplicate, normalize_title, title_similarity
from paperlog.resolve.merge import clean_abstract, merge_records
from paperlog.resolve.record import Record, strip_markup

SIMCLR = "A Simple Framework for Contrastive Learning of Visual Representations"
MOCO = "Momentum Contrast for Unsupervised Visual Representation Learning"


def _arxiv_moco() -> Record:
    return Record(
        source="arxiv",
        title="Momentum Contrast for Unsupervised Visual\n  Representation Learning",
        authors=["Kaiming He", "Haoqi Fan", "Yuxin Wu", "Saining Xie", "Ross Girshick"],
        year=2019,
        venue="arXiv",
        venue_canonical="arXiv",
        published=False,
        abstract="We present Momentum Contrast (MoCo) for unsupervised visual representation.",
        ids={"arxiv": "1911.05722"},
        url="https://arxiv.org/abs/1911.05722v3",
        kind="preprint",
    )


def _crossref_moco() -> Record:
    return Record(
        source="crossref",
        title=MOCO,
        authors=["K. He", "H. Fan", "Y. Wu", "S. Xie", "R. Girshick"],
        year=2020,
        venue="2020 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)",
        venue_canonical="CVPR",
        published=True,
        abstract="<jats:p>We present MoCo.</jats:p>",
        ids={"doi": "10.1109/CVPR42600.2020.00975"},
        url="https://doi.org/10.1109/cvpr42600.2020.00975",
        kind="proceedings-article",
    )


def test_published_venue_and_year_beat_the_preprint() -> None:
    merged = merge_records([_arxiv_moco(), _crossref_moco()])
    assert merged.venue == "CVPR"
    assert merged.year == 2020
    assert merged.published
    assert merged.provenance["venue"] == "crossref"
    assert merged.provenance["year"] == "crossref"


def test_fields_come_from_the_documented_sources() -> None:
    merged = merge_records([_crossref_moco(), _arxiv_moco()])
    assert merged.title == MOCO
    assert merged.provenance["title"] == "crossref"
    # Same count of names: the longer (full given names) list wins over initials.
    assert merged.authors[0] == "Kaiming He"
    assert merged.provenance["authors"] == "arxiv"
    assert merged.abstract is not None and merged.abstract.startswith("We present Momentum")
    assert merged.provenance["abstract"] == "arxiv"
    assert merged.ids == {"arxiv": "1911.05722", "doi": "10.1109/CVPR42600.2020.00975"}
    assert merged.url == "https://arxiv.org/abs/1911.05722"
    assert merged.sources == ["crossref", "arxiv"]


def test_preprint_only_keeps_arxiv_title_and_year() -> None:
    merged = merge_records([_arxiv_moco()])
    assert merged.title == MOCO  # whitespace from the Atom feed collapsed
    assert merged.year == 2019
    assert not merged.published
    assert merged.venue == "arXiv"


def test_published_year_without_venue_still_beats_preprint_year() -> None:
    s2 = Record(source="s2", title=MOCO, year=2020, published=True, ids={"s2": "ab" * 20})
    merged = merge_records([_arxiv_moco(), s2])
    assert merged.year == 2020
    assert merged.provenance["year"] == "s2"


def test_a_recognised_published_venue_beats_a_series_title() -> None:
    series = Record(
        source="crossref",
        title=MOCO,
        year=2019,
        venue="Lecture Notes in Computer Science",
        published=True,
    )
    dblp = Record(
        source="dblp",
        title=MOCO,
        year=2019,
        venue="MICCAI",
        venue_canonical="MICCAI",
        published=True,
    )
    merged = merge_records([series, dblp, _arxiv_moco()])
    assert merged.venue == "MICCAI"
    assert merged.provenance["venue"] == "dblp"


def test_identifying_kinds_only_make_duplicates() -> None:
    a = Paper(key="a", title=MOCO, ids={"arxiv_category": "cs.CV", "isbn": "978-3-030-32248-9"})
    b = Paper(key="b", title=SIMCLR, ids={"arxiv_category": "cs.CV", "isbn": "978-3-030-32248-9"})
    assert find_duplicate([a], b) is None


def test_conflicting_ids_are_listed_not_hidden() -> None:
    other = Record(source="s2", title=MOCO, ids={"arxiv": "1911.05722", "doi": "10.1/other"})
    merged = merge_records([_crossref_moco(), other])
    assert merged.ids["doi"] == "10.1109/CVPR42600.2020.00975"  # crossref outranks s2 for ids
    assert any("doi" in c and "10.1/other" in c for c in merged.conflicts)


def test_empty_input_gives_nothing() -> None:
    merged = merge_records([])
    assert merged.title is None
    assert merged.sources == []


def test_inline_markup_and_dblp_period_leave_the_title() -> None:
    record = Record(source="crossref", title="Deep <i>Residual</i> Learning for H<sub>2</sub>O.")
    assert merge_records([record]).title == "Deep Residual Learning for H2O"


def test_jats_abstract_is_plain_text() -> None:
    text = "<jats:title>Abstract</jats:title><jats:p>Deep  nets\nwork.</jats:p>"
    assert clean_abstract(strip_markup(text)) == "Deep nets work."


def test_comparisons_in_abstracts_are_text_not_tags() -> None:
    # astro-ph/9812133 and 10.1002/jor.1100150407 lost the text between "<" and ">"
    arxiv = "(Omega_M <~ 1.5) ... P(Lambda > 0) = 99%"
    assert clean_abstract(arxiv) == arxiv
    jats = "<jats:p>(p &lt; 0.001) and (p > 0.7) at <i>n</i> &gt; 3</jats:p>"
    assert strip_markup(jats) == "(p < 0.001) and (p > 0.7) at n > 3"


# --- properties --------------------------------------------------------------------------

SOURCES = ("arxiv", "crossref", "s2", "dblp", "openreview")
names = st.text(alphabet="abcdefgh ", min_size=1, max_size=12)
venue_names = st.sampled_from(["ICML", "CVPR", "NeurIPS", "MICCAI", "ICLR"])
id_values = st.dictionaries(
    st.sampled_from(["arxiv", "doi", "s2", "dblp"]),
    st.sampled_from(["1", "2", "10.1/a", "10.1/B"]),
    max_size=3,
)


@st.composite
def records(draw: st.DrawFn) -> Record:
    published = draw(st.booleans())
    venue = draw(venue_names) if published else draw(st.sampled_from(["arXiv", None]))
    # Some published records carry only a venue text paperlog cannot name.
    canonical = None if published and draw(st.booleans()) else venue
    return Record(
        source=draw(st.sampled_from(SOURCES)),
        title=draw(st.none() | st.text(alphabet="abc XYZ.", max_size=20)),
        authors=draw(st.lists(names, max_size=4)),
        year=draw(st.none() | st.integers(2010, 2024)),
        venue=venue,
        venue_canonical=canonical,
        published=published,
        abstract=draw(st.none() | st.text(alphabet="xyz <>", max_size=15)),
        ids=draw(id_values),
        url=draw(st.none() | st.sampled_from(["https://a.example", "https://b.example"])),
        kind=draw(st.none() | st.sampled_from(["preprint", "proceedings-article"])),
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(records(), max_size=6), st.randoms(use_true_random=False))
def test_merge_is_order_independent(recs: list[Record], rnd: random.Random) -> None:
    shuffled = list(recs)
    rnd.shuffle(shuffled)
    assert merge_records(shuffled).to_dict() == merge_records(recs).to_dict()


@settings(max_examples=100, deadline=None)
@given(st.lists(records(), min_size=1, max_size=6))
def test_merge_is_deterministic(recs: list[Record]) -> None:
    assert merge_records(recs) == merge_records(list(recs))


@settings(max_examples=100, deadline=None)
@given(st.lists(records(), min_size=1, max_size=6))
def test_a_published_venue_always_wins(recs: list[Record]) -> None:
    merged = merge_records(recs)
    published_venues = {r.venue_canonical for r in recs if r.published and r.venue_canonical}
    if published_venues:
        assert merged.published
        assert merged.venue in published_venues
    elif any(r.published and r.venue for r in recs):
        assert merged.published
        assert merged.venue is None  # published somewhere paperlog cannot name
    else:
        assert not merged.published


@settings(max_examples=100, deadline=None)
@given(st.lists(records(), min_size=1, max_size=6))
def test_ids_are_the_union_and_authors_the_longest(recs: list[Record]) -> None:
    merged = merge_records(recs)
    assert set(merged.ids) == {k for r in recs for k, v in r.ids.items() if v}
    longest = max(len([a for a in r.authors if a.strip()]) for r in recs)
    assert len(merged.authors) == longest


# --- duplicates --------------------------------------------------------------------------


def test_duplicate_by_arxiv_id_ignores_version() -> None:
    existing = Paper(key="simclr-2020", title="SimCLR", ids={"arxiv": "2002.05709"})
    candidate = Paper(key="new", title="Something else", ids={"arxiv": "2002.05709v3"})
    assert find_duplicate([existing], candidate) is existing


def test_duplicate_by_doi_ignores_case() -> None:
    existing = Paper(key="moco", title="x", ids={"doi": "10.1109/CVPR42600.2020.00975"})
    candidate = Paper(key="new", title="y", ids={"doi": "10.1109/cvpr42600.2020.00975"})
    assert find_duplicate([existing], candidate) is existing


def test_duplicate_by_near_identical_title_and_nickname() -> None:
    existing = Paper(key="simclr", title=SIMCLR, nickname="SimCLR")
    candidate = Paper(key="new", title=f"SimCLR: {SIMCLR.lower()}.")
    assert find_duplicate([existing], candidate) is existing


def test_different_papers_are_not_duplicates() -> None:
    existing = Paper(key="moco", title=MOCO, ids={"arxiv": "1911.05722"})
    candidate = Paper(key="new", title=SIMCLR, ids={"arxiv": "2002.05709"})
    assert find_duplicate([existing], candidate) is None
    near = Paper(key="v2", title="Improved Baselines with Momentum Contrastive Learning")
    assert find_duplicate([existing], near) is None


@given(st.text(max_size=40))
def test_title_normalisation_is_idempotent(title: str) -> None:
    once = normalize_title(title)
    assert normalize_title(once) == once
    if once:
        assert title_similarity(title, title.upper()) == 100.0


# --- duplicates on real data ---------------------------------------------------------------


def _catalog(corpus: Path, name: str) -> list[dict[str, str]]:
    path = corpus / "catalog" / "papercopilot_paperlists" / "cvpr" / name
    if not path.is_file():
        pytest.skip(f"catalog list {path} is absent")
    data: list[dict[str, str]] = json.loads(path.read_text("utf-8"))
    return data


def test_catalog_titles_retyped_are_found_and_others_are_not(corpus: Path) -> None:
    """Real CVPR titles: a re-typed title finds its paper; a paper from another year does not."""
    known = _catalog(corpus, "cvpr2017.json")[:200]
    library = [
        Paper(
            key=f"p{i}", title=item["title"], ids={"arxiv": item["arxiv"]} if item["arxiv"] else {}
        )
        for i, item in enumerate(known)
    ]
    for i in range(0, 200, 5):
        retyped = re.sub(r"[:,\-]", " ", known[i]["title"]).lower() + "."
        found = find_duplicate(library, Paper(key="new", title=retyped))
        assert found is library[i], known[i]["title"]
    others = _catalog(corpus, "cvpr2019.json")[:40]
    for item in others:
        assert find_duplicate(library, Paper(key="new", title=item["title"])) is None, item


def test_seed_entries_are_duplicates_only_when_they_are(seed_path: Path) -> None:
    """The seed's one paper read twice ("Segmentation Survey" and its "(cont.)") is the only pair."""
    from paperlog.ids import ids_from_url

    entries = re.findall(r"^\* \[([^\]]+)\]\(([^)]*)\)", seed_path.read_text("utf-8"), re.M)
    papers = [
        Paper(key=f"e{i}", title=title, url=url or None, ids=ids_from_url(url))
        for i, (title, url) in enumerate(entries)
        if title.strip()
    ]
    pairs = []
    for paper in papers:
        others = [p for p in papers if p is not paper]
        found = find_duplicate(others, paper)
        if found is not None:
            pairs.append((paper, found))
            assert found.url == paper.url, (paper.title, found.title)
    assert any("Segmentation Survey" in p.title for p, _ in pairs)
