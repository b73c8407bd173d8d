"""``make fidelity``: how faithfully README import and render keep each real README.

For the seed and every README in ../shared/corpus/readmes: import into a fresh library, render,
import the render into another fresh library, and print one row per file:

- entries: listings the importer read (a paper listed twice counts twice), slots (to-do
  placeholders kept), items (distinct papers), read / wish;
- kept text: pieces of the README's own text inside or around the log (prose, link lists,
  HTML comments, rules, sections after the log) kept verbatim in their place;
- titles, urls, venue/year, arXiv: items having each;
- unread: lines with a Markdown link that no rule read (not an entry, resource, topic,
  contents or intro line), a measure of entries missed; "of them no entry" counts those whose
  shape says they are no paper entry (inside an HTML comment, an image or badge, a sentence
  with a link in it), the rest are possible misses;
- extras: fields kept beyond the model (tags, ratings, minutes, published, TLDR notes, text
  no pattern read);
- render diff: lines of the original missing from the render, by kind (entry, heading,
  prose, blank/space), and lines the render adds;
- round trip: items whose README fields differ after import -> render -> import.

Run: ``.venv/bin/python bench/fidelity.py [--json] [FILE...]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "000_838255085520cd98.txt"
READMES = SHARED / "corpus" / "readmes"

_MARKER = re.compile(r"^\s*[-*+]\s+")
_LINK = re.compile(r"\[[^\]]*\]\([^)]*\)")
_EXTRA_FIELDS = ("tags", "rating", "minutes", "published", "readme_rest")


@dataclass
class Row:
    """One file's fidelity numbers."""

    name: str
    lines: int = 0
    entries: int = 0
    slots: int = 0
    kept_text: int = 0
    items: int = 0
    read: int = 0
    wish: int = 0
    titles: int = 0
    urls: int = 0
    venue_year: int = 0
    arxiv: int = 0
    unread: int = 0
    not_entries: int = 0
    extras: int = 0
    warnings: int = 0
    missing: dict[str, int] = field(default_factory=dict)
    added: int = 0
    round_trip_changed: int = 0
    error: str | None = None


def _kind(line: str) -> str:
    text = line.strip()
    if not text:
        return "blank"
    if text.startswith("#"):
        return "heading"
    if re.match(r"^([-*+]|\d+\.)\s", text) and "](" in text:
        return "entry"
    if "](" in text:
        return "link line"
    return "prose"


def _projection(library: Any) -> dict[str, Any]:
    """Each item's README fields, by displayed title and url (keys are the library's), and
    each section's listings in order (order numbers themselves may be renumbered)."""
    out: dict[str, Any] = {}
    sections: dict[str, list[tuple[int, str]]] = {}
    papers = library.load_papers()
    # the queue's order, not its numbers (a listing skipped as a duplicate leaves a gap)
    wish = sorted((p for p in papers if p.rank is not None), key=lambda p: (p.rank, p.key))
    place = {p.key: n for n, p in enumerate(wish, 1)}
    for paper in papers:
        name = f"{paper.display_title}|{paper.url}"
        readings = sorted(
            (str(r.week), str(r.week_start), r.group or "", str(r.extra.get("period")))
            for r in paper.readings
        )
        for r in paper.readings:
            where = f"{r.week}|{r.week_start}|{r.extra.get('period')}|{r.group}"
            sections.setdefault(where, []).append((r.order, name))
        out[name] = (
            paper.status,
            paper.year,
            paper.venue_label,
            [(lk.label, lk.url) for lk in paper.links],
            paper.wish_group,
            place.get(paper.key),
            readings,
            {k: paper.extra.get(k) for k in _EXTRA_FIELDS},
        )
    for where, listed in sections.items():
        out[f"section {where}"] = [name for _, name in sorted(listed)]
    return out


_KEPT_TEXT = ("slots", "after_log")
"""Text kept inside and after the log: its link lines still count as unread (possible
entries missed); text before the log (intro, head, before_log) does not."""


def _slot_records(library: Any) -> list[dict[str, Any]]:
    """The to-do slots and kept text records of the weeks and of the README."""
    records = [s for w in library.load_weeks() for s in w.extra.get("slots", [])]
    records += list(library.config.readme.get("slots", []))
    return [s for s in records if isinstance(s, dict) and isinstance(s.get("line"), str)]


def _not_entry(line: str, in_comment: bool) -> bool:
    """A link line that is no paper entry by its shape: inside an HTML comment, an image or
    badge, or a sentence with a link in it (an entry starts with its link or title)."""
    body = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line).strip()
    if in_comment or body.startswith(("<!--", "[![", "![")):
        return True
    return not body.startswith(("[", "**", "<kbd>")) and not re.match(r"^\S.*\[\[", body)


def _unread(text: str, parsed: Any, library: Any) -> tuple[int, int]:
    """Lines with a link that no rule read: (possible entries missed, lines that are no
    entry by their shape)."""
    used: set[int] = {f.line for f in parsed.found}
    for found in parsed.found:
        # an entry's own lines: its nested notes, and a listing wrapped over several lines
        span = max(len(found.notes), (found.raw or "").rstrip("\n").count("\n"))
        used.update(range(found.line, found.line + 1 + span))
    lines = text.split("\n")
    resource_titles = {
        item.title for s in library.load_resources() for g in s.groups for item in g.items
    }
    # text kept verbatim is not read as an entry: it still counts here (a possible miss)
    readme = {k: v for k, v in library.config.readme.items() if k not in _KEPT_TEXT}
    kept_text = json.dumps(readme, ensure_ascii=False) + library.config.intro
    slots = [s["line"] for s in _slot_records(library) if not s.get("text")]
    count = other = 0
    in_comment = False
    for number, line in enumerate(lines, 1):
        opened = in_comment or "<!--" in line
        in_comment = opened and "-->" not in line
        if number in used or not _LINK.search(line):
            continue
        stripped = line.strip()
        if stripped in kept_text or any(t and t in line for t in resource_titles):
            continue
        if line.rstrip() in slots:
            continue
        if _not_entry(line, opened):
            other += 1
        else:
            count += 1
    return count, other


