"""``paperlog review`` (spaced repetition of what was read) and ``paperlog stats``."""

from __future__ import annotations

import contextlib
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from paperlog.cli.common import app, date_option, json_option, print_json, print_table

if TYPE_CHECKING:
    from paperlog.library import Library
    from paperlog.plan.review import GradeResult


def _now(on_date: date | None) -> datetime:
    """Noon UTC on ``--date`` (the same everywhere); else now, in the local time zone, so
    "due today" means the reviewer's today."""
    from paperlog.plan.review import moment_of

    return moment_of(on_date) if on_date else datetime.now().astimezone()


NOTE_FILE = "review-day-note"
"""Under ``.paperlog/``: the last day the "the plan reviews on ..." note was shown."""

NOTHING_TO_REVIEW = (
    "Nothing to review. Cards come from papers you read whose notes have a '## Key ideas' "
    "section of bullets (or a 'takeaways:' list in the front matter): add one to "
    "papers/KEY.md, e.g.\n\n## Key ideas\n- one sentence per idea"
)


def _review_day_note(lib: Library, now: datetime) -> None:
    """Say once per day asked about, after the command did its work, when that day is not
    the plan's review day (a script grading every day must not see it on every call)."""
    from paperlog.plan.calendar import day_name, is_review_day

    plan = lib.config.plan
    day = now.date()
    if is_review_day(day, plan):
        return
    marker = lib.state_dir / NOTE_FILE
    try:
        if marker.read_text(encoding="utf-8").strip() == day.isoformat():
            return
    except OSError:
        pass  # never shown yet
    click.echo(
        f"note: {day.isoformat()} is a {day_name(day)}; the plan reviews on "
        f"{plan.review_day} (review works any day)",
        err=True,
    )
    # Written in place, not through a temp file: a torn marker only means the note comes
    # again, and a kill can leave no temp behind (make torture once found one here). A
    # read-only library likewise only means the note comes again.
    with contextlib.suppress(OSError):
        marker.write_text(day.isoformat() + "\n", encoding="utf-8")


def _print_grades(lib: Library, results: list[GradeResult], now: datetime, as_json: bool) -> None:
    from paperlog.plan.review import day_in, next_due

    upcoming = next_due(lib.load_papers(), now)
    if as_json:
        print_json(
            {
                "graded": [r.to_dict() for r in results],
                "next_due": upcoming.isoformat() if upcoming else None,
            }
        )
        return
    for r in results:
        click.echo(f"{r.key}: {r.rating} -> next review {day_in(r.due, now).isoformat()}")
    if upcoming is not None:
        click.echo(f"Next review due: {day_in(upcoming, now).isoformat()}")


@click.command("review")
@date_option
@click.option("--list", "list_only", is_flag=True, help="List what is due; grade nothing.")
@click.option(
    "--grade",
    "grades",
    multiple=True,
    metavar="KEY=GRADE",
    help="Grade a paper without prompting: again, hard, good, easy or 1-4. Repeatable.",
)
@click.option("--force", is_flag=True, help="Grade a card even when it is not due.")
@json_option
@click.pass_context
def review_cmd(
    ctx: click.Context,
    *,
    on_date: date | None,
    list_only: bool,
    grades: tuple[str, ...],
    force: bool,
    as_json: bool,
) -> None:
    """Review the key ideas of papers read, with spaced repetition (FSRS).

    On a terminal: each due paper's question, Enter shows its key ideas, then grade it.
    Scripted: --grade KEY=good, or 'KEY GRADE' lines on stdin when stdin is not a terminal.
    A day after today is refused; a card that is not due needs --force.

    \b
    Examples:
      paperlog review --list
      paperlog review --grade simclr=good --date 2024-05-12
    """
    from paperlog.plan.calendar import check_plan

    env = app(ctx)
    lib = env.open_library()
    check_plan(lib.config.plan, lib.config_path)
    now = _now(on_date)
    _review(ctx, lib, now, list_only=list_only, grades=grades, force=force, as_json=as_json)
    if not as_json:
        # after the work: an error ends the command before this, so it never shows there
        _review_day_note(lib, now)


