"""Mutation fuzzers over every input paperlog reads: ``make fuzz`` (long) and tests/test_fuzz.py.

Each target takes real text (the corpus READMEs and the seed, the corpus BibTeX files, paper
files, config files, recorded API answers), mutates it (lines deleted, duplicated, swapped,
truncated, brackets and tags broken, Unicode, CRLF, tabs, huge numbers, YAML and TOML syntax)
and runs the code that reads it. Every case must end in success or a ``PaperlogError`` whose
message is one line, within a time bound; anything else is a finding, printed with its input.

Usage: ``python tests/fuzz.py [--cases N] [--seed S] [--target NAME]... [--timeout SECONDS]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PAPERLOG_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus"
SEED = SHARED / "seed" / "000_838255085520cd98.txt"

# --- mutations -------------------------------------------------------------------------------

ODD_TEXT = [
    "[",
    "]",
    "[[",
    "]]",
    "(",
    ")",
    "](",
    "<kbd>",
    "</kbd>",
    "<kbd",
    "**",
    "`",
    "\\",
    "\t",
    "\r\n",
    "\x00",
    "\u202e",
    "\ufeff",
    "é",
    "😀",
    "\u0301",
    "### Wk",
    "Wk99999999999999999999",
    "- ",
    "* ",
    "> ",
    "#",
    "---",
    "&a",
    "*a",
    "!!float x",
    "!!python/object:os.system",
    "{",
    "}",
    ": ",
    "- [",
    "[Gml]",
    "javascript:alert(1)",
    "%",
    "$",
    "@",
    "=",
    '"',
    "'",
    "\n",
    "99999999999999999999999",
    "-1",
    "2020-02-30",
    "2020-01-01T00:00:00+25:00",
    "null",
    "[]",
    "{}",
    "~",
    "\\x {{{",
    "@article{",
    "title = {",
    "}}}}",
    "<!-- paperlog:begin -->",
]


def mutate(text: str, rng: random.Random, rounds: int | None = None) -> str:
    """``text`` with one to four random edits at the line or character level."""
    lines = text.split("\n")
    for _ in range(rounds or rng.randint(1, 4)):
        op = rng.randrange(12)
        n = len(lines)
        i = rng.randrange(n) if n else 0
        if op == 0 and n > 1:
            del lines[i]
        elif op == 1 and n:
            lines.insert(i, lines[rng.randrange(n)])
        elif op == 2 and n > 1:
            j = rng.randrange(n)
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3 and n:
            lines = lines[: rng.randrange(n) + 1]
            if lines:
                cut = lines[-1]
                lines[-1] = cut[: rng.randrange(len(cut) + 1)]
        elif op in (4, 5) and n:
            line = lines[i]
            k = rng.randrange(len(line) + 1)
            lines[i] = line[:k] + rng.choice(ODD_TEXT) * rng.choice((1, 1, 2, 50)) + line[k:]
        elif op == 6 and n and lines[i]:
            line = lines[i]
            k = rng.randrange(len(line))
            lines[i] = line[:k] + line[k + 1 :]  # drop one character (a bracket, a quote)
        elif op == 7:
            return "\r\n".join(lines)
        elif op == 8 and n:
            lines[i] = lines[i].replace("    ", "\t").replace("  ", "\t")
        elif op == 9 and n:
            lines[i] = re.sub(r"\d+", lambda _m: str(rng.choice((0, 10**20, -1, 99999))), lines[i])
        elif op == 10 and n:
            lines[i] = "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randint(1, 30)))
        elif op == 11 and n:
            lines[i] = lines[i] * rng.choice((2, 3, 100))
    return "\n".join(lines)


def window(text: str, rng: random.Random, size: int = 60) -> str:
    """A random run of up to ``size`` lines: cheap cases that still hold the file's shapes."""
    lines = text.split("\n")
    if len(lines) <= size:
        return text
    start = rng.randrange(len(lines) - size)
    head = lines[:8] if rng.random() < 0.3 else []
    return "\n".join(head + lines[start : start + rng.randint(5, size)])


# --- outcomes --------------------------------------------------------------------------------


@dataclass
class Finding:
    target: str
    kind: str  # "traceback", "hang", "multi-line error", "unloadable library"
    detail: str
    case: str


@dataclass
class Tally:
    cases: dict[str, int] = field(default_factory=dict)
    ok: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


