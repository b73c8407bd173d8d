"""Render the library back into a README in the seed's layout (GitHub-flavoured Markdown).

Order: title, intro (and the plan sentence), contents, search help (topics from the taxonomy),
resources, then the paper notes: an optional progress block of chart images, the wish-list (by
wish group, by rank), and the weeks, newest first (groups in ``WeekInfo.groups`` order, entries
by ``Reading.order``). The text sits between ``<!-- paperlog:begin -->`` and
``<!-- paperlog:end -->`` so a user's own text outside the markers survives a re-render.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from paperlog.errors import ValidationError
from paperlog.formats.readme_parse import format_link, listing_sig, render_entry
from paperlog.formats.readme_shapes import UNDATED, parse_period
from paperlog.formats.readme_walk import CHARTS_MARKER, MARKER_BEGIN, MARKER_END
from paperlog.library import Library, atomic_write
from paperlog.model import Config, Link, Paper, Reading, ResourceSection, WeekInfo

_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
DEFAULT_RESOURCES_HEADING = "I. Resources"
DEFAULT_NOTES_HEADING = "II. Paper Notes"
DEFAULT_WISHLIST_HEADING = "Wish-List -"


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return "#" + kept.replace(" ", "-")


def entry_line(paper: Paper, reading: Reading | None = None, marker: str = "*") -> str:
    """``* [display_title](url) [[label](url)]... <kbd>venue_label</kbd>`` for one listing.

    A reading may carry how that listing differed (``display_title``, ``url``, ``links``,
    ``venue_label`` in its ``extra``): a paper listed twice is rendered as written twice.
    """
    extra: dict[str, Any] = reading.extra if reading is not None else {}
    display = str(extra.get("display_title", paper.display_title))
    url = extra.get("url", paper.url)
    links = paper.links
    if "links" in extra:
        links = [Link(str(lk["label"]), str(lk.get("url") or "")) for lk in extra["links"]]
    badge = extra.get("venue_label", paper.venue_label)
    line = f"{marker} " + render_entry(display, url, links, badge)
    kept = (extra if reading is not None else paper.extra).get("readme_line")
    if isinstance(kept, dict) and kept.get("for") == listing_sig(line) and kept.get("text"):
        return str(kept["text"])  # the listing as written, while the item is unchanged
    return line


def _head(config: Config, papers: list[Paper], has_resources: bool) -> list[str]:
    readme = config.readme
    absent = set(readme.get("absent") or [])
    out = [] if "title" in absent else [f"# {config.title}"]
    if config.intro:
        out.append(config.intro)
    if readme.get("plan"):
        out += ["<br><br>", str(readme["plan"])]
    if readme.get("after_plan"):
        out += ["<br><br>", str(readme["after_plan"])]
    for more in readme.get("preamble_more") or []:  # further intro paragraphs, as written
        out += ["", str(more)]
    # the README's own text before its list (a curated list's "Background"), as written
    out += _kept_run(readme.get("head_more") or [], out)
    if out and out[-1] != "":
        out.append("")
    contents = readme.get("contents")
    if "contents" in absent:
        return [*out, *_search(config, papers)]
    if contents is None:  # a library that was not imported: list the parts it has
        parts = []
        if has_resources:
            res = str(readme.get("resources_heading", DEFAULT_RESOURCES_HEADING))
            parts.append(f"[Resources]({_anchor(res)})")
        notes = str(readme.get("notes_heading", DEFAULT_NOTES_HEADING))
        parts.append(f"[Paper Notes]({_anchor(notes)})")
        contents = "\n".join(f"{n}. {part}" for n, part in enumerate(parts, 1))
    level = int(readme.get("contents_level") or 3)
    out += [f"{'#' * level} {readme.get('contents_heading', 'Contents')}", str(contents), ""]
    out += _search(config, papers)
    return out


def _search(config: Config, papers: list[Paper]) -> list[str]:
    if "search" in (config.readme.get("absent") or []):
        return []
    search: dict[str, Any] = dict(config.readme.get("search") or {})
    years = sorted({p.year for p in papers if p.year})
    by_year = search.get("by_year") or (f"{years[0]} to {years[-1]}" if years else None)
    labels = Counter(p.venue for p in papers if p.venue)
    by_conf = search.get("by_conference") or ", ".join(v for v, _ in labels.most_common(7))
    if not (by_year or by_conf or config.topics):
        return []
    out = [f"### {search.get('heading', 'Search (Cmd-F)')}"]
    if by_year:
        out.append(f"**By Year** - {by_year} \\")
    if by_conf:
        out += ["**By Conference** -", f"   e.g. {by_conf} \\"]
    if config.topics:
        unclosed = set(search.get("unclosed") or [])
        out += ["**By Topic Category** -"]
        out.append("   e.g. " + ", ".join(f"[{t.code}]" for t in config.topics))
        for topic in config.topics:
            line = f"   * [{topic.code}] {topic.name}"
            if topic.description is not None:
                close = "" if topic.code in unclosed else ")"
                line += f" ({topic.description}{close}"
            out.append(line)
    for more in search.get("more") or []:
        out.append(str(more))
    out.append("")
    return out


def _resources(config: Config, sections: list[ResourceSection]) -> list[str]:
    if not sections:
        return []
    out = [f"# {config.readme.get('resources_heading', DEFAULT_RESOURCES_HEADING)}", ""]
    for intro in config.readme.get("resources_intro") or []:
        out += [str(intro), ""]
    for section in sections:
        out += [f"### {section.name}", ""]
        if section.intro:
            out.append(section.intro)
            if section.groups and section.groups[0].name is not None:
                out.append("")
        for group in section.groups:
            if group.name is not None:
                out.append(group.name)
            for item in group.items:
                star = f"{item.star} " if item.star else ""
                links = "".join(f" [{format_link(lk.label, lk.url)}]" for lk in item.links)
                out.append(f"* {star}{item.title}{links}")
            out.append("")
    return out


def _slots_in(slots: list[Any], group: str | None) -> list[tuple[float, str]]:
    """The to-do slots standing in ``group``: (position after the entry they follow, line)."""
    out = []
    for slot in slots:
        if isinstance(slot, dict) and slot.get("group") == group and "line" in slot:
            out.append((float(slot.get("after") or 0) + 0.5, str(slot["line"])))
    return out


def _interleave(entries: list[tuple[float, str]], slots: list[tuple[float, str]]) -> list[str]:
    out: list[str] = []
    for _, line in sorted([*entries, *slots], key=lambda pair: pair[0]):
        if out and _LIST_ITEM.match(out[-1]) and not _LIST_ITEM.match(line):
            out.append("")  # else the paragraph entry would continue the list item above
        out.append(line)
    return out


def _wishlist(config: Config, papers: list[Paper]) -> list[str]:
    wish = sorted(
        (p for p in papers if p.status == "wish"),
        key=lambda p: (p.rank is None, p.rank or 0, p.key),
    )
    slots = [
        s for s in config.readme.get("slots") or [] if "period" not in s and "section" not in s
    ]
    if not wish and not slots:
        return []
    heading = config.readme.get("wish_heading")
    own = None
    if "wish_heading" in (config.readme.get("absent") or []):
        out = []  # a curated list: its groups are its sections, no heading over them
    elif "wishlist_heading" not in config.readme and isinstance(heading, dict):
        own = str(heading.get("text"))
        out = ["#" * int(heading.get("level") or 2) + " " + own]
    else:
        out = [str(config.readme.get("wishlist_heading", DEFAULT_WISHLIST_HEADING))]
    # runs of one group in queue order: a group the README named twice is shown twice,
    # so the queue reads back in the same order
    runs: list[tuple[str | None, list[Paper]]] = []
    for paper in wish:
        if not runs or runs[-1][0] != paper.wish_group:
            runs.append((paper.wish_group, []))
        runs[-1][1].append(paper)
    named = {name for name, _ in runs}
    for group in dict.fromkeys(s.get("group") for s in slots):
        if group in named:
            continue
        # a group holding only text ("## License"): where it stood among the others
        at = min(float(s.get("after") or 0) for s in slots if s.get("group") == group)
        before = [
            n for n, (_, members) in enumerate(runs) if any((p.rank or 0) > at for p in members)
        ]
        runs.insert(before[0] if before else len(runs), (group, []))
    placed: dict[int, list[tuple[float, str]]] = {}
    for slot_at, line, group in [
        (a, ln, s.get("group")) for s in slots for a, ln in _slots_in([s], s.get("group"))
    ]:
        # the slot stands in the run of its group that reaches its place, else the last one
        fits = [n for n, (name, members) in enumerate(runs) if name == group]
        reach = [n for n in fits if any((p.rank or 0) > slot_at for p in runs[n][1])]
        placed.setdefault((reach or fits)[0] if reach else fits[-1], []).append((slot_at, line))
    last = 0.0
    for number, (name, members) in enumerate(runs):
        if name is not None and not (number == 0 and name == own):
            out.append(_group_line(config, name))
        entries = []
        for paper in members:
            # unranked items follow the ranked ones, in key order
            last = float(paper.rank) if paper.rank is not None else last + 1e-3
            entries.append((last, entry_line(paper, marker=_marker(config))))
        lines = _interleave(entries, placed.get(number, []))
        if lines and lines[-1].endswith("\n"):
            lines[-1] = lines[-1][:-1]  # kept text ending the run: its blank line follows below
        spaced = name is not None and _spaced(config, name, out[-1] if out else "")
        if name is not None and lines and (not _LIST_ITEM.match(lines[0]) or spaced):
            out.append("")  # a paragraph entry would join the group line's paragraph
        out += lines
        out.append("")
    return out


def _week_heading(number: int, start: date | None) -> str:
    return f"### Wk{number} - {start:%Y.%m.%d}" if start else f"### Wk{number}"


def _marker(config: Config) -> str:
    """The list marker the README's entries use ("*" unless it wrote "-" or "+")."""
    mark = config.readme.get("list_marker")
    return str(mark) if mark in ("-", "+") else "*"


