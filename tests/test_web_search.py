"""The search page's counting and ordering (``paperlog.browse``) give the same answers as the
plain SQL they replaced, on every query of a generated library.

``browse`` fixes SQLite's loop order and counts the facets in one pass (see its docstrings);
the reference below is the straightforward form it replaced: an inner join the planner orders
as it likes, ``count(*)``, one ``GROUP BY`` per facet, the day added read from the paper's
JSON. Both must agree on the total, every facet's values, counts and order, the venue names
shown, and the page of every sort, for several hundred queries: words (broad and narrow,
column-restricted, negated), every filter, ranges, and their combinations.
"""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from paperlog.browse import (
    FACETS,
    MAX_FACET_VALUES,
    SORTS,
    FacetValue,
    browse,
    facets,
    summarise,
)
from paperlog.index import Index
from paperlog.library import Library
from paperlog.model import Config, Paper, Reading, Topic
from paperlog.query import FTS_TABLE, FTS_WEIGHTS, PAPERS_TABLE, Query, parse_query

CODES = ["Uns", "Seg", "Vid", "Gml"]
WORDS = ["contrastive", "deep", "sparse", "video", "graph", "robust", "nets", "views", "the"]
# the same venue written three ways: the facet shows the first paper's (lowest row id) spelling
VENUES = ["", "CVPR", "cvpr", "ICML", "NeurIPS", "NIPS", "ECCV", "Nature Methods"]


def _library(root: Path, count: int = 700) -> Library:
    rng = random.Random(12)
    lib = Library.create(root, Config(topics=[Topic(c, c) for c in CODES]))
    papers = []
    for n in range(count):
        words = rng.sample(WORDS, rng.randint(1, 3))
        readings = [
            Reading(week=w, week_start=date(2024, 1, 1) + timedelta(weeks=w - 1), order=n % 6)
            for w in sorted(rng.sample(range(1, 30), rng.choice([0, 0, 1, 2])))
        ]
        papers.append(
            Paper(
                f"p{n:04d}",
                " ".join(w.capitalize() for w in words) + f" number {n}",
                kind=rng.choice(["paper", "paper", "paper", "talk", "lecture"]),
                status="read" if readings else rng.choice(["wish", "reading"]),
                year=rng.choice([None, *range(2005, 2025)]),
                venue=rng.choice(VENUES) or None,
                venue_label=rng.choice([None, "BHI Journal 2017", "CVPR 2019 (oral)"]),
                topics=rng.sample(CODES, rng.randint(0, 2)),
                track=rng.choice([None, "depth", "breadth"]),
                readings=readings,
                rank=n if not readings else None,
                added=rng.choice([None, date(2023, 1, 1) + timedelta(days=n % 97)]),
                notes=rng.choice(["", "Key ideas: the views agree.", "Deep graph nets."]),
            )
        )
    lib.save_papers(papers)
    return lib


def _queries() -> list[str]:
    """Several hundred queries: every word alone, with each filter, and filters alone."""
    filters = [
        "",
        "status:read",
        "status:wish",
        "-status:read",
        "kind:paper",
        "kind:talk",
        "venue:CVPR",
        "venue:NIPS",
        "venue:BHI",
        "topic:Uns",
        "-topic:Seg",
        "track:depth",
        "year:2019",
        "year:2010..",
        "year:..2015",
        "year:2012..2018",
        "week:3..10",
        "kind:paper year:2010..",
        "status:read topic:Vid year:..2020",
    ]
    words = ["", *WORDS, "de", '"deep graph"', "title:contrastive", "-deep", "views nets", "zzz"]
    return [f"{w} {f}".strip() for w, f in itertools.product(words, filters)]


# --- the reference: the plain SQL the search page used before ---------------------------------


def _reference_source(query: Query) -> tuple[str, str, list[Any]]:
    where, params = query.filter_sql()
    match = query.match_expression()
    if match is None:
        return f"{PAPERS_TABLE} AS p", where, params
    return (
        f"{FTS_TABLE} JOIN {PAPERS_TABLE} AS p ON p.rowid = {FTS_TABLE}.rowid",
        f"{FTS_TABLE} MATCH ? AND {where}",
        [match, *params],
    )


_RECENCY = (
    "p.last_read DESC, p.last_week DESC, p.last_order ASC, p.rank IS NULL, p.rank ASC, p.key ASC"
)


def _reference_page(index: Index, query: Query, sort: str, offset: int) -> list[str]:
    source, where, params = _reference_source(query)
    join = "JOIN paper_data AS d ON d.id = p.rowid"
    added = "json_extract(d.data, '$.added')"
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    order = {
        "year": ("", f"p.year IS NULL, p.year DESC, {_RECENCY}"),
        "added": (join, f"{added} IS NULL, {added} DESC, {_RECENCY}"),
        "title": (join, "lower(json_extract(d.data, '$.title')), p.key"),
        "relevance": (
            ("", _RECENCY)
            if query.match_expression() is None
            else ("", f"bm25({FTS_TABLE}, {weights}), {_RECENCY}")
        ),
    }[sort]
    sql = (
        f"SELECT p.key FROM {source} {order[0]} WHERE {where} ORDER BY {order[1]} LIMIT 25 OFFSET ?"
    )
    return [row[0] for row in index.rows(sql, [*params, offset])]


