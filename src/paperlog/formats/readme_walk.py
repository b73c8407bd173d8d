"""Walk a README's blocks and say where each one lands: the seed's layout and other shapes.

The walker keeps a small state (which zone of the document it is in, the current week or
date heading, the current theme group) and turns blocks into plain records: found entries with
their context, resource sections, week annotations, the free text ``config.readme`` keeps.
Mapping entries to ``Paper`` records and merging with a library is readme_import's job.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import date
from typing import Any

from paperlog.formats.readme_head import HeadReader
from paperlog.formats.readme_layout import (
    CHARTS_MARKER,
    IMAGES_ONLY,
    MARKER_BEGIN,
    MARKER_END,
    Found,
    Parsed,
    WalkWarning,
    before_log,
    blank_runs,
    canonical_week,
    drop_none,
    is_dated,
    marked_span,
)
from paperlog.formats.readme_parse import Block, Entry, parse_blocks
from paperlog.formats.readme_recommended import Recommended, before_log_parts
from paperlog.formats.readme_shapes import (
    TO_READ,
    UNDATED,
    Period,
    citation_line,
    is_date_line,
    is_read_list,
    is_recommended,
    looks_like_title,
    parse_any_entry,
    parse_period,
    parse_week_heading,
)
from paperlog.model import ResourceSection, WeekInfo

__all__ = [
    "CHARTS_MARKER",
    "MARKER_BEGIN",
    "MARKER_END",
    "Found",
    "Parsed",
    "WalkWarning",
    "Walker",
    "walk",
]

_WISH_LINE = re.compile(r"^wish[- ]?list\b", re.I)
_WEEK_NOTE = re.compile(r"^\*\((.+)\)\*\s*(?:<br\s*/?>)?$", re.I)
_LABELLED_NOTE = re.compile(r"^\*\*[^*]+\*\*\s*:")
_SLOT_TITLES = frozenset({"", "tba", "tbd", "tbp", "todo", "...", "\u2026", "?", "-"})
"""Link texts that mark a to-do slot rather than a paper: ``[]()``, ``[TBA]()``."""
_SLOT_LINK = re.compile(r"^\[\[\s*(\w*)\s*\]\(\s*\)\]")
"""A slot written as a labelled link alone: ``[[TBP]()]``."""
_LIST_MARK = re.compile(r"^(?:[-+]|\*(?!\*))\s*")
"""A list marker missing its space ("-Title"), not the "**" of bold text."""
_TASK_BOX = re.compile(r"^\[([ xX])\]\s+")
"""A task list's box: ``- [ ] Title`` (to read), ``- [x] Title`` (read)."""
_EMPHASIS = re.compile(r"\*[^*\s].*[^*\s]\*|_[^_\s].*[^_\s]_")
"""A line in italics: ``*(2016)*``."""


MAX_WEEK_NUMBER = 100_000
"""Week numbers past this are refused (a log of a paper a day for 270 years stays below it)."""


