"""The offline catalog: readers of every source format, merging, resumable ingest, OAI-PMH,
search with the library's query syntax, and ``add`` answered by the catalog without network."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import closed_sources_env, run_cli
from paperlog.catalog.ingest import expand_sources, ingest_path
from paperlog.catalog.oai import parse_page
from paperlog.catalog.readers import detect_format, parse_abs, read
from paperlog.catalog.records import CatalogRecord, normalise_title
from paperlog.catalog.store import Catalog
from paperlog.errors import ImportProblem, NetworkError
from replay import ReplayServer, Reply


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    return Catalog.open(tmp_path / "catalog.sqlite")


def _ingest(catalog: Catalog, records: list[CatalogRecord]) -> None:
    catalog.begin()
    for record in records:
        catalog.upsert(record)
    catalog.commit()


# --- readers on the real corpus -----------------------------------------------------------------


def test_kaggle_snapshot_sample_reads_every_record(corpus: Path) -> None:
    path = next((corpus / "arxiv" / "kaggle_snapshot_sample").glob("*.jsonl"))
    assert detect_format(path) == "kaggle"
    records = list(read(path, "kaggle"))
    assert len(records) == 200
    first = records[0]
    assert first.arxiv == "0704.0001"
    assert first.doi == "10.1103/physrevd.76.013009"
    assert first.year == 2007 and first.date == "2007-04-02"
    assert first.authors[0] == "C. Balázs"
    assert "\n" not in first.title and first.abstract.startswith("A fully differential")


def test_abs_records_are_read_from_a_folder(corpus: Path) -> None:
    folder = corpus / "arxiv" / "arxiv-browse_abs"
    records = list(read(folder, detect_format(folder)))
    assert len(records) >= 1100
    by_id = {r.arxiv: r for r in records}
    turbiner = by_id["funct-an/9301001"]
    assert turbiner.title == "Lie-algebras and linear operators with invariant subspaces"
    assert turbiner.authors == ["Alexander Turbiner"]
    assert turbiner.year == 1993 and turbiner.categories == "funct-an math.OA"
    assert turbiner.abstract.startswith("A general classification")


def test_conference_lists_carry_venue_year_and_no_venue_when_rejected(corpus: Path) -> None:
    lists = corpus / "catalog" / "papercopilot_paperlists"
    cvpr = list(read(lists / "cvpr" / "cvpr2019.json", "papercopilot"))
    assert len(cvpr) == 1294
    assert {r.venue_label for r in cvpr} == {"CVPR 2019"}
    assert all(r.abstract for r in cvpr)
    iclr = list(read(lists / "iclr" / "iclr2018.json", "papercopilot"))
    rejected = [r for r in iclr if not r.venue]
    assert rejected and len(rejected) < len(iclr)
    assert sum(1 for r in iclr if r.openreview) > len(iclr) // 2  # forum links give the id
    iccv = list(read(lists / "iccv" / "iccv2015.json", "papercopilot"))
    assert not any(r.title.startswith("[") for r in iccv)  # session prefixes dropped


def test_openreview_exports_and_daily_listings(corpus: Path) -> None:
    csv_path = corpus / "catalog" / "chengyao-xie_NeurIPS2023-OpenReviewData" / "oral.csv"
    oral = list(read(csv_path, detect_format(csv_path)))
    assert len(oral) == 67 and oral[0].venue_label == "NeurIPS 2023" and oral[0].openreview
    tsv = corpus / "catalog" / "evanzd_ICLR2021-OpenReviewData" / "paperlist.tsv"
    submissions = list(read(tsv, "openreview", submissions=True))
    assert len(submissions) == 2966 and not any(r.venue for r in submissions)
    daily = sorted((corpus / "catalog" / "dw-dengwei_daily-arXiv-ai-enhanced" / "data").glob("*"))[
        0
    ]
    assert detect_format(daily) == "daily"
    rows = list(read(daily, "daily"))
    assert rows and all(r.arxiv and r.date == daily.stem for r in rows)


def test_a_file_that_is_no_source_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    with pytest.raises(ImportProblem, match="not a catalog source"):
        detect_format(path)
    broken = tmp_path / "x.jsonl"
    broken.write_text('{"id": "2002.05709", "title": "A"}\n{broken\n')
    with pytest.raises(ImportProblem) as info:
        list(read(broken, "kaggle"))
    assert info.value.line == 2


def test_parse_abs_needs_an_id_and_title() -> None:
    assert parse_abs("no separators here") is None
    text = "\\\\\narXiv:2002.05709\nDate: Thu, 13 Feb 2020 18:50:45 GMT   (5kb)\n\nTitle: A Simple Framework\n  for Contrastive Learning\nAuthors: Ting Chen, Simon Kornblith and Geoffrey Hinton\nCategories: cs.LG\n\\\\\n  The abstract.\n\\\\\n"
    record = parse_abs(text)
    assert record is not None
    assert record.title == "A Simple Framework for Contrastive Learning"
    assert record.authors == ["Ting Chen", "Simon Kornblith", "Geoffrey Hinton"]
    assert record.date == "2020-02-13"


# --- merging --------------------------------------------------------------------------------------


def test_one_paper_is_one_row_across_arxiv_and_a_conference(catalog: Catalog) -> None:
    preprint = CatalogRecord(
        title="A Simple Framework for Contrastive Learning of Visual Representations",
        authors=["Ting Chen"],
        abstract="short",
        year=2020,
        arxiv="2002.05709",
        source="arxiv",
    )
    published = CatalogRecord(
        title="A simple framework for contrastive learning of visual representations.",
        abstract="a longer abstract from the proceedings",
        year=2020,
        venue="ICML",
        venue_label="ICML 2020",
        source="icml2020",
    )
    _ingest(catalog, [preprint, published, published])
    assert len(catalog) == 1
    (paper,) = catalog.search("contrastive")
    assert paper.arxiv == "2002.05709" and paper.venue_label == "ICML 2020"
    assert paper.abstract == "a longer abstract from the proceedings"
    assert paper.sources == ["arxiv", "icml2020"]
    assert catalog.get("arXiv:2002.05709v2") == paper
    assert catalog.get(f"c{paper.id}") == paper


def test_same_title_with_another_arxiv_id_is_another_paper(catalog: Catalog) -> None:
    a = CatalogRecord(title="Introduction to Deep Learning Methods", arxiv="1901.00001", year=2019)
    b = CatalogRecord(title="Introduction to Deep Learning Methods", arxiv="2101.00002", year=2021)
    short = CatalogRecord(title="Introduction", year=2019)
    _ingest(catalog, [a, b, short, CatalogRecord(title="Introduction", year=2019)])
    assert len(catalog) == 4
    assert normalise_title("Déjà Vu: A-B") == "dejavuab"


def test_search_uses_the_library_query_syntax(catalog: Catalog) -> None:
    _ingest(
        catalog,
        [
            CatalogRecord(
                title="Momentum Contrast", year=2020, venue="CVPR", venue_label="CVPR 2020"
            ),
            CatalogRecord(
                title="Contrastive Coding", year=2019, venue="NeurIPS", venue_label="NeurIPS 2019"
            ),
            CatalogRecord(
                title="Mean Teachers", year=2017, venue="NeurIPS", venue_label="NeurIPS 2017"
            ),
        ],
    )
    assert [p.title for p in catalog.search("contrast")] == [
        "Momentum Contrast",
        "Contrastive Coding",
    ]
    assert [p.title for p in catalog.search("venue:NIPS year:..2018")] == ["Mean Teachers"]
    assert [p.title for p in catalog.search("contrast -year:2020")] == ["Contrastive Coding"]
    assert catalog.search("status:read") == []


# --- ingest: idempotent, resumable ---------------------------------------------------------------


def _write_jsonl(path: Path, count: int) -> None:
    with path.open("w") as handle:
        for n in range(count):
            arxiv = f"2001.{n:05d}"
            handle.write(
                json.dumps(
                    {
                        "id": arxiv,
                        "title": f"Paper number {n} about topic {n % 7}",
                        "authors": "A. Author, B. Author",
                        "abstract": f"Words of paper {n}. " * 20,
                        "categories": "cs.LG",
                        "versions": [{"version": "v1", "created": "Wed, 1 Jan 2020 10:00:00 GMT"}],
                    }
                )
                + "\n"
            )


def test_reingest_is_a_no_op_and_a_changed_file_is_read_again(
    tmp_path: Path, catalog: Catalog
) -> None:
    source = tmp_path / "snap.jsonl"
    _write_jsonl(source, 50)
    first = ingest_path(catalog, source, batch_size=20)
    assert (first.read, first.added, first.merged) == (50, 50, 0)
    again = ingest_path(catalog, source)
    assert again.already_done and again.read == 0
    _write_jsonl(source, 60)
    grown = ingest_path(catalog, source)
    assert (grown.added, grown.merged) == (10, 50)
    assert len(catalog) == 60


def test_an_ingest_that_fails_midway_resumes_after_its_last_batch(
    tmp_path: Path, catalog: Catalog
) -> None:
    source = tmp_path / "snap.jsonl"
    _write_jsonl(source, 100)
    calls = 0

    def die(_n: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest_path(catalog, source, batch_size=30, progress=die)
    assert len(catalog) == 60  # two committed batches
    resumed = ingest_path(catalog, source, batch_size=30)
    assert resumed.skipped == 60 and resumed.added == 40
    assert len(catalog) == 100


def _processes_reading(source: Path) -> list[int]:
    """Live processes whose command line names ``source`` (an ingest or its worker)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
            state = (proc / "stat").read_text().split(") ", 1)[1][:1]
        except OSError:
            continue
        if str(source).encode() in cmdline and state != "Z":
            found.append(int(proc.name))
    return found


