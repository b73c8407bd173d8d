"""Read a README into blocks (markdown-it) and read one entry's text into its parts.

markdown-it gives the block structure with source line numbers (headings, paragraphs, list
items at their nesting depth, HTML blocks). The entry grammar is then read from the text of a
single inline token by a small scanner, because link text may hold escaped brackets and a
hand-kept list holds near-misses (``[[Notes](url))``) that a strict parser would drop.

Entry syntax written by the renderer and read here::

    [display title](url) [[label](url)]... <kbd>venue label</kbd>

Inside the link text, ``[``, ``]`` and a backslash that precedes them (or ends the text) are
escaped with a backslash; every other character is kept as written, Markdown included.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from paperlog.model import Link

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

# --- blocks --------------------------------------------------------------------------------


@dataclass
class Block:
    """One block of the document: a heading, a paragraph, a list item, an HTML block."""

    kind: str
    """"heading", "para", "item", "html", "other"."""
    line: int
    """1-based first source line."""
    end: int
    """1-based last source line."""
    text: str = ""
    """The inline content (a heading's text, a paragraph's or an item's first paragraph)."""
    level: int = 0
    """Heading level (1-6) or list nesting depth (0 = top) for items and their paragraphs."""
    raw: list[str] = field(default_factory=list)
    """The source lines of the block, as written."""
    has_children: bool = False
    """For an item: it holds a nested list."""


@functools.cache
def _block_parser(references: bool = True) -> MarkdownIt:
    """The block-level parser, built once (per ``references`` setting).

    Only block tokens and the raw ``content`` of inline tokens are read here (the entry
    grammar is scanned from that text by ``parse_entry``), so the core ``inline`` pass, which
    tokenizes every paragraph's links and emphasis and normalises URLs, is switched off: it
    was three quarters of the parse time of a 10,000-entry README and its output was unused.
    Block tokens, their line maps and contents are the same with or without it.

    Without ``references`` the link reference definition rule is off too: it is tried on
    every paragraph that starts with "[" (every entry), and can only match where a "]" is
    followed by ":", so a document without "]:" loses nothing.
    """
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.disable(["inline", "text_join"])
    return md if references else md.disable("reference")


def parse_blocks(text: str) -> list[Block]:
    """The document as a flat list of blocks in source order."""
    tokens = _block_parser("]:" in text).parse(text)
    lines = text.split("\n")
    blocks: list[Block] = []
    depth = -1
    open_items: list[Block] = []
    item_needs_text: list[bool] = []

    def make(kind: str, mapping: list[int] | None, content: str = "", level: int = 0) -> Block:
        start, end = (mapping[0], mapping[1]) if mapping else (0, 0)
        return Block(kind, start + 1, max(end, start + 1), content, level, lines[start:end])

    for idx, tok in enumerate(tokens):
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            if open_items:
                open_items[-1].has_children = True
            depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif tok.type == "list_item_open":
            item = make("item", tok.map, level=depth)
            blocks.append(item)
            open_items.append(item)
            item_needs_text.append(True)
        elif tok.type == "list_item_close":
            open_items.pop()
            item_needs_text.pop()
        elif tok.type == "heading_open":
            inline = tokens[idx + 1]
            blocks.append(make("heading", tok.map, inline.content, int(tok.tag[1:])))
        elif tok.type == "paragraph_open":
            inline = tokens[idx + 1]
            if open_items and item_needs_text[-1]:
                open_items[-1].text = inline.content
                item_needs_text[-1] = False
            else:
                blocks.append(make("para", tok.map, inline.content, max(depth, 0)))
            if open_items:
                item_needs_text[-1] = False
        elif tok.type == "html_block":
            blocks.append(make("html", tok.map, tok.content))
        elif tok.type in ("fence", "code_block", "table_open", "hr", "blockquote_open"):
            blocks.append(make("other", tok.map, tok.content))
    if "]:" in text:
        # markdown-it keeps link reference definitions ("[1]: https://...") out of its
        # tokens: they are text too, kept where they stand
        blocks += _uncovered(tokens, lines)
        blocks.sort(key=lambda b: b.line)
    return blocks


def _uncovered(tokens: list[Token], lines: list[str]) -> list[Block]:
    """Runs of non-blank source lines no top-level token covers, as "other" blocks."""
    covered = [False] * len(lines)
    for tok in tokens:
        if tok.level == 0 and tok.map:
            for n in range(tok.map[0], min(tok.map[1], len(lines))):
                covered[n] = True
    out: list[Block] = []
    start: int | None = None
    for n, line in enumerate([*lines, ""]):
        free = n < len(lines) and not covered[n] and bool(line.strip())
        if free and start is None:
            start = n
        elif not free and start is not None:
            out.append(Block("other", start + 1, n, "\n".join(lines[start:n]), 0, lines[start:n]))
            start = None
    return out


# --- escaping link text ----------------------------------------------------------------------

_NEEDS_ESCAPE = "[]\\<>"


_ESCAPE_ANY = re.compile(r"[\[\]<>\\]")


def escape_link_text(text: str) -> str:
    """Escape ``[`` and ``]`` (and a backslash before them or at the end) for link text."""
    if not _ESCAPE_ANY.search(text):
        return text  # most titles: nothing to escape, no walk over their characters
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch in "[]<>":  # "<" too: a title is never read as HTML (<script>, <img onerror>)
            out.append("\\" + ch)
        elif ch == "\\":
            nxt = text[i + 1] if i + 1 < len(text) else ""
            out.append("\\\\" if nxt in _NEEDS_ESCAPE else "\\")
        else:
            out.append(ch)
    return "".join(out)


_ESCAPED = re.compile(r"\\([\[\]\\<>])")


def unescape_link_text(text: str) -> str:
    """Undo ``escape_link_text``: ``\\[``, ``\\]`` and ``\\\\`` lose their backslash."""
    # left to right, an escape and the character it escapes consumed together
    return _ESCAPED.sub(r"\1", text) if "\\" in text else text


_URL_SPECIAL = re.compile(r"[ ()<>]")


def format_url(url: str) -> str:
    """A link destination as Markdown needs it: ``<...>`` when it holds spaces or parentheses
    that do not balance."""
    if not _URL_SPECIAL.search(url):
        return url  # most links: no space, bracket or parenthesis to check
    depth = 0
    balanced = True
    for ch in url:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            balanced = False
    if depth != 0:
        balanced = False
    if " " in url or not balanced or "<" in url or ">" in url:
        return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return url


_UNSAFE_SCHEME = re.compile(r"(?:javascript|vbscript|data):", re.IGNORECASE)
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")


def is_unsafe_url(url: str) -> bool:
    """A ``javascript:``, ``vbscript:`` or ``data:`` URL (as a browser reads it: control
    characters and spaces inside the scheme ignored), which a README never links."""
    return bool(_UNSAFE_SCHEME.match(_IGNORED_IN_SCHEME.sub("", url)))


def format_link(text: str, url: str) -> str:
    """``[text](url)`` with the text escaped; an unsafe URL is left out (the text kept)."""
    return f"[{escape_link_text(text)}]({'' if is_unsafe_url(url) else format_url(url)})"


# --- scanning links --------------------------------------------------------------------------


@dataclass
class LinkScan:
    """A link found at a position: its raw text, destination and where it ends."""

    text: str
    url: str
    end: int


_BRACKET_STOP = re.compile(r"[\\\[\]]")
_DEST_STOP = re.compile(r"[\\() ]")


@functools.lru_cache(maxsize=8)
def _bracket_matches(s: str) -> dict[int, int]:
    """For every ``[`` in ``s``, the index of the ``]`` that closes it, in one pass.

    ``parse_tail`` asks for the match of each ``[`` in turn; scanning forward from each one
    made a line of 8,000 unmatched ``[`` quadratic (tens of seconds). An escaped ``[`` (one a
    backslash precedes) is matched too, as a scan that starts on it would: what follows it
    is escaped the same way however the scan began, so one left-to-right pass answers all.
    A bracket whose level never closes is absent (no match).
    """
    matches: dict[int, int] = {}
    pending: list[tuple[int, int]] = []  # (position, level there); levels never decrease up it
    level = 0
    j = 0
    while True:
        found = _BRACKET_STOP.search(s, j)
        if found is None:
            return matches
        j = found.start()
        ch = s[j]
        if ch == "\\":
            if s.startswith("[", j + 1):
                pending.append((j + 1, level))  # escaped: matched as if a scan began there
            j += 2
            continue
        if ch == "[":
            level += 1
            pending.append((j, level))
        else:
            level -= 1
            while pending and pending[-1][1] > level:
                matches[pending.pop()[0]] = j
        j += 1


def find_bracket_end(s: str, i: int) -> int:
    """Index of the ``]`` matching the ``[`` at ``i`` (escapes and nesting honoured), or -1."""
    if s.startswith("[", i):
        return _bracket_matches(s).get(i, -1)
    depth = 0
    j = i
    while True:
        found = _BRACKET_STOP.search(s, j)  # jump to the next character that matters
        if found is None:
            return -1
        j = found.start()
        ch = s[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "[":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return j
        j += 1


def scan_destination(s: str, i: int) -> tuple[str, int] | None:
    """Read ``(url)`` at ``i``: the url and the index after ``)``; None when there is none."""
    if i >= len(s) or s[i] != "(":
        return None
    j = i + 1
    if j < len(s) and s[j] == "<":
        close = s.find(">", j)
        if close == -1 or close + 1 >= len(s) or s[close + 1] != ")":
            return None
        return s[j + 1 : close], close + 2
    depth = 0
    start = j
    while True:
        found = _DEST_STOP.search(s, j)  # jump to the next character that matters
        if found is None:
            return None
        j = found.start()
        ch = s[j]
        if ch == "\\":
            j += 2 if j + 1 < len(s) else 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return s[start:j].strip(), j + 1
            depth -= 1
        elif ch == " " and depth == 0:
            # a title after the url ("url 'title'") is not used by these lists: stop at ")"
            close = s.find(")", j)
            if close == -1:
                return None
            return s[start:j], close + 1
        j += 1


def scan_link(s: str, i: int) -> LinkScan | None:
    """Read ``[text](url)`` at ``i``; None when ``s[i:]`` does not start with a link."""
    if i >= len(s) or s[i] != "[":
        return None
    close = find_bracket_end(s, i)
    if close == -1:
        return None
    dest = scan_destination(s, close + 1)
    if dest is None:
        return None
    return LinkScan(s[i + 1 : close], dest[0], dest[1])


# --- the entry grammar -----------------------------------------------------------------------

_TEXT_STOP = re.compile(r" |<kbd>|\[\[")
_KBD = re.compile(r"<kbd>([^<]*)(</kbd>|<kbd>|</?\w*>|</?k[^\s<>]*>?|)", re.IGNORECASE)
"""A badge: its label, then the tag closing it. The last alternatives always match, so a
garbled close (``</kbd?``, ``</kbd``, ``</kb[d>``) or none at all is read, with a warning."""


@dataclass
class Entry:
    """One README entry read from its text."""

    title: str
    """The link text, unescaped: the display title as written."""
    url: str | None
    links: list[Link] = field(default_factory=list)
    badges: list[str] = field(default_factory=list)
    """``<kbd>`` labels (or other venue badges) as written, in order."""
    tags: list[str] = field(default_factory=list)
    """Free tags written after the entry (``[Async infer, Song Han]``)."""
    rest: str = ""
    """Text after the entry that none of the patterns read."""
    problems: list[str] = field(default_factory=list)
    """Near-misses that were read anyway (a malformed link), for warnings."""
    extra: dict[str, str] = field(default_factory=dict)
    """Shape-specific details (authors, rating, minutes spent)."""


_SHIELD = re.compile(r"^https?://img\.shields\.io/(?:static/v1\?|badge/)([^?#]+)")


def shield_text(path: str) -> str:
    """What a shields.io badge reads: ``CVPR-2016-blue`` -> "CVPR 2016" (``--`` is a dash,
    ``_`` a space, ``__`` an underscore; the last part is the colour)."""
    from urllib.parse import unquote

    parts = re.split(r"(?<!-)-(?!-)", unquote(path.strip("/")))
    words = parts[:-1] if len(parts) > 1 else parts
    text = " ".join(w.replace("--", "-").replace("__", "\0").replace("_", " ") for w in words)
    return text.replace("\0", "_").strip()


def parse_tail(s: str, i: int, entry: Entry) -> None:
    """Read what follows an entry's title: labelled links, badges, free tags."""
    rest: list[str] = []
    while i < len(s):
        if s[i] == " ":
            i += 1
            continue
        if s.startswith("\\[[", i):  # an escaped bracket before a link: "\[[Notes](x)]"
            i += 1
            continue
        if s.startswith("[[[", i):
            inner = scan_link(s, i + 2)
            if inner is not None and s.startswith("]]", inner.end):
                entry.links.append(Link(unescape_link_text(inner.text), inner.url))
                i = inner.end + 2
                continue
        if s.startswith("[[", i):
            inner = scan_link(s, i + 1)
            if inner is not None:
                entry.links.append(Link(unescape_link_text(inner.text), inner.url))
                j = inner.end
                if s.startswith("]", j):
                    j += 1
                elif s.startswith(")", j):
                    entry.problems.append(
                        f"malformed link '[[{inner.text}](...))': read as '[[{inner.text}](...)]'"
                    )
                    j += 1
                else:
                    entry.problems.append(f"link '[[{inner.text}](...)' is not closed by ']'")
                i = j
                continue
            # "[[pdf]](url)": a link whose text is "[pdf]"
            outer = scan_link(s, i)
            if outer is not None:
                entry.links.append(Link(unescape_link_text(outer.text).strip("[]"), outer.url))
                i = outer.end
                continue
        if s.startswith("<kbd>", i) or s.startswith("<KBD>", i):
            match = _KBD.match(s, i)
            if match is None:  # cannot happen (the pattern's last alternative is empty)
                rest.append(s[i:])
                break
            label = match.group(1).strip()
            close = match.group(2)
            if close.lower() != "</kbd>":
                found = f" (found {close!r})" if close else ""
                entry.problems.append(
                    f"<kbd>{label} is not closed by </kbd>{found}: read as a badge"
                )
            entry.badges.append(label)
            i = match.end()
            continue
        if s.startswith("![", i):  # a shields.io badge: "![CVPR](.../badge/CVPR-2016-blue)"
            image = scan_link(s, i + 1)
            shield = _SHIELD.match(image.url) if image is not None else None
            if image is not None and shield is not None:
                entry.badges.append(shield_text(shield.group(1)))
                i = image.end
                continue
        if s.startswith("([", i) or s.startswith("( [", i):
            start = s.index("[", i)
            inner = scan_link(s, start)
            if inner is not None and s.startswith(")", inner.end):
                entry.links.append(Link(unescape_link_text(inner.text), inner.url))
                i = inner.end + 1
                continue
        if s[i] == "[":
            link = scan_link(s, i)
            if link is not None:
                entry.links.append(Link(unescape_link_text(link.text), link.url))
                i = link.end
                continue
            close = find_bracket_end(s, i)
            if close != -1:
                tag = s[i + 1 : close].strip().strip("`").strip()
                if tag:
                    entry.tags.append(tag)
                i = close + 1
                continue
        if s.startswith("- [", i):
            link = scan_link(s, i + 2)
            if link is not None:
                entry.links.append(Link(unescape_link_text(link.text), link.url))
                i = link.end
                continue
        # anything else, up to the next space or badge or link, is text no pattern read
        # one search for the nearest stop: a find per mark rescanned the line for each word
        stop = _TEXT_STOP.search(s, i + 1)
        nxt = stop.start() if stop else len(s)
        rest.append(s[i:nxt])
        i = nxt
    entry.rest = " ".join(rest).strip()


def parse_entry(text: str) -> Entry | None:
    """Read ``[title](url) [[label](url)]... <kbd>badge</kbd>``; None when it is no entry."""
    s = " ".join(part.strip() for part in text.split("\n")).strip()
    if not s.startswith("["):
        return None
    head = scan_link(s, 0)
    if head is None or head.text.startswith(("[", "![")):
        return None  # "[[x](y)]" is a labelled link, "[![badge](..)](..)" an image link
    # the title is kept as written, stray spaces included, so a render reproduces it
    entry = Entry(title=unescape_link_text(head.text), url=head.url or None)
    parse_tail(s, head.end, entry)
    return entry


_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def listing_sig(line: str) -> str:
    """A short fingerprint of a generated entry line: a kept source line is written back only
    while the line paperlog would generate for the item is still this one."""
    import hashlib

    body = _MARKER.sub("", line, count=1)  # the list marker is the README's style, not the item's
    return hashlib.sha1(body.encode("utf-8")).hexdigest()[:10]


def same_listing(raw: str, generated: str) -> bool:
    """True when ``raw`` is ``generated`` up to its list marker and trailing spaces."""
    return _MARKER.sub("", raw.rstrip(), count=1) == _MARKER.sub("", generated, count=1)


def render_entry(display: str, url: str | None, links: list[Link], badge: str | None) -> str:
    """The entry line the parser reads back (without the list marker)."""
    parts = [format_link(display, url or "")]
    parts += [f"[{format_link(link.label, link.url)}]" for link in links]
    if badge:
        parts.append(f"<kbd>{badge.replace('<', '&lt;')}</kbd>")
    return " ".join(parts)
