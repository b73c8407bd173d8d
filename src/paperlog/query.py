"""The search query language: a string (or CLI options) becomes a ``Query`` of small parts.

As in beets' ``dbcore/query.py``, every part can do two things with the same meaning:
``to_sql()`` gives a WHERE fragment with parameters over the index tables, and
``matches(paper)`` tests one ``Paper`` in memory. A ``Query`` is the AND of its parts.

Syntax (the README's "Search" section)::

    contrastive learn "exact phrase" -excluded title:word
    year:2019  year:2018..2020  year:2018..  year:..2019
    venue:NIPS  topic:Uns  track:depth  status:read  week:3  week:1..4  kind:paper

Bare words are prefix matches over the full text (``learn`` finds "learning"); values of
``venue``/``topic``/``track``/``status``/``kind`` may list alternatives with commas
(``venue:CVPR,ICCV``); a leading ``-`` negates any part.

The index stores normalised copies of the filterable fields (``filter_values``) and the
full-text columns (``fts_values``); both come from this module so the SQL and the in-memory
test see the same values. Word parts are tested in memory by a tiny in-memory FTS5 table with
the index's tokenizer, so stemming and tokenising agree exactly with the index.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from paperlog.errors import PaperlogError

# paperlog.model (and with it dataclasses and inspect), json and typing are imported where
# they are used, not here: a search on the fast path parses its query and builds no Paper.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3
    import threading
    from typing import Any, Protocol

    from paperlog.model import Paper

    class Part(Protocol):
        """One condition of a query: SQL over the index, or a test of one paper in memory."""

        def to_sql(self) -> tuple[str, list[Any]]:
            """A WHERE fragment over ``papers AS p`` and its parameters."""
            ...

        def matches(self, paper: Paper) -> bool:
            """The same condition tested on one paper in memory."""
            ...


PAPERS_TABLE = "papers"
FTS_TABLE = "papers_fts"
FTS_COLUMNS = ("title", "nickname", "venue", "authors", "notes", "abstract", "other")
"""Full-text columns; ``other`` holds the key, identifiers, theme headings and key ideas."""
FTS_WEIGHTS = (10.0, 10.0, 2.0, 3.0, 1.0, 2.0, 1.0)
"""bm25 weights per column: a hit in the title or nickname counts most."""
FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"

# Query field names -> FTS column restrictions for words ("title:word").
WORD_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "nickname"),
    "nickname": ("nickname",),
    "nick": ("nickname",),
    "author": ("authors",),
    "authors": ("authors",),
    "notes": ("notes",),
    "abstract": ("abstract",),
}
FILTER_FIELDS = ("year", "venue", "topic", "track", "status", "week", "kind")


class QueryError(PaperlogError):
    """A query that cannot be understood; the message names the part and what is expected."""


# --- normalised values, shared by the index and by matches() ---------------------------------


def fold(text: str) -> str:
    """Case-insensitive form of a value: the index stores it, queries compare with it."""
    return text.strip().casefold()


def venue_names(name: str) -> frozenset[str]:
    """Folded names a venue is known by: itself, its canonical name and every alias."""
    from paperlog.venues import venue_aliases

    names = {fold(name), *(fold(alias) for alias in venue_aliases(name.strip()))}
    return frozenset(n for n in names if n)


def _venue_aliases(venue: str | None) -> list[str]:
    from paperlog.venues import venue_aliases

    return venue_aliases(venue) if venue else []


def filter_values(paper: Paper) -> dict[str, Any]:
    """The normalised filter columns the index stores for a paper (see the ``papers`` table)."""
    import json

    return {
        "kind": fold(paper.kind),
        "status": fold(paper.status),
        "year": paper.year,
        "venue": fold(paper.venue or ""),
        "venue_label": fold(paper.venue_label or ""),
        "track": fold(paper.track or ""),
        "topics": json.dumps(sorted({fold(t) for t in paper.topics})),
        "weeks": json.dumps(sorted({r.week for r in paper.readings if r.week is not None})),
    }


def fts_values(paper: Paper) -> tuple[str, ...]:
    """The full-text columns of a paper, in ``FTS_COLUMNS`` order."""
    venue = [paper.venue_label or "", paper.venue or "", *_venue_aliases(paper.venue)]
    venue.append(paper.container or "")
    other = [
        paper.key,
        *paper.aliases,
        *paper.ids.values(),
        paper.wish_group or "",
        *(r.group or "" for r in paper.readings),
        *paper.takeaways,
        paper.citekey or "",
    ]
    return (
        paper.title,
        paper.nickname or "",
        " ".join(v for v in venue if v),
        "; ".join(paper.authors),
        paper.notes,
        paper.abstract or "",
        " ".join(v for v in other if v),
    )


# --- the in-memory FTS5 probe behind Words.matches --------------------------------------------


@functools.cache
def _probe_local() -> threading.local:
    """Each thread's probe connection (threading is imported only when a paper is tested)."""
    import threading

    return threading.local()


