"""``make bench``: issue 11's contract, measured side by side with floors, papis and pubs.

Every row is a whole process as a user runs it (except the one in-process row), timed on the
same synthetic corpora (``corpora.py``) for every tool, in paired interleaved runs (A B A B
...) after one warm-up run of each, so a change in the machine's load hits both sides alike.
A row shows the ratio of the medians, then each side's median and [min-max]. Hit counts (lines
printed, files written) must be identical on both sides, else the row is an error.

    .venv/bin/python bench/contract.py            # everything (100k corpus cached in build/)
    .venv/bin/python bench/contract.py --quick    # fewer runs, commands at 1k and 10k only

papis and pubs live in throwaway venvs under ``build/bench`` (made on first use from PyPI;
pubs needs bibtexparser<2, papis 2.x, so two venvs); the project's ``.venv`` never sees them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import corpora

CACHE = corpora.CACHE
PAPIS_VENV = CACHE / "papis-venv"
PUBS_VENV = CACHE / "pubs-venv"
WORD = "transformers"
"""The keyword: in about one title in twelve. ("contrastive" would not do: the porter stemmer
makes it "contrast", so paperlog and the floor also find "Momentum Contrast", which pubs'
substring match and papis' whoosh do not; the hit counts must agree.)"""
MiB = 1024 * 1024


# --- running and timing ----------------------------------------------------------------------


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


def env_for(workdir: Path, src: Path | None = None) -> dict[str, str]:
    """Measured processes use cached bytecode (a private cache, as an install has one).

    With ``src``, paperlog runs from that source tree (an older checkout, to measure "before").
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in env.items() if not k.startswith("PAPERLOG_")}
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return env


@contextlib.contextmanager
def watching(lib: Path, env: dict[str, str]) -> Iterator[bool]:
    """``paperlog watch`` on ``lib`` while the block runs; yields False when there is none."""
    probe = subprocess.run(
        paperlog(lib, "watch", "--help"), capture_output=True, env=env, check=False
    )
    if probe.returncode != 0:
        yield False
        return
    proc = subprocess.Popen(
        paperlog(lib, "watch"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    try:
        assert proc.stderr is not None
        proc.stderr.readline()  # "Watching ...": the socket is up
        yield True
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def paperlog(lib: Path, *args: str) -> list[str]:
    """The argv of the ``paperlog`` console script, as a user runs it (``python -m paperlog``
    when measuring another source tree, whose entry point may differ)."""
    script = Path(sys.executable).with_name("paperlog")
    head = [sys.executable, "-m", "paperlog"] if OTHER_SRC else [str(script)]
    return [*head, "--library", str(lib), *args]


OTHER_SRC: list[Path] = []
"""Set by ``--src``: paperlog runs from that source tree."""


def setup_others() -> str | None:
    """Make the throwaway venvs for papis and pubs when missing; None when ready, else why not."""
    for venv, script, packages in (
        (PAPIS_VENV, "papis", ["papis", "whoosh"]),
        (PUBS_VENV, "pubs", ["pubs", "bibtexparser<2"]),
    ):
        if (venv / "bin" / script).exists():
            continue
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            pip = [str(venv / "bin" / "pip"), "install", "-q", *packages]
            subprocess.run(pip, check=True, capture_output=True, timeout=600)
        except (subprocess.SubprocessError, OSError) as exc:
            shutil.rmtree(venv, ignore_errors=True)
            return f"cannot install {script}: {exc}"
    return None


FLOOR_SEARCH = '''\
"""The search floor: python, sqlite3, one FTS5 query, print the hits (as paperlog prints them)."""
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
sql = ("SELECT d.key, d.year, d.venue, d.title, d.status FROM fts JOIN docs AS d "
       "ON d.rowid = fts.rowid WHERE fts MATCH ? ORDER BY bm25(fts)")
out = sys.stdout
for row in conn.execute(sql, (sys.argv[2],)):
    out.write("\\t".join("" if v is None else str(v) for v in row) + "\\n")
'''

FLOOR_README = '''\
"""The README import floor: one regex pass over the lines, one file per item, then the files
made durable as paperlog makes a batch durable: one syncfs(2) of their file system (an fsync per
file where there is none) and an fsync of their folder. (It ended with os.sync() before, which
flushes every process's dirty data on the machine: not the same work as paperlog's.)"""
import ctypes, os, re, sys
ITEM = re.compile(r"\\* \\[(?:([^:\\]]+): )?([^\\]]+)\\]\\(([^)]+)\\) \\[\\[Notes\\]\\(([^)]+)\\)\\] <kbd>([^<]*)</kbd>")
WEEK = re.compile(r"### Wk(\\d+) - (\\d{4})\\.(\\d\\d)\\.(\\d\\d)")
SLUG = re.compile(r"[^a-z0-9]+")
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
week = start = group = None
order = 0
seen = set()
for line in open(sys.argv[1], encoding="utf-8"):
    m = ITEM.match(line)
    if m is None:
        w = WEEK.match(line)
        if w:
            week, start, order = w.group(1), "-".join(w.group(2, 3, 4)), 0
        elif line.strip() and not line.startswith("#") and week is not None:
            group = line.strip()
        continue
    nick, title, url, notes, label = m.groups()
    key = "-".join(SLUG.sub(" ", title.lower()).split())[:80]
    if key in seen:
        key += f"-{len(seen)}"
    seen.add(key)
    text = (f"---\\ntitle: {title}\\n" + (f"nickname: {nick}\\n" if nick else "")
            + f"status: read\\nvenue_label: {label}\\nurl: {url}\\nlinks:\\n- label: Notes\\n"
            f"  url: {notes}\\nreadings:\\n- week: {week}\\n  week_start: {start}\\n"
            f"  group: {group}\\n  order: {order}\\n---\\n")
    order += 1
    with open(os.path.join(out, key + ".md"), "w", encoding="utf-8") as f:
        f.write(text)
dfd = os.open(out, os.O_RDONLY)
syncfs = getattr(ctypes.CDLL(None), "syncfs", None) if sys.platform.startswith("linux") else None
if syncfs is None or syncfs(dfd) != 0:
    for name in os.listdir(out):
        fd = os.open(os.path.join(out, name), os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
os.fsync(dfd)
os.close(dfd)
print("\\n" * len(seen), end="")
'''

FLOOR_DURABLE = """\\
# The floor of writing N small files durably as one batch, as paperlog's journal does: temp
# files, one syncfs(2) of their file system (an fsync per file where there is none), renames,
# one fsync of the folder.
import ctypes, os, sys
out, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out, exist_ok=True)
data = b"x" * size
temps = []
for i in range(count):
    tmp = os.path.join(out, f".{i}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.write(fd, data)
    os.close(fd)
    temps.append(tmp)
dfd = os.open(out, os.O_RDONLY)
syncfs = getattr(ctypes.CDLL(None), "syncfs", None) if sys.platform.startswith("linux") else None
if syncfs is None or syncfs(dfd) != 0:
    for tmp in temps:
        fd = os.open(tmp, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
for i, tmp in enumerate(temps):
    os.rename(tmp, os.path.join(out, f"{i}.md"))
os.fsync(dfd)
os.close(dfd)
print("\\n" * count, end="")
"""

FLOOR_BIBTEX_WRITE = """\
# BibTeX parse and write: bibtexparser 2's parse, then one small file per entry (its fields,
# raw), made durable as paperlog makes a batch durable: one syncfs(2) of their file system (an
# fsync per file where there is none), an fsync of the folder. What any import pays.
import ctypes, os, sys, bibtexparser
library = bibtexparser.parse_file(sys.argv[1])
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
for n, entry in enumerate(library.entries):
    text = "---\\n" + "".join(f"{f.key}: {f.value}\\n" for f in entry.fields) + "---\\n"
    with open(os.path.join(out, f"{n}.md"), "w", encoding="utf-8") as f:
        f.write(text)
dfd = os.open(out, os.O_RDONLY)
syncfs = getattr(ctypes.CDLL(None), "syncfs", None) if sys.platform.startswith("linux") else None
if syncfs is None or syncfs(dfd) != 0:
    for name in os.listdir(out):
        fd = os.open(os.path.join(out, name), os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
os.fsync(dfd)
os.close(dfd)
print("\\n" * (len(library.entries) + len(library.failed_blocks)), end="")
"""

FLOOR_BIBTEX = """\
import sys, bibtexparser
library = bibtexparser.parse_file(sys.argv[1])
# entries, and blocks it could not take (a duplicate key, a broken field) that an import reports
print("\\n" * (len(library.entries) + len(library.failed_blocks)), end="")
"""


# --- the rows ----------------------------------------------------------------------------------


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


def search_rows(work: Path, env: dict[str, str], runs: int, quick: bool) -> list[Row]:
    rows = []
    floor = work / "floor_search.py"
    floor.write_text(FLOOR_SEARCH, encoding="utf-8")
    match = f"{WORD}*"  # paperlog's bare words are prefix matches
    for count, limit in ((10_000, 2.0), (100_000, 3.0)):
        root = corpora.corpus(count)
        lib = root / "lib"
        pl = ("paperlog", lambda i, lib=lib: run(paperlog(lib, "search", WORD), env))
        fl = (
            "floor",
            lambda i, root=root: run(
                [sys.executable, str(floor), str(root / "floor.sqlite"), match], env
            ),
        )
        size = f"{count // 1000}k"
        a0, b0 = paired(pl, fl, runs)
        hits = a0.runs[0].lines
        rows.append(
            with_cpu(
                ratio_row(
                    f"keyword search at {size} ({hits} hits), no watcher, process / floor",
                    a0,
                    b0,
                    limit,
                ),
                a0,
                b0,
            )
        )
        rows.append(stat_floor_row(lib / "papers", size, b0, limit, rows[-1].ok))
        with watching(lib, env) as watched:
            if watched:
                a, b = paired(pl, fl, runs)
                rows.append(
                    with_cpu(
                        ratio_row(
                            f"keyword search at {size}, paperlog watch running, process / floor",
                            a,
                            b,
                            limit,
                        ),
                        a,
                        b,
                    )
                )
            else:
                a, b = a0, b0
            if count == 10_000:
                rows += others_rows(root, lib, env, runs, quick)
        rows.append(auto_watch_row(lib, env, pl=pl, fl=fl, runs=runs, size=size, limit=limit))
        if count != 10_000:
            sides = [("no watcher", a0, b0)]
            if a is not a0:
                sides.append(("paperlog watch running", a, b))
            for name, side, floor_side in sides:
                peak = max(r.peak for r in side.runs)
                rows.append(
                    Row(
                        f"peak memory, search at 100k, {name}",
                        f"{peak / MiB:.0f} MiB",
                        "<= 60 MiB",
                        peak <= 60 * MiB,
                        f"floor {max(r.peak for r in floor_side.runs) / MiB:.0f} MiB",
                    )
                )
    return rows


def cpu_ms(side: Side) -> str:
    """The median CPU time (user + system) of a side's runs."""
    return f"{statistics.median(r.cpu for r in side.runs) * 1000:.0f} ms"


def with_cpu(row: Row, a: Side, b: Side) -> Row:
    """A ratio row with each side's median CPU time beside the wall times."""
    row.detail += f"; CPU {a.name} {cpu_ms(a)}, {b.name} {cpu_ms(b)}"
    return row


def stat_floor_row(
    papers: Path, size: str, floor_side: Side, limit: float, met: bool | None
) -> Row:
    """Why a no-watcher search row misses (or what room it has): the cheapest proof by stat
    of every paper file on this machine, against the row's budget (bench_fresh.py)."""
    import bench_fresh

    floor_cpu = statistics.median(r.cpu for r in floor_side.runs)
    line = bench_fresh.explain(papers, floor_cpu, limit)
    progress(f"stat floor at {size}: {line}")
    return Row(
        f"floor under the no-watcher row at {size}: one stat per paper file",
        "met above" if met else "explains the miss",
        "-",
        None,
        line,
    )


def auto_watch_row(
    lib: Path,
    env: dict[str, str],
    *,
    pl: tuple[str, Callable[[int], Run]],
    fl: tuple[str, Callable[[int], Run]],
    runs: int,
    size: str,
    limit: float,
) -> Row:
    """Search with ``[index] fsmonitor = true`` after the first call: that call checks every
    file and starts a watcher (git's core.fsmonitor); the measured ones ask it."""
    name = f"keyword search at {size}, watcher started on first use (after the first call), process / floor"
    config = lib / "paperlog.toml"
    text = config.read_bytes()
    turned_on = subprocess.run(
        paperlog(lib, "watch", "--auto", "on"), capture_output=True, env=env, check=False
    )
    if turned_on.returncode != 0:
        return Row(name, "not in this source tree", f"<= {limit}x", None)
    try:
        first = pl[1](0)
        deadline = time.monotonic() + 600
        while True:
            status = subprocess.run(
                paperlog(lib, "watch", "--status", "--json"),
                capture_output=True,
                env=env,
                check=True,
            )
            if json.loads(status.stdout)["watching"]:
                break
            if time.monotonic() > deadline:
                return Row(name, "error: the watcher did not start", f"<= {limit}x", False)
            time.sleep(0.2)
        a, b = paired(pl, fl, runs)
        row = with_cpu(ratio_row(name, a, b, limit), a, b)
        row.detail += f"; the first call (checks every file, starts it) {fmt(first.seconds)}"
        return row
    finally:
        subprocess.run(
            paperlog(lib, "watch", "--auto", "off"), capture_output=True, env=env, check=False
        )
        config.write_bytes(text)  # the corpus as it was


def others_rows(root: Path, lib: Path, env: dict[str, str], runs: int, quick: bool) -> list[Row]:
    """paperlog against pubs and papis on the 10k corpus."""
    why = setup_others()
    if why:
        return [Row("papis / pubs", f"not measured: {why}", "-", None)]
    rows = []
    pubs_rc = corpora.pubs_config(root)
    pubs = [str(PUBS_VENV / "bin" / "pubs"), "-c", str(pubs_rc), "list", f"title:{WORD}"]
    papis_env = corpora.papis_env(root)
    papis = [str(PAPIS_VENV / "bin" / "papis"), "list", "--all", "--format", "{doc[ref]}", WORD]
    pl = ("paperlog", lambda i: run(paperlog(lib, "search", WORD), env))
    for name, argv, other_env, limit in (
        ("pubs list title:...", pubs, env, 0.06),
        ("papis-whoosh list", papis, papis_env, 0.15),
    ):
        other = (name.split()[0], lambda i, argv=argv, e=other_env: run(argv, e))
        try:
            a, b = paired(pl, other, max(3, runs // 2) if quick else runs)
        except RuntimeError as exc:
            rows.append(
                Row(
                    f"search at 10k, paperlog / {name}",
                    f"error: {exc}"[:120],
                    f"<= {limit}x",
                    False,
                )
            )
            continue
        rows.append(ratio_row(f"keyword search at 10k, paperlog / {name}", a, b, limit))
    return rows


IN_PROCESS = """
import json, sys, time
from paperlog.index import Index
from paperlog.library import Library
from paperlog.query import parse_query

lib = Library.open(__import__("pathlib").Path(sys.argv[1]))
query = parse_query("year:2019")
with Index.open(lib) as index:
    hits = len(index.search(query))
    times = []
    for _ in range(200):
        start = time.perf_counter()
        index.search(query)
        times.append(time.perf_counter() - start)
    where, params = query.filter_sql()
    conn = index._conn
    sql = []
    for _ in range(200):
        start = time.perf_counter()
        conn.execute(f"SELECT p.rowid FROM papers AS p WHERE {where}", params).fetchall()
        sql.append(time.perf_counter() - start)
    rows = []
    for _ in range(200 if hasattr(index, "search_rows") else 0):
        start = time.perf_counter()
        index.search_rows(query)
        rows.append(time.perf_counter() - start)
print(json.dumps({"hits": hits, "times": times, "sql": sql, "rows": rows}))
"""


def in_process_row(env: dict[str, str]) -> Row:
    """``Index.search('year:2019')`` at 10k in process (its own), next to the SQL alone."""
    lib = corpora.corpus(10_000) / "lib"
    out = subprocess.run(
        [sys.executable, "-c", IN_PROCESS, str(lib)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    data = json.loads(out.stdout)
    times, sql, rows = data["times"], data["sql"], data["rows"]
    med = statistics.median(times)
    detail = f"[{fmt(min(times))}-{fmt(max(times))}]; the SQL alone {fmt(statistics.median(sql))}"
    if rows:
        detail += f"; Index.search_rows (the CLI's table rows) {fmt(statistics.median(rows))}"
    row = Row(
        f"year filter at 10k in process, Index.search ({data['hits']} hits)",
        fmt(med),
        "<= 0.5 ms",
        med <= 0.0005,
        detail,
    )
    progress(f"{row.name}: {row.measured} ({row.detail})")
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


def _fresh_library(path: Path, env: dict[str, str]) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    run(paperlog(path, "init", "--no-git"), env)
    return path


def import_rows(work: Path, env: dict[str, str], runs: int) -> list[Row]:
    """README and BibTeX imports of 10k items, whole process, against their floors."""
    import _synth

    rows = []
    readme = CACHE / "readme-10000.md"
    if not readme.exists():
        readme.write_text(_synth.readme(10_000), encoding="utf-8")
    floor = work / "floor_readme.py"
    floor.write_text(FLOOR_README, encoding="utf-8")

    def pl_readme(i: int) -> Run:
        lib = _fresh_library(work / "readme-lib", env)
        took = run(paperlog(lib, "import", "readme", str(readme)), env)
        took.lines = sum(1 for _ in (lib / "papers").iterdir())
        return took

    def fl_readme(i: int) -> Run:
        out = work / "readme-floor"
        shutil.rmtree(out, ignore_errors=True)
        return run([sys.executable, str(floor), str(readme), str(out)], env)

    try:
        # paperlog rightly takes an item whose title another one already has for a second
        # reading of that paper, so it writes a few files fewer than the floor
        a, b = paired(("paperlog", pl_readme), ("floor", fl_readme), runs, same_count=False)
        items = f"{b.runs[0].lines:,} items, {a.runs[0].lines:,} files"
        row = ratio_row(f"README import ({items}) / regex-and-write floor", a, b, 2.0)
        rows.append(with_cpu_and_load(row, a, b))
    except RuntimeError as exc:
        rows.append(Row("README import / floor", f"error: {exc}"[:140], "<= 2x", False))

    bib = CACHE / "bib-10000.bib"
    if not bib.exists():
        sys.path.insert(0, str(Path(__file__).parent))
        import bench_bibtex

        if not bench_bibtex.CORPUS.is_dir():
            return [
                *rows,
                Row("BibTeX import / floor", "skipped: shared corpus absent", "<= 2x", None),
            ]
        bib.write_text(bench_bibtex.synth_bib(10_000), encoding="utf-8")
    floor_bib = work / "floor_bibtex.py"
    floor_bib.write_text(FLOOR_BIBTEX, encoding="utf-8")

    def pl_bib(i: int) -> Run:
        lib = _fresh_library(work / "bib-lib", env)
        took = run(paperlog(lib, "import", "bibtex", str(bib)), env)
        took.lines = sum(1 for _ in (lib / "papers").iterdir())
        return took

    def fl_bib(i: int) -> Run:
        return run([sys.executable, str(floor_bib), str(bib)], env)

    floor_bib_write = work / "floor_bibtex_write.py"
    floor_bib_write.write_text(FLOOR_BIBTEX_WRITE, encoding="utf-8")

    def fl_bib_write(i: int) -> Run:
        out = work / "bib-floor"
        shutil.rmtree(out, ignore_errors=True)
        return run([sys.executable, str(floor_bib_write), str(bib), str(out)], env)

    def pl_bib_dry(i: int) -> Run:
        lib = _fresh_library(work / "bib-dry", env)
        return run(paperlog(lib, "import", "bibtex", "--dry-run", str(bib)), env)

    floor_durable = work / "floor_durable.py"
    floor_durable.write_text(FLOOR_DURABLE, encoding="utf-8")

    def durable(i: int) -> Run:
        out = work / "durable"
        shutil.rmtree(out, ignore_errors=True)
        return run([sys.executable, str(floor_durable), str(out), "10000", "1500"], env)

    try:
        a, b = paired(("paperlog", pl_bib), ("bibtexparser", fl_bib), runs)
        row = ratio_row(
            f"BibTeX import, {a.runs[0].lines} entries / bibtexparser 2 parse", a, b, 2.0
        )
        rows.append(with_cpu_and_load(row, a, b))
        # Where the time goes: the same import writing nothing (parse and convert)
        d, e = paired(("paperlog --dry-run", pl_bib_dry), ("bibtexparser", fl_bib), runs, False)
        dry = Row(
            "BibTeX import --dry-run (parse, convert; nothing rendered or written) / parse",
            f"{d.median / e.median:.2f}x",
            "-",
            None,
            f"{d}; {e}",
        )
        rows.append(with_cpu_and_load(dry, d, e))
        # The contract's floor writes nothing; beside it, the same parse writing a file per
        # entry durably, as the README row's floor does: what is left is paperlog's own work.
        f, g = paired(("paperlog", pl_bib), ("parse-and-write floor", fl_bib_write), runs)
        written = Row(
            "BibTeX import / parse-and-write floor (bibtexparser parse, a file per entry, syncfs)",
            f"{f.median / g.median:.2f}x",
            "-",
            None,
            f"{f}; {g}",
        )
        progress(f"{written.name}: {written.measured} ({written.detail})")
        rows.append(with_cpu_and_load(written, f, g))
        # What writing the files durably costs alone, beside the parse: the floor under both
        # imports once every file is durable (a crash loses nothing).
        c, _ = paired(("durable floor", durable), ("bibtexparser", fl_bib), 1, same_count=False)
        rows.append(
            Row(
                "floor: 10,000 files of 1.5 kB written durably as one batch (temps, syncfs, "
                "renames), process",
                fmt(c.median),
                "-",
                None,
                f"{c.median / 10:.2f} ms a file on this disk now: what any import of 10,000 "
                "files pays beside its parse",
            )
        )
    except RuntimeError as exc:
        rows.append(Row("BibTeX import / floor", f"error: {exc}"[:140], "<= 2x", False))
    return rows


# --- daily commands at 1k, 10k, 100k -----------------------------------------------------------

COMMAND_TARGETS = {
    "done (first in queue)": 0.15,
    "done (last in queue)": 0.15,
    "queue up": 0.15,
    "stats": 0.5,
    "today": 0.15,
    "week": 0.15,
    "list (one screen)": 0.15,
    "show": 0.15,
    "start": 0.15,
    "show (mistyped key)": 0.15,
}
EXPECTED_EXIT = {"show (mistyped key)": (0, 3)}
"""A mistyped key is refused with "did you mean ..." (exit 3), or taken when one key is clearly
the closest (exit 0, the paper shown): either way the lookup is what is measured."""


def mistyped(key: str) -> str:
    """``key`` with one character left out from its middle, as a hurried hand types it."""
    middle = len(key) // 2
    return key[:middle] + key[middle + 1 :]


def command_argvs(lib: Path, keys: dict[str, list[str]]) -> dict[str, Callable[[int], list[str]]]:
    """Each command's argv for run ``i``: writing commands take a fresh paper every run."""
    queue, read = keys["queue"], keys["read"]
    third = len(queue) // 3
    return {
        "done (first in queue)": lambda i: paperlog(lib, "done", queue[i]),
        "done (last in queue)": lambda i: paperlog(lib, "done", queue[-1 - i]),
        "queue up": lambda i: paperlog(lib, "queue", "up", queue[third + 3 * i]),
        "stats": lambda i: paperlog(lib, "stats"),
        "today": lambda i: paperlog(lib, "today"),
        "week": lambda i: paperlog(lib, "week"),
        "list (one screen)": lambda i: paperlog(lib, "list", *LIST_ARGS),
        "show": lambda i: paperlog(lib, "show", read[len(read) // 2 + i]),
        "start": lambda i: paperlog(lib, "start", queue[2 * third + i]),
        "show (mistyped key)": lambda i: paperlog(lib, "show", mistyped(read[len(read) // 3 + i])),
    }


LIST_ARGS: list[str] = []
"""Arguments that make ``list`` print one screen (set in ``main`` when the command has them)."""


WATCHED: list[bool] = []
"""Whether ``paperlog watch`` ran during each size's commands."""


def _measure_commands(
    lib: Path, keys: dict[str, list[str]], env: dict[str, str], n: int
) -> dict[str, Side | str]:
    out: dict[str, Side | str] = {}
    for name, argv in command_argvs(lib, keys).items():
        try:
            expect = EXPECTED_EXIT.get(name, (0,))
            run(argv(0), env, expect=expect)  # warm-up
            out[name] = Side(name, [run(argv(i), env, expect=expect) for i in range(1, n + 1)])
        except RuntimeError as exc:
            out[name] = f"error: {exc}"[:60]
        progress(f"{name} at {lib.name}: {out[name]}")
    return out


def progress(text: str) -> None:
    """A line on stderr while the bench runs (the tables come at the end, on stdout)."""
    print(text, file=sys.stderr, flush=True)


def command_rows(sizes: Sequence[int], env: dict[str, str], runs: int) -> list[list[str]]:
    """One line per command: the median [min-max] at each size, the target at 100k, met."""
    results: dict[str, dict[int, str]] = {name: {} for name in COMMAND_TARGETS}
    met: dict[str, bool | None] = dict.fromkeys(COMMAND_TARGETS)
    for count in sizes:
        root = corpora.corpus(count)
        run(paperlog(root / "lib", "search", WORD), env)  # the corpus' index, built once
        lib = corpora.work_copy(root, "commands")
        keys = json.loads((root / "keys.json").read_text(encoding="utf-8"))
        n = runs if count < 100_000 else max(2, runs // 2)
        with watching(lib, env) as watched:
            WATCHED.append(watched)
            measured = _measure_commands(lib, keys, env, n)
        for name, outcome in measured.items():
            if isinstance(outcome, str):
                results[name][count] = outcome
                met[name] = False
                continue
            side = outcome
            times = [r.seconds for r in side.runs]
            results[name][count] = f"{fmt(side.median)} [{fmt(min(times))}-{fmt(max(times))}]"
            if count == 100_000:
                met[name] = side.median <= COMMAND_TARGETS[name]
        shutil.rmtree(lib, ignore_errors=True)
    table = []
    for name, target in COMMAND_TARGETS.items():
        cells = [results[name].get(c, "not run") for c in (1_000, 10_000, 100_000)]
        ok = met[name]
        table.append(
            [name, *cells, f"<= {target} s", "-" if ok is None else ("met" if ok else "MISSED")]
        )
    return table


# --- output ------------------------------------------------------------------------------------


def markdown(header: Sequence[str], lines: Sequence[Sequence[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell.replace("|", "/") for cell in line) + " |" for line in lines]
    return "\n".join(out)


def startup() -> str:
    """``python -c pass``, median of 5: how slow this machine is right now."""
    times = [run([sys.executable, "-c", "pass"]).seconds for _ in range(5)]
    return fmt(statistics.median(times))


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} / {five:.1f} (1 / 5 min) on {os.cpu_count()} CPUs"


def main() -> None:
    """Measure every row of the contract and print the two tables as Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 runs; commands at 1k and 10k")
    parser.add_argument("--runs", type=int, default=None, help="runs per side (default 7, 3 quick)")
    parser.add_argument(
        "--only",
        choices=("search", "inproc", "imports", "commands", "web", "catalog"),
        default=None,
    )
    parser.add_argument("--src", type=Path, default=None, help="measure paperlog from this src/")
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 7)
    started = time.perf_counter()
    load_before = load()
    with tempfile.TemporaryDirectory(prefix="paperlog-contract-") as tmp:
        work = Path(tmp)
        env = env_for(work, args.src)
        OTHER_SRC[:] = [args.src] if args.src else []
        probe = subprocess.run(
            paperlog(work, "list", "--help"), capture_output=True, text=True, env=env, check=False
        )
        LIST_ARGS[:] = ["--limit", "40"] if "--limit" in probe.stdout else []
        rows: list[Row] = []
        if args.only in (None, "search"):
            rows += search_rows(work, env, runs, args.quick)
        if args.only in (None, "inproc"):
            rows.append(in_process_row(env))
        if args.only in (None, "imports"):
            rows += import_rows(work, env, max(3, runs // 2))
        commands: list[list[str]] = []
        if args.only in (None, "commands"):
            sizes = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
            commands = command_rows(sizes, env, max(3, runs // 2) if not args.quick else 3)
        # The web app's rows (issue 12) and the catalog's (issue 13), each from its own script.
        sections: list[tuple[str, list[tuple[str, str, str, str]]]] = []
        if args.only in (None, "web"):
            import bench_web

            sections.append(("Web app (`paperlog serve`, loopback)", bench_web.rows(work)))
        if args.only in (None, "catalog"):
            import bench_catalog

            sections.append(("Catalog and recommendations", bench_catalog.rows(work)))
    if rows:
        print(
            markdown(
                ("measure", "paperlog now", "target", "met", "medians [min-max]"),
                [
                    [
                        r.name,
                        r.measured,
                        r.target,
                        "-" if r.ok is None else ("met" if r.ok else "MISSED"),
                        r.detail,
                    ]
                    for r in rows
                ],
            )
        )
        print()
    if commands:
        print("Daily commands, whole process, wall time: median [min-max]")
        print()
        print(markdown(("command", "1k", "10k", "100k", "target at 100k", "met"), commands))
        if LIST_ARGS:
            print(f"\n`list (one screen)` is `paperlog list {' '.join(LIST_ARGS)}`.")
        if any(WATCHED):
            print("\nThe commands ran with `paperlog watch` running on the library.")
        print()
    for title, found in sections:
        print(f"{title}:")
        print()
        print(markdown(("measure", "size", "measured", "target"), [list(r) for r in found]))
        print()
    print(f"python start-up now: {startup()}; ", end="")
    print(f"load average {load_before} at the start, {load()} at the end; ", end="")
    print(f"took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