class Hang(BaseException):
    """Raised by the alarm: a case ran past its time bound (BaseException: not caught as a
    bug by ``except Exception`` in the code under test)."""


def _alarm(_signum: int, _frame: Any) -> None:
    raise Hang


def run_case(
    tally: Tally, target: str, case: str, call: Callable[[], object], timeout: float
) -> None:
    """Run one case; count it, or record what went wrong."""
    from paperlog.errors import PaperlogError

    tally.cases[target] = tally.cases.get(target, 0) + 1
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        call()
    except Hang:
        tally.findings.append(Finding(target, "hang", f"over {timeout:g} s", case))
        return
    except PaperlogError as exc:
        message = str(exc)
        if "\n" in message or "\r" in message or "\x00" in message:
            tally.findings.append(Finding(target, "multi-line error", repr(message), case))
        else:
            tally.refused[target] = tally.refused.get(target, 0) + 1
        return
    except Exception:
        tally.findings.append(Finding(target, "traceback", traceback.format_exc(limit=-4), case))
        return
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    tally.ok[target] = tally.ok.get(target, 0) + 1


# --- inputs ----------------------------------------------------------------------------------


def _texts(folder: Path, pattern: str) -> list[str]:
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.rglob(pattern)):
        if path.is_file():
            out.append(path.read_bytes().decode("utf-8", "replace"))
    return out


def readme_inputs() -> list[str]:
    """The seed and every corpus README."""
    texts = [SEED.read_text(encoding="utf-8")] if SEED.is_file() else []
    return texts + _texts(CORPUS / "readmes", "*.md")


def bibtex_inputs() -> list[str]:
    return _texts(CORPUS / "bibtex", "*.bib")


PAPER_FILE = """---
title: 'SimCLR: A Simple Framework for Contrastive Learning'
nickname: SimCLR
status: read
authors:
- Ting Chen
- given: Geoffrey
  family: Hinton
year: 2020
venue: ICML
ids:
  arxiv: 2002.05709
url: https://arxiv.org/abs/2002.05709
links:
- label: Notes
  url: https://example.org/notes
topics:
- Uns
readings:
- week: 3
  week_start: 2020-07-06
  group: Depth
  date: 2020-07-08
  order: 2
added: 2020-07-01
takeaways:
- contrastive views
- kept: {a: 1}
review:
  due: 2020-07-12
  stability: 2.5
---
Notes with [links](https://x.example) and `code`.
"""

CONFIG_FILE = """title = "WTF is Deep Learning"
intro = "My notes"

[plan]
papers_per_week = 6
reading_days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
review_day = "Sun"
start = 2020-06-15

[[plan.tracks]]
name = "Breadth"
share = 0.5

[[plan.tracks]]
name = "Depth"
share = 0.5

[[topics]]
code = "Uns"
name = "Unsupervised"

[readme]
contents_heading = "Contents"
"""

WEEKS_FILE = """- week: 3
  start: 2020-07-06
  note: reduced reading
  groups:
  - Breadth
  - Depth
- week: 2
  start: 2020-06-29
"""

RESOURCES_FILE = """- section: Meta-Learning
  intro: Learning how to learn.
  groups:
  - name: Papers
    items:
    - title: How to Read a Paper
      star: true
      links:
      - label: pdf
        url: /meta/how_to_read_a_paper.pdf
"""

QUERIES = [
    "contrastive",
    "venue:CVPR year:2019..2020 topic:Uns",
    'title:"simple framework" -gan',
    "author:hinton OR author:lecun",
    "status:read week:3 track:Depth",
    "(a OR b) AND NOT c",
    "year:>2015 added:2020-01-01..",
]


def api_inputs() -> list[str]:
    """Recorded API answers (JSON, XML, text) from ``corpus/api``, cassettes decoded."""
    bodies: list[str] = []
    root = CORPUS / "api"
    if not root.is_dir():
        return bodies
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        if path.suffix in (".json", ".txt", ".xml", ".html"):
            text = path.read_bytes().decode("utf-8", "replace")
            try:  # arXiv recordings wrap the body in JSON
                data = json.loads(text)
                if isinstance(data, dict) and isinstance(data.get("body"), str):
                    text = data["body"]
            except ValueError:
                pass
            bodies.append(text)
        elif path.suffix == ".yaml":
            from replay import cassette

            try:
                parts = path.relative_to(root).parts
                bodies += [i.body.decode("utf-8", "replace") for i in cassette(*parts)]
            except Exception:  # a cassette this decoder does not read: its bodies are skipped
                continue
    return [b for b in bodies if b.strip()]