def _group_line(config: Config, name: str, within: int = 0) -> str:
    """A theme group as written: a plain line, a list item over nested entries, or a heading
    of the level it had when that nests under the section it is rendered in (heading level
    ``within``; 0: none)."""
    written = (config.readme.get("group_lines") or {}).get(name)
    if isinstance(written, str) and _LIST_ITEM.match(written):
        return written  # "- Theme" over its nested entries
    level = (config.readme.get("group_levels") or {}).get(name)
    if isinstance(level, int) and within < level < 7:
        return f"{'#' * level} {name}"
    return name


Section = tuple[str | None, list[tuple[Reading, Paper]], list[Any]]
"""A theme group as rendered: its name, its listings, the slots and kept text standing in it."""


def _grouped(
    config: Config,
    listings: list[tuple[Reading, Paper]],
    order: list[str],
    slots: list[Any] = (),  # type: ignore[assignment]
    within: int = 3,
) -> list[str]:
    """Entries under their theme headings: the given order, then groups as first read; the
    week's to-do slots in their places. A group named again further down (DanielTakeshi's
    "Early-year" under each year) is written again there, each run in its place."""
    listings = sorted(listings, key=lambda rp: (rp[0].order, rp[1].key))
    slots = [s for s in slots if isinstance(s, dict)]
    runs: list[tuple[str | None, list[tuple[Reading, Paper]]]] = []
    for reading, paper in listings:
        if not runs or runs[-1][0] != reading.group:
            runs.append((reading.group, []))
        runs[-1][1].append((reading, paper))
    if len({name for name, _ in runs}) < len(runs):
        sections = _runs(runs, order, slots)
    else:
        sections = _by_name(listings, order, slots)
    out: list[str] = []
    mark = _marker(config)
    for name, mine, here in sections:
        entries = [(float(r.order), entry_line(p, r, mark)) for r, p in mine]
        members = _interleave(entries, _slots_in(here, name))
        if not members and name is None:
            continue
        if name is not None:
            line = _group_line(config, name, within)
            if out and out[-1] == "" and _LIST_ITEM.match(line) and _nested(out):
                out.pop()  # "- Theme" items follow each other in one list
            out.append(line)
            if members and (not _LIST_ITEM.match(members[0]) or _spaced(config, name, line)):
                out.append("")  # a paragraph entry would join the group line's paragraph
        out += members
        out.append("")
    return out