def test_a_killed_ingest_process_resumes(tmp_path: Path) -> None:
    """SIGKILL a real ``catalog ingest`` after its first committed batch; the re-run finishes."""
    source = tmp_path / "snap.jsonl"
    _write_jsonl(source, 30_000)
    db = tmp_path / "cat.sqlite"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLOG_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperlog", "catalog", "ingest", str(source), "--catalog", str(db)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    committed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        try:
            with sqlite3.connect(db, timeout=1) as peek:
                row = peek.execute("SELECT records FROM ingest_state").fetchone()
            committed = row[0] if row else 0
        except sqlite3.Error:
            continue  # not created yet
        if committed:
            break
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # The file is big enough for a reading worker process: it stops once its parent is gone.
    deadline = time.monotonic() + 20
    while _processes_reading(source) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _processes_reading(source)
    result = run_cli("catalog", "ingest", str(source), "--catalog", str(db), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["papers"] == 30_000
    with Catalog.open(db, create=False) as done:
        assert len(done) == 30_000
        (dupes,) = done._conn.execute(
            "SELECT count(*) - count(DISTINCT arxiv) FROM papers"
        ).fetchone()
        assert dupes == 0
        # Every row is in the full-text index once (it is built after the bulk load).
        assert done.pending_fts() == 0
        assert len(done.search("paper", limit=None)) == 30_000


def test_a_reading_worker_builds_the_same_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big file is parsed by a worker process while the ingest merges and indexes: the
    catalog is the one the single process builds, merges within and across batches included;
    a broken line the worker meets is reported with its file and line, after the batches
    before it were committed (so a fixed file resumes)."""
    import paperlog.catalog.ingest as ingest

    source = tmp_path / "snap.jsonl"
    lines = []
    for n in range(120):
        k = n % 45  # every arXiv ID of the first 45 comes back with a longer abstract
        record = {
            "id": f"2001.{k:05d}",
            "title": f"Paper number {k} about topic {k % 7}",
            "authors": "A. Author, B. Author",
            "abstract": f"Words of paper {k}. " * (1 + n // 45),
            "categories": "cs.LG",
        }
        lines.append(json.dumps(record) + "\n")
    source.write_text("".join(lines))
    built = []
    for name, threshold in (("one.sqlite", 1 << 40), ("two.sqlite", 0)):
        monkeypatch.setattr(ingest, "PARALLEL_BYTES", threshold)
        with Catalog.open(tmp_path / name) as catalog:
            stats = ingest_path(catalog, source, batch_size=17)
            assert (stats.read, stats.added, stats.merged) == (120, 45, 75)
            assert catalog.pending_fts() == 0
            built.append(
                (
                    [p.to_dict() for p in catalog.iter_papers()],
                    [p.id for p in catalog.search("words paper", None)],
                )
            )
    assert built[0] == built[1]
    broken = tmp_path / "broken.jsonl"
    broken.write_text("".join(lines[:40]) + "{not json\n" + "".join(lines[40:]))
    with Catalog.open(tmp_path / "three.sqlite") as catalog:
        with pytest.raises(ImportProblem) as caught:
            ingest_path(catalog, broken, batch_size=17)
        assert str(caught.value).startswith(f"{broken}:41: broken JSON line")
        assert catalog.ingest_progress(f"kaggle:{broken.resolve()}", ingest._signature(broken)) == (
            34,
            False,
        )


def test_rows_wait_for_the_full_text_index_and_a_killed_indexing_resumes(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bulk load indexes its rows at the end, a chunk a transaction: a kill while indexing
    (here an interrupt after the first chunk) leaves a consistent index that the next ingest
    completes, each row exactly once."""
    import paperlog.catalog.store as store

    source = tmp_path / "snap.jsonl"
    _write_jsonl(source, 100)
    ingest_path(catalog, source, batch_size=30, index=False)
    assert catalog.pending_fts() == 100
    assert catalog.search("paper") == []
    monkeypatch.setattr(store, "FTS_CHUNK", 40)
    calls = 0

    def die(_n: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        catalog.index_pending(die)
    assert catalog.pending_fts() == 60
    assert catalog.stats()["unindexed"] == 60  # what 'catalog info' reports
    assert len(catalog.search("paper", limit=None)) == 40
    again = ingest_path(catalog, source)  # finished: reads nothing, completes the index
    assert again.already_done
    assert catalog.pending_fts() == 0
    hits = catalog.search("paper", limit=None)
    assert len(hits) == 100 and len({p.id for p in hits}) == 100


def test_a_merge_into_a_bulk_indexed_row_replaces_its_indexed_text(
    tmp_path: Path, catalog: Catalog
) -> None:
    """Bulk indexing writes the full-text row in SQL, a merge deletes it with the values
    ``records.fts_row`` computes in Python: both must give the same tokens, or the old words would
    still find the paper."""
    source = tmp_path / "snap.jsonl"
    _write_jsonl(source, 10)
    ingest_path(catalog, source)
    assert [p.arxiv for p in catalog.search("title:number title:3")] == ["2001.00003"]
    catalog.begin()
    catalog.upsert(
        CatalogRecord(
            title="Paper number 3 about topic 3",
            abstract="A much longer abstract about zebrafish cartography, " * 30,
            arxiv="2001.00003",
            doi="10.1000/zebra",
            venue="CVPR",
            venue_label="CVPR 2020",
            year=2020,
            source="cvpr2020",
        )
    )
    catalog.commit()
    assert [p.arxiv for p in catalog.search("zebrafish")] == ["2001.00003"]
    assert [p.arxiv for p in catalog.search("venue:CVPR")] == ["2001.00003"]
    # The replaced abstract's words no longer find it (the other nine papers still have them).
    assert "2001.00003" not in {p.arxiv for p in catalog.search("words", limit=None)}
    assert len(catalog.search("words", limit=None)) == 9
    assert [p.arxiv for p in catalog.search("title:number title:3")] == ["2001.00003"]
    assert [p.arxiv for p in catalog.search("authors:author")][:1]


def test_a_schema_1_catalog_is_migrated(tmp_path: Path) -> None:
    """A catalog written by the previous schema (plain-text abstracts and titles) opens,
    is converted in place, and reads and searches as before."""
    db = tmp_path / "old.sqlite"
    conn = sqlite3.connect(db)
    conn.executescript(_SCHEMA_1)
    conn.execute(
        "INSERT INTO papers (id, arxiv, norm_title, title, authors, abstract, year, date, "
        "sources) VALUES (1, '2001.00001', 'momentumcontrastforunsupervised', "
        "'Momentum Contrast for Unsupervised', '[\"K. He\"]', 'Visual representation learning.', "
        "2020, '2020-01-01', '[\"arxiv\"]')"
    )
    conn.execute(
        "INSERT INTO papers_fts (rowid, title, abstract) VALUES "
        "(1, 'Momentum Contrast for Unsupervised', 'Visual representation learning.')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Catalog.open(db) as catalog:
        (paper,) = catalog.search("momentum")
        assert paper.abstract == "Visual representation learning."
        assert paper.authors == ["K. He"]
        assert [p.id for p in catalog.by_title("Momentum contrast for unsupervised")] == [1]
        assert catalog.pending_fts() == 0


_SCHEMA_1 = """
CREATE TABLE papers (id INTEGER PRIMARY KEY, arxiv TEXT UNIQUE, doi TEXT UNIQUE,
    openreview TEXT UNIQUE, norm_title TEXT NOT NULL, title TEXT NOT NULL,
    authors TEXT NOT NULL DEFAULT '[]', abstract TEXT NOT NULL DEFAULT '', year INTEGER,
    date TEXT, venue TEXT NOT NULL DEFAULT '', venue_label TEXT NOT NULL DEFAULT '',
    venue_name TEXT NOT NULL DEFAULT '', badge TEXT NOT NULL DEFAULT '',
    categories TEXT NOT NULL DEFAULT '', url TEXT, sources TEXT NOT NULL DEFAULT '[]',
    kind TEXT NOT NULL DEFAULT 'paper', status TEXT NOT NULL DEFAULT '',
    track TEXT NOT NULL DEFAULT '', topics TEXT NOT NULL DEFAULT '[]',
    weeks TEXT NOT NULL DEFAULT '[]');
CREATE INDEX papers_title ON papers(norm_title);
CREATE INDEX papers_year ON papers(year);
CREATE INDEX papers_date ON papers(date);
CREATE TABLE ingest_state (source TEXT PRIMARY KEY, signature TEXT NOT NULL,
    records INTEGER NOT NULL, finished INTEGER NOT NULL);
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE papers_fts USING fts5(title, nickname, venue, authors, notes, abstract,
    other, content='', tokenize='porter unicode61 remove_diacritics 2');
"""


def test_folders_expand_to_their_source_files(corpus: Path) -> None:
    found = expand_sources([corpus / "catalog" / "papercopilot_paperlists" / "iccv"])
    assert [p.name for p in found] == [
        "iccv2013.json",
        "iccv2015.json",
        "iccv2017.json",
        "iccv2019.json",
    ]


# --- OAI-PMH --------------------------------------------------------------------------------------

_OAI_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-11-30T00:00:00Z</responseDate><request verb="ListRecords">http://127.0.0.1/oai</request>'


def _oai_record(arxiv: str, title: str, created: str) -> str:
    return (
        f"<record><header><identifier>oai:arXiv.org:{arxiv}</identifier><datestamp>{created}</datestamp></header>"
        f'<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>{arxiv}</id><created>{created}</created>'
        f"<authors><author><keyname>Chen</keyname><forenames>Ting</forenames></author>"
        f"<author><keyname>Hinton</keyname><forenames>Geoffrey</forenames></author></authors>"
        f"<title>{title}</title><categories>cs.LG cs.CV</categories><doi>10.1000/X{arxiv}</doi>"
        f"<abstract>  An abstract\n about {title}.</abstract></arXiv></metadata></record>"
    )


def _oai_page(records: str, token: str | None) -> str:
    resumption = (
        f'<resumptionToken cursor="0" completeListSize="3">{token}</resumptionToken>'
        if token
        else '<resumptionToken cursor="2" completeListSize="3"/>'
    )
    return f"{_OAI_HEAD}<ListRecords>{records}{resumption}</ListRecords></OAI-PMH>"


def test_oai_pages_parse_with_deleted_records_skipped() -> None:
    deleted = '<record><header status="deleted"><identifier>oai:arXiv.org:1</identifier></header></record>'
    page = parse_page(_oai_page(_oai_record("2002.05709", "SimCLR", "2020-02-13") + deleted, "tok"))
    assert page.token == "tok" and page.complete_size == 3
    (record,) = page.records
    assert record.authors == ["Ting Chen", "Geoffrey Hinton"]
    assert record.date == "2020-02-13" and record.categories == "cs.LG cs.CV"
    assert record.abstract == "An abstract about SimCLR."
    empty = parse_page(f'{_OAI_HEAD}<error code="noRecordsMatch">none</error></OAI-PMH>')
    assert empty.records == [] and empty.token is None
    with pytest.raises(NetworkError, match="badArgument"):
        parse_page(f'{_OAI_HEAD}<error code="badArgument">bad</error></OAI-PMH>')


def test_oai_harvest_follows_tokens_waits_when_asked_and_resumes_from_the_last_day(
    tmp_path: Path,
) -> None:
    with ReplayServer() as server:
        first = _oai_page(
            _oai_record("2002.05709", "SimCLR", "2020-02-13")
            + _oai_record("1911.05722", "MoCo", "2019-11-13"),
            "page2",
        )
        second = _oai_page(_oai_record("2006.10029", "SimCLR v2", "2020-06-17"), None)
        server.add(
            "/oai",
            Reply(status=503, headers={"Retry-After": "1"}),
            Reply.text(first, content_type="text/xml"),
            query={"metadataPrefix": "arXiv"},
        )
        server.add(
            "/oai", Reply.text(second, content_type="text/xml"), query={"resumptionToken": "page2"}
        )
        db = tmp_path / "cat.sqlite"
        env = {"PAPERLOG_OAI_URL": server.url("/oai")}
        result = run_cli("catalog", "ingest", "--oai", "--catalog", str(db), "--json", env=env)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["papers"] == 3
        assert len(server.seen("/oai")) == 3  # 503, page 1, page 2
        result = run_cli("catalog", "ingest", "--oai", "--catalog", str(db), env=env)
        assert result.returncode == 0, result.stderr
        again = server.seen("/oai")[3]  # the second run starts from the day of the first
        assert "from" in again.params and again.params["metadataPrefix"] == "arXiv"
    with Catalog.open(db, create=False) as done:
        assert len(done) == 3
        assert done.get("2006.10029") is not None


# --- CLI ------------------------------------------------------------------------------------------


def _small_catalog(tmp_path: Path) -> Path:
    source = tmp_path / "snap.jsonl"
    _write_jsonl(source, 40)
    db = tmp_path / "cat.sqlite"
    result = run_cli("catalog", "ingest", str(source), "--catalog", str(db))
    assert result.returncode == 0, result.stderr
    return db


def test_catalog_search_show_and_info_through_the_cli(tmp_path: Path) -> None:
    db = _small_catalog(tmp_path)
    found = run_cli("catalog", "search", "topic", "3", "--catalog", str(db), "--json")
    assert found.returncode == 0, found.stderr
    titles = [p["title"] for p in json.loads(found.stdout)]
    assert "Paper number 3 about topic 3" in titles
    shown = run_cli("catalog", "show", "2001.00003", "--catalog", str(db))
    assert shown.returncode == 0 and "Paper number 3 about topic 3" in shown.stdout
    missing = run_cli("catalog", "show", "9999.99999", "--catalog", str(db))
    assert missing.returncode == 3 and "not in the catalog" in missing.stderr
    info = run_cli("catalog", "info", "--catalog", str(db), "--json")
    assert json.loads(info.stdout)["papers"] == 40
    absent = run_cli("catalog", "search", "x", "--catalog", str(tmp_path / "none.sqlite"))
    assert absent.returncode != 0 and "catalog ingest" in absent.stderr
    assert len(absent.stderr.strip().splitlines()) == 1


def test_add_takes_a_catalog_paper_without_network(tmp_path: Path) -> None:
    db = _small_catalog(tmp_path)
    lib = tmp_path / "lib"
    assert run_cli("init", str(lib)).returncode == 0
    env = {
        "PAPERLOG_CATALOG": str(db),
        # Every network source points at a closed port: only the catalog can answer.
        **closed_sources_env(),
    }
    result = run_cli("add", "2001.00007", "--json", library=lib, env=env)
    assert result.returncode == 0, result.stderr
    added = json.loads(result.stdout)
    assert added["paper"]["title"] == "Paper number 7 about topic 0"
    assert added["paper"]["ids"]["arxiv"] == "2001.00007"


def test_batch_merging_equals_one_by_one(tmp_path: Path) -> None:
    """``upsert_many`` (the ingest path) builds the same catalog as ``upsert`` record by record,
    with duplicates inside a batch and against earlier batches."""
    import random

    rng = random.Random(7)
    records = []
    for n in range(300):
        k = rng.randrange(60)
        records.append(
            CatalogRecord(
                title=f"Shared title number {k} about learning"
                if n % 3
                else f"Paper {n} on things we know",
                abstract="x" * rng.randrange(50),
                year=2018 + rng.randrange(3),
                arxiv=f"1801.{k:05d}" if n % 4 == 0 else None,
                doi=f"10.1000/{k}" if n % 5 == 0 else None,
                venue="CVPR" if n % 7 == 0 else "",
                venue_label="CVPR 2019" if n % 7 == 0 else "",
                source=f"s{n % 3}",
            )
        )
    with Catalog.open(tmp_path / "a.sqlite") as one, Catalog.open(tmp_path / "b.sqlite") as many:
        one.begin()
        for record in records:
            one.upsert(record)
        one.commit()
        for start in range(0, len(records), 70):
            many.begin()
            many.upsert_many(records[start : start + 70])
            many.commit()
        rows_a = [p.to_dict() for p in one.iter_papers()]
        rows_b = [p.to_dict() for p in many.iter_papers()]
        assert rows_a == rows_b
        assert [p.id for p in one.search("shared learning", None)] == [
            p.id for p in many.search("shared learning", None)
        ]


def test_a_file_name_with_brackets_is_not_terminal_markup(tmp_path: Path) -> None:
    """The progress bar shows file names as written ("[red]" would be read as a colour)."""
    from conftest import run_cli_tty

    source = tmp_path / "[red]snap.jsonl"
    _write_jsonl(source, 30)
    status, screen = run_cli_tty(
        "catalog", "ingest", str(source), "--catalog", str(tmp_path / "c.sqlite")
    )
    assert status == 0, screen
    assert "[red]snap.jsonl" in screen and "30 records" in screen
    bib = tmp_path / "[red]refs.bib"
    bib.write_text("@article{a2020, title = {A Title}, author = {A. Author}, year = {2020}}\n")
    lib = tmp_path / "lib"
    assert run_cli("init", str(lib)).returncode == 0
    status, screen = run_cli_tty("import", "bibtex", str(bib), library=lib)
    assert status == 0, screen


def test_a_word_search_ranks_the_newest_matches_of_a_large_match_set(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below the window a word search ranks every match (as with filters or no limit); above
    it, the newest ``RANK_WINDOW`` rows are ranked, so its cost stops growing with the
    catalog."""
    import paperlog.catalog.store as store

    source = tmp_path / "snap.jsonl"
    _write_jsonl(source, 50)
    ingest_path(catalog, source)
    everything = [p.id for p in catalog.search("paper", limit=None)]
    assert [p.id for p in catalog.search("paper", limit=10)] == everything[:10]
    monkeypatch.setattr(store, "RANK_WINDOW", 5)
    newest = [p.id for p in catalog.search("paper", limit=10)]
    assert sorted(newest) == list(range(46, 51))
    assert [p.id for p in catalog.search("paper year:2020", limit=10)] == everything[:10]


def _tier_rows(catalog: Catalog, word: str) -> list[int]:
    from paperlog.catalog.fts import RECENT_TABLE

    return [
        int(r[0])
        for r in catalog.execute(
            f"SELECT rowid FROM {RECENT_TABLE} WHERE {RECENT_TABLE} MATCH ? ORDER BY rowid",
            [word],
        )
    ]


def test_the_recent_tier_answers_word_searches_with_the_same_rows(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big catalog keeps its newest rows in a second, small full-text table: a word search
    whose window it fills is answered there (the same newest rows the whole index would
    rank), one it cannot fill goes to the whole index; a merge replaces a row's text in both."""
    import paperlog.catalog.fts as fts
    import paperlog.catalog.store as store

    catalog.recent_rows = 20
    source = tmp_path / "snap.jsonl"
    _write_jsonl(source, 100)
    ingest_path(catalog, source)
    assert fts.recent_range(catalog._conn) == (80, 100)
    assert _tier_rows(catalog, "paper") == list(range(81, 101))
    monkeypatch.setattr(store, "RANK_WINDOW", 5)
    assert sorted(p.id for p in catalog.search("paper", limit=10)) == list(range(96, 101))
    # A window the tier cannot fill: the whole index ranks, as without a tier.
    monkeypatch.setattr(store, "RANK_WINDOW", 50)
    with_tier = [p.id for p in catalog.search("paper", limit=10)]
    assert sorted(with_tier)[0] <= 80
    catalog._conn.execute("DELETE FROM meta WHERE name LIKE 'recent_%'")
    assert [p.id for p in catalog.search("paper", limit=10)] == with_tier
    fts.sync_recent(catalog._conn, catalog.fts_upto(), rows=20, chunk=100)
    assert _tier_rows(catalog, "words") == list(range(81, 101))
    catalog.begin()
    catalog.upsert(
        CatalogRecord(
            title="Paper number 94 about topic 3",
            abstract="A much longer abstract about zebrafish cartography, " * 30,
            arxiv="2001.00094",
            year=2020,
            source="arxiv",
        )
    )
    catalog.commit()
    assert _tier_rows(catalog, "zebrafish") == [95]
    assert 95 not in _tier_rows(catalog, "words")
    assert [p.id for p in catalog.search("zebrafish")] == [95]


def test_the_recent_tier_follows_new_rows_is_rebuilt_when_grown_and_resumes(
    tmp_path: Path, catalog: Catalog
) -> None:
    """New rows enter the tier with the whole index; grown past twice its size it is rebuilt
    from the newest rows; a build killed between chunks leaves searches on the whole index
    until the next ingest completes it."""
    import paperlog.catalog.fts as fts

    catalog.recent_rows = 20
    first = tmp_path / "a.jsonl"
    _write_jsonl(first, 100)
    ingest_path(catalog, first)
    second = tmp_path / "b.jsonl"
    with second.open("w") as handle:
        for n in range(100, 115):
            handle.write(json.dumps({"id": f"2002.{n:05d}", "title": f"Later paper {n}"}) + "\n")
    ingest_path(catalog, second)
    assert fts.recent_range(catalog._conn) == (80, 115)
    assert _tier_rows(catalog, "later") == list(range(101, 116))
    third = tmp_path / "c.jsonl"
    with third.open("w") as handle:
        for n in range(200, 210):
            handle.write(json.dumps({"id": f"2003.{n:05d}", "title": f"Latest paper {n}"}) + "\n")
    ingest_path(catalog, third)  # 45 rows would exceed 2 x 20: rebuilt from the newest 20
    assert fts.recent_range(catalog._conn) == (105, 125)
    assert _tier_rows(catalog, "paper") == list(range(106, 126))
    catalog._conn.execute("DELETE FROM meta WHERE name LIKE 'recent_%'")

    def die(_n: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fts.sync_recent(catalog._conn, catalog.fts_upto(), rows=20, chunk=5, progress=die)
    assert fts.recent_range(catalog._conn) == (105, 110)
    assert [p.id for p in catalog.search("latest", limit=3)] != []
    assert catalog.index_pending() == 0
    assert fts.recent_range(catalog._conn) == (105, 125)
    assert _tier_rows(catalog, "paper") == list(range(106, 126))


@pytest.mark.parametrize(
    "args",
    [
        ("contrastive",),
        ("paper", "--limit", "3"),
        ("--limit=2", "topic"),
        ("year:2020", "number"),
        ("nothingmatches",),
        ("--json", "paper"),
        ("paper", "-number"),
        ("--limit", "0", "paper"),
        ('title:"paper number"',),
    ],
)
def test_catalog_search_fast_path_prints_what_the_click_cli_prints(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """A piped ``catalog search`` skips click (``paperlog.catalog.fastsearch``); it prints
    exactly the click command's output, and hands over whatever it does not handle."""
    source = tmp_path / "snap.jsonl"
    _write_jsonl(source, 40)
    db = tmp_path / "cat.sqlite"
    with Catalog.open(db) as catalog:
        ingest_path(catalog, source)
    argv = ["catalog", "search", *args, "--catalog", str(db)]
    fast = subprocess.run(
        [sys.executable, "-m", "paperlog", *argv], capture_output=True, text=True, check=False
    )
    click = subprocess.run(
        [sys.executable, "-c", "from paperlog.cli.main import main; main()", *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        click.returncode,
        click.stdout,
        click.stderr,
    )


def test_the_fast_path_takes_plain_searches_only(tmp_path: Path) -> None:
    from paperlog.catalog.fastsearch import parse

    assert parse(["paper", "--limit", "3", "--catalog", "c.sqlite"]) == (["paper"], 3, "c.sqlite")
    assert parse(["--limit=2", "topic"]) == (["topic"], 2, None)
    for args in (["--json", "x"], ["x", "-y"], ["--limit", "0", "x"], ["--help"], ["--limit"]):
        assert parse(args) is None


def test_a_reread_list_adds_no_row_even_for_short_titles(tmp_path: Path, catalog: Catalog) -> None:
    """A changed file is read again: its papers merge into their rows, even those whose title
    is too short to merge across sources ("CoachGAN"), which match their own source's row."""
    source = tmp_path / "wacv2020.json"
    papers = [
        {
            "title": "CoachGAN",
            "author": "A. Author",
            "abstract": "Short title.",
            "status": "Poster",
        },
        {"title": "A Paper With A Long Enough Title", "author": "B. Author", "status": "Poster"},
    ]
    source.write_text(json.dumps(papers))
    ingest_path(catalog, source)
    assert len(catalog) == 2
    source.write_text(json.dumps(papers) + "\n")  # changed: read again
    again = ingest_path(catalog, source)
    assert (again.added, again.merged) == (0, 2)
    assert len(catalog) == 2
    other = CatalogRecord(title="CoachGAN", year=2020, source="cvpr2020")
    catalog.begin()
    assert catalog.upsert(other)  # another source's "CoachGAN" stays a paper of its own
    catalog.commit()
    assert len(catalog) == 3
