"""Pure data: papers, readings, links, resources, weeks, topics, the plan. No I/O here.

Every record keeps an ``extra`` mapping for keys paperlog does not know, so a field a user
added by hand survives a load and a save.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

KINDS = ("paper", "lecture", "talk", "topic", "notes", "other")
"""What an item is: a paper, a lecture or course video, a talk or workshop, a topic write-up,
a bundle of hand-written notes (the seed's "Goodnotes"), or anything else."""

STATUSES = ("wish", "reading", "read")
"""wish: on the wish-list (to be processed); reading: started; read: logged in a week."""

ENTRY_TYPES = (
    "article",
    "inproceedings",
    "incollection",
    "book",
    "preprint",
    "thesis",
    "report",
    "talk",
    "lecture",
    "webpage",
    "misc",
)
"""What a paper was published as: a journal article, a conference paper, a book chapter
(``incollection``), a book, a preprint, a thesis, a report, a talk, a lecture, a web page."""

ID_KINDS = ("arxiv", "doi", "openreview", "s2", "dblp", "pmlr", "nips", "cvf", "pii", "isbn")
"""Identifier kinds a paper may carry in ``Paper.ids`` (others are kept as written)."""


class Author(str):
    """One author: the name as a reader sees it ("Alberto Del Maestro"), carrying its parts.

    The value *is* the display string, so code that joins, prints or compares names treats an
    ``Author`` as the plain ``str`` it is; exporters read ``family``, ``given``, ``particle``
    (the "von" part: "van der" in "Laurens van der Maaten"), ``suffix`` ("Jr.") and ``orcid``.
    A plain string in ``Paper.authors`` (an old file, a README) is split by
    ``paperlog.names.author_parts`` when its parts are needed.
    """

    family: str
    given: str
    particle: str
    suffix: str
    orcid: str | None

    def __new__(
        cls,
        family: str,
        given: str = "",
        *,
        particle: str = "",
        suffix: str = "",
        orcid: str | None = None,
    ) -> Author:
        family, given = " ".join(family.split()), " ".join(given.split())
        particle, suffix = " ".join(particle.split()), " ".join(suffix.split())
        display = " ".join(part for part in (given, particle, family, suffix) if part)
        self = super().__new__(cls, display)
        self.family, self.given, self.particle, self.suffix = family, given, particle, suffix
        self.orcid = orcid or None
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # copy/pickle rebuild from the parts, not from the display string alone
        return (_author, (self.family, self.given, self.particle, self.suffix, self.orcid))

    def __repr__(self) -> str:
        return f"Author({str(self)!r})"


def _author(family: str, given: str, particle: str, suffix: str, orcid: str | None) -> Author:
    return Author(family, given, particle=particle, suffix=suffix, orcid=orcid)


@dataclass
class Link:
    """A labelled link next to an entry: ``[[Notes](url)]``. An empty url is a to-do."""

    label: str
    url: str = ""

    @property
    def is_todo(self) -> bool:
        """True for a placeholder link the user has not filled in yet (``[[TBP]()]``)."""
        return not self.url


@dataclass
class Reading:
    """One time a paper was read: the week it is logged in, and under which theme heading."""

    week: int | None = None
    week_start: date | None = None
    group: str | None = None
    date: date | None = None
    """The day it was read, when known (imported weeks only know their start)."""
    order: int = 0
    """Position within the week, so a rendered week lists papers as they were logged."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Paper:
    """One item of the library: a paper or another kind of thing that was read or will be.

    ``key`` is the file name stem (``papers/<key>.md``); ``notes`` is the Markdown body.
    """

    key: str
    title: str
    kind: str = "paper"
    nickname: str | None = None
    status: str = "wish"
    authors: list[str] = field(default_factory=list)
    """Display names; an item may be an ``Author`` carrying family/given/particle/suffix."""
    year: int | None = None
    """The year of publication (the journal or proceedings), else of the preprint."""
    preprint_year: int | None = None
    """The year the preprint appeared, kept when it differs from ``year``."""
    entry_type: str | None = None
    """What was published: one of ``ENTRY_TYPES`` ("article", "inproceedings", "preprint"...)."""
    venue: str | None = None
    """Short venue name: canonical when paperlog knows it ("NeurIPS"), else as the source
    abbreviates it ("PLoS ONE"); None when unknown."""
    container: str | None = None
    """The journal or proceedings title as the source wrote it ("Physical Review D")."""
    venue_label: str | None = None
    """The badge as the user wrote it ("NIPS 2019"), kept so a render shows it unchanged."""
    ids: dict[str, str] = field(default_factory=dict)
    url: str | None = None
    links: list[Link] = field(default_factory=list)
    track: str | None = None
    topics: list[str] = field(default_factory=list)
    wish_group: str | None = None
    """The wish-list heading the item stands under while it waits to be read."""
    rank: int | None = None
    """Position in the wish-list queue: lower is read sooner."""
    readings: list[Reading] = field(default_factory=list)
    citekey: str | None = None
    aliases: list[str] = field(default_factory=list)
    """Other citation keys a document may cite this paper by (a duplicate's key on import)."""
    abstract: str | None = None
    added: date | None = None
    takeaways: list[str] = field(default_factory=list)
    """Key ideas to review, when kept in front matter rather than a ``## Key ideas`` section."""
    review: dict[str, Any] = field(default_factory=dict)
    """Spaced-repetition state (FSRS card fields), plain data so git versions it."""
    pinned: date | None = None
    """A day the plan must suggest this wish-list item on."""
    extra: dict[str, Any] = field(default_factory=dict)
    notes: str = ""

    @property
    def display_title(self) -> str:
        """The title as a README shows it: ``Nickname: Title`` when there is a nickname."""
        return f"{self.nickname}: {self.title}" if self.nickname else self.title

    @property
    def arxiv(self) -> str | None:
        """The canonical arXiv ID, if any."""
        return self.ids.get("arxiv")

    @property
    def doi(self) -> str | None:
        """The DOI (lower-cased), if any."""
        return self.ids.get("doi")


@dataclass
class ResourceItem:
    """One resource bullet: ``* ⭐ Stanford CS231n - CNNs [[site](url)]``."""

    title: str
    links: list[Link] = field(default_factory=list)
    star: str | None = None
    """The marker written before the title ("⭐", "🌟"), or None."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ResourceGroup:
    """A labelled run of resources inside a section ("Primary", "Fundamentals"); name may be None."""

    name: str | None = None
    items: list[ResourceItem] = field(default_factory=list)


@dataclass
class ResourceSection:
    """A Resources section ("Meta-Learning", "Courses & Books") with its intro line and groups."""

    name: str
    intro: str | None = None
    groups: list[ResourceGroup] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class WeekInfo:
    """What a week says beyond its papers: its number and start as written, an annotation."""

    week: int
    start: date | None = None
    note: str | None = None
    """An annotation such as "reduced reading due to paper submission deadline"."""
    groups: list[str] = field(default_factory=list)
    """Theme headings in the order the week shows them."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Topic:
    """A topic code from the taxonomy: ``[Uns] Unsupervised Techniques (GAN, VAE, ...)``."""

    code: str
    name: str
    description: str | None = None


@dataclass
class Track:
    """A reading track with its target share of the week ("breadth", 1/3)."""

    name: str
    share: float
    description: str | None = None


@dataclass
class Plan:
    """The reading plan. Defaults are the seed's: 6 a week, Mon-Sat, review on Sunday."""

    papers_per_week: int = 6
    reading_days: list[str] = field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri", "sat"]
    )
    review_day: str = "sun"
    week_start: str = "mon"
    start: date | None = None
    tracks: list[Track] = field(
        default_factory=lambda: [
            Track("breadth", 1 / 3, "solidifying foundations"),
            Track("depth", 2 / 3, "expertise for current projects"),
        ]
    )
    focus_topics: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def track_for_group(self, group: str | None) -> str | None:
        """The track a group heading names ("Depth: Semi-Supervised ..." -> ``depth``), else None.

        The one rule for README import, ``done --group`` and ``add --group``: the heading starts
        with a track name of this plan (any case) followed by a colon.
        """
        if not group or ":" not in group:
            return None
        head = group.split(":", 1)[0].strip().lower()
        return next((t.name for t in self.tracks if t.name.lower() == head), None)


@dataclass
class Config:
    """``paperlog.toml``: the library's title, intro, taxonomy and plan, plus named tables.

    ``readme`` holds free text an imported README carried (kept so a render reproduces it);
    ``sources`` holds metadata-source settings (base URLs, contact address).
    """

    title: str = "Reading log"
    intro: str = ""
    topics: list[Topic] = field(default_factory=list)
    plan: Plan = field(default_factory=Plan)
    readme: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def topic_codes(self) -> set[str]:
        """The codes of the taxonomy, as written ("Uns")."""
        return {t.code for t in self.topics}


_KEY_STOP = {"a", "an", "the", "of", "for", "and", "on", "in", "to", "with", "via", "by"}


MAX_SLUG = 60
"""Characters a key's slug may have (before its year and any -b suffix)."""


_APOSTROPHE_RE = re.compile("['\u2019]")
_NON_WORD_RE = re.compile("[^a-z0-9]+")


def slugify(text: str, max_words: int = 4) -> str:
    """A file-name-safe slug: ASCII, lower case, words joined by ``-``."""
    # Apostrophes join rather than split: "Don't Decay" -> "dont-decay", not "don-t-decay".
    text = _APOSTROPHE_RE.sub("", text)
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = [w for w in _NON_WORD_RE.split(norm.lower()) if w]
    kept = [w for w in words if w not in _KEY_STOP] or words
    # a cap on the length, not only the words: a 300-letter one-word title made a file name
    # the file system refuses ("File name too long")
    return "-".join(kept[:max_words])[:MAX_SLUG].strip("-") or "item"


def make_key(paper: Paper, taken: set[str]) -> str:
    """A stable, unique key for a new item: ``simclr-2020``, ``network-in-network-2014``.

    ``taken`` holds keys already used (lower case); a clash gets ``-b``, ``-c``, ... appended.
    """
    base = slugify(paper.nickname, 3) if paper.nickname else slugify(paper.title)
    if paper.year:
        base = f"{base}-{paper.year}"
    key = base
    suffix = ord("b")
    while key.lower() in taken:
        key = f"{base}-{chr(suffix)}" if suffix <= ord("z") else f"{base}-{suffix - ord('a')}"
        suffix += 1
    return key
