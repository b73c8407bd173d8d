"""The metadata commands: ``paperlog add`` and ``paperlog enrich``.

Thin: each opens the library and one HTTP client, calls one function in paperlog.resolve,
prints. httpx, rapidfuzz and rich load only when a command runs.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING

import click

from paperlog.cli.common import DAY, WordsCommand, app, json_option, print_json, print_table, warn

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from paperlog.resolve.resolution import Candidate, SourceOutcome
    from paperlog.services.add import Added
    from paperlog.services.enrich import EnrichReport


def _print_candidates(candidates: list[Candidate], as_json: bool) -> None:
    if as_json:
        print_json({"candidates": [c.to_dict(i) for i, c in enumerate(candidates, start=1)]})
        return
    rows = []
    for i, cand in enumerate(candidates, start=1):
        merged = cand.merged
        venue = merged.venue if merged.published else None
        rows.append(
            [
                i,
                f"{cand.score:.0f}",
                merged.title,
                " ".join(str(v) for v in (venue, merged.year) if v),
                ", ".join(merged.authors[:2]) + (" et al." if len(merged.authors) > 2 else ""),
                ",".join(merged.sources),
            ]
        )
    print_table(["pick", "score", "title", "venue", "authors", "sources"], rows, title="Candidates")


def _outcome_lines(outcomes: list[SourceOutcome]) -> list[str]:
    lines = []
    for o in outcomes:
        if o.status not in ("failed", "not found"):
            continue
        # The client's messages already open with the source's name.
        reason = (o.reason or "").removeprefix(f"{o.source}: ")
        lines.append(f"{o.source} {o.status}: {reason}" if reason else f"{o.source} {o.status}")
    return lines


def _print_added(added: Added) -> None:
    paper = added.paper
    merged = added.resolution.merged
    click.echo(f"added {paper.key}: {paper.title}")
    where = " ".join(str(v) for v in (paper.venue or "preprint", paper.year) if v)
    authors = ", ".join(paper.authors[:3]) + (" et al." if len(paper.authors) > 3 else "")
    click.echo(f"  {where} | {authors or 'no authors'} | citekey {paper.citekey}")
    if paper.status == "read" and paper.readings:
        reading = paper.readings[-1]
        start = reading.week_start.isoformat() if reading.week_start else "?"
        new = " (new week)" if added.new_week else ""
        click.echo(f"  read: week {reading.week} starting {start}{new}")
    else:
        click.echo(f"  wish-list: rank {paper.rank}")
    gave: dict[str, list[str]] = {}
    for name, source in merged.provenance.items():
        for one in source.split(","):
            gave.setdefault(one, []).append(name)
    answered = ", ".join(
        f"{s} ({', '.join(gave[s])})" if s in gave else s for s in added.resolution.answered
    )
    click.echo(f"  sources: {answered}")
    click.echo(f"  file: {added.path}")
    for line in _outcome_lines(added.resolution.outcomes):
        warn(line)
    for line in merged.conflicts:
        warn(f"sources disagree: {line}")
    if added.duplicate_of:
        warn(f"added anyway (--force): duplicates {added.duplicate_of}")


@click.command("add", cls=WordsCommand)
@click.argument("query", nargs=-1, required=True)
@click.option(
    "--read", is_flag=True, help="Log it as read in the week of --date instead of wish-listing it."
)
@click.option(
    "--date",
    "on_date",
    type=DAY,
    default=None,
    help="The day it was added, and read with --read, YYYY-MM-DD (default: today).",
)
@click.option("--group", default=None, help="Wish-list heading, or the week's theme with --read.")
@click.option("--track", default=None, help="Reading track (breadth, depth, ...).")
@click.option("--topic", "topics", multiple=True, help="Topic code; repeat for several.")
@click.option("--key", default=None, help="File name key (default: made from title and year).")
@click.option("--pick", type=int, default=None, help="Take candidate N of a title search.")
@click.option("--force", is_flag=True, help="Add even when the library seems to hold it.")
@click.option("--offline", is_flag=True, help="Answer only from the HTTP cache.")
@json_option
@click.pass_context
def add_cmd(
    ctx: click.Context,
    *,
    query: tuple[str, ...],
    read: bool,
    on_date: date | None,
    group: str | None,
    track: str | None,
    topics: tuple[str, ...],
    key: str | None,
    pick: int | None,
    force: bool,
    offline: bool,
    as_json: bool,
) -> None:
    """Add a paper by arXiv id, DOI, link or title: metadata, note file, wish-list.

    A title is searched in every source; the best match is taken only when it is clearly the
    one, otherwise the candidates are listed and --pick N chooses.

    \b
    Examples:
      paperlog add 2002.05709
      paperlog add "Momentum Contrast for Unsupervised Visual Representation" --pick 1
    """
    from paperlog.resolve.resolution import AmbiguousTitle
    from paperlog.resolve.sources import make_sources, open_client
    from paperlog.services.add import AddOptions, add_paper

    env = app(ctx)
    library = env.open_library()
    options = AddOptions(
        read=read,
        on_date=on_date,
        group=group,
        track=track,
        topics=list(topics),
        key=key,
        pick=pick,
        force=force,
    )
    with open_client(library, env.environ, offline=offline) as client:
        sources = make_sources(library.config, env.environ, client)
        try:
            added = add_paper(library, " ".join(query), sources, options, date.today())
        except AmbiguousTitle as exc:
            _print_candidates(exc.candidates, as_json)
            raise
    env.describe(f"add {added.paper.key}: {added.paper.title}")
    if as_json:
        print_json(added.to_dict())
    else:
        _print_added(added)


def _print_report(report: EnrichReport) -> None:
    for item in report.enriched:
        fields = ", ".join(f"{name} ({source})" for name, source in item.filled.items())
        how = f" (matched by {item.matched})" if item.matched else ""
        verb = "would enrich" if report.dry_run else "enriched"
        click.echo(f"{verb} {item.key}{how}: {fields}")
    if report.conflicts:
        print_table(
            ["key", "field", "library", "source says", "source"],
            [[c.key, c.field, c.ours, c.theirs, c.source] for c in report.conflicts],
            title="Conflicts (kept the library's value; --overwrite replaces)",
        )
    # One short line per reason, not per paper: 170 papers unknown to S2 are one line.
    by_reason: dict[str, list[str]] = {}
    for failure in report.failed:
        by_reason.setdefault(failure.reason, []).append(failure.key)
    for reason, keys in by_reason.items():
        who = keys[0] if len(keys) == 1 else f"{len(keys)} papers ({_some(keys)})"
        warn(f"{who}: {reason}")
    verb = "would enrich" if report.dry_run else "enriched"
    rows = [
        (verb, len(report.enriched), _some([e.key for e in report.enriched])),
        ("unchanged", len(report.unchanged), _some(report.unchanged)),
        ("conflicts", len(report.conflicts), _some([c.key for c in report.conflicts])),
        ("failed", len(report.failed), _some([f.key for f in report.failed])),
        ("not tried", len(report.not_tried), _some(report.not_tried)),
        ("skipped (complete, or not papers)", report.skipped, ""),
    ]
    if sys.stdout.isatty():
        print_table(["result", "papers", "keys"], [r for r in rows if r[1]], title="enrich")
    click.echo(
        f"{verb} {len(report.enriched)}, unchanged {len(report.unchanged)}, "
        f"conflicts {len(report.conflicts)}, failed {len(report.failed)}"
        + (f", not tried {len(report.not_tried)}" if report.not_tried else "")
    )


def _some(keys: list[str], shown: int = 6) -> str:
    more = f" and {len(keys) - shown} more" if len(keys) > shown else ""
    return ", ".join(keys[:shown]) + more


@click.command("enrich")
@click.argument("keys", nargs=-1)
@click.option("--overwrite", is_flag=True, help="Replace values the library has with the sources'.")
@click.option("--offline", is_flag=True, help="Answer only from the HTTP cache.")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@json_option
@click.pass_context
def enrich_cmd(
    ctx: click.Context,
    *,
    keys: tuple[str, ...],
    overwrite: bool,
    offline: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Fill missing metadata (authors, abstract, year, venue, ids, citekey) from the sources.

    Without KEYS: every paper that lacks some of it. Values already in the library are kept and
    disagreements listed as conflicts, unless --overwrite.

    \b
    Examples:
      paperlog enrich --dry-run
      paperlog enrich u-net-2015 --overwrite
    """
    from paperlog.errors import NetworkError, PaperlogError
    from paperlog.resolve.sources import make_sources, open_client
    from paperlog.services.enrich import enrich_library

    env = app(ctx)
    library = env.open_library()
    with open_client(library, env.environ, offline=offline) as client:
        sources = make_sources(library.config, env.environ, client)
        papers = [library.resolve_key(k) for k in keys] if keys else None
        with _progress(enabled=not as_json) as tick:
            report = enrich_library(
                library, sources, keys=papers, overwrite=overwrite, dry_run=dry_run, progress=tick
            )
    if as_json:
        print_json(report.to_dict())
    else:
        _print_report(report)
    if report.stopped:
        raise NetworkError(
            f"the metadata sources cannot be reached ({report.stopped}); "
            f"{len(report.not_tried)} papers not tried"
            + ("" if report.enriched else ", nothing was written")
            + "; check the network, or use --offline to answer from the cache"
        )
    if report.failed and not report.enriched and not report.unchanged:
        message = f"no paper could be looked up ({len(report.failed)} failed); nothing was written"
        if all(f.network for f in report.failed):
            raise NetworkError(message)
        raise PaperlogError(message)


class _Progress:
    """A rich progress bar on stderr, shown when stderr is a terminal and there are many papers."""

    MIN_PAPERS = 5

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> _Progress:
        return self

    def __call__(self, done: int, total: int, key: str) -> None:
        if not self.enabled or total < self.MIN_PAPERS:
            return
        if self._bar is None or self._task is None:
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("enriching", total=total)
        self._bar.update(self._task, completed=done, description=key or "done")

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def _progress(enabled: bool) -> _Progress:
    return _Progress(enabled)
