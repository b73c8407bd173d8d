"""The plan's pages: Today, Week, Queue, Review, Stats, and their actions.

Each handler reads through the index (``all_papers``: synced with the files on open) and the
plan functions the CLI calls; each action calls the same ``paperlog.plan`` function as its CLI
command (``done`` -> ``log_reading`` ...), which takes the library lock and writes atomically.

The read pages are ``async def``: they run on the event loop, one after another, not in the
thread pool. A page costs a few milliseconds of CPU; twenty of them in twenty threads took
twenty times as long each, queued on the GIL (``make bench``: Today p95 at 20 clients). What
may block for long stays in threads: writes (the lock, git), Stats (drawing charts), Add (the
network) and the recommender.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from paperlog.errors import NotFound, ValidationError
from paperlog.model import Paper
from paperlog.web.common import (
    checked_form,
    day_param,
    field_text,
    freshness_of,
    open_library,
    page,
    papers_of,
    redirect,
    settings_of,
    write,
)
from paperlog.web.pages_catalog import has_catalog

QUEUE_PAGE = 50
"""Queue rows per page: a long wish-list stays a quick page."""
CHART_NAMES = ("reading-calendar", "papers-per-week", "topics", "venues")


def _date_field(raw: str, fallback: date) -> date:
    if not raw:
        return fallback
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"date {raw!r} is not YYYY-MM-DD") from None


def _back(day: date, today: date, path: str = "/") -> str:
    return path if day == today else f"{path}?date={day.isoformat()}"


# --- Today ---------------------------------------------------------------------------------


async def today_page(request: Request) -> Response:
    """``/``: the plan's pick for the day with its reason, the week so far, the actions."""
    from paperlog.plan.calendar import check_plan
    from paperlog.plan.review import due_items, moment_of
    from paperlog.plan.schedule import suggest_today, week_report

    lib = open_library(request)
    check_plan(lib.config.plan, lib.config_path)
    day = day_param(request)

    def plan_for_day() -> tuple[Any, Any, list[Any], dict[str, Paper]]:
        papers = papers_of(request, lib)
        weeks = lib.load_weeks()
        suggestion = suggest_today(lib.config.plan, papers, weeks, day)
        report = week_report(lib.config.plan, papers, weeks, day)
        due = due_items(papers, moment_of(day)) if suggestion.kind == "review" else []
        return suggestion, report, due, {p.key: p for p in papers}

    # the same for every request of the day until a file changes (with the watcher running)
    suggestion, report, due, by_key = freshness_of(request).cached(("today", day), plan_for_day)
    return page(
        request,
        "today.html",
        title="Today",
        library_title=lib.config.title,
        day=day,
        is_today=day == settings_of(request).today(),
        suggestion=suggestion,
        report=report,
        by_key=by_key,
        due=due,
        date_q="" if day == settings_of(request).today() else day.isoformat(),
        # the panel's placeholder, filled by htmx after the first paint (training takes time)
        recommended=has_catalog(request),
    )


async def done_action(request: Request) -> Response:
    """POST ``/done``: log KEY as read on the day (``paperlog done``)."""
    from paperlog.plan.log import log_reading

    form = await checked_form(request)
    settings = settings_of(request)
    today = settings.today()
    day = _date_field(field_text(form, "date"), today)
    key = field_text(form, "key")
    group = field_text(form, "group") or None
    await write(
        request,
        f"paperlog done {key} --date {day.isoformat()}",
        log_reading,
        key,
        day,
        today,
        group,
        # the CLI's commit message for `paperlog done`
        describe=lambda logged: f"done {logged.paper.key} (Wk{logged.reading.week})",
    )
    return redirect(_back(day, today, field_text(form, "next") or "/"))


async def start_action(request: Request) -> Response:
    """POST ``/start``: mark KEY as started (``paperlog start``)."""
    from paperlog.plan.log import start_reading

    form = await checked_form(request)
    key = field_text(form, "key")
    await write(request, f"paperlog start {key}", start_reading, key)
    today = settings_of(request).today()
    return redirect(_back(_date_field(field_text(form, "date"), today), today))


async def skip_action(request: Request) -> Response:
    """POST ``/skip``: skip KEY for the day (``paperlog skip``)."""
    from paperlog.plan.log import skip

    form = await checked_form(request)
    today = settings_of(request).today()
    day = _date_field(field_text(form, "date"), today)
    key = field_text(form, "key")
    words = f"paperlog skip {key} --date {day.isoformat()}".replace("  ", " ")
    await write(request, words, skip, day, key or None)
    return redirect(_back(day, today))


# --- Week ----------------------------------------------------------------------------------


