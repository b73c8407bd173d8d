"""Rank catalog papers for one reader, learned from their own log.

The method (measured against baselines by ``make eval``, docs/discover.md):

1. Text: each paper's title and abstract as hashed uni+bigram tf-idf (``features``). A library
   paper found in the catalog (by arXiv ID, DOI or title) uses the catalog's abstract; one that
   is not is hashed from what the library holds (title, abstract, key ideas).
2. A linear SVM (scikit-learn ``LinearSVC``, balanced classes) separates the reader's papers
   (positives: read and wished, weighted by recency and review grades) from the rest of the
   catalog; suggestions rated bad or skipped are explicit negatives with a higher weight. This
   is arxiv-sanity-lite's model, with C and features tuned on real reading lists.
3. A venue prior: how the reader's papers spread over the catalog's sources (CVPR 2019, ICLR
   2018, arXiv ...), smoothed, added in log space. Readers of one field read its venues; the
   prior is what lifts paperlog above the plain SVM in ``make eval``.

Each suggestion is explained by the words that pushed its score up most and the papers of the
library nearest to it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix

SVM_C = 0.1
PRIOR_WEIGHT = 0.2
NEGATIVE_WEIGHT = 2.0


@dataclass
class Example:
    """One labelled paper: a catalog row, or a library paper's own text (``row`` None)."""

    label: int
    """1 for a paper the reader chose (read, wished, rated good), 0 for one they turned down."""
    weight: float = 1.0
    row: int | None = None
    text: str = ""
    group: str | None = None
    """The catalog source this paper's venue and year name ("cvpr2019"), for the prior."""
    title: str = ""


@dataclass
class Ranking:
    """Scores of every catalog row and what explains them."""

    scores: np.ndarray
    """One score per catalog row (rows in the features' order); excluded rows are -inf."""
    margins: np.ndarray
    """The SVM's signed distance from its boundary, per row (before the prior)."""
    coef: np.ndarray
    matrix: csr_matrix
    positive_matrix: csr_matrix
    positive_titles: list[str] = field(default_factory=list)

    def top(self, n: int) -> list[int]:
        """Row numbers of the n best."""
        return top_rows(self.scores, n)

    def least_sure(self, n: int, among: int = 500) -> list[int]:
        """Row numbers of the n papers the model is least sure about: of the ``among`` best,
        those whose SVM margin is nearest the boundary (what a rating teaches most, as in
        Scholar Inbox's active learning), best first among equals."""
        return least_sure_rows(self.scores, self.margins, n, among)

    def explain(
        self, row: int, words: int = 5, near: int = 2
    ) -> tuple[list[int], list[tuple[str, float]]]:
        """(top contributing feature numbers, (title, cosine) of the nearest library papers)
        for a row; ``feature_words`` names the features."""
        import numpy as np

        vec = self.matrix[row]
        contrib = vec.data * self.coef[vec.indices]
        order = np.argsort(-contrib)[: words * 3]
        features = [int(vec.indices[i]) for i in order if contrib[i] > 0]
        sims = (self.positive_matrix @ vec.T).toarray().ravel()
        nearest = [
            (self.positive_titles[i], float(sims[i]))
            for i in np.argsort(-sims)[:near]
            if sims[i] > 0
        ]
        return features[:words], nearest


def top_rows(scores: np.ndarray, n: int) -> list[int]:
    """Row numbers of the n best finite scores, best first (any ranker's scores)."""
    import numpy as np

    n = min(n, int(np.isfinite(scores).sum()))
    if n <= 0:
        return []
    best = np.argpartition(-scores, n - 1)[:n]
    return [int(i) for i in best[np.argsort(-scores[best], kind="stable")]]


def least_sure_rows(scores: np.ndarray, margins: np.ndarray, n: int, among: int) -> list[int]:
    """Of the ``among`` best rows, the n whose margin is nearest the boundary (0)."""
    import numpy as np

    pool = top_rows(scores, among)
    if not pool:
        return []
    order = np.argsort(np.abs(margins[pool]), kind="stable")[:n]
    return [pool[i] for i in order]


def sample_weight(*, status: str, days_ago: int | None, last_rating: str | None = None) -> float:
    """A positive's weight: read papers count more than wished ones, recent ones more than old
    ones (half-life of a year, never below a quarter), and review grades nudge it."""
    base = 1.0 if status in ("read", "reading") else 0.6
    if days_ago is not None and days_ago > 0:
        base *= max(0.25, math.pow(0.5, days_ago / 365.0))
    grade = {"again": 0.8, "hard": 0.9, "good": 1.0, "easy": 1.1}
    return base * grade.get(last_rating or "", 1.0)


