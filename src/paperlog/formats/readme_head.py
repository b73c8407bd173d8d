"""The README's head as the walker reads it: the intro and plan sentence, the search help
and its topic legend, the resources section (``Walker`` inherits these readers)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from paperlog.formats.readme_layout import star_split
from paperlog.formats.readme_parse import Entry, parse_tail
from paperlog.model import ResourceGroup, ResourceItem, ResourceSection, Topic

if TYPE_CHECKING:
    from paperlog.formats.readme_layout import Parsed
    from paperlog.formats.readme_parse import Block

_TOPIC = re.compile(r"^\[(\w+)\]\s+(.+?)\s*$")
_TOPIC_NAME = re.compile(r"^(.*?)\s*\((.*?)(\))?\s*$")
_SEARCH_PART = re.compile(r"\*\*By ([A-Za-z ]+)\*\*\s*-\s*(.*?)\s*\\?\s*(?=\*\*By |$)")


class HeadReader:
    """Reads the blocks of a README's head into ``out`` (the walker's state)."""

    out: Parsed
    preamble: list[Block]
    section: ResourceSection | None
    topic_lines: dict[str, int]

    def warn(self, line: int, message: str) -> None:
        """Record a problem at a source line (``Walker.warn`` does)."""

    # --- the text before the first section -----------------------------------------------
    def _preamble(self) -> None:
        paras = [b for b in self.preamble if b.kind == "para"]
        if not paras:
            return
        raw = paras[0].raw
        parts: list[list[str]] = [[]]
        for line in raw:
            if re.fullmatch(r"\s*(<br\s*/?>\s*){2}\s*", line, re.I):
                parts.append([])
            else:
                parts[-1].append(line)
        texts = ["\n".join(p) for p in parts]
        plan_at = next((i for i, t in enumerate(texts) if t.startswith("**Plan")), None)
        if plan_at is None:
            self.out.intro = "\n".join(raw)
        else:
            self.out.intro = "\n<br><br>\n".join(texts[:plan_at])
            plan = texts[plan_at]
            self.out.readme["plan"] = plan
            tracks = re.findall(r"\(\d\)\s*(\w+)\s*-\s*(.*?)\s*(?=\(\d\)|\.?\s*$)", plan)
            if tracks:
                self.out.readme["tracks"] = [
                    {"name": name, "description": desc} for name, desc in tracks
                ]
            after = texts[plan_at + 1 :]
            if after:
                self.out.readme["after_plan"] = "\n<br><br>\n".join(after)
        # what follows the intro (paragraphs, lists, quotes, rules), as written; blocks
        # that touch (a list's items) stay one piece
        first = paras[0]
        chunks: list[list[str]] = []
        end = first.end
        covered = first.end
        for extra in self.preamble:
            if extra.line <= covered:
                continue  # the intro itself, or inside a quote or list already taken
            lines = list(extra.raw)
            while lines and not lines[-1].strip():
                lines.pop()
            if chunks and extra.line == end + 1:
                chunks[-1] += lines
            else:
                chunks.append(lines)
            end = extra.line + len(lines) - 1
            covered = max(covered, extra.end)
        for chunk in chunks:
            self.out.readme.setdefault("preamble_more", []).append("\n".join(chunk))

    def _search_para(self, block: Block) -> None:
        joined = " ".join(line.strip() for line in block.text.split("\n"))
        search = self.out.readme.setdefault("search", {})
        found = False
        for name, value in _SEARCH_PART.findall(joined):
            key = name.strip().lower().replace(" ", "_")
            if key == "year":
                search["by_year"] = value
            elif key == "conference":
                search["by_conference"] = re.sub(r"^e\.g\.\s*", "", value)
            found = True
        if not found:
            search.setdefault("more", []).append("\n".join(block.raw))

    def _resource_label(self, block: Block) -> None:
        text = block.text.strip()
        if self.section is None:
            self.out.readme.setdefault("resources_intro", []).append(text)
            return
        if text[-1:] in ".!?" and self.section.intro is None and not self.section.groups:
            self.section.intro = text
        else:
            self.section.groups.append(ResourceGroup(text))

    def _topic(self, block: Block) -> None:
        match = _TOPIC.match(block.text.strip())
        if not match:
            self.out.readme.setdefault("search", {}).setdefault("more", []).append(
                "\n".join(block.raw)
            )
            return
        code, rest = match.groups()
        first = self.topic_lines.get(code)
        if first is not None:
            # the library refuses a taxonomy with a code twice: merge, keep the first
            self.warn(
                block.line,
                f"topic [{code}] is defined twice (first on line {first}): the first kept",
            )
            return
        self.topic_lines[code] = block.line
        named = _TOPIC_NAME.match(rest)
        if named and "(" in rest:
            name, desc, closed = named.group(1), named.group(2), named.group(3)
            if not closed:
                self.warn(block.line, f"topic [{code}]: the parenthesis is not closed")
                unclosed = self.out.readme.setdefault("search", {}).setdefault("unclosed", [])
                unclosed.append(code)
            self.out.topics.append(Topic(code, name, desc))
        else:
            self.out.topics.append(Topic(code, rest, None))

    def _resource_item(self, block: Block) -> None:
        if self.section is None:
            self.section = ResourceSection("Resources")
            self.out.resources.append(self.section)
        if block.level > 0:
            self.warn(block.line, "nested resource item read as a plain item")
        if not self.section.groups:
            self.section.groups.append(ResourceGroup(None))
        text = " ".join(part.strip() for part in block.text.split("\n")).strip()
        cut = text.find(" [[")
        title, tail = (text, "") if cut == -1 else (text[:cut], text[cut:])
        star, title = star_split(title.strip())
        entry = Entry(title=title, url=None)
        parse_tail(tail, 0, entry)
        for problem in entry.problems:
            self.warn(block.line, problem)
        if entry.rest:
            self.warn(block.line, f"resource: text not read: {entry.rest!r}")
        self.section.groups[-1].items.append(ResourceItem(title, entry.links, star))
