"""What a .bib file holds besides entries, kept so an export gives it back; and entry order.

``@string`` macros, ``@preamble`` blocks and ``@comment`` blocks (JabRef keeps its groups and
settings in ``@comment{jabref-meta: ...}``) belong to the file, not to one paper. An import
keeps them in ``paperlog.toml``, as written, under ``[bibtex]``::

    [bibtex]
    text = ["% Encoding: UTF-8"]
    preamble = ['"\\newcommand{\\noopsort}[1]{}"']
    comments = ["jabref-meta: databaseType:bibtex;"]

    [bibtex.strings]
    ieee = '"IEEE"'
    ieeep = 'ieee # " Press"'

An export writes the preambles and the macros (in the order they were defined, since one may
use another) before the entries, and the comments after them, where JabRef writes its own.
Text outside any block (JabRef's ``% Encoding: UTF-8`` line) is kept too (``text``) and written
first. A malformed entry is not: the import reports it with its line.

``crossref_order`` puts an entry that others ``crossref`` after all of them: BibTeX resolves a
cross-reference only to an entry that comes later in the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bibtexparser.library import Library as BibLibrary

    from paperlog.model import Config

CONFIG_KEY = "bibtex"
"""The ``paperlog.toml`` table that holds the kept blocks."""


@dataclass
class FileBlocks:
    """The non-entry blocks of .bib files, raw as written."""

    strings: dict[str, str] = field(default_factory=dict)
    """Macro name -> its value as written (``"IEEE"``, ``ieee # " Press"``), in file order."""
    preambles: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    """Text between blocks ("% Encoding: UTF-8"), without its surrounding blank lines."""

    def __bool__(self) -> bool:
        return bool(self.strings or self.preambles or self.comments or self.text)


def blocks_of(lib: BibLibrary) -> FileBlocks:
    """The ``@string``, ``@preamble`` and ``@comment`` blocks of a parsed file (parsed without
    middlewares, so the values are as written)."""
    from bibtexparser.model import ExplicitComment, ImplicitComment, Preamble, String

    out = FileBlocks()
    for block in lib.blocks:
        if isinstance(block, String):
            out.strings.setdefault(str(block.key), str(block.value).strip())
        elif isinstance(block, Preamble):
            out.preambles.append(str(block.value).strip())
        elif isinstance(block, ExplicitComment):
            # the text between the braces exactly (the parser trims its ends)
            raw = str(block.raw or "")
            inner = raw[raw.find("{") + 1 : raw.rfind("}")] if "{" in raw else ""
            out.comments.append(
                inner if inner.strip() == str(block.comment).strip() else block.comment
            )
        elif isinstance(block, ImplicitComment) and str(block.comment).strip():
            out.text.append(str(block.comment).strip())
    return out


def stored_blocks(config: Config) -> FileBlocks:
    """The blocks ``paperlog.toml`` keeps; values of the wrong type (a hand edit) are skipped."""
    table = config.extra.get(CONFIG_KEY)
    if not isinstance(table, dict):
        return FileBlocks()
    strings = table.get("strings")
    return FileBlocks(
        strings={
            str(k): v
            for k, v in (strings.items() if isinstance(strings, dict) else ())
            if isinstance(v, str)
        },
        preambles=[v for v in _list(table.get("preamble")) if isinstance(v, str)],
        comments=[v for v in _list(table.get("comments")) if isinstance(v, str)],
        text=[v for v in _list(table.get("text")) if isinstance(v, str)],
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def merge_blocks(kept: FileBlocks, new: FileBlocks) -> tuple[FileBlocks, list[str]]:
    """``kept`` plus what ``new`` adds; a macro defined again with another value keeps the
    first definition and is reported (one line each)."""
    merged = FileBlocks(
        dict(kept.strings), list(kept.preambles), list(kept.comments), list(kept.text)
    )
    known = {name.lower(): name for name in merged.strings}
    problems = []
    for name, value in new.strings.items():
        held = known.get(name.lower())
        if held is None:
            merged.strings[name] = value
            known[name.lower()] = name
        elif merged.strings[held] != value:
            problems.append(
                f"@string {name} = {value} differs from the one kept ({merged.strings[held]}); "
                "kept the first"
            )
    merged.preambles.extend(p for p in new.preambles if p not in merged.preambles)
    merged.comments.extend(c for c in new.comments if c not in merged.comments)
    merged.text.extend(t for t in new.text if t not in merged.text)
    return merged, problems


def store_blocks(config: Config, blocks: FileBlocks) -> None:
    """Put ``blocks`` into ``config`` (``[bibtex]`` of paperlog.toml), other keys kept."""
    table = config.extra.get(CONFIG_KEY)
    table = dict(table) if isinstance(table, dict) else {}
    for name, value in (
        ("text", blocks.text),
        ("preamble", blocks.preambles),
        ("comments", blocks.comments),
        ("strings", blocks.strings),
    ):
        if value:
            table[name] = value
        else:
            table.pop(name, None)
    if table:
        config.extra[CONFIG_KEY] = table
    else:
        config.extra.pop(CONFIG_KEY, None)


def head_text(blocks: FileBlocks) -> str:
    """Kept text, ``@preamble`` and ``@string`` blocks, for the top of an export."""
    lines = [f"{t}\n" for t in blocks.text]
    lines += [f"@preamble{{{p}}}\n" for p in blocks.preambles]
    lines += [f"@string{{{name} = {value}}}\n" for name, value in blocks.strings.items()]
    return "".join(lines)


def tail_text(blocks: FileBlocks) -> str:
    """``@comment`` blocks, for the end of an export."""
    return "".join(f"@comment{{{c}}}\n" for c in blocks.comments)


def crossref_order(keys: Sequence[str], targets: Sequence[str | None]) -> list[int]:
    """Indices of the entries in an order where each ``crossref`` target comes after every
    entry that names it (keys compared case-insensitively); otherwise the order given.

    ``targets[i]`` is entry i's ``crossref`` value, or None. A cycle (a hand-made file) is
    broken at the first entry still waiting.
    """
    index = {k.lower(): i for i, k in enumerate(keys)}
    waiting_for = [0] * len(keys)  # citers of each entry not yet written
    for target in targets:
        if target is not None and target.lower() in index:
            waiting_for[index[target.lower()]] += 1
    if not any(waiting_for):
        return list(range(len(keys)))
    pending = list(range(len(keys)))
    out: list[int] = []
    while pending:
        pick = next((n for n, i in enumerate(pending) if waiting_for[i] == 0), 0)
        i = pending.pop(pick)
        out.append(i)
        target = targets[i]
        if target is not None and target.lower() in index:
            waiting_for[index[target.lower()]] -= 1
    return out