def _reference_summary(index: Index, query: Query) -> tuple[int, dict[str, list[FacetValue]]]:
    source, where, params = _reference_source(query)
    (total,) = index.rows(f"SELECT count(*) FROM {source} WHERE {where}", params)[0]
    counters: dict[str, Counter[Any]] = {name: Counter() for name in FACETS}
    first: dict[str, int] = {}
    for name in FACETS:
        column = "topics" if name == "topic" else name
        rows = index.rows(
            f"SELECT p.{column}, count(*), min(p.rowid) FROM {source} WHERE {where} "
            f"GROUP BY p.{column}",
            params,
        )
        for value, count, rowid in rows:
            if name == "topic":
                for code in json.loads(value):
                    counters["topic"][code] += count
            elif value not in (None, ""):
                counters[name][value] += count
                if name == "venue":
                    first[value] = rowid

    def top(name: str) -> list[tuple[Any, int]]:
        return sorted(counters[name].items(), key=lambda vn: (-vn[1], vn[0]))[:MAX_FACET_VALUES]

    out: dict[str, list[FacetValue]] = {}
    years = sorted(counters["year"], reverse=True)[:MAX_FACET_VALUES]
    out["year"] = [FacetValue(str(y), str(y), counters["year"][y]) for y in years]
    out["venue"] = []
    for venue, count in top("venue"):
        ((name,),) = index.rows(
            "SELECT json_extract(data, '$.venue') FROM paper_data WHERE id = ?", [first[venue]]
        )
        out["venue"].append(FacetValue(name or venue, name or venue, count))
    codes = {c.casefold(): c for c in CODES}
    out["topic"] = [FacetValue(codes[v], codes[v], n) for v, n in top("topic")]
    for name in ("track", "status", "kind"):
        out[name] = [FacetValue(str(v), str(v), n) for v, n in top(name)]
    return int(total), out


# --- the tests ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Any:
    lib = _library(tmp_path_factory.mktemp("search") / "lib")
    with Index.open(lib) as opened:
        yield opened


def test_counts_facets_and_pages_equal_the_plain_sql_on_every_query(index: Index) -> None:
    queries = _queries()
    assert len(queries) > 250
    broad = 0
    for text in queries:
        query = parse_query(text)
        total, expected = _reference_summary(index, query)
        summary = summarise(index, query)
        assert summary.total == total, text
        assert summary.facets == expected, text
        broad += total > 300
        for sort in SORTS:
            page = browse(index, query, sort=sort, summary=summary)
            assert [p.key for p in page.papers] == _reference_page(index, query, sort, 0), (
                text,
                sort,
            )
            assert page.total == total and page.facets == expected
        if total > 25:  # a later page, and the page without facets counts by itself
            page = browse(index, query, offset=25, facets=False)
            assert [p.key for p in page.papers] == _reference_page(index, query, "relevance", 25)
            assert page.total == total and page.facets == {}
    assert broad >= 10, "the generated queries must include broad ones (most of the library)"


def test_a_venue_shows_as_its_first_paper_writes_it(index: Index) -> None:
    """The index keeps venues case-folded; the facet shows the lowest row's spelling, also
    when the matches come in another order than row ids (a full-text match with a filter)."""
    shown = {v.value for v in facets(index, "")["venue"]}
    assert "CVPR" in shown or "cvpr" in shown
    assert not {"CVPR", "cvpr"} <= shown  # one entry for the one venue
    for text in ["deep", "-deep year:2010..", "the venue:CVPR"]:
        query = parse_query(text)
        assert (
            summarise(index, query).facets["venue"] == _reference_summary(index, query)[1]["venue"]
        )


def test_the_loop_order_is_fixed_whatever_the_planner_would_pick(index: Index) -> None:
    """Words drive the search (the full-text match first, never once per row of an index of
    a filter); filters alone read the table once, not an index plus a lookup per entry."""
    from paperlog.browse import _matches

    words = _matches(parse_query("contrastive status:read year:..2023"))
    plan = index.rows(
        f"EXPLAIN QUERY PLAN SELECT count(*) FROM {words[0]} WHERE {words[1]}", words[2]
    )
    details = [row[-1] for row in plan]
    assert details[0].startswith(f"SCAN {FTS_TABLE} VIRTUAL TABLE"), details
    assert "USING INTEGER PRIMARY KEY" in details[1], details
    filters = _matches(parse_query("kind:paper year:2010.."))
    plan = index.rows(
        f"EXPLAIN QUERY PLAN SELECT count(*) FROM {filters[0]} WHERE {filters[1]}", filters[2]
    )
    assert [row[-1] for row in plan] == ["SCAN p"], plan
