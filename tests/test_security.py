"""Security: what a user or a metadata source wrote is never run, never written outside the
library, never read without end."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from conftest import run_cli
from paperlog.formats.readme_import import parse_readme
from paperlog.formats.readme_parse import format_link, is_unsafe_url
from paperlog.library import Library
from paperlog.model import Paper, Reading
from paperlog.plan.ics import build_ics

HOSTILE_TITLE = '<script>alert(1)</script> <img src=x onerror="alert(2)"> [x](javascript:y)'


def _read_paper(library: Library, **fields: object) -> Paper:
    paper = Paper(
        key="hostile",
        title=str(fields.pop("title", "A Paper")),
        status="read",
        readings=[Reading(week=1, week_start=date(2020, 1, 6), order=1)],
    )
    for name, value in fields.items():
        setattr(paper, name, value)
    library.save_paper(paper)
    return paper


def test_render_escapes_html_in_titles_and_keeps_them(library: Library) -> None:
    _read_paper(library, title=HOSTILE_TITLE, url="https://example.org/p")
    result = run_cli("render", "readme", library=library.root)
    assert result.returncode == 0, result.stderr
    text = library.readme_path.read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)<(script|img)", text)  # every "<" of the title escaped
    assert "\\<script\\>" in text
    parsed, _ = parse_readme(text)
    assert [f.entry.title for f in parsed.found] == [HOSTILE_TITLE]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " java\tscript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
    ],
)
def test_render_refuses_script_urls_and_keeps_the_text(library: Library, url: str) -> None:
    assert is_unsafe_url(url)
    assert format_link("Title", url) == "[Title]()"
    _read_paper(library, title="Keep Me", url=url)
    result = run_cli("render", "readme", library=library.root)
    assert result.returncode == 0, result.stderr
    text = library.readme_path.read_text(encoding="utf-8")
    assert "script:" not in text.lower() and "data:" not in text
    assert "[Keep Me]()" in text


def test_safe_urls_are_kept() -> None:
    for url in ("https://arxiv.org/abs/1", "http://x.example/a(b)", "/notes/a.md", "#i-x"):
        assert not is_unsafe_url(url)


def test_render_refuses_a_special_output_file(library: Library) -> None:
    """``render --output /dev/zero`` read the device without end (OOM-killed at 24 GB)."""
    _read_paper(library)
    for special in ("/dev/zero", "/dev/full"):
        if not Path(special).exists():
            continue
        result = run_cli("render", "readme", "--output", special, library=library.root)
        assert result.returncode != 0
        assert result.stderr.strip() == (
            f"paperlog: error: {special}: is not a regular file; give a file path for --output"
        )
    assert Path("/dev/full").is_char_device() if Path("/dev/full").exists() else True


def test_render_never_writes_charts_through_a_link_outside(
    library: Library, tmp_path: Path
) -> None:
    _read_paper(library)
    outside = tmp_path / "outside"
    outside.mkdir()
    (library.root / "charts").symlink_to(outside)
    result = run_cli("render", "readme", "--charts", library=library.root)
    assert result.returncode != 0
    assert "is a link to a folder outside the library" in result.stderr
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("url", ["https://x.example/a\r\nATTACH:evil", "https://x.example/\nb"])
def test_ics_drops_a_url_with_a_line_break(library: Library, url: str) -> None:
    paper = Paper(key="p", title="P", status="wish", url=url, rank=1)
    ics = build_ics(library.config.plan, [paper], [], date(2020, 1, 6)).decode("utf-8")
    assert "ATTACH" not in ics
    assert "\nb" not in ics.replace("\r\n", "")
    assert "Read: P" in ics