def _spaced(config: Config, name: str, line: str) -> bool:
    """True when the README left a blank line under this group's heading or line."""
    return name in (config.readme.get("group_blank") or []) and not _LIST_ITEM.match(line)


def _by_name(
    listings: list[tuple[Reading, Paper]], order: list[str], slots: list[Any]
) -> list[Section]:
    """One section per group name: the given order, then groups as first read, groups
    holding only text where they stood."""
    names: list[str | None] = [None, *order]
    for reading, _ in listings:
        if reading.group not in names:
            names.append(reading.group)
    first: dict[str | None, int] = {}
    for reading, _ in listings:
        first.setdefault(reading.group, reading.order)
    for slot in slots:
        if slot.get("group") not in names:
            # a group holding only text: where it stood among the groups with entries
            at = float(slot.get("after") or 0)
            later = [n for n, name in enumerate(names) if n and first.get(name, -1) > at]
            names.insert(later[0] if later else len(names), slot.get("group"))
    return [(name, [rp for rp in listings if rp[0].group == name], slots) for name in names]


def _runs(
    runs: list[tuple[str | None, list[tuple[Reading, Paper]]]],
    order: list[str],
    slots: list[Any],
) -> list[Section]:
    """One section per run of a group in reading order; each slot stands in the run of its
    group that starts right after it, else the one holding its place, else the last one
    before it (else the first)."""
    sections: list[Section] = [(name, mine, []) for name, mine in runs]
    for name in order:  # a week's empty groups, after the ones holding entries
        if name not in {n for n, _ in runs}:
            sections.append((name, [], []))
    for slot in slots:
        group, at = slot.get("group"), float(slot.get("after") or 0)
        fits = [n for n, (name, _, _) in enumerate(sections) if name == group]
        if not fits:
            later = [n for n, (_, mine, _) in enumerate(sections) if mine and mine[0][0].order > at]
            sections.insert(later[0] if later else len(sections), (group, [], [slot]))
            continue
        span = {n: [r.order for r, _ in sections[n][1]] or [0] for n in fits}
        starts = [n for n in fits if min(span[n]) == at + 1]
        holds = [n for n in fits if min(span[n]) <= at < max(span[n])]
        before = [n for n in fits if min(span[n]) <= at]
        chosen = (starts or holds or [before[-1] if before else fits[0]])[0]
        sections[chosen][2].append(slot)
    return sections