def _review(
    ctx: click.Context,
    lib: Library,
    now: datetime,
    *,
    list_only: bool,
    grades: tuple[str, ...],
    force: bool,
    as_json: bool,
) -> None:
    from paperlog.errors import ValidationError
    from paperlog.plan.review import (
        check_review_day,
        day_in,
        due_items,
        grade_many,
        parse_answers,
        parse_grade_spec,
        run_session,
    )

    env = app(ctx)
    today = date.today()
    if grades:
        try:
            specs = [parse_grade_spec(g) for g in grades]
        except ValueError as exc:
            raise ValidationError(f"--grade: {exc}") from None
        results = grade_many(lib, specs, now, today=today, force=force)
        _print_grades(lib, results, now, as_json)
        return

    stdin_tty = sys.stdin.isatty()
    interactive = stdin_tty and env.is_tty
    # answers come from a pipe or a file only: reading a terminal here would just hang
    if not (list_only or as_json or stdin_tty):
        answers = parse_answers(sys.stdin.read())
        if answers:
            results = grade_many(lib, answers, now, today=today, force=force)
            _print_grades(lib, results, now, as_json)
            return

    items = due_items(lib.load_papers(), now)
    if list_only or as_json or not interactive:
        if as_json:
            print_json(
                {
                    "now": now.isoformat(),
                    "review_day": lib.config.plan.review_day,
                    "items": [i.to_dict() for i in items],
                }
            )
            return
        if not items:
            click.echo(NOTHING_TO_REVIEW)
            return
        print_table(
            ["key", "title", "state", "due", "key ideas"],
            [
                [
                    i.key,
                    i.title,
                    i.state,
                    day_in(i.due, now).isoformat() if i.due else "new",
                    len(i.takeaways),
                ]
                for i in items
            ],
            title=f"Due for review on {now.date().isoformat()}",
        )
        return

    if not items:
        click.echo(NOTHING_TO_REVIEW)
        return
    check_review_day(now, today)

    def ask(prompt: str) -> str:
        env.before_waiting()  # the lock, kept from a grade's write to its commit, is let go
        return str(click.prompt(prompt, default="", show_default=False))

    results = run_session(lib, items, now, ask=ask, say=click.echo)
    click.echo(f"\nGraded {len(results)} of {len(items)}.")
    _print_grades(lib, [], now, as_json=False)


@click.command("stats")
@date_option
@click.option(
    "--charts",
    "charts_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Also write SVG charts into this folder.",
)
@click.option(
    "--months",
    type=click.IntRange(0),
    default=12,
    show_default=True,
    help="How many months the reading calendar chart shows (0: everything).",
)
@json_option
@click.pass_context
def stats_cmd(
    ctx: click.Context,
    *,
    on_date: date | None,
    charts_dir: str | None,
    months: int,
    as_json: bool,
) -> None:
    """Pace against the plan: papers per week, streaks, tracks, topics, venues, years.

    \b
    Examples:
      paperlog stats
      paperlog stats --charts charts --months 24
    """
    from paperlog.index import Index
    from paperlog.plan.stats import compute_stats, render_text
    from paperlog.plan.statsindex import stats_from_index

    lib = app(ctx).open_library()
    today = on_date or date.today()
    weeks = lib.load_weeks()
    papers = None
    if charts_dir is None:  # SQL aggregates over the index: no paper is decoded
        with Index.open(lib) as index:
            stats = stats_from_index(lib, index, weeks, today)
    if charts_dir is not None or stats is None:
        from paperlog.cli.library_cmds import load_items

        papers = load_items(lib)  # the charts draw every reading; a bad card names its file
        stats = compute_stats(lib, papers, weeks, today)
    charts: list[tuple[str, str]] = []
    if charts_dir is not None:
        from paperlog.plan.charts import write_charts

        out = Path(charts_dir).expanduser()
        out = out if out.is_absolute() else (app(ctx).cwd / out)
        charts = write_charts(lib, out, today=today, papers=papers, weeks=weeks, months=months)
    if as_json:
        data = stats.to_dict()
        if charts_dir is not None:
            data["charts"] = [{"alt": alt, "path": path} for alt, path in charts]
        print_json(data)
        return
    click.echo(render_text(stats), nl=False)
    for _alt, path in charts:
        click.echo(f"wrote {lib.root / path}")