async def week_current(request: Request) -> Response:
    """``/week``: the week holding the day, at its stable URL."""
    from paperlog.plan.calendar import week_for_date

    lib = open_library(request)
    day = day_param(request)
    number, _ = week_for_date(day, lib.config.plan, lib.load_weeks(), papers_of(request, lib))
    suffix = f"?date={day.isoformat()}" if "date" in request.query_params else ""
    return redirect(f"/week/{number}{suffix}")


async def week_page(request: Request) -> Response:
    """``/week/N``: the week as the README shows it, with pace, previous and next."""
    from paperlog.plan.calendar import known_weeks, week_for_date
    from paperlog.plan.schedule import week_report

    lib = open_library(request)
    number = int(request.path_params["number"])
    day = day_param(request)

    def compute() -> tuple[Any, list[int], dict[str, Paper]]:
        papers = papers_of(request, lib)
        weeks = lib.load_weeks()
        known = known_weeks(weeks, papers)
        # the week holding the day may have no entry yet; it still has a page
        current, _ = week_for_date(day, lib.config.plan, weeks, papers)
        if number not in known and number != current:
            shown = ", ".join(str(n) for n in sorted(known)) or "none yet"
            raise NotFound(f"no week {number} in the library (weeks: {shown})")
        report = week_report(
            lib.config.plan, papers, weeks, day, number if number in known else None
        )
        members = {e.key for _, entries in report.groups for e in entries}
        by_key = {p.key: p for p in papers if p.key in members}
        return report, sorted({*known, current}), by_key

    report, numbers, by_key = freshness_of(request).cached(("week", number, day), compute)
    earlier = [n for n in numbers if n < number]
    later = [n for n in numbers if n > number]
    return page(
        request,
        "week.html",
        title=f"Week {number}",
        library_title=lib.config.title,
        report=report,
        number=number,
        by_key=by_key,
        prev_week=earlier[-1] if earlier else None,
        next_week=later[0] if later else None,
    )


# --- Queue ---------------------------------------------------------------------------------


