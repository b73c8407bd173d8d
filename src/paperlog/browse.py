"""Browse the index: one page of search results, a sort order, and facets with counts.

The query is the CLI's (``paperlog.query``: the same parser, the same SQL); this module adds
what a results page needs on top: the total, a page of it in a chosen order, and for each
facet (year, venue, topic, track, status, kind) the values found among the matches with their
counts, all computed in SQL over the index tables.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from paperlog.query import FTS_TABLE, FTS_WEIGHTS, PAPERS_TABLE, Query, parse_query

if TYPE_CHECKING:
    from paperlog.index import Index
    from paperlog.model import Paper

SORTS = ("relevance", "year", "added", "title")
FACETS = ("year", "venue", "topic", "track", "status", "kind")
MAX_FACET_VALUES = 12

_RECENCY = (
    "p.last_read DESC, p.last_week DESC, p.last_order ASC, p.rank IS NULL, p.rank ASC, p.key ASC"
)


@dataclass
class FacetValue:
    """One value of a facet: what the query filter says, what a reader sees, how many match."""

    value: str
    label: str
    count: int


@dataclass
class Page:
    """One page of results with the total and the facets over every match."""

    query: Query
    papers: list[Paper]
    total: int
    offset: int
    limit: int
    sort: str
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)


def _matches(query: Query) -> tuple[str, str, list[Any]]:
    """(FROM clause, WHERE clause, parameters) selecting the matching rows as ``p``."""
    where, params = query.filter_sql()
    match = query.match_expression()
    if match is None:
        return f"{PAPERS_TABLE} AS p", where, params
    return (
        f"{FTS_TABLE} JOIN {PAPERS_TABLE} AS p ON p.rowid = {FTS_TABLE}.rowid",
        f"{FTS_TABLE} MATCH ? AND {where}",
        [match, *params],
    )


def _order(query: Query, sort: str) -> tuple[str, str]:
    """(extra JOIN, ORDER BY) for a sort; relevance without words is newest reading first."""
    if sort == "year":
        return "", f"p.year IS NULL, p.year DESC, {_RECENCY}"
    if sort == "added":
        added = "json_extract(d.data, '$.added')"
        return (
            "JOIN paper_data AS d ON d.id = p.rowid",
            f"{added} IS NULL, {added} DESC, {_RECENCY}",
        )
    if sort == "title":
        return (
            "JOIN paper_data AS d ON d.id = p.rowid",
            "lower(json_extract(d.data, '$.title')), p.key",
        )
    if query.match_expression() is None:
        return "", _RECENCY
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    return "", f"bm25({FTS_TABLE}, {weights}), {_RECENCY}"


def browse(
    index: Index,
    query: Query | str,
    *,
    sort: str = "relevance",
    offset: int = 0,
    limit: int = 25,
    facets: bool = True,
) -> Page:
    """A page of the items matching ``query`` in ``sort`` order, with facet counts."""
    if isinstance(query, str):
        query = parse_query(query)
    if sort not in SORTS:
        sort = "relevance"
    offset, limit = max(offset, 0), max(limit, 1)
    source, where, params = _matches(query)
    join, order = _order(query, sort)
    sql = f"SELECT p.rowid FROM {source} {join} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?"
    ids = [row[0] for row in index.rows(sql, [*params, limit, offset])]
    (total,) = index.rows(f"SELECT count(*) FROM {source} WHERE {where}", params)[0]
    page = Page(query, index.papers_by_rowid(ids), int(total), offset, limit, sort)
    if facets:
        page.facets = facet_counts(index, source, where, params)
    return page


def facets(index: Index, query: Query | str) -> dict[str, list[FacetValue]]:
    """The facet counts of every item matching ``query`` (the same for each of its pages)."""
    if isinstance(query, str):
        query = parse_query(query)
    return facet_counts(index, *_matches(query))


def facet_counts(
    index: Index, source: str, where: str, params: list[Any]
) -> dict[str, list[FacetValue]]:
    """Per facet, the values among the matching rows with their counts, most frequent first.

    One GROUP BY per facet over the matching rows, counted by SQLite: Python sees only the few
    (value, count) rows. Measured at 10,000 matches: every matching row counted in Python
    ~70 ms; a materialised CTE grouped six ways ~50 ms; plain GROUP BYs ~15 ms. Venue names as
    written are read for the venues shown only (the index keeps them case-folded).
    """
    if source != f"{PAPERS_TABLE} AS p":
        # a full-text match: run it once, then group the rows it found (not six matches)
        ids = [row[0] for row in index.rows(f"SELECT p.rowid FROM {source} WHERE {where}", params)]
        source, where = f"{PAPERS_TABLE} AS p", "p.rowid IN (SELECT value FROM json_each(?))"
        params = [json.dumps(ids)]
    rows: list[tuple[Any, ...]] = []
    for name in FACETS:
        if name == "topic":
            # grouped by the whole code list (few distinct lists), split here: a json_each
            # per row costs more than the rest of the facets together
            sql = (
                f"SELECT 'topics', p.topics, count(*), 0 FROM {source} "
                f"WHERE {where} GROUP BY p.topics"
            )
        else:
            empty = "" if name == "year" else f" AND p.{name} != ''"
            sql = (
                f"SELECT '{name}', p.{name}, count(*), min(p.rowid) FROM {source} "
                f"WHERE {where} AND p.{name} IS NOT NULL{empty} GROUP BY p.{name}"
            )
        rows += index.rows(sql, params)
    counters: dict[str, Counter[Any]] = {name: Counter() for name in FACETS}
    venue_row: dict[str, int] = {}
    for name, value, count, first in rows:
        if name == "topics":
            for code in json.loads(value):
                counters["topic"][code] += count
            continue
        counters[name][value] += count
        if name == "venue":
            venue_row[value] = first
    out: dict[str, list[FacetValue]] = {}
    years = sorted(counters["year"], reverse=True)
    out["year"] = [
        FacetValue(str(y), str(y), counters["year"][y]) for y in years[:MAX_FACET_VALUES]
    ]
    top = _top(counters["venue"])
    names = dict(
        index.rows(
            "SELECT id, json_extract(data, '$.venue') FROM paper_data "
            "WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps([venue_row[v] for v, _ in top])],
        )
    )
    out["venue"] = [
        FacetValue(str(names.get(venue_row[v]) or v), str(names.get(venue_row[v]) or v), n)
        for v, n in top
    ]
    codes = {c.casefold(): c for c in index.library.config.topic_codes()}
    out["topic"] = [
        FacetValue(codes.get(v, v), codes.get(v, v), n) for v, n in _top(counters["topic"])
    ]
    for name in ("track", "status", "kind"):
        out[name] = [FacetValue(str(v), str(v), n) for v, n in _top(counters[name])]
    return out


def _top(counter: Counter[Any]) -> list[tuple[Any, int]]:
    """The most frequent non-empty values, ties by value."""
    ranked = sorted(
        ((v, n) for v, n in counter.items() if v not in ("", None)), key=lambda vn: (-vn[1], vn[0])
    )
    return ranked[:MAX_FACET_VALUES]


def with_filter(text: str, field: str, value: str) -> str:
    """The query string ``text`` narrowed by ``field:value`` (quoted when it has a space)."""
    shown = f'"{value}"' if any(ch.isspace() for ch in value) or '"' in value else value
    shown = shown if '"' not in value else '"' + value.replace('"', "") + '"'
    part = f"{field}:{shown}"
    text = text.strip()
    return f"{text} {part}" if text else part
