"""The web app's ``/stats`` page answers from the same SQL aggregates as ``paperlog stats``
(``plan.statsindex``): the numbers agree with the CLI's on the real seed, and once its charts
are drawn the page decodes no paper."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from paperlog.index import Index
from paperlog.library import Library
from web_helpers import client_for, make_library

DAY = date(2020, 9, 1)


def _cli_stats(lib: Library, day: date) -> dict[str, Any]:
    result = run_cli("stats", "--json", "--date", day.isoformat(), library=lib.root)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _expected_lines(stats: dict[str, Any]) -> list[str]:
    """What stats.html prints of ``stats`` (the CLI's JSON), as the page's HTML has it."""
    totals = stats["totals"]
    lines = [
        f"<strong>{totals['papers_read']}</strong> papers read ({totals['readings']} readings)",
        f"<strong>{totals['per_week']}</strong> a week against {stats['target']}",
        f"<strong>{stats['weeks_meeting']}</strong> of {totals['weeks']} weeks met the target",
        f"Streak <strong>{stats['streak']}</strong> weeks (longest {stats['longest_streak']})",
        f"<strong>{totals['wishlist']}</strong> on the wish-list",
    ]
    for t in stats["tracks"]:
        lines.append(f"<tr><td>{html.escape(t['track'])}</td><td>{t['read']}</td>")
    for heading in ("topics", "venues", "years"):
        for c in stats[heading][:15]:
            lines.append(f"<tr><td>{html.escape(str(c['name']))}")
            lines.append(f"</td><td>{c['count']}</td></tr>")
    return lines


def _page(lib: Library, day: date) -> str:
    response = client_for(lib, day).get(f"/stats?date={day.isoformat()}")
    assert response.status_code == 200, response.text
    return response.text


def _assert_agree(lib: Library, day: date) -> None:
    page = _page(lib, day)
    cli = _cli_stats(lib, day)
    for line in _expected_lines(cli):
        assert line in page, line
    # and as many rows as the CLI has, per table (each capped at 15 on the page)
    rows = re.findall(r"<tr><td>", page)
    want = len(cli["tracks"]) + sum(min(15, len(cli[h])) for h in ("topics", "venues", "years"))
    assert len(rows) == want


def test_web_and_cli_stats_agree_on_the_real_seed(seed_path: Path, library: Library) -> None:
    from paperlog.services.import_readme import import_readme

    import_readme(library, seed_path)
    for day in (DAY, date(2020, 7, 1), date(2024, 1, 1)):
        _assert_agree(library, day)


def test_web_and_cli_stats_agree_on_the_web_library(tmp_path: Path) -> None:
    lib = make_library(tmp_path / "lib")
    _assert_agree(lib, date(2024, 5, 8))


def test_the_stats_page_decodes_no_paper_once_its_charts_are_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = make_library(tmp_path / "lib")
    day = date(2024, 5, 8)
    first = _page(lib, day)  # draws the charts (they read every reading), cached on disk
    assert "/charts/" in first

    def no_decoding(*_args: object, **_kw: object) -> None:
        raise AssertionError("the stats page decoded every paper")

    # A new server (its in-memory caches empty): the stats are SQL aggregates, the charts
    # are the ones drawn for the same numbers.
    monkeypatch.setattr(Index, "all", no_decoding)
    assert _page(lib, day) == first
