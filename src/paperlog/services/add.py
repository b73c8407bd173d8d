"""``paperlog add``: the service that turns what a user typed into a new paper file.

Sources (``paperlog.resolve``) return records and merge them; this layer decides what to
write. ``prepare_paper`` resolves and builds the paper without writing (the web app shows it
first); ``add_paper`` then checks for a duplicate (dedupe.py) under the library lock, picks the
key and citation key, and writes the file (and weeks.yaml for ``--read``) in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperlog.errors import NotFound, ValidationError
from paperlog.model import Paper, WeekInfo
from paperlog.resolve.dedupe import duplicate_reason, find_duplicate
from paperlog.resolve.resolution import (
    PAPER_ID_KINDS,
    Candidate,
    Resolution,
    choose_candidate,
    fill_from_merged,
    nothing_found,
    paper_ids,
    resolve_identifier,
    search_title,
)

if TYPE_CHECKING:
    from paperlog.ids import Identifier
    from paperlog.library import Library
    from paperlog.resolve.record import Source

NOTE_SKELETON = "\n## Key ideas\n\n## Notes\n"
"""The body of a new paper file: where ``review`` finds the key ideas, then free notes."""
_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class DuplicatePaper(ValidationError):
    """The paper is already in the library."""

    def __init__(self, message: str, path: Path, existing: Paper) -> None:
        super().__init__(message, path)
        self.existing = existing


@dataclass
class AddOptions:
    """The options of ``paperlog add`` (see its help)."""

    read: bool = False
    on_date: date | None = None
    group: str | None = None
    track: str | None = None
    topics: list[str] = field(default_factory=list)
    key: str | None = None
    pick: int | None = None
    force: bool = False


@dataclass
class Added:
    """What ``add_paper`` did."""

    paper: Paper
    path: Path
    query: Identifier
    resolution: Resolution
    candidates: list[Candidate] = field(default_factory=list)
    duplicate_of: str | None = None
    """With ``--force``: the key of the paper this one duplicates."""
    new_week: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON ``add --json`` prints."""
        from paperlog.views import paper_view

        return {
            "key": self.paper.key,
            "path": str(self.path),
            "query": {"kind": self.query.kind, "value": self.query.value},
            "paper": paper_view(self.paper),
            "sources": self.resolution.answered,
            "outcomes": [o.to_dict() for o in self.resolution.outcomes],
            "provenance": dict(self.resolution.merged.provenance),
            "conflicts": list(self.resolution.merged.conflicts),
            "candidates": [c.to_dict(i) for i, c in enumerate(self.candidates, start=1)],
            "duplicate_of": self.duplicate_of,
        }


def _check_options(library: Library, options: AddOptions, today: date) -> None:
    """Refuse bad options before any network request."""
    config = library.config
    codes = config.topic_codes()
    for code in options.topics:
        if code not in codes:
            known = ", ".join(sorted(codes)) or "none defined in paperlog.toml"
            raise ValidationError(f"unknown topic code {code!r} (known: {known})")
    tracks = [t.name for t in config.plan.tracks]
    if options.track is not None and tracks and options.track not in tracks:
        raise ValidationError(f"unknown track {options.track!r} (known: {', '.join(tracks)})")
    if options.key is not None:
        if not _KEY_RE.match(options.key):
            raise ValidationError(
                f"--key {options.key!r}: use letters, digits, '.', '_' and '-' "
                "(it becomes the file name)"
            )
        taken = {k.lower(): k for k in library.keys()}  # noqa: SIM118 (a method, not a dict)
        if options.key.lower() in taken:
            raise ValidationError(
                f"--key {options.key!r} is taken", library.paper_path(taken[options.key.lower()])
            )
    if options.read:
        from paperlog.plan.calendar import check_plan

        check_plan(config.plan, library.config_path)  # the week is found from the plan
    if options.read and options.on_date is not None and options.on_date > today:
        raise ValidationError(
            f"cannot log a reading on {options.on_date.isoformat()}: "
            f"it is after today ({today.isoformat()})"
        )
    if options.pick is not None and options.pick < 1:
        raise ValidationError("--pick counts from 1")


_ARXIV_LIKE = re.compile(r"^(?:arxiv\s*:?\s*)?\d{4}\.\d{4,5}(?:v\d+)?$", re.IGNORECASE)
_DOI_LIKE = re.compile(r"^(?:doi\s*:?\s*)?10\.\d+(?:[/.]\S*)?$", re.IGNORECASE)


def _refuse_broken_id(text: str) -> None:
    """An id with a typo must not turn into a title search for "2013.12345"."""
    if _ARXIV_LIKE.match(text):
        raise ValidationError(
            f"{text!r} looks like an arXiv id but is not a valid one "
            "(YYMM.NNNN until 2014, YYMM.NNNNN from 2015, month 01-12)"
        )
    if _DOI_LIKE.match(text):
        raise ValidationError(f"{text!r} looks like a DOI but is not a valid one (10.NNNN/suffix)")


def _refuse_duplicate(library: Library, papers: list[Paper], candidate: Paper) -> None:
    existing = find_duplicate(papers, candidate)
    if existing is None:
        return
    reason = duplicate_reason(existing, candidate) or "same paper"
    raise DuplicatePaper(
        f"already in the library as {existing.key} ({reason}); pass --force to add it anyway",
        library.paper_path(existing.key),
        existing,
    )


