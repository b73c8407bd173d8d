"""``paperlog enrich``: fill the metadata imported entries lack, never overriding the user.

For each paper: look it up by the identifiers it carries (its ``ids``, else what its ``url``
reveals), else search its title and take the best match only when it is unambiguous (the same
rule as ``add``). Then fill only what is missing: authors, abstract, year, venue, ids, url,
citekey. A value the library already has is kept; when a source disagrees (the file says 2019,
Crossref says 2020) that is reported as a conflict, not silently decided. ``overwrite`` replaces
such values with the merged answer instead.

Every changed paper is written at the end in one batch (``Library.save_papers``: all staged,
then all renamed), so an interrupted run writes nothing and never half a file. A paper whose file
changed on disk while the sources were being asked is left alone and reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from paperlog.errors import NetworkError, NotFound, PaperlogError
from paperlog.resolve.adding import (
    AmbiguousTitle,
    Candidate,
    Resolution,
    badge_label,
    choose_candidate,
    nothing_found,
    paper_ids,
    resolve_identifier,
    search_title,
)
from paperlog.resolve.dedupe import IDENTIFYING_KINDS, normalize_id
from paperlog.resolve.reasons import short_reason, unreachable

if TYPE_CHECKING:
    from paperlog.library import Library
    from paperlog.model import Paper
    from paperlog.resolve.merge import Merged
    from paperlog.resolve.record import Source

TITLE_AGREEMENT = 50.0
"""When a paper is looked up by an id, the answer's title must score at least this against the
paper's (rapidfuzz ``token_set_ratio`` of normalised titles, which tolerates the shortened
titles hand-kept lists use); below it the id probably points at another paper."""

ProgressFn = Callable[[int, int, str], None]


@dataclass
class Conflict:
    """A field where the library and the sources disagree."""

    key: str
    field: str
    ours: str
    theirs: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: ``{"key", "field", "ours", "theirs", "source"}``."""
        return {
            "key": self.key,
            "field": self.field,
            "ours": self.ours,
            "theirs": self.theirs,
            "source": self.source,
        }


@dataclass
class Enriched:
    """One paper that gained metadata: field -> the source that gave it."""

    key: str
    filled: dict[str, str]
    overwritten: list[str] = field(default_factory=list)
    matched: str = ""
    """How the sources' answer was recognised as this paper: "arxiv 2002.05709", "title (97%)
    + year + author"."""


@dataclass
class Failure:
    """A paper that could not be looked up, and why."""

    key: str
    reason: str
    """One short line: "not found in S2, Crossref", "arXiv: cannot connect"."""
    network: bool = False
    """True when the sources could not be reached (rather than not knowing the paper)."""
    detail: str = ""
    """The whole message, with the requests made (for --json and bug reports)."""


@dataclass
class EnrichReport:
    """What an enrich run did (or, with ``dry_run``, would do)."""

    enriched: list[Enriched] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    skipped: int = 0
    """Papers not looked up: complete already, or not papers (talks, notes)."""
    dry_run: bool = False
    stopped: str | None = None
    """Why the run stopped early: the sources could not be reached at all."""
    not_tried: list[str] = field(default_factory=list)
    """Keys not looked up because the run stopped."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON ``enrich --json`` prints."""
        return {
            "dry_run": self.dry_run,
            "enriched": [
                {
                    "key": e.key,
                    "matched": e.matched,
                    "filled": dict(e.filled),
                    "overwritten": list(e.overwritten),
                }
                for e in self.enriched
            ],
            "unchanged": list(self.unchanged),
            "conflicts": [c.to_dict() for c in self.conflicts],
            "failed": [
                {"key": f.key, "reason": f.reason, "network": f.network, "detail": f.detail}
                for f in self.failed
            ],
            "skipped": self.skipped,
            "stopped": self.stopped,
            "not_tried": list(self.not_tried),
            "summary": {
                "enriched": len(self.enriched),
                "unchanged": len(self.unchanged),
                "conflicts": len(self.conflicts),
                "failed": len(self.failed),
                "skipped": self.skipped,
                "not_tried": len(self.not_tried),
            },
        }


def needs_enrich(paper: Paper) -> bool:
    """True for a paper (not a talk or notes) that lacks authors, abstract, year, ids or citekey.

    The venue is not asked for: a preprint has none, and would otherwise be looked up forever.
    """
    if paper.kind != "paper":
        return False
    return (
        not paper.authors
        or not paper.abstract
        or paper.year is None
        or not paper.citekey
        or not any(k in paper.ids for k in IDENTIFYING_KINDS)
    )


