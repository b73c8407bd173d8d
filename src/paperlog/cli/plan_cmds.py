"""The reading-plan commands: today, done, start, skip, week, queue, doctor, export ics."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from paperlog.cli.common import DAY, app, date_option, json_option, print_json, print_table

if TYPE_CHECKING:
    from paperlog.library import Library
    from paperlog.model import Paper
    from paperlog.plan.doctor import DoctorReport
    from paperlog.plan.schedule import Suggestion, WeekReport


def _day(on_date: date | None) -> date:
    """The ``--date`` given, else today (the only place the plan reads the clock)."""
    return on_date if on_date is not None else date.today()


def _open(ctx: click.Context) -> Library:
    """The library, refused with a message naming paperlog.toml when its plan is unusable."""
    from paperlog.plan.calendar import check_plan

    lib = app(ctx).open_library()
    check_plan(lib.config.plan, lib.config_path)
    return lib


def _papers(lib: Library) -> list[Paper]:
    """Every item for a read-only view: through the index cache when it is available (it
    syncs itself with the files), else straight from the files."""
    from paperlog.cli.library_cmds import load_items

    return load_items(lib)


def _suggestion_line(s: Suggestion) -> str:
    head = f"{s.date.isoformat()} {s.date.strftime('%a')}"
    if s.paper is None:
        return f"{head}  {s.reason}"
    return f"{head}  {s.paper.display_title} [{s.paper.key}]\n    why: {s.reason}"


@click.command("today")
@click.option(
    "--next",
    "next_days",
    type=click.IntRange(1, 366),
    default=None,
    help="Show the plan for N days from --date (today included).",
)
@date_option
@json_option
@click.pass_context
def today_cmd(
    ctx: click.Context, next_days: int | None, on_date: date | None, as_json: bool
) -> None:
    """The item the plan suggests for today, and why (the review on the review day).

    \b
    Examples:
      paperlog today
      paperlog today --next 6 --date 2024-05-06
    """
    from datetime import timedelta

    from paperlog.index import Index
    from paperlog.plan.fromindex import plan_papers
    from paperlog.plan.schedule import suggest_days

    lib = _open(ctx)
    start, count = _day(on_date), next_days or 1
    weeks = lib.load_weeks()
    with Index.open(lib) as index:
        days_shown = [start + timedelta(days=i) for i in range(count)]
        papers = plan_papers(index, lib.config.plan, weeks, days_shown, waiting=True)
    days = suggest_days(lib.config.plan, papers, weeks, start, count)
    if as_json:
        print_json([s.to_json() for s in days] if next_days else days[0].to_json())
        return
    for s in days:
        click.echo(_suggestion_line(s))
        if s.paper is not None and s.paper.url and not next_days:
            click.echo(f"    {s.paper.url}")


@click.command("done")
@click.argument("key")
@date_option
@click.option("--group", default=None, help="Theme heading in the week (default: wish_group).")
@click.option("--edit", is_flag=True, help="Open the item's notes in $EDITOR afterwards.")
@json_option
@click.pass_context
def done_cmd(
    ctx: click.Context,
    *,
    key: str,
    on_date: date | None,
    group: str | None,
    edit: bool,
    as_json: bool,
) -> None:
    """Log KEY as read on --date (default today) in that date's plan week.

    A --group heading that names a track ("Depth: ...") gives an item without one its track.

    \b
    Examples:
      paperlog done simclr
      paperlog done simclr --date 2024-05-08 --group "Depth: Self-Supervised"
    """
    from paperlog.plan.log import log_reading

    lib = _open(ctx)
    logged = log_reading(lib, key, _day(on_date), date.today(), group)
    r = logged.reading
    app(ctx).describe(f"done {logged.paper.key} (Wk{r.week})")
    if as_json:
        print_json(
            {
                "key": logged.paper.key,
                "week": r.week,
                "week_start": r.week_start,
                "group": r.group,
                "date": r.date,
                "order": r.order,
                "new_week": logged.new_week,
                "readings": len(logged.paper.readings),
            }
        )
    else:
        again = (
            f" (reading #{len(logged.paper.readings)})" if len(logged.paper.readings) > 1 else ""
        )
        where = f", under {r.group!r}" if r.group else ""
        start = r.week_start.isoformat() if r.week_start else "?"
        click.echo(f"Logged {logged.paper.display_title}{again} in Wk{r.week} ({start}){where}.")
    if edit:
        app(ctx).before_waiting()  # the lock is not held while the user edits
        editor = app(ctx).environ.get("VISUAL") or app(ctx).environ.get("EDITOR")
        click.edit(filename=str(lib.paper_path(logged.paper.key)), editor=editor)


@click.command("start")
@click.argument("key")
@click.pass_context
def start_cmd(ctx: click.Context, key: str) -> None:
    """Mark KEY as started (status reading); today suggests it first, whatever its track.

    \b
    Examples:
      paperlog start simclr
    """
    from paperlog.plan.log import start_reading

    paper = start_reading(_open(ctx), key)
    click.echo(f"Started {paper.display_title} [{paper.key}].")


@click.command("skip")
@click.argument("key", required=False)
@date_option
@json_option
@click.pass_context
def skip_cmd(ctx: click.Context, key: str | None, on_date: date | None, as_json: bool) -> None:
    """Skip today's suggestion (or KEY) for --date only; print the next suggestion.

    The day goes into the item's 'skipped:' list in its front matter; it keeps its rank.

    \b
    Examples:
      paperlog skip
      paperlog skip simclr --date 2024-05-08
    """
    from paperlog.plan.log import skip

    paper, nxt = skip(_open(ctx), _day(on_date), key)
    if as_json:
        print_json({"skipped": paper.key, "date": nxt.date, "next": nxt.to_json()})
        return
    click.echo(f"Skipped {paper.display_title} [{paper.key}] for {nxt.date.isoformat()}.")
    click.echo("Now: " + _suggestion_line(nxt))


def _print_week(report: WeekReport) -> None:
    if report.week is None:
        on = report.on_date.isoformat() if report.on_date else "that day"
        line = f"no reading week on {on}"
        if report.next_week is not None:
            number, first = report.next_week
            line += f"; the next one would be Wk{number} starting {first.isoformat()}"
        click.echo(line)
        if report.days_left:
            left_days = ", ".join(d.strftime("%a %d") for d in report.days_left)
            click.echo(
                f"Left: {report.remaining} to read, {len(report.days_left)} reading days "
                f"({left_days}); 'paperlog done KEY' opens the week"
            )
        return
    start = report.week_start.strftime("%Y.%m.%d")
    click.echo(f"Wk{report.week} - {start}")
    if report.note:
        click.echo(f"*({report.note})*")
    for name, entries in report.groups:
        click.echo(name or "(no group)")
        for e in entries:
            when = f" ({e.date.isoformat()})" if e.date else ""
            click.echo(f"* {e.title} [{e.key}]{when}")
        click.echo("")
    tracks = ", ".join(f"{t} {v['read']}/{v['target']}" for t, v in report.by_track.items())
    click.echo(f"Pace: read {report.read} of {report.target} ({tracks})")
    left_days = ", ".join(d.strftime("%a %d") for d in report.days_left) or "none"
    click.echo(
        f"Left: {report.remaining} to read, {len(report.days_left)} reading days ({left_days})"
    )


@click.command("week")
@click.argument("number", type=int, required=False)
@date_option
@json_option
@click.pass_context
def week_cmd(ctx: click.Context, number: int | None, on_date: date | None, as_json: bool) -> None:
    """Week NUMBER (default: the week holding --date): its readings and pace against the plan.

    A date in no reading week (a pause, before the first week) says so and names the next one.

    \b
    Examples:
      paperlog week
      paperlog week 12
    """
    from paperlog.index import Index
    from paperlog.plan.fromindex import plan_papers
    from paperlog.plan.schedule import week_report

    lib = _open(ctx)
    weeks = lib.load_weeks()
    with Index.open(lib) as index:
        papers = plan_papers(index, lib.config.plan, weeks, [_day(on_date)], number=number)
    report = week_report(lib.config.plan, papers, weeks, _day(on_date), number)
    if as_json:
        print_json(report.to_json())
    else:
        _print_week(report)


# --- queue ----------------------------------------------------------------------------------


MOVED_WINDOW = 5
"""A queue move shows the moved item with this many neighbours on each side, not the whole
queue (tens of thousands of rows in a large library); ``paperlog queue`` shows it all."""


def _queue_rows(queue: list[Paper], first: int) -> list[tuple[object, ...]]:
    return [
        (
            first + i,
            p.key,
            p.status,
            p.track or "",
            ",".join(p.topics),
            p.pinned.isoformat() if p.pinned else "",
            p.display_title,
        )
        for i, p in enumerate(queue)
    ]


def _show_queue(queue: list[Paper], as_json: bool) -> None:
    # the place in the queue, 1 = first; the stored rank only orders (it has gaps)
    first: int = getattr(queue, "first", 1)
    if as_json:
        print_json(
            [
                {
                    "position": first + i,
                    "rank": p.rank,
                    "key": p.key,
                    "title": p.display_title,
                    "status": p.status,
                    "track": p.track,
                    "topics": list(p.topics),
                    "wish_group": p.wish_group,
                    "pinned": p.pinned,
                }
                for i, p in enumerate(queue)
            ]
        )
    else:
        print_table(
            ("#", "key", "status", "track", "topics", "pinned", "title"), _queue_rows(queue, first)
        )


@click.group("queue", invoke_without_command=True)
@json_option
@click.pass_context
def queue_cmd(ctx: click.Context, as_json: bool) -> None:
    """The wish-list in reading order; subcommands reorder it and pin items to days.

    \b
    Examples:
      paperlog queue
      paperlog queue top simclr
    """
    if ctx.invoked_subcommand is not None:
        return
    from paperlog.index import Index
    from paperlog.plan.schedule import queue_order

    with Index.open(_open(ctx)) as index:
        _show_queue(queue_order(index.waiting()), as_json)


@queue_cmd.command("up")
@click.argument("key")
@click.argument("steps", type=click.IntRange(1), default=1)
@click.pass_context
def queue_up_cmd(ctx: click.Context, key: str, steps: int) -> None:
    """Move KEY STEPS places (default 1) towards the front.

    \b
    Examples:
      paperlog queue up simclr 3
    """
    from paperlog.plan.log import queue_up

    _show_queue(queue_up(_open(ctx), key, steps, MOVED_WINDOW), False)


@queue_cmd.command("down")
@click.argument("key")
@click.argument("steps", type=click.IntRange(1), default=1)
@click.pass_context
def queue_down_cmd(ctx: click.Context, key: str, steps: int) -> None:
    """Move KEY STEPS places (default 1) towards the back.

    \b
    Examples:
      paperlog queue down simclr 2
    """
    from paperlog.plan.log import queue_down

    _show_queue(queue_down(_open(ctx), key, steps, MOVED_WINDOW), False)


@queue_cmd.command("top")
@click.argument("key")
@click.pass_context
def queue_top_cmd(ctx: click.Context, key: str) -> None:
    """Put KEY first in the queue.

    \b
    Examples:
      paperlog queue top simclr
    """
    from paperlog.plan.log import queue_top

    _show_queue(queue_top(_open(ctx), key, MOVED_WINDOW), False)


@queue_cmd.command("pin")
@click.argument("key")
@click.argument("day", type=DAY)
@date_option
@click.pass_context
def queue_pin_cmd(ctx: click.Context, key: str, day: date, on_date: date | None) -> None:
    """Pin KEY to DAY (YYYY-MM-DD, a reading day, today or later): the plan suggests it then.

    --date is the day it is now (default: today); a DAY before it is refused.

    \b
    Examples:
      paperlog queue pin simclr 2024-05-10
    """
    from paperlog.plan.log import queue_pin

    paper = queue_pin(_open(ctx), key, day, _day(on_date))
    click.echo(f"Pinned {paper.display_title} [{paper.key}] to {day.isoformat()}.")


@queue_cmd.command("unpin")
@click.argument("key")
@click.pass_context
def queue_unpin_cmd(ctx: click.Context, key: str) -> None:
    """Remove KEY's pin.

    \b
    Examples:
      paperlog queue unpin simclr
    """
    from paperlog.plan.log import queue_unpin

    paper = queue_unpin(_open(ctx), key)
    click.echo(f"Unpinned {paper.display_title} [{paper.key}].")


@queue_cmd.command("remove")
@click.argument("key")
@click.pass_context
def queue_remove_cmd(ctx: click.Context, key: str) -> None:
    """Take KEY off the wish-list: its paper file is deleted; the others keep their places.

    Only an item never read can be removed (a read paper's readings are the log). In a git
    library the file's history stays in git.

    \b
    Examples:
      paperlog queue remove simclr
    """
    from paperlog.plan.log import queue_remove

    library = _open(ctx)
    paper = queue_remove(library, key)
    path = library.paper_path(paper.key)
    click.echo(f"Removed {paper.display_title} [{paper.key}] from the wish-list ({path} deleted).")


# --- doctor and export ----------------------------------------------------------------------


@click.command("doctor")
@click.option("--fix", is_flag=True, help="Apply every fixable finding (one atomic write).")
@json_option
@click.pass_context
def doctor_cmd(ctx: click.Context, fix: bool, as_json: bool) -> None:
    """Find weeks, queue entries and papers that contradict each other or the calendar.

    Findings of one kind are grouped ("98 papers on the wish-list without a rank: ...").
    Exit status 1 while problems remain, 0 when clean (a git pre-commit hook can run it).

    \b
    Examples:
      paperlog doctor
      paperlog doctor --fix
    """
    from paperlog.plan.doctor import group_findings, run_doctor

    report = run_doctor(_open(ctx), fix)
    if as_json:
        print_json(report.to_json())
    elif not report.findings:
        click.echo("No problems found.")
    elif report.fixed:
        _print_fixed(report)
    else:
        for g in group_findings(report.findings):
            mark = "" if g.fixable else " (by hand)"
            click.echo(f"[{g.code}] {g.message}\n    fix{mark}: {g.fix}")
        count = len(report.findings)
        fixable = sum(f.fixable for f in report.findings)
        hint = "; run 'paperlog doctor --fix' to apply the fixes" if fixable else ""
        click.echo(f"{count} problems, {fixable} fixable{hint}.")
    if report.problems:
        sys.exit(1)


def _print_fixed(report: DoctorReport) -> None:
    """What --fix changed, file by file, then what is left."""
    from paperlog.plan.doctor import group_findings

    for g in group_findings(report.applied):
        click.echo(f"fixed [{g.code}] {g.message}\n    did: {g.fix}")
    files = []
    if report.weeks_changed:
        files.append("weeks.yaml")
    if report.changed_papers:
        names = ", ".join(report.changed_papers[:8])
        more = (
            f" and {len(report.changed_papers) - 8} more" if len(report.changed_papers) > 8 else ""
        )
        files.append(f"{len(report.changed_papers)} paper files ({names}{more})")
    click.echo(f"Changed: {' and '.join(files) or 'nothing'}.")
    for g in group_findings(report.remaining):
        click.echo(f"left [{g.code}] {g.message}\n    fix (by hand): {g.fix}")
    if report.remaining:
        click.echo(f"{len(report.remaining)} problems left to fix by hand.")
    else:
        click.echo("No problems left.")


@click.command("ics")
@date_option
@click.option(
    "--weeks",
    type=click.IntRange(1, 52),
    default=1,
    show_default=True,
    help="How many calendar weeks, counting the one holding --date.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to FILE (default: stdout).",
)
@click.pass_context
def export_ics_cmd(
    ctx: click.Context, on_date: date | None, weeks: int, output: Path | None
) -> None:
    """The coming weeks' plan as an iCalendar file: one event per reading and review day.

    \b
    Examples:
      paperlog export ics --weeks 4 -o plan.ics
    """
    from paperlog.library import atomic_write
    from paperlog.plan.ics import build_ics

    lib = _open(ctx)
    data = build_ics(
        lib.config.plan,
        _papers(lib),
        lib.load_weeks(),
        _day(on_date),
        weeks=weeks,
        library_title=lib.config.title,
    )
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    atomic_write(output, data.decode("utf-8"))
    click.echo(f"Wrote {output}", err=True)
