"""``make bench``: how fast paperlog is where a user feels it, against its targets.

Builds synthetic libraries of 1,000 and 10,000 papers (seeded, realistic shapes; written with
``Library.save_papers``) in a temp folder and measures:

- ``paperlog search WORD`` as a whole process (median of 5 runs, warm index);
- the same query in-process through ``Index.search`` (median of many runs);
- building the index from scratch, and an incremental sync with nothing changed;
- importing a synthetic 10,000-entry README in the seed's format;
- start-up: ``import paperlog.cli.main`` against a bare ``import click``.

Other modules add rows without editing this file: every ``bench/bench_*.py`` that defines
``rows(workdir: Path) -> list[tuple[str, str, str, str]]`` (name, size, measured, target) is
imported and its rows are printed after these.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import _synth
from paperlog.index import Index
from paperlog.library import Library
from paperlog.query import parse_query

BENCH_DIR = Path(__file__).resolve().parent
WORD = "contrastive"
"""The benchmark query: a common word (in about one title in ten and in many notes)."""
SELECTIVE = "momentum year:2019 venue:NIPS"
"""A narrower query mixing words and filters, as a user refines a search."""
README_TIMEOUT = 120.0


@dataclass
class Row:
    """One line of the table; ``ok`` is None when the row has no numeric target."""

    name: str
    size: str
    measured: str
    target: str
    ok: bool | None = None


@dataclass
class Timing:
    """Median and best of several runs: on a shared machine the best shows what the code can
    do, the median what a user sees right now."""

    median: float
    best: float

    def __str__(self) -> str:
        return f"{_fmt(self.median)} (best {_fmt(self.best)})"


def _time(func: Callable[[], object], runs: int) -> Timing:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return Timing(statistics.median(times), min(times))


def _fmt(seconds: float) -> str:
    if seconds < 0.01:
        return f"{seconds * 1000:.2f} ms"
    return f"{seconds:.3f} s"


def _load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def _paperlog_argv() -> list[str]:
    # The console script is what a user runs; fall back to -m outside an installed venv.
    script = Path(sys.executable).with_name("paperlog")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "paperlog"]


_ENV: dict[str, str] = {}
"""The environment of measured processes (set by ``main``)."""


def process_env(workdir: Path) -> dict[str, str]:
    """The environment for measured processes: bytecode cached, as on a user's machine.

    A development shell may set PYTHONDONTWRITEBYTECODE, which makes every process compile
    paperlog's modules from source again; installed packages (click) keep their cached
    bytecode, so the comparison would be unfair. A private cache folder avoids both that and
    writing ``__pycache__`` into the source tree.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    return env


def _run(argv: list[str]) -> None:
    subprocess.run(
        argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_ENV or None
    )


def build_library(root: Path, count: int) -> Library:
    """A synthetic library of ``count`` papers at ``root``."""
    lib = Library.create(root, _synth.config())
    lib.save_papers(_synth.papers(count))
    return lib


def library_rows(lib: Library, count: int) -> list[Row]:
    """Index build, no-change sync, in-process and whole-process search on one library."""
    size = f"{count:,}"
    rows = []
    shutil.rmtree(lib.root / ".paperlog", ignore_errors=True)
    start = time.perf_counter()
    Index.open(lib).close()
    rows.append(Row("index build from scratch", size, _fmt(time.perf_counter() - start), "-"))

    with Index.open(lib) as index:
        sync = _time(index.sync, 10)
        rows.append(Row("incremental sync, nothing changed", size, str(sync), "-"))
        for text, limit in ((WORD, None), (WORD, 20), (SELECTIVE, None)):
            query = parse_query(text)
            hits = len(index.search(query, limit))
            runs = 50 if hits > 200 else 300
            took = _time(functools.partial(index.search, query, limit), runs)
            call = f"{text!r}, limit={limit}" if limit else repr(text)
            rows.append(
                Row(
                    f"Index.search({call}): {hits} hits",
                    size,
                    str(took),
                    "< 1 ms",
                    took.median < 0.001,
                )
            )
    opened = _time(lambda: Index.open(lib).close(), 10)
    rows.append(Row("Index.open (sync, nothing changed)", size, str(opened), "-"))

    for limit in (None, 20):
        argv = [*_paperlog_argv(), "--library", str(lib.root), "search", WORD]
        argv += ["--limit", str(limit)] if limit else []
        _run(argv)  # warm: the index is built and the files are in the page cache
        whole = _time(functools.partial(_run, argv), 5)
        name = f"paperlog search {WORD}" + (f" --limit {limit}" if limit else "") + " (process)"
        ok = whole.median < 0.1 if count >= 10_000 else None
        rows.append(Row(name, size, str(whole), "< 0.1 s at 10k", ok))
    return rows


