"""``Index.search`` returns ``Hits``: keys at once, papers decoded only for what is looked at."""

from __future__ import annotations

from pathlib import Path

import pytest

import paperlog.index
import paperlog.index_rows
from paperlog.index import Index
from paperlog.library import Library
from paperlog.model import Config, Paper, Topic
from paperlog.views import paper_row


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    library = Library.create(tmp_path / "lib", Config(topics=[Topic("Uns", "Unsupervised")]))
    library.save_papers(
        [
            Paper(key=f"p{i:03d}", title=f"Contrastive study {i}", year=2019 + i % 2)
            for i in range(600)
        ]
    )
    return library


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of every paper decoded from the index's JSON (the real decoder, recorded)."""
    seen: list[str] = []
    real = paperlog.index_rows.paper_from_json

    def recording(text: str) -> Paper:
        paper = real(text)
        seen.append(paper.key)
        return paper

    monkeypatch.setattr(paperlog.index, "paper_from_json", recording)
    return seen


def test_search_counts_and_keys_without_decoding(lib: Library, decoded: list[str]) -> None:
    with Index.open(lib) as index:
        hits = index.search("year:2019")
        assert len(hits) == 300
        assert hits.keys == [f"p{i:03d}" for i in range(0, 600, 2)]
        rows = hits.table_rows()
        assert decoded == []
        assert rows[0][:4] == ("p000", "paper", "wish", "2019")
        # Only the papers looked at are decoded, each once.
        first = hits[0]
        assert first.key == "p000" and decoded == ["p000"]
        assert [p.key for p in hits[1:3]] == ["p002", "p004"]
        assert hits[0] is first and decoded == ["p000", "p002", "p004"]
        assert hits[-1].key == "p598"
        assert rows == [tuple(str(v) for v in paper_row(p)) for p in hits]


def test_hits_equal_the_papers(lib: Library) -> None:
    with Index.open(lib) as index:
        hits = index.search("contrastive study", limit=5)
        papers = [lib.load_paper(key) for key in hits.keys]
        assert hits == papers and len(hits) == 5
        assert index.search("nothing-matches-this") == []
        with pytest.raises(IndexError):
            hits[5]


def test_a_row_damaged_after_the_search_rebuilds_and_still_answers(lib: Library) -> None:
    with Index.open(lib) as index:
        hits = index.search("year:2020")
        # Damage found only when a paper is decoded: the index is rebuilt from the files
        # (new row ids) and the hits are fetched again before decoding.
        index._conn.execute("UPDATE paper_data SET data = '{not json'")
        assert [p.key for p in hits][:2] == ["p001", "p003"]
        assert index.generation == 1 and len(hits) == 300
