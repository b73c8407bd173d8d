"""``paperlog import readme``: the service that brings a hand-kept README into a library.

The format layer reads the README into records and writes nothing
(``paperlog.formats.readme_import``: the papers it lists, its weeks, resources, topic legend and
free text). This service decides what to write: under the library lock it matches each item
with the papers already there (arXiv ID, DOI, URL, then normalised title; their keys are kept),
syncs them with what the README now says (``formats.readme_sync``: a re-import makes the
library equal to a fresh import, paperlog's own changes kept), removes what the README no
longer lists and nobody touched, refuses a change the library could not load back, and writes
papers, resources.yaml, weeks.yaml and paperlog.toml in one transaction (``Library.write_all``):
a failure writes nothing.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperlog.citekey import citekey_formula, ensure_citekey, taken_citekeys
from paperlog.errors import ImportProblem
from paperlog.formats.readme_import import (
    ImportWarning,
    Matcher,
    collect_papers,
    keep_lines,
    parse_readme,
    read_text,
)
from paperlog.formats.readme_sync import (
    SyncDiff,
    drop_from_readme,
    from_readme,
    mark_new,
    sync_paper,
    sync_topics,
    sync_weeks,
)
from paperlog.model import make_key
from paperlog.paperfile import paper_to_text
from paperlog.services import collector_paused

if TYPE_CHECKING:
    from paperlog.formats.readme_walk import Parsed
    from paperlog.library import Library
    from paperlog.model import Config, Paper


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    path: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    items: int = 0
    read: int = 0
    wish: int = 0
    weeks: int = 0
    resources: int = 0
    topics: int = 0
    dry_run: bool = False
    removed: int = 0
    added_keys: list[str] = field(default_factory=list)
    updated_keys: list[str] = field(default_factory=list)
    removed_keys: list[str] = field(default_factory=list)
    """Items the README no longer lists that only the README had made: removed."""
    kept_keys: list[str] = field(default_factory=list)
    """Items the README no longer lists but changed in paperlog: kept."""
    moved: list[dict[str, str]] = field(default_factory=list)
    """Items whose place changed: ``{"key", "from", "to"}`` (weeks, wish-list)."""
    changed: list[dict[str, Any]] = field(default_factory=list)
    """Items whose README fields changed: ``{"key", "fields"}``."""
    warnings: list[ImportWarning] = field(default_factory=list)
    refused: str | None = None
    """With ``dry_run``: why the import itself would be refused (see ``ANOTHER_README``)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape ``paperlog import readme --json`` prints."""
        return asdict(self)


ANOTHER_README = 5
"""An import that would remove more than this many items, while the README shares fewer than
half of the items earlier README imports brought in, is taken for another list, not a newer
version of the same one: it is refused unless ``replace`` (the library follows one README, and
importing a colleague's list by mistake must not delete the user's own)."""


def _another_readme(
    path: Path, existing: list[Paper], matched: set[str], removed: int
) -> str | None:
    """Why this import looks like another README replacing the one imported before, or None."""
    made = {p.key for p in existing if from_readme(p)}
    shared = len(made & matched)
    if removed <= ANOTHER_README or 2 * shared >= len(made):
        return None
    return (
        f"this README shares {shared} of the {len(made)} items earlier README imports brought "
        f"in, so it looks like another list, not a newer version of the same one: importing it "
        f"would remove {removed} of them. If it replaces the old README, run the import again "
        "with --replace (--dry-run lists what would be removed); to add papers from another "
        "list, use 'paperlog add' or 'paperlog import bibtex'"
    )


def _merge_config(config: Config, parsed: Parsed, papers: list[Paper]) -> Config:
    """The README's title, intro, topic legend and free text replace the last import's."""
    out = copy.deepcopy(config)
    if parsed.title:
        out.title = parsed.title
    if parsed.intro is not None:
        out.intro = parsed.intro
    out.topics = sync_topics(config.topics, parsed.topics, papers)
    # the README's free text is the README's: a paragraph it no longer has is gone
    out.readme = dict(parsed.readme)
    return out


def _check_loadable(
    config: Config, path: Path, weeks: list[Any] | None = None, resources: list[Any] | None = None
) -> None:
    """Refuse to write a paperlog.toml (or weeks.yaml, resources.yaml) the library could not
    load back (it would brick every command, re-import included)."""
    from paperlog.errors import PaperlogError
    from paperlog.library import (
        config_from_toml,
        config_to_toml,
        resources_from_yaml,
        resources_to_yaml,
        weeks_from_yaml,
        weeks_to_yaml,
    )

    try:
        config_from_toml(config_to_toml(config), "paperlog.toml")
        if weeks is not None:
            weeks_from_yaml(weeks_to_yaml(weeks), "weeks.yaml")
        if resources:
            resources_from_yaml(resources_to_yaml(resources), "resources.yaml")
    except PaperlogError as exc:
        raise ImportProblem(
            f"the import would leave paperlog.toml unloadable: {exc}", path
        ) from None


def _queue_ranks(pairs: list[tuple[Paper, Paper | None]], parsed: Parsed) -> None:
    """The README's wish-list order as queue ranks: the ranks the library's papers already
    have where they give that order (a README rendered, then imported unchanged, changes no
    rank), gapped ranks for the rest (``plan.ranks.ranks_for_order``); and the README's own
    lines in the wish-list placed by those ranks (a slot's ``after`` counted items in the
    README; it now names the rank of the item it follows, as the queue moves expect)."""
    from paperlog.plan.ranks import ranks_for_order, remap_slots

    wish = sorted(((p, o) for p, o in pairs if p.rank is not None), key=lambda po: po[0].rank or 0)
    ranks = ranks_for_order([o.rank if o is not None else None for _, o in wish])
    places = {str(n): paper.rank or 0 for n, (paper, _) in enumerate(wish)}
    for (paper, _), rank in zip(wish, ranks, strict=True):
        paper.rank = rank
    # the slots counted places in the README: renumbered as a queue move renumbers them
    remap_slots(parsed.readme.get("slots") or [], places, dict(zip(places, ranks, strict=True)))


def import_readme(
    library: Library, path: Path, *, dry_run: bool = False, replace: bool = False
) -> ImportReport:
    """Import README ``path`` into ``library`` as one transaction (nothing with ``dry_run``);
    see the module docstring. A README that looks like another list than the one imported
    before is refused (``ImportProblem``) unless ``replace`` (``ANOTHER_README``)."""
    with collector_paused():
        return _import(library, path, dry_run, replace)


def _import(library: Library, path: Path, dry_run: bool, replace: bool) -> ImportReport:
    text = read_text(path)
    parsed, warnings = parse_readme(text)
    papers = collect_papers(parsed, warnings)
    keep_lines(papers)
    resource_count = sum(len(g.items) for s in parsed.resources for g in s.groups)
    if not papers and not resource_count:
        raise ImportProblem(
            "no recognisable entries (no '[Title](url)' items under week, date or list "
            "headings); nothing imported",
            path,
        )
    report = ImportReport(str(path), dry_run=dry_run)
    report.items = len(papers)
    report.read = sum(1 for p in papers if p.status == "read")
    report.wish = sum(1 for p in papers if p.status == "wish")
    report.weeks = len(parsed.weeks)
    report.resources = resource_count
    report.topics = len(parsed.topics)
    with library.lock():
        existing = library.load_papers()
        matcher = Matcher()
        for paper in existing:
            matcher.add(paper)
        taken = {p.key.lower() for p in existing}
        # a citation key is given once, when a paper enters the library (exports never write)
        citekeys = taken_citekeys(existing)
        formula = citekey_formula(library.config)
        diff = SyncDiff()
        to_write: list[Paper] = []
        matched: set[str] = set()
        final: dict[str, Paper] = {p.key: p for p in existing}
        pairs: list[tuple[Paper, Paper | None]] = []
        for paper in papers:
            old = matcher.find(paper)
            if old is not None and old.key in matched:
                old = None  # two README items that match one paper: the second is its own
            if old is not None:
                matched.add(old.key)
            pairs.append((paper, old))
        _queue_ranks(pairs, parsed)
        for paper, old in pairs:
            if old is None:
                paper.key = make_key(paper, taken)
                taken.add(paper.key.lower())
                ensure_citekey(paper, citekeys, formula)
                mark_new(paper)
                to_write.append(paper)
                final[paper.key] = paper
                diff.added.append(paper.key)
                continue
            merged = sync_paper(old, paper, diff)
            final[old.key] = merged
            if paper_to_text(merged) == paper_to_text(old):
                report.unchanged += 1
            else:
                to_write.append(merged)
                report.updated_keys.append(merged.key)
        to_delete: list[str] = []
        for old in existing:
            if old.key in matched or not from_readme(old):
                continue
            kept = drop_from_readme(old)
            if kept is None:
                to_delete.append(old.key)
                diff.removed.append(old.key)
                del final[old.key]
                continue
            diff.kept.append(kept.key)
        report.added_keys = diff.added
        report.removed_keys, report.kept_keys = diff.removed, diff.kept
        report.moved, report.changed = diff.moved, diff.changed
        report.added, report.updated = len(report.added_keys), len(report.updated_keys)
        report.removed = len(to_delete)
        refusal = None if replace else _another_readme(path, existing, matched, len(to_delete))
        if refusal is not None and not dry_run:
            raise ImportProblem(refusal, path)
        report.refused = refusal
        kept_papers = list(final.values())
        config = _merge_config(library.config, parsed, kept_papers)
        weeks = sync_weeks(library.load_weeks(), parsed.weeks, kept_papers)
        _check_loadable(config, path, weeks, parsed.resources)
        if not dry_run:
            library.write_all(
                papers=to_write,
                resources=parsed.resources,
                weeks=weeks,
                config=config,
                delete=to_delete,
            )
    report.warnings = sorted(warnings, key=lambda w: w.line)
    return report
