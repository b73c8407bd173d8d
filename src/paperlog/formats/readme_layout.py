"""What the README walker produces (found entries, the parsed README) and the small pieces
of layout it uses: markers, blank runs, the text before the log, the canonical week heading,
whether a document is a dated log."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from paperlog.formats.readme_parse import Block, Entry
from paperlog.formats.readme_shapes import is_date_line, parse_period, parse_week_heading
from paperlog.model import ResourceSection, Topic, WeekInfo

MARKER_BEGIN = "<!-- paperlog:begin -->"
MARKER_END = "<!-- paperlog:end -->"
CHARTS_MARKER = "<!-- paperlog:charts -->"
IMAGES_ONLY = re.compile(r"^(?:\s*!\[[^\]]*\]\([^)]*\))+\s*$")


@dataclass
class WalkWarning:
    """A problem found while reading, with the 1-based source line."""

    line: int
    message: str


@dataclass
class Found:
    """One entry and the place it was found: week, date heading, theme group, wish-list."""

    entry: Entry
    line: int
    status: str
    group: str | None = None
    week: int | None = None
    week_start: date | None = None
    day: date | None = None
    period: str | None = None
    order: int = 0
    wish_group: str | None = None
    rank: int | None = None
    notes: list[str] = field(default_factory=list)
    raw: str | None = None
    """The listing's source text as written (list marker and nested notes included), when the
    listing is a block of its own; render writes it back while the item is unchanged."""
    section: str | None = None
    """The recommended list before the log this entry stands in ("Recommended papers")."""


@dataclass
class Parsed:
    """Everything a README said, before it is mapped onto a library."""

    title: str | None = None
    intro: str | None = None
    readme: dict[str, Any] = field(default_factory=dict)
    topics: list[Topic] = field(default_factory=list)
    resources: list[ResourceSection] = field(default_factory=list)
    weeks: list[WeekInfo] = field(default_factory=list)
    found: list[Found] = field(default_factory=list)
    warnings: list[WalkWarning] = field(default_factory=list)


def star_split(text: str) -> tuple[str | None, str]:
    """``"⭐ Stanford CS231n"`` -> ("⭐", "Stanford CS231n"): a leading symbol is a star."""
    first, _, rest = text.partition(" ")
    if rest and first and all(unicodedata.category(c) in ("So", "Sk", "Mn", "Cf") for c in first):
        return first, rest
    return None, text


def is_dated(blocks: list[Block]) -> bool:
    """True when the document logs reading by week or date (else it is a curated list)."""
    for block in blocks:
        if block.kind == "heading" and (parse_week_heading(block.text) or parse_period(block.text)):
            return True
        if block.kind == "para" and is_date_line(parse_period(block.text.strip())):
            return True
    return False


def before_log(
    lines: list[str], first: int | None, dated: bool, log_lines: list[int]
) -> str | None:
    """The README's own text between its head (intro, contents, resources) and the log proper
    ("About me", a list of blog posts): kept verbatim and rendered back in its place."""
    if not dated or first is None or not log_lines:
        return None
    end = min(log_lines)
    if first >= end:
        return None
    kept = [
        line
        for line in lines[first - 1 : end - 1]
        if line.strip() not in (MARKER_BEGIN, MARKER_END, CHARTS_MARKER)
        and not IMAGES_ONLY.match(line)
    ]
    text = "\n".join(kept).strip("\n")
    return text or None


def canonical_week(number: int, start: date | None) -> str:
    """The week heading a render writes by default."""
    return f"### Wk{number} - {start:%Y.%m.%d}" if start else f"### Wk{number}"


def drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def marked_span(lines: list[str]) -> tuple[int, int, list[int]]:
    """The 1-based lines of the begin and end markers (0 and len+1 without markers), and
    the non-blank lines outside them: a rendered README's own part is between the markers."""
    stripped = [line.strip() for line in lines]
    if MARKER_BEGIN not in stripped or MARKER_END not in stripped:
        return 0, len(lines) + 1, []
    first = stripped.index(MARKER_BEGIN) + 1
    last = stripped.index(MARKER_END, first) + 1 if MARKER_END in stripped[first:] else 0
    if not last:
        return 0, len(lines) + 1, []
    outside = [n for n, line in enumerate(stripped, 1) if line and not first <= n <= last]
    return first, last, outside


def blank_runs(text: str, limit: int = 40) -> dict[str, int]:
    """Lines preceded by more than one blank line, and how many: spacing a render repeats.

    Two blank lines render like one, but a diff of the regenerated README against the
    hand-kept one should show only real repairs, so the writer's spacing is kept too.
    """
    runs: dict[str, int] = {}
    blank = 0
    for line in text.split("\n"):
        if not line.strip():
            blank += 1
            continue
        key = line.rstrip()
        if blank > 1 and key not in (MARKER_BEGIN, MARKER_END) and len(runs) < limit:
            runs.setdefault(key, blank)
        blank = 0
    return runs