# --- targets ---------------------------------------------------------------------------------


class Targets:
    """Each target: a name and a function running one mutated case."""

    def __init__(self, rng: random.Random, workdir: Path, timeout: float) -> None:
        self.rng = rng
        self.workdir = workdir
        self.timeout = timeout
        self.readmes = readme_inputs()
        self.bibs = bibtex_inputs()
        self._apis: list[str] | None = None
        self._server: _AnswerServer | None = None
        self._library_count = 0

    def names(self) -> list[str]:
        names = ["paperfile", "config", "weeks", "resources", "query"]
        if self.readmes:
            names.insert(0, "readme")
        if self.bibs:
            names.insert(1, "bibtex")
        if (CORPUS / "api").is_dir():
            names.append("http")
        return names

    def _fresh_library(self) -> Any:
        from paperlog.library import Library
        from paperlog.model import Config, Topic

        self._library_count += 1
        root = self.workdir / f"lib{self._library_count}"
        return Library.create(root, Config(topics=[Topic("Uns", "Unsupervised", None)]))

    def _check_loadable(self, library: Any, tally: Tally, target: str, case: str) -> None:
        """After an import: the library still loads, each later command's reads work."""
        from paperlog.index import all_papers
        from paperlog.library import Library

        try:
            lib = Library.open(library.root)
            lib.load_papers()
            lib.load_weeks()
            lib.load_resources()
            all_papers(lib)
        except Exception as exc:
            tally.findings.append(
                Finding(target, "unloadable library", f"{type(exc).__name__}: {exc}", case)
            )

    def case(self, name: str, tally: Tally) -> None:
        getattr(self, f"_{name}")(tally)

    def _readme(self, tally: Tally) -> None:
        from paperlog.formats.readme_import import parse_readme
        from paperlog.services.import_readme import import_readme

        text = mutate(window(self.rng.choice(self.readmes), self.rng), self.rng)
        if self.rng.random() < 0.1:  # a whole import now and then: the library must still load
            library = self._fresh_library()
            path = self.workdir / "README.md"
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
            run_case(tally, "readme", text, lambda: import_readme(library, path), self.timeout)
            self._check_loadable(library, tally, "readme", text)
        else:
            run_case(tally, "readme", text, lambda: parse_readme(text), self.timeout)

    def _bibtex(self, tally: Tally) -> None:
        from paperlog.services.import_bibtex import import_bibtex

        text = mutate(window(self.rng.choice(self.bibs), self.rng, 80), self.rng)
        library = self._fresh_library()
        path = self.workdir / "refs.bib"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        run_case(tally, "bibtex", text, lambda: import_bibtex(library, path), self.timeout)
        self._check_loadable(library, tally, "bibtex", text)

    def _paperfile(self, tally: Tally) -> None:
        from paperlog.paperfile import paper_from_text, paper_to_text

        text = mutate(PAPER_FILE, self.rng)

        def load_and_save() -> None:
            paper = paper_from_text("simclr", text, "papers/simclr.md")
            # what a command writes back must load again, unmangled
            again = paper_from_text("simclr", paper_to_text(paper), "papers/simclr.md")
            if paper_to_text(again) != paper_to_text(paper):
                raise AssertionError("a write changed what the file says")

        run_case(tally, "paperfile", text, load_and_save, self.timeout)

    def _config(self, tally: Tally) -> None:
        from paperlog.library import config_from_toml, config_to_toml

        text = mutate(CONFIG_FILE, self.rng)
        run_case(
            tally,
            "config",
            text,
            lambda: config_from_toml(config_to_toml(config_from_toml(text, "paperlog.toml")), "x"),
            self.timeout,
        )

    def _weeks(self, tally: Tally) -> None:
        from paperlog.library import weeks_from_yaml, weeks_to_yaml

        text = mutate(WEEKS_FILE, self.rng)
        run_case(
            tally,
            "weeks",
            text,
            lambda: weeks_from_yaml(weeks_to_yaml(weeks_from_yaml(text, "weeks.yaml")), "x"),
            self.timeout,
        )

    def _resources(self, tally: Tally) -> None:
        from paperlog.library import resources_from_yaml, resources_to_yaml

        text = mutate(RESOURCES_FILE, self.rng)
        run_case(
            tally,
            "resources",
            text,
            lambda: resources_from_yaml(
                resources_to_yaml(resources_from_yaml(text, "resources.yaml")), "x"
            ),
            self.timeout,
        )

    def _query(self, tally: Tally) -> None:
        from paperlog.query import parse_query

        text = mutate(self.rng.choice(QUERIES), self.rng, 1)
        run_case(tally, "query", text, lambda: parse_query(text), self.timeout)

    def _http(self, tally: Tally) -> None:
        from paperlog.ids import Identifier
        from paperlog.model import Config
        from paperlog.resolve.http import HttpClient
        from paperlog.resolve.sources import ENV_VARS, make_sources

        if self._apis is None:
            self._apis = api_inputs()
            self._server = _AnswerServer()
        assert self._server is not None
        body = self.rng.choice(self._apis)
        body = window(body, self.rng, 400) if self.rng.random() < 0.5 else body
        body = mutate(body, self.rng)
        if self.rng.random() < 0.05:
            body = self.rng.choice(["{}", "[]", "null", "", "[" * 200_000, '{"a":' * 5000])
        self._server.body = body.encode("utf-8", "surrogatepass")
        environ = {var: self._server.url(f"/{name}") for name, var in ENV_VARS.items()}
        client = HttpClient(
            cache_dir=None, user_agent="paperlog/fuzz", timeout=5.0, retries=0, deadline=10.0
        )
        sources = make_sources(Config(), environ, client)
        source = self.rng.choice(sources)
        ident = self.rng.choice(
            [Identifier("arxiv", "2002.05709"), Identifier("doi", "10.1145/3065386")]
        )

        def ask() -> None:
            with client:
                if self.rng.random() < 0.5:
                    source.lookup(ident)
                else:
                    source.search("A Simple Framework for Contrastive Learning")

        run_case(tally, "http", body[:2000], ask, self.timeout)


