"""From what a user typed (an arXiv id, DOI, link or title) to one merged record.

Asks the sources and merges their answers; writes nothing (``paperlog.services.add`` decides
what to write). The steps, each a function a test or the web app can call on its own:

1. ``parse_identifier`` (paperlog.ids) says what the user typed.
2. ``resolve_identifier`` asks every source that can look that kind of id up, then asks the
   sources that could not (or had nothing) again by the ids the first answers revealed (an
   arXiv record names its DOI; Crossref then knows the published venue). One source failing
   is reported, not fatal; all failing is an error.
   For a title, ``search_title`` gathers candidates from every source, groups the records that
   describe one paper, and ``choose_candidate`` takes the best only when it is unambiguous.
3. ``merge_records`` (merge.py) makes one answer; ``fill_from_merged`` puts it in a ``Paper``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from paperlog.errors import NetworkError, NotFound, PaperlogError, ValidationError
from paperlog.model import ID_KINDS, Paper
from paperlog.resolve.dedupe import normalize_id
from paperlog.resolve.merge import Merged, merge_records

if TYPE_CHECKING:
    from paperlog.ids import Identifier
    from paperlog.resolve.record import Record, Source

MATCH_THRESHOLD = 90.0
"""A title search takes its best candidate on its own only when the typed title scores at least
this (rapidfuzz ``ratio`` of the normalised titles, 0-100) ..."""
MATCH_MARGIN = 5.0
"""... and beats the runner-up by at least this much; otherwise the user picks (``--pick N``)."""
SEARCH_LIMIT = 5
"""Records asked of each source for a title search."""
MAX_CANDIDATES = 10
"""The body of a new paper file: where ``review`` finds the key ideas, then free notes."""

# Identifier kinds kept in a paper's ``ids``; descriptive keys a source adds (arXiv's
# "arxiv_category") are not identifiers.
PAPER_ID_KINDS = frozenset(ID_KINDS) | {"acl"}
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)


# --- outcomes ------------------------------------------------------------------------------


@dataclass
class SourceOutcome:
    """What one source did: answered, had no such paper, failed (and why), or could not ask."""

    source: str
    status: str
    """"answered" | "not found" | "failed" | "skipped" (cannot look up that kind of id)."""
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: ``{"source", "status", "reason"}``."""
        return {"source": self.source, "status": self.status, "reason": self.reason}


@dataclass
class Resolution:
    """The merged answer about one paper, the records behind it, and what each source did."""

    merged: Merged
    records: list[Record]
    outcomes: list[SourceOutcome]
    matched: str | None = None
    """How the paper was recognised, for ``enrich`` to report: "doi 10.1/x", "title (97%) +
    year + author"."""

    @property
    def answered(self) -> list[str]:
        """Names of the sources that gave a record."""
        return [o.source for o in self.outcomes if o.status == "answered"]

    @property
    def problems(self) -> list[SourceOutcome]:
        """Sources that failed or had nothing, with the reason (to report, not to stop on)."""
        return [o for o in self.outcomes if o.status in ("failed", "not found")]


@dataclass
class Candidate:
    """One paper a title search found, possibly described by several sources."""

    records: list[Record]
    merged: Merged
    score: float
    """rapidfuzz ratio (0-100) of the typed title against the candidate's best title."""

    def to_dict(self, number: int) -> dict[str, Any]:
        """JSON shape of a candidate, numbered as ``--pick`` takes it."""
        return {
            "pick": number,
            "score": round(self.score, 1),
            "title": self.merged.title,
            "authors": list(self.merged.authors),
            "year": self.merged.year,
            "venue": (self.merged.venue or self.merged.venue_short or self.merged.venue_raw)
            if self.merged.published
            else None,
            "ids": paper_ids(self.merged.ids),
            "sources": list(self.merged.sources),
        }


class AmbiguousTitle(PaperlogError):
    """A title search found several plausible papers (or none close enough): the user picks."""

    def __init__(self, message: str, candidates: list[Candidate]) -> None:
        super().__init__(message)
        self.candidates = candidates


# --- asking the sources ----------------------------------------------------------------------


