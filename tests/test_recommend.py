"""Recommendations and topic suggestions, on a small catalog of two fields written here and on
the seed library, through the library API and the real CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from conftest import closed_sources_env, run_cli
from paperlog.catalog.records import CatalogRecord
from paperlog.catalog.store import Catalog
from paperlog.library import Library
from paperlog.model import Paper, Reading, Topic
from paperlog.recommend.model import Example, sample_weight, venue_prior
from paperlog.recommend.service import Options, load_ratings, rate, recommend
from paperlog.recommend.topics import accept, suggest_topics

_SEG = [
    "medical image segmentation with a convolutional encoder decoder for organs",
    "semi-supervised segmentation of brain tumours from few labelled scans",
    "uncertainty aware segmentation of cardiac magnetic resonance images",
    "volumetric segmentation network for liver and tumour in computed tomography",
    "self-ensembling for semi-supervised segmentation of skin lesions",
    "attention gates for pancreas segmentation in abdominal scans",
]
_GRAPH = [
    "graph neural networks predict properties of molecules from their bonds",
    "message passing on molecular graphs for drug discovery",
    "spectral graph convolutions for citation networks and node classification",
    "graph attention networks for protein interaction prediction",
    "equivariant message passing for atomistic simulations of materials",
    "link prediction in knowledge graphs with relational convolutions",
]


def _name(n: int) -> str:
    """A made-up word per number, so titles differ as real ones do."""
    import random

    rng = random.Random(n)
    return "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3)).title()


def _catalog(path: Path) -> Path:
    records = []
    for n in range(60):
        field, texts = ("seg", _SEG) if n % 2 == 0 else ("graph", _GRAPH)
        text = texts[n % len(texts)]
        records.append(
            CatalogRecord(
                title=f"{_name(n)} {_name(n + 1000)}: {'Segmentation' if field == 'seg' else 'Graphs'}",
                abstract=f"We study {text}. Our method improves {text} by a large margin (run {n}).",
                year=2019 + n % 3,
                date=f"{2019 + n % 3}-0{1 + n % 9}-15",
                venue="MICCAI" if field == "seg" else "ICML",
                venue_label=f"{'MICCAI' if field == 'seg' else 'ICML'} {2019 + n % 3}",
                arxiv=f"19{1 + n % 9:02d}.{n:05d}",
                source=f"{'miccai' if field == 'seg' else 'icml'}{2019 + n % 3}",
            )
        )
    with Catalog.open(path) as catalog:
        catalog.begin()
        for record in records:
            catalog.upsert(record)
        catalog.commit()
    return path


def _seg_library(root: Path) -> Library:
    library = Library.create(root)
    papers = [
        Paper(
            key=f"seg-{n}",
            title=f"{_name(n + 5000)} Revisited",
            abstract=text,
            status="read",
            year=2018,
            venue="MICCAI",
            topics=[],
            readings=[Reading(week=1, week_start=date(2020, 6, 1))],
        )
        for n, text in enumerate(_SEG[:4])
    ]
    library.save_papers(papers)
    return library


@pytest.fixture
def catalog_path(tmp_path: Path) -> Path:
    return _catalog(tmp_path / "catalog.sqlite")


def test_a_segmentation_reader_is_recommended_segmentation(
    tmp_path: Path, catalog_path: Path
) -> None:
    library = _seg_library(tmp_path / "lib")
    with Catalog.open(catalog_path) as catalog:
        found = recommend(library, catalog, Options(limit=10), today=date(2020, 7, 1))
    assert len(found) == 10
    assert all("segmentation" in s.paper.abstract for s in found)
    assert all(s.words for s in found)  # every pick explained by its words
    assert all(s.near and s.near[0].endswith("Revisited") for s in found)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_a_large_catalog_path_ranks_as_the_whole_catalog_path(
    tmp_path: Path, catalog_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path for a large catalog (candidates pre-filtered, their features read and hashed
    a chunk at a time, cached) gives exactly the whole-catalog path's ranking when the
    pre-filter keeps every paper; a second run reuses the cached rows."""
    from paperlog.recommend import features

    library = _seg_library(tmp_path / "lib")
    options = Options(limit=15)
    with Catalog.open(catalog_path) as catalog:
        whole = recommend(library, catalog, options, today=date(2020, 7, 1))
        since = recommend(
            library, catalog, Options(limit=15, since=date(2020, 3, 1)), today=date(2020, 7, 1)
        )
        monkeypatch.setattr(features, "LARGE_CATALOG", 0)
        monkeypatch.setattr(features, "HASH_CHUNK", 7)  # many chunks
        chunked = recommend(library, catalog, options, today=date(2020, 7, 1))
        assert features.candidate_path(catalog).is_file()
        hashed: list[int] = []
        original = features.hash_texts

        def counting(texts: list[str]) -> object:
            hashed.append(len(texts))
            return original(texts)

        monkeypatch.setattr(features, "hash_texts", counting)
        cached = recommend(library, catalog, options, today=date(2020, 7, 1))
        since_chunked = recommend(
            library, catalog, Options(limit=15, since=date(2020, 3, 1)), today=date(2020, 7, 1)
        )
    key = [(s.paper.id, round(s.score, 6), s.words, s.near) for s in whole]
    assert [(s.paper.id, round(s.score, 6), s.words, s.near) for s in chunked] == key
    assert [(s.paper.id, round(s.score, 6), s.words, s.near) for s in cached] == key
    # --since narrows the candidates before training (not only the suggestions, as on the
    # whole-catalog path): both suggest only papers since the day.
    for found in (since, since_chunked):
        assert found and all((s.paper.date or "") >= "2020-03-01" for s in found)
    # Only the library's own texts (papers the catalog lacks) were hashed again.
    assert hashed and max(hashed) <= 4