class Walker(HeadReader):
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
        self.kept_until = 0
        self.group_source: tuple[Block, str] | None = None
        """The block and line that named the current group, while nothing stands under it."""
        self.content_group: str | None = None
        """The last group something was placed or kept under."""
        self.group_heading_line = 0
        """The line of the heading that named the current group (0: none)."""
        self.under_heading = False
        """True right after a heading that names a group, before anything under it."""
        self.wish_heading_info: dict[str, Any] | None = None
        """The last source line kept as text (the blocks inside it are not read again)."""
        self.recommended = Recommended()
        self.recommended_found: list[Found] = []
        """Recommended lists before a dated log: their entries are read items."""
        self.group_named_at = 0
        """The line naming the current group, until its first entry (0: none)."""
        self.periods_seen: list[Period] = []
        """Every date section in order; those nothing stands in are kept as empty ones."""
        self.periods_used: set[str] = set()
        self.read_list = False
        self.task_done: bool | None = None
        """The list item being placed has a task box, ticked (True) or open (False): the box is
        no part of the title, and says the line is an item. A ticked box stays where its
        section puts it (a to-read section's ticked item is still its wish-list item): a
        render writes read items in their own section, which would move it."""
        """The title, intro or a heading says the list is papers read (``is_read_list``)."""
        self.pending_wish: list[dict[str, Any]] = []
        """Text kept in a to-read section before the log, until an entry shows it is the
        wish-list's (``keep``)."""
        self.maybe_group: tuple[str, int, str] | None = None
        """A heading or line kept as text (where it was kept, at which index, the group it
        named) that may turn out to head the entries after it: then it is their group."""

    def _group_line_number(self, source: Block, line: str) -> int:
        """The 1-based line that names a group (a heading, or one line of a paragraph)."""
        stripped = [raw.strip() for raw in source.raw]
        return source.line + stripped.index(line) if line in stripped else source.end

    def _spaced_group(self, block: Block) -> None:
        """The first entry of a group a blank line below its heading or line: a render keeps
        that blank line (``[readme] group_blank``)."""
        named, self.group_named_at = self.group_named_at, 0
        if not named or self.group is None:
            return
        gap = self.lines[named : block.line - 1]
        if gap and not any(ln.strip() for ln in gap):
            spaced = self.out.readme.setdefault("group_blank", [])
            if self.group not in spaced:
                spaced.append(self.group)

    def _start_recommended(self, text: str, level: int) -> None:
        """A recommended list before the log ("## Recommended papers"): its entries are read
        items in the group of their heading (see readme_recommended)."""
        self.ctx, self.ctx_level, self.group = "recommended", level, text
        self.recommended.section = text
        self.group_source = None

    def _next_line(self, block: Block) -> str:
        """The source line right after a block ("" at the end)."""
        return self.lines[block.end] if block.end < len(self.lines) else ""

    def _repeats_period(self, period: Period) -> bool:
        """True for a date heading or line that repeats the section it stands in, after
        entries of it: the same section, its second line kept as text in its place."""
        here = self.period
        return (
            self.ctx == "period"
            and here is not None
            and self.order > 0
            and (here.label, here.start) == (period.label, period.start)
        )

    def warn(self, line: int, message: str) -> None:
        """Record a problem at a source line."""
        self.out.warnings.append(WalkWarning(line, message))

    # --- text nothing reads -----------------------------------------------------------------
    def keep(self, block: Block, raw: list[str] | None = None) -> None:
        """Keep text no rule reads (prose, a list of links, an HTML comment, a rule) verbatim,
        anchored where it stood: after the entry it follows in its week, date section or
        to-read group (the way to-do slots are kept), else before or after the log. A render
        writes it back in that place; a re-import replaces it with what the README says now."""
        lines = list(block.raw if raw is None else raw)
        while lines and not lines[-1].strip():
            lines.pop()
        if not "".join(lines).strip():
            return
        text = "\n".join(line.rstrip() for line in lines)
        after = block.end if raw is None else block.line + len(raw) - 1
        last = block.line + len(lines) - 1  # its last line with text (a list's map takes the
        # blank line after its last item in: that blank is what keeps the next paragraph out)
        if last < len(self.lines) and not self.lines[last].strip():
            text += "\n"  # a blank line followed it: a render keeps the paragraph apart
        if self.ctx == "recommended":  # kept in place when it stands between two entries
            self.kept_until = max(self.kept_until, after)
            self.recommended.note_text(self.group, block.line, block.line + len(lines) - 1, text)
            return
        if self.dated and not self.log_lines:
            if self.ctx == "wish":
                # A to-read section before the log: its text is the wish-list's if entries
                # follow in it (the log then starts at its heading, and before_log stops
                # there), else it is prose that before_log keeps ("## What to read").
                self.pending_wish.append(
                    drop_none(
                        {"line": text, "text": True, "group": self.group or self.wish_heading}
                    )
                )
            return  # a dated log's text before its first week: before_log keeps it
        self.kept_until = max(self.kept_until, after)
        self._has_content()
        record: dict[str, Any] = {"line": text, "text": True}
        if self.ctx == "week" and self.week is not None:
            record.update(group=self.group, after=self.order)
            self.week.extra.setdefault("slots", []).append(drop_none(record))
        elif self.ctx == "period" and self.period is not None:
            self.periods_used.add(self.period.label)
            record.update(period=self.period.label, group=self.group, after=self.order)
            self.out.readme.setdefault("slots", []).append(drop_none(record))
        elif (
            self.ctx != "wish"
            and not self.dated
            and self.out.found[-1:]
            and (self.out.found[-1].status == "read")
        ):
            # among a curated list's read entries (rated ones): in their undated section
            record.update(period=UNDATED, group=self.group, after=self.order)
            self.out.readme.setdefault("slots", []).append(drop_none(record))
        elif self.ctx == "wish" or (not self.dated and self.out.found):
            record.update(group=self.group or self.wish_heading, after=self.rank)
            self.out.readme.setdefault("slots", []).append(drop_none(record))
        elif not self.out.found:
            self.out.readme.setdefault("head_more", []).append(text)
        else:
            self.out.readme.setdefault("after_log", []).append(text)

    # --- headings ------------------------------------------------------------------------
    def heading(self, block: Block) -> None:
        """A heading: the title, a week, a date, a to-read list, a zone, or a theme group."""
        text = block.text.strip()
        if self.zone == "start" and block.level == 1:
            self.out.title = text
            self.zone = "preamble"
            self.read_list = is_read_list(text)  # "# Papers I read", "# papers-I-read"
            return
        self.close_zone()
        self.last_entry = None
        self.under_heading = False
        if self.zone == "notes":
            self._leave_empty_group()  # in the section it stood in, before that changes
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
        if period is not None and self._repeats_period(period):
            self.keep(block)  # the date written again right under its own section
            return
        if period is not None and self.zone != "resources":
            if "period_level" not in self.out.readme and not self._next_line(block).strip():
                self.out.readme["period_blank"] = True  # "## 2019-03" then a blank line
            self.out.readme.setdefault("period_level", block.level)
            self.log_lines.append(block.line)
            if period.label == UNDATED:
                self.out.readme["undated_heading"] = True
            self.zone, self.ctx, self.ctx_level = "notes", "period", block.level
            self.period, self.group, self.order = period, None, 0
            self.periods_seen.append(period)
            return
        if self.zone == "resources" and block.level > self.res_level:
            self.section = ResourceSection(text)
            self.out.resources.append(self.section)
            return
        low = text.lower()
        if low in ("contents", "table of contents") and not self.out.found:
            self.zone = "contents"
            self.out.readme["contents_heading"] = text
            if block.level != 3:  # "### Contents" is what a render writes
                self.out.readme["contents_level"] = block.level
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
        if self.ctx == "recommended" and block.level > self.ctx_level:
            self.group = text  # a sub-group of the recommended list ("### Detection")
            return
        if self.dated and not self.log_lines and is_recommended(text):
            self._start_recommended(text, block.level)
            return
        if is_read_list(text) and not TO_READ.search(text):
            self.read_list = True  # "## Papers I have read": an undated list of read papers
        if TO_READ.search(text):
            self.ctx, self.ctx_level, self.group = "wish", block.level, None
            self.wish_heading, self.wish_start = text, block.line
            self.pending_wish = []  # an earlier to-read section's prose is before_log's
            # rendered back over the wish-list: the first to-read heading that holds entries
            self.wish_heading_info = {"text": text, "level": block.level}
            # a later to-read heading ("## TODO") is a wish group: rendered as the heading it was
            self._heading_level(text, block.level)
            return
        if self.ctx in ("wish", "period", "week") and block.level > self.ctx_level:
            self._set_group(text, block.level, block)
            self.under_heading = True
            return
        if block.level == 1 and "notes_heading" not in self.out.readme and not self.out.found:
            self.out.readme["notes_heading"] = text
            self.ctx, self.ctx_level, self.group = "none", block.level, text
            return
        self._leave_empty_group()
        self.ctx, self.ctx_level, self.group = "none", block.level, text
        self.group_source = (block, block.raw[0])
        self.group_named_at = block.end
        self._heading_level(text, block.level)
        self.under_heading = True
        self.group_heading_line = block.line
        if self.dated and self.out.found:
            # a section after the log ("## About"): the README's own text, unless dates follow
            self._keep_maybe_group(block, "after_log", text)
        elif not self.dated and not self.out.found:
            self._keep_head(block, text)

    def _leave_empty_group(self) -> None:
        """A group line or heading with nothing under it ("# 3 Applications" over its
        sub-sections): kept as text after what the group before it holds."""
        source, self.group_source = self.group_source, None
        if source is None or (self.ctx == "none" and (self.dated or not self.out.found)):
            return
        if self.ctx == "week" and self.week is not None and self.group in self.week.groups:
            return  # a week keeps its groups, empty ones too (weeks.yaml)
        block, line = source
        named, self.group = self.group, self.content_group
        raw = [r for r in block.raw if r.strip() == line.strip()][:1] or [line]
        self.keep(block, raw)
        self.group = named

    def _has_content(self) -> None:
        self.group_source = None
        self.content_group = self.group

    def _keep_head(self, block: Block, group: str | None) -> None:
        """Text before a curated list's first entry, kept; a heading or a short line may
        still turn out to be the first entries' group (then it is written as that)."""
        self._keep_maybe_group(block, "head_more", group)

    def _keep_maybe_group(self, block: Block, where: str, group: str | None) -> None:
        self.keep(block)
        kept = self.out.readme.get(where) or []
        self.maybe_group = (where, len(kept) - 1, group) if group and kept else None

    def _unkeep_group(self, group: str | None) -> None:
        """The text last kept was the heading of ``group``, which now holds entries: it is
        written as their group, not as text."""
        if self.maybe_group is None:
            return
        where, at, name = self.maybe_group
        kept = self.out.readme.get(where) or []
        self.maybe_group = None
        if group != name or at >= len(kept):
            return
        tail = kept[at + 1 :]
        del kept[at:]
        if not kept:
            self.out.readme.pop(where, None)
        # text kept after that heading (its subtitle) now stands in the group, before it
        for text in tail if where == "head_more" else ():
            record: dict[str, Any] = {"line": text, "text": True, "group": group}
            if self.ctx == "none" and self.dated is False and self.order:
                record.update(period=UNDATED, after=self.order - 1)
            else:
                record["after"] = self.rank - 1 if self.rank else 0
            self.out.readme.setdefault("slots", []).append(record)

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
        if written != canonical_week(number, start):  # "## Week 3 (June 22)": kept as written
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

    def _set_group(
        self, text: str, level: int | None = None, source: Block | None = None, line: str = ""
    ) -> None:
        # a group line or heading with nothing under it is kept as text; so is a heading
        # over sub-groups written as lines ("## 2018 Papers" over "Late-year", "Early-year":
        # a render writes each run of a group where it stood, so names may repeat)
        self._leave_empty_group()
        if level is not None:
            self._heading_level(text, level)
        self.group = text
        if source is not None:
            self.group_source = (source, line or source.raw[0])
            self.group_named_at = self._group_line_number(source, line)
        if self.ctx == "week" and self.week is not None:
            self.week.groups.append(text)

    # --- paragraphs ------------------------------------------------------------------------
    def para(self, block: Block) -> None:
        """A paragraph: intro text, a group label, a week note, a date line, or an entry."""
        text = block.text
        if self.zone in ("start", "preamble"):
            if not (self.dated and is_date_line(parse_period(text.strip()))):
                self.zone = "preamble"
                self.preamble.append(block)
                if is_read_list(text):  # "Summaries of papers I read": its list is read
                    self.read_list = True
                return
            # a README without headings: its first date line ("2018") starts the log
            self.close_zone()
            self.zone = "notes"
        if self.zone == "contents":
            self.contents_span += [block.line, block.end]
            return
        if self.zone == "search":
            self._search_para(block)
            return
        if IMAGES_ONLY.match(text):
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
        if self.ctx == "recommended":
            entry = parse_any_entry(text) if text.lstrip().startswith(("[", "**[")) else None
            if entry is not None and entry.url:
                self._place(entry, block, whole=True)
            else:
                self.keep(block)  # the list's own text
            return
        recommends = single and "](" not in single and len(single) <= 80
        if recommends and self.dated and not self.log_lines and is_recommended(single or ""):
            self._start_recommended(single or "", 99)  # "Papers I recommend:"
            return
        special = any(
            _WISH_LINE.match(line)
            or ("](" not in line and len(line) <= 80 and TO_READ.search(line))
            for line in lines
        )
        if not self.dated and not self.out.found and self.ctx == "none" and not special:
            short = single if single and "](" not in single and len(single) <= 120 else None
            if short and self.under_heading and _EMPHASIS.fullmatch(short):
                self.keep(block)  # the heading's subtitle: the heading stays the group
                self.under_heading = False
                return
            if short and not text.lstrip().startswith("["):
                self._set_group(short)
            if not (text.lstrip().startswith(("[", "**[")) and parse_any_entry(text)):
                self._keep_head(block, short)
                return
        period = parse_period(single) if single else None
        if period is not None and self._repeats_period(period):
            self.keep(block)  # "*07/ 2021*" written twice in a row: one section, both lines
            return
        if is_date_line(period):
            assert period is not None
            if self.group_source is not None and self.group_source[0].line < block.line:
                self._leave_empty_group()
            self.ctx, self.period, self.order = "period", period, 0
            self.periods_seen.append(period)
            self.ctx_level = 99
            self.log_lines.append(block.line)
            # a date written as a line ("*06/ 2022*"), not a heading: rendered as written
            lines_by_label = self.out.readme.setdefault("period_lines", {})
            lines_by_label.setdefault(period.label, block.raw[0].rstrip())
            if self.group is not None:  # "## Section: X" over its dates: groups outermost
                self.out.readme["groups_outer"] = True
                self._unkeep_group(self.group)
                if self.group_heading_line:  # the log starts at that heading
                    self.log_lines.append(self.group_heading_line)
            return
        if text.lstrip().startswith(("[", "**[")):
            entry = parse_any_entry(text)
            if entry is not None and entry.url:
                self._place(entry, block, whole=True)
                return
        dropped: list[str] = []
        for line in lines:
            if _WISH_LINE.match(line):
                self._leave_empty_group()
                self.ctx, self.ctx_level, self.group = "wish", 99, None
                self.wish_heading = None  # the seed's "Wish-List -" line is no group name
                self.wish_heading_info = None
                self.wish_start = block.line
                self.out.readme["wishlist_heading"] = line
                continue
            if self.ctx != "wish" and "](" not in line and len(line) <= 80 and TO_READ.search(line):
                # "Papers I will read:" introduces a to-read list (its own wish group)
                self.ctx, self.ctx_level, self.group = "wish", 99, line
                self.wish_heading, self.wish_start = line, block.line
                self.wish_heading_info = None
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
                else:
                    dropped.append(line)
                continue
            subtitle = self.under_heading and len(lines) == 1 and _EMPHASIS.fullmatch(line)
            if (
                line
                and len(line) <= 120
                and not (self.ctx == "none" and self.dated)
                and not subtitle
            ):
                self._set_group(line, source=block, line=line)
            elif line:
                # prose, or an emphasized line right under a group heading ("*Classic papers
                # published before 2012*"): its intro, not a new group
                dropped.append(line)
        self.under_heading = False
        if dropped and len(dropped) == len(lines):
            self.keep(block)  # prose, or a line of links: the README's own text
        elif dropped:
            kept = [raw for raw in block.raw if raw.strip() in dropped]
            self.keep(block, kept or None)

    # --- list items ---------------------------------------------------------------------
    def item(self, block: Block) -> None:
        """A list item: an entry, a resource, a topic, a group label, or an entry's note."""
        text = block.text
        self.under_heading = False
        if self.zone == "search":
            self._topic(block)
            return
        if self.zone == "contents":
            self.contents_span += [block.line, block.end]
            return
        if self.zone in ("start", "preamble"):
            self.zone = "preamble"
            self.preamble.append(block)  # a list in the intro ("- From outline to detail")
            return
        if self.zone == "resources":
            self._resource_item(block)
            return
        if self.last_entry is not None and block.level > 0:
            found, item = self.last_entry
            if block.line <= item.end and block.level > item.level:
                found.notes.append(text)
                cited = citation_line(text) if not found.notes[:-1] else None
                for name, value in (cited or {}).items():  # "- Authors, Venue, 2017"
                    found.entry.extra.setdefault(name, value)
                return
        if self.last_entry is not None and _LABELLED_NOTE.match(text):
            self.last_entry[0].notes.append(text)  # "**TLDR**: ..." under the last entry
            self._extend_listing(block)
            return
        task = _TASK_BOX.match(text)
        if task is not None:  # "- [x] [Title](url)": a task list, ticked when read
            text = text[task.end() :]
        self.task_done = None if task is None else task.group(1) != " "
        slot = _SLOT_LINK.match(text.strip())
        entry = parse_any_entry(text)
        if self.ctx == "recommended" and (slot is not None or entry is None):
            self.keep(block)  # a placeholder or a line that is no entry: the list's text
            return
        if slot is not None and slot.group(1).lower() in _SLOT_TITLES and self.ctx != "none":
            self._slot(block)
            return
        if entry is None:
            plain = " ".join(part.strip() for part in text.split("\n")).strip()
            if block.has_children and "](" not in plain and plain:
                self._set_group(plain)
                # "- Theme" over nested entries: the group written as a list item
                self.out.readme.setdefault("group_lines", {})[plain] = block.raw[0].rstrip()
                return
            if not plain:
                return
            if self.ctx == "none":
                if not self.dated and not self.out.found:
                    self._keep_head(block, None)
                else:
                    self.keep(block)  # a list that is no entry ("- CRF"): kept as written
                return
            if "](" in plain or plain.startswith(("*", "!", "<", "#", "`")):
                self.warn(block.line, f"could not read an entry, kept as text: {plain[:60]!r}")
                self.keep(block)
                return
            if self.task_done is None and not looks_like_title(plain):
                self.keep(block)  # a step or a remark ("Compile list of papers."), not a title
                return
            # a bare title in a dated or to-read list: an item without a link
            entry = Entry(title=plain.strip("[]").strip(), url=None)
            self.warn(block.line, f"entry without a link, imported by its title: {plain[:50]!r}")
        placed = self._place(entry, block)
        self.task_done = None
        if placed is not None:
            self.last_entry = (placed, block)

    def _extend_listing(self, note: Block) -> None:
        """A note written as a list item of its own right under the entry (not nested:
        "  - **TLDR**" under " - [Paper]"): part of that listing as written, so a render
        writing the listing back writes the note too."""
        assert self.last_entry is not None
        found, item = self.last_entry
        between = self.lines[item.end : note.line - 1]
        if found.raw is None or found.raw.endswith("\n") or any(ln.strip() for ln in between):
            return
        found.raw = "\n".join([found.raw, *between, *note.raw]).rstrip()
        self.last_entry = (found, dataclasses.replace(item, end=max(item.end, note.end)))

    def _slot(self, block: Block) -> None:
        """A placeholder (``[]()``, ``[TBA]()``, ``[[TBP]()]``): the writer's to-do slot, kept
        verbatim at its place (after the entry before it) and rendered back, never a paper."""
        line = "\n".join(block.raw).rstrip()
        self._has_content()
        self.warn(block.line, "placeholder entry (no title, no link): kept as a to-do slot")
        slot: dict[str, Any] = {"line": line}
        if self.ctx == "week" and self.week is not None:
            slot.update(group=self.group, after=self.order)
            self.week.extra.setdefault("slots", []).append(drop_none(slot))
            return
        if self.ctx == "period" and self.period is not None:
            self.periods_used.add(self.period.label)
            slot.update(period=self.period.label, group=self.group, after=self.order)
        else:
            slot.update(group=self.group or self.wish_heading, after=self.rank)
        self.out.readme.setdefault("slots", []).append(drop_none(slot))

    # --- placing an entry -----------------------------------------------------------------
    def _place(self, entry: Entry, block: Block, *, whole: bool = False) -> Found | None:
        """Place an entry; ``whole``: the block is this one entry (its source text is the
        listing's, a paragraph over several lines included)."""
        for problem in entry.problems:
            self.warn(block.line, problem)
        slot_here = self.ctx != "none" or not self.dated
        if entry.title.strip().lower() in _SLOT_TITLES and not entry.url and slot_here:
            self._slot(block)
            return None
        if self.ctx == "recommended":
            found = Found(entry, block.line, "read", self.group)
            found.section = self.recommended.section
            found.order = self.recommended.note_entry(self.group, block, self.lines)
            if block.kind == "item" or len(block.raw) == 1 or whole:
                found.raw = "\n".join(block.raw).rstrip() + ("\n" if block.kind == "para" else "")
            self.recommended_found.append(found)
            return found
        if self.ctx == "week" and self.week is not None:
            self.order += 1
            found = Found(entry, block.line, "read", self.group, self.week.week, self.week.start)
            found.order = self.order
        elif self.ctx == "period" and self.period is not None:
            self.periods_used.add(self.period.label)
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
            if self.wish_heading_info and "wishlist_heading" not in self.out.readme:
                self.out.readme.setdefault("wish_heading", self.wish_heading_info)
            found.rank = self.rank
        elif self.dated:
            self.warn(
                block.line,
                f"entry outside any week, date or to-read section, not imported (kept as "
                f"text): {entry.title[:50]!r}",
            )
            if block.kind == "item":
                self.keep(block)
            return None
        elif "rating" in entry.extra or self.read_list:
            # a rated entry, or one of a list its intro calls papers read: read, undated
            self.order += 1
            found = Found(entry, block.line, "read", self.group)
            found.order = self.order
        else:
            self.rank += 1
            found = Found(entry, block.line, "wish", self.group)
            found.wish_group, found.rank = self.group, self.rank
        self._unkeep_group(found.group)
        self._spaced_group(block)
        self._has_content()
        # a wish-list starts at its heading: the text before it is the README's own
        start = self.wish_start if found.status == "wish" and self.ctx == "wish" else None
        if start is not None and not self.log_lines:
            for record in self.pending_wish:  # the section's text before its first entry
                self.out.readme.setdefault("slots", []).append({**record, "after": 0})
        self.pending_wish = []
        self.log_lines.append(start or block.line)
        if block.kind == "item" or len(block.raw) == 1 or whole:
            found.raw = "\n".join(block.raw).rstrip()
            if block.kind == "para":  # a paragraph of its own: a blank line must follow it
                found.raw += "\n"
        self.out.found.append(found)
        return found


