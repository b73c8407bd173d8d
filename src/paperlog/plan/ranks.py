"""Queue ranks: where a paper joining the wish-list goes.

Every place that puts papers at the end of the queue (``add``, ``import bibtex``, ``start`` of
a paper already read) asks here, so the rank scheme lives in one module. A rank only orders:
gaps are fine, so ``done`` and ``queue remove`` leave the other ranks alone, and a queue move
(``plan.log``) gives the moved item a rank between its new neighbours'. When they have no room
between them, the queue is numbered again ``RANK_GAP`` apart, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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
