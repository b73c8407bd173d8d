"""The bench's tools: whole-process runs with their CPU time and peak memory, paired
interleaved runs, the rows of a contract table (``contract.py`` and ``contract_imports.py``)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Run:
    """One process: wall seconds, lines printed on stdout, peak resident memory in bytes, and
    its CPU seconds (user + system, from wait4: they barely move with the machine's load)."""

    seconds: float
    lines: int
    peak: int
    cpu: float = 0.0
    """User + system CPU seconds (wait4): barely moved by the machine's load, unlike wall."""
    system: float = 0.0
    """Of ``cpu``, the time in the kernel (creating files, on a busy disk most of a write)."""


def run(
    argv: Sequence[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    expect: tuple[int, ...] = (0,),
) -> Run:
    """Run one process to the end; an exit not in ``expect`` raises with its last stderr line."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv),
            stdout=subprocess.PIPE,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
        )
        assert proc.stdout is not None
        out = proc.stdout.read()
        # wait4 gives this child's own peak memory (getrusage would give the max of all children)
        _, status, usage = os.wait4(proc.pid, 0)
        took = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stdout.close()
        if proc.returncode not in expect:
            err.seek(0)
            last = (err.read().decode(errors="replace").strip().splitlines() or ["?"])[-1]
            raise RuntimeError(f"{' '.join(map(str, argv[:4]))}...: exit {proc.returncode}: {last}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(took, out.count(b"\n"), usage.ru_maxrss * 1024, cpu, usage.ru_stime)


@dataclass
class Side:
    """The runs of one side of a pair."""

    name: str
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    def __str__(self) -> str:
        times = [r.seconds for r in self.runs]
        return f"{self.name} {fmt(self.median)} [{fmt(min(times))}-{fmt(max(times))}]"


def paired(
    a: tuple[str, Callable[[int], Run]],
    b: tuple[str, Callable[[int], Run]],
    runs: int,
    same_count: bool = True,
) -> tuple[Side, Side]:
    """A B A B ...: ``runs`` runs of each, interleaved, after one warm-up run of each.

    Each callable gets the run number (0 for the warm-up), so that writing commands can pick
    fresh inputs. With ``same_count`` the two sides must print the same number of lines.
    """
    side_a, side_b = Side(a[0]), Side(b[0])
    warm_a, warm_b = a[1](0), b[1](0)
    if same_count and warm_a.lines != warm_b.lines:
        raise RuntimeError(f"hit counts differ: {a[0]} {warm_a.lines}, {b[0]} {warm_b.lines}")
    for i in range(1, runs + 1):
        side_a.runs.append(a[1](i))
        side_b.runs.append(b[1](i))
    return side_a, side_b


def fmt(seconds: float) -> str:
    """Seconds, in ms below one second."""
    if seconds < 0.001:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


# --- the tools ---------------------------------------------------------------------------------


def paperlog(lib: Path, *args: str) -> list[str]:
    """The argv of the ``paperlog`` console script, as a user runs it (``python -m paperlog``
    when measuring another source tree, whose entry point may differ)."""
    script = Path(sys.executable).with_name("paperlog")
    head = [sys.executable, "-m", "paperlog"] if OTHER_SRC else [str(script)]
    return [*head, "--library", str(lib), *args]


OTHER_SRC: list[Path] = []
"""Set by ``--src``: paperlog runs from that source tree."""


@dataclass
class Row:
    """One line of the contract: what, the measured value, the target, met or not."""

    name: str
    measured: str
    target: str
    ok: bool | None
    detail: str = ""


def ratio_row(name: str, a: Side, b: Side, limit: float) -> Row:
    ratio = a.median / b.median
    row = Row(name, f"{ratio:.2f}x", f"<= {limit}x", ratio <= limit, f"{a}; {b}")
    progress(f"{name}: {row.measured} ({row.detail})")
    return row


def with_cpu_and_load(row: Row, a: Side, b: Side) -> Row:
    """``row`` with both sides' median CPU time (user + system) and the load average: on a
    shared machine CPU time says what wall time cannot."""
    ca = statistics.median(r.cpu for r in a.runs)
    cb = statistics.median(r.cpu for r in b.runs)
    sa = statistics.median(r.system for r in a.runs)
    sb = statistics.median(r.system for r in b.runs)
    row.detail += (
        f"; CPU (user+sys) {a.name} {fmt(ca)} (sys {fmt(sa)}), {b.name} {fmt(cb)} "
        f"(sys {fmt(sb)}) = {ca / cb:.2f}x; load {os.getloadavg()[0]:.1f}"
    )
    progress(f"  CPU {a.name} {fmt(ca)}, {b.name} {fmt(cb)} = {ca / cb:.2f}x")
    return row


def progress(text: str) -> None:
    """A line on stderr while the bench runs (the tables come at the end, on stdout)."""
    print(text, file=sys.stderr, flush=True)