def _known_ids(paper: Paper) -> dict[str, str]:
    from paperlog.ids import ids_from_url

    ids = {k: v for k, v in paper.ids.items() if k in IDENTIFYING_KINDS and v}
    if paper.url:
        for kind, value in ids_from_url(paper.url).items():
            ids.setdefault(kind, value)
    return ids


def lookup_paper(sources: Sequence[Source], paper: Paper) -> Resolution:
    """Ask the sources about a library paper: by its ids, else by an unambiguous title match.

    Raises ``PaperlogError`` subclasses with a one-line reason when nothing usable is found.
    """
    from paperlog.ids import ID_PRIORITY, Identifier

    ids = _known_ids(paper)
    by_id: PaperlogError | None = None
    for kind in ID_PRIORITY:
        if kind not in ids:
            continue
        try:
            resolution = resolve_identifier(sources, Identifier(kind, ids[kind]))
        except NetworkError:
            raise  # the sources are down: a title search would fail the same way
        except PaperlogError as exc:
            # Unknown to every source, or a kind none can look up (CVF, PII): the title may do.
            by_id = by_id or exc
            continue
        _check_same_paper(paper, resolution, f"{kind} {ids[kind]}")
        resolution.matched = f"{kind} {ids[kind]}"
        return resolution
    try:
        also = [paper.display_title] if paper.nickname else []
        candidates, outcomes = search_title(sources, paper.title, also=also)
        if not candidates:
            raise nothing_found(f"a paper titled {paper.title!r}", outcomes.values())
        chosen = choose_candidate(candidates, paper.title, None)
    except AmbiguousTitle as exc:
        best = exc.candidates[0]
        raise PaperlogError(
            f"title search is not conclusive (best: {best.merged.title!r}, "
            f"{best.score:.0f}% similar, {len(exc.candidates)} candidates); "
            "add an arXiv id or DOI to the paper's ids" + _also(by_id)
        ) from None
    except PaperlogError as exc:
        raise type(exc)(exc.message + _also(by_id)) from None
    how = _title_match(paper, chosen)
    resolution = resolve_identifier(sources, None, seed=chosen.records, outcomes=outcomes)
    resolution.matched = how
    return resolution


YEAR_SLACK = 1
"""A title match is taken only when the years are at most this far apart (a preprint and its
publication a year later), counting the preprint year the sources give as well."""


def _family(name: str) -> str:
    from paperlog.citekey import family_name, fold

    return "".join(ch for ch in fold(family_name(name)) if ch.isalnum())


def _title_match(paper: Paper, chosen: Candidate) -> str:
    """How a title match agrees with the paper ("title (97%) + year + author"); a near miss
    (the same title, another year or other authors: a namesake) raises instead."""
    merged = chosen.merged
    parts = [f"title ({chosen.score:.0f}%)"]
    if paper.year is not None and merged.year is not None:
        years = [y for y in (merged.year, merged.preprint_year) if y is not None]
        if min(abs(paper.year - y) for y in years) > YEAR_SLACK:
            raise PaperlogError(
                f"title search found {merged.title!r} from {merged.year}, but this paper is "
                f"from {paper.year}: another paper of that title, not taken; "
                "add its arXiv id or DOI to the paper's ids"
            )
        parts.append("year")
    if paper.authors and merged.authors:
        theirs = {_family(a) for a in merged.authors}
        if _family(paper.authors[0]) not in theirs:
            raise PaperlogError(
                f"title search found {merged.title!r} by {merged.authors[0]}, but this "
                f"paper's first author is {paper.authors[0]}: another paper of that title, "
                "not taken; add its arXiv id or DOI to the paper's ids"
            )
        parts.append("author")
    return " + ".join(parts)


def _also(error: PaperlogError | None) -> str:
    return f" (by id: {error.message})" if error is not None else ""


def _check_same_paper(paper: Paper, resolution: Resolution, what: str) -> None:
    from rapidfuzz import fuzz

    from paperlog.resolve.dedupe import normalize_title

    found = resolution.merged.title
    if not found:
        return
    score = max(
        fuzz.token_set_ratio(normalize_title(t), normalize_title(found))
        for t in (paper.title, paper.display_title)
    )
    if score < TITLE_AGREEMENT:
        raise PaperlogError(
            f"{what} names {found!r}, which does not look like this paper's title; "
            "check its ids and url"
        )