def test_the_prefilter_keeps_the_readers_field(
    tmp_path: Path, catalog_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With fewer candidates than papers, the full-text pre-filter picks those nearest the
    reader's own words: a segmentation reader's candidates are the segmentation papers."""
    from paperlog.recommend import features

    library = _seg_library(tmp_path / "lib")
    monkeypatch.setattr(features, "LARGE_CATALOG", 0)
    monkeypatch.setattr(features, "CANDIDATES", 20)
    with Catalog.open(catalog_path) as catalog:
        vocabulary = features.reader_vocabulary(_SEG[:4])
        assert "segmentation" in vocabulary
        ids = features.candidate_ids(catalog, vocabulary)
        assert len(ids) == 20
        assert all("segmentation" in p.abstract for p in catalog.papers(ids).values())
        found = recommend(library, catalog, Options(limit=10), today=date(2020, 7, 1))
        assert len(features.load_candidate_features(catalog, ids).ids) == 20
    assert len(found) == 10
    assert all("segmentation" in s.paper.abstract for s in found)
    assert {s.paper.id for s in found} <= set(ids)


def test_papers_in_the_library_and_rated_ones_are_never_suggested(
    tmp_path: Path, catalog_path: Path
) -> None:
    library = _seg_library(tmp_path / "lib")
    with Catalog.open(catalog_path) as catalog:
        first = recommend(library, catalog, Options(limit=3), today=date(2020, 7, 1))
        top = first[0].paper
        # The top pick enters the library under its arXiv id: it is not suggested again.
        library.save_papers(
            [Paper(key="taken", title="Another Title", ids={"arxiv": top.arxiv or ""})]
        )
        second = recommend(library, catalog, Options(limit=3), today=date(2020, 7, 1))
        assert top.id not in {s.paper.id for s in second}
        bad = second[0].paper
        rate(library, f"c{bad.id}", "bad", date(2020, 7, 2), catalog)
        third = recommend(library, catalog, Options(limit=3), today=date(2020, 7, 2))
        assert bad.id not in {s.paper.id for s in third}
    (rating,) = load_ratings(library)
    assert rating.verdict == "bad" and rating.ref == f"arxiv:{bad.arxiv}"


def test_since_topic_and_track_narrow_the_model(tmp_path: Path, catalog_path: Path) -> None:
    library = _seg_library(tmp_path / "lib")
    with Catalog.open(catalog_path) as catalog:
        recent = recommend(
            library, catalog, Options(limit=5, since=date(2021, 1, 1)), today=date(2021, 6, 1)
        )
        assert recent and all((s.paper.date or "") >= "2021-01-01" for s in recent)
        with pytest.raises(Exception, match="unknown topic code"):
            recommend(library, catalog, Options(topic="Xyz"), today=date(2021, 6, 1))
        with pytest.raises(Exception, match="no paper in track depth"):
            recommend(library, catalog, Options(track="depth"), today=date(2021, 6, 1))


def test_weights_and_the_venue_prior() -> None:
    assert sample_weight(status="read", days_ago=0) == 1.0
    assert sample_weight(status="wish", days_ago=0) == pytest.approx(0.6)
    assert sample_weight(status="read", days_ago=365) == pytest.approx(0.5)
    assert sample_weight(status="read", days_ago=5000) == pytest.approx(0.25)
    assert sample_weight(status="read", days_ago=0, last_rating="easy") > 1.0
    groups = ["cvpr2019", "cvpr2019", "arxiv", "arxiv", "arxiv", "arxiv"]
    prior = venue_prior(
        groups, [Example(label=1, group="cvpr2019"), Example(label=1, group="cvpr2019")]
    )
    assert prior[0] == prior[1] > prior[2] == prior[5]


def test_recommend_cli_json_and_add(tmp_path: Path, catalog_path: Path) -> None:
    # The tf-idf ranker here (the embedding model takes long to load in each process);
    # tests/test_semantic.py runs the CLI with the others.
    lib = tmp_path / "lib"
    _seg_library(lib)
    env = {
        "PAPERLOG_CATALOG": str(catalog_path),
        **closed_sources_env(),
    }
    shown = run_cli(
        "recommend", "--ranker", "tfidf", "--limit", "3", "--json", library=lib, env=env
    )
    assert shown.returncode == 0, shown.stderr
    picks = json.loads(shown.stdout)
    assert len(picks) == 3 and all(p["catalog_id"].startswith("c") and p["words"] for p in picks)
    added = run_cli(
        "recommend",
        "--ranker",
        "tfidf",
        "--limit",
        "3",
        "--add",
        "1",
        "--json",
        library=lib,
        env=env,
    )
    assert added.returncode == 0, added.stderr
    (key,) = json.loads(added.stdout)["added"]
    paper = Library.open(lib).load_paper(key)
    assert paper.status == "wish" and paper.ids.get("arxiv") == picks[0]["arxiv"]
    text = run_cli("recommend", "--ranker", "tfidf", "--limit", "2", library=lib, env=env)
    assert text.returncode == 0 and "words:" in text.stdout
    rated = run_cli("rate", picks[1]["catalog_id"], "bad", library=lib, env=env)
    assert rated.returncode == 0 and "rated bad" in rated.stdout
    empty = run_cli("recommend", library=tmp_path / "empty-lib", env=env)
    assert empty.returncode != 0


def test_an_empty_library_has_nothing_to_learn_from(tmp_path: Path, catalog_path: Path) -> None:
    library = Library.create(tmp_path / "lib")
    with Catalog.open(catalog_path) as catalog, pytest.raises(Exception, match=r"nothing|no paper"):
        recommend(library, catalog, Options(), today=date(2020, 1, 1))


# --- topic suggestions ----------------------------------------------------------------------------


def test_topic_suggestions_on_the_seed(tmp_path: Path, seed_path: Path) -> None:
    from paperlog.services.import_readme import import_readme

    library = Library.create(tmp_path / "lib")
    import_readme(library, seed_path)
    library = Library.open(library.root)
    papers = library.load_papers()
    assert not any(p.topics for p in papers)  # the seed defines 7 codes and tags nothing
    found = {s.key: s for s in suggest_topics(library.config.topics, papers)}
    by_title = {s.title: s.code for s in found.values()}
    assert by_title["SORT: Simple Online and Realtime Tracking"] == "Vid"
    assert by_title["Segmentation Survey: Image Segmentation Using Deep Learning"] == "Loc"
    assert (
        by_title["MoCo: Momentum Contrast for Unsupervised Visual Representation Learning"] == "Uns"
    )
    assert (
        by_title["An Active Learning Approach for Reducing Annotation Cost in Skin Lesion Analysis"]
        == "Ano"
    )
    assert all(s.evidence for s in found.values())
    before = {p.key: p.topics for p in Library.open(library.root).load_papers()}
    assert not any(before.values())  # suggesting writes nothing
    chosen = [s for s in found.values() if s.code == "Vid"]
    changed = accept(library, chosen)
    after = {p.key: p.topics for p in Library.open(library.root).load_papers()}
    assert sorted(changed) == sorted(s.key for s in chosen)
    assert all(after[k] == ["Vid"] for k in changed)


def test_topics_suggest_cli_writes_only_with_accept(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    library = Library.create(lib)
    library.config.topics = [
        Topic("Loc", "Localization", "Object Detection, Segmentation"),
        Topic("Vid", "Video", "Multi-Object Tracking, Temporal Features"),
    ]
    library.save_config()
    library = Library.open(lib)
    library.save_papers(
        [
            Paper(
                key="unet", title="U-Net: Convolutional Networks for Biomedical Image Segmentation"
            ),
            Paper(key="sort", title="SORT: Simple Online and Realtime Tracking"),
        ]
    )
    listed = run_cli("topics", "suggest", "--json", library=lib)
    assert listed.returncode == 0, listed.stderr
    codes = {s["key"]: s["code"] for s in json.loads(listed.stdout)}
    assert codes == {"unet": "Loc", "sort": "Vid"}
    assert Library.open(lib).load_paper("unet").topics == []
    written = run_cli("topics", "suggest", "--accept", library=lib)
    assert written.returncode == 0 and "tagged 2" in written.stdout
    assert Library.open(lib).load_paper("unet").topics == ["Loc"]
    table = run_cli("topics", library=lib)
    assert table.returncode == 0 and "Localization" in table.stdout


def test_rate_mode_asks_about_the_least_sure_papers() -> None:
    """Of the best-ranked papers, the ones nearest the SVM's boundary come first."""
    import numpy as np
    from scipy import sparse

    from paperlog.recommend.model import Ranking

    scores = np.array([3.0, 2.5, 2.0, 1.5, 1.0, -np.inf])
    margins = np.array([2.0, -0.1, 1.0, 0.05, -3.0, 0.0])
    empty = sparse.csr_matrix((6, 4))
    ranking = Ranking(
        scores=scores, margins=margins, coef=np.zeros(4), matrix=empty, positive_matrix=empty
    )
    assert ranking.top(3) == [0, 1, 2]
    assert ranking.least_sure(2, among=4) == [3, 1]  # |0.05| then |-0.1|; row 5 is excluded
    assert ranking.least_sure(10) == [3, 1, 2, 0, 4]


def test_recommend_rate_on_a_terminal_records_the_answers(
    tmp_path: Path, catalog_path: Path
) -> None:
    """``recommend --rate`` on a real pty: each answer lands in ratings.yaml."""
    import os
    import pty
    import subprocess
    import sys
    import time

    lib = tmp_path / "lib"
    _seg_library(lib)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLOG_")}
    env["PAPERLOG_CATALOG"] = str(catalog_path)
    main, secondary = pty.openpty()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "paperlog",
            "--library",
            str(lib),
            "recommend",
            "--ranker",
            "tfidf",
            "--rate",
            "--limit",
            "2",
        ],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
    )
    os.close(secondary)
    output = b""
    answers = [b"b\n", b"g\n"]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if answers and output.count(b"good, bad or skip?") > 2 - len(answers):
            os.write(main, answers.pop(0))
    proc.wait(timeout=30)
    os.close(main)
    assert proc.returncode == 0, output.decode(errors="replace")
    verdicts = [r.verdict for r in load_ratings(Library.open(lib))]
    assert sorted(verdicts) == ["bad", "good"]
