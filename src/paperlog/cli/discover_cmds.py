"""Discovery commands: ``catalog ingest|search|show|info|embed``, ``recommend``, ``rate``,
``topics suggest``. Each parses options, calls one function of ``paperlog.catalog`` or
``paperlog.recommend`` and prints."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from paperlog.cli.common import app, json_option, print_json, print_table, warn

if TYPE_CHECKING:
    from paperlog.catalog.ingest import IngestStats
    from paperlog.catalog.records import CatalogPaper
    from paperlog.catalog.store import Catalog
    from paperlog.cli.common import AppContext
    from paperlog.library import Library
    from paperlog.recommend.service import Suggestion


def _catalog_option(func: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--catalog",
        "catalog_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="Catalog database (default: $PAPERLOG_CATALOG, else the XDG data folder).",
    )(func)


def _open_catalog(env: AppContext, path: str | None, *, create: bool = False) -> Catalog:
    from paperlog.catalog.store import Catalog, default_path

    return Catalog.open(Path(path) if path else default_path(env.environ), create=create)


@contextlib.contextmanager
def _progress(label: str, total: int | None, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar with records/s and ETA on a terminal; nothing otherwise."""
    if not enabled:
        yield lambda n: None
        return
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        """Records per second, once there is a rate to show."""

        def render(self, task: Task) -> Text:
            return Text(f"{task.speed:,.0f} records/s" if task.speed else "")

    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        Rate(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(escape(label), total=total)  # a file name is text, not markup
        yield lambda n: bar.advance(task, n)


def _count_lines(path: Path) -> int | None:
    if not path.is_file() or path.suffix.lower() != ".jsonl":
        return None
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


@click.group("catalog")
def catalog_group() -> None:
    """An offline catalog of papers to discover: ingest, search, show.

    \b
    Examples:
      paperlog catalog ingest arxiv-metadata-oai-snapshot.json cvpr2019.json
      paperlog catalog search "contrastive venue:CVPR year:2019"
    """


@catalog_group.command("ingest")
@click.argument("sources", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["kaggle", "daily", "abs", "papercopilot", "openreview"]),
    default=None,
    help="Source format (default: told from the file).",
)
@click.option("--venue", default=None, help="Venue and year of a paper list, e.g. 'ICLR 2021'.")
@click.option("--submissions", is_flag=True, help="The list holds every submission: no venue.")
@click.option("--oai", is_flag=True, help="Harvest arXiv OAI-PMH ($PAPERLOG_OAI_URL).")
@click.option("--since", default=None, help="With --oai: records changed since YYYY-MM-DD.")
@click.option("--set", "set_spec", default=None, help="With --oai: an OAI set, e.g. cs.")
@_catalog_option
@json_option
@click.pass_context
def ingest_cmd(
    ctx: click.Context,
    *,
    sources: tuple[str, ...],
    fmt: str | None,
    venue: str | None,
    submissions: bool,
    oai: bool,
    since: str | None,
    set_spec: str | None,
    catalog_path: str | None,
    as_json: bool,
) -> None:
    """Add papers to the catalog from files, folders or arXiv OAI-PMH (re-runs are no-ops).

    Reads the arXiv metadata snapshot (JSON lines, streamed), arXiv .abs records, daily arXiv
    listings, papercopilot conference lists and OpenReview CSV/TSV exports. A killed ingest
    resumes where it stopped.

    \b
    Examples:
      paperlog catalog ingest ~/data/arxiv-metadata-oai-snapshot.json
      paperlog catalog ingest --oai --set cs
    """
    from paperlog.catalog.ingest import expand_sources, ingest_oai, ingest_path
    from paperlog.errors import ValidationError

    env = app(ctx)
    if not sources and not oai:
        raise ValidationError("nothing to ingest: name source files or folders, or pass --oai")
    if since:
        _parse_day(since, "--since")
    done: list[IngestStats] = []
    tty = env.stderr.isatty() and not as_json
    with _open_catalog(env, catalog_path, create=True) as catalog:
        for path in expand_sources(Path(s) for s in sources):
            # Counting lines reads the whole file: only for a progress bar someone sees.
            with _progress(path.name, _count_lines(path) if tty else None, tty) as tick:
                stats = ingest_path(
                    catalog,
                    path,
                    fmt=fmt,
                    venue=venue,
                    submissions=submissions,
                    progress=tick,
                    index=False,
                )
            done.append(stats)
            if not as_json:
                click.echo(_ingest_line(stats), err=True)
        if oai:
            from paperlog.catalog.oai import DEFAULT_URL, ENV_VAR
            from paperlog.resolve.http import HttpClient

            url = env.environ.get(ENV_VAR) or DEFAULT_URL
            pace = {"oai": 3.0} if url == DEFAULT_URL else {}
            with (
                HttpClient(cache_dir=None, user_agent="paperlog catalog", pace=pace) as client,
                _progress("OAI-PMH", None, tty) as tick,
            ):
                stats = ingest_oai(
                    catalog,
                    client,
                    url,
                    since=since,
                    set_spec=set_spec,
                    progress=tick,
                    today=date.today().isoformat(),
                    index=False,
                )
            done.append(stats)
            if not as_json:
                click.echo(_ingest_line(stats), err=True)
        # New rows enter the full-text index once, in bulk, after every source is read.
        with _progress("full-text index", catalog.pending_fts(), tty) as tick:
            indexed = catalog.index_pending(tick)
        total = len(catalog)
    if as_json:
        print_json({"sources": [vars(s) for s in done], "papers": total})
    else:
        click.echo(f"catalog: {total:,} papers ({indexed:,} newly in the full-text index)")


