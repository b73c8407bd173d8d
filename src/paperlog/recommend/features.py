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


# --- a large catalog: candidates pre-filtered before any feature is loaded -------------------

LARGE_CATALOG = 300_000
"""Above this many papers, ``recommend`` ranks pre-filtered candidates, not the whole catalog:
hashed counts of 3M papers would take ~6 GB and an hour to compute on two cores."""
CANDIDATES = 50_000
"""How many catalog papers the pre-filter keeps (the best by BM25 to the reader's words)."""
VOCABULARY = 24
"""How many of the reader's words the pre-filter asks the full-text index for."""
HASH_CHUNK = 20_000


def reader_vocabulary(texts: list[str], size: int | None = None) -> list[str]:
    """The words most of the reader's papers use (English stop words and very short words
    left out), most common first: what the pre-filter searches the catalog for."""
    from collections import Counter

    analyzer = _vectorizer().build_analyzer()
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update({t for t in analyzer(text) if " " not in t and len(t) >= 3})
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [term for term, _ in ranked[: VOCABULARY if size is None else size]]


def candidate_ids(
    catalog: Catalog,
    vocabulary: list[str],
    *,
    since: str | None = None,
    limit: int | None = None,
) -> list[int]:
    """Catalog ids worth ranking: every paper when the catalog holds no more than ``limit``
    (after ``since``), else the ``limit`` best by BM25 over title and abstract to the
    reader's words. The full-text index does this without reading a single row."""
    limit = CANDIDATES if limit is None else limit
    where, params = _since_sql(since)
    (count,) = catalog.execute(f"SELECT count(*) FROM papers AS p WHERE {where}", params)[0]
    if count <= limit or not vocabulary:
        rows = catalog.execute(
            f"SELECT p.id FROM papers AS p WHERE {where} ORDER BY p.id DESC LIMIT ?",
            [*params, limit],
        )
        return sorted(int(r[0]) for r in rows)
    match = "{title abstract} : (" + " OR ".join(f'"{w}"' for w in vocabulary) + ")"
    if since is None:
        sql = (
            "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? "
            "ORDER BY bm25(papers_fts) LIMIT ?"
        )
        rows = catalog.execute(sql, [match, limit])
    else:
        sql = (
            "SELECT f.rowid FROM papers_fts AS f JOIN papers AS p ON p.id = f.rowid "
            f"WHERE papers_fts MATCH ? AND {where} ORDER BY bm25(papers_fts) LIMIT ?"
        )
        rows = catalog.execute(sql, [match, *params, limit])
    return sorted(int(r[0]) for r in rows)


def _since_sql(since: str | None) -> tuple[str, list[Any]]:
    if since is None:
        return "1", []
    return "(p.date >= ? OR (p.date IS NULL AND p.year >= ?))", [since, int(since[:4])]


def candidate_path(catalog: Catalog) -> Path:
    """Where the hashed counts of the last candidates are kept (a large catalog)."""
    return catalog.path.with_name(catalog.path.name + ".candidates.npz")


def load_candidate_features(catalog: Catalog, ids: list[int], progress: Any = None) -> Features:
    """Hashed counts of these catalog papers (in ``ids`` order), computed a chunk at a time;
    the rows of the previous run's candidates are reused, so a second ``recommend`` over an
    unchanged catalog hashes nothing."""
    import numpy as np
    from scipy import sparse

    path = candidate_path(catalog)
    wanted = np.array(sorted(set(ids)), dtype=np.int64)
    old_ids = np.zeros(0, dtype=np.int64)
    old: csr_matrix | None = None
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as data:
                if int(data["version"]) == FEATURES_VERSION:
                    old_ids = data["ids"]
                    old = sparse.csr_matrix(
                        (data["data"], data["indices"], data["indptr"]),
                        shape=(len(old_ids), N_FEATURES),
                    )
        except (OSError, ValueError, KeyError):
            old_ids, old = np.zeros(0, dtype=np.int64), None
    known = np.isin(wanted, old_ids) if old is not None else np.zeros(len(wanted), dtype=bool)
    parts: list[tuple[np.ndarray, csr_matrix]] = []
    if known.any() and old is not None:
        keep = np.isin(old_ids, wanted)
        parts.append((old_ids[keep], old[np.flatnonzero(keep)]))
    missing = [int(i) for i in wanted[~known]]
    for start in range(0, len(missing), HASH_CHUNK):
        chunk = missing[start : start + HASH_CHUNK]
        got_ids, texts = catalog.texts_of(chunk)
        parts.append((np.array(got_ids, dtype=np.int64), hash_texts(texts)))
        if progress:
            progress(len(chunk))
    if not parts:
        return Features(np.zeros(0, dtype=np.int64), sparse.csr_matrix((0, N_FEATURES)))
    all_ids = np.concatenate([p[0] for p in parts])
    counts = sparse.vstack([p[1] for p in parts], format="csr")
    order = np.argsort(all_ids, kind="stable")
    all_ids, counts = all_ids[order], counts[order]
    if missing:
        _save(path, all_ids, counts)
    return Features(all_ids, counts)
