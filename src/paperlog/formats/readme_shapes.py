"""The shapes other people's reading logs take: date headings and entry styles.

Each function reads the text of one heading, paragraph or list item (a single inline token)
and says what it is; the importer decides where it lands. The shapes are the ones observed in
real READMEs (patrick-llgc, dennybritz, nikvaessen, fgabel, RockWenJJ, aleju, DanielTakeshi,
floodsung, terryum, SunnyMarkLiu, RobvanGastel); the README's "README import and render" section lists them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from paperlog.formats.readme_parse import (
    Entry,
    parse_entry,
    parse_tail,
    scan_link,
    unescape_link_text,
)
from paperlog.model import Link
from paperlog.months import MONTHS

WEEK_HEADING = re.compile(
    r"^Wk\s*(\d+)(?:\s*[-–:]\s*(\d{4})[.\-/](\d{1,2})[.\-/](\d{1,2}))?\s*$", re.I
)
_PERIODS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?:Added\s+)?(\d{4})/(\d{1,2})/(\d{1,2}):?$", re.I), "ymd"),
    (re.compile(r"^(?:Added\s+)?(\d{4})/(\d{1,2})/\?+:?$", re.I), "ym"),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "start"),
    (re.compile(r"^Week\s+of\s+(.+?)$", re.I), "week-of"),
    (re.compile(r"^([A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})$"), "day"),
    (re.compile(r"^(\d{1,2}\s+[A-Za-z]{3,9}\.?,?\s+\d{4})$"), "day"),
    (re.compile(r"^(\d{4})[-.](\d{1,2})(?:\s*\([^)]*\))?$"), "ym"),
    (re.compile(r"^(\d{4})\s*-\s*([A-Za-z]+)$"), "y-month"),
    (re.compile(r"^([A-Za-z]+)\s+(\d{4})$"), "month-y"),
    (re.compile(r"^\*?(\d{1,2})\s*/\s*(\d{4})\*?$"), "m/y"),
    (re.compile(r"^(\d{4})(?:\s+and\s+(?:before|earlier))?$", re.I), "y"),
]
UNDATED = "Undated"
RECOMMENDED = re.compile(
    r"\b(recommend(?:ed|s|ations?)?|must[- ]reads?|favou?rite papers|papers I (?:like|love))\b",
    re.I,
)
"""A heading or line introducing papers the writer recommends ("## Recommended papers",
"Papers I recommend:", "Must-read")."""
_OWN_TO_READ = re.compile(
    r"\b(?:I|we)\s+(?:must|should|will|want to|need to|have to)\s+read\b", re.I
)


def is_recommended(text: str) -> bool:
    """True for a heading or short line introducing recommended papers (not "Papers I must
    read", which is a to-read list)."""
    return bool(RECOMMENDED.search(text)) and not _OWN_TO_READ.search(text)


TO_READ = re.compile(
    r"\b((?<!how )to[- ]?read|to be read|will read|want to read|wish[- ]?list|wish|reading list|"
    r"reading queue|queue|backlog|to ?do|unread)\b",
    re.I,
)
"""A heading or line introducing papers to read. "How to read papers" is advice, not a list."""
READ_LIST = re.compile(
    r"\b(papers?[- ]I[- ](?:have[- ])?read|I(?:'ve| have) read|a[- ]paper[- ]a[- ](?:week|day)|"
    r"summar(?:y|ies) of|my notes on|read so far|papers? (?:I|we) read)\b",
    re.I,
)
"""An intro, title or heading saying its list is papers read ("Papers I read", "summaries of
papers", "a paper a week"): an undated list of them is read items, not a wish-list."""


def is_read_list(text: str) -> bool:
    """True for text saying the list holds papers read (to-read wording wins: "papers I have
    read and want to read" is no read list)."""
    return bool(READ_LIST.search(text)) and not _OWN_TO_READ.search(text)


_CITATION_LINE = re.compile(r"^(.+?),\s*([^,]+?),\s*((?:19|20)\d{2})\.?$")


def citation_line(text: str) -> dict[str, str] | None:
    """A nested line giving a paper's authors, venue and year (``- A. Author, B. Author,
    CVPR, 2017``): its fields, or None for any other note."""
    match = _CITATION_LINE.match(text.strip())
    if match is None or "](" in text or len(text) > 400:
        return None
    authors, venue, year = (g.strip() for g in match.groups())
    # names are short capitalised words ("David G.T. Barrett"), not a sentence
    if not all(
        name.strip()[:1].isupper() and len(name.split()) <= 5 for name in authors.split(",")
    ):
        return None
    return {"authors": authors, "venue_text": venue, "year": year}


_TITLE_SIGNAL = re.compile(r"\b(?:19|20)\d{2}\b|\bet al\b|\d{4}\.\d{4,5}|^[^:]{2,60}:\s+\S", re.I)
_SMALL_WORD = re.compile(
    r"^(?:a|an|and|as|at|by|for|from|in|into|of|on|or|over|the|to|via|vs|with|without)$", re.I
)


def looks_like_title(text: str) -> bool:
    """A bare line that reads as a paper's title (a year, "et al.", an arXiv ID, "Name: ...",
    or title case: ``Attention Is All You Need``), not a step or a remark
    (``Compile list of papers.``): what a linkless list item needs to be imported as one."""
    text = text.strip()
    if _TITLE_SIGNAL.search(text):
        return True
    words = [w for w in re.findall(r"[^\W\d_][\w'-]*", text) if not _SMALL_WORD.match(w)]
    if len(words) < 2:
        return False
    capital = sum(1 for w in words if w[:1].isupper())
    return capital / len(words) >= 0.75 and not text.endswith(("?", "!"))


def is_date_line(period: Period | None) -> bool:
    """A paragraph that is a date section on its own (``2019-03``, ``*06/ 2022*``, a bare year
    ``2018``), as a heading would be."""
    return period is not None and (period.start is not None or period.label[:4].isdigit())


@dataclass(frozen=True)
class Period:
    """A date heading: the day it stands for (the first of a month for a month), as written."""

    label: str
    start: date | None
    exact_day: bool = False


_WEEK_WORD = re.compile(r"^Week\s+(\d{1,4})\b\s*[-\u2013:(]?\s*(.*?)\)?\s*$", re.I)
_YMD = re.compile(r"^(\d{4})[.\-/](\d{1,2})[.\-/](\d{1,2})$")
_MONTH_DAY = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$")


def parse_day(text: str) -> tuple[bool, date | None]:
    """A written day: (True, day) for ``2020.06.22``, ``Jun 22, 2020``, ``22 June 2020``;
    (True, None) for a day without a year (``June 22``) or an impossible one; (False, None)
    for text that is no day."""
    text = text.strip()
    try:
        ymd = _YMD.match(text)
        if ymd:
            return True, date(*(int(g) for g in ymd.groups()))
        md = _MONTH_DAY.match(text)
        if md and MONTHS.get(md.group(1).lower()):
            if md.group(3) is None:
                return True, None
            return True, date(int(md.group(3)), MONTHS[md.group(1).lower()], int(md.group(2)))
        dm = _DAY_MONTH.match(text)
        if dm and MONTHS.get(dm.group(2).lower()):
            return True, date(int(dm.group(3)), MONTHS[dm.group(2).lower()], int(dm.group(1)))
    except ValueError:
        return True, None
    return False, None


def parse_week_heading(text: str) -> tuple[int, date | None] | None:
    """``Wk13 - 2020.10.20`` -> (13, 2020-10-20); ``Wk13`` -> (13, None); also ``Week 3``,
    ``Week 3 (June 22)`` (no year: no start), ``Week 3 - 2020-06-22``."""
    match = WEEK_HEADING.match(text.strip())
    if not match:
        word = _WEEK_WORD.match(text.strip())
        if word is None:
            return None
        is_day, start = parse_day(word.group(2)) if word.group(2) else (True, None)
        return (int(word.group(1)), start) if is_day else None
    if match.group(2) is None:
        return int(match.group(1)), None
    try:
        return int(match.group(1)), date(*(int(match.group(k)) for k in (2, 3, 4)))
    except ValueError:  # "Wk1 - 2020.02.30": still a week, its start unknown
        return int(match.group(1)), None


def parse_period(text: str) -> Period | None:
    """A month or date heading (``2019-03 (12)``, ``2020 - January``, ``Added 2018/05/12:``,
    ``*06/ 2022*``, ``2018``, ``2017 and before``); None for anything else."""
    label = text.strip()
    if label.lower() == UNDATED.lower():  # what a render writes over readings with no date
        return Period(UNDATED, None)
    for pattern, shape in _PERIODS:
        match = pattern.match(label)
        if not match:
            continue
        try:
            if shape == "ymd":
                y, m, d = (int(g) for g in match.groups())
                return Period(label, date(y, m, d), exact_day=True)
            if shape == "start":  # a week's start as a render writes it, not a reading day
                y, m, d = (int(g) for g in match.groups())
                return Period(label, date(y, m, d))
            if shape in ("week-of", "day"):  # "Week of 2020.06.22", "Jun 22, 2020"
                is_day, day = parse_day(match.group(1))
                if not is_day or day is None:
                    return None
                return Period(label, day, exact_day=shape == "day")
            if shape == "ym":
                return Period(label, date(int(match.group(1)), int(match.group(2)), 1))
            if shape == "m/y":
                return Period(
                    label.strip("*").strip(), date(int(match.group(2)), int(match.group(1)), 1)
                )
            if shape == "y-month":
                month = MONTHS.get(match.group(2).lower())
                return Period(label, date(int(match.group(1)), month, 1)) if month else None
            if shape == "month-y":
                month = MONTHS.get(match.group(1).lower())
                return Period(label, date(int(match.group(2)), month, 1)) if month else None
            if shape == "y":
                year = int(match.group(1))
                return Period(label, None) if 1900 < year < 2200 else None
        except ValueError:
            return None
    return None


# --- entries in other shapes ---------------------------------------------------------------

_TAG_PREFIX = re.compile(r"^\*{2,}`([^`]+)`\*{2,}\s*")
_FLOOD = re.compile(r'^\*\*\[(\d+)\]\*\*\s*(.*?)\s*["“](?:\*\*)?(.+?)(?:\*\*)?[.,]?["”]\s*(.*)$')
_BOLD_TITLE = re.compile(r"^\*\*(.+?)\*\*\s*((?:\((?:19|20)\d{2}\)|\[\[).*)$")
_AUTHOR_YEAR = re.compile(r"^(.+?)\s*\(((?:19|20)\d{2})\),\s*([^\[]+?)\s*(\[.*)?$")
_ET_AL = re.compile(r"^(.+),\s*([A-Z][^,]*\bet\.? al\.?)\s*(\[.*)?$")
_RATING = re.compile(r"^(.*?)\s*\((\d)\)\s*$")
_MINUTES = re.compile(r"-?\s*(\d+)\s*minutes?\b", re.I)
_BOLD_DATE = re.compile(r"\s*\(\*\*(\d{4})\.(\d{2})\*\*\)\s*$")
_YEAR_PAREN = re.compile(r"\((\d{4})\)")
_VENUE_YEAR_END = re.compile(r",\s*([^,]*?\b(?:19|20)\d{2})\s*$")


def is_note_path(url: str | None) -> bool:
    """A link to a Markdown file: the writer's own notes, not the paper."""
    if not url or not url.split("#")[0].lower().endswith(".md"):
        return False
    # a relative path, or a Markdown file in a GitHub repository (DanielTakeshi's notes)
    return "://" not in url or ("github.com/" in url and "/blob/" in url)


def parse_any_entry(text: str) -> Entry | None:
    """Read an entry in any of the known shapes; None when the text is no entry."""
    s = " ".join(part.strip() for part in text.split("\n")).strip()
    if not s:
        return None
    tags: list[str] = []
    s = _LEAD_SYMBOL.sub("", s)  # "🦩 [Flamingo: ...](url)": the emoji is no part of the title
    bold = _BOLD_LINK.match(s)
    if bold:  # "**[Title](url)**": the bold markers are no part of the title
        s = bold.group(1) + s[bold.end() :]
    while True:  # aleju: ****`TAG`**** prefixes (a venue badge among them)
        match = _TAG_PREFIX.match(s)
        if not match:
            break
        tags.append(match.group(1).strip())
        s = s[match.end() :]
    entry = _text_in_url_slot(s) or _parse_shape(s)
    if entry is None:
        return None
    _clean_title(entry)
    entry.tags[:0] = tags
    _minutes(entry)
    return entry


_LEAD_SYMBOL = re.compile(
    r"^(?:[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]+\s*)+(?=\[)"
)
_BOLD_LINK = re.compile(r"^\*\*(\[[^\]\n]+\]\([^)\s]*\))\*\*")
_SLOT_TEXT = re.compile(r"^\[\[([^\[\]]+)\]\(([^()]*\s[^()]*)\)\]\s*")
_TRAILING_ARXIV = re.compile(r",\s*arXiv\s*$", re.I)


def _text_in_url_slot(s: str) -> Entry | None:
    """``[[arXiv](A New Method for X)]``: the title written in the URL slot. Repaired: the
    text is the title, the link is kept as a to-do link, with a warning."""
    match = _SLOT_TEXT.match(s)
    if match is None or "://" in match.group(2):
        return None
    entry = Entry(title=match.group(2).strip(), url=None)
    entry.links.append(Link(match.group(1).strip(), ""))
    entry.problems.append(
        f"'[[{match.group(1)}]({match.group(2)[:30]}...)]': text in the link's URL slot, "
        "read as the title"
    )
    parse_tail(s, match.end(), entry)
    return entry


def _clean_title(entry: Entry) -> None:
    """Bold markers around a title and a trailing ", arXiv" are no part of it."""
    title = entry.title.strip()
    if title.startswith("**") and title.endswith("**") and len(title) > 4:
        entry.title = title[2:-2].strip()
    arxiv = _TRAILING_ARXIV.search(entry.title)
    if arxiv and arxiv.start() > 0:
        entry.title = entry.title[: arxiv.start()].rstrip()
        if not entry.badges:
            entry.badges.append("arXiv")


def _parse_shape(s: str) -> Entry | None:
    flood = _FLOOD.match(s)
    if flood:
        entry = Entry(title=flood.group(3).strip().strip('“”"').rstrip("."), url=None)
        entry.extra["authors"] = flood.group(2).rstrip(". ")
        _link_tail(flood.group(4), entry)
        return entry
    if s.startswith("["):
        linked = parse_entry(s)
        if linked is None:
            return None
        bold = _BOLD_DATE.search(linked.title)
        if bold:  # SunnyMarkLiu: "Title (**2015.06**)" inside the link text
            linked.extra["published"] = f"{bold.group(1)}-{bold.group(2)}"
            linked.title = linked.title[: bold.start()].strip()
        _rating(linked)
        return linked
    bold_title = _BOLD_TITLE.match(s)
    if bold_title:  # terryum: **Title** (YYYY), A. Author et al. [[pdf]](url)
        entry = Entry(title=bold_title.group(1).strip(), url=None)
        _link_tail(bold_title.group(2), entry)
        # what follows the year is the authors, not a venue: "(2015), G. Hinton et al."
        authors = re.sub(r"^\(\d{4}\)\s*,?\s*", "", entry.extra.pop("venue_text", ""))
        if authors:
            entry.extra["authors"] = authors
        if not entry.links and "year" not in entry.extra:
            return None  # bold text, not a title: "**TLDR**: ..."
        return entry
    return _plain_title(s)


_AFTER_LINK = re.compile(r"^ \[[^\]]*\]\([^)]*\)\s+[a-z]{2,}\s+[a-z]{2,}\b")


def _in_sentence(title: str, tail: str) -> bool:
    """A link inside running text, not a title's link: the text before it ends in a small
    word ("feel free to [open an issue](url)") or lowercase words go on after it."""
    if not tail.startswith(" [") or tail.startswith(" [["):
        return False
    return bool(_SMALL_WORD.match(title.rsplit(maxsplit=1)[-1]) or _AFTER_LINK.match(tail))


_ITALIC_TITLE = re.compile(r"^[*_]([^*_\s][^*_]*[^*_\s])[*_]$")


def _plain_title(s: str) -> Entry | None:
    """``Title [[arXiv](url)]`` (dennybritz, RobvanGastel), ``Title, VENUE YEAR (3)``
    (DanielTakeshi) or ``Title (YYYY), A. Author et al.`` (terryum)."""
    cited = _AUTHOR_YEAR.match(s) or _ET_AL.match(s)
    if cited:
        entry = Entry(title=cited.group(1).strip(), url=None)
        if cited.re is _AUTHOR_YEAR:
            entry.extra["year"] = cited.group(2)
        entry.extra["authors"] = cited.group(cited.re.groups - 1).strip()
        parse_tail(cited.group(cited.re.groups) or "", 0, entry)
        if entry.links:
            entry.url = entry.links[0].url or None
        return entry
    cut = len(s)
    for marker in ("[[", " [", " ([", " - ["):
        pos = s.find(marker)
        if pos != -1:
            cut = min(cut, pos)
    title, tail = s[:cut].strip(), s[cut:]
    italic = _ITALIC_TITLE.match(title)
    if italic:  # kuc2477: "*Title* [[arxiv, 14.12]](url)"
        title = italic.group(1).strip()
    if not title or title.startswith(("*", "!", "<", "#")):
        return None
    if _in_sentence(title, tail):
        return None  # a sentence with a link in it ("... upload them to the [repo](url).")
    entry = Entry(title=title, url=None)
    rating = _RATING.match(entry.title)
    if rating:
        entry.title = rating.group(1).strip()
        entry.extra["rating"] = rating.group(2)
    venue = _VENUE_YEAR_END.search(entry.title)
    if venue and "rating" in entry.extra:
        entry.badges.append(venue.group(1).strip())
        entry.title = entry.title[: venue.start()].strip()
    parse_tail(tail, 0, entry)
    if entry.links and entry.url is None:
        entry.url = entry.links[0].url or None
    if not entry.links and "rating" not in entry.extra:
        return None  # plain text with no link and no rating is prose, not an entry
    return entry


def _link_tail(tail: str, entry: Entry) -> None:
    """Curated lists: venue text, ``(YYYY)``, then ``[[pdf]](url)`` links and remarks."""
    first = tail.find("[")
    before = tail if first == -1 else tail[:first]
    year = _YEAR_PAREN.search(before) or re.search(r"\b((?:19|20)\d{2})\b", before)
    if year:
        entry.extra["year"] = year.group(1)
    venue_text = before.strip().rstrip(".").strip()
    if venue_text:
        entry.extra["venue_text"] = venue_text
    if first != -1:
        parse_tail(tail, first, entry)
    for link in entry.links:
        if link.url and entry.url is None and link.label.lower() in ("pdf", "html", "paper"):
            entry.url = link.url
    if entry.url is None and entry.links:
        entry.url = entry.links[0].url or None


def _rating(entry: Entry) -> None:
    """DanielTakeshi: ``[Title](url) VENUE YEAR (5)`` leaves "VENUE YEAR (5)" as rest."""
    rating = _RATING.match(entry.rest)
    if rating:
        entry.extra["rating"] = rating.group(2)
        venue = rating.group(1).strip().strip(",").strip()
        if venue:
            entry.badges.append(venue)
        entry.rest = ""


def _minutes(entry: Entry) -> None:
    """nikvaessen: ``- 300 minutes`` spent reading."""
    match = _MINUTES.search(entry.rest)
    if match:
        entry.extra["minutes"] = match.group(1)
        entry.rest = (entry.rest[: match.start()] + entry.rest[match.end() :]).strip(" -")


def label_link(text: str) -> Link | None:
    """A paragraph or heading that is one link: ``[label](url)``."""
    link = scan_link(text.strip(), 0)
    if link is None or link.end != len(text.strip()):
        return None
    return Link(unescape_link_text(link.text), link.url)