def _ingest_line(stats: IngestStats) -> str:
    if stats.already_done:
        return f"{stats.source}: already ingested ({stats.skipped:,} records)"
    resumed = f", resumed after {stats.skipped:,}" if stats.skipped else ""
    return (
        f"{stats.source}: {stats.read:,} records ({stats.added:,} new, {stats.merged:,} merged"
        f"{resumed}) in {stats.seconds:.1f} s"
    )


def _parse_day(text: str, option: str) -> date:
    from paperlog.errors import ValidationError

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{option}: {text!r} is not a date (YYYY-MM-DD)") from None


def _rows(papers: list[CatalogPaper]) -> list[tuple[str, ...]]:
    from paperlog.catalog.fastsearch import table_rows

    return table_rows(papers)


@catalog_group.command("search")
@click.argument("words", nargs=-1)
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@_catalog_option
@json_option
@click.pass_context
def catalog_search_cmd(
    ctx: click.Context,
    *,
    words: tuple[str, ...],
    limit: int,
    catalog_path: str | None,
    as_json: bool,
) -> None:
    """Search the catalog with the query syntax of 'paperlog search'.

    \b
    Examples:
      paperlog catalog search contrastive venue:CVPR year:2019
      paperlog catalog search 'title:"mean teacher"' --json
    """
    from paperlog.query import parse_query

    env = app(ctx)
    query = parse_query(" ".join(words))
    with _open_catalog(env, catalog_path) as catalog:
        found = catalog.search(query, limit)
    if as_json:
        print_json([p.to_dict() | {"catalog_id": f"c{p.id}"} for p in found])
        return
    if not found:
        click.echo("no catalog paper matches", err=True)
        return
    print_table(("id", "title", "venue", "year", "identifier"), _rows(found))


@catalog_group.command("show")
@click.argument("ident")
@_catalog_option
@json_option
@click.pass_context
def catalog_show_cmd(
    ctx: click.Context, *, ident: str, catalog_path: str | None, as_json: bool
) -> None:
    """One catalog paper by catalog id (c123), arXiv ID, DOI or OpenReview ID.

    \b
    Example:
      paperlog catalog show 2002.05709
    """
    from paperlog.errors import NotFound

    env = app(ctx)
    with _open_catalog(env, catalog_path) as catalog:
        paper = catalog.get(ident)
    if paper is None:
        raise NotFound(f"{ident!r} is not in the catalog; 'paperlog catalog search' finds papers")
    if as_json:
        print_json(paper.to_dict() | {"catalog_id": f"c{paper.id}"})
        return
    click.echo(paper.title)
    click.echo(", ".join(paper.authors))
    click.echo(
        " · ".join(x for x in (paper.venue_label, str(paper.year or ""), paper.date or "") if x)
    )
    for name in ("arxiv", "doi", "openreview", "url"):
        value = getattr(paper, name)
        if value:
            click.echo(f"{name}: {value}")
    click.echo(f"sources: {', '.join(paper.sources)}   catalog id: c{paper.id}")
    if paper.abstract:
        click.echo("")
        click.echo(paper.abstract)


@catalog_group.command("info")
@_catalog_option
@json_option
@click.pass_context
def catalog_info_cmd(ctx: click.Context, *, catalog_path: str | None, as_json: bool) -> None:
    """Where the catalog is, how many papers it holds, from which sources.

    \b
    Example:
      paperlog catalog info --json
    """
    env = app(ctx)
    with _open_catalog(env, catalog_path) as catalog:
        info = catalog.stats()
    if as_json:
        print_json(info)
        return
    click.echo(f"{info['path']}: {info['papers']:,} papers, {info['bytes'] / 2**20:.0f} MiB")
    if info["unindexed"]:
        click.echo(
            f"{info['unindexed']:,} papers not yet in the full-text index (an ingest was "
            "interrupted): 'paperlog catalog ingest' with any source finishes it"
        )
    print_table(("source", "papers"), sorted(info["sources"].items()))