async def queue_page(request: Request) -> Response:
    """``/queue``: the wish-list in reading order with move, pin and remove."""
    from paperlog.plan.schedule import queue_order

    lib = open_library(request)
    queue = freshness_of(request).cached("queue", lambda: queue_order(papers_of(request, lib)))
    raw = request.query_params.get("page", "1")
    pages = max((len(queue) + QUEUE_PAGE - 1) // QUEUE_PAGE, 1)
    number = min(max(int(raw) if raw.isdigit() and len(raw) < 6 else 1, 1), pages)
    return page(
        request,
        "queue.html",
        title="Queue",
        library_title=lib.config.title,
        queue=queue[(number - 1) * QUEUE_PAGE : number * QUEUE_PAGE],
        total=len(queue),
        page_number=number,
        pages=pages,
        message=request.query_params.get("msg", ""),
    )


async def queue_action(request: Request) -> Response:
    """POST ``/queue/ACTION``: up, down, top, pin, unpin, remove (``paperlog queue ...``)."""
    from paperlog.plan import log

    action = request.path_params["action"]
    form = await checked_form(request)
    key = field_text(form, "key")
    words = f"paperlog queue {action} {key}"  # the commit message: the CLI command doing it
    message = ""
    if action == "up":
        await write(request, words, log.queue_up, key)
    elif action == "down":
        await write(request, words, log.queue_down, key)
    elif action == "top":
        await write(request, words, log.queue_top, key)
    elif action == "pin":
        if not field_text(form, "day"):
            raise ValidationError("choose the day to pin it to")
        day = _date_field(field_text(form, "day"), settings_of(request).today())
        paper: Paper = await write(request, f"{words} {day.isoformat()}", log.queue_pin, key, day)
        message = f"Pinned {paper.key} to {day.isoformat()}."
    elif action == "unpin":
        paper = await write(request, words, log.queue_unpin, key)
        message = f"Unpinned {paper.key}."
    elif action == "remove":
        paper = await write(request, words, log.queue_remove, key)
        message = f"Removed {paper.key} from the wish-list (its file is deleted; git keeps it)."
    else:
        raise NotFound(f"no queue action {action!r}")
    from paperlog.web.render import query_url

    return redirect(query_url("/queue", msg=message))


# --- Review --------------------------------------------------------------------------------


def _moment(request: Request) -> datetime:
    from paperlog.plan.review import moment_of

    if "date" in request.query_params:
        return moment_of(day_param(request))
    return settings_of(request).now()


async def review_page(request: Request) -> Response:
    """``/review``: the first due card; its key ideas are revealed by a key press."""
    from paperlog.plan.review import day_in, due_items, next_due

    lib = open_library(request)
    now = _moment(request)

    def due() -> tuple[list[Any], Any]:
        papers = papers_of(request, lib)
        return due_items(papers, now), next_due(papers, now)

    # due is decided by the day in the reviewer's time zone, so the day is the cache key
    items, upcoming = freshness_of(request).cached(("review", now.date(), now.utcoffset()), due)
    return page(
        request,
        "review.html",
        title="Review",
        library_title=lib.config.title,
        item=items[0] if items else None,
        left=len(items),
        next_due=day_in(upcoming, now) if upcoming else None,
        date_q=request.query_params.get("date", ""),
        graded=request.query_params.get("graded", ""),
    )


async def review_action(request: Request) -> Response:
    """POST ``/review``: grade the card (1-4: again, hard, good, easy), FSRS as the CLI does."""
    from paperlog.plan.review import grade, moment_of, parse_rating

    form = await checked_form(request)
    raw_date = field_text(form, "date")
    now = moment_of(_date_field(raw_date, date.today())) if raw_date else settings_of(request).now()
    try:
        rating = parse_rating(field_text(form, "rating"))
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    key = field_text(form, "key")
    result = await write(request, f"review {key}: {rating}", grade, key, rating, now)
    from paperlog.web.render import query_url

    return redirect(query_url("/review", date=raw_date, graded=f"{result.key}: {rating}"))


# --- Stats ---------------------------------------------------------------------------------


def _charts(
    lib: Any, papers: Callable[[], list[Paper]], day: date, fingerprint: str
) -> list[tuple[str, str]]:
    """The README's SVG charts for ``day``, cached under .paperlog/web-charts by content;
    ``papers`` is called only to draw them (they draw every reading), not when cached."""
    from pathlib import Path

    out = lib.state_dir / "web-charts" / fingerprint
    listing = out / "charts.json"
    if listing.is_file():
        return [tuple(pair) for pair in json.loads(listing.read_text("utf-8"))]
    from paperlog.library import atomic_write
    from paperlog.plan.charts import write_charts

    written = write_charts(lib, out, today=day, papers=papers(), weeks=lib.load_weeks())
    charts = [(alt, Path(rel).stem) for alt, rel in written]
    atomic_write(listing, json.dumps(charts))
    return charts


def stats_page(request: Request) -> Response:
    """``/stats``: pace, streaks, tracks, topics, venues, years and the README's charts."""
    from paperlog.plan.stats import compute_stats
    from paperlog.plan.statsindex import reading_days_from_index, stats_from_index

    lib = open_library(request)
    day = day_param(request)

    def compute() -> tuple[Any, list[tuple[str, str]], str]:
        weeks = lib.load_weeks()
        # SQL aggregates over the index, as `paperlog stats` does: no paper is decoded
        with freshness_of(request).index(lib) as index:
            stats = stats_from_index(lib, index, weeks, day)
            per_day = reading_days_from_index(index, weeks)
        if stats is None:  # a review card that does not read: the paper path names its file
            stats = compute_stats(lib, papers_of(request, lib), weeks, day)
        # what the charts are drawn from: the stats, the readings per day, the plan
        days = sorted((d.isoformat(), n) for d, n in per_day.items())
        drawn_from = [stats.to_dict(), days, lib.config.title, repr(lib.config.plan)]
        fingerprint = hashlib.sha256(
            json.dumps(drawn_from, sort_keys=True, default=str).encode()
        ).hexdigest()[:16]
        charts = _charts(lib, lambda: papers_of(request, lib), day, fingerprint)
        return stats, charts, fingerprint

    stats, charts, fingerprint = freshness_of(request).cached(("stats", day), compute)
    return page(
        request,
        "stats.html",
        title="Stats",
        library_title=lib.config.title,
        stats=stats,
        charts=charts,
        fingerprint=fingerprint,
        day=day,
    )


def chart_file(request: Request) -> Response:
    """``/charts/FINGERPRINT/NAME.svg``: one chart written by the stats page."""
    fingerprint = request.path_params["fingerprint"]
    name = request.path_params["name"]
    if name not in CHART_NAMES or not fingerprint.isalnum() or len(fingerprint) != 16:
        raise NotFound(f"no chart {name!r}")
    path = open_library(request).state_dir / "web-charts" / fingerprint / f"{name}.svg"
    if not path.is_file():
        raise NotFound(f"no chart {name!r}: open /stats to draw it")
    return FileResponse(path, media_type="image/svg+xml")


ROUTES = [
    Route("/", today_page),
    Route("/done", done_action, methods=["POST"]),
    Route("/start", start_action, methods=["POST"]),
    Route("/skip", skip_action, methods=["POST"]),
    Route("/week", week_current),
    Route("/week/{number:int}", week_page),
    Route("/queue", queue_page),
    Route("/queue/{action}", queue_action, methods=["POST"]),
    Route("/review", review_page),
    Route("/review", review_action, methods=["POST"]),
    Route("/stats", stats_page),
    Route("/charts/{fingerprint}/{name}.svg", chart_file),
]
