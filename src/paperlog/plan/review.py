"""Spaced-repetition review of what was read: one FSRS card per paper, its key ideas the answer.

A paper's review items are its takeaways: the front-matter ``takeaways`` list, or else the
bullets of a ``## Key ideas`` section in its notes. The card's state lives in the paper's own
front matter (``review:``) as plain data with ISO datetimes, so git versions every grade and the
library stays the only record. Every function takes ``now`` explicitly: nothing here reads the
wall clock, so a review replays identically in tests.

The scheduler runs without minute-scale learning steps and without fuzz: the plan reviews once a
week, so a 10-minute relearning step would only mean "again next Sunday", and a random fuzz
would make the files (and the tests) differ between two runs of the same grades.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from paperlog.errors import BadFile, ValidationError
from paperlog.model import Paper

if TYPE_CHECKING:
    from fsrs import Card, Scheduler

    from paperlog.library import Library

RATINGS = ("again", "hard", "good", "easy")
"""Grade names in FSRS order: ``again`` is 1, ``easy`` is 4."""

STATES = {1: "learning", 2: "review", 3: "relearning"}
"""FSRS card states as the front matter writes them."""

_KEY_IDEAS = re.compile(r"^(#{1,6})\s+(key ideas|key takeaways|takeaways)\s*#*\s*$", re.I)
_HEADING = re.compile(r"^(#{1,6})\s")
_BULLET = re.compile(r"^([-*+]|\d+[.)])\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_REVIEW_KEYS = ("state", "step", "stability", "difficulty", "due", "last_review")

DEFAULT_RETENTION = 0.9


# --- time --------------------------------------------------------------------------------------


def as_utc(now: datetime) -> datetime:
    """``now`` as an aware UTC datetime (FSRS refuses anything else); naive means UTC."""
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def day_in(moment: datetime, now: datetime) -> date:
    """The calendar day ``moment`` falls on in ``now``'s time zone (UTC when ``now`` is naive).

    Due dates are stored in UTC but compared by the reviewer's day: a card due at 22:00 UTC
    on Saturday is due on Sunday morning in Sydney.
    """
    return as_utc(moment).astimezone(now.tzinfo or UTC).date()


def moment_of(day: date) -> datetime:
    """The instant a ``--date`` day stands for: noon UTC, the middle of the day everywhere."""
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


# --- takeaways ---------------------------------------------------------------------------------


def key_ideas_from_notes(notes: str) -> list[str]:
    """The bullets of the first ``## Key ideas`` section (also ``Key takeaways``, ``Takeaways``).

    The section ends at the next heading of the same or a higher level. A line indented under a
    bullet continues it; nested bullets become items of their own. Code fences are skipped.
    """
    items: list[str] = []
    level = 0
    in_fence = False
    for line in notes.splitlines():
        if level == 0:
            match = _KEY_IDEAS.match(line.strip())
            if match:
                level = len(match.group(1))
            continue
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        heading = _HEADING.match(line)
        if heading and len(heading.group(1)) <= level:
            break
        bullet = _BULLET.match(line.strip())
        if bullet and bullet.group(2).strip():
            items.append(bullet.group(2).strip())
        elif line.strip() and items and line[:1] in (" ", "\t"):
            # a wrapped bullet: its text goes on under the bullet, indented
            items[-1] = f"{items[-1]} {line.strip()}"
    return items


def takeaways_of(paper: Paper) -> list[str]:
    """The key ideas to review: front-matter ``takeaways`` when given, else the notes section."""
    kept = [t.strip() for t in paper.takeaways if t.strip()]
    return kept or key_ideas_from_notes(paper.notes)


def question_of(paper: Paper) -> str:
    """The question side of a paper's card."""
    name = paper.nickname or paper.title
    return f"{name}: what are its key ideas?"


# --- the FSRS card in front matter -------------------------------------------------------------


def scheduler_for(library: Library | None = None) -> Scheduler:
    """The FSRS scheduler: day intervals only, no fuzz, retention from ``[plan] review_retention``."""
    from fsrs import Scheduler

    retention = DEFAULT_RETENTION
    if library is not None:
        raw = library.config.plan.extra.get("review_retention", DEFAULT_RETENTION)
        try:
            retention = float(raw)
        except (TypeError, ValueError):
            raise ValidationError(
                f"[plan] review_retention must be a number between 0 and 1, not {raw!r}",
                library.config_path,
            ) from None
        if not 0 < retention < 1:
            raise ValidationError(
                f"[plan] review_retention must be between 0 and 1, not {retention}",
                library.config_path,
            )
    return Scheduler(
        desired_retention=retention, learning_steps=(), relearning_steps=(), enable_fuzzing=False
    )