RECENCY_ORDER = (
    "p.last_read DESC, p.last_week DESC, p.last_order ASC, p.rank IS NULL, p.rank ASC, p.key ASC"
)
""""Newest reading first": latest reading day, then week; within a week the logged order;
items never read come after, wish-list rank first; the key breaks every remaining tie."""


def search_sql(
    query: Query | str, limit: int | None = None, columns: str = "p.rowid, p.key"
) -> tuple[str, list[Any]]:
    """The one SQL statement (and parameters) of a search: ``columns`` of ``papers AS p`` for
    every hit, best match first (bm25), newest reading first without words."""
    if isinstance(query, str):
        query = parse_query(query)
    where, params = query.filter_sql()
    match = query.match_expression()
    if match is None:
        sql = f"SELECT {columns} FROM {PAPERS_TABLE} AS p WHERE {where} ORDER BY {RECENCY_ORDER}"
    else:
        weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        sql = (
            f"SELECT {columns} FROM {FTS_TABLE} JOIN {PAPERS_TABLE} AS p "
            f"ON p.rowid = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH ? AND {where} "
            f"ORDER BY bm25({FTS_TABLE}, {weights}), {RECENCY_ORDER}"
        )
        params = [match, *params]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return sql, params


def fts_create_sql(table: str = FTS_TABLE) -> str:
    """The CREATE statement of the full-text table (the index and the probe share it)."""
    cols = ", ".join(FTS_COLUMNS)
    return f"CREATE VIRTUAL TABLE {table} USING fts5({cols}, tokenize='{FTS_TOKENIZE}')"


def _probe() -> sqlite3.Connection:
    conn: sqlite3.Connection | None = getattr(_probe_local(), "conn", None)
    if conn is None:
        import sqlite3

        conn = sqlite3.connect(":memory:", isolation_level=None)
        conn.execute(fts_create_sql())
        _probe_local().conn = conn
    return conn


def _fts_matches(paper: Paper, expression: str) -> bool:
    conn = _probe()
    conn.execute(f"DELETE FROM {FTS_TABLE}")
    marks = ", ".join("?" for _ in FTS_COLUMNS)
    conn.execute(f"INSERT INTO {FTS_TABLE} VALUES ({marks})", fts_values(paper))
    row = conn.execute(
        f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?", (expression,)
    ).fetchone()
    return bool(row[0])


# --- the parts ---------------------------------------------------------------------------------


def _quote_fts(text: str) -> str:
    # Inside an FTS5 string only '"' is special (doubled); NUL would end the C string early.
    return '"' + text.replace("\x00", " ").replace('"', '""') + '"'


def has_token(text: str) -> bool:
    """True when ``text`` holds something the tokenizer indexes (a letter or digit)."""
    return any(ch.isalnum() for ch in text)