def _venue_of(paper: Paper) -> str | None:
    """The venue the user gave: the canonical field, else what the badge label names."""
    if paper.venue:
        return paper.venue
    return _badge_parts(paper)[0]


def _badge_parts(paper: Paper) -> tuple[str | None, str | None]:
    """(venue as the badge writes it, qualifier such as "Oral") of the paper's badge."""
    if not paper.venue_label:
        return None, None
    from paperlog.venues import parse_badge

    badge = parse_badge(paper.venue_label)
    if badge.venue is None and badge.year is None:
        # Words paperlog cannot read ("BHI Journal"): the user's venue, kept whole.
        return paper.venue_label, None
    return badge.venue, badge.qualifier


def _same_venue(ours: str, theirs: str) -> bool:
    from paperlog.venues import canonical_venue

    if ours.casefold() == theirs.casefold():
        return True
    return (canonical_venue(ours) or ours).casefold() == theirs.casefold()


@dataclass
class _Change:
    filled: dict[str, str] = field(default_factory=dict)
    overwritten: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


def apply_resolution(paper: Paper, resolution: Resolution, overwrite: bool) -> _Change:
    """Fill the paper's missing fields from the merged answer; list or apply disagreements.

    Changes ``paper`` in place. The citation key is left to the caller (it needs the library).
    """
    merged = resolution.merged
    prov = merged.provenance
    change = _Change()

    def conflict(name: str, ours: object, theirs: object, source_field: str) -> None:
        change.conflicts.append(
            Conflict(paper.key, name, str(ours), str(theirs), prov.get(source_field, "?"))
        )

    for name in ("authors", "abstract"):
        theirs = getattr(merged, name)
        ours = getattr(paper, name)
        if not theirs:
            continue
        if not ours:
            setattr(paper, name, theirs)
            change.filled[name] = prov.get(name, "?")
        elif overwrite and ours != theirs:
            setattr(paper, name, theirs)
            change.filled[name] = prov.get(name, "?")
            change.overwritten.append(name)

    old_badge = _badge_parts(paper)
    badge_stale = False
    if merged.year is not None:
        if paper.year is None:
            paper.year = merged.year
            change.filled["year"] = prov.get("year", "?")
            badge_stale = True
        elif paper.year != merged.year:
            if overwrite:
                paper.year = merged.year
                change.filled["year"] = prov.get("year", "?")
                change.overwritten.append("year")
                badge_stale = True
            else:
                conflict("year", paper.year, merged.year, "year")

    # the same short name ``add`` keeps: canonical where known, else the source's own
    theirs_venue = (
        (merged.venue or merged.venue_short or merged.venue_raw) if merged.published else None
    )
    if theirs_venue:
        ours_venue = _venue_of(paper)
        if ours_venue is None:
            paper.venue = theirs_venue
            change.filled["venue"] = prov.get("venue", "?")
            badge_stale = True
        elif not _same_venue(ours_venue, theirs_venue):
            if overwrite:
                paper.venue = theirs_venue
                change.filled["venue"] = prov.get("venue", "?")
                change.overwritten.append("venue")
                badge_stale = True
            else:
                conflict("venue", paper.venue_label or ours_venue, theirs_venue, "venue")
        elif paper.venue is None:
            # The badge names it ("NIPS 2019") but the field was empty: the canonical name.
            paper.venue = theirs_venue
            change.filled["venue"] = prov.get("venue", "?")

    if badge_stale and paper.kind == "paper":
        # The README shows the badge as written: rewrite it in the same "VENUE YEAR" style so
        # it shows what was learnt ("2020" becomes "ICML 2020"), keeping any qualifier ("Oral").
        venue_text, qualifier = old_badge
        if "venue" in change.filled or venue_text is None:
            venue_text = paper.venue
        paper.venue_label = badge_label(venue_text, paper.year, qualifier)

    ids_changed = False
    for kind, value in paper_ids(merged.ids).items():
        if kind not in paper.ids:
            paper.ids[kind] = value
            ids_changed = True
        elif normalize_id(kind, paper.ids[kind]) != normalize_id(kind, value):
            if overwrite:
                paper.ids[kind] = value
                ids_changed = True
                change.overwritten.append(f"ids.{kind}")
            else:
                conflict(f"ids.{kind}", paper.ids[kind], value, "ids")
    if ids_changed:
        paper.ids = dict(sorted(paper.ids.items()))
        change.filled["ids"] = prov.get("ids", "?")

    if not paper.url and merged.url:
        paper.url = merged.url
        change.filled["url"] = prov.get("url", "?")
    _fill_citation(paper, merged, change)
    return change