def card_id_of(key: str) -> int:
    """A stable card id from the paper key (FSRS only uses it to label review logs)."""
    return zlib.crc32(key.encode("utf-8"))


def _datetime_field(value: Any, name: str, paper: Paper) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):
        return moment_of(value)
    try:
        return as_utc(datetime.fromisoformat(str(value)))
    except ValueError:
        raise _bad(paper, f"review.{name}: {value!r} is not an ISO date-time") from None


def _bad(paper: Paper, message: str) -> BadFile:
    return BadFile(message, f"papers/{paper.key}.md")


def card_of(paper: Paper) -> Card | None:
    """The paper's FSRS card from its ``review`` mapping, or None when it was never graded."""
    from fsrs import Card, State

    data = paper.review
    if not data or data.get("due") is None:
        return None
    state_name = str(data.get("state", "review")).lower()
    by_name = {v: k for k, v in STATES.items()}
    if state_name not in by_name:
        raise _bad(paper, f"review.state: {state_name!r} is not one of {', '.join(by_name)}")
    numbers: dict[str, float | None] = {}
    for name in ("stability", "difficulty"):
        value = data.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise _bad(paper, f"review.{name}: {value!r} is not a number")
        numbers[name] = None if value is None else float(value)
    step = data.get("step")
    if step is not None and not isinstance(step, int):
        raise _bad(paper, f"review.step: {step!r} is not a whole number")
    due = _datetime_field(data.get("due"), "due", paper)
    return Card(
        card_id=card_id_of(paper.key),
        state=State(by_name[state_name]),
        step=step,
        stability=numbers["stability"],
        difficulty=numbers["difficulty"],
        due=due,
        last_review=_datetime_field(data.get("last_review"), "last_review", paper),
    )


def review_data(card: Card, previous: dict[str, Any], rating: str) -> dict[str, Any]:
    """The ``review`` mapping after a grade: card fields, counters, unknown keys kept."""
    data: dict[str, Any] = {
        "state": STATES[int(card.state)],
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": card.due.isoformat(),
        "last_review": card.last_review.isoformat() if card.last_review else None,
        "reps": int(previous.get("reps") or 0) + 1,
        "lapses": int(previous.get("lapses") or 0) + (1 if rating == "again" else 0),
        "last_rating": rating,
    }
    out = {k: v for k, v in data.items() if v is not None}
    known = {*_REVIEW_KEYS, "reps", "lapses", "last_rating"}
    out.update({k: v for k, v in previous.items() if k not in known})
    return out


# --- what is due -------------------------------------------------------------------------------