@catalog_group.command("embed")
@_catalog_option
@json_option
@click.pass_context
def catalog_embed_cmd(ctx: click.Context, *, catalog_path: str | None, as_json: bool) -> None:
    """Compute the sentence embeddings the semantic ranker uses (the semantic extra).

    Encodes every catalog paper that has none yet (or whose text changed since), in batches
    committed as they finish: an interrupted run resumes where it stopped. Needs
    pip install 'paperlog[semantic]'.

    \b
    Example:
      paperlog catalog embed
    """
    from paperlog.errors import ValidationError
    from paperlog.recommend import semantic

    reason = semantic.available()
    if reason:
        raise ValidationError(f"catalog embed: {reason}")
    env = app(ctx)
    encoder = semantic.Encoder()
    with _open_catalog(env, catalog_path) as catalog:
        path = catalog.path
        todo = semantic.pending_count(path, encoder.key)
        with _progress("embedding", todo, env.stderr.isatty() and not as_json) as tick:
            seen = [0]

            def advance(done: int, _total: int) -> None:
                tick(done - seen[0])
                seen[0] = done

            encoded = semantic.update_embeddings(catalog, encoder, progress=advance)
    info = semantic.cache_info(path, encoder.key)
    if as_json:
        print_json(
            {"encoded": encoded, "model": info.key, "papers": info.rows, "bytes": info.bytes}
        )
        return
    click.echo(
        f"{path}: encoded {encoded:,} papers; {info.rows:,} embeddings of {info.key} "
        f"({info.bytes / 2**20:.1f} MiB)"
    )


@click.command("recommend")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--since", default=None, help="Only catalog papers from this day on (YYYY-MM-DD).")
@click.option("--topic", default=None, help="Learn from the papers carrying this topic code.")
@click.option("--track", default=None, help="Learn from the papers of this track.")
@click.option("--add", "add_n", type=click.IntRange(min=0), default=0, help="Queue the top N.")
@click.option(
    "--rate",
    "rate_mode",
    is_flag=True,
    help="Show the papers the model is least sure about and ask good/bad/skip for each.",
)
@click.option(
    "--ranker",
    type=click.Choice(["tfidf", "semantic", "blend"]),
    default=None,
    help="tf-idf words, sentence embeddings (the semantic extra) or both; "
    "default: [recommend] ranker in paperlog.toml, else tfidf.",
)
@_catalog_option
@json_option
@click.pass_context
def recommend_cmd(
    ctx: click.Context,
    *,
    limit: int,
    since: str | None,
    topic: str | None,
    track: str | None,
    add_n: int,
    rate_mode: bool,
    ranker: str | None,
    catalog_path: str | None,
    as_json: bool,
) -> None:
    """Papers from the catalog you are likely to want next, learned from your own log.

    Trains on the papers read and wished (recent ones and well-reviewed ones count more;
    suggestions rated bad or skipped count against), ranks the catalog, and explains each pick
    by its words and the nearest papers you read. Nothing already in the library is suggested.

    \b
    Examples:
      paperlog recommend --since 2026-06-01 --limit 5
      paperlog recommend --topic Uns --add 2 --ranker tfidf
    """
    from paperlog.recommend.service import Options, choose_ranker, rate, recommend

    env = app(ctx)
    library = env.open_library()
    options = Options(
        limit=limit,
        since=_parse_day(since, "--since") if since else None,
        topic=topic,
        track=track,
        uncertain=rate_mode,
    )
    today = date.today()
    with _open_catalog(env, catalog_path) as catalog:
        status = (lambda msg: click.echo(msg, err=True)) if env.stderr.isatty() else None
        choice = choose_ranker(library, catalog, ranker)
        if choice.note:
            warn(choice.note)
        options.ranker = choice.name
        found = recommend(library, catalog, options, today=today, progress=status)
        if as_json and not add_n:
            print_json([s.to_dict() for s in found])
            return
        if not as_json:
            click.echo(f"ranked by {_RANKER_NAMES[choice.name]}")
            for number, s in enumerate(found, 1):
                p = s.paper
                badge = p.venue_label or ("arXiv " + (p.date or "")[:7] if p.arxiv else "")
                click.echo(f"{number:>2}. {p.title}  [{badge.strip()}]  c{p.id}")
                click.echo(f"    words: {', '.join(s.words) or '-'}")
                if s.near:
                    click.echo(f"    near: {s.near[0]}")
                if rate_mode and env.stdout.isatty():
                    env.before_waiting()  # no lock held while the user answers
                    answer = click.prompt(
                        "    good, bad or skip?",
                        type=click.Choice(["good", "bad", "skip", "g", "b", "s"]),
                        default="skip",
                        show_choices=False,
                    )
                    verdict = {"g": "good", "b": "bad", "s": "skip"}.get(answer, answer)
                    rate(library, f"c{p.id}", verdict, today, catalog)
        added = _add_top(env, library, found[:add_n]) if add_n else []
    if as_json:
        print_json({"suggestions": [s.to_dict() for s in found], "added": added})
    elif added:
        click.echo(f"queued: {', '.join(added)}")