def _fill_citation(paper: Paper, merged: Merged, change: _Change) -> None:
    """What a citation needs and the paper lacks: the published container ("Physical Review
    D") and entry type when the venue agrees with the paper's, and the preprint year."""
    if paper.kind != "paper":
        return
    prov = merged.provenance
    published = merged.published and (
        paper.venue is None or merged.venue is None or _same_venue(paper.venue, merged.venue)
    )
    if published and merged.venue_raw and not paper.container:
        paper.container = merged.venue_raw
        change.filled["container"] = prov.get("venue", "?")
    if merged.entry_type and not paper.entry_type and (published or not _venue_of(paper)):
        paper.entry_type = merged.entry_type
        change.filled["entry_type"] = prov.get("entry_type", "?")
    if merged.preprint_year and paper.preprint_year is None and paper.year == merged.year:
        paper.preprint_year = merged.preprint_year
        change.filled["preprint_year"] = prov.get("year", "?")


def enrich_library(
    library: Library,
    sources: Sequence[Source],
    *,
    keys: list[str] | None = None,
    overwrite: bool = False,
    dry_run: bool = False,
    progress: ProgressFn | None = None,
) -> EnrichReport:
    """Enrich the named papers (exact keys), or every paper ``needs_enrich`` picks.

    With ``overwrite`` every named paper (or every paper of kind "paper") is looked up, and the
    sources' values replace the library's where they differ.
    """
    from paperlog.citekey import citekey_formula, make_citekey, taken_citekeys

    report = EnrichReport(dry_run=dry_run)
    papers = library.load_papers()
    by_key = {p.key: p for p in papers}
    if keys is not None:
        unknown = [k for k in keys if k not in by_key]
        if unknown:
            raise NotFound(f"no paper with key {unknown[0]!r} in {library.papers_dir}")
        chosen = [by_key[k] for k in dict.fromkeys(keys)]
    else:
        chosen = [p for p in papers if (p.kind == "paper" if overwrite else needs_enrich(p))]
        report.skipped = len(papers) - len(chosen)
    # What each file said when it was read, so a file edited meanwhile is not overwritten.
    before = {p.key: library.paper_path(p.key).read_text(encoding="utf-8") for p in chosen}
    taken = taken_citekeys(papers)
    formula = citekey_formula(library.config)
    changed: list[Paper] = []
    clients = {id(c): c for c in (getattr(s, "client", None) for s in sources) if c is not None}
    for done, paper in enumerate(chosen, start=1):
        if progress is not None:
            progress(done - 1, len(chosen), paper.key)
        for client in clients.values():
            client.start_deadline()  # each paper gets the whole network deadline
        try:
            resolution = lookup_paper(sources, paper)
        except NetworkError as exc:
            reason = short_reason(exc.message)
            report.failed.append(Failure(paper.key, reason, network=True, detail=exc.message))
            if unreachable(exc.message):
                # No source can be reached: every other paper would wait for the same
                # failures (170 papers took 8 minutes); stop and say so instead.
                report.stopped = reason
                report.not_tried = [p.key for p in chosen[done:]]
                break
            continue
        except PaperlogError as exc:
            report.failed.append(Failure(paper.key, short_reason(exc.message), detail=exc.message))
            continue
        change = apply_resolution(paper, resolution, overwrite)
        if not paper.citekey:
            paper.citekey = make_citekey(paper, taken, formula)
            taken.add(paper.citekey.lower())
            change.filled["citekey"] = "paperlog"
        report.conflicts.extend(change.conflicts)
        if change.filled:
            report.enriched.append(
                Enriched(paper.key, change.filled, change.overwritten, resolution.matched or "")
            )
            changed.append(paper)
        else:
            report.unchanged.append(paper.key)
    if progress is not None:
        progress(len(chosen), len(chosen), "")
    if dry_run or not changed:
        return report
    with library.lock():
        to_write = []
        for paper in changed:
            path = library.paper_path(paper.key)
            now = path.read_text(encoding="utf-8") if path.is_file() else None
            if now != before[paper.key]:
                report.failed.append(
                    Failure(paper.key, f"{path} changed while enriching; run enrich again")
                )
                report.enriched = [e for e in report.enriched if e.key != paper.key]
                continue
            to_write.append(paper)
        library.save_papers(to_write)
    return report