class _Value:
    """Equality, hashing and repr from ``__slots__``: value objects without the start-up cost
    of dataclasses, which is real here because every ``paperlog search`` imports this module."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Value)
            and type(other) is type(self)
            and (other._values() == self._values())
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._values()))

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({args})"


class Words(_Value):
    """Full-text words: a prefix match by default, an exact phrase when quoted.

    ``columns`` restricts the match to some full-text columns (``title:word``).
    """

    __slots__ = ("columns", "prefix", "text")

    def __init__(self, text: str, prefix: bool = True, columns: tuple[str, ...] = ()) -> None:
        self.text = text
        self.prefix = prefix
        self.columns = columns

    def fts_expression(self) -> str:
        """This part as an FTS5 MATCH expression, every user character safely quoted."""
        expr = _quote_fts(self.text) + ("*" if self.prefix else "")
        if self.columns:
            expr = "{" + " ".join(self.columns) + "} : " + expr
        return expr

    def to_sql(self) -> tuple[str, list[Any]]:
        return (
            f"p.rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)",
            [self.fts_expression()],
        )

    def matches(self, paper: Paper) -> bool:
        return _fts_matches(paper, self.fts_expression())


class YearRange(_Value):
    """``year:2019`` (lo == hi), ``year:2018..2020``, ``year:2018..``, ``year:..2019``."""

    __slots__ = ("hi", "lo")

    def __init__(self, lo: int | None, hi: int | None) -> None:
        self.lo = lo
        self.hi = hi

    def to_sql(self) -> tuple[str, list[Any]]:
        return _range_sql("p.year", self.lo, self.hi)

    def matches(self, paper: Paper) -> bool:
        return paper.year is not None and _in_range(paper.year, self.lo, self.hi)


class WeekRange(_Value):
    """``week:3`` or ``week:1..4``: the item was read (logged) in one of those weeks."""

    __slots__ = ("hi", "lo")

    def __init__(self, lo: int | None, hi: int | None) -> None:
        self.lo = lo
        self.hi = hi

    def to_sql(self) -> tuple[str, list[Any]]:
        cond, params = _range_sql("value", self.lo, self.hi)
        return f"EXISTS (SELECT 1 FROM json_each(p.weeks) WHERE {cond})", params

    def matches(self, paper: Paper) -> bool:
        return any(
            r.week is not None and _in_range(r.week, self.lo, self.hi) for r in paper.readings
        )


def _range_sql(column: str, lo: int | None, hi: int | None) -> tuple[str, list[Any]]:
    conds, params = [f"{column} IS NOT NULL"], []
    if lo is not None:
        conds.append(f"{column} >= ?")
        params.append(lo)
    if hi is not None:
        conds.append(f"{column} <= ?")
        params.append(hi)
    return "(" + " AND ".join(conds) + ")", params


def _in_range(value: int, lo: int | None, hi: int | None) -> bool:
    return (lo is None or value >= lo) and (hi is None or value <= hi)


class VenueIs(_Value):
    """``venue:NIPS``: the canonical venue is one of the names (aliases included), or the
    badge as written starts with one of them ("BHI Journal 2017" for ``venue:BHI``)."""

    __slots__ = ("name", "names")

    def __init__(self, name: str, names: frozenset[str]) -> None:
        self.name = name
        self.names = names

    def to_sql(self) -> tuple[str, list[Any]]:
        names = sorted(self.names)
        marks = ", ".join("?" for _ in names)
        conds = [f"p.venue IN ({marks})", f"p.venue_label IN ({marks})"]
        params: list[Any] = [*names, *names]
        for name in names:
            conds.append("substr(p.venue_label, 1, ?) = ?")
            params += [len(name) + 1, name + " "]
        return "(" + " OR ".join(conds) + ")", params

    def matches(self, paper: Paper) -> bool:
        values = filter_values(paper)
        venue, label = values["venue"], values["venue_label"]
        return venue in self.names or any(
            label == name or label.startswith(name + " ") for name in self.names
        )


class FieldIs(_Value):
    """``track:depth``, ``status:read``, ``kind:paper``: one of the values (any case)."""

    __slots__ = ("field", "values")

    def __init__(self, field: str, values: frozenset[str]) -> None:
        self.field = field
        self.values = values

    def to_sql(self) -> tuple[str, list[Any]]:
        values = sorted(self.values)
        marks = ", ".join("?" for _ in values)
        return f"p.{self.field} IN ({marks})", values

    def matches(self, paper: Paper) -> bool:
        return bool(filter_values(paper)[self.field] in self.values)


class TopicIs(_Value):
    """``topic:Uns``: the item carries one of the topic codes (any case)."""

    __slots__ = ("codes",)

    def __init__(self, codes: frozenset[str]) -> None:
        self.codes = codes

    def to_sql(self) -> tuple[str, list[Any]]:
        codes = sorted(self.codes)
        marks = ", ".join("?" for _ in codes)
        return f"EXISTS (SELECT 1 FROM json_each(p.topics) WHERE value IN ({marks}))", codes

    def matches(self, paper: Paper) -> bool:
        return any(fold(t) in self.codes for t in paper.topics)


class Not(_Value):
    """``-part``: papers the inner part does not match."""

    __slots__ = ("part",)

    def __init__(self, part: Part) -> None:
        self.part = part

    def to_sql(self) -> tuple[str, list[Any]]:
        sql, params = self.part.to_sql()
        # COALESCE: a NULL (unknown year) is "no match", so its negation is a match, as in Python.
        return f"NOT COALESCE(({sql}), 0)", params

    def matches(self, paper: Paper) -> bool:
        return not self.part.matches(paper)


class Query(_Value):
    """The AND of its parts; no parts matches everything."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[Part, ...] = ()) -> None:
        self.parts = parts

    def __and__(self, other: Query) -> Query:
        return Query(self.parts + other.parts)

    @property
    def words(self) -> list[Words]:
        """The positive full-text parts (they rank the results)."""
        return [p for p in self.parts if isinstance(p, Words)]

    def match_expression(self) -> str | None:
        """One FTS5 expression for all positive word parts, or None when there are none."""
        exprs = [w.fts_expression() for w in self.words]
        return " AND ".join(exprs) if exprs else None

    def filter_sql(self) -> tuple[str, list[Any]]:
        """WHERE SQL for every part but the positive words (which a MATCH handles)."""
        return _and_sql(p for p in self.parts if not isinstance(p, Words))

    def to_sql(self) -> tuple[str, list[Any]]:
        """WHERE SQL for the whole query over ``papers AS p``."""
        return _and_sql(self.parts)

    def matches(self, paper: Paper) -> bool:
        """True when every part matches the paper."""
        return all(part.matches(paper) for part in self.parts)


