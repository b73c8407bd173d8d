"""The contract's import rows: README and BibTeX imports of 10,000 items, whole process,
against their floors (the scripts below, written to the work folder and run as processes)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import corpora
from timing import Row, Run, fmt, paired, paperlog, progress, ratio_row, run, with_cpu_and_load

CACHE = corpora.CACHE

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


TRASH = "trash"
"""Under the bench's work folder: where the import rows put each run's output aside."""
# ext4 skips inodes freed in the last 60 s (300 s more while their table block is dirty) when
# it picks one for a new file, and walks over each of them to do so (fs/ext4/ialloc.c)


def set_aside(path: Path) -> None:
    """Move ``path`` (a previous run's output) into the work folder's trash, deleted with the
    work folder when the bench ends: not before the next run. On ext4, deleting 10,000 files
    makes every file created in the next minutes pay a scan for recently freed inodes
    (``recently_deleted`` in ``__ext4_new_inode``, seen with ``perf``): 10,000 creations took
    0.2 s or 3.7 s of system time depending on what was deleted just before."""
    if path.exists():
        trash = path.parent / TRASH
        trash.mkdir(exist_ok=True)
        path.rename(trash / f"{path.name}-{time.monotonic_ns()}")


def _fresh_library(path: Path, env: dict[str, str]) -> Path:
    set_aside(path)
    run(paperlog(path, "init", "--no-git"), env)
    return path


def _import_run(lib: Path, env: dict[str, str], kind: str, source: Path) -> Run:
    """``paperlog import KIND SOURCE`` into a fresh library; its lines: the files written."""
    _fresh_library(lib, env)
    took = run(paperlog(lib, "import", kind, str(source)), env)
    took.lines = sum(1 for _ in (lib / "papers").iterdir())
    return took


def readme_floor_rows(
    work: Path, env: dict[str, str], runs: int, readme: Path, pl_readme: Callable[[int], Run]
) -> list[Row]:
    """What the regex floor leaves out (``bench/readme_floors.py``): how much of real READMEs
    its regex reads, markdown-it's block parse alone, and the import against a floor that
    parses the Markdown and writes its files as paperlog does."""
    import readme_floors

    rows = []
    reach = readme_floors.regex_reach(FLOOR_README)
    if reach is None:
        rows.append(Row("regex floor's reach on real READMEs", "skipped: corpus absent", "-", None))
    else:
        zero = sum(1 for _, regex, _ in reach.per_file if regex == 0)
        rows.append(
            Row(
                f"listings of the seed and {reach.files - 1} corpus READMEs the regex floor reads",
                f"{reach.regex:,} of {reach.paperlog:,} ({reach.regex / reach.paperlog:.1%})",
                "-",
                None,
                f"paperlog's parser finds {reach.paperlog:,}; the regex reads none in {zero} of "
                f"{reach.files} files; "
                + ", ".join(f"{name} {regex}/{found}" for name, regex, found in reach.per_file),
            )
        )
    parse = work / "floor_parse.py"
    parse.write_text(readme_floors.FLOOR_PARSE, encoding="utf-8")
    markdown = work / "floor_markdown.py"
    markdown.write_text(readme_floors.FLOOR_MARKDOWN, encoding="utf-8")

    def md_parse(i: int) -> Run:
        return run([sys.executable, str(parse), str(readme)], env)

    def md_floor(i: int) -> Run:
        out = work / "markdown-floor"
        set_aside(out)
        return run([sys.executable, str(markdown), str(readme), str(out)], env)

    a, b = paired(("paperlog", pl_readme), ("Markdown floor", md_floor), runs, same_count=False)
    row = Row(
        "README import / Markdown parse-and-write floor (markdown-it block parse, a regex per "
        "item, files written as the journal does)",
        f"{a.median / b.median:.2f}x",
        "-",
        None,
        f"{a}; {b}",
    )
    progress(f"{row.name}: {row.measured} ({row.detail})")
    rows.append(with_cpu_and_load(row, a, b))
    c, d = paired(("markdown-it parse", md_parse), ("Markdown floor", md_floor), 3, False)
    rows.append(
        with_cpu_and_load(
            Row(
                "floor: markdown-it's block parse of the README alone (paperlog's settings), "
                "process",
                fmt(c.median),
                "-",
                None,
                f"{c}; {d}",
            ),
            c,
            d,
        )
    )
    return rows


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
        return _import_run(work / "readme-lib", env, "readme", readme)

    def fl_readme(i: int) -> Run:
        out = work / "readme-floor"
        set_aside(out)
        return run([sys.executable, str(floor), str(readme), str(out)], env)

    try:
        # paperlog rightly takes an item whose title another one already has for a second
        # reading of that paper, so it writes a few files fewer than the floor
        a, b = paired(("paperlog", pl_readme), ("floor", fl_readme), runs, same_count=False)
        items = f"{b.runs[0].lines:,} items, {a.runs[0].lines:,} files"
        row = ratio_row(f"README import ({items}) / regex-and-write floor", a, b, 2.0)
        rows.append(with_cpu_and_load(row, a, b))
        rows += readme_floor_rows(work, env, runs, readme, pl_readme)
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
        return _import_run(work / "bib-lib", env, "bibtex", bib)

    def fl_bib(i: int) -> Run:
        return run([sys.executable, str(floor_bib), str(bib)], env)

    floor_bib_write = work / "floor_bibtex_write.py"
    floor_bib_write.write_text(FLOOR_BIBTEX_WRITE, encoding="utf-8")

    def fl_bib_write(i: int) -> Run:
        out = work / "bib-floor"
        set_aside(out)
        return run([sys.executable, str(floor_bib_write), str(bib), str(out)], env)

    def pl_bib_dry(i: int) -> Run:
        lib = _fresh_library(work / "bib-dry", env)
        return run(paperlog(lib, "import", "bibtex", "--dry-run", str(bib)), env)

    floor_durable = work / "floor_durable.py"
    floor_durable.write_text(FLOOR_DURABLE, encoding="utf-8")

    def durable(i: int) -> Run:
        out = work / "durable"
        set_aside(out)
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
