"""``paperlog topics suggest``: propose topic codes for items that carry none.

Each topic code is described by its name and description in ``paperlog.toml`` (the seed's
"[Loc] Localization (Object Detection, Segmentation)") and by the items already tagged with it.
An untagged item is compared with each code's description by character n-gram tf-idf (which
matches "segmentation" with "Segmentation Survey" and "segmenting" without a stemmer), using its
title, abstract, notes and, when the catalog knows the paper, the catalog's abstract. The best
code is proposed when it is clearly ahead of the rest; the words shared with the code's
description are the evidence. Nothing is written until the user accepts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from paperlog.catalog.store import Catalog
    from paperlog.library import Library
    from paperlog.model import Paper, Topic

MIN_SCORE = 0.08
MIN_MARGIN = 0.01


@dataclass
class TopicSuggestion:
    """A proposed topic code for one item, with its evidence."""

    key: str
    title: str
    code: str
    score: float
    evidence: list[str]
    runner_up: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "key": self.key,
            "title": self.title,
            "code": self.code,
            "score": round(self.score, 4),
            "evidence": self.evidence,
            "runner_up": self.runner_up,
        }


_WORD = re.compile(r"[A-Za-z][A-Za-z-]{2,}")
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "into",
        "via",
        "using",
        "learning",
        "deep",
        "network",
        "networks",
        "neural",
        "model",
        "models",
        "based",
        "towards",
        "toward",
        "approach",
        "method",
        "methods",
        "paper",
        "data",
    ]
)


def _text(paper: Paper, catalog: Catalog | None) -> str:
    parts = [paper.display_title, paper.abstract or "", paper.notes[:2000], *paper.takeaways]
    if catalog is not None and not paper.abstract:
        from paperlog.recommend.service import catalog_row_of

        hit = catalog_row_of(catalog, paper)
        if hit is not None:
            parts.append(hit.abstract)
    return " ".join(p for p in parts if p)


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)} - _STOP


def _evidence(item: str, topic_text: str) -> list[str]:
    """Words of the item that share a stem-like prefix with a word of the topic's text."""
    topic_words = _words(topic_text)
    found = []
    for word in sorted(_words(item)):
        if any(word[:6] == t[:6] and min(len(word), len(t)) >= 4 for t in topic_words):
            found.append(word)
    return found[:6]


def suggest_topics(
    topics: list[Topic], papers: Iterable[Paper], catalog: Catalog | None = None
) -> list[TopicSuggestion]:
    """A suggestion for each untagged item whose best code is clear enough."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    papers = list(papers)
    if not topics:
        return []
    topic_docs: list[str] = []
    for topic in topics:
        tagged = [_text(p, None) for p in papers if topic.code in p.topics]
        topic_docs.append(" ".join([topic.name, topic.description or "", *tagged]))
    untagged = [p for p in papers if not p.topics]
    if not untagged:
        return []
    item_docs = [_text(p, catalog) for p in untagged]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    matrix = vectorizer.fit_transform(topic_docs + item_docs)
    topic_m, item_m = matrix[: len(topics)], matrix[len(topics) :]
    sims = (item_m @ topic_m.T).toarray()
    out = []
    for paper, text, row in zip(untagged, item_docs, sims, strict=True):
        order = row.argsort()[::-1]
        best, second = int(order[0]), int(order[1]) if len(order) > 1 else None
        margin = row[best] - (row[second] if second is not None else 0.0)
        evidence = _evidence(text, topic_docs[best])
        if row[best] < MIN_SCORE or margin < MIN_MARGIN or not evidence:
            continue
        out.append(
            TopicSuggestion(
                key=paper.key,
                title=paper.display_title,
                code=topics[best].code,
                score=float(row[best]),
                evidence=evidence,
                runner_up=topics[second].code if second is not None else None,
            )
        )
    return sorted(out, key=lambda s: (-s.score, s.key))


def accept(library: Library, suggestions: Iterable[TopicSuggestion]) -> list[str]:
    """Write the accepted codes into their papers (one batch); returns the keys changed."""
    changed = []
    with library.lock():
        papers = []
        for suggestion in suggestions:
            paper = library.load_paper(suggestion.key)
            if suggestion.code not in paper.topics:
                paper.topics = [*paper.topics, suggestion.code]
                papers.append(paper)
                changed.append(paper.key)
        if papers:
            library.save_papers(papers)
    return changed