def _ask(source: Source, ident: Identifier, outcomes: dict[str, SourceOutcome]) -> Record | None:
    """Look ``ident`` up in one source, recording the outcome; errors become outcomes."""
    try:
        record = source.lookup(ident)
    except NotFound as exc:
        outcomes[source.name] = SourceOutcome(source.name, "not found", str(exc))
        return None
    except NetworkError as exc:
        outcomes[source.name] = SourceOutcome(source.name, "failed", str(exc))
        return None
    except PaperlogError as exc:  # a source that cannot read its own answer: report, go on
        outcomes[source.name] = SourceOutcome(source.name, "failed", str(exc))
        return None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # An answer of a shape the source's parser did not expect is that source's failure;
        # the other sources can still answer.
        outcomes[source.name] = SourceOutcome(
            source.name, "failed", f"{source.name}: unreadable answer ({type(exc).__name__}: {exc})"
        )
        return None
    if record is None:
        outcomes.setdefault(source.name, SourceOutcome(source.name, "skipped"))
        return None
    outcomes[source.name] = SourceOutcome(source.name, "answered")
    return record


def _follow_up_idents(merged: Merged, tried: set[tuple[str, str]]) -> list[Identifier]:
    from paperlog.ids import ID_PRIORITY, Identifier

    out = []
    for kind in ID_PRIORITY:
        value = merged.ids.get(kind)
        if not value or (kind, normalize_id(kind, value)) in tried:
            continue
        if kind == "doi" and _ARXIV_DOI.match(value):
            continue  # arXiv's own DataCite DOI: Crossref does not know it, arXiv id covers it
        out.append(Identifier(kind, value))
    return out


def nothing_found(what: str, outcomes: Iterable[SourceOutcome]) -> PaperlogError:
    """The error when no source gave a record: which sources said what."""
    outcomes = list(outcomes)
    asked = [o for o in outcomes if o.status != "skipped"]
    if not asked:
        return ValidationError(
            f"no metadata source can look up {what}; add it by arXiv id, DOI or title instead"
        )
    reasons = "; ".join(o.reason or f"{o.source}: {o.status}" for o in asked)
    if any(o.status == "not found" for o in asked):
        return NotFound(f"no source knows {what}: {reasons}")
    return NetworkError(f"could not look up {what}: {reasons}")


def resolve_identifier(
    sources: Sequence[Source],
    ident: Identifier | None,
    *,
    seed: Sequence[Record] = (),
    outcomes: dict[str, SourceOutcome] | None = None,
) -> Resolution:
    """Ask the sources about ``ident`` (and the ids their answers reveal), then merge.

    ``seed`` holds records already in hand (a chosen search candidate); ``outcomes`` what the
    sources did before (a search), so a source that failed is not asked again. Raises
    ``NotFound`` / ``NetworkError`` / ``ValidationError`` when no record at all is found.
    """
    # A source that answered a search with other papers has not answered about this one.
    outcomes = {k: v for k, v in (outcomes or {}).items() if v.status != "answered"}
    records = list(seed)
    for record in seed:
        outcomes[record.source] = SourceOutcome(record.source, "answered")
    tried: set[tuple[str, str]] = set()
    if ident is not None:
        tried.add((ident.kind, normalize_id(ident.kind, ident.value)))
        for source in sources:
            if source.name not in outcomes:
                found = _ask(source, ident, outcomes)
                if found is not None:
                    records.append(found)
    if not records:
        what = f"{ident.kind} {ident.value}" if ident else "that paper"
        raise nothing_found(what, outcomes.values())
    # Second round: the sources that could not answer the typed id may know a revealed one.
    follow = _follow_up_idents(merge_records(records), tried)
    for source in sources:
        for extra in follow:
            previous = outcomes.get(source.name)
            if previous is not None and previous.status in ("answered", "failed"):
                break
            found = _ask(source, extra, outcomes)
            if found is not None:
                records.append(found)
                break
    records = drop_strays(records, ident, outcomes)
    order = {s.name: i for i, s in enumerate(sources)}
    ordered = sorted(outcomes.values(), key=lambda o: (order.get(o.source, len(order)), o.source))
    return Resolution(merge_records(records), records, ordered)


