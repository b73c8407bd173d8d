"""``paperlog doctor``: find weeks and queue entries that contradict each other or the calendar.

Each finding says what is wrong and the fix it proposes; ``--fix`` applies every fixable
finding in one atomic batch. Checks (codes as ``doctor --json`` prints them):

- ``off-day-start``: a week starts on a day other than ``plan.week_start`` (the seed's Wk12
  and Wk13 start on a Tuesday). Fix: move the start back to its calendar week start.
- ``same-week``: two weeks start in one calendar week (the seed's Wk9 and Wk10 both start
  2020.08.17). Week numbers count reading weeks in order, so the higher number is the later
  week. Fix: move it to the next calendar week (Wk10 -> 2020.08.24), provided that week is
  free, before the next week in time, and no reading of it is dated elsewhere; otherwise the
  finding needs a hand.
- ``out-of-order``: a higher week number starts before a lower one. Fix: renumber the weeks in
  date order (readings follow).
- ``no-start``: a week without a start date. No automatic fix.
- ``missing-week``: readings name a week weeks.yaml does not list. Fix: add it.
- ``reading-start``: a reading's ``week_start`` disagrees with weeks.yaml. Fix: take
  weeks.yaml's start (after the week fixes above).
- ``reading-date``: a reading's date lies outside its week's calendar week. By hand.
- ``double-reading``: one paper has two readings in one week. By hand.
- ``read-without-reading``: status read but no reading logged. No automatic fix: log it with
  ``paperlog done KEY --date D`` or set the status back to wish.
- ``unranked`` / ``duplicate-rank``: waiting items without a rank or sharing one. Fix:
  renumber the queue 1..n in its current order (unranked last, by key).
- ``rank-on-read``: a read item still has a queue rank. Fix: clear it.
- ``no-citekey``: a paper without a citation key (a library from before keys were given on
  entry). Fix: give it one by the citekey formula (``paperlog.citekey``), once; exports never
  write keys themselves.

The text report groups findings of one kind about many papers into one line ("98 papers on
the wish-list without a rank: a, b, ... and 88 more"); ``--json`` keeps every finding and adds
the groups. Exit status 1 while problems remain (so it can guard a pre-commit hook), 0 when
the library is clean.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperlog.errors import PaperlogError, one_line
from paperlog.model import Paper, Plan, WeekInfo
from paperlog.plan.calendar import DAY_NAMES, day_index, known_weeks, week_start_of
from paperlog.plan.schedule import queue_order

if TYPE_CHECKING:
    from paperlog.library import Library


@dataclass
class Finding:
    """One contradiction, with the fix doctor proposes."""

    code: str
    message: str
    fix: str
    fixable: bool = True
    week: int | None = None
    key: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The documented JSON object (``doctor --json``)."""
        return {
            "code": self.code,
            "message": self.message,
            "fix": self.fix,
            "fixable": self.fixable,
            "week": self.week,
            "key": self.key,
        }


@dataclass
class _Repairs:
    """What a fix would change, computed once and shared by the report and the fix."""

    new_start: dict[int, date] = field(default_factory=dict)
    renumber: dict[int, int] = field(default_factory=dict)
    add_weeks: set[int] = field(default_factory=set)
    sync_readings: bool = False
    renumber_queue: bool = False
    clear_read_ranks: bool = False
    give_citekeys: bool = False


def _fmt(day: date | None) -> str:
    return day.strftime("%Y.%m.%d") if day else "no date"


