"""The wish-list between a README and the queue: ranks kept, lines kept in place.

Found as a stranger: a README rendered and imported again reported every wish item
"updated" (its rank numbered anew), the first queue move after an import wrote every wish
item, a line of the README's own in the wish-list jumped to the top when the queue was
numbered again, and the chart images of a README rendered elsewhere (``render -o``) came
back as text, twice.
"""

from __future__ import annotations

import bisect
import itertools
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_cli
from paperlog.library import Library
from paperlog.plan.ranks import RANK_GAP, ranks_for_order
from paperlog.services.import_readme import import_readme

README = """\
# Reading log

## Papers to read

* [Paper Alpha](https://arxiv.org/abs/2001.00001)
* [Paper Beta](https://arxiv.org/abs/2001.00002)
* remember to find the gamma paper
* [Paper Delta](https://arxiv.org/abs/2001.00004)
* [Paper Epsilon](https://arxiv.org/abs/2001.00005)

### Wk1 - 2020.01.06
Group
* [Paper Read](https://arxiv.org/abs/2001.00009) [[Notes](https://x.org/n)] <kbd>2020</kbd>
"""


def _longest_increasing(values: list[int | None]) -> int:
    best: list[int] = []  # best[k]: the smallest last value of an increasing run of k + 1
    for value in values:
        if value is None or value <= 0:
            continue
        k = bisect.bisect_left(best, value)
        best[k : k + 1] = [value]
    return len(best)


@settings(max_examples=300)
@given(st.lists(st.one_of(st.none(), st.integers(min_value=1, max_value=5000)), max_size=40))
def test_ranks_for_order_keep_what_already_orders(current: list[int | None]) -> None:
    ranks = ranks_for_order(current)
    assert len(ranks) == len(current)
    assert all(a < b for a, b in itertools.pairwise(ranks)) and all(r > 0 for r in ranks)
    kept = sum(1 for old, new in zip(current, ranks, strict=True) if old == new)
    renumbered = ranks == [RANK_GAP * (n + 1) for n in range(len(current))]
    # every rank of the longest run that already orders stays, unless there was no room
    assert renumbered or kept >= _longest_increasing(current)


def _readme_lib(tmp_path: Path) -> tuple[Library, Path]:
    readme = tmp_path / "R.md"
    readme.write_text(README, encoding="utf-8")
    lib = Library.create(tmp_path / "lib")
    import_readme(lib, readme)
    return Library.open(lib.root), readme


def _wish_lines(text: str) -> list[str]:
    start = text.index("## Papers to read")
    return text[start:].splitlines()[1:6]


def test_render_then_import_changes_no_rank_and_a_move_writes_one_file(tmp_path: Path) -> None:
    lib, _ = _readme_lib(tmp_path)
    ranks = sorted(p.rank for p in lib.load_papers() if p.rank is not None)
    assert ranks == [RANK_GAP * n for n in range(1, 5)]
    before = {p.name: p.read_bytes() for p in lib.papers_dir.iterdir()}
    assert run_cli("queue", "top", "paper-epsilon", library=lib.root).returncode == 0
    after = {p.name: p.read_bytes() for p in lib.papers_dir.iterdir()}
    assert [name for name in before if before[name] != after[name]] == ["paper-epsilon.md"]
    out = tmp_path / "out.md"
    assert run_cli("render", "readme", "-o", str(out), library=lib.root).returncode == 0
    report = import_readme(Library.open(lib.root), out)
    assert report.updated == 0 and report.changed == []
    again = tmp_path / "again.md"
    assert run_cli("render", "readme", "-o", str(again), library=lib.root).returncode == 0
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_a_line_of_the_readme_stays_in_place_when_the_queue_is_numbered_again(
    tmp_path: Path,
) -> None:
    """An older library numbered its queue 1..n: the first move numbers it again with gaps,
    and the README's own line between Beta and Delta must stay between them."""
    lib, _ = _readme_lib(tmp_path)
    papers = sorted((p for p in lib.load_papers() if p.rank is not None), key=lambda p: p.rank or 0)
    for place, paper in enumerate(papers, start=1):
        paper.rank = place
    config = lib.config
    for slot in config.readme.get("slots") or []:
        slot["after"] = 2  # as an older import wrote it: after the second item
    lib.write_all(papers=papers, config=config)
    assert run_cli("queue", "top", "paper-epsilon", library=lib.root).returncode == 0
    out = tmp_path / "out.md"
    assert run_cli("render", "readme", "-o", str(out), library=lib.root).returncode == 0
    assert _wish_lines(out.read_text(encoding="utf-8")) == [
        "* [Paper Epsilon](https://arxiv.org/abs/2001.00005)",
        "* [Paper Alpha](https://arxiv.org/abs/2001.00001)",
        "* [Paper Beta](https://arxiv.org/abs/2001.00002)",
        "* remember to find the gamma paper",
        "* [Paper Delta](https://arxiv.org/abs/2001.00004)",
    ]


def test_charts_of_a_readme_rendered_elsewhere_are_not_taken_for_text(tmp_path: Path) -> None:
    lib, _ = _readme_lib(tmp_path)
    out = tmp_path / "elsewhere" / "out.md"
    out.parent.mkdir()
    assert run_cli("render", "readme", "-o", str(out), library=lib.root).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "<!-- paperlog:charts -->" in text and "](../lib/charts/" in text
    import_readme(Library.open(lib.root), out)
    assert run_cli("render", "readme", "-o", str(out), library=lib.root).returncode == 0
    assert out.read_text(encoding="utf-8") == text
