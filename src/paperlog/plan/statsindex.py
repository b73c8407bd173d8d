"""``paperlog stats`` as SQL aggregates over the index: no paper is decoded or read.

``plan.stats.compute_stats`` walks every paper; this module asks the index the same questions
in grouped queries (readings per week, day and track; read papers per topic, venue and year;
wish-list spans per distinct (added, first reading) pair; review cards) and hands the answers
to the same ``assemble_stats``. The tests prove both give equal ``Stats``. What it needs of a
paper beyond the filter columns are the index's ``STATS_COLUMNS`` (``index.stats_values``).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING, Any

from paperlog.index import READINGS_TABLE, REVIEW_UNREADABLE
from paperlog.model import WeekInfo
from paperlog.plan.calendar import check_plan, week_for_date, week_start_of
from paperlog.plan.stats import (
    ReadFacts,
    Stats,
    assemble_stats,
    on_wishlist,
    venue_of,
    wish_span,
)
from paperlog.query import PAPERS_TABLE

if TYPE_CHECKING:
    from paperlog.index import Index
    from paperlog.library import Library


_Span = tuple[date | None, date | None]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


def known_starts(index: Index, weeks: list[WeekInfo]) -> dict[int, date | None]:
    """``plan.calendar.known_weeks`` from the index: weeks.yaml, then each other week's
    earliest ``week_start`` among its readings (SQL's min skips the unknown ones, as it does)."""
    known: dict[int, date | None] = {w.week: w.start for w in weeks}
    sql = f"SELECT week, min(week_start) FROM {READINGS_TABLE} WHERE week IS NOT NULL GROUP BY week"
    for week, start in index.rows(sql):
        if week not in known:
            known[week] = _day(start)
    return known


def reading_days_from_index(index: Index, weeks: list[WeekInfo]) -> Counter[date]:
    """``plan.charts.reading_days`` from the index: readings per day, a reading without a day
    counted on its week's start as written, else as the library knows it (``known_starts``)."""
    starts = known_starts(index, weeks)
    days: Counter[date] = Counter()
    for day, week, count in index.rows(
        f"SELECT coalesce(day, week_start), week, count(*) FROM {READINGS_TABLE} GROUP BY 1, 2"
    ):
        when = _day(day) if day is not None else starts.get(week) if week is not None else None
        if when is not None:
            days[when] += int(count)
    return days


def stats_from_index(
    library: Library, index: Index, weeks: list[WeekInfo], today: date | None
) -> Stats | None:
    """``compute_stats`` of every paper in the index, as of ``today``; None when a paper's
    review card does not read (the caller then takes the paper path, which names the file)."""
    plan = library.config.plan
    check_plan(plan, library.config_path)
    papers, review = _papers_and_review(index, today)
    if review is not None and review.pop("bad"):
        return None
    starts = known_starts(index, weeks)
    cut = today.isoformat() if today is not None else None

    # Each reading counts on its day, else its week's start as written, else its week's start
    # as the library knows it (``stats.reading_day``); readings after ``today`` do not count.
    later = [n for n, s in starts.items() if s is not None and today is not None and s > today]
    passing = (
        "(:cut IS NULL OR coalesce(r.day, r.week_start) <= :cut OR (coalesce(r.day, r.week_start) "
        "IS NULL AND (r.week IS NULL OR r.week NOT IN (SELECT value FROM json_each(:later)))))"
    )
    params = {"cut": cut, "later": json.dumps(later)}
    known = [WeekInfo(week=n, start=s) for n, s in starts.items()]
    by_calendar_week: dict[date, int | None] = {}
    tallies: list[tuple[int | None, str | None, int]] = []
    for week, day, track, count in index.rows(
        f"SELECT r.week, r.day, p.track_as_written, count(*) FROM {READINGS_TABLE} AS r "
        f"JOIN {PAPERS_TABLE} AS p ON p.rowid = r.id WHERE {passing} GROUP BY 1, 2, 3",
        params,
    ):
        number = week
        if week is None and day is not None:
            # the week of a day depends only on its calendar week: ask once per calendar week
            cal = week_start_of(date.fromisoformat(day), plan)
            if cal not in by_calendar_week:
                by_calendar_week[cal] = week_for_date(date.fromisoformat(day), plan, known)[0]
            number = by_calendar_week[cal]
        tallies.append((number, track, count))

    facts = _read_facts(index, passing, params)
    # A paper read without a wish-list heading or an ``added`` day never waited (``wish_span``),
    # nor one with readings none of which has a day, nor one read with no reading logged:
    # those are most papers, and they are left out before grouping.
    groups = index.rows(
        "SELECT added, wish_grouped, first_read, n_readings > 0, status = 'read', count(*) "
        f"FROM {PAPERS_TABLE} WHERE NOT (added IS NULL AND NOT wish_grouped AND first_read "
        "IS NOT NULL) AND NOT (n_readings > 0 AND first_read IS NULL) AND NOT (n_readings = 0 "
        "AND status = 'read') GROUP BY 1, 2, 3, 4, 5"
    )

    def span_of(row: tuple[Any, ...], first_start: date | None) -> _Span | None:
        added, grouped, first_read, has_readings, is_read = row[:5]
        return wish_span(
            added=_day(added),
            wish_grouped=bool(grouped),
            read_on=_day(first_read),
            has_readings=bool(has_readings),
            is_read=bool(is_read),
            first_start=first_start,
        )

    def spans(first_start: date) -> list[tuple[date, date | None]]:
        out: list[tuple[date, date | None]] = []
        for row in groups:
            span = span_of(row, first_start)
            if span is not None:
                out.extend([(span[0] or first_start, span[1])] * int(row[5]))
        return out

    return assemble_stats(
        library,
        weeks,
        starts,
        tallies,
        facts,
        papers=papers,
        spans=spans,
        wishlist=sum(int(row[5]) for row in groups if on_wishlist(span_of(row, None), today)),
        review=review,
        today=today,
    )


def _read_facts(index: Index, passing: str, params: dict[str, Any]) -> ReadFacts:
    """Topics, venues and years of the papers with a reading that counts (each paper once)."""
    read = (
        f"{PAPERS_TABLE} AS p WHERE p.rowid IN "
        f"(SELECT r.id FROM {READINGS_TABLE} AS r WHERE {passing})"
    )
    facts = ReadFacts()
    # one group per (venue, badge, year, topics), in the key order of each group's first
    # paper: the first paper of a venue gives its label
    rows = index.rows(
        "SELECT p.venue_as_written, p.label_as_written, p.year, p.topics_as_written, count(*), "
        f"min(p.key) FROM {read} GROUP BY 1, 2, 3, 4 ORDER BY 6",
        params,
    )
    for venue, label, year, topics, count, _ in rows:
        facts.add(json.loads(topics), venue_of(venue, label), year, int(count))
    return facts


def _papers_and_review(index: Index, today: date | None) -> tuple[int, dict[str, int] | None]:
    """How many papers, and ``stats.review_summary`` at ``today``: cards (read by then, with
    takeaways), graded, due (a card's UTC day on or before ``today``, or never graded and
    read by then); ``bad``: cards that do not read (``review_summary`` would raise)."""
    read_by = (
        "CASE WHEN n_readings = 0 THEN status = 'read' "
        "ELSE first_read IS NULL OR first_read <= :cut END"
    )
    card = f"has_takeaways AND review_due IS NOT NULL AND review_due != '{REVIEW_UNREADABLE}'"
    ((papers, cards, graded, due, bad),) = index.rows(
        f"SELECT count(*), coalesce(sum(has_takeaways AND {read_by}), 0), "
        f"coalesce(sum(has_takeaways AND ({read_by}) AND review_due IS NOT NULL), 0), "
        f"coalesce(sum(has_takeaways AND review_due IS NULL AND {read_by}), 0) "
        f"+ coalesce(sum({card} AND review_due <= :cut), 0), "
        f"coalesce(sum(has_takeaways AND review_due = '{REVIEW_UNREADABLE}'), 0) "
        f"FROM {PAPERS_TABLE}",
        {"cut": today.isoformat() if today is not None else None},
    )
    if today is None:  # no review without a day; nothing raises
        return int(papers), None
    return int(papers), {"cards": cards, "graded": graded, "due": due, "bad": bad}