@dataclass
class ReviewItem:
    """One paper to review: its question, its takeaways, and where its card stands."""

    key: str
    title: str
    question: str
    takeaways: list[str]
    state: str
    """``new`` (never graded), ``learning``, ``review`` or ``relearning``."""
    due: datetime | None
    """When the card is due; None for a new card (due since it was read)."""
    read_on: date | None = None
    last_review: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object ``review --list --json`` prints for this item."""
        return {
            "key": self.key,
            "title": self.title,
            "question": self.question,
            "state": self.state,
            "due": self.due.isoformat() if self.due else None,
            "read_on": self.read_on.isoformat() if self.read_on else None,
            "last_review": self.last_review.isoformat() if self.last_review else None,
            "takeaways": list(self.takeaways),
        }


def first_read_on(paper: Paper) -> date | None:
    """The earliest day a paper was read (its reading's day, else its week's start)."""
    days = [r.date or r.week_start for r in paper.readings]
    known = [d for d in days if d is not None]
    return min(known) if known else None


def is_read_by(paper: Paper, day: date) -> bool:
    """True when the paper was read on or before ``day`` (undated readings count as read)."""
    if not paper.readings:
        return paper.status == "read"
    first = first_read_on(paper)
    return first is None or first <= day


def review_item(
    paper: Paper, takeaways: list[str] | None = None, card: Card | None = None
) -> ReviewItem:
    """The review item of a paper with takeaways, whatever its due date.

    ``takeaways`` and ``card`` save parsing them again when the caller has them already.
    """
    card = card if card is not None else card_of(paper)
    return ReviewItem(
        key=paper.key,
        title=paper.display_title,
        question=question_of(paper),
        takeaways=takeaways if takeaways is not None else takeaways_of(paper),
        state="new" if card is None else STATES[int(card.state)],
        due=None if card is None else card.due,
        read_on=first_read_on(paper),
        last_review=None if card is None else card.last_review,
    )


def due_items(papers: Iterable[Paper], now: datetime) -> list[ReviewItem]:
    """Papers to review at ``now``, overdue cards first (oldest due first), then new ones.

    Due is by day, in ``now``'s time zone: a card due any time on that day is due, so a weekly
    review at 9:00 does not miss a card scheduled for 10:00 the same day. A new card is a
    paper with takeaways, read on or before that day, never graded.
    """
    today = now.date()
    items: list[ReviewItem] = []
    for paper in papers:
        ideas = takeaways_of(paper)
        if not ideas:
            continue
        card = card_of(paper)
        if card is None:
            if is_read_by(paper, today):
                items.append(review_item(paper, ideas))
        elif day_in(card.due, now) <= today:
            items.append(review_item(paper, ideas, card))

    def order(item: ReviewItem) -> tuple[int, str, str]:
        if item.due is not None:
            return (0, item.due.isoformat(), item.key)
        return (1, item.read_on.isoformat() if item.read_on else "", item.key)

    return sorted(items, key=order)


def next_due(papers: Iterable[Paper], now: datetime) -> datetime | None:
    """The earliest due date after ``now``'s day among graded cards (None when none is)."""
    today = now.date()
    dues = [c.due for p in papers if takeaways_of(p) and (c := card_of(p)) is not None]
    later = [d for d in dues if day_in(d, now) > today]
    return min(later) if later else None


# --- grading -----------------------------------------------------------------------------------


def parse_rating(text: str) -> str:
    """``1``-``4``, a grade name or its first letter -> the grade name; else ValueError."""
    word = text.strip().lower()
    if word in RATINGS:
        return word
    if word in {"1", "2", "3", "4"}:
        return RATINGS[int(word) - 1]
    by_letter = {r[0]: r for r in RATINGS}
    if word in by_letter:
        return by_letter[word]
    raise ValueError(f"{text.strip()!r} is not a grade (again, hard, good, easy or 1-4)")


def parse_grade_spec(spec: str) -> tuple[str, str]:
    """``KEY=good`` (or ``KEY good``, ``KEY:3``) -> (key as typed, grade name)."""
    match = re.match(r"^\s*(\S+?)\s*(?:=|:|\s)\s*(\S+)\s*$", spec)
    if match is None:
        raise ValueError(f"{spec!r} is not KEY=GRADE (e.g. simclr-2020=good)")
    return match.group(1), parse_rating(match.group(2))


def parse_answers(text: str, source: str = "<stdin>") -> list[tuple[str, str]]:
    """Graded answers, one ``KEY GRADE`` or ``KEY=GRADE`` a line; ``#`` comments, blanks skipped."""
    out: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        body = line.split("#", 1)[0].strip()
        if not body:
            continue
        try:
            out.append(parse_grade_spec(body))
        except ValueError as exc:
            raise BadFile(str(exc), source, number) from None
    return out


@dataclass
class GradeResult:
    """What one grade did: the paper, the grade, the card's new state and due date."""

    key: str
    rating: str
    state: str
    due: datetime
    stability: float | None
    difficulty: float | None
    review: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of one grade."""
        return {
            "key": self.key,
            "rating": self.rating,
            "state": self.state,
            "due": self.due.isoformat(),
            "stability": self.stability,
            "difficulty": self.difficulty,
        }


def schedule(paper: Paper, rating: str, now: datetime, scheduler: Scheduler) -> GradeResult:
    """Grade a paper's card at ``now`` in memory: ``paper.review`` gets the new state."""
    from fsrs import Card, Rating, State

    grade = parse_rating(rating)
    if not takeaways_of(paper):
        raise ValidationError(
            "has no takeaways to review: add a 'takeaways' list or a '## Key ideas' section",
            f"papers/{paper.key}.md",
        )
    at = as_utc(now)
    card = card_of(paper) or Card(card_id=card_id_of(paper.key), state=State.Learning, due=at)
    updated, _log = scheduler.review_card(card, Rating(RATINGS.index(grade) + 1), at)
    paper.review = review_data(updated, paper.review, grade)
    return GradeResult(
        key=paper.key,
        rating=grade,
        state=STATES[int(updated.state)],
        due=updated.due,
        stability=updated.stability,
        difficulty=updated.difficulty,
        review=dict(paper.review),
    )