def measure(name: str, path: Path) -> Row:
    """Import, render, re-import one README and count what was kept."""
    from paperlog.formats.readme_import import parse_readme, read_text
    from paperlog.formats.readme_render import render_readme
    from paperlog.formats.readme_walk import MARKER_BEGIN, MARKER_END
    from paperlog.library import Library
    from paperlog.services.import_readme import import_readme

    row = Row(name)
    text = read_text(path)
    row.lines = len(text.split("\n"))
    with tempfile.TemporaryDirectory() as tmp:
        first = Library.create(Path(tmp) / "first")
        try:
            report = import_readme(first, path)
        except Exception as exc:  # the table reports a failure instead of stopping
            row.error = f"{type(exc).__name__}: {exc}"
            return row
        first = Library.open(first.root)
        parsed, _ = parse_readme(text)
        papers = first.load_papers()
        row.entries = len(parsed.found)
        records = _slot_records(first)
        row.slots = sum(1 for s in records if not s.get("text"))
        row.kept_text = sum(1 for s in records if s.get("text"))
        readme = first.config.readme
        row.kept_text += sum(len(readme.get(k) or []) for k in ("head_more", "after_log"))
        row.items, row.read, row.wish = report.items, report.read, report.wish
        row.titles = sum(1 for p in papers if p.title.strip())
        row.urls = sum(1 for p in papers if p.url)
        row.venue_year = sum(1 for p in papers if p.year or p.venue)
        row.arxiv = sum(1 for p in papers if p.arxiv)
        row.extras = sum(1 for p in papers for k in _EXTRA_FIELDS if k in p.extra)
        row.extras += sum(1 for p in papers if p.notes.strip())
        row.warnings = len(report.warnings)
        row.unread, row.not_entries = _unread(text, parsed, first)
        rendered = render_readme(first)
        body = [ln for ln in rendered.split("\n") if ln not in (MARKER_BEGIN, MARKER_END)]
        have = Counter(ln.rstrip() for ln in body)
        missing: Counter[str] = Counter()
        unmatched = []
        for line in text.split("\n"):
            key = line.rstrip()
            if have[key] > 0:
                have[key] -= 1
            elif key.strip():
                unmatched.append(line)
        # a line written again with another list marker ("- " -> "* ") is a normalisation
        have_marked = Counter(_MARKER.sub("* ", ln) for ln, n in have.items() for _ in range(n))
        for line in unmatched:
            marked = _MARKER.sub("* ", line.rstrip())
            if _MARKER.match(line) and have_marked[marked] > 0:
                have_marked[marked] -= 1
                missing["marker"] += 1
            else:
                missing[_kind(line)] += 1
        row.missing = dict(missing)
        row.added = sum(n for line, n in have_marked.items() if line.strip())
        again_path = Path(tmp) / "rendered.md"
        again_path.write_text(rendered, encoding="utf-8")
        again = Library.create(Path(tmp) / "again")
        import_readme(again, again_path)
        a, b = _projection(first), _projection(Library.open(again.root))
        row.round_trip_changed = sum(1 for k in {*a, *b} if a.get(k) != b.get(k))
    return row


def files(args: list[str]) -> list[tuple[str, Path]]:
    """The READMEs to measure: the arguments, else the seed and the corpus."""
    if args:
        return [(Path(a).name, Path(a)) for a in args]
    out = [("seed", SEED)] if SEED.is_file() else []
    if READMES.is_dir():
        out += [
            (d.name, d / "README.md")
            for d in sorted(READMES.iterdir())
            if (d / "README.md").is_file()
        ]
    return out


def table(rows: list[Row]) -> str:
    """A Markdown table, one row per file."""
    head = (
        "| file | lines | entries | slots | kept text | items | read | wish | titles | urls "
        "| venue/year "
        "| arXiv | unread link lines | of them no entry | extras | warnings "
        "| render: missing lines by kind "
        "| render: added | round trip changed |"
    )
    out = [head, "|" + "---|" * 20]
    for r in rows:
        if r.error:
            out.append(f"| {r.name} | {r.lines} | error: {r.error} |" + " |" * 17)
            continue
        missing = ", ".join(f"{k} {v}" for k, v in sorted(r.missing.items())) or "0"
        out.append(
            f"| {r.name} | {r.lines} | {r.entries} | {r.slots} | {r.kept_text} | {r.items} "
            f"| {r.read} | {r.wish} "
            f"| {r.titles} | {r.urls} | {r.venue_year} | {r.arxiv} | {r.unread + r.not_entries} "
            f"| {r.not_entries} | {r.extras} "
            f"| {r.warnings} | {missing} | {r.added} | {r.round_trip_changed} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Measure and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON rows")
    parser.add_argument("files", nargs="*", help="README files (default: seed and corpus)")
    ns = parser.parse_args(argv)
    todo = files(ns.files)
    if not todo:
        print(f"no READMEs: {SHARED} is absent", file=sys.stderr)
        return 1
    rows = [measure(name, path) for name, path in todo]
    if ns.json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
    else:
        print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
