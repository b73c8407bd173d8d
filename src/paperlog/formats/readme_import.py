"""Read a hand-kept README reading log into records: the papers it lists, nothing lost.

``parse_readme`` repairs mojibake and walks the README's blocks (readme_walk); ``collect_papers``
maps each entry onto a ``Paper`` (title, nickname, links, venue badge, ids from every link,
kind, track, readings or wish-list place) and merges a paper listed twice into one paper with
two readings; ``Matcher`` finds an item among known papers (arXiv ID, DOI, URL, then
normalised title). This module writes nothing: ``paperlog.services.import_readme`` matches the
records with a library, syncs them (readme_sync) and writes the change in one transaction.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paperlog.errors import ImportProblem
from paperlog.formats.readme_shapes import is_note_path
from paperlog.formats.readme_walk import Found, Parsed, walk
from paperlog.model import Link, Paper, Plan, Reading


@dataclass
class ImportWarning:
    """Something the importer repaired, skipped or could not place, at a source line."""

    line: int
    message: str


# --- one entry -> one paper -------------------------------------------------------------------

_ARTICLE = re.compile(r"^(?:The|A|An)\b")
_LECTURE = re.compile(r"^(?:L\d+(?:/\d+)?\s|Lecture\b)", re.I)
_TALK = re.compile(r"\b(?:workshop|keynote|seminar)\b", re.I)
_VIDEO_HOSTS = ("youtube.com", "youtu.be", "vimeo.com", "bilibili.com")


def split_nickname(display: str) -> tuple[str | None, str]:
    """``"SimClr: A Simple Framework..."`` -> ("SimClr", "A Simple Framework...").

    The part before the first ": " is a nickname when it is one word ("U-Net", "SimClr"), or
    up to four words not followed by an article ("Segmentation Survey (cont.)"); a colon that
    is part of the real title ("Statistical Modeling: The Two Cultures") stays in the title.
    """
    prefix, sep, rest = display.partition(": ")
    if not sep or not rest.strip() or not prefix.strip() or len(prefix) > 40:
        return None, display
    if prefix != prefix.strip():
        return None, display
    words = prefix.split()
    if len(words) == 1 or (len(words) <= 4 and not _ARTICLE.match(rest)):
        return prefix, rest
    return None, display


def _kind(display: str, url: str | None, badge: str | None, ids: dict[str, str]) -> str:
    """paper, or lecture / talk / topic / notes from how the entry reads."""
    if display.startswith("(Topic)"):
        return "topic"
    video = any(host in (url or "") for host in _VIDEO_HOSTS)
    if _LECTURE.match(display) and video:
        return "lecture"
    # "CVPR'18 Interpretability Workshop"; a workshop *paper* has an arXiv ID or a DOI
    if video or (_TALK.search(display) and not ids.get("arxiv") and not ids.get("doi")):
        return "talk"
    if badge and badge.lower() == "goodnotes":
        return "notes"
    return "paper"


def _venue(found: Found) -> tuple[str | None, str | None, int | None, list[str]]:
    """(venue_label, venue, year, other tags) from the entry's badges and tags."""
    from paperlog.venues import parse_badge

    entry = found.entry
    label: str | None = None
    venue: str | None = None
    year: int | None = None
    tags: list[str] = []
    candidates = [*entry.badges, *entry.tags]
    for text in candidates:
        badge = parse_badge(text)
        if label is None and (badge.venue or badge.year):
            label, venue, year = text, badge.venue, badge.year
        else:
            tags.append(text)
    if label is None and len(entry.badges) == 1:
        # one badge nobody knows ("Goodnotes"): still the entry's badge, shown as written
        label = entry.badges[0]
        tags = [t for t in tags if t != label]
    if year is None and entry.extra.get("year", "").isdigit():
        year = int(entry.extra["year"])
    if venue is None and entry.extra.get("venue_text"):
        known = parse_badge(entry.extra["venue_text"])
        venue = known.venue if known.known else None
    return label, venue, year, tags


def ids_from_urls(urls: list[str]) -> dict[str, str]:
    """The identifiers every link names (the first of each kind wins)."""
    found: dict[str, str] = {}
    for url in urls:
        if url and "://" in url:
            for kind, value in _link_ids(url):
                found.setdefault(kind, value)
    return found


@functools.lru_cache(maxsize=1 << 15)
def _link_ids(url: str) -> tuple[tuple[str, str], ...]:
    # cached: an import reads each link twice, once to build its paper and once for the
    # paper's digest (``readme_sync.digest``), and reading a link is most of both
    from paperlog.ids import ids_from_url

    return tuple(ids_from_url(url).items())


_DEFAULT_PLAN = Plan()
"""Read only (its tracks): made once, not once per item."""


