"""The iCalendar export, parsed back with icalendar: events, dates, summaries, stable output."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from icalendar import Calendar

from paperlog.model import Paper, Plan, Reading, WeekInfo
from paperlog.plan.ics import build_ics, plan_days

WED = date(2024, 5, 8)


def _papers() -> list[Paper]:
    papers = [
        Paper(
            f"p{i}",
            f"Paper {i}",
            nickname="Nick" if i == 1 else None,
            status="wish",
            rank=i,
            track="depth" if i % 3 else "breadth",
            url=f"https://arxiv.org/abs/2002.0570{i}",
        )
        for i in range(1, 10)
    ]
    papers.append(
        Paper(
            "old",
            "Old",
            status="read",
            track="depth",
            readings=[Reading(7, date(2024, 5, 6), "G", date(2024, 5, 6), 1)],
        )
    )
    return papers


def _events(data: bytes) -> list[tuple[date, str, str]]:
    cal = Calendar.from_ical(data)
    return [(e.decoded("DTSTART"), str(e["SUMMARY"]), str(e["UID"])) for e in cal.walk("VEVENT")]


def test_one_event_per_reading_day_and_review_day() -> None:
    weeks = [WeekInfo(7, date(2024, 5, 6))]
    data = build_ics(Plan(), _papers(), weeks, WED, weeks=2)
    events = _events(data)
    # Wed..Sun of the current week, Mon..Sun of the next
    assert [d for d, _, _ in events] == [WED + timedelta(days=i) for i in range(12)]
    reviews = [(d, s) for d, s, _ in events if s.startswith("Review")]
    assert reviews == [(date(2024, 5, 12), "Review Wk7"), (date(2024, 5, 19), "Review Wk8")]
    reads = [s for _, s, _ in events if s.startswith("Read: ")]
    assert len(reads) == 10 == len(set(reads))
    assert "Read: Nick: Paper 1" in reads
    assert len({uid for _, _, uid in events}) == len(events)


def test_events_carry_link_and_why_and_are_all_day() -> None:
    data = build_ics(Plan(), _papers(), [], WED, weeks=1)
    cal = Calendar.from_ical(data)
    first = next(iter(cal.walk("VEVENT")))
    assert first.decoded("DTEND") - first.decoded("DTSTART") == timedelta(days=1)
    assert not isinstance(first.decoded("DTSTART"), datetime)
    assert str(first["URL"]).startswith("https://arxiv.org/abs/")
    description = str(first["DESCRIPTION"])
    assert "Why: " in description and "Key: " in description
    assert first.decoded("DTSTAMP") == datetime(2024, 5, 8, tzinfo=first.decoded("DTSTAMP").tzinfo)


def test_output_is_deterministic() -> None:
    one = build_ics(Plan(), _papers(), [], WED, weeks=3)
    two = build_ics(Plan(), _papers(), [], WED, weeks=3)
    assert one == two


def test_plan_days_cover_whole_calendar_weeks() -> None:
    assert plan_days(Plan(), WED, 1) == (WED, 5)
    assert plan_days(Plan(), date(2024, 5, 6), 2) == (date(2024, 5, 6), 14)
