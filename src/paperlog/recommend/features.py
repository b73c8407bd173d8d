"""Text features of catalog papers, computed once and kept beside the catalog.

Each paper's "title. abstract" becomes a row of hashed uni- and bigram counts
(scikit-learn's ``HashingVectorizer``: stateless, so rows added by a later ingest are hashed the
same way and appended, never recomputed). tf-idf weights are derived from the stored counts when
a model is trained. The counts live in ``<catalog>.features.npz`` with the catalog row ids they
belong to; a catalog that grew gets only its new rows hashed.

scikit-learn and SciPy are imported here, inside functions: ``paperlog search`` never pays.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix

    from paperlog.catalog.store import Catalog

N_FEATURES = 2**20
TOKEN_PATTERN = r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b"
FEATURES_VERSION = 1


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        n_features=N_FEATURES,
        ngram_range=(1, 2),
        stop_words="english",
        strip_accents="unicode",
        token_pattern=TOKEN_PATTERN,
        alternate_sign=False,
        norm=None,
        dtype=_float32(),
    )


def _float32() -> Any:
    import numpy as np

    return np.float32


def hash_texts(texts: list[str]) -> csr_matrix:
    """Hashed uni+bigram counts of each text (one row per text)."""
    matrix: csr_matrix = _vectorizer().transform(texts)
    return matrix


@dataclass
class Features:
    """Counts of every catalog paper (rows in ``ids`` order) and their document frequencies."""

    ids: np.ndarray
    counts: csr_matrix

    def row_of(self) -> dict[int, int]:
        """Catalog id -> row number."""
        return {int(i): n for n, i in enumerate(self.ids)}


def features_path(catalog: Catalog) -> Path:
    """Where a catalog's features are kept."""
    return catalog.path.with_name(catalog.path.name + ".features.npz")


def load_features(catalog: Catalog, progress: Any = None) -> Features:
    """The catalog's features, hashing only rows added since they were last saved."""
    import numpy as np
    from scipy import sparse

    path = features_path(catalog)
    ids = np.zeros(0, dtype=np.int64)
    counts: csr_matrix = sparse.csr_matrix((0, N_FEATURES), dtype=np.float32)
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as data:
                if int(data["version"]) == FEATURES_VERSION:
                    ids = data["ids"]
                    counts = sparse.csr_matrix(
                        (data["data"], data["indices"], data["indptr"]),
                        shape=(len(ids), N_FEATURES),
                    )
        except (OSError, ValueError, KeyError):
            ids = np.zeros(0, dtype=np.int64)  # a damaged cache is rebuilt, never trusted
    last = int(ids[-1]) if len(ids) else 0
    new_ids, texts = catalog.texts("p.id > ?", [last])
    catalog_ids = catalog.all_ids()
    if len(ids) and (len(ids) + len(new_ids) != len(catalog_ids)):
        # Rows were merged or removed under old ids: hash everything again.
        return _rebuild(catalog, path, progress)
    if new_ids:
        chunks = []
        for start in range(0, len(texts), 20_000):
            chunks.append(hash_texts(texts[start : start + 20_000]))
            if progress:
                progress(min(20_000, len(texts) - start))
        counts = sparse.vstack([counts, *chunks], format="csr")
        ids = np.concatenate([ids, np.array(new_ids, dtype=np.int64)])
        _save(path, ids, counts)
    return Features(ids, counts)


def _rebuild(catalog: Catalog, path: Path, progress: Any) -> Features:
    path.unlink(missing_ok=True)
    return load_features(catalog, progress)


def _save(path: Path, ids: np.ndarray, counts: csr_matrix) -> None:
    import os

    import numpy as np

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npz")
    np.savez(
        tmp,
        version=np.array(FEATURES_VERSION),
        ids=ids,
        data=counts.data,
        indices=counts.indices,
        indptr=counts.indptr,
    )
    tmp.replace(path)


def tfidf(counts: csr_matrix, df: np.ndarray, n_docs: int, max_df: float = 0.2) -> csr_matrix:
    """Sublinear tf times smoothed idf, rows L2-normalised; terms in more than ``max_df`` of
    the documents or in fewer than two carry no weight (the idea of arxiv-sanity's tf-idf)."""
    import numpy as np
    from sklearn.preprocessing import normalize

    idf = np.log((1 + n_docs) / (1 + df)) + 1.0
    keep = (df >= 2) & (df <= max_df * n_docs)
    idf = np.where(keep, idf, 0.0).astype(np.float32)
    out = counts.copy()
    out.data = np.log1p(out.data, dtype=np.float32)
    out = out.multiply(idf).tocsr()
    out.eliminate_zeros()
    normalised: csr_matrix = normalize(out, norm="l2", copy=False)
    return normalised


def document_frequency(counts: csr_matrix) -> np.ndarray:
    """In how many rows each feature occurs."""
    import numpy as np

    return np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float32)