_RANKER_NAMES = {
    "tfidf": "tf-idf + linear SVM",
    "semantic": "all-MiniLM-L6-v2 embeddings + linear SVM",
    "blend": "tf-idf and all-MiniLM-L6-v2 embeddings, blended",
}


def _add_top(env: AppContext, library: Library, suggestions: list[Suggestion]) -> list[str]:
    """Put suggestions on the queue through the add service (catalog answers, no network)."""
    from paperlog.resolve.sources import make_sources, open_client
    from paperlog.services.add import AddOptions, DuplicatePaper, add_paper

    keys = []
    with open_client(library, env.environ) as client:
        sources = make_sources(library.config, env.environ, client)
        for s in suggestions:
            ident = s.paper.arxiv or s.paper.doi or s.paper.title
            try:
                added = add_paper(library, ident, sources, AddOptions(), date.today())
            except DuplicatePaper as exc:
                warn(str(exc))
                continue
            keys.append(added.paper.key)
    return keys


@click.command("rate")
@click.argument("target")
@click.argument("verdict", type=click.Choice(["good", "bad", "skip"]))
@_catalog_option
@click.pass_context
def rate_cmd(ctx: click.Context, *, target: str, verdict: str, catalog_path: str | None) -> None:
    """Tell the recommender what you think of a paper (a library key or a catalog id).

    Kept in ratings.yaml in the library; good papers teach it what you want, bad and skipped
    suggestions what you do not.

    \b
    Examples:
      paperlog rate c1234 bad
      paperlog rate simclr-2020 good
    """
    from paperlog.catalog.store import Catalog, default_path
    from paperlog.recommend.service import rate

    env = app(ctx)
    library = env.open_library()
    path = Path(catalog_path) if catalog_path else default_path(env.environ)
    catalog = Catalog.open(path, create=False) if path.is_file() else None
    try:
        rating = rate(library, target, verdict, date.today(), catalog)
    finally:
        if catalog is not None:
            catalog.close()
    click.echo(f"rated {rating.verdict}: {rating.title}")


@click.group("topics", invoke_without_command=True)
@json_option
@click.pass_context
def topics_group(ctx: click.Context, as_json: bool) -> None:
    """List the topic codes with how many items carry each; 'topics suggest' proposes codes.

    \b
    Examples:
      paperlog topics
      paperlog topics suggest --accept
    """
    if ctx.invoked_subcommand is None:
        from paperlog.cli.library_cmds import topics_cmd

        ctx.invoke(topics_cmd, as_json=as_json)


@topics_group.command("suggest")
@click.option("--accept", is_flag=True, help="Write every suggestion without asking.")
@_catalog_option
@json_option
@click.pass_context
def topics_suggest_cmd(
    ctx: click.Context, *, accept: bool, catalog_path: str | None, as_json: bool
) -> None:
    """Propose topic codes for untagged items, with the evidence; write what you accept.

    Codes come from paperlog.toml (name and description) and the items already tagged. On a
    terminal each suggestion is asked y/n; --accept takes all; otherwise nothing is written.

    \b
    Examples:
      paperlog topics suggest
      paperlog topics suggest --accept
    """
    from paperlog.catalog.store import Catalog, default_path
    from paperlog.index import Index
    from paperlog.recommend.topics import accept as write_topics
    from paperlog.recommend.topics import suggest_topics

    env = app(ctx)
    library = env.open_library()
    with Index.open(library) as index:
        papers = index.all()
    path = Path(catalog_path) if catalog_path else default_path(env.environ)
    catalog = Catalog.open(path, create=False) if path.is_file() else None
    try:
        found = suggest_topics(library.config.topics, papers, catalog)
    finally:
        if catalog is not None:
            catalog.close()
    chosen = found
    if as_json:
        print_json([s.to_dict() for s in found])
    elif not found:
        click.echo("no suggestion: every item has a topic, or none is clear enough")
        return
    else:
        interactive = not accept and env.stdout.isatty() and env.stderr.isatty()
        chosen = []
        for s in found:
            click.echo(f"[{s.code}] {s.title}  ({s.key}; evidence: {', '.join(s.evidence)})")
            if interactive and click.confirm("    accept?", default=False):
                chosen.append(s)
        if accept:
            chosen = found
    if accept or (chosen and not as_json):
        changed = write_topics(library, chosen)
        if not as_json:
            click.echo(f"tagged {len(changed)} item(s)")
    elif not as_json:
        click.echo(f"{len(found)} suggestion(s); nothing written (--accept writes them all)")
