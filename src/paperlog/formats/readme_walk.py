"""Walk a README's blocks and say where each one lands: the seed's layout and other shapes.

The walker keeps a small state (which zone of the document it is in, the current week or
date heading, the current theme group) and turns blocks into plain records: found entries with
their context, resource sections, week annotations, the free text ``config.readme`` keeps.
Mapping entries to ``Paper`` records and merging with a library is readme_import's job.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from paperlog.formats.readme_parse import Block, Entry, parse_blocks, parse_tail
from paperlog.formats.readme_shapes import (
    TO_READ,
    UNDATED,
    Period,
    parse_any_entry,
    parse_period,
    parse_week_heading,
)
from paperlog.model import ResourceGroup, ResourceItem, ResourceSection, Topic, WeekInfo

MARKER_BEGIN = "<!-- paperlog:begin -->"
MARKER_END = "<!-- paperlog:end -->"
CHARTS_MARKER = "<!-- paperlog:charts -->"

_WISH_LINE = re.compile(r"^wish[- ]?list\b", re.I)
_WEEK_NOTE = re.compile(r"^\*\((.+)\)\*\s*(?:<br\s*/?>)?$", re.I)
_IMAGES_ONLY = re.compile(r"^(?:\s*!\[[^\]]*\]\([^)]*\))+\s*$")
_LABELLED_NOTE = re.compile(r"^\*\*[^*]+\*\*\s*:")
_TOPIC = re.compile(r"^\[(\w+)\]\s+(.+?)\s*$")
_TOPIC_NAME = re.compile(r"^(.*?)\s*\((.*?)(\))?\s*$")
_SLOT_TITLES = frozenset({"", "tba", "tbd", "tbp", "todo", "...", "\u2026", "?", "-"})
"""Link texts that mark a to-do slot rather than a paper: ``[]()``, ``[TBA]()``."""
_SLOT_LINK = re.compile(r"^\[\[\s*(\w*)\s*\]\(\s*\)\]")
"""A slot written as a labelled link alone: ``[[TBP]()]``."""
_LIST_MARK = re.compile(r"^(?:[-+]|\*(?!\*))\s*")
"""A list marker missing its space ("-Title"), not the "**" of bold text."""
_SEARCH_PART = re.compile(r"\*\*By ([A-Za-z ]+)\*\*\s*-\s*(.*?)\s*\\?\s*(?=\*\*By |$)")


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


def _star_split(text: str) -> tuple[str | None, str]:
    """``"⭐ Stanford CS231n"`` -> ("⭐", "Stanford CS231n"): a leading symbol is a star."""
    first, _, rest = text.partition(" ")
    if rest and first and all(unicodedata.category(c) in ("So", "Sk", "Mn", "Cf") for c in first):
        return first, rest
    return None, text


def _is_dated(blocks: list[Block]) -> bool:
    """True when the document logs reading by week or date (else it is a curated list)."""
    for block in blocks:
        if block.kind == "heading" and (parse_week_heading(block.text) or parse_period(block.text)):
            return True
        if block.kind == "para":
            period = parse_period(block.text.strip())
            if period is not None and period.start is not None:
                return True
    return False


MAX_WEEK_NUMBER = 100_000
"""Week numbers past this are refused (a log of a paper a day for 270 years stays below it)."""


class Walker:
    """Feeds blocks one by one; the state says where each lands."""

    def __init__(self, lines: list[str], dated: bool) -> None:
        self.lines = lines
        self.dated = dated
        self.out = Parsed()
        self.zone = "start"
        self.ctx = "none"
        self.ctx_level = 99
        self.week: WeekInfo | None = None
        self.period: Period | None = None
        self.group: str | None = None
        self.wish_heading: str | None = None
        self.order = 0
        self.rank = 0
        self.res_level = 0
        self.section: ResourceSection | None = None
        self.preamble: list[Block] = []
        self.contents_span: list[int] = []
        self.last_entry: tuple[Found, Block] | None = None
        self.weeks_by_number: dict[int, list[int]] = {}
        """Positions in ``out.weeks`` of each week number seen so far."""
        self.weeks_by_start: dict[date, list[int]] = {}
        self.topic_lines: dict[str, int] = {}
        self.log_lines: list[int] = []
        """Lines where the log proper starts something: a week, a date, an entry."""
        self.wish_start: int | None = None
        """The line each topic code was first defined on."""
        """Positions in ``out.weeks`` of each week start seen so far."""

    def warn(self, line: int, message: str) -> None:
        """Record a problem at a source line."""
        self.out.warnings.append(WalkWarning(line, message))

    # --- headings ------------------------------------------------------------------------
    def heading(self, block: Block) -> None:
        """A heading: the title, a week, a date, a to-read list, a zone, or a theme group."""
        text = block.text.strip()
        if self.zone == "start" and block.level == 1:
            self.out.title = text
            self.zone = "preamble"
            return
        self.close_zone()
        self.last_entry = None
        week = parse_week_heading(text)
        if week is not None and week[0] > MAX_WEEK_NUMBER:
            # a number no log reaches, and more than an index column holds: refused here
            # rather than written into paper files that no later command could load
            self.warn(
                block.line,
                f"{text[:40]}: week number out of range (at most {MAX_WEEK_NUMBER}); "
                "its entries are not imported",
            )
            self.zone, self.ctx, self.ctx_level, self.group = "notes", "none", block.level, None
            return
        if week is not None:
            if week[1] is None and re.search(r"\d{4}\D\d{1,2}\D\d{1,2}", text):
                self.warn(block.line, f"{text}: not a real date; the week is kept without one")
            self._start_week(block, *week)
            return
        period = parse_period(text)
        if period is not None and self.zone != "resources":
            self.out.readme.setdefault("period_level", block.level)
            self.log_lines.append(block.line)
            if period.label == UNDATED:
                self.out.readme["undated_heading"] = True
            self.zone, self.ctx, self.ctx_level = "notes", "period", block.level
            self.period, self.group, self.order = period, None, 0
            return
        if self.zone == "resources" and block.level > self.res_level:
            self.section = ResourceSection(text)
            self.out.resources.append(self.section)
            return
        low = text.lower()
        if low in ("contents", "table of contents") and not self.out.found:
            self.zone = "contents"
            self.out.readme["contents_heading"] = text
            return
        if low.startswith("search") and not self.out.found:
            self.zone = "search"
            self.out.readme.setdefault("search", {})["heading"] = text
            return
        if "resources" in low and block.level <= 2 and not self.out.found:
            self.zone, self.res_level, self.section = "resources", block.level, None
            self.out.readme["resources_heading"] = text
            return
        self.zone = "notes"
        if TO_READ.search(text):
            self.ctx, self.ctx_level, self.group = "wish", block.level, None
            self.wish_heading, self.wish_start = text, block.line
            if "wishlist_heading" not in self.out.readme:  # rendered back as this heading
                self.out.readme.setdefault("wish_heading", {"text": text, "level": block.level})
            return
        if self.ctx in ("wish", "period", "week") and block.level > self.ctx_level:
            self._set_group(text, block.level)
            return
        if block.level == 1 and "notes_heading" not in self.out.readme:
            self.out.readme["notes_heading"] = text
            self.ctx, self.ctx_level, self.group = "none", block.level, text
            return
        self.ctx, self.ctx_level, self.group = "none", block.level, text
        self._heading_level(text, block.level)

    def _start_week(self, block: Block, number: int, start: date | None) -> None:
        self.log_lines.append(block.line)
        self.zone, self.ctx, self.ctx_level = "notes", "week", block.level
        # earlier weeks with this number or start, looked up (not a scan of every week: a
        # long log has thousands), warned about in the order they were written
        clashes = set(self.weeks_by_number.get(number, ()))
        if start is not None:
            clashes.update(self.weeks_by_start.get(start, ()))
        # the first clash of each kind only: a log repeating one heading n times would
        # otherwise get n*n/2 warnings (quadratic time and output)
        firsts = {self.out.weeks[pos].week == number: pos for pos in sorted(clashes, reverse=True)}
        for pos in sorted(firsts.values()):
            other = self.out.weeks[pos]
            if other.week == number:
                self.warn(block.line, f"Wk{number} appears twice; both kept as written")
            else:
                assert start is not None
                self.warn(
                    block.line,
                    f"Wk{number} and Wk{other.week} both start on {start.isoformat()} "
                    "(kept as written)",
                )
        self.week = WeekInfo(number, start)
        written = "#" * block.level + " " + block.text.strip()
        if written != _canonical_week(number, start):  # "## Week 3 (June 22)": kept as written
            self.week.extra["heading"] = written
        self.weeks_by_number.setdefault(number, []).append(len(self.out.weeks))
        if start is not None:
            self.weeks_by_start.setdefault(start, []).append(len(self.out.weeks))
        self.out.weeks.append(self.week)
        self.group, self.order = None, 0

    def close_zone(self) -> None:
        """Finish the zone being left (the preamble's intro and plan, the contents block)."""
        if self.zone == "preamble":
            self._preamble()
        if self.zone == "contents" and self.contents_span:
            first, last = min(self.contents_span), max(self.contents_span)
            self.out.readme["contents"] = "\n".join(self.lines[first - 1 : last]).rstrip()
            self.contents_span = []

    def _heading_level(self, text: str, level: int) -> None:
        """Remember that a group name was a heading (and of which level), for the render."""
        self.out.readme.setdefault("group_levels", {})[text] = level

    def _set_group(self, text: str, level: int | None = None) -> None:
        if level is not None:
            self._heading_level(text, level)
        self.group = text
        if self.ctx == "week" and self.week is not None:
            self.week.groups.append(text)

    # --- the text before the first section -----------------------------------------------
    def _preamble(self) -> None:
        paras = [b for b in self.preamble if b.kind == "para"]
        if not paras:
            return
        raw = paras[0].raw
        parts: list[list[str]] = [[]]
        for line in raw:
            if re.fullmatch(r"\s*(<br\s*/?>\s*){2}\s*", line, re.I):
                parts.append([])
            else:
                parts[-1].append(line)
        texts = ["\n".join(p) for p in parts]
        plan_at = next((i for i, t in enumerate(texts) if t.startswith("**Plan")), None)
        if plan_at is None:
            self.out.intro = "\n".join(raw)
        else:
            self.out.intro = "\n<br><br>\n".join(texts[:plan_at])
            plan = texts[plan_at]
            self.out.readme["plan"] = plan
            tracks = re.findall(r"\(\d\)\s*(\w+)\s*-\s*(.*?)\s*(?=\(\d\)|\.?\s*$)", plan)
            if tracks:
                self.out.readme["tracks"] = [
                    {"name": name, "description": desc} for name, desc in tracks
                ]
            after = texts[plan_at + 1 :]
            if after:
                self.out.readme["after_plan"] = "\n<br><br>\n".join(after)
        for extra in paras[1:]:
            self.out.readme.setdefault("preamble_more", []).append("\n".join(extra.raw))

    # --- paragraphs ------------------------------------------------------------------------
    def para(self, block: Block) -> None:
        """A paragraph: intro text, a group label, a week note, a date line, or an entry."""
        text = block.text
        if self.zone in ("start", "preamble"):
            self.zone = "preamble"
            self.preamble.append(block)
            return
        if self.zone == "contents":
            self.contents_span += [block.line, block.end]
            return
        if self.zone == "search":
            self._search_para(block)
            return
        if _IMAGES_ONLY.match(text):
            return  # the rendered progress charts
        if self.zone == "resources":
            self._resource_label(block)
            return
        if self.last_entry is not None and block.level > 0:
            found, item = self.last_entry
            if block.line <= item.end:
                found.notes.append(text)
                return
        lines = [line.strip() for line in text.split("\n")]
        single = lines[0] if len(lines) == 1 else None
        period = parse_period(single) if single else None
        if period is not None and period.start is not None:
            self.ctx, self.period, self.order = "period", period, 0
            self.ctx_level = 99
            self.log_lines.append(block.line)
            return
        if text.lstrip().startswith(("[", "**[")):
            entry = parse_any_entry(text)
            if entry is not None and entry.url:
                self._place(entry, block)
                return
        for line in lines:
            if _WISH_LINE.match(line):
                self.ctx, self.ctx_level, self.group = "wish", 99, None
                self.wish_heading = None  # the seed's "Wish-List -" line is no group name
                self.wish_start = block.line
                self.out.readme["wishlist_heading"] = line
                continue
            if self.ctx != "wish" and "](" not in line and len(line) <= 80 and TO_READ.search(line):
                # "Papers I will read:" introduces a to-read list (its own wish group)
                self.ctx, self.ctx_level, self.group = "wish", 99, line
                self.wish_heading, self.wish_start = line, block.line
                continue
            note = _WEEK_NOTE.match(line)
            if note and self.ctx == "week" and self.week is not None:
                self.week.note = note.group(1)
                continue
            if "](" in line:
                # a line with a link is no theme heading: an entry missing its list marker
                # ("-Title [[arXiv](url)]") or prose with a link
                entry = parse_any_entry(_LIST_MARK.sub("", line)) if self.ctx != "none" else None
                if entry is not None and line[:1] in "-*+[":
                    self._place(entry, block)
                continue
            if line and len(line) <= 120:
                self._set_group(line)

    def _search_para(self, block: Block) -> None:
        joined = " ".join(line.strip() for line in block.text.split("\n"))
        search = self.out.readme.setdefault("search", {})
        found = False
        for name, value in _SEARCH_PART.findall(joined):
            key = name.strip().lower().replace(" ", "_")
            if key == "year":
                search["by_year"] = value
            elif key == "conference":
                search["by_conference"] = re.sub(r"^e\.g\.\s*", "", value)
            found = True
        if not found:
            search.setdefault("more", []).append("\n".join(block.raw))

    def _resource_label(self, block: Block) -> None:
        text = block.text.strip()
        if self.section is None:
            self.out.readme.setdefault("resources_intro", []).append(text)
            return
        if text[-1:] in ".!?" and self.section.intro is None and not self.section.groups:
            self.section.intro = text
        else:
            self.section.groups.append(ResourceGroup(text))

    # --- list items ---------------------------------------------------------------------
    def item(self, block: Block) -> None:
        """A list item: an entry, a resource, a topic, a group label, or an entry's note."""
        text = block.text
        if self.zone == "search":
            self._topic(block)
            return
        if self.zone == "contents":
            self.contents_span += [block.line, block.end]
            return
        if self.zone in ("start", "preamble"):
            self.zone = "preamble"
            return
        if self.zone == "resources":
            self._resource_item(block)
            return
        if self.last_entry is not None and block.level > 0:
            found, item = self.last_entry
            if block.line <= item.end and block.level > item.level:
                found.notes.append(text)
                return
        if self.last_entry is not None and _LABELLED_NOTE.match(text):
            self.last_entry[0].notes.append(text)  # "**TLDR**: ..." under the last entry
            return
        slot = _SLOT_LINK.match(text.strip())
        if slot is not None and slot.group(1).lower() in _SLOT_TITLES and self.ctx != "none":
            self._slot(block)
            return
        entry = parse_any_entry(text)
        if entry is None:
            plain = " ".join(part.strip() for part in text.split("\n")).strip()
            if block.has_children and "](" not in plain and plain:
                self._set_group(plain)
                return
            if self.ctx == "none" or not plain:
                return
            if "](" in plain or plain.startswith(("*", "!", "<", "#", "`")):
                self.warn(block.line, f"could not read an entry: {plain[:60]!r}")
                return
            # a bare title in a dated or to-read list: an item without a link
            entry = Entry(title=plain.strip("[]").strip(), url=None)
            self.warn(block.line, f"entry without a link, imported by its title: {plain[:50]!r}")
        placed = self._place(entry, block)
        if placed is not None:
            self.last_entry = (placed, block)

    def _topic(self, block: Block) -> None:
        match = _TOPIC.match(block.text.strip())
        if not match:
            self.out.readme.setdefault("search", {}).setdefault("more", []).append(
                "\n".join(block.raw)
            )
            return
        code, rest = match.groups()
        first = self.topic_lines.get(code)
        if first is not None:
            # the library refuses a taxonomy with a code twice: merge, keep the first
            self.warn(
                block.line,
                f"topic [{code}] is defined twice (first on line {first}): the first kept",
            )
            return
        self.topic_lines[code] = block.line
        named = _TOPIC_NAME.match(rest)
        if named and "(" in rest:
            name, desc, closed = named.group(1), named.group(2), named.group(3)
            if not closed:
                self.warn(block.line, f"topic [{code}]: the parenthesis is not closed")
                unclosed = self.out.readme.setdefault("search", {}).setdefault("unclosed", [])
                unclosed.append(code)
            self.out.topics.append(Topic(code, name, desc))
        else:
            self.out.topics.append(Topic(code, rest, None))

    def _resource_item(self, block: Block) -> None:
        if self.section is None:
            self.section = ResourceSection("Resources")
            self.out.resources.append(self.section)
        if block.level > 0:
            self.warn(block.line, "nested resource item read as a plain item")
        if not self.section.groups:
            self.section.groups.append(ResourceGroup(None))
        text = " ".join(part.strip() for part in block.text.split("\n")).strip()
        cut = text.find(" [[")
        title, tail = (text, "") if cut == -1 else (text[:cut], text[cut:])
        star, title = _star_split(title.strip())
        entry = Entry(title=title, url=None)
        parse_tail(tail, 0, entry)
        for problem in entry.problems:
            self.warn(block.line, problem)
        if entry.rest:
            self.warn(block.line, f"resource: text not read: {entry.rest!r}")
        self.section.groups[-1].items.append(ResourceItem(title, entry.links, star))

    def _slot(self, block: Block) -> None:
        """A placeholder (``[]()``, ``[TBA]()``, ``[[TBP]()]``): the writer's to-do slot, kept
        verbatim at its place (after the entry before it) and rendered back, never a paper."""
        line = "\n".join(block.raw).rstrip()
        self.warn(block.line, "placeholder entry (no title, no link): kept as a to-do slot")
        slot: dict[str, Any] = {"line": line}
        if self.ctx == "week" and self.week is not None:
            slot.update(group=self.group, after=self.order)
            self.week.extra.setdefault("slots", []).append(_drop_none(slot))
            return
        if self.ctx == "period" and self.period is not None:
            slot.update(period=self.period.label, group=self.group, after=self.order)
        else:
            slot.update(group=self.group or self.wish_heading, after=self.rank)
        self.out.readme.setdefault("slots", []).append(_drop_none(slot))

    # --- placing an entry -----------------------------------------------------------------
    def _place(self, entry: Entry, block: Block) -> Found | None:
        for problem in entry.problems:
            self.warn(block.line, problem)
        slot_here = self.ctx != "none" or not self.dated
        if entry.title.strip().lower() in _SLOT_TITLES and not entry.url and slot_here:
            self._slot(block)
            return None
        if self.ctx == "week" and self.week is not None:
            self.order += 1
            found = Found(entry, block.line, "read", self.group, self.week.week, self.week.start)
            found.order = self.order
        elif self.ctx == "period" and self.period is not None:
            self.order += 1
            period = self.period
            found = Found(entry, block.line, "read", self.group, None, period.start)
            found.day = period.start if period.exact_day else None
            # the labels a render writes for readings without a period of their own
            plain = {UNDATED, period.start.isoformat() if period.start else UNDATED}
            found.period = None if period.label in plain else period.label
            found.order = self.order
        elif self.ctx == "wish":
            self.rank += 1
            found = Found(entry, block.line, "wish", self.group)
            found.wish_group = self.group or self.wish_heading
            found.rank = self.rank
        elif self.dated:
            self.warn(
                block.line,
                f"entry outside any week, date or to-read section, not imported: "
                f"{entry.title[:50]!r}",
            )
            return None
        elif "rating" in entry.extra:
            self.order += 1
            found = Found(entry, block.line, "read", self.group)
            found.order = self.order
        else:
            self.rank += 1
            found = Found(entry, block.line, "wish", self.group)
            found.wish_group, found.rank = self.group, self.rank
        # a wish-list starts at its heading: the text before it is the README's own
        start = self.wish_start if found.status == "wish" and self.ctx == "wish" else None
        self.log_lines.append(start or block.line)
        if block.kind == "item" or len(block.raw) == 1:
            found.raw = "\n".join(block.raw).rstrip()
            if block.kind == "para":  # a paragraph of its own: a blank line must follow it
                found.raw += "\n"
        self.out.found.append(found)
        return found


def _before_log(lines: list[str], first: int | None, walker: Walker) -> str | None:
    """The README's own text between its head (intro, contents, resources) and the log proper
    ("About me", a list of blog posts): kept verbatim and rendered back in its place."""
    if not walker.dated or first is None or not walker.log_lines:
        return None
    end = min(walker.log_lines)
    if first >= end:
        return None
    kept = [
        line
        for line in lines[first - 1 : end - 1]
        if line.strip() not in (MARKER_BEGIN, MARKER_END, CHARTS_MARKER)
        and not _IMAGES_ONLY.match(line)
    ]
    text = "\n".join(kept).strip("\n")
    return text or None


def _canonical_week(number: int, start: date | None) -> str:
    """The week heading a render writes by default."""
    return f"### Wk{number} - {start:%Y.%m.%d}" if start else f"### Wk{number}"


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def walk(text: str) -> Parsed:
    """Read README text (already repaired) into a ``Parsed`` record."""
    lines = text.split("\n")
    first, last, outside = _marked_span(lines)
    blocks = [
        b
        for b in parse_blocks(text)
        if first < b.line < last
        and not (b.kind == "html" and b.text.strip() in (MARKER_BEGIN, MARKER_END, CHARTS_MARKER))
    ]
    walker = Walker(lines, _is_dated(blocks))
    if outside:
        walker.warn(
            outside[0],
            f"{len(outside)} line(s) outside the paperlog markers are your own text: not imported",
        )
    first_notes: int | None = None
    for block in blocks:
        if block.kind == "heading":
            walker.heading(block)
        elif block.kind == "para":
            walker.para(block)
        elif block.kind == "item":
            walker.item(block)
        notes_heading = (
            block.kind == "heading"
            and block.level == 1
            and (block.text.strip() == walker.out.readme.get("notes_heading"))
        )
        if first_notes is None and walker.zone == "notes" and not notes_heading:
            first_notes = block.line
    walker.close_zone()
    readme = walker.out.readme
    marks = Counter(
        found.raw.lstrip()[0] for found in walker.out.found if found.raw and found.raw.strip()
    )
    common = [m for m, _ in marks.most_common(3) if m in "-+*"]
    if common and common[0] != "*":  # generated lines follow the README's marker
        readme["list_marker"] = common[0]
    before = _before_log(lines, first_notes, walker)
    if before:
        readme["before_log"] = before
    # parts of the seed's layout this README does not have: a render must not invent them
    absent = [
        part
        for part, key in (
            ("contents", "contents_heading"),
            ("search", "search"),
            ("notes_heading", "notes_heading"),
        )
        if key not in readme and not (part == "search" and walker.out.topics)
    ]
    if absent and walker.out.found:
        readme["absent"] = absent
    runs = blank_runs("\n".join(lines[first : last - 1]))
    if runs:
        walker.out.readme["blank_runs"] = runs
    return walker.out


def _marked_span(lines: list[str]) -> tuple[int, int, list[int]]:
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
