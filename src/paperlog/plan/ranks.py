"""Queue ranks: where a paper joining the wish-list goes.

Every place that puts papers at the end of the queue (``add``, ``import bibtex``, ``start`` of
a paper already read) asks here, so the rank scheme lives in one module. A rank only orders:
gaps are fine, so ``done`` and ``queue remove`` leave the other ranks alone, and a queue move
(``plan.log``) gives the moved item a rank between its new neighbours'. When they have no room
between them, the queue is numbered again ``RANK_GAP`` apart, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from paperlog.model import Paper

RANK_GAP = 1024
"""The spacing of a renumbered queue: ten moves into one gap before it is numbered again."""


def next_rank(papers: Iterable[Paper]) -> int:
    """The rank a paper appended to the queue of ``papers`` gets (after every waiting one)."""
    return max((p.rank for p in papers if p.status != "read" and p.rank is not None), default=0) + 1


def append_to_queue(papers: Iterable[Paper], new: Sequence[Paper]) -> None:
    """Give ``new`` ranks after every waiting paper of ``papers``, in the order given."""
    rank = next_rank(papers)
    for offset, paper in enumerate(new):
        paper.rank = rank + offset


def remap_slots(
    slots: list[Any], old: dict[str, int], new: dict[str, int], moved: str | None = None
) -> bool:
    """Keep the README's own lines in the wish-list where they stood when the queue is
    numbered again; return True when a slot changed.

    A wish-list slot (a line paperlog keeps as text, ``{"after": r, ...}`` in
    ``Config.readme["slots"]``) stands after every queued item whose rank is at most ``r``.
    Renumbering changes every rank, so each slot is moved to the new rank of the item it
    followed (the one with the highest old rank at most ``r``, not counting ``moved``, the item
    that changed place), or to 0 when it stood before them all. ``old`` and ``new`` map keys to
    ranks before and after.
    """
    anchors = sorted((rank, key) for key, rank in old.items() if key != moved)
    changed = False
    for slot in slots:
        if not isinstance(slot, dict) or "period" in slot or "section" in slot:
            continue  # a week's or a recommended list's line: no queue rank
        try:
            at = float(slot.get("after") or 0)
        except (TypeError, ValueError):
            continue
        before = [key for rank, key in anchors if rank <= at]
        target = new.get(before[-1], 0) if before else 0
        if target != at:
            slot["after"] = target
            changed = True
    return changed


def ranks_for_order(current: Sequence[int | None]) -> list[int]:
    """Ranks that put items in the order given, keeping as many of their ``current`` ranks as
    can stay (None: an item without one): a README re-imported unchanged writes no rank.

    The longest run of current ranks that already increases in this order keeps its ranks
    (``bisect``-based longest increasing subsequence); every other item gets a rank in the gap
    between its kept neighbours, spread evenly, ``RANK_GAP`` apart after the last. When a gap
    has no room for the items it must hold, every item is numbered ``RANK_GAP`` apart.
    """
    import bisect

    n = len(current)
    # longest strictly increasing subsequence of the positive current ranks, by index
    tails: list[int] = []  # tails[k]: index of the smallest tail of an increasing run of k+1
    tail_ranks: list[int] = []
    parent = [-1] * n
    for i, rank in enumerate(current):
        if rank is None or rank <= 0:
            continue
        k = bisect.bisect_left(tail_ranks, rank)
        parent[i] = tails[k - 1] if k else -1
        if k == len(tails):
            tails.append(i)
            tail_ranks.append(rank)
        else:
            tails[k], tail_ranks[k] = i, rank
    keep = set()
    i = tails[-1] if tails else -1
    while i != -1:
        keep.add(i)
        i = parent[i]
    out: list[int] = [0] * n
    start, low = 0, 0
    for i in [*sorted(keep), n]:
        high = current[i] if i < n else None
        count = i - start  # items to place strictly between low and high
        if count:
            if high is None:
                ranks = [low + RANK_GAP * (j + 1) for j in range(count)]
            elif high - low > count:
                ranks = [low + (high - low) * (j + 1) // (count + 1) for j in range(count)]
            else:
                return [RANK_GAP * (j + 1) for j in range(n)]
            out[start:i] = ranks
        if i < n:
            out[i] = low = int(high or 0)
        start = i + 1
    return out
