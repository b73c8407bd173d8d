"""What a user typed for a paper -> its key: the key, cite key, an arXiv ID or DOI, a nickname or
alias, a unique prefix, or a close spelling; else the close matches as "did you mean ...".

One function, ``find_key``, serves every command that takes a KEY (``Library.resolve_key`` calls
it). The exact key costs one ``stat``; anything else is one SQL query over the index (the names
and IDs of every item, read with ``json_extract``), never a parse of the paper files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from paperlog.errors import NotFound

if TYPE_CHECKING:
    from paperlog.library import Library

FUZZY_ACCEPT = 88.0
"""A close spelling ("simlcr") is taken when it scores at least this and no other item is close."""
FUZZY_MARGIN = 8.0
"""How far ahead of the runner-up a close spelling must be to be taken without asking."""
FUZZY_SUGGEST = 60.0
"""Items scoring at least this are offered as "did you mean ..."."""
SHOWN = 5

_NOT_WORD = re.compile(r"[\W_]+")


def normalize_name(text: str) -> str:
    """Lowercase letters and digits only: "U-Net" and "unet" and "u_net" are one name."""
    return _NOT_WORD.sub("", text.casefold())


@dataclass(slots=True)
class Entry:
    """What one item may be called."""

    key: str
    names: list[str] = field(default_factory=list)
    """Normalised key, nickname, cite key and aliases."""
    ids: dict[str, str] = field(default_factory=dict)
    raw: list[str] = field(default_factory=list)
    """The same names as written, case-folded."""


def _entry(key: str, nickname: Any, citekey: Any, ids: Any, aliases: Any) -> Entry:
    # Built for every item on a lookup that is not the key itself: kept cheap on purpose.
    raw = [key.casefold()]
    if isinstance(nickname, str):
        raw.append(nickname.casefold())
    if isinstance(citekey, str):
        raw.append(citekey.casefold())
    if aliases and isinstance(aliases, list):
        raw += [alias.casefold() for alias in aliases if isinstance(alias, str)]
    names = [n for n in (_NOT_WORD.sub("", r) for r in raw) if n]
    return Entry(key, names, ids if isinstance(ids, dict) else {}, raw)


def _id_forms(kind: str, value: str) -> set[str]:
    """The ways one stored or typed ID compares: DOIs ignore case, arXiv IDs their version."""
    low = value.strip().lower()
    forms = {low}
    if kind == "arxiv":
        forms.add(re.sub(r"v\d+$", "", low))
    return forms


def _typed_ids(text: str) -> set[tuple[str, str]]:
    from paperlog.ids import parse_identifier

    typed = parse_identifier(text)
    if typed.kind in ("title", "url"):
        return set()
    return {(typed.kind, form) for form in _id_forms(typed.kind, typed.value)}


def _matches_id(entry: Entry, typed: set[tuple[str, str]]) -> bool:
    return any(
        (kind, form) in typed
        for kind, value in entry.ids.items()
        if isinstance(value, str)
        for form in _id_forms(kind, value)
    )


def _unique(keys: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(keys))


def _as_written(text: str, entries: list[Entry]) -> list[str]:
    """Keys of the entries with a name (any case) or an ID exactly as ``text``."""
    folded = text.casefold()
    typed_ids = _typed_ids(text)
    return _unique(
        e.key for e in entries if folded in e.raw or (typed_ids and _matches_id(e, typed_ids))
    )


def choose_key(text: str, entries: list[Entry]) -> str:
    """The key ``text`` names among ``entries``; ``NotFound`` with close matches otherwise.

    In order: a name or ID as written, a name spelled with other case or punctuation ("unet"
    for "U-Net"), a unique start of a name, a clearly closest spelling.
    """
    wanted = normalize_name(text)
    for exact in (
        _as_written(text, entries),
        _unique(e.key for e in entries if wanted and wanted in e.names),
    ):
        if len(exact) == 1:
            return exact[0]
        if exact:
            raise NotFound(_several(text, exact))
    prefixed = (
        _unique(e.key for e in entries if any(n.startswith(wanted) for n in e.names))
        if wanted
        else []
    )
    if len(prefixed) == 1:
        return prefixed[0]
    if prefixed:
        raise NotFound(_several(text, prefixed))
    return _fuzzy(text, wanted, entries)


def _fuzzy(text: str, wanted: str, entries: list[Entry]) -> str:
    from rapidfuzz import fuzz, process

    owners = [e.key for e in entries for _ in e.names]
    names = [n for e in entries for n in e.names]
    best: dict[str, float] = {}
    # A typed fragment is compared with each name as a whole and (a little less trusted) with
    # the name's start; rapidfuzz's C loop keeps this fast over thousands of names.
    for choices, penalty in ((names, 0.0), ([n[: len(wanted)] for n in names], 5.0)):
        for _, score, i in process.extract(
            wanted, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_SUGGEST, limit=50
        ):
            if score - penalty >= FUZZY_SUGGEST:
                best[owners[i]] = max(best.get(owners[i], 0.0), score - penalty)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
    if ranked and ranked[0][1] >= FUZZY_ACCEPT and len(wanted) >= 4:
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if ranked[0][1] - runner_up >= FUZZY_MARGIN:
            return ranked[0][0]
    if ranked:
        shown = " or ".join(key for key, _ in ranked[:SHOWN])
        raise NotFound(f"no paper matches {text!r}; did you mean {shown}?")
    raise NotFound(f"no paper matches {text!r}; 'paperlog list' shows the keys")


def _several(text: str, keys: list[str]) -> str:
    shown = ", ".join(keys[:SHOWN]) + (
        f" and {len(keys) - SHOWN} more" if len(keys) > SHOWN else ""
    )
    return f"{text!r} matches several papers: {shown}; give more of the key"


def find_key(library: Library, text: str) -> str:
    """The key of the item ``text`` names (see the module's docstring for what it may be)."""
    text = text.strip()
    if text and "/" not in text and library.paper_path(text).is_file():
        return text  # the key itself: no index needed
    from paperlog.index import Index

    with Index.open(library) as index:
        # A cite key, an ID or an alias typed as written is found among the few rows that
        # hold its text, without reading every row's names (SQLite lowers ASCII only).
        needle = _needle(text)
        if needle:
            found = _as_written(text, [_entry(*row) for row in index.lookup_rows(needle)])
            if len(found) == 1:
                return found[0]
        rows = index.lookup_rows()
    return choose_key(text, [_entry(*row) for row in rows])


def _needle(text: str) -> str | None:
    """The text every row that names ``text`` as written must contain, lower case; or None."""
    from paperlog.ids import parse_identifier

    typed = parse_identifier(text)
    if typed.kind == "arxiv":
        text = re.sub(r"v\d+$", "", typed.value)
    elif typed.kind not in ("title", "url"):
        text = typed.value
    # JSON escapes quotes, backslashes and control characters: such text is not searched raw.
    if not text.isascii() or any(c in text for c in '"\\') or not text.isprintable():
        return None
    return text.lower() if len(text) >= 2 else None
