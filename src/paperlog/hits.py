"""A search's results: the hits' keys at once, a ``Paper`` only for the items looked at.

``Index.search`` runs one SQL statement (the query parsed once into WHERE and MATCH) that
returns each hit's row id and key, in result order. Decoding a paper from its stored JSON
costs tens of microseconds, so building all of them for 700 hits was almost the whole of an
in-process search while a caller usually shows one screen, counts, or prints the table's
seven columns. ``Hits`` is the shape beets' ``Results`` has: rows fetched eagerly, objects
built lazily (in batches, for the positions asked) and kept.

A ``Hits`` reads through its index, so it is valid while the index is open; the module-level
``paperlog.index.search`` returns a plain list for use after closing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from paperlog.index import Index
    from paperlog.model import Paper

_BATCH = 256
"""Papers decoded per query while iterating (one ``IN (...)`` of this many row ids)."""


class Hits(Sequence["Paper"]):
    """The items a search found, best first: ``len``, ``keys`` and ``table_rows()`` without
    decoding a paper; indexing, slicing and iteration decode only the papers they return."""

    def __init__(self, index: Index, sql: str, params: Sequence[Any]) -> None:
        self._index = index
        self._sql = sql
        self._params = list(params)
        self._cache: dict[int, Paper] = {}
        self._ids: list[int] = []
        self.keys: list[str] = []
        """The hits' keys, in result order."""
        self._generation = -1
        index._read(self._fetch)

    def _fetch(self) -> None:
        found = self._index._conn.execute(self._sql, self._params).fetchall()
        self._ids = [rowid for rowid, _ in found]
        self.keys = [key for _, key in found]
        self._cache.clear()
        self._generation = self._index.generation

    def _ids_now(self) -> list[int]:
        """The row ids, fetched again when the index was rebuilt since (they changed)."""
        if self._generation != self._index.generation:
            self._fetch()
        return self._ids

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, position: int) -> Paper: ...

    @overload
    def __getitem__(self, position: slice) -> list[Paper]: ...

    def __getitem__(self, position: int | slice) -> Paper | list[Paper]:
        if isinstance(position, slice):
            return self._decode(list(range(len(self._ids)))[position])
        if position < 0:
            position += len(self._ids)
        if not 0 <= position < len(self._ids):
            raise IndexError("hit index out of range")
        return self._decode([position])[0]

    def __iter__(self) -> Iterator[Paper]:
        for start in range(0, len(self._ids), _BATCH):
            yield from self._decode(list(range(start, min(start + _BATCH, len(self._ids)))))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Hits):
            other = list(other)
        if isinstance(other, list):
            return len(other) == len(self) and list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # compared by content, like a list

    def __repr__(self) -> str:
        more = ", ..." if len(self) > 5 else ""
        return f"<Hits {len(self)}: {', '.join(self.keys[:5])}{more}>"

    def table_rows(self) -> list[tuple[str, ...]]:
        """The rows a table of the hits shows (``views.paper_row``'s columns, as text), read
        by SQLite's JSON functions: no ``Paper`` is built."""
        return self._index._read(lambda: self._index._table_rows(self._ids_now()))

    def _decode(self, positions: list[int]) -> list[Paper]:
        missing = [p for p in positions if p not in self._cache]
        if missing:

            def load() -> list[Paper]:
                ids = self._ids_now()
                return self._index._papers([ids[p] for p in missing])

            self._cache.update(zip(missing, self._index._read(load), strict=True))
        return [self._cache[p] for p in positions]