def _nested(lines: list[str]) -> bool:
    """True when the last written line before the trailing blank is a nested list item."""
    text = next((ln for ln in reversed(lines) if ln.strip()), "")
    return bool(_LIST_ITEM.match(text)) and text[:1] in (" ", "\t")


def _weeks(papers: list[Paper], weeks: list[WeekInfo], config: Config) -> list[str]:
    by_week: dict[int, list[tuple[Reading, Paper]]] = {}
    undated: dict[tuple[str, str], list[tuple[Reading, Paper]]] = {}
    for paper in papers:
        for reading in paper.readings:
            if reading.extra.get("section"):
                continue  # a recommended listing: in the text before the log
            if reading.week is not None:
                by_week.setdefault(reading.week, []).append((reading, paper))
            else:
                when = reading.week_start.isoformat() if reading.week_start else ""
                label = str(reading.extra.get("period") or when or UNDATED)
                undated.setdefault((when, label), []).append((reading, paper))
    infos = {w.week: w for w in weeks}
    out: list[str] = []
    for number in sorted({*infos, *by_week}, reverse=True):
        info = infos.get(number)
        listings = by_week.get(number, [])
        start = info.start if info else next((r.week_start for r, _ in listings), None)
        written = info.extra.get("heading") if info is not None else None
        out.append(str(written) if written else _week_heading(number, start))
        if info is not None and info.note:
            out.append(f"*({info.note})* <br>")
        slots = list(info.extra.get("slots") or []) if info else []
        body = _grouped(config, listings, info.groups if info else [], slots)
        out += body or [""]
    period_slots = [s for s in config.readme.get("slots") or [] if "period" in s]
    starts = {label: when for when, label in undated}
    for slot in period_slots:
        label = str(slot["period"])
        undated.setdefault((starts.get(label, _period_start(label)), label), [])
    for empty in config.readme.get("empty_periods") or []:
        # a month heading with nothing under it, in its place among the others
        if isinstance(empty, dict) and empty.get("label"):
            undated.setdefault((str(empty.get("start") or ""), str(empty["label"])), [])
    level = int(config.readme.get("period_level") or 3)
    if config.readme.get("groups_outer"):
        return out + _groups_outer(config, undated, period_slots, level)
    # no "Undated" heading over a README's undated list when it did not have one
    invented = "absent" in config.readme and not config.readme.get("undated_heading")
    for (_, label), listings in sorted(undated.items(), reverse=True):
        headed = not (label == UNDATED and invented)
        if headed:
            out += _period_line(config, label, level)
        slots = [s for s in period_slots if s["period"] == label]
        body = _grouped(config, listings, [], slots, level if headed else 0)
        out += body or [""]
    return out


