"""What a user typed for a paper -> its key: the key, cite key, an arXiv ID or DOI, a nickname or
alias, a unique prefix, or a close spelling; else the close matches as "did you mean ...".

One function, ``find_key``, serves every command that takes a KEY (``Library.resolve_key`` calls
it). The exact key costs one ``stat``. Anything else reads the index's ``key_names`` table (one
row per name or ID of each item, ``name_forms``, in a B-tree), never a paper's JSON: a name or
ID as written, a name with other case or punctuation and a unique prefix are each one lookup in
that B-tree. A close spelling is scored among the names next to the typed one in sorted order,
and among those next to it read backwards (its neighbours by start and by end): a few hundred
rows whatever the size of the library. (Scoring every name decoded every row: 1.8 s at 100,000
papers.) ``choose_key`` runs the same steps over names held in memory, scoring every name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from paperlog.errors import NotFound

if TYPE_CHECKING:
    from paperlog.index import Index
    from paperlog.library import Library

FUZZY_ACCEPT = 88.0
"""A close spelling ("simlcr") is taken when it scores at least this and no other item is close."""
FUZZY_MARGIN = 8.0
"""How far ahead of the runner-up a close spelling must be to be taken without asking."""
FUZZY_SUGGEST = 60.0
"""Items scoring at least this are offered as "did you mean ..."."""
SHOWN = 5
NEIGHBOURS = 120
"""How many names on each side of the typed one (by start, and by end) a close spelling is
sought among. A typo leaves either the start or the end of a name intact, so the name it
meant sorts next to it one way or the other, unless more than this many names share that
start (or end) at least as far."""

_NOT_WORD = re.compile(r"[\W_]+")

# The kinds of ``key_names`` rows, each a one-character prefix of the stored form, so that one
# B-tree serves all four lookups and each kind is a contiguous range of it.
AS_WRITTEN = "="
"""A name (key, nickname, cite key, alias) case-folded, as written."""
ID_FORM = "#"
"""An ID: kind, unit separator, one of the forms it compares by (``_id_forms``)."""
NAME = "~"
"""A normalised name (``normalize_name``)."""
BACKWARDS = "<"
"""A normalised name reversed: names ending alike sort together."""


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
    raw = [key.casefold()]
    if isinstance(nickname, str):
        raw.append(nickname.casefold())
    if isinstance(citekey, str):
        raw.append(citekey.casefold())
    if aliases and isinstance(aliases, list):
        raw += [alias.casefold() for alias in aliases if isinstance(alias, str)]
    names = [n for n in (_NOT_WORD.sub("", r) for r in raw) if n]
    return Entry(key, names, ids if isinstance(ids, dict) else {}, raw)


def name_forms(key: str, nickname: Any, citekey: Any, ids: Any, aliases: Any) -> list[str]:
    """The ``key_names`` rows of one item (the index stores them with the item's row)."""
    entry = _entry(key, nickname, citekey, ids, aliases)
    forms = {AS_WRITTEN + raw for raw in entry.raw}
    forms.update(NAME + name for name in entry.names)
    forms.update(BACKWARDS + name[::-1] for name in entry.names)
    forms.update(
        f"{ID_FORM}{kind}\x1f{form}"
        for kind, value in entry.ids.items()
        if isinstance(value, str)
        for form in _id_forms(kind, value)
    )
    return sorted(forms)


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


class Names(Protocol):
    """Where the steps of ``resolve`` look names up: the index, or entries in memory. Keys come
    sorted; names are normalised (``normalize_name``)."""

    complete: bool
    """True when ``near`` gives every name (then ``every_name`` is never asked)."""

    def as_written(self, folded: str, ids: set[tuple[str, str]]) -> list[str]:
        """Keys of the items with a name (case-folded) or an ID exactly as typed."""
        ...

    def named(self, wanted: str) -> list[str]:
        """Keys of the items with the normalised name ``wanted``."""
        ...

    def prefixed(self, wanted: str) -> tuple[int, list[str]]:
        """How many items have a name starting with ``wanted``; the first ``SHOWN`` + 1 keys."""
        ...

    def near(self, wanted: str) -> list[str]:
        """The names a close spelling of ``wanted`` is first sought among, sorted."""
        ...

    def every_name(self) -> list[str]:
        """Every name, once each, sorted (ties beyond ``_rank``'s 50 fall by this order)."""
        ...

    def owners(self, names: list[str], limit: int) -> list[str]:
        """The first ``limit`` keys of the items holding any of ``names``."""
        ...


def resolve(text: str, names: Names) -> str:
    """The key ``text`` names; ``NotFound`` with close matches otherwise.

    In order: a name or ID as written, a name spelled with other case or punctuation ("unet"
    for "U-Net"), a unique start of a name, a clearly closest spelling.
    """
    wanted = normalize_name(text)
    for exact in (
        names.as_written(text.casefold(), _typed_ids(text)),
        names.named(wanted) if wanted else [],
    ):
        if len(exact) == 1:
            return exact[0]
        if exact:
            raise NotFound(_several(text, exact, len(exact)))
    count, prefixed = names.prefixed(wanted) if wanted else (0, [])
    if count == 1:
        return prefixed[0]
    if count:
        raise NotFound(_several(text, prefixed, count))
    ranked = _rank(wanted, names.near(wanted), names) if wanted else []
    accepted = _accepted(wanted, ranked)
    if wanted and not names.complete and (accepted or not ranked or ranked[0][1] < FUZZY_ACCEPT):
        # The neighbours answer a list of suggestions led by a close match. A spelling taken
        # without asking must have no rival anywhere, and a weak or no match may have a better
        # one elsewhere: these score every name (one pass in C; about 60 ms at 100,000).
        ranked = _rank(wanted, names.every_name(), names)
        accepted = _accepted(wanted, ranked)
    if accepted:
        return accepted
    if ranked:
        shown = " or ".join(key for key, _ in ranked[:SHOWN])
        raise NotFound(f"no paper matches {text!r}; did you mean {shown}?")
    raise NotFound(f"no paper matches {text!r}; 'paperlog list' shows the keys")


def _rank(wanted: str, candidates: list[str], names: Names) -> list[tuple[str, float]]:
    """The best-scoring keys (``SHOWN`` + 1 at least, when there are), best first: each key
    scored by its closest name, ties by key."""
    from rapidfuzz import fuzz, process

    scores: dict[str, float] = {}
    # A typed fragment is compared with each name as a whole and (a little less trusted) with
    # the name's start.
    for choices, penalty in ((candidates, 0.0), ([n[: len(wanted)] for n in candidates], 5.0)):
        for _, score, i in process.extract(
            wanted, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_SUGGEST + penalty, limit=50
        ):
            name = candidates[i]
            scores[name] = max(scores.get(name, 0.0), score - penalty)
    levels: dict[float, list[str]] = {}
    for name, score in scores.items():
        levels.setdefault(score, []).append(name)
    ranked: dict[str, float] = {}
    for score in sorted(levels, reverse=True):  # a key's first level is its best
        for key in names.owners(sorted(levels[score]), SHOWN + 1 + len(ranked)):
            ranked.setdefault(key, score)
        if len(ranked) > SHOWN:
            break
    return sorted(ranked.items(), key=lambda kv: (-kv[1], kv[0]))


def _accepted(wanted: str, ranked: list[tuple[str, float]]) -> str | None:
    """The key of a close spelling clear enough to take without asking, if there is one."""
    if ranked and ranked[0][1] >= FUZZY_ACCEPT and len(wanted) >= 4:
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if ranked[0][1] - runner_up >= FUZZY_MARGIN:
            return ranked[0][0]
    return None


@dataclass(slots=True)
class _InMemory:
    """``Names`` over a list of entries, each step a pass over all of them."""

    entries: list[Entry]
    complete: bool = True

    def as_written(self, folded: str, ids: set[tuple[str, str]]) -> list[str]:
        return _unique(
            e.key for e in self.entries if folded in e.raw or (ids and _matches_id(e, ids))
        )

    def named(self, wanted: str) -> list[str]:
        return _unique(e.key for e in self.entries if wanted in e.names)

    def prefixed(self, wanted: str) -> tuple[int, list[str]]:
        keys = _unique(e.key for e in self.entries if any(n.startswith(wanted) for n in e.names))
        return len(keys), keys[: SHOWN + 1]

    def near(self, wanted: str) -> list[str]:
        return self.every_name()

    def every_name(self) -> list[str]:
        return sorted({name for e in self.entries for name in e.names})

    def owners(self, names: list[str], limit: int) -> list[str]:
        wanted = set(names)
        return _unique(e.key for e in self.entries if wanted.intersection(e.names))[:limit]


def choose_key(text: str, entries: list[Entry]) -> str:
    """The key ``text`` names among ``entries`` (``resolve``, scoring every name)."""
    return resolve(text, _InMemory(sorted(entries, key=lambda e: e.key)))


def _several(text: str, keys: list[str], count: int) -> str:
    shown = ", ".join(keys[:SHOWN]) + (f" and {count - SHOWN} more" if count > SHOWN else "")
    return f"{text!r} matches several papers: {shown}; give more of the key"


class IndexNames:
    """``Names`` as SQL over the index's ``key_names`` B-tree: each step reads the rows it
    answers with; ``near`` the ``NEIGHBOURS`` names on each side of the typed one."""

    complete = False

    def __init__(self, index: Index) -> None:
        from paperlog.index_schema import NAMES_TABLE
        from paperlog.query import PAPERS_TABLE

        self._index = index
        self._names = NAMES_TABLE
        self._from = f"FROM {NAMES_TABLE} AS n JOIN {PAPERS_TABLE} AS p ON p.rowid = n.id"

    def _keys(self, forms: list[str], limit: int | None = None) -> list[str]:
        forms = [form for form in forms if _is_text(form)]
        if not forms:  # text that is not UTF-8 (a shell's stray bytes) names nothing stored
            return []
        marks = ", ".join("?" for _ in forms)
        sql = f"SELECT DISTINCT p.key {self._from} WHERE n.form IN ({marks}) ORDER BY p.key"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [key for (key,) in self._index.rows(sql, forms)]

    def as_written(self, folded: str, ids: set[tuple[str, str]]) -> list[str]:
        forms = [AS_WRITTEN + folded] + [f"{ID_FORM}{kind}\x1f{form}" for kind, form in ids]
        return self._keys(forms)

    def named(self, wanted: str) -> list[str]:
        return self._keys([NAME + wanted])

    def prefixed(self, wanted: str) -> tuple[int, list[str]]:
        low, high = NAME + wanted, _after(NAME + wanted)
        where = "WHERE n.form >= ? AND n.form < ?"
        sql = f"SELECT count(DISTINCT n.id) FROM {self._names} AS n {where}"
        ((count,),) = self._index.rows(sql, (low, high))
        if not count:
            return 0, []
        sql = f"SELECT DISTINCT p.key {self._from} {where} ORDER BY p.key LIMIT {SHOWN + 1}"
        return count, [key for (key,) in self._index.rows(sql, (low, high))]

    def near(self, wanted: str) -> list[str]:
        found: set[str] = set()
        for kind, typed in ((NAME, wanted), (BACKWARDS, wanted[::-1])):
            # the names just above and just below the typed one, within this kind's range
            for where, order, bound in (
                ("form >= ? AND form < ?", "ASC", _after(kind)),
                ("form < ? AND form >= ?", "DESC", kind),
            ):
                sql = (
                    f"SELECT DISTINCT substr(form, 2) FROM {self._names} WHERE {where} "
                    f"ORDER BY form {order} LIMIT {NEIGHBOURS}"
                )
                for (name,) in self._index.rows(sql, (kind + typed, bound)):
                    found.add(name[::-1] if kind == BACKWARDS else name)
        return sorted(found)

    def every_name(self) -> list[str]:
        # one string from SQLite, split in C: a row object per name would cost twice as much
        sql = (
            "SELECT group_concat(substr(form, 2), char(10)) FROM (SELECT DISTINCT form "
            f"FROM {self._names} WHERE form >= ? AND form < ? ORDER BY form)"
        )
        ((joined,),) = self._index.rows(sql, (NAME, _after(NAME)))
        return joined.split("\n") if joined else []

    def owners(self, names: list[str], limit: int) -> list[str]:
        return self._keys([NAME + name for name in names], limit)


def _is_text(form: str) -> bool:
    try:
        form.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _after(prefix: str) -> str:
    """The least string above every string that starts with ``prefix`` (a range's end)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def find_key(library: Library, text: str) -> str:
    """The key of the item ``text`` names (see the module's docstring for what it may be)."""
    text = text.strip()
    if text and "/" not in text and library.paper_path(text).is_file():
        return text  # the key itself: no index needed
    from paperlog.index import Index

    with Index.open(library) as index:
        return resolve(text, IndexNames(index))
