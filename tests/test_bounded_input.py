"""Bounded input: no input makes a parser quadratic, recursive or unbounded in memory.

These tests prove mechanisms (work counted, depth refused, aliases refused), never timings:
timings belong in ``make bench``.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from paperlog.errors import BadFile
from paperlog.formats import readme_parse
from paperlog.formats.readme_import import parse_readme
from paperlog.library import Library
from paperlog.model import MAX_SLUG, Paper, make_key
from paperlog.paperfile import paper_from_text
from paperlog.resolve.http import parse_json


class CountingPattern:
    """A compiled pattern that counts how many characters its searches walked over."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.walked = 0

    def search(self, s: str, pos: int = 0) -> re.Match[str] | None:
        found = self.pattern.search(s, pos)
        self.walked += (found.start() if found else len(s)) - pos
        return found


def _bracket_work(monkeypatch: pytest.MonkeyPatch, text: str) -> int:
    counter = CountingPattern(readme_parse._BRACKET_STOP)
    monkeypatch.setattr(readme_parse, "_BRACKET_STOP", counter)
    readme_parse._bracket_matches.cache_clear()
    parse_readme(text)
    return counter.walked


@pytest.mark.parametrize("run", ["[", "\\[", "[a]", "- [", "[[a](b) ["])
def test_unclosed_brackets_are_scanned_once(monkeypatch: pytest.MonkeyPatch, run: str) -> None:
    """A line of 8,000 ``[`` took 33-47 s: each ``[`` rescanned the rest of the line."""
    n = 8000 // len(run)
    text = "### Wk1 - 2020.01.06\n\n- [a](b) " + run * n + "\n"
    work = _bracket_work(monkeypatch, text)
    assert work <= 4 * len(text), f"{work} characters scanned for a {len(text)}-character line"


def test_bracket_matches_agree_with_a_forward_scan() -> None:
    """The one-pass table answers what a scan from each ``[`` would (escapes, nesting)."""

    def scan(s: str, i: int) -> int:
        depth, j = 0, i
        while j < len(s):
            if s[j] == "\\":
                j += 2
                continue
            if s[j] == "[":
                depth += 1
            elif s[j] == "]":
                depth -= 1
                if depth == 0:
                    return j
            j += 1
        return -1

    for n in range(8):  # every string of up to 7 of these characters
        for chars in itertools.product("[]\\a", repeat=n):
            s = "".join(chars)
            for i, ch in enumerate(s):
                if ch == "[":
                    assert readme_parse.find_bracket_end(s, i) == scan(s, i), (s, i)


def test_a_week_heading_repeated_warns_once_per_heading() -> None:
    """n copies of one week heading gave n*n/2 warnings (quadratic time and output)."""
    text = "".join(f"### Wk{i} - 2020.01.06\n\n- [Paper {i}](http://x/{i})\n\n" for i in range(300))
    _, warnings = parse_readme(text)
    clashes = [w for w in warnings if "both start on" in w.message]
    assert len(clashes) == 299


ALIAS_BOMB = (
    "---\ntitle: Bomb\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{b}: &{b} [{','.join(['*' + a] * 9)}]\n"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "---\n"
)


def test_a_yaml_alias_bomb_is_refused_at_its_line(tmp_path: Path) -> None:
    """A 352-byte paper file of nested aliases ran past 30 s at 1.3 GB."""
    assert len(ALIAS_BOMB) < 600
    with pytest.raises(BadFile) as caught:
        paper_from_text("bomb", ALIAS_BOMB, tmp_path / "bomb.md")
    assert str(caught.value) == (
        f"{tmp_path / 'bomb.md'}:3: broken YAML: aliases (*name) to lists or mappings are not allowed in paperlog files"
    )


def test_deeply_nested_yaml_is_a_clear_error(tmp_path: Path) -> None:
    text = "---\ntitle: Deep\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n"
    with pytest.raises(BadFile, match="broken YAML"):
        paper_from_text("deep", text, tmp_path / "deep.md")


def test_a_300_letter_title_makes_a_short_key(library: Library) -> None:
    """A 300-character one-word title gave ``OSError: File name too long``."""
    paper = Paper(key="", title="x" * 300, status="wish", year=2020)
    paper.key = make_key(paper, set())
    assert paper.key == "x" * MAX_SLUG + "-2020"
    library.save_paper(paper)
    assert library.load_paper(paper.key).title == "x" * 300


@pytest.mark.parametrize("body", ["[" * 200_000, '{"a":' * 100_000, "[" * 65 + "]" * 65])
def test_json_nesting_is_bounded(body: str) -> None:
    """200,000 ``[`` in a JSON answer raised RecursionError."""
    with pytest.raises(ValueError, match="nested deeper than 64 levels"):
        parse_json(body)
    deepest_allowed = "[" * 64 + "]" * 64
    assert json.dumps(parse_json(deepest_allowed)).replace(" ", "") == deepest_allowed
