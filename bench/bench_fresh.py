"""The floor under a search without a watcher: proving that no paper file changed.

Without a watcher the only proof that nothing changed since the index was written is a
``stat`` of every paper file (docs/search.md, "Which edits are seen when"). This measures
what that proof costs at its cheapest on this machine, next to what paperlog's scan spends:

- ``find papers -printf '%f %T@ %s'``: a C loop over the folder, one stat per file (a
  process: its wall and CPU time from ``wait4``);
- Python ``os.stat(name, dir_fd=...)`` per listed name, keeping nothing (in process, CPU);
- ``paperlog.index_fresh.scan_manifest``: paperlog's proof (in process, CPU);
- ``python -c pass``: the interpreter start-up every Python process pays.

``bench/contract.py`` prints these beside the no-watcher search rows, so a missed row shows
whether the stat floor alone leaves room under its target.

    .venv/bin/python bench/bench_fresh.py build/bench/corpus-10000/lib/papers
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Cost:
    """Median wall and CPU (user + system) seconds of one measure."""

    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.cpu * 1000:.0f} ms CPU ({self.wall * 1000:.0f} ms wall)"


def in_process(func: Callable[[], object], runs: int) -> Cost:
    """Run ``func`` once to warm the caches, then ``runs`` times: medians."""
    func()
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        func()
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpus.append(
            after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime,
        )
    return Cost(statistics.median(walls), statistics.median(cpus))


def process(argv: list[str], runs: int) -> Cost:
    """One warm-up, then ``runs`` runs of a process with its output thrown away: medians."""
    walls, cpus = [], []
    for i in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(proc.pid, 0)
        if i:
            walls.append(time.perf_counter() - start)
            cpus.append(usage.ru_utime + usage.ru_stime)
    return Cost(statistics.median(walls), statistics.median(cpus))


def _stat_each(papers: Path) -> None:
    fd = os.open(papers, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in os.listdir(fd):  # noqa: PTH208 (a folder descriptor: no path walk)
            os.stat(name, dir_fd=fd)
    finally:
        os.close(fd)


def floor(papers: Path, runs: int = 5) -> dict[str, Cost]:
    """The freshness proof's costs for the paper files in ``papers``."""
    from paperlog.index_fresh import scan_manifest

    return {
        "find -printf (C, one stat a file)": process(
            ["find", str(papers), "-maxdepth", "1", "-printf", "%f %T@ %s\n"], runs
        ),
        "python os.stat a file, nothing kept": in_process(lambda: _stat_each(papers), runs),
        "paperlog scan_manifest": in_process(lambda: scan_manifest(papers), runs),
        "python -c pass": process([sys.executable, "-c", "pass"], runs),
    }


def explain(papers: Path, floor_cpu: float, limit: float, runs: int = 5) -> str:
    """One line: the stat floor at this size against the search row's budget."""
    costs = floor(papers, runs)
    files = sum(1 for path in papers.iterdir() if path.suffix == ".md")
    stat_cpu = min(
        costs["find -printf (C, one stat a file)"].cpu,
        costs["python os.stat a file, nothing kept"].cpu,
    )
    budget = limit * floor_cpu
    parts = "; ".join(f"{name} {cost}" for name, cost in costs.items())
    least = floor_cpu + stat_cpu  # the floor's own work, plus the proof at its cheapest
    verdict = (
        f"over the budget by {(least - budget) * 1000:.0f} ms before any other cost"
        if least > budget
        else f"{(budget - least) * 1000:.0f} ms of the budget left for everything else"
    )
    return (
        f"{files} files: {parts}. Budget {limit}x the floor script's {floor_cpu * 1000:.0f} ms "
        f"CPU = {budget * 1000:.0f} ms CPU; the floor script's work plus the cheapest stat "
        f"loop is {least * 1000:.0f} ms CPU = {least / floor_cpu:.1f}x: {verdict}"
    )


def main() -> None:
    """Print the floor for each folder given."""
    for arg in sys.argv[1:]:
        papers = Path(arg)
        print(f"{papers} (load {os.getloadavg()[0]:.1f}):")
        for name, cost in floor(papers).items():
            print(f"  {name:40s} {cost}")


if __name__ == "__main__":
    main()