def _week_checks(
    plan: Plan, papers: list[Paper], weeks: list[WeekInfo], repairs: _Repairs
) -> list[Finding]:
    findings: list[Finding] = []
    starts = known_weeks(weeks, papers)
    start_day = day_index(plan.week_start)
    listed = {w.week for w in weeks}
    for number in sorted(starts):
        if number not in listed:
            findings.append(
                Finding(
                    "missing-week",
                    f"Wk{number} is named by readings but missing from weeks.yaml",
                    f"add Wk{number} to weeks.yaml",
                    week=number,
                )
            )
            repairs.add_weeks.add(number)
        start = starts[number]
        if start is None:
            findings.append(
                Finding(
                    "no-start",
                    f"Wk{number} has no start date",
                    f"give Wk{number} a start in weeks.yaml",
                    fixable=False,
                    week=number,
                )
            )
            continue
        if start.weekday() != start_day:
            monday = week_start_of(start, plan)
            findings.append(
                Finding(
                    "off-day-start",
                    f"Wk{number} starts {_fmt(start)}, a {DAY_NAMES[start.weekday()]}, "
                    f"not a {DAY_NAMES[start_day]} (plan.week_start)",
                    f"move Wk{number}'s start to {_fmt(monday)}",
                    week=number,
                )
            )
            repairs.new_start[number] = monday
    dated = {n: s for n, s in starts.items() if s is not None}
    by_calendar: dict[date, list[int]] = defaultdict(list)
    for number, start in dated.items():
        by_calendar[week_start_of(start, plan)].append(number)
    taken = set(by_calendar)
    reading_dates: dict[int, set[date]] = defaultdict(set)
    for paper in papers:
        for reading in paper.readings:
            if reading.week is not None and reading.date is not None:
                reading_dates[reading.week].add(reading.date)
    for cal, numbers in sorted(by_calendar.items()):
        if len(numbers) < 2:
            continue
        numbers.sort()
        first = numbers[0]
        for step, number in enumerate(numbers[1:], start=1):
            same_day = dated[number] == dated[first]
            what = (
                f"Wk{first} and Wk{number} both start {_fmt(dated[first])}"
                if same_day
                else f"Wk{first} ({_fmt(dated[first])}) and Wk{number} "
                f"({_fmt(dated[number])}) fall in the same calendar week"
            )
            target = cal + timedelta(days=7 * step)
            # the next week in time (not by number: numbers may be out of order too)
            later = [week_start_of(s, plan) for s in dated.values() if week_start_of(s, plan) > cal]
            dated_elsewhere = sorted(
                d for d in reading_dates.get(number, set()) if week_start_of(d, plan) != target
            )
            if dated_elsewhere:
                findings.append(
                    Finding(
                        "same-week",
                        what,
                        f"Wk{number} has readings dated {_fmt(dated_elsewhere[0])}, so moving "
                        "it would contradict them: fix by hand",
                        fixable=False,
                        week=number,
                    )
                )
                continue
            if target in taken or (later and target >= min(later)):
                findings.append(
                    Finding(
                        "same-week",
                        what,
                        f"Wk{number} has the higher number, so it is the later week, but the "
                        f"next calendar week ({_fmt(target)}) is taken: fix by hand",
                        fixable=False,
                        week=number,
                    )
                )
                continue
            findings.append(
                Finding(
                    "same-week",
                    what,
                    f"Wk{number} has the higher number, so it is the later week: "
                    f"move its start to the next calendar week, {_fmt(target)}",
                    week=number,
                )
            )
            repairs.new_start[number] = target
            taken.add(target)
    ordered = sorted(dated)
    out_of_order = False
    for low, high in pairwise(ordered):
        if dated[high] < dated[low]:
            out_of_order = True
            findings.append(
                Finding(
                    "out-of-order",
                    f"Wk{high} starts {_fmt(dated[high])}, before Wk{low} ({_fmt(dated[low])})",
                    "renumber the weeks in date order (readings follow)",
                    week=high,
                )
            )
    if out_of_order:
        final = {n: repairs.new_start.get(n, s) for n, s in dated.items()}
        by_date = sorted(final, key=lambda n: (final[n], n))
        repairs.renumber = {
            old: new for old, new in zip(by_date, ordered, strict=True) if old != new
        }
    return findings


def _reading_checks(
    plan: Plan, papers: list[Paper], weeks: list[WeekInfo], repairs: _Repairs
) -> list[Finding]:
    findings: list[Finding] = []
    listed = {w.week: w.start for w in weeks}
    starts = known_weeks(weeks, papers)
    for paper in papers:
        for reading in paper.readings:
            start = starts.get(reading.week) if reading.week is not None else None
            if (
                reading.date is not None
                and start is not None
                and week_start_of(reading.date, plan) != week_start_of(start, plan)
            ):
                findings.append(
                    Finding(
                        "reading-date",
                        f"{paper.key}: a reading dated {_fmt(reading.date)} is logged in "
                        f"Wk{reading.week}, the week of {_fmt(start)}",
                        "by hand: correct the reading's date or its week",
                        fixable=False,
                        week=reading.week,
                        key=paper.key,
                    )
                )
            if reading.week is None or reading.week not in listed:
                continue
            expected = listed[reading.week]
            if expected is not None and reading.week_start != expected:
                findings.append(
                    Finding(
                        "reading-start",
                        f"{paper.key}: its Wk{reading.week} reading says week_start "
                        f"{_fmt(reading.week_start)}, weeks.yaml says {_fmt(expected)}",
                        "set the reading's week_start from weeks.yaml",
                        week=reading.week,
                        key=paper.key,
                    )
                )
                repairs.sync_readings = True
        numbers = [r.week for r in paper.readings if r.week is not None]
        for number in sorted({n for n in numbers if numbers.count(n) > 1}):
            # a re-import that once matched readings by start date left such twins
            findings.append(
                Finding(
                    "double-reading",
                    f"{paper.key} has {numbers.count(number)} readings in Wk{number}",
                    f"by hand: remove the extra reading from papers/{paper.key}.md",
                    fixable=False,
                    week=number,
                    key=paper.key,
                )
            )
        if paper.status == "read" and not paper.readings:
            findings.append(
                Finding(
                    "read-without-reading",
                    f"{paper.key} is marked read but has no reading",
                    f"log it with 'paperlog done {paper.key} --date YYYY-MM-DD', "
                    "or set its status back to wish",
                    fixable=False,
                    key=paper.key,
                )
            )
    if repairs.new_start or repairs.renumber or repairs.add_weeks:
        repairs.sync_readings = True
    return findings


