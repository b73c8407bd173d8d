"""The index's tables: the SQL that makes them and the columns a paper's row fills.

Kept apart from ``paperlog.index`` (which opens, syncs and reads the index) so that module stays
about what it does; ``index.SCHEMA_VERSION`` must change with anything here.
"""

from __future__ import annotations

from paperlog.query import PAPERS_TABLE

DATA_TABLE = "paper_data"

PAPERS_DDL = f"""
CREATE TABLE {PAPERS_TABLE} (
    key TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    sha1 TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    year INTEGER,
    venue TEXT NOT NULL,
    venue_label TEXT NOT NULL,
    track TEXT NOT NULL,
    topics TEXT NOT NULL,
    weeks TEXT NOT NULL,
    last_read TEXT NOT NULL,
    last_week INTEGER NOT NULL,
    last_order INTEGER NOT NULL,
    rank INTEGER,
    track_as_written TEXT,
    pinned TEXT,
    skips INTEGER NOT NULL,
    table_row TEXT NOT NULL,
    added TEXT,
    wish_grouped INTEGER NOT NULL,
    first_read TEXT,
    n_readings INTEGER NOT NULL,
    has_takeaways INTEGER NOT NULL,
    review_due TEXT,
    venue_as_written TEXT,
    label_as_written TEXT,
    topics_as_written TEXT NOT NULL
)
"""
# The JSON of each paper lives apart from the filter columns so that a filter scan reads a
# small table, and a ranked search reads the JSON only of the rows it returns.
# ``crc`` is the CRC-32 of ``data`` (index_check.row_checksum), checked on every read.
DATA_DDL = (
    f"CREATE TABLE {DATA_TABLE} (id INTEGER PRIMARY KEY, data TEXT NOT NULL, crc INTEGER NOT NULL)"
)
# One row, "manifest": the (key, mtime_ns, size) list of the last complete scan, in scan order,
# as one blob (index_fresh.scan_manifest). A scan that yields the same bytes knows nothing changed without loading and
# comparing 10,000 rows; any difference (even just the order) falls back to the full compare.
STATE_DDL = "CREATE TABLE sync_state (name TEXT PRIMARY KEY, value BLOB NOT NULL)"
READINGS_TABLE = "readings"
# One row per reading (id = the paper's rowid): what the plan asks of every reading (which
# weeks exist and when they start, the last order in a week, a week's track counts) is SQL
# over this table instead of a parse or a JSON decode of every paper.
READINGS_DDL = (
    f"CREATE TABLE {READINGS_TABLE} (id INTEGER NOT NULL, week INTEGER, week_start TEXT, "
    "day TEXT, ord INTEGER NOT NULL)"
)
READINGS_INDEXES = (
    # covering: the per-week summary (starts, last order) reads the index alone
    f"CREATE INDEX readings_by_week ON {READINGS_TABLE} (week, week_start, ord)",
    f"CREATE INDEX readings_by_id ON {READINGS_TABLE} (id)",
    # ``plan.fromindex.nearby_weeks``: the weeks starting near a day, by start, not by a pass
    f"CREATE INDEX readings_by_start ON {READINGS_TABLE} (week_start, week)",
    # covering: what ``stats`` counts of every paper (``plan.statsindex``) reads a narrow
    # index instead of the wide rows
    f"CREATE INDEX papers_for_stats ON {PAPERS_TABLE} (has_takeaways, review_due, n_readings, "
    "status, added, wish_grouped, first_read)",
    # ``Index.waiting``: each track's head of the queue is a short walk of this index, and the
    # items with a pin or a skipped day are a partial index of their own
    f"CREATE INDEX papers_queue ON {PAPERS_TABLE} (status, track_as_written, rank, key, "
    "pinned, skips)",
    f"CREATE INDEX papers_jumping ON {PAPERS_TABLE} (status) WHERE pinned IS NOT NULL OR skips",
)
NAMES_TABLE = "key_names"
# One row per name or ID of each item (id = the paper's rowid), its kind a one-character prefix
# of ``form`` (``paperlog.lookup.name_forms``): a KEY typed as a cite key, ID, nickname, alias,
# prefix or close spelling is found by a range of this B-tree, never a decode of every paper.
NAMES_DDL = f"CREATE TABLE {NAMES_TABLE} (id INTEGER NOT NULL, form TEXT NOT NULL)"
NAMES_INDEXES = (
    f"CREATE INDEX key_names_by_form ON {NAMES_TABLE} (form, id)",
    f"CREATE INDEX key_names_by_id ON {NAMES_TABLE} (id)",
)
# A year filter (the most common one after words) reads only its years' entries, not the
# table: the entries carry the recency order's columns and the key, so a filter-only search
# sorts and returns its hits without reading a row.
PAPERS_INDEXES = (
    f"CREATE INDEX papers_by_year ON {PAPERS_TABLE} "
    "(year, last_read, last_week, last_order, rank, key)",
)
FILTER_COLUMNS = ("kind", "status", "year", "venue", "venue_label", "track", "topics", "weeks")
STATS_COLUMNS = (
    "added",
    "wish_grouped",
    "first_read",
    "n_readings",
    "has_takeaways",
    "review_due",
    "venue_as_written",
    "label_as_written",
    "topics_as_written",
)
"""What ``stats`` needs of every paper beyond the filter columns, as the paper writes it
(``stats_values``), so that ``paperlog stats`` is SQL aggregates, not a decode of every paper."""
ROW_COLUMNS = (
    "key",
    "path",
    "mtime_ns",
    "size",
    "sha1",
    *FILTER_COLUMNS,
    "last_read",
    "last_week",
    "last_order",
    "rank",
    "track_as_written",
    "pinned",
    "skips",
    "table_row",
    *STATS_COLUMNS,
)