_README_SCRIPT = """
import sys, time
from pathlib import Path
sys.path.insert(0, {bench!r})
import _synth
from paperlog.library import Library
try:
    from paperlog.services.import_readme import import_readme
except ImportError:
    print("missing")
    raise SystemExit(0)
root = Path({root!r})
readme = root / "README-input.md"
readme.write_text(_synth.readme({count}), encoding="utf-8")
lib = Library.create(root / "lib")
start = time.perf_counter()
report = import_readme(lib, readme)
print(time.perf_counter() - start, report.items)
"""


def readme_row(workdir: Path, count: int = 10_000) -> Row:
    """Import a synthetic README of ``count`` entries, in its own process (with a time limit)."""
    size = f"{count:,}"
    name = "README import (import_readme)"
    root = workdir / f"readme-{count}"
    root.mkdir()
    code = _README_SCRIPT.format(bench=str(BENCH_DIR), root=str(root), count=count)
    try:
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=README_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Row(name, size, f"> {README_TIMEOUT:.0f} s (stopped)", "< 5 s", False)
    if out.stdout.strip() == "missing":
        return Row(name, size, "n/a (not built yet)", "< 5 s")
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        return Row(name, size, f"error: {last[:60]}", "< 5 s", False)
    took_text, items = out.stdout.split()
    took = float(took_text)
    return Row(f"{name}, {int(items):,} items", size, _fmt(took), "< 5 s", took < 5)


def startup_rows(runs: int = 10) -> list[Row]:
    """``python -c "import paperlog.cli.main"`` against ``python -c "import click"``."""
    click_argv = [sys.executable, "-c", "import click"]
    cli_argv = [sys.executable, "-c", "import paperlog.cli.main"]
    _run(click_argv)  # warm the page cache for both
    _run(cli_argv)
    click_times: list[float] = []
    cli_times: list[float] = []
    for _ in range(runs):  # interleaved, so a change in the machine's load hits both alike
        for argv, times in ((click_argv, click_times), (cli_argv, cli_times)):
            start = time.perf_counter()
            _run(argv)
            times.append(time.perf_counter() - start)
    click_t = Timing(statistics.median(click_times), min(click_times))
    cli_t = Timing(statistics.median(cli_times), min(cli_times))
    extra = cli_t.median - click_t.median
    return [
        Row("python -c 'import click'", "-", str(click_t), "baseline"),
        Row(
            "python -c 'import paperlog.cli.main'",
            "-",
            f"{cli_t} = click {extra * 1000:+.0f} ms",
            "click + 0.05 s",
            extra < 0.05,
        ),
    ]


def extra_rows(workdir: Path) -> list[Row]:
    """Rows from every ``bench/bench_*.py`` module's ``rows(workdir)``."""
    rows = []
    for path in sorted(BENCH_DIR.glob("bench_*.py")):
        sub = workdir / path.stem
        sub.mkdir()
        try:
            spec = importlib.util.spec_from_file_location(path.stem, path)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot load {path}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            for name, size, measured, target in module.rows(sub):
                rows.append(Row(str(name), str(size), str(measured), str(target)))
        except Exception as exc:  # one broken module must not hide the other rows
            message = f"error: {type(exc).__name__}: {exc}"
            rows.append(Row(path.name, "-", message[:90], "-", False))
    return rows


def print_rows(rows: list[Row]) -> None:
    """The table, with a check mark where a target is met."""
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title="paperlog benchmark (median of runs, best in brackets)", header_style="bold"
    )
    for col in ("measure", "size", "measured", "target", "met"):
        table.add_column(col)
    for row in rows:
        met = "" if row.ok is None else ("yes" if row.ok else "NO")
        table.add_row(row.name, row.size, row.measured, row.target, met)
    Console(width=160).print(table)


def main() -> None:
    """Build the libraries, measure, print the table."""
    started = time.perf_counter()
    load_before = _load()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="paperlog-bench-") as tmp:
        workdir = Path(tmp)
        _ENV.update(process_env(workdir))
        for count in (1_000, 10_000):
            lib = build_library(workdir / f"lib-{count}", count)
            rows += library_rows(lib, count)
        rows.append(readme_row(workdir))
        rows += startup_rows()
        rows += extra_rows(workdir)
    print_rows(rows)
    print(f"load average: {load_before} at the start, {_load()} at the end")
    print(f"bench took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