def _queue_checks(papers: list[Paper], repairs: _Repairs) -> list[Finding]:
    findings: list[Finding] = []
    waiting = queue_order(papers)
    ranks: dict[int, list[str]] = defaultdict(list)
    for paper in waiting:
        if paper.rank is None:
            if paper.status == "wish":
                findings.append(
                    Finding(
                        "unranked",
                        f"{paper.key} is on the wish-list without a rank",
                        "renumber the queue 1..n (unranked items go last, by key)",
                        key=paper.key,
                    )
                )
                repairs.renumber_queue = True
        else:
            ranks[paper.rank].append(paper.key)
    for rank, keys in sorted(ranks.items()):
        if len(keys) > 1:
            findings.append(
                Finding(
                    "duplicate-rank",
                    f"rank {rank} is shared by {', '.join(keys)}",
                    "renumber the queue 1..n (ties keep key order)",
                    key=keys[1],
                )
            )
            repairs.renumber_queue = True
    for paper in papers:
        if paper.status == "read" and paper.rank is not None:
            findings.append(
                Finding(
                    "rank-on-read",
                    f"{paper.key} is read but still has queue rank {paper.rank}",
                    "clear its rank",
                    key=paper.key,
                )
            )
            repairs.clear_read_ranks = True
    return findings


def _citekey_checks(papers: list[Paper], repairs: _Repairs) -> list[Finding]:
    findings = [
        Finding(
            "no-citekey",
            f"{paper.key} has no citation key",
            "give it one (author + year + first title word, as 'paperlog add' does)",
            key=paper.key,
        )
        for paper in papers
        if not paper.citekey
    ]
    repairs.give_citekeys = bool(findings)
    return findings


def diagnose(
    plan: Plan, papers: list[Paper], weeks: list[WeekInfo]
) -> tuple[list[Finding], _Repairs]:
    """Every finding, and the repairs that would fix the fixable ones."""
    repairs = _Repairs()
    findings = _week_checks(plan, papers, weeks, repairs)
    findings += _reading_checks(plan, papers, weeks, repairs)
    findings += _queue_checks(papers, repairs)
    findings += _citekey_checks(papers, repairs)
    return findings, repairs


# How a group of findings of one kind reads: "{n} <what>: key, key, ..."
_GROUP_TEXT = {
    "unranked": "papers on the wish-list without a rank",
    "duplicate-rank": "queue ranks shared by several papers",
    "rank-on-read": "read papers that still have a queue rank",
    "reading-start": "readings whose week_start disagrees with weeks.yaml",
    "reading-date": "readings dated outside their week",
    "read-without-reading": "papers marked read without a reading",
    "no-citekey": "papers without a citation key",
    "double-reading": "papers with two readings in one week",
    "missing-week": "weeks named by readings but missing from weeks.yaml",
    "off-day-start": "weeks that start on another day than plan.week_start",
    "no-start": "weeks without a start date",
}
_GROUP_FIX = {
    "read-without-reading": "log each with 'paperlog done KEY --date YYYY-MM-DD', "
    "or set its status back to wish",
    "reading-date": "by hand: correct each reading's date or its week",
    "off-day-start": "move each week's start back to its calendar week start",
    "missing-week": "add them to weeks.yaml",
}
SHOWN = 8
"""How many keys a group line names before '... and N more'."""