def training_targets(
    total: int, n_rows: int, outside: Sequence[Example], examples: Iterable[Example]
) -> tuple[np.ndarray, np.ndarray, list[int], list[str]]:
    """Labels, sample weights, the positives' rows and their titles for one training set of ``total``
    rows: the catalog's ``n_rows`` first (examples carry their ``row``), then ``outside`` (the
    library's papers the catalog lacks), in order. Shared by every ranker.

    Raises ``ValueError`` when there is no positive example.
    """
    import numpy as np

    labels = np.zeros(total, dtype=np.int8)
    weights = np.ones(total, dtype=np.float64)
    positives: list[int] = []
    titles: list[str] = []
    for number, example in enumerate(outside):
        row = n_rows + number
        labels[row] = example.label
        weights[row] = example.weight
        if example.label:
            positives.append(row)
            titles.append(example.title)
    for example in examples:
        if example.row is None:
            continue
        labels[example.row] = example.label
        if example.label:
            weights[example.row] = example.weight
            positives.append(example.row)
            titles.append(example.title)
        else:
            weights[example.row] = NEGATIVE_WEIGHT * example.weight
    if not positives:
        raise ValueError("no positive example to learn from")
    # Recency and grades weigh positives against each other, not against the catalog: scaled
    # to average 1, so an old log is not drowned by the negatives.
    weights[positives] /= weights[positives].mean()
    # Balanced classes, as arxiv-sanity: a handful of positives against the whole catalog.
    n_pos = labels.sum()
    n_neg = len(labels) - n_pos
    balance = np.where(labels == 1, len(labels) / (2.0 * n_pos), len(labels) / (2.0 * n_neg))
    return labels, weights * balance, positives, titles


def final_scores(
    margins: np.ndarray,
    prior_weight: float,
    groups: list[str],
    examples: Iterable[Example],
    candidates: np.ndarray | None,
) -> np.ndarray:
    """A ranker's margins plus the venue prior, with the library's own rows and the rows
    outside ``candidates`` ranked last (-inf). Shared by every ranker."""
    import numpy as np

    examples = list(examples)
    scores = margins.copy()
    if prior_weight:
        scores = scores + prior_weight * venue_prior(groups, examples)
    mask = np.ones(len(margins), dtype=bool) if candidates is None else candidates.copy()
    for example in examples:
        if example.row is not None:
            mask[example.row] = False
    scores[~mask] = -np.inf
    return scores


def rank(
    counts: csr_matrix,
    groups: list[str],
    examples: Iterable[Example],
    *,
    candidates: np.ndarray | None = None,
    svm_c: float = SVM_C,
    prior_weight: float = PRIOR_WEIGHT,
) -> Ranking:
    """Train on the examples and score every catalog row.

    ``counts`` are the catalog's hashed counts (``features.load_features``), ``groups`` each
    row's source, ``candidates`` a boolean mask of rows that may be suggested (all by default).
    Positive catalog rows are never suggested.
    """
    import numpy as np
    from scipy import sparse
    from sklearn.svm import LinearSVC

    from paperlog.recommend.features import document_frequency, hash_texts, tfidf

    examples = list(examples)
    n_rows = counts.shape[0]
    outside = [e for e in examples if e.row is None and e.text]
    extra = hash_texts([e.text for e in outside]) if outside else None
    full = sparse.vstack([counts, extra], format="csr") if extra is not None else counts
    matrix = tfidf(full, document_frequency(full), full.shape[0])

    labels, sample, positives, titles = training_targets(full.shape[0], n_rows, outside, examples)
    clf = LinearSVC(C=svm_c, max_iter=10_000, tol=1e-6, random_state=0)
    clf.fit(matrix, labels, sample_weight=sample)
    margins = np.asarray(clf.decision_function(matrix[:n_rows]), dtype=np.float64)
    scores = final_scores(margins, prior_weight, groups, examples, candidates)
    return Ranking(
        scores=scores,
        margins=margins,
        coef=np.asarray(clf.coef_).ravel(),
        matrix=matrix[:n_rows],
        positive_matrix=matrix[positives],
        positive_titles=titles,
    )


def venue_prior(groups: list[str], examples: Iterable[Example], smooth: float = 1.0) -> np.ndarray:
    """log P(source | reader) / size(source), per row: the reader's share of a source, spread
    over its papers, with add-``smooth`` smoothing so an unread source is unlikely, not ruled out."""
    import numpy as np

    names, index = np.unique(np.array(groups, dtype=object), return_inverse=True)
    position = {str(name): i for i, name in enumerate(names)}
    counts = np.zeros(len(names), dtype=np.float64)
    total = 0.0
    for example in examples:
        # A paper the catalog holds counts for the catalog's own source (its conference), one
        # it does not for the source its badge names.
        group = groups[example.row] if example.row is not None else example.group
        if example.label and group in position:
            counts[position[group]] += example.weight
            total += example.weight
    size = np.bincount(index, minlength=len(names)).astype(np.float64)
    share = (counts + smooth) / (total + smooth * len(names))
    prior: np.ndarray = np.log(share / size)[index]
    return prior


def group_of(venue: str | None, year: int | None, arxiv: bool = False) -> str | None:
    """The catalog source name a library paper's venue and year correspond to."""
    if venue and year:
        name = "neurips" if venue.lower() in ("nips", "neurips") else venue.lower()
        return f"{name}{year}"
    return "arxiv" if arxiv else None


def feature_words(text: str, wanted: list[int]) -> list[str]:
    """Names of hashed feature numbers: the words (and word pairs) of ``text`` that hash to them."""
    from sklearn.utils import murmurhash3_32

    from paperlog.recommend.features import N_FEATURES, _vectorizer

    names: dict[int, str] = {}
    for term in _vectorizer().build_analyzer()(text):
        index = abs(int(murmurhash3_32(term, seed=0, positive=False))) % N_FEATURES
        names.setdefault(index, term)
    return [names[f] for f in wanted if f in names]