def walk(text: str) -> Parsed:
    """Read README text (already repaired) into a ``Parsed`` record."""
    lines = text.split("\n")
    first, last, outside = marked_span(lines)
    blocks = []
    after_charts = False
    for b in parse_blocks(text):
        marker = b.kind == "html" and b.text.strip() in (MARKER_BEGIN, MARKER_END, CHARTS_MARKER)
        charts = after_charts and b.kind == "para" and all(IMAGES_ONLY.match(r) for r in b.raw)
        # the images under paperlog's charts marker are its own (drawn again on render,
        # wherever the README was written to), not the writer's text
        after_charts = marker and b.text.strip() == CHARTS_MARKER
        if first < b.line < last and not marker and not charts:
            blocks.append(b)
    walker = Walker(lines, is_dated(blocks))
    if outside:
        walker.warn(
            outside[0],
            f"{len(outside)} line(s) outside the paperlog markers are your own text: not imported",
        )
    first_notes: int | None = None
    for block in blocks:
        if block.line <= walker.kept_until:
            continue  # inside text kept as written (an item's nested list, a quote's lines)
        if block.kind in ("html", "other") and walker.zone == "notes":
            walker.keep(block)  # an HTML comment, a rule, a table, a quote, code
        elif block.kind in ("html", "other") and walker.zone == "preamble":
            walker.preamble.append(block)
        elif block.kind in ("html", "other") and walker.zone == "contents":
            walker.contents_span += [block.line, block.end]
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
    if walker.zone == "notes":
        walker._leave_empty_group()  # a last heading with nothing under it ("## License")
    walker.close_zone()
    empty = [
        {"label": p.label, "start": p.start.isoformat()} if p.start else {"label": p.label}
        for p in walker.periods_seen
        if p.label not in walker.periods_used
    ]
    if empty:  # a month heading with nothing under it ("#### 2014-07"): rendered back
        walker.out.readme["empty_periods"] = empty
    readme = walker.out.readme
    walker.out.found[:0] = walker.recommended_found  # listed before the log
    marks = Counter(
        found.raw.lstrip()[0] for found in walker.out.found if found.raw and found.raw.strip()
    )
    common = [m for m, _ in marks.most_common(3) if m in "-+*"]
    if common and common[0] != "*":  # generated lines follow the README's marker
        readme["list_marker"] = common[0]
    recommended = walker.recommended
    if recommended.spans and first_notes is not None and walker.log_lines:
        # the text before the log with the recommended entries cut out, and where they go
        before, lists = before_log_parts(lines, first_notes, min(walker.log_lines), recommended)
        readme["before_log_lists"] = lists
        if recommended.slots():
            readme.setdefault("slots", []).extend(recommended.slots())
    else:
        before = before_log(lines, first_notes, walker.dated, walker.log_lines)
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
    if walker.out.title is None:
        absent.append("title")  # no "# Reading log" the README did not have
    wish = [f for f in walker.out.found if f.status == "wish"]
    if wish and "wish_heading" not in readme and "wishlist_heading" not in readme:
        absent.append("wish_heading")  # a curated list: no "Wish-List -" line over it
    if absent and walker.out.found:
        readme["absent"] = absent
    runs = blank_runs("\n".join(lines[first : last - 1]))
    if runs:
        walker.out.readme["blank_runs"] = runs
    return walker.out
