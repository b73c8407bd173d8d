"""``paperlog enrich``: the service that fills the metadata imported entries lack.

Looks each chosen paper up (``paperlog.resolve.enrich``), never overriding the user, and
decides what to write: every changed paper at the end in one batch (``Library.save_papers``:
all staged, then all renamed), so an interrupted run writes nothing and never half a file. A
paper whose file changed on disk while the sources were being asked is left alone and
reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from paperlog.errors import NetworkError, NotFound, PaperlogError
from paperlog.resolve.enrich import Conflict, apply_resolution, lookup_paper, needs_enrich
from paperlog.resolve.reasons import short_reason, unreachable

if TYPE_CHECKING:
    from paperlog.library import Library
    from paperlog.model import Paper
    from paperlog.resolve.record import Source

ProgressFn = Callable[[int, int, str], None]


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