def _period_start(label: str) -> str:
    """The day a date section's label stands for ("" when none), to place it among others."""
    period = parse_period(label)
    return period.start.isoformat() if period is not None and period.start else ""


def _before_log(config: Config, papers: list[Paper]) -> list[str]:
    """The README's own text before its log, verbatim, with its recommended lists' entries
    (readings marked with their ``section``) written back where they stood."""
    text = config.readme.get("before_log")
    listings = [(r, p) for p in papers for r in p.readings if r.extra.get("section")]
    if not text and not listings:
        return []
    lines = str(text).split("\n") if text else []
    places = [p for p in config.readme.get("before_log_lists") or [] if isinstance(p, dict)]
    where = {(str(p.get("section")), p.get("group")): p for p in places}
    slots = [s for s in config.readme.get("slots") or [] if "section" in s]
    mark = _marker(config)
    runs: dict[tuple[str, Any], list[tuple[float, str]]] = {}
    for reading, paper in sorted(listings, key=lambda rp: (rp[0].order, rp[1].key)):
        key = (str(reading.extra["section"]), reading.group)
        runs.setdefault(key, []).append((float(reading.order), entry_line(paper, reading, mark)))
    inserts: list[tuple[int, list[str]]] = []
    for key, entries in runs.items():
        here = [s for s in slots if (s.get("section"), s.get("group")) == key]
        block = _interleave(entries, _slots_in(here, key[1]))
        place = where.get(key)
        # a list the README did not place (none does today): after the text
        at = min(int(place.get("at") or 0), len(lines)) if place else len(lines)
        inserts.append((at, block))
    # from the end, so each place still counts lines of the README's text; of two lists at
    # one place the later goes in first, so the earlier ends up before it
    for _, (at, block) in sorted(enumerate(inserts), key=lambda nib: (nib[1][0], nib[0]))[::-1]:
        lines[at:at] = block
    return [*lines, ""]


def _kept_run(texts: list[Any], before: list[str]) -> list[str]:
    """Text kept as written, apart from what precedes it; a piece a blank line followed in
    the README ends with a newline (a blank line here too)."""
    if not texts:
        return []
    out = [""] if before and before[-1] != "" else []
    out += [str(text) for text in texts]
    return out


def _period_line(config: Config, label: str, level: int) -> list[str]:
    """A date section's line: as the README wrote it ("*06/ 2022*"), else a heading."""
    written = (config.readme.get("period_lines") or {}).get(label)
    if isinstance(written, str) and written.strip():
        return [written, ""]  # a paragraph: a blank line before its list
    heading = f"{'#' * level} {label}"
    return [heading, ""] if config.readme.get("period_blank") else [heading]


def _groups_outer(
    config: Config,
    undated: dict[tuple[str, str], list[tuple[Reading, Paper]]],
    slots: list[Any],
    level: int,
) -> list[str]:
    """Dates inside groups ("## Section: Deep Learning" over "*06/ 2022*" lines): each group
    in the order the README named them, then its dates newest first."""
    named = list((config.readme.get("group_levels") or {}).keys())
    seen = [r.group for listings in undated.values() for r, _ in listings]
    seen += [s.get("group") for s in slots]
    order = list(dict.fromkeys([*(g for g in named if g in seen), *seen]))
    out: list[str] = []
    mark = _marker(config)
    for group in order:
        if group is not None:
            out += [_group_line(config, group), ""]
        for (_, label), listings in sorted(undated.items(), reverse=True):
            mine = sorted(
                ((r, p) for r, p in listings if r.group == group), key=lambda rp: rp[0].order
            )
            here = [s for s in slots if s.get("period") == label]
            entries = [(float(r.order), entry_line(p, r, mark)) for r, p in mine]
            members = _interleave(entries, _slots_in(here, group))
            if not members:
                continue
            out += _period_line(config, label, level)
            out += [*members, ""]
    return out