# The source that issues each kind of id: its record is the reference for the others.
_AUTHORITY = {"arxiv": "arxiv", "doi": "crossref", "openreview": "openreview", "s2": "s2"}
STRAY_TITLE = 65.0
"""A record whose title scores below this (rapidfuzz ``token_sort_ratio`` of normalised titles)
against the reference record describes another paper and is left out of the merge. Papers on
one topic score about 55 ("A Simple Framework for Contrastive Learning ..." against "Improved
Baselines with Momentum Contrastive Learning"); a preprint renamed for publication about 80
("Big Transfer (BiT): General Visual Representation Learning" against "Large Scale Learning of
General Visual Representations for Transfer")."""


def drop_strays(
    records: list[Record], ident: Identifier | None, outcomes: dict[str, SourceOutcome]
) -> list[Record]:
    """Leave out records about another paper (a source that mapped an id to the wrong work)."""
    from rapidfuzz import fuzz

    from paperlog.resolve.dedupe import normalize_title

    authority = _AUTHORITY.get(ident.kind) if ident is not None else None
    reference = next((r for r in records if r.source == authority and r.title), None)
    reference = reference or next((r for r in records if r.title), None)
    if reference is None or reference.title is None:
        return records
    ref_title = normalize_title(reference.title)
    kept = []
    for record in records:
        if record.title and fuzz.token_sort_ratio(ref_title, normalize_title(record.title)) < (
            STRAY_TITLE
        ):
            outcomes[record.source] = SourceOutcome(
                record.source,
                "failed",
                f"{record.source}: answered about another paper ({record.title!r})",
            )
            continue
        kept.append(record)
    return kept


def _same_paper(record: Record, group: list[Record]) -> bool:
    """Does ``record`` describe the paper ``group`` describes?

    A shared identifier says yes and different arXiv ids say no; otherwise near-identical
    titles within a year of each other say yes. One source may list a paper twice (DBLP keeps
    the CoRR preprint and the ICML paper as two records), so the source does not matter.
    """
    from paperlog.resolve.dedupe import IDENTIFYING_KINDS, TITLE_THRESHOLD, title_similarity

    for other in group:
        for kind in IDENTIFYING_KINDS:
            a, b = record.ids.get(kind), other.ids.get(kind)
            if a and b and normalize_id(kind, a) == normalize_id(kind, b):
                return True
    for other in group:
        a, b = record.ids.get("arxiv"), other.ids.get("arxiv")
        if a and b and normalize_id("arxiv", a) != normalize_id("arxiv", b):
            return False
    for other in group:
        if not record.title or not other.title:
            continue
        close_years = (
            record.year is None or other.year is None or abs(record.year - other.year) <= 1
        )
        if close_years and title_similarity(record.title, other.title) >= TITLE_THRESHOLD:
            return True
    return False


def title_score(query: str, title: str | None) -> float:
    """rapidfuzz ``ratio`` (0-100) of two titles after normalising case and punctuation."""
    from rapidfuzz import fuzz

    from paperlog.resolve.dedupe import normalize_title

    if not title:
        return 0.0
    return float(fuzz.ratio(normalize_title(query), normalize_title(title)))


def search_title(
    sources: Sequence[Source],
    title: str,
    limit: int = SEARCH_LIMIT,
    also: Sequence[str] = (),
) -> tuple[list[Candidate], dict[str, SourceOutcome]]:
    """Candidates for a typed title from every source, best first, and what each source did.

    Records from different sources that describe one paper (a shared id, or near-identical
    titles within a year) form one candidate. A candidate scores its best match against
    ``title`` or any of ``also`` (a library paper's "Nickname: Title"), though only ``title``
    is sent to the sources: a nickname that is not part of the real title would find nothing.
    """
    outcomes: dict[str, SourceOutcome] = {}
    groups: list[list[Record]] = []
    for source in sources:
        try:
            found = source.search(title, limit)
        except NetworkError as exc:
            outcomes[source.name] = SourceOutcome(source.name, "failed", str(exc))
            continue
        except PaperlogError as exc:
            outcomes[source.name] = SourceOutcome(source.name, "failed", str(exc))
            continue
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            reason = f"{source.name}: unreadable answer ({type(exc).__name__}: {exc})"
            outcomes[source.name] = SourceOutcome(source.name, "failed", reason)
            continue
        outcomes[source.name] = SourceOutcome(
            source.name, "answered" if found else "not found", None if found else "no match"
        )
        for record in found:
            home = next((g for g in groups if _same_paper(record, g)), None)
            if home is None:
                groups.append([record])
            else:
                home.append(record)
    typed = [title, *also]
    candidates = [
        Candidate(
            group,
            merge_records(group),
            max(title_score(t, r.title) for r in group for t in typed),
        )
        for group in groups
    ]
    candidates.sort(
        key=lambda c: (-c.score, -len(c.records), c.merged.title or "", c.merged.year or 0)
    )
    return candidates[:MAX_CANDIDATES], outcomes


