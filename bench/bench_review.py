"""Benchmark rows for the plan's review, stats and charts (picked up by ``bench/bench.py``).

In-process timings over the synthetic libraries: what is due (every read paper has a
``## Key ideas`` list, so every one is a card), ``compute_stats``, and writing the charts.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import _synth
from paperlog.library import Library
from paperlog.plan.charts import write_charts
from paperlog.plan.review import due_items, moment_of
from paperlog.plan.stats import compute_stats


def _median(func: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def rows(workdir: Path) -> list[tuple[str, str, str, str]]:
    """(name, size, measured, target) rows."""
    out = []
    for count in (1_000, 10_000):
        lib = Library.create(workdir / f"lib{count}", _synth.config())
        papers = _synth.papers(count)
        weeks = lib.load_weeks()
        size = f"{count:,} papers"
        now = moment_of(date(2040, 1, 1))
        due, best = _median(lambda p=papers, n=now: due_items(p, n), 3)  # type: ignore[misc]
        out.append(("review: due_items (all cards new)", size, f"{due:.3f} s ({best:.3f})", "1 s"))
        stats, best = _median(
            lambda p=papers, w=weeks, lb=lib: compute_stats(lb, p, w, None),  # type: ignore[misc]
            3,
        )
        out.append(("stats: compute_stats", size, f"{stats:.3f} s ({best:.3f})", "1 s"))
        if count == 1_000:
            cpu_start = time.process_time()
            charts, best = _median(
                lambda p=papers, w=weeks, lb=lib: write_charts(  # type: ignore[misc]
                    lb, lb.root / "charts", papers=p, weeks=w
                ),
                2,
            )
            # matplotlib's drawing is CPU-bound: on a shared machine the CPU time per run is
            # what the code costs, the wall time what a user waits right now
            cpu = (time.process_time() - cpu_start) / 2
            out.append(
                (
                    "charts: write_charts (4 SVGs, 111 weeks)",
                    size,
                    f"{charts:.2f} s ({best:.2f}); cpu {cpu:.2f} s",
                    "5 s",
                )
            )
    return out