def render_readme(library: Library, *, charts: Sequence[tuple[str, str]] = ()) -> str:
    """The README text, markers included. ``charts`` are (alt text, relative path) pairs."""
    config = library.config
    papers = sorted(library.load_papers(), key=lambda p: p.key)
    lines = [MARKER_BEGIN]
    sections = library.load_resources()
    lines += _head(config, papers, bool(sections))
    lines += _resources(config, sections)
    if "notes_heading" not in (config.readme.get("absent") or []):
        lines += [f"# {config.readme.get('notes_heading', DEFAULT_NOTES_HEADING)}", ""]
    if charts:
        lines.append(CHARTS_MARKER)
        lines += [f"![{alt}]({path})" for alt, path in charts]
        lines.append("")
    lines += _before_log(config, papers)
    lines += _wishlist(config, papers)
    lines += _weeks(papers, library.load_weeks(), config)
    lines += _kept_run(config.readme.get("after_log") or [], lines)  # the README's own text
    while lines and lines[-1] == "":
        lines.pop()
    lines = "\n".join(lines).split("\n")  # kept text may hold several lines
    lines = _respace(lines, config.readme.get("blank_runs") or {})
    lines.append(MARKER_END)
    return "\n".join(lines) + "\n"


def _respace(lines: list[str], runs: dict[str, Any]) -> list[str]:
    """Repeat the imported README's runs of blank lines before the lines they preceded."""
    out: list[str] = []
    for line in lines:
        want = runs.get(line)
        have = len(out) - _last_text(out)  # blank lines just written
        if isinstance(want, int) and have:
            out.extend([""] * max(0, want - have))
        elif line and have > 1 and len(runs) < _RUNS_KEPT:
            del out[len(out) - have + 1 :]  # a run the README did not have: one blank line
        out.append(line)
    return out


_RUNS_KEPT = 40
"""How many blank runs an import keeps (``readme_walk.blank_runs``): past it, unknown."""


def _last_text(lines: list[str]) -> int:
    """How many lines come before the trailing blank ones."""
    end = len(lines)
    while end and lines[end - 1] == "":
        end -= 1
    return end


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def find_markers(text: str) -> tuple[int, int] | None:
    """Offsets of the begin marker and the end marker after it, counting only markers outside
    fenced code blocks (a README that shows the markers as an example is not a target)."""
    begin = -1
    fence: str | None = None
    offset = 0
    for line in text.splitlines(keepends=True):
        opened = _FENCE.match(line)
        if fence is not None:
            # a fence closes with the same character, at least as long, and nothing after it
            if (
                opened
                and opened.group(1)[0] == fence[0]
                and len(opened.group(1)) >= len(fence)
                and not line.strip().strip(fence[0])
            ):
                fence = None
        elif opened:
            fence = opened.group(1)
        elif begin == -1:
            at = line.find(MARKER_BEGIN)
            if at != -1:
                begin = offset + at
                rest = line.find(MARKER_END, at + len(MARKER_BEGIN))
                if rest != -1:
                    return begin, offset + rest
        else:
            at = line.find(MARKER_END)
            if at != -1:
                return begin, offset + at
        offset += len(line)
    return None


def splice(old: str, block: str) -> str | None:
    """``old`` with the text between its markers replaced by ``block``; None without markers
    (markers inside a fenced code block do not count)."""
    found = find_markers(old)
    if found is None:
        return None
    begin, end = found
    return old[:begin] + block.rstrip("\n") + old[end + len(MARKER_END) :]


def write_readme(
    library: Library,
    output: Path | None = None,
    *,
    charts: Sequence[tuple[str, str]] = (),
    force: bool = False,
) -> Path:
    """Render and write the README (default ``library.readme_path``).

    An existing file with markers keeps the text outside them; an existing file without
    markers is refused (``ValidationError``) unless ``force``.
    """
    path = output or library.readme_path
    if path.exists() and not path.is_file():
        # /dev/zero or a FIFO would be read without end (OOM at 24 GB), a device replaced
        raise ValidationError("is not a regular file; give a file path for --output", path)
    text = render_readme(library, charts=charts)
    if path.exists():
        old = path.read_text(encoding="utf-8")
        spliced = splice(old, text)
        if spliced is not None:
            text = spliced
        elif not force:
            raise ValidationError(
                "exists and has no paperlog markers (<!-- paperlog:begin/end -->); "
                "pass --force to overwrite it",
                path,
            )
    atomic_write(path, text)
    return path