def choose_candidate(candidates: list[Candidate], title: str, pick: int | None) -> Candidate:
    """``--pick N`` (1-based), else the best candidate when it is clearly the one.

    Clearly: it scores at least ``MATCH_THRESHOLD`` and beats the runner-up by at least
    ``MATCH_MARGIN``. Otherwise raises ``AmbiguousTitle`` carrying the candidates to show.
    """
    if pick is not None:
        if not 1 <= pick <= len(candidates):
            raise ValidationError(
                f"--pick {pick} is out of range: the search for {title!r} found "
                f"{len(candidates)} candidate(s)"
            )
        return candidates[pick - 1]
    best = candidates[0]
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    if best.score >= MATCH_THRESHOLD and best.score - runner_up >= MATCH_MARGIN:
        return best
    why = (
        "no candidate matches it closely"
        if best.score < MATCH_THRESHOLD
        else f"{sum(1 for c in candidates if best.score - c.score < MATCH_MARGIN)} match it "
        "about as well"
    )
    raise AmbiguousTitle(
        f"{len(candidates)} candidate(s) for {title!r} and {why}; "
        "run again with --pick N to choose one",
        candidates,
    )


# --- building the paper ------------------------------------------------------------------------


def paper_ids(ids: dict[str, str]) -> dict[str, str]:
    """The identifiers worth keeping on a paper: known kinds only, arXiv DOIs as arXiv ids."""
    out: dict[str, str] = {}
    for kind, value in sorted(ids.items()):
        if not value or kind not in PAPER_ID_KINDS:
            continue
        match = _ARXIV_DOI.match(value) if kind == "doi" else None
        if match:
            out.setdefault("arxiv", match.group(1))
            continue
        out[kind] = value
    if ids.get("arxiv"):
        out["arxiv"] = ids["arxiv"]
    return dict(sorted(out.items()))


def badge_label(venue: str | None, year: int | None, qualifier: str | None = None) -> str | None:
    """A venue badge in the hand-kept style: "ICML 2020", "2020" for a preprint, or None."""
    parts = [part for part in (venue, str(year) if year else None, qualifier) if part]
    return " ".join(parts) or None


def fill_from_merged(paper: Paper, merged: Merged) -> None:
    """Set a new paper's metadata from a merged answer (used by ``add``).

    A published venue is kept as the source names it (``container``: "Physical Review D");
    ``venue`` is the short name: paperlog's canonical one where the venue table knows it
    ("ICML"), else the source's abbreviation or name ("PLoS ONE"). A preprint gets no venue,
    as hand-kept lists write just the year for those. The badge (``venue_label``) is
    "VENUE YEAR", or the year alone.
    """
    paper.authors = list(merged.authors)
    paper.year = merged.year
    paper.preprint_year = merged.preprint_year
    paper.entry_type = merged.entry_type
    if merged.published:
        paper.container = merged.venue_raw
        paper.venue = merged.venue or merged.venue_short or merged.venue_raw
    else:
        paper.container = paper.venue = None
    # The README shows a paper's badge as written; a new paper gets one in the same style.
    paper.venue_label = badge_label(paper.venue, paper.year)
    paper.abstract = merged.abstract
    paper.ids = paper_ids(merged.ids)
    paper.url = merged.url