def _and_sql(parts: Iterable[Part]) -> tuple[str, list[Any]]:
    sqls, params = [], []
    for part in parts:
        sql, ps = part.to_sql()
        sqls.append(sql)
        params.extend(ps)
    return (" AND ".join(sqls) if sqls else "1"), params


# --- parsing -----------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<neg>-)?
        (?:(?P<field>[A-Za-z]+):(?=\S))?
        (?:"(?P<quoted>[^"]*)(?:"|$)|(?P<bare>\S+))""",
    re.VERBOSE,
)
_RANGE = re.compile(r"^\s*(\d{1,6})?\s*(\.\.)?\s*(\d{1,6})?\s*$")


def parse_range(field: str, value: str) -> tuple[int | None, int | None]:
    """``2019`` -> (2019, 2019); ``2018..2020``; ``2018..``; ``..2019``. Else ``QueryError``."""
    match = _RANGE.match(value)
    if match is None or not (match.group(1) or match.group(3)):
        example = "3 or 1..4" if field == "week" else "2019, 2018..2020, 2018.. or ..2019"
        raise QueryError(f"{field}: {value!r} is not a number or range (e.g. {example})")
    lo = int(match.group(1)) if match.group(1) else None
    hi = int(match.group(3)) if match.group(3) else None
    if match.group(2) is None:
        if lo is None or hi is not None:
            raise QueryError(f"{field}: {value!r} is not a number or range")
        return lo, lo
    if lo is not None and hi is not None and lo > hi:
        raise QueryError(f"{field}: {value!r} is an empty range ({lo} is after {hi})")
    return lo, hi


def _choices(field: str, value: str, allowed: Sequence[str] | None = None) -> frozenset[str]:
    values = frozenset(fold(v) for v in value.split(",") if v.strip())
    if not values:
        raise QueryError(f"{field}: needs a value")
    if allowed is not None:
        bad = sorted(values - set(allowed))
        if bad:
            raise QueryError(f"{field}: {bad[0]!r} is not one of {', '.join(allowed)}")
    return values