@dataclass
class FindingGroup:
    """Findings of one kind, shown as one line: the count, what, whom, and the fix."""

    code: str
    findings: list[Finding]

    @property
    def subjects(self) -> list[str]:
        """The papers (keys) or weeks (WkN) the findings are about, in order, once each."""
        seen: dict[str, None] = {}
        for f in self.findings:
            seen.setdefault(f.key if f.key else f"Wk{f.week}", None)
        return list(seen)

    @property
    def message(self) -> str:
        """One finding's own message, or "N <what>: a, b, ... and M more"."""
        if len(self.findings) == 1:
            return self.findings[0].message
        names = self.subjects
        shown = ", ".join(names[:SHOWN])
        more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
        what = _GROUP_TEXT.get(self.code, f"findings '{self.code}'")
        return f"{len(self.findings)} {what}: {shown}{more}"

    @property
    def fix(self) -> str:
        """The fix, when every finding of the group shares it, else the group's general fix."""
        fixes = {f.fix for f in self.findings}
        if len(fixes) == 1:
            return fixes.pop()
        return _GROUP_FIX.get(self.code, "see 'paperlog doctor --json' for each fix")

    @property
    def fixable(self) -> bool:
        """True when every finding of the group is fixed by --fix."""
        return all(f.fixable for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        """The JSON object of a group (``doctor --json``: ``groups``)."""
        return {
            "code": self.code,
            "count": len(self.findings),
            "message": self.message,
            "fix": self.fix,
            "fixable": self.fixable,
            "subjects": self.subjects,
        }


def group_findings(findings: Sequence[Finding]) -> list[FindingGroup]:
    """Findings about many papers grouped by kind (first-seen order); week findings whose
    fixes differ (``same-week``, ``out-of-order``) stay one per line, as each needs its own."""
    groups: dict[str, FindingGroup] = {}
    out: list[FindingGroup] = []
    for finding in findings:
        if finding.code in _GROUP_TEXT:
            group = groups.get(finding.code)
            if group is None:
                group = groups[finding.code] = FindingGroup(finding.code, [])
                out.append(group)
            group.findings.append(finding)
        else:
            out.append(FindingGroup(finding.code, [finding]))
    return out


def repair(
    plan: Plan,
    papers: list[Paper],
    weeks: list[WeekInfo],
    repairs: _Repairs,
    citekey_formula: str | None = None,
) -> tuple[list[Paper], list[WeekInfo]]:
    """Apply ``repairs`` to copies; return the papers that changed and the new weeks list."""
    starts = known_weeks(weeks, papers)
    new_weeks = copy.deepcopy(weeks)
    for number in sorted(repairs.add_weeks):
        new_weeks.append(WeekInfo(number, starts.get(number)))
    for info in new_weeks:
        if info.week in repairs.new_start:
            info.start = repairs.new_start[info.week]
        info.week = repairs.renumber.get(info.week, info.week)
    new_weeks.sort(key=lambda w: -w.week)
    final = {w.week: w.start for w in new_weeks}
    changed: list[Paper] = []
    for original in papers:
        paper = copy.deepcopy(original)
        if repairs.sync_readings:
            for reading in paper.readings:
                if reading.week is None:
                    continue
                reading.week = repairs.renumber.get(reading.week, reading.week)
                if final.get(reading.week) is not None:
                    reading.week_start = final[reading.week]
        if repairs.clear_read_ranks and paper.status == "read":
            paper.rank = None
        if paper != original:
            changed.append(paper)
    if repairs.give_citekeys:
        from paperlog.citekey import DEFAULT_FORMULA, assign_citekeys, taken_citekeys

        by_key = {p.key: p for p in changed}
        without = [by_key.get(p.key) or copy.deepcopy(p) for p in papers if not p.citekey]
        formula = citekey_formula or DEFAULT_FORMULA
        for paper in assign_citekeys(without, taken_citekeys(papers), formula):
            if paper.key not in by_key:
                by_key[paper.key] = paper
                changed.append(paper)
    if repairs.renumber_queue:
        by_key = {p.key: p for p in changed}
        current = [by_key.get(p.key, p) for p in papers]
        for position, paper in enumerate(queue_order(current), start=1):
            if paper.rank == position:
                continue
            if paper.key not in by_key:
                paper = copy.deepcopy(paper)
                by_key[paper.key] = paper
                changed.append(paper)
            paper.rank = position
    return changed, new_weeks


@dataclass
class DoctorReport:
    """What doctor found, and (with ``--fix``) what it changed and what is left."""

    findings: list[Finding]
    fixed: bool = False
    changed_papers: list[str] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    weeks_changed: bool = False

    @property
    def applied(self) -> list[Finding]:
        """The findings ``--fix`` resolved (found before, gone after)."""
        left = {(f.code, f.week, f.key, f.message) for f in self.remaining}
        if not self.fixed:
            return []
        return [f for f in self.findings if (f.code, f.week, f.key, f.message) not in left]

    @property
    def problems(self) -> list[Finding]:
        """What is wrong now: the findings, or after ``--fix`` what remains."""
        return self.remaining if self.fixed else self.findings

    def to_json(self) -> dict[str, Any]:
        """The documented JSON object (``doctor --json``)."""
        return {
            "findings": [f.to_json() for f in self.findings],
            "groups": [g.to_json() for g in group_findings(self.findings)],
            "fixed": self.fixed,
            "applied": [g.to_json() for g in group_findings(self.applied)],
            "changed_papers": self.changed_papers,
            "weeks_changed": self.weeks_changed,
            "remaining": [f.to_json() for f in self.remaining],
            "clean": not self.problems,
        }


def _conflict_findings(library: Library) -> list[Finding]:
    """A finding per library file that holds git conflict markers (never written over)."""
    from paperlog.gitsync import conflicted_files

    files = [
        *library.paper_files(),
        library.config_path,
        library.resources_path,
        library.weeks_path,
    ]
    return [
        Finding(
            "git-conflict",
            f"{path.relative_to(library.root)} holds git conflict markers (<<<<<<< ... >>>>>>>)",
            "edit the file to keep one side of each conflict, then 'git add' and commit it",
            fixable=False,
        )
        for path in conflicted_files(files)
    ]


def _unreadable(library: Library, exc: PaperlogError) -> Finding:
    """A finding for a library file that cannot be read (broken YAML, a wrong field)."""
    try:
        rel = str(exc.path.relative_to(library.root)) if exc.path else ""
    except ValueError:
        rel = str(exc.path)
    undo = f"; in a git library 'git checkout -- {rel}' undoes the change" if rel else ""
    return Finding(
        "unreadable",
        one_line(str(exc)),
        f"correct it in an editor ('paperlog doctor' again checks the rest){undo}",
        fixable=False,
        key=Path(rel).stem if rel.startswith("papers") else None,
    )


def run_doctor(library: Library, fix: bool = False) -> DoctorReport:
    """Check the library; with ``fix`` apply every fixable finding in one atomic batch."""
    plan = library.config.plan
    with library.lock():
        conflicts = _conflict_findings(library)
        if conflicts:
            # A file git could not merge does not parse: report it alone, write nothing.
            return DoctorReport(conflicts, remaining=list(conflicts))
        unreadable: list[PaperlogError] = []
        papers = library.load_papers(unreadable)
        try:
            weeks = library.load_weeks()
        except PaperlogError as exc:
            unreadable.append(exc)
        if unreadable:
            # Files paperlog cannot read: every one reported (other commands stop at the
            # first), nothing written, the rest checked once they read.
            found = [_unreadable(library, exc) for exc in unreadable]
            return DoctorReport(found, remaining=list(found))
        findings, repairs = diagnose(plan, papers, weeks)
        report = DoctorReport(findings, remaining=list(findings))
        if not fix or not any(f.fixable for f in findings):
            return report
        from paperlog.citekey import citekey_formula

        formula = citekey_formula(library.config)
        # one fix can make another possible (a renumbering frees a calendar week), so repair
        # in memory until nothing fixable is left or nothing changes, then write once
        current, new_weeks = papers, weeks
        changed_keys: set[str] = set()
        remaining = findings
        for _ in range(5):
            changed, next_weeks = repair(plan, current, new_weeks, repairs, formula)
            if not changed and next_weeks == new_weeks:
                break
            by_key = {p.key: p for p in changed}
            current = [by_key.get(p.key, p) for p in current]
            changed_keys |= set(by_key)
            new_weeks = next_weeks
            remaining, repairs = diagnose(plan, current, new_weeks)
            if not any(f.fixable for f in remaining):
                break
        originals = {p.key: p for p in papers}
        written = [p for p in current if p.key in changed_keys and p != originals[p.key]]
        library.write_all(papers=written, weeks=new_weeks if new_weeks != weeks else None)
        report.fixed = True
        report.weeks_changed = new_weeks != weeks
        report.changed_papers = sorted(p.key for p in written)
        report.remaining = remaining
    return report
