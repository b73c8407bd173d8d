"""Bounded input: no input makes a parser quadratic, recursive or unbounded in memory.

These tests prove mechanisms (work counted, depth refused, aliases refused), never timings:
timings belong in ``make bench``.
"""

from __future__ import annotations

import itertools
import re

import pytest

from paperlog.formats import readme_parse
from paperlog.formats.readme_import import parse_readme


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