def paper_from_found(found: Found) -> Paper:
    """The paper one entry describes (key left empty until the import assigns one)."""
    entry = found.entry
    url = entry.url
    links = list(entry.links)
    if is_note_path(url):  # the title links to the writer's own notes (aleju, SunnyMarkLiu)
        links.insert(0, Link("Notes", url or ""))
        url = None
    nickname, title = split_nickname(entry.title)
    label, venue, year, tags = _venue(found)
    # the one rule shared with `done --group` and `add --group` (the default plan's tracks)
    track = _DEFAULT_PLAN.track_for_group(found.group or found.wish_group)
    ids = ids_from_urls([url or "", *(link.url for link in links)])
    extra: dict[str, Any] = {}
    if tags:
        extra["tags"] = tags
    for name in ("authors", "rating", "minutes", "published"):
        if name in entry.extra:
            extra[name] = entry.extra[name]
    if entry.rest:
        extra["readme_rest"] = entry.rest
    paper = Paper(
        key="",
        title=title,
        nickname=nickname,
        kind=_kind(entry.title, url, label, ids),
        status=found.status,
        year=year,
        venue=venue,
        venue_label=label,
        ids=ids,
        url=url,
        links=links,
        track=track,
        wish_group=found.wish_group,
        rank=found.rank,
        extra=extra,
        notes="".join(f"{note}\n" for note in found.notes),
    )
    if entry.extra.get("authors"):
        paper.authors = [entry.extra["authors"]]
        del paper.extra["authors"]
    raw = found.raw if not entry.problems else None  # a repaired line is written repaired
    if found.status == "read":
        reading = Reading(found.week, found.week_start, found.group, found.day, found.order)
        if found.period:
            reading.extra["period"] = found.period
        if found.section:  # a recommended list before the log (readme_recommended)
            reading.extra["section"] = found.section
        if raw is not None:
            reading.extra[LINE] = raw
        paper.readings.append(reading)
    elif raw is not None:
        paper.extra[LINE] = raw
    return paper


LINE = "readme_line"
"""Extra field (a wish item's, or a reading's) keeping its listing as written: ``text`` and
``for``, the fingerprint of the line paperlog generates for it (see ``keep_lines``)."""


def keep_lines(papers: list[Paper]) -> None:
    """Keep a listing's source text only where the generated line would differ from it (a
    shape other than the seed's: tags, ratings, nested notes, another badge style)."""
    from paperlog.formats.readme_parse import listing_sig, same_listing
    from paperlog.formats.readme_render import entry_line

    for paper in papers:
        holders: list[tuple[dict[str, Any], Reading | None]] = [
            (r.extra, r) for r in paper.readings
        ]
        holders.append((paper.extra, None))
        for extra, reading in holders:
            raw = extra.pop(LINE, None)
            if not isinstance(raw, str):
                continue
            generated = entry_line(paper, reading)
            if not same_listing(raw, generated):
                extra[LINE] = {"text": raw, "for": listing_sig(generated)}


# --- matching ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 16)
def norm_title(title: str) -> str:
    """Lower case, letters and digits only: the last resort for matching an item."""
    # cached: an import asks for each title several times (matching the README's items
    # with each other, then with the library's)
    return " ".join(re.findall(r"[a-z0-9]+", title.lower()))


class Matcher:
    """Finds the paper an imported item is: by arXiv ID, DOI, URL, then normalised title
    (the title as displayed, nickname included)."""

    def __init__(self) -> None:
        self.index: dict[tuple[str, str], Paper] = {}

    @staticmethod
    def _keys(paper: Paper) -> list[tuple[str, str]]:
        keys = []
        if paper.ids.get("arxiv"):
            keys.append(("arxiv", paper.ids["arxiv"]))
        if paper.ids.get("doi"):
            keys.append(("doi", paper.ids["doi"].lower()))
        if paper.url:
            keys.append(("url", paper.url.rstrip("/")))
        # the title as shown: two papers whose titles differ only by nickname
        # ("INSTA-YOLO: Real-Time Instance Segmentation", "YOLACT: Real-time ...") stay apart
        title = norm_title(paper.display_title)
        if title:
            keys.append(("title", title))
        return keys

    def add(self, paper: Paper) -> None:
        """Index a paper under each of its keys (the first paper to claim a key keeps it)."""
        for key in self._keys(paper):
            self.index.setdefault(key, paper)

    def find(self, paper: Paper) -> Paper | None:
        """The known paper this one is, or None."""
        return self.find_why(paper)[0]

    def find_why(self, paper: Paper) -> tuple[Paper | None, str]:
        """The known paper and what matched ("arXiv ID", "DOI", "URL", "title")."""
        for key in self._keys(paper):
            known = self.index.get(key)
            if known is not None and (key[0] != "title" or _compatible(known, paper)):
                return known, _WHY[key[0]]
        return None, ""


def _first_author(paper: Paper) -> str | None:
    words = re.findall(r"[^\W\d_]+", paper.authors[0].lower()) if paper.authors else []
    return words[0] if words else None


def _compatible(a: Paper, b: Paper) -> bool:
    """Same title, yet different works? Not when both give a year or a first author that differ
    (floodsung lists Goodfellow's book and LeCun's Nature survey, both "Deep learning")."""
    if a.year and b.year and a.year != b.year:
        return False
    first_a, first_b = _first_author(a), _first_author(b)
    return not (first_a and first_b and first_a != first_b)