def grade(library: Library, key: str, rating: str, now: datetime) -> GradeResult:
    """Grade one paper (``key`` as a user types it) at ``now`` and save its file atomically."""
    return grade_many(library, [(key, rating)], now)[0]


def not_due_reason(paper: Paper, now: datetime) -> str | None:
    """Why ``paper``'s card is not due at ``now`` (its day), or None when it is due."""
    card = card_of(paper)
    today = now.date()
    if card is None:
        if is_read_by(paper, today):
            return None
        first = first_read_on(paper)
        when = f"read on {first.isoformat()}" if first else "not read"
        return f"is not due on {today.isoformat()}: not read by then ({when})"
    due = day_in(card.due, now)
    if due <= today:
        return None
    return f"is not due until {due.isoformat()}"


def check_review_day(now: datetime, today: date) -> None:
    """Refuse grading on a day after ``today`` (a review cannot happen in the future)."""
    if now.date() > today:
        raise ValidationError(
            f"cannot review on {now.date().isoformat()}: it is after today ({today.isoformat()})"
        )


def grade_many(
    library: Library,
    grades: Sequence[tuple[str, str]],
    now: datetime,
    *,
    today: date | None = None,
    force: bool = False,
) -> list[GradeResult]:
    """Grade several papers in order; every key and grade is checked before any file is written.

    A key graded twice is scheduled twice (the second grade sees the first), as in a session.
    ``now`` after ``today`` is refused, as ``done`` refuses a future day; a card that is not
    due at ``now`` is refused unless ``force``.
    """
    if today is not None:
        check_review_day(now, today)
    scheduler = scheduler_for(library)
    checked = []
    for typed, rating in grades:
        try:
            checked.append((library.resolve_key(typed), parse_rating(rating)))
        except ValueError as exc:
            raise ValidationError(f"{typed}: {exc}") from None
    results: list[GradeResult] = []
    with library.lock():
        papers: dict[str, Paper] = {}
        for key, rating in checked:
            paper = papers.get(key) or library.load_paper(key)
            if not force and key not in papers and takeaways_of(paper):
                reason = not_due_reason(paper, now)
                if reason is not None:
                    raise ValidationError(
                        f"{key} {reason}; pass --force to grade it anyway",
                        f"papers/{key}.md",
                    )
            papers[key] = paper
            results.append(schedule(paper, rating, now, scheduler))
        library.save_papers(papers.values())
    return results


# --- an interactive session --------------------------------------------------------------------


def run_session(
    library: Library,
    items: Sequence[ReviewItem],
    now: datetime,
    ask: Callable[[str], str],
    say: Callable[[str], None],
) -> list[GradeResult]:
    """Review ``items`` one by one through ``ask``/``say`` (a terminal, or a script in tests).

    For each: show the question, wait for Enter, show the takeaways, ask for a grade (1-4 or a
    name; ``s`` skips, ``q`` stops), then schedule and save that paper before the next one, so
    quitting halfway keeps every grade given so far.
    """
    results: list[GradeResult] = []
    for number, item in enumerate(items, start=1):
        say(f"\n[{number}/{len(items)}] {item.question}")
        if ask("Press Enter to show the key ideas (q to stop)").strip().lower() == "q":
            break
        for idea in item.takeaways:
            say(f"  - {idea}")
        while True:
            answer = ask("Grade: 1 again, 2 hard, 3 good, 4 easy (s skip, q stop)").strip()
            if answer.lower() in {"s", "q"}:
                break
            try:
                rating = parse_rating(answer)
            except ValueError as exc:
                say(str(exc))
                continue
            result = grade(library, item.key, rating, now)
            results.append(result)
            say(f"  {rating}: next review {day_in(result.due, now).isoformat()}")
            break
        if answer.lower() == "q":
            break
    return results