class _AnswerServer:
    """A real HTTP server on 127.0.0.1 answering every GET with ``body`` (status 200)."""

    def __init__(self) -> None:
        self.body = b""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(owner.body)))
                    self.end_headers()
                    self.wfile.write(owner.body)
                except OSError:
                    pass  # the client gave up on the answer (refused it): nothing to say

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, prefix: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{prefix}"


# --- running ---------------------------------------------------------------------------------


def fuzz(
    cases: int,
    seed: int = 0,
    targets: list[str] | None = None,
    timeout: float = 10.0,
    progress: Callable[[str], None] | None = None,
) -> Tally:
    """Run ``cases`` cases spread over the targets, round robin; the tally of outcomes."""
    signal.signal(signal.SIGALRM, _alarm)
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="paperlog-fuzz-") as tmp:
        runner = Targets(random.Random(seed), Path(tmp), timeout)
        names = [n for n in runner.names() if not targets or n in targets]
        started = time.monotonic()
        for number in range(cases):
            runner.case(names[number % len(names)], tally)
            if progress is not None and number and number % 1000 == 0:
                progress(
                    f"{number} cases, {len(tally.findings)} findings, "
                    f"{time.monotonic() - started:.0f} s"
                )
    return tally


def _cases_of(tally: Tally) -> Iterator[str]:
    for name in sorted(tally.cases):
        yield (
            f"{name:10} {tally.cases[name]:7} cases  {tally.ok.get(name, 0):7} read  "
            f"{tally.refused.get(name, 0):7} refused (one-line error)  "
            f"{sum(1 for f in tally.findings if f.target == name):5} findings"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", action="append")
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    tally = fuzz(
        args.cases, args.seed, args.target, args.timeout, lambda line: print(line, flush=True)
    )
    for line in _cases_of(tally):
        print(line)
    kinds: dict[str, int] = {}
    for finding in tally.findings:
        kinds[finding.kind] = kinds.get(finding.kind, 0) + 1
    print(f"total      {sum(tally.cases.values()):7} cases; findings: {kinds or 'none'}")
    for finding in tally.findings[:20]:
        print(
            f"--- {finding.target}: {finding.kind}\n{finding.detail}\ninput: {finding.case[:600]!r}"
        )
    return 1 if tally.findings else 0


if __name__ == "__main__":
    sys.exit(main())