def parse_field(field: str, value: str, *, exact: bool = False) -> Part:
    """One ``field:value`` filter (also what each CLI option becomes).

    ``exact`` makes ``title:"a phrase"`` an exact phrase rather than a prefix match.
    """
    field = field.lower()
    if field in ("year", "week"):
        lo, hi = parse_range(field, value)
        return YearRange(lo, hi) if field == "year" else WeekRange(lo, hi)
    if field == "venue":
        names: set[str] = set()
        for name in value.split(","):
            if name.strip():
                names |= venue_names(name)
        if not names:
            raise QueryError("venue: needs a name (e.g. venue:CVPR)")
        return VenueIs(value.strip(), frozenset(names))
    if field == "topic":
        return TopicIs(_choices(field, value))
    if field == "status":
        from paperlog.model import STATUSES

        return FieldIs(field, _choices(field, value, STATUSES))
    if field == "kind":
        from paperlog.model import KINDS

        return FieldIs(field, _choices(field, value, KINDS))
    if field == "track":
        return FieldIs(field, _choices(field, value))
    if field in WORD_FIELDS:
        if not has_token(value):
            raise QueryError(f"{field}: {value!r} has no word to search for")
        return Words(value, prefix=not exact, columns=WORD_FIELDS[field])
    raise QueryError(f"unknown field {field!r}")


def parse_query(text: str) -> Query:
    """Parse a query string into a ``Query``; a bad filter raises ``QueryError`` naming it."""
    parts: list[Part] = []
    for match in _TOKEN.finditer(text):
        neg, field, quoted, bare = match.group("neg", "field", "quoted", "bare")
        part: Part | None
        if field is not None and field.lower() in (*FILTER_FIELDS, *WORD_FIELDS):
            if quoted is not None:
                part = parse_field(field, quoted, exact=True)
            else:
                part = parse_field(field, bare)
        else:
            raw = quoted if quoted is not None else bare
            named = raw[:-1].lower() if quoted is None and raw.endswith(":") else ""
            if field is None and named in (*FILTER_FIELDS, *WORD_FIELDS):
                # "year:" with nothing after it: a filter left empty, not the word "year"
                raise QueryError(
                    f"{named}: needs a value (e.g. {_EXAMPLES.get(named, named + ':x')})"
                )
            if field is not None:  # "http://x", "Note:" - not a field, just text
                raw = f"{field}:{raw}"
            # A quoted phrase is exact; a bare word is a prefix. Text with no letter or digit
            # ("-", "*") has nothing to search for and is dropped rather than matching nothing.
            part = Words(raw, prefix=quoted is None) if has_token(raw) else None
        if part is not None:
            part = Not(part) if neg else part
            if part not in parts:  # "kind:topic kind:topic" is "kind:topic"
                parts.append(part)
    if len(parts) > MAX_TERMS:
        raise QueryError(
            f"a query of {len(parts)} terms; paperlog takes up to {MAX_TERMS} (drop some words "
            "or filters)"
        )
    return Query(tuple(parts))


MAX_TERMS = 100
"""More words and filters than anyone types: SQLite refuses a WHERE nested ~1,000 deep."""


_EXAMPLES = {
    "year": "year:2019 or year:2018..2020",
    "week": "week:3 or week:1..4",
    "venue": "venue:CVPR",
    "topic": "topic:Uns",
    "track": "track:depth",
    "status": "status:read",
    "kind": "kind:paper",
}


def topic_codes(query: Query) -> set[str]:
    """Every topic code a query names (in ``topic:`` filters, negated or not), case-folded."""
    found: set[str] = set()
    stack: list[Any] = list(query.parts)
    while stack:
        part = stack.pop()
        if isinstance(part, TopicIs):
            found |= part.codes
        elif isinstance(part, Not):
            stack.append(part.part)
        elif isinstance(part, Query):
            stack.extend(part.parts)
    return found


def check_topics(query: Query, known: Sequence[str]) -> None:
    """Refuse a topic code the library's taxonomy does not have, naming the known codes."""
    folded = {fold(code): code for code in known}
    unknown = sorted(topic_codes(query) - set(folded))
    if unknown:
        from paperlog.errors import ValidationError

        codes = ", ".join(known) or "none yet"
        raise ValidationError(
            f"unknown topic {unknown[0]!r}: the library's topic codes are {codes} "
            "([[topics]] in paperlog.toml)"
        )


def build_query(words: str = "", **filters: str | None) -> Query:
    """A query from a words string plus filters by name (the CLI options): ``year="2019"``."""
    query = parse_query(words)
    extra = [parse_field(name, value) for name, value in filters.items() if value is not None]
    return query & Query(tuple(extra))
