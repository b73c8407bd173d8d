"""Browse the index: one page of search results, a sort order, and facets with counts.

The query is the CLI's (``paperlog.query``: the same parser, the same SQL); this module adds
what a results page needs on top: the total, a page of it in a chosen order, and for each
facet (year, venue, topic, track, status, kind) the values found among the matches with their
counts, all computed in SQL over the index tables.
"""

from __future__ import annotations

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
    ids_sql = f"SELECT p.rowid FROM {source} WHERE {where}"
    (total,) = index.rows(f"SELECT count(*) FROM ({ids_sql})", params)[0]
    page = Page(query, index.papers_by_rowid(ids), int(total), offset, limit, sort)
    if facets:
        page.facets = facet_counts(index, ids_sql, params)
    return page


def facet_counts(index: Index, ids_sql: str, params: list[Any]) -> dict[str, list[FacetValue]]:
    """Per facet, the values among the matching rows with their counts, most frequent first."""
    scope = f"p.rowid IN ({ids_sql})"
    out: dict[str, list[FacetValue]] = {}
    years = index.rows(
        f"SELECT p.year, count(*) FROM {PAPERS_TABLE} AS p WHERE {scope} AND p.year IS NOT NULL "
        "GROUP BY p.year ORDER BY p.year DESC",
        params,
    )
    out["year"] = [FacetValue(str(y), str(y), n) for y, n in years[:MAX_FACET_VALUES]]
    venues = index.rows(
        f"SELECT p.venue, min(json_extract(d.data, '$.venue')), count(*) "
        f"FROM {PAPERS_TABLE} AS p JOIN paper_data AS d ON d.id = p.rowid "
        f"WHERE {scope} AND p.venue != '' GROUP BY p.venue ORDER BY count(*) DESC, p.venue "
        f"LIMIT {MAX_FACET_VALUES}",
        params,
    )
    out["venue"] = [FacetValue(str(label), str(label), n) for _, label, n in venues]
    topics = index.rows(
        f"SELECT t.value, count(*) FROM {PAPERS_TABLE} AS p, json_each(p.topics) AS t "
        f"WHERE {scope} GROUP BY t.value ORDER BY count(*) DESC, t.value "
        f"LIMIT {MAX_FACET_VALUES}",
        params,
    )
    codes = {c.casefold(): c for c in index.library.config.topic_codes()}
    out["topic"] = [FacetValue(codes.get(v, v), codes.get(v, v), n) for v, n in topics]
    for name in ("track", "status", "kind"):
        rows = index.rows(
            f"SELECT p.{name}, count(*) FROM {PAPERS_TABLE} AS p WHERE {scope} "
            f"AND p.{name} != '' GROUP BY p.{name} ORDER BY count(*) DESC, p.{name}",
            params,
        )
        out[name] = [FacetValue(str(v), str(v), n) for v, n in rows[:MAX_FACET_VALUES]]
    return out


def with_filter(text: str, field: str, value: str) -> str:
    """The query string ``text`` narrowed by ``field:value`` (quoted when it has a space)."""
    shown = f'"{value}"' if any(ch.isspace() for ch in value) or '"' in value else value
    shown = shown if '"' not in value else '"' + value.replace('"', "") + '"'
    part = f"{field}:{shown}"
    text = text.strip()
    return f"{text} {part}" if text else part
