"""Is a paper already in the library? Same identifier, or a near-identical title.

Two papers are the same when they share an arXiv id (versions ignored), a DOI (case ignored) or
another identifier of the same kind (``IDENTIFYING_KINDS``), or when their titles, lower-cased and stripped of
punctuation and accents, score at least ``TITLE_THRESHOLD`` with rapidfuzz's
``token_sort_ratio``. A library title is compared both bare and as ``Nickname: Title`` because
imported README entries often split a "SimCLR: ..." title into nickname and title.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from paperlog.model import Paper

TITLE_THRESHOLD = 93.0
"""token_sort_ratio (0-100) at or above which two normalised titles are the same paper."""

IDENTIFYING_KINDS = (
    "arxiv",
    "doi",
    "openreview",
    "s2",
    "dblp",
    "pmlr",
    "nips",
    "cvf",
    "pii",
    "acl",
)
"""Identifier kinds that name one paper. Not ``isbn`` (every chapter of a proceedings volume
shares it) nor descriptive keys such as ``arxiv_category``."""

_ARXIV_VERSION = re.compile(r"v\d+$")


def normalize_title(title: str) -> str:
    """Case-folded, ASCII-folded, punctuation to spaces, whitespace collapsed."""
    folded = unicodedata.normalize("NFKD", title.casefold()).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded.lower()).split())


def normalize_id(kind: str, value: str) -> str:
    """The comparable form of an identifier: DOIs lower-cased, arXiv versions dropped."""
    value = value.strip()
    if kind == "arxiv":
        return _ARXIV_VERSION.sub("", value.lower())
    if kind == "doi":
        return value.lower()
    return value


def title_similarity(a: str, b: str) -> float:
    """rapidfuzz token_sort_ratio of two normalised titles (0-100)."""
    from rapidfuzz import fuzz

    na, nb = normalize_title(a), normalize_title(b)
    if not na or not nb:
        return 0.0
    return float(fuzz.token_sort_ratio(na, nb))


def _titles(paper: Paper) -> list[str]:
    titles = [paper.title]
    if paper.nickname:
        titles.append(paper.display_title)
    return titles


def same_ids(a: Paper, b: Paper) -> str | None:
    """The kind of the first identifier both papers carry with the same value, else None."""
    for kind in IDENTIFYING_KINDS:
        if kind not in a.ids or kind not in b.ids:
            continue
        if a.ids[kind] and normalize_id(kind, a.ids[kind]) == normalize_id(kind, b.ids[kind]):
            return kind
    return None


def duplicate_reason(existing: Paper, candidate: Paper) -> str | None:
    """Why ``candidate`` is the same paper as ``existing`` ("same arxiv id", ...), or None."""
    kind = same_ids(existing, candidate)
    if kind is not None:
        return f"same {kind} id {candidate.ids[kind]}"
    best = max(
        (title_similarity(t, c) for t in _titles(existing) for c in _titles(candidate)),
        default=0.0,
    )
    if best >= TITLE_THRESHOLD:
        return f"near-identical title ({best:.0f}% similar)"
    return None


def find_duplicate(library_papers: Iterable[Paper], candidate: Paper) -> Paper | None:
    """The library paper ``candidate`` duplicates, or None.

    An identifier match anywhere wins over a title match, so a paper with the same arXiv id is
    named even when another paper has a similar title.
    """
    papers = [p for p in library_papers if p is not candidate]
    for paper in papers:
        if same_ids(paper, candidate) is not None:
            return paper
    best: tuple[float, Paper] | None = None
    for paper in papers:
        score = max(title_similarity(t, c) for t in _titles(paper) for c in _titles(candidate))
        if score >= TITLE_THRESHOLD and (best is None or score > best[0]):
            best = (score, paper)
    return best[1] if best else None
