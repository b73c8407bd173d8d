"""``make eval``: paperlog's recommendations against baselines, on real reading lists.

For each real reading list in ../shared/corpus/readmes whose papers the catalog holds
(patrick-llgc, DanielTakeshi, dennybritz), the README is imported into a fresh library with
paperlog's own importer, its papers are linked to the catalog (built from
../shared/corpus/catalog and ../shared/corpus/arxiv, ~51,000 papers), and over 5 random splits
20% of the linked papers are hidden. Each ranker then ranks the whole catalog (minus the papers
it trained on) and the hidden papers' ranks give recall@20, recall@100 and MRR.

Rankers:
- random; newest first (catalog date);
- BM25 over catalog titles with the training titles as the query;
- arxiv-sanity-lite: its tf-idf settings (uni+bigrams, 20,000 features, min_df 5, max_df 0.1,
  sublinear tf) and a linear SVM (C=0.01, balanced classes) on the training papers;
- paperlog tf-idf, as ``paperlog recommend --ranker tfidf`` runs it
  (``paperlog.recommend.service.library_examples`` and ``model.rank``): the rest of the library
  as positives (linked papers by their catalog text, the others by their own), hashed tf-idf,
  SVM and the venue prior;
- paperlog semantic (``--ranker semantic``, needs the semantic extra): the same examples, SVM
  and prior over all-MiniLM-L6-v2 embeddings (``semantic.rank_dense``), the catalog's
  embeddings computed once and cached in the catalog database (the first run takes an hour on
  a busy 2-core machine; ``--no-semantic`` skips both dense rankers);
- paperlog blend (``--ranker blend``): the two averaged (``semantic.blend_scores``).

Usage: ``python bench/eval_recommend.py [--lists N] [--splits N] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from paperlog.catalog.ingest import expand_sources, ingest_path
from paperlog.catalog.store import Catalog
from paperlog.library import Library

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
LISTS = (
    "patrick-llgc_Learning-Deep-Learning",
    "DanielTakeshi_Paper_Notes",
    "dennybritz_deeplearning-papernotes",
)
HIDE = 0.2


def build_catalog(path: Path) -> Catalog:
    """The evaluation catalog from the corpus (ingest is resumable: a second run reads nothing)."""
    catalog = Catalog.open(path)
    sources = expand_sources(
        [
            CORPUS / "catalog",
            CORPUS / "arxiv" / "arxiv-browse_abs",
            CORPUS / "arxiv" / "kaggle_snapshot_sample",
        ]
    )
    for source in sources:
        ingest_path(catalog, source, submissions="ICLR2021" in str(source))
    return catalog


def _library(name: str, root: Path) -> Library:
    from paperlog.services.import_readme import import_readme

    library = Library.create(root)
    import_readme(library, CORPUS / "readmes" / name / "README.md")
    return Library.open(root)


Ranker = Callable[[list[int], Any, np.random.Generator], np.ndarray]


def _bm25(titles_matrix: Any) -> Ranker:
    counts = titles_matrix
    n = counts.shape[0]
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    length = np.asarray(counts.sum(axis=1)).ravel()
    avg = length.mean()
    coo = counts.tocoo()
    k1, b = 1.2, 0.75
    tf_part = coo.data * (k1 + 1) / (coo.data + k1 * (1 - b + b * length[coo.row] / avg))

    def score(train: list[int], _ctx: Any, _rng: np.random.Generator) -> np.ndarray:
        query = np.asarray(counts[train].sum(axis=0)).ravel()
        out = np.zeros(n)
        np.add.at(out, coo.row, tf_part * idf[coo.col] * query[coo.col])
        return out

    return score


def _arxiv_sanity(texts: list[str]) -> Ranker:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(
        input="content",
        encoding="utf-8",
        decode_error="replace",
        strip_accents="unicode",
        lowercase=True,
        analyzer="word",
        stop_words="english",
        token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
        ngram_range=(1, 2),
        max_features=20000,
        norm="l2",
        use_idf=True,
        smooth_idf=True,
        sublinear_tf=True,
        max_df=0.1,
        min_df=5,
    )
    matrix = vectorizer.fit_transform(texts)

    def score(train: list[int], _ctx: Any, _rng: np.random.Generator) -> np.ndarray:
        labels = np.zeros(matrix.shape[0])
        labels[train] = 1
        clf = LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-6, C=0.01, random_state=0)
        clf.fit(matrix, labels)
        return np.asarray(clf.decision_function(matrix))

    return score


PAPERLOG = ("paperlog tf-idf", "paperlog semantic", "paperlog blend")


def _dense_rankers(
    catalog: Catalog,
    ids: list[int],
    groups: list[str],
    row_of: dict[int, int],
    memo: dict[str, Any],
) -> dict[str, Ranker]:
    """The embedding ranker and the blend (empty, with a note, without the semantic extra)."""
    from paperlog.recommend import semantic
    from paperlog.recommend.service import library_examples

    reason = semantic.available()
    if reason:
        print(f"eval: no semantic rankers: {reason}", file=sys.stderr)
        return {}
    encoder = semantic.Encoder()
    started = time.perf_counter()
    encoded = semantic.update_embeddings(catalog, encoder)
    if encoded:
        took = time.perf_counter() - started
        print(f"embedded {encoded:,} papers in {took:.0f} s", file=sys.stderr)
    embeddings = semantic.load_embeddings(catalog.path, encoder.key, ids)

    def dense(train: list[int], ctx: Any, _rng: np.random.Generator) -> np.ndarray:
        papers, today = ctx
        examples, _ = library_examples(papers, [], catalog, row_of, today=today)
        scores = semantic.rank_dense(
            embeddings,
            groups,
            examples,
            lambda texts: semantic.encode_cached(catalog.path, encoder, texts),
        ).scores
        memo["paperlog semantic"] = scores
        return scores

    def blend(train: list[int], ctx: Any, _rng: np.random.Generator) -> np.ndarray:
        # Runs after both rankers on the same split: their scores are in the memo.
        return semantic.blend_scores(memo["paperlog tf-idf"], memo["paperlog semantic"])

    return {"paperlog semantic": dense, "paperlog blend": blend}


def evaluate(
    lists: list[str], splits: int, catalog_path: Path, workdir: Path, *, dense: bool = True
) -> dict[str, Any]:
    """Every ranker on every list: mean recall@20, recall@100 and MRR over the splits."""
    from sklearn.feature_extraction.text import CountVectorizer

    from paperlog.recommend.features import load_features
    from paperlog.recommend.model import rank
    from paperlog.recommend.service import _groups, catalog_row_of, library_examples

    started = time.perf_counter()
    catalog = build_catalog(catalog_path)
    features = load_features(catalog)
    row_of = features.row_of()
    ids, texts = catalog.texts()
    assert ids == [int(i) for i in features.ids]
    titles = [t.split(". ", 1)[0] for t in texts]
    dates = np.array([d or "" for d in catalog.column("date")])
    newest = np.argsort(np.argsort(dates, kind="stable"), kind="stable").astype(float)
    groups = _groups(catalog)
    print(f"catalog: {len(ids):,} papers ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    rankers: dict[str, Ranker] = {
        "random": lambda _t, _c, rng: rng.random(len(ids)),
        "newest first": lambda _t, _c, _r: newest,
        "BM25 titles": _bm25(CountVectorizer(stop_words="english").fit_transform(titles)),
        "arxiv-sanity-lite": _arxiv_sanity(texts),
    }

    memo: dict[str, Any] = {}

    def paperlog(train: list[int], ctx: Any, _rng: np.random.Generator) -> np.ndarray:
        papers, today = ctx
        examples, _ = library_examples(papers, [], catalog, row_of, today=today)
        scores = rank(features.counts, groups, examples).scores
        memo["paperlog tf-idf"] = scores
        return scores

    rankers["paperlog tf-idf"] = paperlog
    if dense:
        rankers.update(_dense_rankers(catalog, ids, groups, row_of, memo))
    results: dict[str, Any] = {"lists": {}, "catalog": len(ids)}
    for name in lists:
        library = _library(name, workdir / name)
        papers = library.load_papers()
        linked: dict[str, int] = {}
        for paper in papers:
            hit = catalog_row_of(catalog, paper)
            if hit is not None and hit.id in row_of:
                linked[paper.key] = row_of[hit.id]
        # Two items of a list may name one catalog paper: one of them stands for it.
        by_row: dict[int, str] = {}
        for key, row in sorted(linked.items()):
            by_row.setdefault(row, key)
        keys = sorted(by_row.values())
        days = [
            r.date or r.week_start for p in papers for r in p.readings if r.date or r.week_start
        ]
        today = max((d for d in days if d), default=date(2020, 1, 1))
        scores: dict[str, list[tuple[float, float, float]]] = {r: [] for r in rankers}
        for seed in range(splits):
            rng = np.random.default_rng(seed)
            order = list(rng.permutation(keys))
            hidden_keys = set(order[: max(1, int(len(order) * HIDE))])
            hidden = np.array([linked[k] for k in hidden_keys])
            train_papers = [p for p in papers if p.key not in hidden_keys]
            train_rows = sorted({linked[k] for k in keys if k not in hidden_keys})
            hidden_rows = set(hidden.tolist())
            train_rows = [r for r in train_rows if r not in hidden_rows]
            for rname, ranker in rankers.items():
                s = np.array(
                    ranker(train_rows, (train_papers, today), np.random.default_rng(seed)),
                    dtype=float,
                )
                s[train_rows] = -np.inf
                ranks = np.empty(len(s), dtype=np.int64)
                ranks[np.argsort(-s, kind="stable")] = np.arange(len(s))
                got = ranks[hidden]
                scores[rname].append(
                    (
                        float((got < 20).mean()),
                        float((got < 100).mean()),
                        float((1.0 / (got + 1)).mean()),
                    )
                )
        results["lists"][name] = {
            "items": len(papers),
            "linked": len(keys),
            "hidden_per_split": max(1, int(len(keys) * HIDE)),
            "rankers": {
                r: dict(
                    zip(
                        ("recall@20", "recall@100", "mrr"),
                        np.mean(v, axis=0).round(4).tolist(),
                        strict=True,
                    )
                )
                for r, v in scores.items()
            },
        }
        print(f"{name}: done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    results["seconds"] = round(time.perf_counter() - started)
    return results


def table(results: dict[str, Any]) -> str:
    """The Markdown table docs/discover.md shows."""
    lines = [
        "| list (items / linked) | ranker | recall@20 | recall@100 | MRR |",
        "|---|---|---|---|---|",
    ]
    for name, data in results["lists"].items():
        label = f"{name.split('_')[0]} ({data['items']} / {data['linked']})"
        best = {
            m: max(r[m] for r in data["rankers"].values())
            for m in ("recall@20", "recall@100", "mrr")
        }
        for rname, m in data["rankers"].items():
            cells = [
                f"**{m[k]:.3f}**" if m[k] == best[k] and m[k] > 0 else f"{m[k]:.3f}"
                for k in ("recall@20", "recall@100", "mrr")
            ]
            lines.append(f"| {label} | {rname} | {' | '.join(cells)} |")
            label = ""
    return "\n".join(lines)


def best_paperlog(results: dict[str, Any]) -> str:
    """The paperlog ranker with the best mean of recall@20, recall@100 and MRR over the lists
    (each metric divided by its best value on that list, so no list or metric dominates),
    among those that beat every baseline on every list and metric."""
    totals: dict[str, float] = {}
    for data in results["lists"].values():
        rankers = data["rankers"]
        for metric in ("recall@20", "recall@100", "mrr"):
            top = max(rankers[r][metric] for r in PAPERLOG if r in rankers) or 1.0
            for r in PAPERLOG:
                if r in rankers:
                    totals[r] = totals.get(r, 0.0) + rankers[r][metric] / top
    # The default must beat every baseline everywhere (the bar): among the rankers
    # that do, the best mean; only when none does, the best mean of all.
    clean = [r for r in totals if not verdict(results, r)]
    return max(clean or totals, key=lambda r: totals[r])


def verdict(results: dict[str, Any], ours_name: str) -> list[str]:
    """Lists and metrics where paperlog (the ranker named) does not beat every baseline
    (empty when it does)."""
    misses = []
    for name, data in results["lists"].items():
        ours = data["rankers"][ours_name]
        for rname, m in data["rankers"].items():
            if rname in PAPERLOG:
                continue
            for metric in ("recall@20", "recall@100", "mrr"):
                if ours[metric] <= m[metric]:
                    misses.append(f"{name}: {metric} {ours[metric]} <= {rname} {m[metric]}")
    return misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--lists", type=int, default=len(LISTS))
    parser.add_argument("--only", action="append", default=[], help="Evaluate this list only.")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=REPO / "build" / "eval")
    parser.add_argument("--out", type=Path, default=None, help="Also write the results as JSON.")
    parser.add_argument(
        "--no-semantic", action="store_true", help="Skip the embedding ranker and the blend."
    )
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"eval: the corpus {CORPUS} is absent; nothing to evaluate", file=sys.stderr)
        sys.exit(1)
    args.workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        # The catalog is kept between runs (ingest resumes, features are cached beside it);
        # the libraries are imported afresh each time.
        results = evaluate(
            args.only or list(LISTS[: args.lists]),
            args.splits,
            args.workdir / "catalog.sqlite",
            Path(tmp),
            dense=not args.no_semantic,
        )
    print(table(results))
    best = best_paperlog(results)
    results["best"] = best
    print(f"\nbest paperlog ranker: {best}")
    misses = verdict(results, best)
    print(f"{best} beats every baseline on every list and metric" if not misses else "misses:")
    for miss in misses:
        print(f"- {miss}")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
