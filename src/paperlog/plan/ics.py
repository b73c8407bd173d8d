"""``paperlog export ics``: the coming weeks' plan as an iCalendar file.

One all-day event per reading day (the suggested item: title, link, why) and one per review
day. Output is deterministic: UIDs come from the date and what the event is, and the only
timestamp (DTSTAMP, required by RFC 5545) is midnight UTC of the ``--date`` the plan was made
for, never the clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from paperlog.model import Paper, Plan, WeekInfo
from paperlog.plan.calendar import week_start_of
from paperlog.plan.schedule import suggest_days

PRODID = "-//paperlog//reading plan//EN"


def plan_days(plan: Plan, start: date, weeks: int) -> tuple[date, int]:
    """The first day and the number of days the export covers.

    From ``start`` to the end of the calendar week ``weeks - 1`` weeks after the one holding
    ``start`` (so ``--weeks 1`` on a Wednesday covers Wednesday to the week's last day).
    """
    end = week_start_of(start, plan) + timedelta(days=7 * weeks)
    return start, (end - start).days


def build_ics(
    plan: Plan,
    papers: list[Paper],
    weeks_info: list[WeekInfo],
    start: date,
    *,
    weeks: int = 1,
    library_title: str = "Reading plan",
) -> bytes:
    """The iCalendar file (bytes, CRLF lines) for ``weeks`` plan weeks from ``start``."""
    from icalendar import Calendar, Event

    first, count = plan_days(plan, start, weeks)
    stamp = datetime(start.year, start.month, start.day, tzinfo=UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", library_title)
    for suggestion in suggest_days(plan, papers, weeks_info, first, count):
        if suggestion.kind == "rest":
            continue
        event = Event()
        day = suggestion.date
        paper = suggestion.paper
        week = f"Wk{suggestion.week}" if suggestion.week is not None else ""
        if suggestion.kind == "review":
            summary = f"Review {week}".strip()
            uid = f"{day.isoformat()}-review@paperlog"
            description = suggestion.reason
        elif paper is None:
            summary = "Read: (wish-list empty)"
            uid = f"{day.isoformat()}-read@paperlog"
            description = suggestion.reason
        else:
            summary = f"Read: {paper.display_title}"
            uid = f"{day.isoformat()}-read-{paper.key}@paperlog"
            lines = [f"Why: {suggestion.reason}", f"Key: {paper.key}"]
            # a URL with a line break (or other control character) would end the property
            # and start a forged one: such a URL is left out
            if paper.url and paper.url.isprintable() and " " not in paper.url:
                lines.insert(0, paper.url)
                event.add("url", paper.url)
            description = "\n".join(lines)
        event.add("uid", uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", summary)
        event.add("description", description)
        event.add("transp", "TRANSPARENT")
        if week:
            event.add("categories", [week])
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
