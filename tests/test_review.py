"""Spaced-repetition review: takeaways, due items, FSRS state in the paper file, grading."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlog.errors import BadFile, NotFound, ValidationError
from paperlog.library import Library
from paperlog.model import Paper, Reading
from paperlog.paperfile import paper_from_text, paper_to_text
from paperlog.plan.review import (
    RATINGS,
    card_of,
    due_items,
    grade,
    grade_many,
    key_ideas_from_notes,
    moment_of,
    next_due,
    parse_answers,
    parse_grade_spec,
    parse_rating,
    run_session,
    schedule,
    scheduler_for,
    takeaways_of,
)

SUNDAY = moment_of(date(2020, 7, 5))

NOTES = """Some notes.

## Key ideas
- contrastive loss over augmented views
  needs large batches
* a projection head helps
1. stronger colour augmentation

### Detail under the section
- the temperature matters
```
- not a bullet, code
```

## Results
- 76.5% top-1
"""


def read_paper(key: str, week_start: date = date(2020, 6, 29), **kw: object) -> Paper:
    paper = Paper(
        key=key,
        title=f"Title of {key}",
        status="read",
        readings=[Reading(week=2, week_start=week_start)],
    )
    for name, value in kw.items():
        setattr(paper, name, value)
    return paper


# --- takeaways ---------------------------------------------------------------------------------


def test_key_ideas_section_bullets_continuations_and_subsections() -> None:
    assert key_ideas_from_notes(NOTES) == [
        "contrastive loss over augmented views needs large batches",
        "a projection head helps",
        "stronger colour augmentation",
        "the temperature matters",
    ]


idea_text = (
    st.text(
        alphabet=st.characters(categories=["L", "N"], include_characters=" ,.;:()'-"),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(lambda t: bool(t) and t[0] not in "-*+#" and not t[0].isdigit())
)


@settings(deadline=None)
@given(st.lists(idea_text, min_size=1, max_size=6), st.sampled_from(["-", "*", "+", "1."]))
def test_any_bullets_written_under_key_ideas_are_read_back(ideas: list[str], marker: str) -> None:
    notes = "Intro.\n\n## Key ideas\n" + "".join(f"{marker} {i}\n" for i in ideas) + "\n## End\n"
    assert key_ideas_from_notes(notes) == ideas


def test_notes_without_the_section_have_no_key_ideas() -> None:
    assert key_ideas_from_notes("# Title\n- a bullet elsewhere\n") == []


def test_front_matter_takeaways_win_over_the_notes_section() -> None:
    paper = read_paper("a", takeaways=["from front matter"], notes=NOTES)
    assert takeaways_of(paper) == ["from front matter"]
    assert takeaways_of(read_paper("b", notes=NOTES))[0].startswith("contrastive")


# --- the card in the file ----------------------------------------------------------------------


def test_grading_saves_state_that_round_trips_exactly(library: Library) -> None:
    library.save_paper(read_paper("simclr-2020", nickname="SimCLR", notes=NOTES))
    result = grade(library, "simclr", "good", SUNDAY)
    text = library.paper_path("simclr-2020").read_text(encoding="utf-8")
    loaded = library.load_paper("simclr-2020")
    card = card_of(loaded)
    assert card is not None
    assert card.due == result.due
    assert card.stability == result.stability and card.difficulty == result.difficulty
    assert loaded.review == result.review
    assert loaded.review["last_review"] == SUNDAY.isoformat()
    assert loaded.notes == NOTES
    # load then save changes nothing: a grade is a diff of the review mapping only
    library.save_paper(loaded)
    assert library.paper_path("simclr-2020").read_text(encoding="utf-8") == text


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(RATINGS), min_size=1, max_size=8))
def test_any_grade_sequence_round_trips_through_the_text(grades: list[str]) -> None:
    scheduler = scheduler_for()
    paper = read_paper("p", takeaways=["idea"])
    now = SUNDAY
    for rating in grades:
        result = schedule(paper, rating, now, scheduler)
        again = paper_from_text("p", paper_to_text(paper), "p.md")
        card, reloaded = card_of(paper), card_of(again)
        assert card is not None and reloaded is not None
        assert reloaded.to_dict() == card.to_dict()
        assert again.review == paper.review
        now = result.due
    assert paper.review["reps"] == len(grades)
    assert paper.review["lapses"] == grades.count("again")


def test_the_same_grades_give_the_same_files(tmp_path: Path) -> None:
    texts = []
    for name in ("one", "two"):
        lib = Library.create(tmp_path / name)
        lib.save_paper(read_paper("p", takeaways=["idea"]))
        now = SUNDAY
        for rating in ("good", "hard", "again", "easy"):
            now = grade(lib, "p", rating, now).due
        texts.append(lib.paper_path("p").read_text(encoding="utf-8"))
    assert texts[0] == texts[1]


def test_good_answers_space_reviews_further_apart() -> None:
    scheduler = scheduler_for()
    paper = read_paper("p", takeaways=["idea"])
    now = SUNDAY
    gaps = []
    for _ in range(5):
        due = schedule(paper, "good", now, scheduler).due
        gaps.append(due - now)
        now = due
    assert all(gap >= timedelta(days=1) for gap in gaps)
    assert gaps == sorted(gaps) and gaps[-1] > gaps[0]


def test_again_brings_a_paper_back_sooner_than_easy() -> None:
    scheduler = scheduler_for()
    dues = {}
    for rating in ("again", "easy"):
        paper = read_paper("p", takeaways=["idea"])
        first = schedule(paper, "good", SUNDAY, scheduler).due
        dues[rating] = schedule(paper, rating, first, scheduler).due
    assert dues["again"] < dues["easy"]


def test_a_hand_broken_review_mapping_names_the_file(library: Library) -> None:
    paper = read_paper("p", takeaways=["idea"], review={"due": "next sunday", "state": "review"})
    library.save_paper(paper)
    with pytest.raises(BadFile, match=r"papers/p\.md.*review\.due"):
        due_items(library.load_papers(), SUNDAY)


def test_retention_from_the_plan_is_checked(library: Library) -> None:
    library.config.plan.extra["review_retention"] = 1.5
    with pytest.raises(ValidationError, match="review_retention"):
        scheduler_for(library)
    library.config.plan.extra["review_retention"] = 0.8
    assert scheduler_for(library).desired_retention == 0.8


# --- what is due -------------------------------------------------------------------------------


def test_due_items_new_read_papers_and_due_cards(library: Library) -> None:
    library.save_papers(
        [
            read_paper("read-with-ideas", takeaways=["x"]),
            read_paper("read-no-ideas"),
            Paper(key="wished", title="W", takeaways=["x"]),
            read_paper("read-later", week_start=date(2020, 7, 13), takeaways=["x"]),
            read_paper("from-notes", notes=NOTES),
        ]
    )
    keys = [i.key for i in due_items(library.load_papers(), SUNDAY)]
    assert keys == ["from-notes", "read-with-ideas"]
    assert {i.state for i in due_items(library.load_papers(), SUNDAY)} == {"new"}
    # a week later, the paper read in Wk4 is due too
    later = [i.key for i in due_items(library.load_papers(), SUNDAY + timedelta(days=14))]
    assert "read-later" in later


def test_a_graded_card_is_due_on_its_day_not_before(library: Library) -> None:
    library.save_paper(read_paper("p", takeaways=["x"]))
    due = grade(library, "p", "good", SUNDAY).due
    papers = library.load_papers()
    assert due_items(papers, due - timedelta(days=1)) == []
    # due by day: earlier the same day still counts
    early = datetime.combine(due.date(), datetime.min.time(), tzinfo=UTC)
    assert [i.key for i in due_items(papers, early)] == ["p"]
    assert due_items(papers, early)[0].state == "review"
    assert next_due(papers, SUNDAY) == due
    assert next_due(papers, due) is None


def test_naive_now_is_taken_as_utc(library: Library) -> None:
    library.save_paper(read_paper("p", takeaways=["x"]))
    result = grade(library, "p", "good", SUNDAY.replace(tzinfo=None))
    assert result.due.tzinfo is not None
    assert library.load_paper("p").review["last_review"] == SUNDAY.isoformat()


# --- grading input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "name"),
    [("1", "again"), ("2", "hard"), ("3", "good"), ("4", "easy"), ("Good", "good"), ("e", "easy")],
)
def test_parse_rating(typed: str, name: str) -> None:
    assert parse_rating(typed) == name


@pytest.mark.parametrize("typed", ["5", "0", "great", ""])
def test_parse_rating_rejects(typed: str) -> None:
    with pytest.raises(ValueError, match="not a grade"):
        parse_rating(typed)


def test_grade_specs_and_answer_lines() -> None:
    assert parse_grade_spec("simclr-2020=good") == ("simclr-2020", "good")
    assert parse_grade_spec("moco:4") == ("moco", "easy")
    text = "# my Sunday\nsimclr good\n\nmoco=1  # forgot it\n"
    assert parse_answers(text) == [("simclr", "good"), ("moco", "again")]
    with pytest.raises(BadFile, match=r"<stdin>:2: .*not a grade"):
        parse_answers("simclr good\nmoco brilliant\n")


def test_a_bad_key_or_grade_writes_nothing(library: Library) -> None:
    library.save_papers([read_paper("a", takeaways=["x"]), read_paper("b")])
    before = {p.name: p.read_text(encoding="utf-8") for p in library.paper_files()}
    with pytest.raises(NotFound):
        grade_many(library, [("a", "good"), ("nope", "good")], SUNDAY)
    with pytest.raises(ValidationError, match="not a grade"):
        grade_many(library, [("a", "good"), ("a", "superb")], SUNDAY)
    with pytest.raises(ValidationError, match=r"papers/b\.md.*no takeaways"):
        grade_many(library, [("a", "good"), ("b", "good")], SUNDAY)
    assert {p.name: p.read_text(encoding="utf-8") for p in library.paper_files()} == before


def test_grading_twice_in_one_batch_sees_the_first_grade(library: Library) -> None:
    library.save_paper(read_paper("a", takeaways=["x"]))
    results = grade_many(library, [("a", "good"), ("a", "good")], SUNDAY)
    assert library.load_paper("a").review["reps"] == 2
    assert results[1].stability is not None and results[0].stability is not None


# --- a session ---------------------------------------------------------------------------------


def test_session_reveals_grades_skips_and_stops(library: Library) -> None:
    library.save_papers([read_paper(k, takeaways=[f"idea of {k}"]) for k in ("a", "b", "c", "d")])
    items = due_items(library.load_papers(), SUNDAY)
    answers = iter(["", "bogus", "3", "", "s", "", "again", "q"])
    asked: list[str] = []
    said: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    results = run_session(library, items, SUNDAY, ask, said.append)
    assert [(r.key, r.rating) for r in results] == [("a", "good"), ("c", "again")]
    assert any("idea of a" in line for line in said)
    assert any("not a grade" in line for line in said)
    assert library.load_paper("b").review == {}
    assert library.load_paper("c").review["last_rating"] == "again"
    assert library.load_paper("d").review == {}
    assert len(asked) == 8


def test_due_is_by_the_reviewers_day_in_their_time_zone(library: Library) -> None:
    sydney = timezone(timedelta(hours=10))
    sunday_morning = datetime(2020, 7, 12, 8, 0, tzinfo=sydney)  # Saturday 22:00 UTC
    late = read_paper("late", takeaways=["x"], review=_review_due("2020-07-11T23:00:00+00:00"))
    monday = read_paper("monday", takeaways=["x"], review=_review_due("2020-07-12T20:00:00+00:00"))
    library.save_papers([late, monday])
    papers = library.load_papers()
    # 23:00 UTC Saturday is Sunday 09:00 in Sydney: due on Sunday morning there
    assert [i.key for i in due_items(papers, sunday_morning)] == ["late"]
    # 20:00 UTC Sunday is Monday 06:00 in Sydney: due then, and due on Sunday in UTC
    assert next_due(papers, sunday_morning) == datetime(2020, 7, 12, 20, 0, tzinfo=UTC)
    assert [i.key for i in due_items(papers, datetime(2020, 7, 12, 21, 0, tzinfo=UTC))] == [
        "late",
        "monday",
    ]


def _review_due(due: str) -> dict[str, object]:
    return {"state": "review", "stability": 3.0, "difficulty": 5.0, "due": due}
