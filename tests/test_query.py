"""The query language: parsing, errors, and SQL over a real index agreeing with ``matches``."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperlog.index import Index
from paperlog.library import Library
from paperlog.model import Config, Paper, Reading, Topic
from paperlog.query import (
    FILTER_FIELDS,
    WORD_FIELDS,
    FieldIs,
    Not,
    Query,
    QueryError,
    TopicIs,
    VenueIs,
    WeekRange,
    Words,
    YearRange,
    build_query,
    parse_field,
    parse_query,
    parse_range,
)

# --- parsing -----------------------------------------------------------------------------------


def test_the_documented_example_parses_into_parts() -> None:
    query = parse_query(
        "contrastive learning year:2019..2020 venue:NIPS topic:Uns track:depth status:read "
        'week:3 kind:paper "exact phrase"'
    )
    kinds = [type(p).__name__ for p in query.parts]
    assert kinds == [
        "Words",
        "Words",
        "YearRange",
        "VenueIs",
        "TopicIs",
        "FieldIs",
        "FieldIs",
        "WeekRange",
        "FieldIs",
        "Words",
    ]
    assert query.parts[0] == Words("contrastive")
    assert query.parts[2] == YearRange(2019, 2020)
    assert query.parts[4] == TopicIs(frozenset({"uns"}))
    assert query.parts[7] == WeekRange(3, 3)
    assert query.parts[-1] == Words("exact phrase", prefix=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019", (2019, 2019)),
        ("2018..2020", (2018, 2020)),
        ("2018..", (2018, None)),
        ("..2019", (None, 2019)),
        (" 2018 .. 2020 ", (2018, 2020)),
    ],
)
def test_ranges(text: str, expected: tuple[int | None, int | None]) -> None:
    assert parse_range("year", text) == expected


@pytest.mark.parametrize(
    "text", ["abc", "", "..", "2020..2018", "20x9", "2019...2020", "-5", "1.5", "2019,2020"]
)
def test_bad_ranges_are_query_errors(text: str) -> None:
    with pytest.raises(QueryError, match="year"):
        parse_range("year", text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("year:abc", "year: 'abc'"),
        ("week:x", "week: 'x'"),
        ("status:done", "status: 'done' is not one of wish, reading, read"),
        ("kind:book", "kind: 'book'"),
        ("venue:,", "venue: needs a name"),
        ("topic:,", "topic: needs a value"),
        ("title:--", "title: '--' has no word"),
    ],
)
def test_bad_filters_name_the_field(text: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_query(f"learning {text}")


def test_venue_aliases_are_resolved_at_parse_time() -> None:
    (part,) = parse_query("venue:NIPS").parts
    assert isinstance(part, VenueIs)
    assert {"nips", "neurips"} <= part.names
    (unknown,) = parse_query('venue:"BHI Journal"').parts
    assert isinstance(unknown, VenueIs) and unknown.names == {"bhi journal"}


def test_negation_commas_and_unknown_fields() -> None:
    query = parse_query("-year:2019 status:read,reading http://x.org/a -semi")
    assert query.parts[0] == Not(YearRange(2019, 2019))
    assert query.parts[1] == FieldIs("status", frozenset({"read", "reading"}))
    assert query.parts[2] == Words("http://x.org/a")
    assert query.parts[3] == Not(Words("semi"))


def test_text_with_nothing_to_search_is_dropped() -> None:
    assert parse_query(' - * "" " ()  ').parts == ()
    assert parse_query("").parts == ()


def test_quoted_field_value_is_exact() -> None:
    assert parse_query('title:"mean teach"').parts == (
        Words("mean teach", prefix=False, columns=("title", "nickname")),
    )
    assert parse_query("title:teach").parts == (Words("teach", columns=("title", "nickname")),)


def test_unclosed_quote_takes_the_rest_as_a_phrase() -> None:
    assert parse_query('"semi supervised').parts == (Words("semi supervised", prefix=False),)


def test_build_query_maps_options_to_the_same_parts() -> None:
    assert build_query("mixup", year="2018..2020", venue=None, status="read") == parse_query(
        "mixup year:2018..2020 status:read"
    )
    with pytest.raises(QueryError):
        build_query("", year="abc")


def test_fts_expression_quotes_user_text() -> None:
    assert Words('a"b').fts_expression() == '"a""b"*'
    assert Words("x y", prefix=False).fts_expression() == '"x y"'
    assert Words("seg", columns=("title", "nickname")).fts_expression() == (
        '{title nickname} : "seg"*'
    )


# --- against a real index ----------------------------------------------------------------------

VOCAB = ["contrastive", "learning", "segmentation", "semi", "supervised", "network", "mixup"]
VENUES = [None, "NeurIPS", "CVPR", "ICLR", "MICCAI"]
LABELS = [None, "NIPS 2019", "CVPR 2020", "BHI Journal 2017", "Goodnotes", "ICLR'18"]
TOPICS = ["Uns", "Net", "Loc"]


def _library(root: Path, papers: list[Paper]) -> Library:
    lib = Library.create(root, Config(topics=[Topic(code, code) for code in TOPICS]))
    lib.save_papers(papers)
    return lib


_sentence = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=5).map(" ".join)


@st.composite
def _papers(draw: st.DrawFn) -> list[Paper]:
    count = draw(st.integers(1, 8))
    papers = []
    for i in range(count):
        readings = [
            Reading(week=w, week_start=date(2020, 6, 1 + w), order=i)
            for w in draw(st.lists(st.integers(0, 6), max_size=2, unique=True))
        ]
        papers.append(
            Paper(
                key=f"p{i}",
                title=draw(_sentence),
                nickname=draw(st.none() | st.sampled_from(["SimClr", "MoCo", "U-Net"])),
                kind=draw(st.sampled_from(["paper", "lecture", "talk"])),
                status=draw(st.sampled_from(["wish", "reading", "read"])),
                authors=draw(st.lists(st.sampled_from(["Ting Chen", "Kaiming He"]), max_size=2)),
                year=draw(st.none() | st.integers(2015, 2021)),
                venue=draw(st.sampled_from(VENUES)),
                venue_label=draw(st.sampled_from(LABELS)),
                track=draw(st.sampled_from([None, "depth", "breadth", "Depth"])),
                topics=draw(st.lists(st.sampled_from(TOPICS), max_size=2, unique=True)),
                readings=readings,
                notes=draw(st.none() | _sentence) or "",
            )
        )
    return papers


ATOMS = [
    *(w[:n] for w in VOCAB for n in (3, len(w))),
    *(f"year:{y}" for y in (2014, 2015, 2018, 2021)),
    "year:2016..2019",
    "year:2019..",
    "year:..2017",
    *(f"venue:{v}" for v in ("NIPS", "neurips", "CVPR", "BHI", "bhi journal", "Goodnotes")),
    *(f"venue:{v}" for v in ("ICLR", "miccai", "CVPR,ICLR")),
    *(f"topic:{t}" for t in ("Uns", "net", "Loc,Uns")),
    *(f"track:{t}" for t in ("depth", "breadth", "depth,breadth")),
    *(f"status:{s}" for s in ("wish", "read", "reading,wish")),
    *(f"week:{w}" for w in ("0", "3", "1..4", "5..", "..2")),
    *(f"kind:{k}" for k in ("paper", "lecture,talk")),
    "title:seg",
    "title:simclr",
    "author:chen",
    "author:kaim",
    '"semi supervised"',
    '"contrastive learning"',
    "nips",
    "simclr",
    "u-net",
]
"""Every kind of part, each checked alone and negated for every generated library."""

_term = st.tuples(st.booleans(), st.sampled_from(ATOMS)).map(lambda t: ("-" if t[0] else "") + t[1])
_query_text = st.lists(_term, min_size=2, max_size=4).map(" ".join)


def _check(index: Index, papers: list[Paper], text: str) -> None:
    query = parse_query(text)
    expected = sorted(p.key for p in papers if query.matches(p))
    assert index.keys(query) == expected, text
    assert sorted(p.key for p in index.search(query)) == expected, text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(papers=_papers(), queries=st.lists(_query_text, min_size=1, max_size=8))
def test_sql_results_equal_in_memory_matches(papers: list[Paper], queries: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        lib = _library(Path(tmp) / "lib", papers)
        with Index.open(lib) as index:
            for atom in ATOMS:
                _check(index, papers, atom)
                _check(index, papers, "-" + atom)
            for text in queries:
                _check(index, papers, text)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    papers = [
        Paper(key="a", title="Contrastive learning", year=2020, venue="NeurIPS", topics=["Uns"]),
        Paper(key="b", title='Odd "quoted" * - : (title) NEAR/2 AND OR NOT ^', year=2019),
        Paper(key="c", title="Ünïcödé façade naïve", notes="straße"),
    ]
    lib = _library(tmp_path_factory.mktemp("q") / "lib", papers)
    with Index.open(lib) as ix:
        yield ix


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_parses_or_fails_cleanly_and_never_breaks_sql(index: Index, text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError:
        return
    found = index.search(query)
    assert {p.key for p in found} == set(index.keys(query))
    assert all(query.matches(p) for p in found)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([*FILTER_FIELDS, *WORD_FIELDS]), st.text(max_size=20))
def test_any_option_value_parses_or_fails_cleanly(index: Index, field: str, value: str) -> None:
    try:
        part = parse_field(field, value)
    except QueryError as exc:
        assert field in str(exc)
        return
    query = Query((part,))
    assert {p.key for p in index.search(query)} == set(index.keys(query))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(['"', "*", "-", ":", "(", ")", "^", "NEAR", "AND", "x", " "])))
def test_fts_syntax_characters_never_crash(index: Index, chars: list[str]) -> None:
    query = parse_query("".join(chars))
    index.search(query)


def test_fts_operators_are_plain_words(index: Index) -> None:
    assert [p.key for p in index.search("NOT")] == ["b"]
    assert [p.key for p in index.search("title:quoted")] == ["b"]
    assert [p.key for p in index.search('"(title)"')] == ["b"]


def test_diacritics_and_case_fold(index: Index) -> None:
    assert [p.key for p in index.search("unicode facade")] == ["c"]
    assert [p.key for p in index.search("NAIVE")] == ["c"]


def test_stemming_and_prefix(index: Index) -> None:
    assert [p.key for p in index.search("learns")] == ["a"]  # porter: learns -> learn
    assert [p.key for p in index.search("contrast")] == ["a"]  # prefix
    assert [p.key for p in index.search("nips")] == ["a"]  # venue aliases are indexed


def test_empty_query_matches_everything(index: Index) -> None:
    assert sorted(p.key for p in index.search(Query())) == ["a", "b", "c"]
    assert Query().matches(Paper(key="z", title="z"))


def test_a_term_given_twice_counts_once_and_a_huge_query_is_refused(tmp_path: Path) -> None:
    """A repeated filter is one filter ("kind:topic kind:topic"); past MAX_TERMS distinct
    terms the query is refused in one line, where SQLite would fail deep inside (a WHERE
    nested ~1,000 deep: "Expression tree is too large")."""
    from conftest import run_cli
    from paperlog.query import MAX_TERMS

    assert parse_query("kind:topic " * 1000) == parse_query("kind:topic")
    assert parse_query("-venue:CVPR -venue:CVPR x x") == parse_query("-venue:CVPR x")
    with pytest.raises(QueryError, match=f"takes up to {MAX_TERMS}"):
        parse_query(" ".join(f"w{i}" for i in range(MAX_TERMS + 1)))
    lib = Library.create(tmp_path / "lib")
    lib.save_paper(Paper(key="a", title="A topic", kind="topic", status="read"))
    many = [f"year:{1900 + i}" for i in range(MAX_TERMS + 1)]
    for extra in ([], ["--json"]):  # piped (the search fast path) and the full CLI
        done = run_cli("search", *many, *extra, library=lib.root)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert done.stderr.startswith("paperlog: error: bad query: a query of 101 terms")
    same = run_cli("search", *["kind:topic"] * 1000, library=lib.root)
    assert same.returncode == 0 and same.stdout.startswith("a\t")
