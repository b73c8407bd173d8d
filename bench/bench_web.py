"""``make bench`` rows for ``paperlog serve``: the search page and Today under load.

A real ``paperlog serve`` process on 127.0.0.1 over a synthetic 10,000-paper library; 20
client threads each send a bounded number of requests (loopback only, nothing else is
contacted). The server reports its own time per request in a ``Server-Timing`` header, so the
figures are server time, not the load generator's queueing; the p95 over all requests is
reported against the issue's targets (search page with facets <= 50 ms, Today <= 30 ms), with
"met" or "**missed**". Each row also gives the server process's CPU time per request (from
``/proc``: what a busy machine barely changes, unlike the times) and the load average.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

import _synth
from paperlog.library import Library

CLIENTS = 20
PER_CLIENT = 10
COUNT = 10_000
WORDS = ["contrastive", "deep", "robust", "efficient", "adversarial", "temporal", "video", "graph"]
FILTERS = ["venue:CVPR", "status:read", "topic:Uns", "track:depth", "kind:paper", "status:wish"]
# Distinct queries (a word, a filter, or both, with a year), so the server's per-query facet
# cache never answers: every request pays for its search and its facets.
QUERIES = list(
    dict.fromkeys(
        q.replace(" ", "+")
        for i in range(400)
        for q in [
            (
                f"{WORDS[i % len(WORDS)]} year:{2000 + i // 8 % 24}",
                f"{FILTERS[i % len(FILTERS)]} year:{1990 + i // 6 % 34}..",
                f"{WORDS[i % len(WORDS)]} {FILTERS[i // 8 % len(FILTERS)]} year:..{2024 - i // 48}",
            )[i % 3]
        ]
    )
)
ALONE = len(QUERIES) - CLIENTS * PER_CLIENT - CLIENTS
"""One client's requests: the queries neither the warm-up nor the 20 clients asked."""
TARGETS = {"search page": 0.050, "Today page": 0.030}
_TIMING = re.compile(r"app;dur=([0-9.]+)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _cpu(pid: int) -> float:
    """The CPU time (user + system, s) process ``pid`` has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load_now() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


def _verdict(value: float, target: float) -> str:
    return f"<= {target * 1000:.0f} ms: " + ("met" if value <= target else "**missed**")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _load(
    base: str,
    paths: list[str],
    per_client: int = PER_CLIENT,
    start: int = 0,
    clients: int = CLIENTS,
    *,
    waited: list[float] | None = None,
) -> list[float]:
    """Every thread sends its requests one after another; return the server times (s).

    What each client waited (request sent to response read) goes into ``waited`` when given:
    the server time leaves out a request's wait before the app starts on it.
    """
    times: list[float] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            for i in range(per_client):
                sent = time.perf_counter()
                response = http.get(paths[(start + offset * per_client + i) % len(paths)])
                response.raise_for_status()
                took = time.perf_counter() - sent
                match = _TIMING.search(response.headers.get("server-timing", ""))
                if match is None:
                    raise RuntimeError("the server sent no Server-Timing header")
                with lock:
                    times.append(float(match.group(1)) / 1000)
                    if waited is not None:
                        waited.append(took)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def rows(workdir: Path) -> list[tuple[str, str, str, str]]:
    """Search page and Today page p95 at 20 concurrent clients on a 10,000-paper library."""
    lib = Library.create(workdir / "lib", _synth.config())
    lib.save_papers(_synth.papers(COUNT))
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "paperlog",
            "--library",
            str(lib.root),
            "serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    out = []
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(base + "/papers", timeout=60).raise_for_status()  # builds the index
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("paperlog serve did not start") from None
                time.sleep(0.2)
        pages = {
            "search page": [f"/papers?q={q}" for q in QUERIES],  # no query is asked twice
            "Today page": ["/"],
        }
        for name, paths in pages.items():
            _load(base, paths, 1, start=len(paths) - CLIENTS)  # warm-up: every client once
            waited: list[float] = []
            cpu = _cpu(server.pid)
            times = _load(base, paths, waited=waited)
            # the server process's CPU per request: what a busy machine barely changes
            cpu = (_cpu(server.pid) - cpu) / len(times)
            p50 = sorted(times)[len(times) // 2]
            target = TARGETS[name]
            out.append(
                (
                    f"web: {name} p95 ({CLIENTS} clients)",
                    f"{COUNT:,}",
                    f"{_p95(times) * 1000:.1f} ms (p50 {p50 * 1000:.1f} ms; server CPU "
                    f"{cpu * 1000:.1f} ms/request; clients waited p95 {_p95(waited) * 1000:.0f}"
                    f" ms; {_load_now()})",
                    _verdict(_p95(times), target),
                )
            )
            # one client: the server's own cost per request, without queueing behind others;
            # requests not asked before (no cached facets), the slowest kinds among them
            alone = _load(base, paths, ALONE, start=CLIENTS * PER_CLIENT, clients=1)
            out.append(
                (
                    f"web: {name} p95 (1 client)",
                    f"{COUNT:,}",
                    f"{_p95(alone) * 1000:.1f} ms (p50 {sorted(alone)[len(alone) // 2] * 1000:.1f}"
                    f" ms; max {max(alone) * 1000:.1f} ms; {_load_now()})",
                    "-",
                )
            )
        out.append(_first_paint(base))
    finally:
        server.terminate()
        server.wait(10)
    return out


# The paint entry may come after "load": wait for it (buffered), give up after 5 s with -1.
_FCP_JS = """() => new Promise(resolve => {
    new PerformanceObserver(list => {
        const entry = list.getEntriesByName('first-contentful-paint')[0];
        if (entry) resolve(entry.startTime);
    }).observe({type: 'paint', buffered: true});
    setTimeout(() => resolve(-1), 5000);
})"""
PAINT_PAGES = ["/", "/week", "/papers", "/papers?q=contrastive", "/queue", "/review", "/topics"]


def _first_paint(base: str) -> tuple[str, str, str, str]:
    """The slowest first contentful paint over the main pages, in Debian's Chromium."""
    name = "web: first paint, slowest page (Chromium)"
    if not Path("/usr/bin/chromium").is_file():
        return (name, f"{COUNT:,}", "skipped: no /usr/bin/chromium", "<= 200 ms: not measured")
    from playwright.sync_api import sync_playwright

    paints: dict[str, float] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        page = browser.new_page()
        for path in PAINT_PAGES:
            page.goto(base + path)  # once to warm the server's caches of this page
            page.goto(base + path)
            paints[path] = page.evaluate(_FCP_JS)
        browser.close()
    worst = max(paints, key=lambda p: paints[p])
    paint = paints[worst] / 1000 if paints[worst] >= 0 else float("inf")  # -1: never painted
    return (
        name,
        f"{COUNT:,}",
        f"{paints[worst]:.0f} ms ({worst}; {_load_now()})",
        _verdict(paint, 0.2),
    )
