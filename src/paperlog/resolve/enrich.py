"""Enriching one paper: look it up by what it carries and merge the answer into it.

For each paper: look it up by the identifiers it carries (its ``ids``, else what its ``url``
reveals), else search its title and take the best match only when it is unambiguous (the same
rule as ``add``). ``apply_resolution`` fills only what is missing: authors, abstract, year,
venue, ids, url. A value the paper already has is kept; when a source disagrees (the file says
2019, Crossref says 2020) that is a ``Conflict``, not silently decided; ``overwrite`` replaces
such values instead. Nothing here writes: ``paperlog.services.enrich`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from paperlog.errors import NetworkError, PaperlogError
from paperlog.resolve.dedupe import IDENTIFYING_KINDS, normalize_id
from paperlog.resolve.resolution import (
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

if TYPE_CHECKING:
    from paperlog.model import Paper
    from paperlog.resolve.merge import Merged
    from paperlog.resolve.record import Source

TITLE_AGREEMENT = 50.0
"""When a paper is looked up by an id, the answer's title must score at least this against the
paper's (rapidfuzz ``token_set_ratio`` of normalised titles, which tolerates the shortened
titles hand-kept lists use); below it the id probably points at another paper."""


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
