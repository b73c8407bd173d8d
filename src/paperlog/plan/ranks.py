"""Queue ranks: where a paper joining the wish-list goes.

Every place that puts papers at the end of the queue (``add``, ``import bibtex``, ``start`` of
a paper already read) asks here, so the rank scheme (today 1..n; gapped values later) lives in
one module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from paperlog.model import Paper


def next_rank(papers: Iterable[Paper]) -> int:
    """The rank a paper appended to the queue of ``papers`` gets (after every waiting one)."""
    return max((p.rank for p in papers if p.status != "read" and p.rank is not None), default=0) + 1


def append_to_queue(papers: Iterable[Paper], new: Sequence[Paper]) -> None:
    """Give ``new`` ranks after every waiting paper of ``papers``, in the order given."""
    rank = next_rank(papers)
    for offset, paper in enumerate(new):
        paper.rank = rank + offset