_WHY = {"arxiv": "arXiv ID", "doi": "DOI", "url": "URL", "title": "title"}


def _reading_overrides(paper: Paper, other: Paper) -> dict[str, Any]:
    """How a second listing differs from the paper as first listed, kept on its reading."""
    out: dict[str, Any] = {}
    if other.display_title != paper.display_title:
        out["display_title"] = other.display_title
    if other.url != paper.url:
        out["url"] = other.url
    if other.links != paper.links:
        out["links"] = [{"label": lk.label, "url": lk.url} for lk in other.links]
    if other.venue_label != paper.venue_label:
        out["venue_label"] = other.venue_label
    return out


def _sort_key(found: Found) -> tuple[int, int, str, int]:
    """Oldest reading first, wish-list last: a paper's first listing sets its fields."""
    if found.status == "wish":
        return (3, 0, "", found.rank or 0)
    if found.section:  # a recommended listing: after the log's readings of the paper
        return (2, 0, "", found.order)
    start = found.week_start.isoformat() if found.week_start else ""
    return (0 if found.week is not None else 1, found.week or 0, start, found.order)


def _keep_listing(parsed: Parsed, found: Found, paper: Paper) -> None:
    """A paper's second wish-list listing (listed twice, or read and listed again to read) is
    no second item: its line is kept as text where it stood, so a render writes it back."""
    from paperlog.formats.readme_render import entry_line

    marker = str(parsed.readme.get("list_marker") or "*")
    line = found.raw if found.raw is not None else entry_line(paper, marker=marker)
    record: dict[str, Any] = {"line": line, "text": True, "after": (found.rank or 1) - 1}
    if found.wish_group is not None:
        record["group"] = found.wish_group
    parsed.readme.setdefault("slots", []).append(record)


def collect_papers(parsed: Parsed, warn: list[ImportWarning]) -> list[Paper]:
    """One paper per distinct item; a second listing becomes a second reading."""
    matcher = Matcher()
    papers: list[Paper] = []
    first_line: dict[int, int] = {}
    for found in sorted(parsed.found, key=_sort_key):
        paper = paper_from_found(found)
        same, why = matcher.find_why(paper)
        if same is None:
            matcher.add(paper)
            papers.append(paper)
            first_line[id(paper)] = found.line
            continue
        where = f"line {first_line[id(same)]}"
        if norm_title(same.display_title) != norm_title(paper.display_title):
            where += f", written there as {same.display_title[:50]!r}"
        if paper.readings and same.status == "wish":
            warn.append(
                ImportWarning(
                    found.line,
                    f"read item also in the wish-list (same {why} as {where}); kept as read",
                )
            )
            same.status, same.wish_group, same.rank = "read", None, None
        elif not paper.readings:
            what = "already read" if same.status == "read" else "already in the wish-list"
            warn.append(
                ImportWarning(
                    found.line,
                    f"{what} (same {why} as {where}): this wish-list listing kept as text",
                )
            )
            _keep_listing(parsed, found, paper)
            continue
        elif found.section:
            warn.append(
                ImportWarning(
                    found.line,
                    f"recommended under {found.section!r} and listed at {where} (same {why}): "
                    "one item",
                )
            )
        else:
            weeks = ", ".join(str(r.week) for r in same.readings if r.week is not None)
            what = f"week {weeks} ({where})" if weeks else where
            warn.append(
                ImportWarning(found.line, f"same {why} as {what}: one item, another reading")
            )
        if same.venue_label is None and paper.venue_label is not None:
            # a badge on only one listing (a reading: a dropped wish-list listing would take it
            # out of the README) is the item's; the listings without it say so
            for reading in same.readings:
                reading.extra.setdefault("venue_label", None)
            same.venue_label, same.venue = paper.venue_label, paper.venue
            same.year = same.year or paper.year
        for kind, value in paper.ids.items():
            same.ids.setdefault(kind, value)
        for reading in paper.readings:
            reading.extra.update(_reading_overrides(same, paper))
            same.readings.append(reading)
        if paper.notes and paper.notes not in same.notes:
            same.notes += paper.notes
    return papers


# --- reading the file -------------------------------------------------------------------------


def read_text(path: Path) -> str:
    """The file's text; a missing or undecodable file is an ``ImportProblem`` naming it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportProblem("no such file", path) from None
    except OSError as exc:
        raise ImportProblem(f"cannot read: {exc.strerror}", path) from None
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportProblem("not UTF-8 text", path, line) from None


def parse_readme(text: str) -> tuple[Parsed, list[ImportWarning]]:
    """Repair, walk and report: the README's contents and the warnings so far."""
    from paperlog.formats.mojibake import repair_lines

    fixed, repairs = repair_lines(text)
    warnings = [
        ImportWarning(line, f"mojibake repaired: {r.before!r} -> {r.after!r}")
        for line, r in repairs.items()
    ]
    parsed = walk(fixed)
    warnings += [ImportWarning(w.line, w.message) for w in parsed.warnings]
    return parsed, warnings
