"""The README import's floors beside the contract's regex-and-write floor (``contract.py``).

The contract compares ``paperlog import readme`` with a script that matches one regex per line
and writes a file per match. Two measures say what that floor leaves out:

- ``FLOOR_MARKDOWN``: the same items read as paperlog reads them, through markdown-it's block
  parse with paperlog's settings (CommonMark with HTML blocks, tables and strikethrough; no
  inline pass), one regex over each list item's text, and the files written as paperlog's
  journal writes a batch, all or nothing: temp files, one ``syncfs(2)``, renames into place,
  an fsync of the folder. ``FLOOR_PARSE`` is that parse alone.
- ``regex_reach``: how many of the listings paperlog imports from real READMEs (the seed and
  ``../shared/corpus/readmes``) the regex floor reads at all.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "000_838255085520cd98.txt"
READMES = SHARED / "corpus" / "readmes"

FLOOR_PARSE = r'''
"""markdown-it's block parse of a README with paperlog's settings, alone."""
import sys
from markdown_it import MarkdownIt
md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
md.disable(["inline", "text_join", "reference"])
tokens = md.parse(open(sys.argv[1], encoding="utf-8").read())
print("\n" * sum(1 for t in tokens if t.type == "list_item_open"), end="")
'''

FLOOR_MARKDOWN = r'''
"""The README import's Markdown floor: markdown-it's block parse as paperlog configures it, one
regex over each list item's text, one file per item written as paperlog's journal makes a
batch durable and atomic: temp files, one syncfs(2) (an fsync per file where there is none),
renames into place, an fsync of the folder."""
import ctypes, os, re, sys
from markdown_it import MarkdownIt
ITEM = re.compile(r"\[(?:([^:\]]+): )?([^\]]+)\]\(([^)]+)\) \[\[Notes\]\(([^)]+)\)\] <kbd>([^<]*)</kbd>")
WEEK = re.compile(r"Wk(\d+) - (\d{4})\.(\d\d)\.(\d\d)")
SLUG = re.compile(r"[^a-z0-9]+")
md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
md.disable(["inline", "text_join", "reference"])
tokens = md.parse(open(sys.argv[1], encoding="utf-8").read())
out = sys.argv[2]
tmp = os.path.join(out, ".tmp")
os.makedirs(tmp)
week = start = group = None
order = 0
seen = set()
staged = []
in_item = False
for i, tok in enumerate(tokens):
    if tok.type == "heading_open":
        w = WEEK.match(tokens[i + 1].content)
        if w:
            week, start, order = w.group(1), "-".join(w.group(2, 3, 4)), 0
    elif tok.type in ("list_item_open", "list_item_close"):
        in_item = tok.type == "list_item_open"
    elif tok.type == "inline":
        m = ITEM.match(tok.content) if in_item else None
        if m is None:
            if week is not None and not in_item:
                group = tok.content.strip()
            continue
        nick, title, url, notes, label = m.groups()
        key = "-".join(SLUG.sub(" ", title.lower()).split())[:80]
        if key in seen:
            key += f"-{len(seen)}"
        seen.add(key)
        data = (f"---\ntitle: {title}\n" + (f"nickname: {nick}\n" if nick else "")
                + f"status: read\nvenue_label: {label}\nurl: {url}\nlinks:\n- label: Notes\n"
                f"  url: {notes}\nreadings:\n- week: {week}\n  week_start: {start}\n"
                f"  group: {group}\n  order: {order}\n---\n").encode("utf-8")
        order += 1
        temp = os.path.join(tmp, f".{key}.md.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, data)
        os.close(fd)
        staged.append((temp, os.path.join(out, key + ".md")))
dfd = os.open(out, os.O_RDONLY)
syncfs = getattr(ctypes.CDLL(None), "syncfs", None) if sys.platform.startswith("linux") else None
if syncfs is None or syncfs(dfd) != 0:
    for temp, _ in staged:
        fd = os.open(temp, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
for temp, target in staged:
    os.rename(temp, target)
os.fsync(dfd)
os.close(dfd)
print("\n" * len(seen), end="")
'''


@dataclass
class Reach:
    """Listings the regex floor reads, of those paperlog imports, in real READMEs."""

    files: int
    regex: int
    paperlog: int
    per_file: list[tuple[str, int, int]]


def item_regex(floor_script: str) -> re.Pattern[str]:
    """The ``ITEM`` pattern of a floor script (the contract's), compiled as the script does."""
    m = re.search(r'^ITEM = re\.compile\(r"(.*)"\)$', floor_script, re.MULTILINE)
    if m is None:
        raise ValueError("the floor script has no ITEM pattern")
    return re.compile(m.group(1))


def regex_reach(floor_script: str) -> Reach | None:
    """Count, in the seed and each corpus README, the lines the floor's regex takes for items
    and the listings paperlog's parser finds; None without the shared corpus."""
    sys.path.insert(0, str(ROOT / "src"))
    from paperlog.formats.readme_import import parse_readme

    files = [SEED] if SEED.is_file() else []
    if READMES.is_dir():
        files += sorted(p for d in READMES.iterdir() for p in d.glob("*.md"))
    if not files:
        return None
    item = item_regex(floor_script)
    per_file = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        regex = sum(1 for line in text.splitlines() if item.match(line))
        parsed, _warnings = parse_readme(text)
        name = "seed" if path == SEED else f"{path.parent.name}/{path.name}"
        per_file.append((name, regex, len(parsed.found)))
    return Reach(
        len(files),
        sum(r for _, r, _ in per_file),
        sum(p for _, _, p in per_file),
        per_file,
    )
