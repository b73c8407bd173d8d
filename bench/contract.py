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
from pathlib import Path

import corpora
from contract_imports import import_rows
from timing import (
    OTHER_SRC,
    Row,
    Run,
    Side,
    fmt,
    paired,
    paperlog,
    progress,
    ratio_row,
    run,
)

CACHE = corpora.CACHE
PAPIS_VENV = CACHE / "papis-venv"
PUBS_VENV = CACHE / "pubs-venv"
WORD = "transformers"
"""The keyword: in about one title in twelve. ("contrastive" would not do: the porter stemmer
makes it "contrast", so paperlog and the floor also find "Momentum Contrast", which pubs'
substring match and papis' whoosh do not; the hit counts must agree.)"""
MiB = 1024 * 1024


# --- running and timing ----------------------------------------------------------------------


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

# --- the rows ----------------------------------------------------------------------------------


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
