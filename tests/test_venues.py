"""Venues: badge labels, aliases, kinds and the long names metadata sources give.

The badge table holds every distinct <kbd> label of the seed README plus shapes met in other
hand-kept reading lists; the long names are shapes returned by Crossref, Semantic Scholar and
DBLP or written in BibTeX files. They are written out here so the tests run without the corpus.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlog.venues import (
    KINDS,
    VENUES,
    Badge,
    canonical_venue,
    parse_badge,
    venue_aliases,
    venue_from_source,
    venue_kind,
)

C, J, W, P, B = "conference", "journal", "workshop", "preprint", "blog"

# label -> (venue, year, known, kind, qualifier)
SEED_BADGES: list[tuple[str, str | None, int | None, bool, str | None, str | None]] = [
    ("2001", None, 2001, False, None, None),
    ("2012", None, 2012, False, None, None),
    ("2016", None, 2016, False, None, None),
    ("2017", None, 2017, False, None, None),
    ("2018", None, 2018, False, None, None),
    ("2020", None, 2020, False, None, None),
    ("3DV 2016", "3DV", 2016, True, C, None),
    ("AAAI 2018", "AAAI", 2018, True, C, None),
    ("BHI Journal 2017", "BHI Journal", 2017, False, J, None),
    ("CVPR 2017", "CVPR", 2017, True, C, None),
    ("CVPR 2018", "CVPR", 2018, True, C, None),
    ("CVPR 2019", "CVPR", 2019, True, C, None),
    ("CVPR 2020", "CVPR", 2020, True, C, None),
    ("Distill 2017", "Distill", 2017, True, B, None),
    ("Distill 2018", "Distill", 2018, True, B, None),
    ("Distill 2019", "Distill", 2019, True, B, None),
    ("Distill 2020", "Distill", 2020, True, B, None),
    ("Goodnotes", None, None, False, None, None),
    ("ICCV 2015", "ICCV", 2015, True, C, None),
    ("ICCV 2017", "ICCV", 2017, True, C, None),
    ("ICIP 2016", "ICIP", 2016, True, C, None),
    ("ICIP 2017", "ICIP", 2017, True, C, None),
    ("ICLR 2014", "ICLR", 2014, True, C, None),
    ("ICLR 2017", "ICLR", 2017, True, C, None),
    ("ICLR 2018", "ICLR", 2018, True, C, None),
    ("ICLR 2020", "ICLR", 2020, True, C, None),
    ("ICML 2009", "ICML", 2009, True, C, None),
    ("ICML 2018", "ICML", 2018, True, C, None),
    ("ICML 2019", "ICML", 2019, True, C, None),
    ("IPMI 2019", "IPMI", 2019, True, C, None),
    ("JNeuroImage 2018", "NeuroImage", 2018, True, J, None),
    ("MIA 2018", "MIA", 2018, True, J, None),
    ("MICCAI 2015", "MICCAI", 2015, True, C, None),
    ("MICCAI 2016", "MICCAI", 2016, True, C, None),
    ("MICCAI 2017", "MICCAI", 2017, True, C, None),
    ("MICCAI 2019", "MICCAI", 2019, True, C, None),
    ("MICCAI 2020", "MICCAI", 2020, True, C, None),
    ("MIDL 2018", "MIDL", 2018, True, C, None),
    ("MIML 2019", "MIML", 2019, True, W, None),
    ("NIPS 2012", "NeurIPS", 2012, True, C, None),
    ("NIPS 2014", "NeurIPS", 2014, True, C, None),
    ("NIPS 2015", "NeurIPS", 2015, True, C, None),
    ("NIPS 2017", "NeurIPS", 2017, True, C, None),
    ("NIPS 2019", "NeurIPS", 2019, True, C, None),
    ("NNLS 2020", "TNNLS", 2020, True, J, None),
    ("TMI 2018", "TMI", 2018, True, J, None),
    ("TPAMI 2018", "TPAMI", 2018, True, J, None),
]

OTHER_BADGES: list[tuple[str, str | None, int | None, bool, str | None, str | None]] = [
    ("CVPR 2019 Oral", "CVPR", 2019, True, C, "Oral"),
    ("CVPR 2019 oral", "CVPR", 2019, True, C, "oral"),
    ("CVPR 2023 highlight", "CVPR", 2023, True, C, "highlight"),
    ("CVPR 2018 spotlight", "CVPR", 2018, True, C, "spotlight"),
    ("CVPR 2019 Best Paper Shortlist", "CVPR", 2019, True, C, "Best Paper Shortlist"),
    ("CVPR 2020 best paper candidates", "CVPR", 2020, True, C, "best paper candidates"),
    ("CVPR 2017 workshop", "CVPR", 2017, True, W, "workshop"),
    ("NeurIPS 2023 workshop", "NeurIPS", 2023, True, W, "workshop"),
    ("NeurIPS 2022 Workshop", "NeurIPS", 2022, True, W, "Workshop"),
    ("ICML workshop 2020", "ICML", 2020, True, W, "workshop"),
    ("NIPS 2018 talk", "NeurIPS", 2018, True, C, "talk"),
    ("CVPRW 2019", "CVPRW", 2019, True, W, None),
    ("ICCVW 2019", "ICCVW", 2019, True, W, None),
    ("arXiv 2025-06", "arXiv", 2025, True, P, None),
    ("arXiv 2025-07", "arXiv", 2025, True, P, None),
    ("EMNLP25", "EMNLP", 2025, True, C, None),
    ("CVPR2019", "CVPR", 2019, True, C, None),
    ("CVPR19", "CVPR", 2019, True, C, None),
    ("ECCV'18", "ECCV", 2018, True, C, None),
    ("ECCV '18", "ECCV", 2018, True, C, None),
    ("NIPS'95", "NeurIPS", 1995, True, C, None),
    ("ICCV’17", "ICCV", 2017, True, C, None),
    ("  NIPS   2019  ", "NeurIPS", 2019, True, C, None),
    ("NeurlPS 2021", "NeurIPS", 2021, True, C, None),  # a real typo: lower-case L for I
    ("NeurIPS 2020 spotlight", "NeurIPS", 2020, True, C, "spotlight"),
    ("ICLR 2025 Oral", "ICLR", 2025, True, C, "Oral"),
    ("ICLR 2026", "ICLR", 2026, True, C, None),
    ("WACV 2022", "WACV", 2022, True, C, None),
    ("BMVC 2018", "BMVC", 2018, True, C, None),
    ("IJCV 2018", "IJCV", 2018, True, J, None),
    ("TIP 2018", "TIP", 2018, True, J, None),
    ("TMLR 2023", "TMLR", 2023, True, J, None),
    ("PAMI 2018", "TPAMI", 2018, True, J, None),
    ("RAL 2023", "RA-L", 2023, True, J, None),
    ("LRA 2019", "RA-L", 2019, True, J, None),
    ("IEEE RA-L 2019", "RA-L", 2019, True, J, None),
    ("RA-L", "RA-L", None, True, J, None),
    ("T-RO 2021", "T-RO", 2021, True, J, None),
    ("TRO 2019", "T-RO", 2019, True, J, None),
    ("TITS 2021", "TITS", 2021, True, J, None),
    ("IROS 2019 Oral", "IROS", 2019, True, C, "Oral"),
    ("CoRL 2023", "CoRL", 2023, True, C, None),
    ("RSS 2019", "RSS", 2019, True, C, None),
    ("Robotics: science and systems 2020", "RSS", 2020, True, C, None),
    ("ICRA 2024", "ICRA", 2024, True, C, None),
    ("IV 2016", "IV", 2016, True, C, None),
    ("ITSC 2020 oral", "ITSC", 2020, True, C, "oral"),
    ("IJCAI 2018 oral", "IJCAI", 2018, True, C, "oral"),
    ("L4DC 2022", "L4DC", 2022, True, C, None),
    ("L4DC", "L4DC", None, True, C, None),
    ("Nature 2016", "Nature", 2016, True, J, None),
    ("Science 2017", "Science", 2017, True, J, None),
    ("PNAS 2019", "PNAS", 2019, True, J, None),
    ("Sensors 2020", "Sensors", 2020, True, J, None),
    ("sensors 2020", "Sensors", 2020, True, J, None),
    ("IEEE TGRS 2018", "TGRS", 2018, True, J, None),
    ("IEEE Access 2019", "IEEE Access", 2019, True, J, None),
    ("SIGGRAPH 2020", "SIGGRAPH", 2020, True, C, None),
    ("ICPR 2020", "ICPR", 2020, True, C, None),
    ("ICONIP 2018", "ICONIP", 2018, True, C, None),
    ("ACL 2020", "ACL", 2020, True, C, None),
    (
        "Journal of Advanced Transportation 2018",
        "Journal of Advanced Transportation",
        2018,
        False,
        J,
        None,
    ),
    ("PSIVT 2019", "PSIVT", 2019, False, None, None),
    ("EuRAD 2019", "EuRAD", 2019, False, None, None),
    ("Video", None, None, False, None, None),
    ("PanSeg", None, None, False, None, None),
    ("", None, None, False, None, None),
    ("CVPR 1949", "CVPR", None, True, C, "1949"),  # not a year: out of range
    ("CVPR 9", "CVPR", None, True, C, "9"),
    ("2019 CVPR Oral", "CVPR", 2019, True, C, "Oral"),
    ("2019 CVPR", "CVPR", 2019, True, C, None),
    ("2020 workshop", None, 2020, False, None, "workshop"),
    ("Oral", None, None, False, None, "Oral"),
    ("Nature Neuroscience 2019", "Nature Neuroscience", 2019, False, None, None),
]


@pytest.mark.parametrize(
    ("label", "venue", "year", "known", "kind", "qualifier"), SEED_BADGES + OTHER_BADGES
)
def test_parse_badge(
    label: str,
    venue: str | None,
    year: int | None,
    known: bool,
    kind: str | None,
    qualifier: str | None,
) -> None:
    assert parse_badge(label) == Badge(label, venue, year, known, kind, qualifier)


def test_seed_badges_are_all_in_the_table(seed_path: Path) -> None:
    labels = set(re.findall(r"<kbd>([^<]*)</kbd>", seed_path.read_text(encoding="utf-8")))
    assert labels == {row[0] for row in SEED_BADGES}
    for label in labels:
        badge = parse_badge(label)
        # a label with a word and a year is a venue; only bare years and "Goodnotes" are not
        assert (badge.venue is None) == (not re.search(r"[A-Za-z]", label) or label == "Goodnotes")


# ---------------------------------------------------------------------------------- aliases

ALIASES = [
    ("NIPS", "NeurIPS"),
    ("nips", "NeurIPS"),
    ("NeurIPS", "NeurIPS"),
    ("Neural Information Processing Systems", "NeurIPS"),
    ("NNLS", "TNNLS"),
    ("JNeuroImage", "NeuroImage"),
    ("neuroimage", "NeuroImage"),
    ("RAL", "RA-L"),
    ("ra-l", "RA-L"),
    ("IEEE RA-L", "RA-L"),
    ("T-PAMI", "TPAMI"),
    ("IEEE TPAMI", "TPAMI"),
    ("IEEE/CVF CVPR", "CVPR"),
    ("the ICML", "ICML"),
    ("CoRR", "arXiv"),
    ("arxiv", "arXiv"),
    ("MedIA", "MIA"),
    ("3dv", "3DV"),
    ("Distill.pub", "Distill"),
    ("ECML PKDD", "ECML-PKDD"),
    ("Goodnotes", None),
    ("BHI Journal", None),
    ("", None),
    ("IEEE", None),
    ("Proceedings of the", None),
]


@pytest.mark.parametrize(("name", "canonical"), ALIASES)
def test_canonical_venue(name: str, canonical: str | None) -> None:
    assert canonical_venue(name) == canonical


def test_venue_aliases() -> None:
    aliases = venue_aliases("NIPS")
    assert aliases[0] == "NeurIPS"
    assert "NIPS" in aliases
    assert len(aliases) == len(set(aliases))
    assert venue_aliases("TNNLS")[:2] == ["TNNLS", "NNLS"]
    assert venue_aliases("Goodnotes") == ["Goodnotes"]


def test_venue_kind() -> None:
    assert venue_kind("NeurIPS") == "conference"
    assert venue_kind("TPAMI") == "journal"
    assert venue_kind("arXiv") == "preprint"
    assert venue_kind("Distill") == "blog"
    assert venue_kind("CVPRW") == "workshop"
    assert venue_kind("NIPS") == "conference"
    assert venue_kind("Goodnotes") is None


def test_table_is_consistent() -> None:
    owners: dict[str, str] = {}
    for canonical, (kind, aliases, patterns) in VENUES.items():
        assert kind in KINDS, canonical
        assert canonical_venue(canonical) == canonical
        for pattern in patterns:
            re.compile(pattern)
        for spelling in (canonical, *aliases):
            # no spelling may name two venues
            key = re.sub(r"[\W_]+", "", spelling.casefold())
            assert owners.setdefault(key, canonical) == canonical, spelling


REQUIRED = [
    "CVPR",
    "ICCV",
    "ECCV",
    "WACV",
    "BMVC",
    "3DV",
    "NeurIPS",
    "ICML",
    "ICLR",
    "AAAI",
    "IJCAI",
    "AISTATS",
    "UAI",
    "COLT",
    "KDD",
    "ACL",
    "EMNLP",
    "NAACL",
    "COLING",
    "MICCAI",
    "IPMI",
    "MIDL",
    "ISBI",
    "MIML",
    "ICIP",
    "ICASSP",
    "Interspeech",
    "CoRL",
    "RSS",
    "ICRA",
    "IROS",
    "IV",
    "ITSC",
    "TPAMI",
    "IJCV",
    "TIP",
    "TMI",
    "MIA",
    "TNNLS",
    "NeuroImage",
    "JMLR",
    "TMLR",
    "Nature",
    "Science",
    "CACM",
    "Distill",
    "arXiv",
]


@pytest.mark.parametrize("name", REQUIRED)
def test_required_venues_are_known(name: str) -> None:
    assert name in VENUES


# ------------------------------------------------------------------------------ long names

SOURCES = [
    ("Advances in Neural Information Processing Systems", "NeurIPS"),
    ("Advances in neural information processing systems", "NeurIPS"),
    ("Advances in {N}eural {I}nformation {P}rocessing {S}ystems", "NeurIPS"),
    ("Neural Information Processing Systems", "NeurIPS"),
    ("NeurIPS", "NeurIPS"),
    ("2020 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)", "CVPR"),
    ("Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition", "CVPR"),
    ("Proceedings of the {IEEE} Conference on Computer Vision and Pattern Recognition", "CVPR"),
    ("Proc.\\ of CVPR", "CVPR"),
    ("Proc.\\ of CVPR - Workshops", "CVPRW"),
    (
        "2019 IEEE/CVF Conference on Computer Vision and Pattern Recognition Workshops (CVPRW)",
        "CVPRW",
    ),
    ("2023 IEEE/CVF International Conference on Computer Vision Workshops (ICCVW)", "ICCVW"),
    ("2019 IEEE/CVF International Conference on Computer Vision (ICCV)", "ICCV"),
    ("Computer Vision – ECCV 2020", "ECCV"),
    ("European Conference on Computer Vision", "ECCV"),
    ("International Conference on Machine Learning", "ICML"),
    ("Proceedings of the 37th International Conference on Machine Learning", "ICML"),
    ("ICML", "ICML"),
    ("International Conference on Learning Representations", "ICLR"),
    ("ICLR 2026 Conference Submission", "ICLR"),
    ("Medical Image Computing and Computer Assisted Intervention – MICCAI 2020", "MICCAI"),
    ("Medical Image Computing and Computer-Assisted Intervention", "MICCAI"),
    ("Lecture Notes in Computer Science", None),
    ("LNCS", None),
    (
        "Lecture Notes in Computer Science (including subseries Lecture Notes in Artificial"
        " Intelligence and Lecture Notes in Bioinformatics)",
        None,
    ),
    ("Proceedings of Machine Learning Research", None),
    ("IEEE Transactions on Pattern Analysis and Machine Intelligence", "TPAMI"),
    ("{IEEE} Transactions on Pattern Analysis and Machine Intelligence", "TPAMI"),
    ("Medical Image Analysis", "MIA"),
    ("NeuroImage", "NeuroImage"),
    ("NeuroImage: Clinical", None),  # a different journal
    ("arXiv.org", "arXiv"),
    ("ArXiv", "arXiv"),
    ("Ar{X}iv", "arXiv"),
    ("CoRR", "arXiv"),
    ("arXiv preprint arXiv:1312.4400", "arXiv"),
    ("Proceedings of the AAAI Conference on Artificial Intelligence", "AAAI"),
    ("AAAI Conference on Artificial Intelligence", "AAAI"),
    ("Annual Meeting of the Association for Computational Linguistics", "ACL"),
    ("Conference on Empirical Methods in Natural Language Processing", "EMNLP"),
    ("Findings of the Association for Computational Linguistics: EMNLP 2020", "EMNLP"),
    ("North American Chapter of the Association for Computational Linguistics", "NAACL"),
    ("International Conference on Computational Linguistics", "COLING"),
    ("British Machine Vision Conference", "BMVC"),
    ("Communications of the ACM", "CACM"),
    ("Communications of the {ACM}", "CACM"),
    ("IEEE Robotics and Automation Letters", "RA-L"),
    ("IEEE Transactions on robotics", "T-RO"),
    ("IEEE transactions on intelligent transportation systems (Print)", "TITS"),
    ("IEEE/RJS International Conference on Intelligent RObots and Systems", "IROS"),
    ("Proceedings of the National Academy of Sciences of the United States of America", "PNAS"),
    ("Nature", "Nature"),
    ("Nature Communications", "Nature Communications"),
    ("Science", "Science"),
    ("SCIENCE NATURE", None),
    ("Theology and Science", None),
    ("bioRxiv", "bioRxiv"),
    ("medRxiv", "medRxiv"),
    ("Journal of Machine Learning Research", "JMLR"),
    ("International Journal of Computer Vision", "IJCV"),
    ("IEEE/ACM Transactions on Audio, Speech, and Language Processing", "TASLP"),
    (
        "ICASSP 2020 - 2020 IEEE International Conference on Acoustics, Speech and Signal"
        " Processing (ICASSP)",
        "ICASSP",
    ),
    ("Interspeech 2019", "Interspeech"),
    ("International Conference on Neural Information Processing Systems", "NeurIPS"),
    ("Sensors (Basel, Switzerland)", "Sensors"),
    ("Italian National Conference on Sensors", "Sensors"),
    ("Journal of Symbolic Logic (JSL)", None),
    ("Philosophies", None),
    ("", None),
    ("   ", None),
]


@pytest.mark.parametrize(("text", "expected"), SOURCES)
def test_venue_from_source(text: str, expected: str | None) -> None:
    assert venue_from_source(text) == expected


# ------------------------------------------------------------------------------ properties

_spellings = [spelling for c, (_k, aliases, _p) in VENUES.items() for spelling in (c, *aliases)]


@given(st.text(max_size=60))
@settings(max_examples=300)
def test_parse_badge_never_raises_and_keeps_label(label: str) -> None:
    badge = parse_badge(label)
    assert badge.label == label
    assert badge.kind is None or badge.kind in KINDS
    assert badge.year is None or 1950 <= badge.year <= 2100
    assert badge.known == (badge.venue in VENUES)


@given(
    st.sampled_from(_spellings),
    st.integers(1950, 2100),
    st.sampled_from(["", " Oral", " spotlight", " Best Paper"]),
)
def test_any_spelling_with_a_year_reads_back(spelling: str, year: int, tail: str) -> None:
    badge = parse_badge(f"{spelling} {year}{tail}")
    assert badge.venue == canonical_venue(spelling)
    assert badge.year == year
    assert badge.known
    assert badge.qualifier == (tail.strip() or None)


@given(st.one_of(st.text(max_size=40), st.sampled_from(_spellings)))
def test_canonical_venue_is_idempotent(name: str) -> None:
    canonical = canonical_venue(name)
    if canonical is not None:
        assert canonical_venue(canonical) == canonical
        assert canonical in VENUES


@given(st.sampled_from(_spellings), st.sampled_from([str.lower, str.upper, str, str.strip]))
def test_every_alias_maps_back(spelling: str, case: object) -> None:
    assert callable(case)
    canonical = canonical_venue(case(spelling))
    assert canonical is not None
    assert spelling in venue_aliases(canonical)
    assert venue_aliases(canonical)[0] == canonical
    assert venue_aliases(spelling) == venue_aliases(canonical)
    assert venue_from_source(spelling) == canonical


@given(st.text(max_size=120))
@settings(max_examples=300)
def test_venue_from_source_never_raises(text: str) -> None:
    found = venue_from_source(text)
    assert found is None or found in VENUES


# ------------------------------------------------------------------------------ real corpus


def test_corpus_badges_are_read(corpus: Path) -> None:
    labels: list[str] = []
    for readme in sorted(corpus.glob("readmes/*/README.md")):
        labels += re.findall(r"<kbd>([^<]*)</kbd>", readme.read_text(encoding="utf-8"))
    assert len(labels) > 500
    badges = [parse_badge(label) for label in labels]
    assert all(b.label == label for b, label in zip(badges, labels, strict=True))
    dated = [b for b in badges if b.year is not None and re.search(r"[A-Za-z]", b.label)]
    known = [b for b in dated if b.known]
    # measured: 996 of 1022 dated badges name a venue in the table
    assert len(known) / len(dated) > 0.9


def _bib_venues(bib: Path) -> list[str]:
    text = bib.read_text(encoding="utf-8", errors="replace")
    return re.findall(
        r"^\s*(?:booktitle|journal)\s*=\s*[{\"]((?:[^{}\"]|\{[^{}]*\})*)", text, re.I | re.M
    )


def test_corpus_proceedings_bibtex_venues(corpus: Path) -> None:
    for name, expected in (("cmlbib_nips2020.bib", "NeurIPS"), ("cmlbib_icml2020.bib", "ICML")):
        venues = _bib_venues(corpus / "bibtex" / name)
        assert len(venues) > 1000
        assert {venue_from_source(v) for v in venues} == {expected}


def test_corpus_short_bibtex_venues(corpus: Path) -> None:
    # "Proc.\ of CVPR", "Proc.\ of CVPR - Workshops": the acronym decides, when we know it.
    checked = 0
    for bib in sorted(corpus.glob("bibtex/*.bib")):
        for venue in _bib_venues(bib):
            m = re.fullmatch(r"\{?Proc\.(?:\\ |~| )of ([A-Za-z0-9-]+)( - Workshops)?\}?", venue)
            if m is None or canonical_venue(m.group(1)) is None:
                continue
            expected = canonical_venue(m.group(1))
            assert expected is not None
            if m.group(2) and expected + "W" in VENUES:
                expected += "W"
            assert venue_from_source(venue) == expected, venue
            checked += 1
    assert checked > 500


def _publication_venues(corpus: Path) -> list[dict[str, object]]:
    import json

    venues: list[dict[str, object]] = []
    for path in sorted((corpus / "api" / "semantic_scholar").rglob("*.json")):
        try:
            stack: list[object] = [json.loads(path.read_text(encoding="utf-8"))]
        except (ValueError, UnicodeDecodeError):
            continue
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if isinstance(item.get("publicationVenue"), dict):
                    venues.append(item["publicationVenue"])
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return venues


def test_corpus_semantic_scholar_venues_agree(corpus: Path) -> None:
    venues = _publication_venues(corpus)
    assert len(venues) > 100
    known = 0
    for record in venues:
        name = record.get("name")
        assert isinstance(name, str)
        ours = venue_from_source(name)
        if ours is None:
            continue
        known += 1
        # Semantic Scholar's own kind agrees with ours, except where it is plainly wrong: it
        # files the MDPI journal Sensors as "Italian National Conference on Sensors".
        theirs = record.get("type")
        if theirs in ("journal", "conference") and VENUES[ours][0] in ("journal", "conference"):
            assert theirs == VENUES[ours][0] or ours == "Sensors", (name, ours)
        # the alternate names it lists, where we know them, name the same venue
        alternates = record.get("alternate_names") or []
        assert isinstance(alternates, list)
        for alternate in alternates:
            assert isinstance(alternate, str)
            other = canonical_venue(alternate)
            assert other is None or other == ours, (name, alternate, other)
    assert known > 100


def test_corpus_catalog_statuses_read_as_qualifiers(corpus: Path) -> None:
    # Paper Copilot's lists, one file per venue and year, each paper with a status ("Oral",
    # "Poster Workshop"): written as a badge, they read back as venue, year and qualifier.
    import json

    files = sorted((corpus / "catalog" / "papercopilot_paperlists").glob("*/*.json"))
    assert files
    for path in files:
        m = re.fullmatch(r"([a-z]+)(\d{4})", path.stem)
        assert m is not None, path
        venue = canonical_venue(m.group(1))
        assert venue is not None, path
        statuses = {r.get("status") for r in json.loads(path.read_text(encoding="utf-8"))}
        for status in statuses - {None}:
            assert isinstance(status, str)
            badge = parse_badge(f"{m.group(1).upper()} {m.group(2)} {status}")
            assert (badge.venue, badge.year, badge.qualifier) == (venue, int(m.group(2)), status)
            workshop = "workshop" in status.lower()
            assert (badge.kind == "workshop") == workshop, (path, status)
