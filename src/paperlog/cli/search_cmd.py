"""``paperlog search``: full-text and filtered search over the library's index."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from paperlog.cli.common import (
    EMPTY_LIBRARY_HINT,
    PAPER_COLUMNS,
    WordsCommand,
    app,
    json_option,
    print_json,
    print_table,
)

if TYPE_CHECKING:
    from paperlog.errors import PaperlogError


@click.command("search", cls=WordsCommand)
@click.argument("words", nargs=-1)
@click.option("--year", default=None, help="A year or range: 2019, 2018..2020, 2018.., ..2019.")
@click.option("--venue", default=None, help="A venue by any of its names (NIPS finds NeurIPS).")
@click.option("--topic", default=None, help="A topic code of the taxonomy, e.g. Uns.")
@click.option("--track", default=None, help="A reading track, e.g. depth or breadth.")
@click.option("--status", default=None, help="wish, reading or read.")
@click.option("--week", default=None, help="Read in this week (3) or weeks (1..4).")
@click.option("--kind", default=None, help="paper, lecture, talk, topic, notes or other.")
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Show at most this many items."
)
@json_option
@click.pass_context
def search_cmd(
    ctx: click.Context,
    *,
    words: tuple[str, ...],
    year: str | None,
    venue: str | None,
    topic: str | None,
    track: str | None,
    status: str | None,
    week: str | None,
    kind: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """Search the library: WORDS in titles, nicknames, venues, authors and notes, plus filters.

    WORDS may hold the same filters as the options (year:2019..2020 venue:CVPR topic:Uns
    track:depth status:read week:3 kind:paper), "exact phrases" and -excluded words.
    Results come best match first; with filters only, newest reading first.

    \b
    Examples:
      paperlog search segmentation -survey
      paperlog search contrastive --venue CVPR --year 2019..2020
    """
    from paperlog.index import Index
    from paperlog.query import QueryError, build_query, check_topics

    try:
        query = build_query(
            " ".join(words),
            year=year,
            venue=venue,
            topic=topic,
            track=track,
            status=status,
            week=week,
            kind=kind,
        )
    except QueryError as exc:
        raise click.UsageError(f"bad query: {exc}", ctx) from None
    library = app(ctx).open_library()
    check_topics(query, [t.code for t in library.config.topics])
    problems: list[PaperlogError] = []
    with Index.open(library, problems=problems) as index:
        hits = index.search(query, limit)
        # Only what is printed is read: whole papers for JSON, the table's columns otherwise.
        if as_json:
            from paperlog.views import paper_view

            shown: list[Any] = [paper_view(p) for p in hits]
        else:
            shown = hits.table_rows()
    for problem in problems:  # a file a hand edit broke is skipped, not the whole search
        click.echo(f"warning: {problem} (skipped)", err=True)
    if as_json:
        print_json(shown)
        return
    if not shown:
        empty = not any(library.papers_dir.glob("*.md")) if library.papers_dir.is_dir() else True
        if empty:
            click.echo(EMPTY_LIBRARY_HINT, err=True)
        elif app(ctx).is_tty:
            click.echo("No items match.", err=True)
        return
    print_table(PAPER_COLUMNS, shown)
