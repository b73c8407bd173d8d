"""BibTeX and CSL-JSON at scale, and the same .bib file imported by pubs and papis.

``rows(workdir)`` is picked up by ``bench/bench.py``; run this file alone for just these rows::

    .venv/bin/python bench/bench_bibtex.py            # measure
    .venv/bin/python bench/bench_bibtex.py --setup    # first make the throwaway venvs for
                                                      # pubs and papis under /tmp

The 10,000-entry file is made from the real bibliographies in ``../shared/corpus/bibtex``:
their entries repeated with unique keys, and arXiv IDs and DOIs renumbered so that no two
entries are the same paper (else the import would rightly skip them).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("PAPERLOG_SHARED", REPO.parent / "shared")) / "corpus" / "bibtex"
PAPIS_VENV = Path("/tmp/bibcmp-venv")
PUBS_VENV = Path("/tmp/bibcmp-pubs")  # pubs needs bibtexparser 1.x, papis 2.x: two venvs
SIDE_BY_SIDE = (("terryum_top100papers.bib", True), ("cmlbib_nips2020.bib", False))
COUNT = 10_000

Row = tuple[str, str, str, str]

_BLOCK = re.compile(r"^@(\w+)\s*\{\s*([^,\s]*)\s*,", re.MULTILINE)
_ARXIV = re.compile(r"\b\d{4}\.\d{4,5}(v\d+)?\b")
_DOI = re.compile(r"\b10\.\d{4,9}/[^\s}\",]+")


def synth_bib(count: int = COUNT) -> str:
    """``count`` entries cut from the real files, each one a distinct paper."""
    blocks: list[str] = []
    for path in sorted(CORPUS.glob("*.bib")):
        text = path.read_text(encoding="utf-8")
        starts = [
            m for m in _BLOCK.finditer(text) if m.group(1).lower() not in ("comment", "string")
        ]
        for here, nxt in zip(starts, [*starts[1:], None], strict=True):
            end = nxt.start() if nxt else len(text)
            block = text[here.start() : end].rstrip() + "\n"
            if block.count("{") == block.count("}"):  # the one unclosed real entry stays out
                blocks.append(block)
    if not blocks:
        raise SystemExit(f"no .bib files in {CORPUS}")
    out = []
    for n in range(count):
        suffix = f"x{n}"
        arxiv = f"{2001 + n // 99_999 % 12:04d}.{n % 99_999 + 1:05d}"
        doi = f"10.5555/bench.{n}"

        def rekey(m: re.Match[str], suffix: str = suffix) -> str:
            return f"@{m.group(1)}{{{m.group(2)}{suffix},"

        block = _BLOCK.sub(rekey, blocks[n % len(blocks)], count=1)
        block = _DOI.sub(doi, _ARXIV.sub(arxiv, block))  # in doi fields and in links
        out.append(block)
    return "\n".join(out)


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _timed(argv: list[str], env: dict[str, str] | None = None, timeout: int = 900) -> str:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, env=env, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return f"> {timeout} s (stopped)"
    took = time.perf_counter() - start
    if done.returncode != 0:
        return f"failed ({(done.stderr.strip().splitlines() or ['?'])[-1][:60]})"
    return _fmt(took)


T = TypeVar("T")


def _best_of(runs: int, func: Callable[[], T]) -> tuple[float, T]:
    """The fastest of ``runs`` timings (the least disturbed by other load) and a result."""
    best = float("inf")
    result: T | None = None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def paperlog_rows(workdir: Path) -> list[Row]:
    """Import and export of the synthetic 10,000-entry file, in process."""
    from paperlog.formats.bibtex import export_bibtex
    from paperlog.formats.csljson import export_csljson
    from paperlog.library import Library
    from paperlog.services.import_bibtex import import_bibtex

    bib = workdir / "bench10k.bib"
    bib.write_text(synth_bib(), encoding="utf-8")
    size = f"{COUNT:,} entries"
    lib = Library.create(workdir / "bib-lib")
    parse, dry = _best_of(3, lambda: import_bibtex(lib, bib, dry_run=True))
    start = time.perf_counter()
    report = import_bibtex(lib, bib)  # once: a second run would find every entry there
    whole = time.perf_counter() - start
    papers = lib.load_papers()
    export, text = _best_of(3, lambda: export_bibtex(papers))
    csl, _items = _best_of(3, lambda: export_csljson(papers))
    assert len(report.imported) == len(dry.imported) == COUNT, len(report.imported)
    assert text.count("\n@") + 1 == COUNT
    return [
        ("BibTeX import, parse + convert (dry run, best of 3)", size, _fmt(parse), "< 3 s"),
        ("BibTeX import, 10,000 paper files written", size, _fmt(whole), "< 3 s"),
        ("BibTeX export (export_bibtex, best of 3)", size, _fmt(export), "< 1 s"),
        ("CSL-JSON export (export_csljson, best of 3)", size, _fmt(csl), "-"),
    ]


def side_by_side_rows(workdir: Path) -> list[Row]:
    """The same real files imported by paperlog, pubs and papis, each a fresh process into a
    fresh library. papis only gets the small file: it takes minutes on the large one. (The
    ICML file is not used: pubs tries to download every entry's ``pdf`` link.)"""
    rows: list[Row] = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLOG_")}
    pubs = PUBS_VENV / "bin" / "pubs"
    papis = PAPIS_VENV / "bin" / "papis"
    for name, with_papis in SIDE_BY_SIDE:
        source = CORPUS / name
        if not source.is_file():
            rows.append(("import side by side", name, f"skipped: {source} absent", "-"))
            continue
        size = f"{name} ({len(_BLOCK.findall(source.read_text(encoding='utf-8')))} @-blocks)"
        work = workdir / source.stem
        lib = work / "paperlog"
        init = [sys.executable, "-m", "paperlog", "--library", str(lib), "init", "--no-git"]
        subprocess.run(init, capture_output=True, check=True, env=env)
        argv = [sys.executable, "-m", "paperlog", "--library", str(lib), "import", "bibtex"]
        rows.append(
            ("paperlog import bibtex (process)", size, _timed([*argv, str(source)], env), "-")
        )
        if pubs.exists():
            conf = work / "pubsrc"
            repo = work / "pubs-repo"
            init = [str(pubs), "-c", str(conf), "init", "-p", str(repo)]
            subprocess.run(init, capture_output=True, check=True)
            measured = _timed([str(pubs), "-c", str(conf), "import", str(source)])
            rows.append(("pubs 0.9.0 import (process)", size, measured, "-"))
        else:
            rows.append(("pubs import", size, "not installed (run with --setup)", "-"))
        if not with_papis:
            continue
        if papis.exists():
            home = work / "papis"
            (home / "cfg" / "papis").mkdir(parents=True, exist_ok=True)
            (home / "cfg" / "papis" / "config").write_text(
                f"[settings]\ndefault-library = bench\n\n[bench]\ndir = {home / 'lib'}\n",
                encoding="utf-8",
            )
            (home / "lib").mkdir(exist_ok=True)
            papis_env = {
                **os.environ,
                "XDG_CONFIG_HOME": str(home / "cfg"),
                "XDG_CACHE_HOME": str(home / "cache"),
            }
            argv = [str(papis), "bibtex", "--noar", "read", str(source), "import", "--all"]
            measured = _timed(argv, papis_env)
            rows.append(("papis 0.16.1 bibtex import (process)", size, measured, "-"))
        else:
            rows.append(("papis bibtex import", size, "not installed (run with --setup)", "-"))
    return rows


def rows(workdir: Path) -> list[Row]:
    """Every row of this benchmark (bench/bench.py calls this)."""
    if not CORPUS.is_dir():
        return [("BibTeX benchmarks", "-", f"skipped: {CORPUS} absent", "-")]
    return [*paperlog_rows(workdir), *side_by_side_rows(workdir)]


def setup_others() -> None:
    """Make the throwaway venvs for pubs and papis (never touching .venv)."""
    for venv, packages in (
        (PUBS_VENV, ["pubs", "bibtexparser<2", "pyparsing"]),
        (PAPIS_VENV, ["papis"]),
    ):
        if not venv.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *packages], check=True)


def main() -> None:
    import tempfile

    if "--setup" in sys.argv:
        setup_others()
    with tempfile.TemporaryDirectory(prefix="paperlog-bench-bib-") as tmp:
        table = rows(Path(tmp))
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    shutil.rmtree(Path(tempfile.gettempdir()) / "paperlog-bench-bib", ignore_errors=True)


if __name__ == "__main__":
    main()
