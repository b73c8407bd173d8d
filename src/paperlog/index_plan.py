"""What the plan asks of the index: the queue's heads, who read in given weeks, week starts.

A mixin of ``paperlog.index.Index``, kept apart so that module stays about opening, syncing and
searching; every method is one SQL statement over the index's columns (no file is read).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from paperlog.index_rows import date_or_none
from paperlog.index_schema import DATA_TABLE, READINGS_TABLE
from paperlog.model import Paper, Reading
from paperlog.query import PAPERS_TABLE

_T = TypeVar("_T")


class PlanQueries:
    """The plan's queries; ``Index`` supplies the connection and the checked reads."""

    _conn: sqlite3.Connection

    if TYPE_CHECKING:

        def _read(self, run: Callable[[], _T]) -> _T: ...

        def _papers(self, ids: list[int]) -> list[Paper]: ...

    def readers(self, weeks: list[int], days: list[date]) -> list[Paper]:
        """The items with a reading in one of these weeks or on one of these days."""
        sql = (
            f"SELECT DISTINCT id FROM {READINGS_TABLE} WHERE week IN "
            "(SELECT value FROM json_each(?)) OR day IN (SELECT value FROM json_each(?))"
        )
        params = (json.dumps(weeks), json.dumps([d.isoformat() for d in days]))
        return self._read(
            lambda: self._papers([rowid for (rowid,) in self._conn.execute(sql, params)])
        )

    def waiting(self, per_track: int | None = None, focus: Sequence[str] = ()) -> list[Paper]:
        """Items not read yet (the queue, in no particular order).

        With ``per_track``, only the items a plan of that many days can pick: every item with
        a pin or a skipped day (they jump or leave the order), and per track the first
        ``per_track`` of the others in the plan's preference (started first, then ``focus``
        topics, then rank, then key). Each day picks one, so a day's best remaining item is
        always among them.
        """
        params: list[Any] = []
        if per_track is not None and not focus:
            return self._read(lambda: self._papers(self._queue_heads(per_track)))
        if per_track is None:
            sql = f"SELECT p.rowid FROM {PAPERS_TABLE} AS p WHERE p.status != 'read'"
        else:
            # Columns only, no JSON per row, except the focus test when there is a focus.
            focus_sql = (
                f"NOT EXISTS (SELECT 1 FROM {DATA_TABLE} AS f, json_each(f.data, '$.topics') "
                "AS t WHERE f.id = p.rowid AND t.value IN (SELECT value FROM json_each(?)))"
                if focus
                else "? IS NULL"
            )
            sql = (
                "SELECT w.id FROM (SELECT p.rowid AS id, row_number() OVER (PARTITION BY "
                "p.track_as_written, p.pinned IS NOT NULL OR p.skips ORDER BY "
                f"p.status != 'reading', {focus_sql}, p.rank IS NULL, p.rank, p.key) AS n, "
                f"p.pinned AS pinned, p.skips AS skips FROM {PAPERS_TABLE} AS p "
                "WHERE p.status != 'read') AS w "
                "WHERE w.n <= ? OR w.pinned IS NOT NULL OR w.skips"
            )
            params = [json.dumps(list(focus)) if focus else None, per_track]
        return self._read(
            lambda: self._papers([rowid for (rowid,) in self._conn.execute(sql, params)])
        )

    def _queue_heads(self, per_track: int) -> list[int]:
        """``waiting(per_track)`` without a focus, as index walks instead of a sort of every
        waiting item: the items with a pin or a skipped day, then per track the first
        ``per_track`` others, started ones first, then by rank (unranked last), then key."""
        table, conn = PAPERS_TABLE, self._conn
        ids = [
            rowid
            for (rowid,) in conn.execute(
                f"SELECT rowid FROM {table} INDEXED BY papers_jumping "
                "WHERE (pinned IS NOT NULL OR skips) AND status != 'read'"
            )
        ]
        tracks: list[str | None] = []
        # each distinct track (NULL first) by one index seek per track, not a scan
        row = conn.execute(
            f"SELECT 1 FROM {table} WHERE status IN ('wish', 'reading') "
            "AND track_as_written IS NULL LIMIT 1"
        ).fetchone()
        if row is not None:
            tracks.append(None)
        last, after = "", ">="
        while True:
            (found,) = conn.execute(
                f"SELECT min(t) FROM (SELECT min(track_as_written) AS t FROM {table} "
                f"WHERE status = 'wish' AND track_as_written {after} ? UNION ALL "
                f"SELECT min(track_as_written) FROM {table} "
                f"WHERE status = 'reading' AND track_as_written {after} ?)",
                (last, last),
            ).fetchone()
            after = ">"
            if found is None:
                break
            tracks.append(found)
            last = found
        free = "pinned IS NULL AND NOT skips"
        for track in tracks:
            head: list[int] = []
            for status, ranked in (("reading", None), ("wish", True), ("wish", False)):
                if len(head) >= per_track:
                    break
                rank = (
                    ""
                    if ranked is None
                    else ("AND rank IS NOT NULL" if ranked else "AND rank IS NULL")
                )
                order = "rank IS NULL, rank, key" if ranked is None else "rank, key"
                head += [
                    rowid
                    for (rowid,) in conn.execute(
                        f"SELECT rowid FROM {table} INDEXED BY papers_queue WHERE status = ? "
                        f"AND track_as_written IS ? {rank} AND {free} ORDER BY {order} LIMIT ?",
                        (status, track, per_track - len(head)),
                    )
                ]
            ids += head
        return ids

    def week_summary(self) -> list[Reading]:
        """One reading per week number any paper was read in: its earliest ``week_start``
        and the week's highest ``order``. What ``plan.calendar.known_weeks`` and ``done``'s
        "last in the week" need of every paper, in one query."""
        sql = (
            f"SELECT week, min(week_start), max(ord) FROM {READINGS_TABLE} "
            "WHERE week IS NOT NULL GROUP BY week ORDER BY week"
        )
        return self._read(
            lambda: [
                Reading(week=week, week_start=date_or_none(start), order=order)
                for week, start, order in self._conn.execute(sql)
            ]
        )

    def queue_ranks(self) -> list[tuple[str, int | None]]:
        """(key, rank) of every waiting item in queue order (``plan.schedule.queue_order``:
        rank, unranked last, then key), without decoding a paper."""
        sql = (
            f"SELECT key, rank FROM {PAPERS_TABLE} WHERE status != 'read' "
            "ORDER BY rank IS NULL, rank, key"
        )
        return self._read(lambda: [(key, rank) for key, rank in self._conn.execute(sql)])

    def queue_position(self, key: str) -> int | None:
        """KEY's place in the queue (1 = first, in ``queue_ranks`` order), None when it is read
        or unknown. Ranks only order (they have gaps), so this is what a user is shown."""
        sql = (
            f"SELECT 1 + (SELECT count(*) FROM {PAPERS_TABLE} AS o WHERE o.status != 'read' AND "
            "((o.rank IS NULL) < (p.rank IS NULL) OR ((o.rank IS NULL) = (p.rank IS NULL) AND "
            "(coalesce(o.rank, 0) < coalesce(p.rank, 0) OR (coalesce(o.rank, 0) = "
            "coalesce(p.rank, 0) AND o.key < p.key))))) "
            f"FROM {PAPERS_TABLE} AS p WHERE p.key = ? AND p.status != 'read'"
        )
        row = self._read(lambda: self._conn.execute(sql, (key,)).fetchone())
        return None if row is None else int(row[0])
