"""The SQLite index on real files: incremental sync, rebuilds, errors, the Paper JSON codec."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlog.errors import BadFile, ValidationError
from paperlog.index import INDEX_NAME, Index, search
from paperlog.index_rows import paper_from_json, paper_to_json
from paperlog.library import Library
from paperlog.model import Config, Link, Paper, Reading, Topic
from paperlog.query import Query, Words, parse_query


def _papers() -> list[Paper]:
    return [
        Paper(
            key="simclr-2020",
            title="A Simple Framework for Contrastive Learning of Visual Representations",
            nickname="SimClr",
            status="read",
            year=2020,
            ids={"arxiv": "2002.05709"},
            topics=["Uns"],
            track="depth",
            readings=[Reading(2, date(2020, 6, 29), "Depth: Self-Supervised", order=3)],
            notes="\n## Key ideas\n- big batches and strong augmentation\n",
        ),
        Paper(
            key="mixmatch-2019",
            title="MixMatch: A Holistic Approach to Semi-Supervised Learning",
            status="read",
            year=2019,
            venue="NeurIPS",
            venue_label="NIPS 2019",
            readings=[Reading(13, date(2020, 10, 20), "Semi-Supervised Learning", order=2)],
        ),
        Paper(
            key="unet-2015",
            title="U-Net: Convolutional Networks for Biomedical Image Segmentation",
            status="read",
            year=2015,
            venue="MICCAI",
            venue_label="MICCAI 2015",
            readings=[Reading(3, date(2020, 7, 6), "Breadth: Segmentation", order=0)],
            notes="Skip connections; compare with contrastive pretraining later.\n",
        ),
        Paper(
            key="tech-debt-2015",
            title="Hidden Technical Debt in Machine Learning Systems",
            year=2015,
            venue="NeurIPS",
            venue_label="NIPS 2015",
            wish_group="Breadth: ML Perspectives",
            rank=1,
        ),
    ]


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    library = Library.create(tmp_path / "lib", Config(topics=[Topic("Uns", "Unsupervised")]))
    library.save_papers(_papers())
    _age(library)
    return library


def _age(library: Library, seconds: int = 3600) -> None:
    """Date the paper files an hour back, as files not written just now are: a file written
    within the scan's timestamp window is racy and re-read by the next scan (git's rule)."""
    past = time.time_ns() - seconds * 1_000_000_000
    for path in library.paper_files():
        os.utime(path, ns=(past, past))


def _keys(papers: Sequence[Paper]) -> list[str]:
    return [p.key for p in papers]


def _bump_mtime(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_first_open_builds_then_nothing_is_read(lib: Library) -> None:
    with Index.open(lib) as index:
        assert index.last_sync.added == 4
        assert index.last_sync.rebuilt
        assert (lib.state_dir / INDEX_NAME).is_file()
    with Index.open(lib) as index:
        stats = index.last_sync
        assert (stats.read, stats.unchanged, stats.rebuilt) == (0, 4, False)
        assert index.all() == sorted(lib.load_papers(), key=lambda p: p.key)


def test_touching_one_file_rereads_only_it(lib: Library) -> None:
    Index.open(lib).close()
    _bump_mtime(lib.paper_path("unet-2015"))
    with Index.open(lib) as index:
        stats = index.last_sync
        assert (stats.touched, stats.updated, stats.added, stats.unchanged) == (1, 0, 0, 3)
    with Index.open(lib) as index:
        assert index.last_sync.read == 0


def test_changed_file_is_reparsed(lib: Library) -> None:
    Index.open(lib).close()
    paper = lib.load_paper("unet-2015")
    paper.notes += "Mentions zebrafish.\n"
    lib.save_paper(paper)
    with Index.open(lib) as index:
        assert (index.last_sync.updated, index.last_sync.unchanged) == (1, 3)
        assert _keys(index.search("zebrafish")) == ["unet-2015"]


def test_content_change_with_same_size_is_noticed(lib: Library) -> None:
    Index.open(lib).close()
    path = lib.paper_path("simclr-2020")
    text = path.read_text(encoding="utf-8")
    new = text.replace("big batches", "huge batches").replace("strong augmentation", "augmentation")
    new = new.replace("augmentation", "augmentation" + " " * (len(text) - len(new)), 1)
    assert len(new) == len(text) and new != text
    path.write_text(new, encoding="utf-8")
    _bump_mtime(path)
    with Index.open(lib) as index:
        assert index.last_sync.updated == 1
        assert _keys(index.search("huge")) == ["simclr-2020"]
        assert index.search("big") == []


def test_deleted_file_is_removed(lib: Library) -> None:
    Index.open(lib).close()
    lib.delete_paper("mixmatch-2019")
    with Index.open(lib) as index:
        assert (index.last_sync.removed, index.last_sync.unchanged) == (1, 3)
        assert index.search("holistic") == []
        assert "mixmatch-2019" not in _keys(index.all())


def test_new_file_is_added(lib: Library) -> None:
    Index.open(lib).close()
    lib.save_paper(Paper(key="moco-2020", title="Momentum Contrast", year=2020))
    with Index.open(lib) as index:
        assert (index.last_sync.added, index.last_sync.unchanged) == (1, 4)
        assert _keys(index.search("momentum")) == ["moco-2020"]


def test_deleting_the_state_dir_rebuilds(lib: Library) -> None:
    with Index.open(lib) as index:
        before = index.all()
    shutil.rmtree(lib.root / ".paperlog")
    with Index.open(lib) as index:
        assert index.last_sync.rebuilt and index.last_sync.added == 4
        assert index.all() == before


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_corrupt_index_file_is_rebuilt(lib: Library, damage: str) -> None:
    with Index.open(lib) as index:
        before = index.all()
    path = lib.state_dir / INDEX_NAME
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode = DELETE")
    con.close()
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"this is not a database at all" * 100)
    elif damage == "truncated":
        path.write_bytes(data[:100] + b"\x00" * 4096 + data[4196 : len(data) // 2])
    else:
        path.write_bytes(b"")
    with Index.open(lib) as index:
        assert index.last_sync.rebuilt
        assert index.all() == before


def test_damage_written_from_outside_is_found_on_open(lib: Library) -> None:
    with Index.open(lib) as index:
        expected = _keys(index.search("contrastive"))
    con = sqlite3.connect(lib.state_dir / INDEX_NAME)
    # Drop the full-text index's leaf blocks: the file still opens and syncs; only the
    # verification after an unclean close (the file changed since paperlog closed it) sees it.
    con.execute("DELETE FROM papers_fts_data WHERE id > 10")
    con.commit()
    con.close()
    with Index.open(lib) as index:
        assert index.last_sync.rebuilt
        assert _keys(index.search("contrastive")) == expected
    assert _keys(search(lib, "contrastive")) == expected


def test_damage_found_only_by_a_query_rebuilds_and_answers(lib: Library) -> None:
    with Index.open(lib) as index:
        expected = _keys(index.search("contrastive"))
        # Damage while the index is open (so no verification on open can see it)...
        con = sqlite3.connect(lib.state_dir / INDEX_NAME)
        con.execute("DELETE FROM papers_fts_data WHERE id > 10")
        con.commit()
        con.close()
        # ...is found by the query, rebuilt from the files and answered right.
        assert _keys(index.search("contrastive")) == expected
        assert index.last_sync.rebuilt


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE paper_data SET data = '{not json'",  # a row that does not decode
        "UPDATE paper_data SET data = replace(data, 'Contrastive', 'Adversarial')",  # wrong
        'UPDATE paper_data SET data = replace(data, \'"status":"read"\', \'"status":"wish"\')',
    ],
)
def test_a_damaged_row_is_never_returned(lib: Library, sql: str) -> None:
    with Index.open(lib) as index:
        expected = index.all()
        con = sqlite3.connect(lib.state_dir / INDEX_NAME)
        con.execute(sql)
        con.commit()
        con.close()
        # The stored JSON no longer matches its checksum: rebuilt, and the files' answer.
        assert index.all() == expected
        assert index.last_sync.rebuilt
    with Index.open(lib) as index:
        assert index.all() == expected


def test_damaged_filter_columns_are_found_after_an_unclean_close(lib: Library) -> None:
    with Index.open(lib) as index:
        expected = _keys(index.search("status:read"))
    con = sqlite3.connect(lib.state_dir / INDEX_NAME)
    con.execute("UPDATE papers SET status = 'wish'")  # the JSON and its checksum are intact
    con.commit()
    con.close()
    with Index.open(lib) as index:
        assert index.last_sync.rebuilt
        assert _keys(index.search("status:read")) == expected


def test_a_clean_close_skips_the_verification(lib: Library) -> None:
    Index.open(lib).close()
    with Index.open(lib) as index:
        assert not index.last_sync.rebuilt
    # A process that died with the index open leaves no clean marker: verified, not rebuilt.
    (lib.state_dir / "index.clean").unlink()
    with Index.open(lib) as index:
        assert not index.last_sync.rebuilt
        assert len(index) == 4


def test_same_size_same_mtime_edit_of_a_racy_file_is_noticed(lib: Library) -> None:
    path = lib.paper_path("simclr-2020")
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")  # written just now
    Index.open(lib).close()
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    new = text.replace("big batches", "huge batche")
    assert len(new) == len(text)
    path.write_text(new, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime
    with Index.open(lib) as index:
        assert _keys(index.search("huge")) == ["simclr-2020"]
    # Once the file is older than the scan that read it, it is trusted by its stat again.
    _age(lib)
    Index.open(lib).close()
    with Index.open(lib) as index:
        assert index.last_sync.read == 0


def test_schema_version_mismatch_rebuilds(lib: Library) -> None:
    Index.open(lib).close()
    con = sqlite3.connect(lib.state_dir / INDEX_NAME)
    con.execute("PRAGMA user_version = 999")
    con.close()
    with Index.open(lib) as index:
        assert index.last_sync.rebuilt and index.last_sync.added == 4


def test_broken_paper_file_fails_with_file_and_line(lib: Library) -> None:
    Index.open(lib).close()
    bad = lib.paper_path("broken")
    bad.write_text("---\ntitle: ok\nyear: [2019\n---\n", encoding="utf-8")
    with pytest.raises(BadFile) as info:
        Index.open(lib)
    assert info.value.path == bad and info.value.line is not None
    assert str(bad) in str(info.value)
    # Still failing on the next open: a bad file is never silently dropped.
    with pytest.raises(BadFile):
        search(lib, "learning")
    bad.write_text("---\ntitle: Fixed Now\n---\n", encoding="utf-8")
    assert _keys(search(lib, "fixed")) == ["broken"]


def test_unknown_topic_code_is_a_validation_error(lib: Library) -> None:
    lib.paper_path("odd").write_text("---\ntitle: Odd\ntopics:\n- Zzz\n---\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Index.open(lib)
    assert info.value.path == lib.paper_path("odd")


def test_keys_differing_only_in_case_are_an_error(lib: Library) -> None:
    lib.paper_path("SimClr-2020").write_text("---\ntitle: Dup\n---\n", encoding="utf-8")
    if not lib.paper_path("simclr-2020").is_file() or len(lib.keys()) != 5:
        pytest.skip("case-insensitive file system")
    with pytest.raises(ValidationError, match="differ only in case"):
        Index.open(lib)


def test_not_utf8_file_is_a_bad_file(lib: Library) -> None:
    lib.paper_path("latin").write_bytes("---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    with pytest.raises(BadFile, match="UTF-8"):
        Index.open(lib)


def test_empty_library_and_missing_papers_dir(tmp_path: Path) -> None:
    library = Library.create(tmp_path / "empty")
    library.papers_dir.rmdir()
    with Index.open(library) as index:
        assert index.all() == [] and index.search("anything") == [] and len(index) == 0


def test_search_ranks_title_above_notes(lib: Library) -> None:
    with Index.open(lib) as index:
        # "contrastive" is in simclr's title and only in unet's notes.
        assert _keys(index.search("contrastive")) == ["simclr-2020", "unet-2015"]
        assert _keys(index.search("contrastive", limit=1)) == ["simclr-2020"]


def test_identifiers_key_and_theme_headings_are_searchable(lib: Library) -> None:
    with Index.open(lib) as index:
        assert _keys(index.search("2002.05709")) == ["simclr-2020"]
        assert _keys(index.search("tech-debt-2015")) == ["tech-debt-2015"]
        assert _keys(index.search('"ML Perspectives"')) == ["tech-debt-2015"]
        assert _keys(index.search("nips holistic")) == ["mixmatch-2019"]  # venue alias + title


def test_filters_only_give_newest_reading_first(lib: Library) -> None:
    with Index.open(lib) as index:
        order = _keys(index.search(parse_query("")))
    expected = sorted(
        lib.load_papers(),
        key=lambda p: max((r.week_start or date.min for r in p.readings), default=date.min),
        reverse=True,
    )
    assert order == _keys(expected)
    assert order[-1] == "tech-debt-2015"  # never read: after everything read


def test_sync_without_changes_does_not_import_yaml(lib: Library) -> None:
    Index.open(lib).close()
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from paperlog.library import Library\n"
        "from paperlog.index import Index\n"
        f"ix = Index.open(Library.open(Path({str(lib.root)!r})))\n"
        "print(ix.last_sync.read, ix.last_sync.unchanged, 'yaml' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["0", "4", "False"]


def test_stale_paper_file_in_index_is_not_returned_after_deletion(lib: Library) -> None:
    with Index.open(lib) as index:
        assert "tech-debt-2015" in _keys(index.search("debt"))
        lib.delete_paper("tech-debt-2015")
        assert index.sync().removed == 1
        assert index.search("debt") == []


# --- the JSON codec ----------------------------------------------------------------------------

_text = st.text(max_size=20)
_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    _text,
    st.dates(),
    st.datetimes(),
)
_any = st.recursive(
    _scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(_text, st.integers(), st.dates()), inner, max_size=3),
    ),
    max_leaves=8,
)
_opt_text = st.none() | _text
_opt_date = st.none() | st.dates()
_readings = st.builds(
    Reading,
    week=st.none() | st.integers(0, 500),
    week_start=_opt_date,
    group=_opt_text,
    date=_opt_date,
    order=st.integers(0, 50),
    extra=st.dictionaries(_text, _any, max_size=2),
)
_paper_strategy = st.builds(
    Paper,
    key=st.text(min_size=1, max_size=12),
    title=_text,
    kind=st.sampled_from(["paper", "lecture", "talk", "topic", "notes", "other"]),
    nickname=_opt_text,
    status=st.sampled_from(["wish", "reading", "read"]),
    authors=st.lists(_text, max_size=3),
    year=st.none() | st.integers(1900, 2100),
    venue=_opt_text,
    venue_label=_opt_text,
    ids=st.dictionaries(_text, _text, max_size=2),
    url=_opt_text,
    links=st.lists(st.builds(Link, _text, _text), max_size=3),
    track=_opt_text,
    topics=st.lists(_text, max_size=3),
    wish_group=_opt_text,
    rank=st.none() | st.integers(),
    readings=st.lists(_readings, max_size=3),
    citekey=_opt_text,
    abstract=_opt_text,
    added=_opt_date,
    takeaways=st.lists(_text, max_size=2),
    review=st.dictionaries(_text, _any, max_size=3),
    pinned=_opt_date,
    extra=st.dictionaries(st.one_of(_text, st.integers()), _any, max_size=3),
    notes=st.text(max_size=200),
)


@settings(max_examples=100)
@given(_paper_strategy)
def test_paper_survives_the_json_codec(paper: Paper) -> None:
    back = paper_from_json(paper_to_json(paper))
    assert back == paper
    assert type(back.extra) is dict and type(back.review) is dict


def test_codec_keeps_types_of_free_form_values() -> None:
    # YAML front matter may give non-string keys (``2021: ...``), so extra is not always str-keyed.
    extra: dict[Any, Any] = {
        "seen": date(2020, 1, 2),
        "at": datetime(2020, 1, 2, 3, 4, 5),
        "$date": "a key that looks like a tag",
        2021: "an int key",
        "as_text": "2020-01-02",
    }
    paper = Paper(
        key="k",
        title="T",
        extra=extra,
        review={"due": datetime(2021, 5, 1, 12, 0), "stability": 2.5},
    )
    back = paper_from_json(paper_to_json(paper))
    assert back == paper
    assert type(back.extra["seen"]) is date and type(back.extra["at"]) is datetime
    assert back.extra["as_text"] == "2020-01-02"


def test_paper_read_from_its_file_survives_the_index(lib: Library) -> None:
    path = lib.paper_path("extra-fields")
    path.write_text(
        "---\ntitle: Extra\nmy_date: 2020-01-02\n7: seven\nreview:\n  due: 2021-05-01 12:00:00\n"
        "---\nbody\n",
        encoding="utf-8",
    )
    with Index.open(lib) as index:
        (stored,) = [p for p in index.all() if p.key == "extra-fields"]
    assert stored == lib.load_paper("extra-fields")


# --- the real seed README ----------------------------------------------------------------------


def test_seed_readme_through_the_index(seed_path: Path, tmp_path: Path) -> None:
    from paperlog.services.import_readme import import_readme

    library = Library.create(tmp_path / "seed")
    import_readme(library, seed_path)
    papers = library.load_papers()
    badges = seed_path.read_text(encoding="utf-8").count("<kbd>NIPS ")
    with Index.open(library) as index:
        assert index.last_sync.added == len(papers)
        nips = {p.key for p in index.search("venue:NIPS")}
        assert nips == {
            p.key
            for p in papers
            if (p.venue or "") == "NeurIPS" or (p.venue_label or "").startswith("NIPS")
        }
        assert 0 < len(nips) <= badges
        week3 = [p.key for p in index.search("week:3")]
        assert sorted(week3) == sorted(
            p.key for p in papers if any(r.week == 3 for r in p.readings)
        )
        # The seed reads "Segmentation Survey" twice (Wk2 and its "(cont.)" in Wk3): one item.
        (survey,) = index.search('"segmentation survey"')
        assert sorted(r.week for r in survey.readings if r.week is not None) == [2, 3]
        for paper in papers:  # every item is found by its own title, as an exact phrase
            title = Query((Words(paper.title, prefix=False, columns=("title",)),))
            assert paper.key in {p.key for p in index.search(title)}


def test_index_lists_items_as_the_files_do(tmp_path: Path) -> None:
    """Same papers, same order: "abc" sorts before "abc-b" whether read from files or index."""
    lib = Library.create(tmp_path / "lib")
    lib.save_papers([Paper(key=k, title=k) for k in ("abc-b", "abc", "ab", "abc.d")])
    with Index.open(lib) as index:
        assert [p.key for p in index.all()] == [p.key for p in lib.load_papers()]
        assert index.all() == lib.load_papers()