def _place(
    library: Library, paper: Paper, papers: list[Paper], options: AddOptions, day: date
) -> tuple[list[WeekInfo] | None, bool]:
    """Put the paper on the wish-list, or log it read in the week of ``day``.

    Returns the weeks to write (None when unchanged) and whether a new week was opened.
    """
    from paperlog.plan.ranks import next_rank

    if not options.read:
        paper.status = "wish"
        paper.wish_group = options.group
        paper.track = paper.track or library.config.plan.track_for_group(options.group)
        paper.rank = next_rank(papers)
        return None, False
    from paperlog.plan.log import add_reading

    # The same core as `paperlog done`: the week from the calendar, the order in that week, a
    # new week opened, and a day in a pause refused rather than given a later week's number.
    weeks = library.load_weeks()
    paper.status = "read"
    paper.readings = []
    _, _, new_week = add_reading(
        library.config.plan, papers, weeks, paper, day, group=options.group
    )
    # weeks.yaml lists the newest week first, as the README does.
    return sorted(weeks, key=lambda w: -w.week), new_week


@dataclass
class Prepared:
    """A paper resolved from what a user typed, not yet written (``add`` shows it first)."""

    paper: Paper
    query: Identifier
    resolution: Resolution
    candidates: list[Candidate] = field(default_factory=list)
    duplicate_of: Paper | None = None
    """The library's item this one duplicates, found after resolving (None: none)."""


def prepare_paper(
    library: Library,
    text: str,
    sources: Sequence[Source],
    options: AddOptions,
    today: date,
) -> Prepared:
    """Resolve ``text`` into a new paper without writing anything (the first half of ``add``).

    Raises what ``add_paper`` raises before it writes; a duplicate found only after resolving
    is reported in ``duplicate_of`` rather than raised, so a caller can show it.
    """
    from paperlog.ids import ids_from_url, parse_identifier

    ident = parse_identifier(text)
    if not ident.value:
        raise ValidationError("nothing to add: give an arXiv id, a DOI, a link or a title")
    if ident.kind == "title":
        _refuse_broken_id(ident.value)
    if ident.kind == "url":
        raise ValidationError(
            f"{ident.value} is a link paperlog cannot read a paper id from; "
            "give its arXiv id, DOI or title instead"
        )
    _check_options(library, options, today)
    day = options.on_date or today
    papers = library.load_papers()
    typed_ids = {ident.kind: ident.value} if ident.kind != "title" else {}
    if ident.kind not in ("title", "url"):
        typed_ids.update(ids_from_url(text.strip()))
    if not options.force:
        # Cheap early refusal: no request is made for a paper the library already holds
        # (same id, or the very title typed).
        typed = ident.value if ident.kind == "title" else ""
        _refuse_duplicate(library, papers, Paper(key="", title=typed, ids=paper_ids(typed_ids)))

    candidates: list[Candidate] = []
    if ident.kind == "title":
        candidates, outcomes = search_title(sources, ident.value)
        if not candidates:
            raise nothing_found(f"a paper titled {ident.value!r}", outcomes.values())
        chosen = choose_candidate(candidates, ident.value, options.pick)
        resolution = resolve_identifier(sources, None, seed=chosen.records, outcomes=outcomes)
    else:
        if options.pick is not None:
            raise ValidationError("--pick chooses among title search results; this is an id")
        resolution = resolve_identifier(sources, ident)
    merged = resolution.merged
    if not merged.title:
        raise NotFound(f"the sources gave no title for {ident.kind} {ident.value}")

    paper = Paper(key="", title=merged.title)
    fill_from_merged(paper, merged)
    for kind, value in typed_ids.items():
        if kind in PAPER_ID_KINDS:
            paper.ids.setdefault(kind, value)
    paper.track = options.track
    paper.topics = list(options.topics)
    paper.added = day
    paper.notes = NOTE_SKELETON
    return Prepared(paper, ident, resolution, candidates, find_duplicate(papers, paper))


def add_paper(
    library: Library,
    text: str,
    sources: Sequence[Source],
    options: AddOptions,
    today: date,
) -> Added:
    """Resolve ``text`` (arXiv id, DOI, link or title), merge the answers, write a new paper.

    Raises ``ValidationError`` for input that names no paper or bad options,
    ``DuplicatePaper`` when the paper is already there (unless ``options.force``),
    ``AmbiguousTitle`` when a title needs ``--pick``, and ``NotFound`` / ``NetworkError`` when
    no source gave a record. The library is unchanged whenever an error is raised.
    """
    from paperlog.citekey import citekey_formula, make_citekey, taken_citekeys
    from paperlog.model import make_key

    prepared = prepare_paper(library, text, sources, options, today)
    paper, ident = prepared.paper, prepared.query
    resolution, candidates = prepared.resolution, prepared.candidates
    day = options.on_date or today
    with library.lock():
        papers = library.load_papers()  # again: another process may have written meanwhile
        duplicate_of = None
        existing = find_duplicate(papers, paper)
        if existing is not None:
            if not options.force:
                _refuse_duplicate(library, papers, paper)
            duplicate_of = existing.key
        taken = {p.key.lower() for p in papers}
        paper.key = options.key or make_key(paper, taken)
        paper.citekey = make_citekey(paper, taken_citekeys(papers), citekey_formula(library.config))
        weeks, new_week = _place(library, paper, papers, options, day)
        library.validate(paper)
        library.write_all(papers=[paper], weeks=weeks)
    return Added(
        paper=paper,
        path=library.paper_path(paper.key),
        query=ident,
        resolution=resolution,
        candidates=candidates,
        duplicate_of=duplicate_of,
        new_week=new_week,
    )
