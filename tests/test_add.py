"""``paperlog add``: real sources over a real local HTTP server, the CLI as a real process.

Responses are the recorded Crossref works in ``../shared/corpus/api`` and the hand-written
documented-format fixtures in ``tests/fixtures/api`` (SimCLR: arXiv, S2, DBLP).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from paperlog.errors import NetworkError, NotFound, ValidationError
from paperlog.library import Library
from paperlog.model import Config, Paper, Topic, WeekInfo
from paperlog.resolve.merge import merge_records
from paperlog.resolve.record import Record
from paperlog.resolve.resolution import (
    AmbiguousTitle,
    Candidate,
    choose_candidate,
    paper_ids,
    title_score,
)
from paperlog.resolve.sources import make_sources, open_client
from paperlog.services.add import Added, AddOptions, DuplicatePaper, add_paper
from replay import ANY, ReplayServer, Reply, arxiv_recording, corpus_api, fixture_api

SIMCLR_ARXIV = "2002.05709"
SIMCLR_TITLE = "A Simple Framework for Contrastive Learning of Visual Representations"
CROSSREF_EMPTY = {
    "status": "ok",
    "message-type": "work-list",
    "message": {"items": [], "total-results": 0},
}
SOURCE_NAMES = ("arxiv", "crossref", "s2", "dblp", "openreview")
# An arXiv API feed with no entries (the documented Atom shape of "no results").
EMPTY_ATOM = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom">'
    "<title>ArXiv Query</title><id>http://arxiv.org/api/empty</id>"
    '<opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0'
    "</opensearch:totalResults></feed>"
)


def source_env(server: ReplayServer) -> dict[str, str]:
    """Every source pointed at the replay server, one path prefix each."""
    return {f"PAPERLOG_{name.upper()}_URL": server.url(f"/{name}") for name in SOURCE_NAMES}


def simclr_routes(server: ReplayServer) -> None:
    """SimCLR as arXiv, Semantic Scholar and DBLP describe it; Crossref and OpenReview empty."""
    server.add(
        "/arxiv",
        Reply.file(fixture_api("arxiv", "2002.05709.atom")),
        query={"id_list": SIMCLR_ARXIV},
    )
    server.add(
        "/arxiv",
        Reply.file(fixture_api("arxiv", "search_simclr.atom")),
        query={"search_query": ANY},
    )
    server.add(
        f"/s2/paper/arXiv:{SIMCLR_ARXIV}", Reply.file(fixture_api("s2", "arXiv_2002.05709.json"))
    )
    server.add("/s2/paper/search", Reply.file(fixture_api("s2", "search_simclr.json")))
    server.add(
        "/dblp/rec/journals/corr/abs-2002-05709.xml",
        Reply.file(fixture_api("dblp", "corr_abs-2002-05709.xml")),
    )
    server.add("/dblp/search/publ/api", Reply.file(fixture_api("dblp", "search_simclr.json")))
    server.add("/crossref/works", Reply.json(CROSSREF_EMPTY))
    server.add("/openreview/notes/search", Reply.file(fixture_api("openreview", "empty.json")))


def crossref_work(name: str) -> tuple[str, dict[str, Any]]:
    """A recorded Crossref /works/{doi} response (papis' recordings): its DOI and message."""
    data = json.loads(corpus_api("crossref", "papis", name).read_text("utf-8"))
    message: dict[str, Any] = data["message"]
    return str(message["DOI"]).lower(), data


def doi_routes(server: ReplayServer, name: str = "test_3_conference.json") -> dict[str, Any]:
    """Crossref answers one recorded DOI; the other sources know nothing (404)."""
    doi, data = crossref_work(name)
    server.add(f"/crossref/works/{doi}", Reply.json(data))
    return dict(data["message"])


def new_library(root: Path, **config: Any) -> Library:
    """A library whose HTTP client does not retry (a 500 fails at once: fast tests)."""
    return Library.create(root, Config(sources={"retries": 0, "timeout": 5}, **config))


TODAY = date(2020, 7, 8)


def add(
    lib: Library, server: ReplayServer, text: str, today: date = TODAY, **options: Any
) -> Added:
    """``add_paper`` in-process through the real client and sources."""
    env = source_env(server)
    with open_client(lib, env) as client:
        return add_paper(
            lib, text, make_sources(lib.config, env, client), AddOptions(**options), today
        )


def cli(lib: Library, server: ReplayServer, *args: str) -> Any:
    return run_cli(*args, library=lib.root, env=source_env(server))


def files_of(lib: Library) -> dict[str, str]:
    """Every file of the library but the derived .paperlog folder, by relative path."""
    return {
        str(p.relative_to(lib.root)): p.read_text("utf-8")
        for p in sorted(lib.root.rglob("*"))
        if p.is_file() and ".paperlog" not in p.parts
    }


# --- by identifier ---------------------------------------------------------------------------


def test_add_by_arxiv_id_merges_the_published_venue(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    result = cli(lib, server, "add", SIMCLR_ARXIV, "--date", "2020-07-08", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    paper = lib.load_paper(out["key"])
    s2 = json.loads(fixture_api("s2", "arXiv_2002.05709.json").read_text("utf-8"))
    assert paper.title == s2["title"]
    assert paper.venue == "ICML"  # arXiv says preprint; S2 and DBLP say ICML
    assert paper.venue_label == "ICML 2020"  # the README badge, in the hand-kept style
    assert paper.year == s2["year"]
    assert paper.ids["arxiv"] == SIMCLR_ARXIV
    assert paper.ids["s2"] == s2["paperId"]
    assert len(paper.authors) == len(s2["authors"])
    assert paper.abstract and paper.abstract.startswith("This paper presents SimCLR")
    assert paper.citekey == "chen2020simple"
    assert paper.status == "wish" and paper.rank == 1
    assert paper.added == date(2020, 7, 8)
    assert paper.notes == "\n## Key ideas\n\n## Notes\n"
    assert paper.url == f"https://arxiv.org/abs/{SIMCLR_ARXIV}"
    assert set(out["sources"]) == {"arxiv", "s2", "dblp"}
    assert out["provenance"]["abstract"] == "arxiv"
    assert not server.unmatched


def test_add_prints_what_it_did(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    result = cli(lib, server, "add", f"arXiv:{SIMCLR_ARXIV}", "--date", "2020-07-08")
    assert result.returncode == 0, result.stderr
    key = lib.keys()[0]
    assert f"added {key}:" in result.stdout
    assert "ICML 2020" in result.stdout
    assert "sources: arxiv" in result.stdout and "s2" in result.stdout
    assert "chen2020simple" in result.stdout


def test_add_by_arxiv_url_with_version(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    added = add(lib, server, f"https://arxiv.org/pdf/{SIMCLR_ARXIV}v3.pdf")
    assert added.query.kind == "arxiv"
    assert added.paper.ids["arxiv"] == SIMCLR_ARXIV
    assert lib.exists(added.paper.key)


def test_add_by_doi_from_a_recorded_crossref_work(tmp_path: Path, server: ReplayServer) -> None:
    work = doi_routes(server)
    lib = new_library(tmp_path / "lib")
    result = cli(lib, server, "add", work["DOI"], "--date", "2020-07-08", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    paper = lib.load_paper(out["key"])
    assert paper.title == work["title"][0]
    assert paper.ids["doi"] == work["DOI"].lower()
    assert paper.authors[0].endswith(work["author"][0]["family"])
    assert len(paper.authors) == len(work["author"])
    assert paper.url == f"https://doi.org/{work['DOI'].lower()}"
    assert out["sources"] == ["crossref"]
    # S2 was asked by DOI too and had nothing: reported, not fatal.
    s2 = next(o for o in out["outcomes"] if o["source"] == "s2")
    assert s2["status"] == "not found"


def test_add_by_doi_url(tmp_path: Path, server: ReplayServer) -> None:
    work = doi_routes(server, "test_1_multiple_authors.json")
    lib = new_library(tmp_path / "lib")
    added = add(lib, server, f"https://doi.org/{work['DOI']}")
    assert added.query.kind == "doi"
    assert added.paper.title == work["title"][0]
    assert added.paper.venue is None or added.paper.year is not None


def test_a_doi_no_source_knows_is_a_clean_error(tmp_path: Path, server: ReplayServer) -> None:
    lib = new_library(tmp_path / "lib")
    before = files_of(lib)
    result = cli(lib, server, "add", "10.1234/no-such-paper")
    assert result.returncode == 3  # NOT_FOUND
    assert result.stderr.startswith("paperlog: error:")
    assert "10.1234/no-such-paper" in result.stderr
    assert "crossref" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert files_of(lib) == before


@pytest.mark.parametrize("text", ["https://example.com/blog/post", "   "])
def test_input_that_names_no_paper_is_refused(
    tmp_path: Path, server: ReplayServer, text: str
) -> None:
    lib = new_library(tmp_path / "lib")
    result = cli(lib, server, "add", text)
    assert result.returncode == 4  # BAD_INPUT
    assert result.stderr.startswith("paperlog: error:")
    assert not server.requests  # refused before asking anyone
    assert lib.keys() == []


def test_an_id_kind_no_source_reads_is_refused(tmp_path: Path, server: ReplayServer) -> None:
    lib = new_library(tmp_path / "lib")
    with pytest.raises(ValidationError, match="no metadata source can look up"):
        add(
            lib,
            server,
            "https://openaccess.thecvf.com/content_CVPR_2019/html/X_CVPR_2019_paper.html",
        )
    assert lib.keys() == []


# --- sources failing -----------------------------------------------------------------------


def test_one_source_down_still_adds_and_says_which(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    server.add(f"/s2/paper/arXiv:{SIMCLR_ARXIV}", Reply(status=500))
    lib = new_library(tmp_path / "lib")
    result = cli(lib, server, "add", SIMCLR_ARXIV, "--date", "2020-07-08")
    assert result.returncode == 0, result.stderr
    assert "s2 failed" in result.stderr and "HTTP 500" in result.stderr
    paper = lib.load_paper(lib.keys()[0])
    assert paper.venue == "ICML"  # DBLP still knows the published version
    assert "s2" not in paper.ids


def test_all_sources_down_is_an_error_and_changes_nothing(
    tmp_path: Path, server: ReplayServer
) -> None:
    for name in SOURCE_NAMES:
        server.add(f"/{name}", Reply(status=500))
    server.add(f"/s2/paper/arXiv:{SIMCLR_ARXIV}", Reply(status=503))
    server.add("/dblp/rec/journals/corr/abs-2002-05709.xml", Reply(status=502))
    lib = new_library(tmp_path / "lib")
    before = files_of(lib)
    result = cli(lib, server, "add", SIMCLR_ARXIV)
    assert result.returncode == 6  # NETWORK
    assert "arxiv" in result.stderr and "HTTP 5" in result.stderr
    assert files_of(lib) == before


def test_offline_after_an_online_add_uses_the_cache(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    first = cli(lib, server, "add", SIMCLR_ARXIV, "--date", "2020-07-08", "--json")
    assert first.returncode == 0, first.stderr
    key = json.loads(first.stdout)["key"]
    online = lib.paper_path(key).read_text("utf-8")
    lib.delete_paper(key)
    asked = len(server.requests)
    again = cli(lib, server, "add", SIMCLR_ARXIV, "--date", "2020-07-08", "--offline")
    assert again.returncode == 0, again.stderr
    assert len(server.requests) == asked  # not one request went out
    assert lib.paper_path(key).read_text("utf-8") == online


def test_offline_without_a_cache_fails_cleanly(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    result = cli(lib, server, "add", SIMCLR_ARXIV, "--offline")
    assert result.returncode == 6
    assert "offline and not cached" in result.stderr
    assert not server.requests
    assert lib.keys() == []


# --- by title --------------------------------------------------------------------------------


def test_add_by_unambiguous_title(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    title = "a simple framework for contrastive learning of visual representations"
    added = add(lib, server, title)
    assert added.query.kind == "title"
    assert added.paper.ids["arxiv"] == SIMCLR_ARXIV
    assert added.paper.venue == "ICML"
    assert added.candidates[0].score == 100.0
    assert added.candidates[0].score - added.candidates[1].score >= 5


def test_ambiguous_title_lists_candidates_then_pick(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    result = cli(lib, server, "add", "contrastive", "learning", "--json")
    assert result.returncode == 1
    assert "--pick" in result.stderr
    listed = json.loads(result.stdout)["candidates"]
    assert len(listed) >= 2
    assert [c["pick"] for c in listed] == list(range(1, len(listed) + 1))
    assert lib.keys() == []
    wanted = next(c for c in listed if c["ids"].get("arxiv") == "2003.04297")
    picked = cli(lib, server, "add", "contrastive learning", "--pick", str(wanted["pick"]))
    assert picked.returncode == 0, picked.stderr
    paper = lib.load_paper(lib.keys()[0])
    assert paper.title == wanted["title"]


def test_pick_out_of_range_is_refused(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    with pytest.raises(ValidationError, match="out of range"):
        add(lib, server, "contrastive learning", pick=99)
    assert lib.keys() == []


def test_a_title_no_source_finds(tmp_path: Path, server: ReplayServer) -> None:
    server.add("/arxiv", Reply.text(EMPTY_ATOM, content_type="application/atom+xml"))
    server.add("/s2/paper/search", Reply.json({"total": 0, "offset": 0}))
    server.add("/dblp/search/publ/api", Reply.file(fixture_api("dblp", "search_empty.json")))
    server.add("/crossref/works", Reply.json(CROSSREF_EMPTY))
    server.add("/openreview/notes/search", Reply.file(fixture_api("openreview", "empty.json")))
    lib = new_library(tmp_path / "lib")
    with pytest.raises((NotFound, AmbiguousTitle)):
        add(lib, server, "zzqx nonexistent paper title")
    assert lib.keys() == []


# --- duplicates ------------------------------------------------------------------------------


def test_duplicate_by_id_is_refused_without_a_request(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_paper(Paper(key="simclr", title="SimCLR", ids={"arxiv": SIMCLR_ARXIV}))
    result = cli(lib, server, "add", f"https://arxiv.org/abs/{SIMCLR_ARXIV}v2")
    assert result.returncode == 4
    assert "simclr" in result.stderr and "--force" in result.stderr
    assert not server.requests
    assert lib.keys() == ["simclr"]


def test_duplicate_by_title_is_refused_and_force_adds(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    typed = Paper(
        key="simclr-2020",
        title="A Simple Framework for Contrastive Learning of Visual Representations.",
        nickname="SimCLR",
        status="read",
    )
    lib.save_paper(typed)
    with pytest.raises(DuplicatePaper) as info:
        add(lib, server, SIMCLR_ARXIV)
    assert info.value.existing.key == "simclr-2020"
    assert "near-identical title" in info.value.message
    assert lib.keys() == ["simclr-2020"]
    forced = add(lib, server, SIMCLR_ARXIV, force=True)
    assert forced.duplicate_of == "simclr-2020"
    assert sorted(lib.keys()) == sorted(["simclr-2020", forced.paper.key])
    assert lib.load_paper("simclr-2020") == typed  # the old file is untouched


def test_a_typed_title_already_present_is_refused_without_a_request(
    tmp_path: Path, server: ReplayServer
) -> None:
    lib = new_library(tmp_path / "lib")
    lib.save_paper(Paper(key="mixup", title="Beyond Empirical Risk Minimization", nickname="Mixup"))
    result = cli(lib, server, "add", "mixup:", "beyond", "empirical", "risk", "minimization")
    assert result.returncode == 4
    assert "already in the library as mixup" in result.stderr
    assert not server.requests


def test_force_gives_a_unique_key_and_citekey(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    first = add(lib, server, SIMCLR_ARXIV)
    second = add(lib, server, SIMCLR_ARXIV, force=True)
    assert first.paper.key != second.paper.key
    assert first.paper.citekey != second.paper.citekey
    assert first.paper.citekey and second.paper.citekey
    assert second.paper.citekey.startswith(first.paper.citekey)


# --- placing it: wish-list or this week --------------------------------------------------------


def test_wish_list_rank_is_last_plus_one(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_paper(Paper(key="a", title="First queued", rank=1))
    lib.save_paper(Paper(key="b", title="Second queued", rank=4))
    lib.save_paper(Paper(key="c", title="Read already", status="read"))
    added = add(lib, server, SIMCLR_ARXIV, group="Self-supervised")
    assert added.paper.rank == 5
    assert added.paper.wish_group == "Self-supervised"


def test_read_logs_it_in_the_known_week(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib", topics=[Topic("Uns", "Unsupervised")])
    lib.save_weeks([WeekInfo(3, date(2020, 7, 6), groups=["Depth"])])
    result = cli(
        lib,
        server,
        "add",
        SIMCLR_ARXIV,
        "--read",
        "--date",
        "2020-07-08",
        "--group",
        "Contrastive",
        "--topic",
        "Uns",
        "--track",
        "depth",
        "--key",
        "simclr",
    )
    assert result.returncode == 0, result.stderr
    paper = lib.load_paper("simclr")
    assert paper.status == "read" and paper.rank is None
    [reading] = paper.readings
    assert (reading.week, reading.week_start, reading.date) == (3, date(2020, 7, 6), TODAY)
    assert reading.group == "Contrastive"
    assert paper.topics == ["Uns"] and paper.track == "depth"
    [week] = lib.load_weeks()
    assert week.groups == ["Depth", "Contrastive"]


def test_read_in_a_new_week_opens_it(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_weeks([WeekInfo(3, date(2020, 7, 6))])
    added = add(
        lib, server, SIMCLR_ARXIV, today=date(2020, 7, 20), read=True, on_date=date(2020, 7, 14)
    )
    assert added.new_week
    assert added.paper.readings[0].week == 4
    assert added.paper.readings[0].week_start == date(2020, 7, 13)
    assert [w.week for w in lib.load_weeks()] == [4, 3]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"topics": ["Nope"]}, "unknown topic code"),
        ({"track": "sideways"}, "unknown track"),
        ({"key": "bad/key"}, "--key"),
        ({"read": True, "on_date": date(2020, 7, 9)}, "after today"),
    ],
)
def test_bad_options_are_refused_before_any_request(
    tmp_path: Path, server: ReplayServer, options: dict[str, Any], message: str
) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    with pytest.raises(ValidationError, match=message):
        add(lib, server, SIMCLR_ARXIV, **options)
    assert not server.requests
    assert lib.keys() == []


def test_a_taken_key_is_refused(tmp_path: Path, server: ReplayServer) -> None:
    lib = new_library(tmp_path / "lib")
    lib.save_paper(Paper(key="simclr", title="Something else"))
    with pytest.raises(ValidationError, match="taken"):
        add(lib, server, SIMCLR_ARXIV, key="SimCLR")


def test_network_errors_are_network_errors(tmp_path: Path, server: ReplayServer) -> None:
    lib = new_library(tmp_path / "lib")
    server.add("/arxiv", Reply(status=500))
    server.add(f"/s2/paper/arXiv:{SIMCLR_ARXIV}", Reply(status=500))
    server.add("/dblp/rec/journals/corr/abs-2002-05709.xml", Reply(status=500))
    with pytest.raises(NetworkError):
        add(lib, server, SIMCLR_ARXIV)


def test_paper_ids_keep_identifiers_only() -> None:
    ids = {"arxiv": "2002.05709", "arxiv_category": "cs.LG", "s2_corpus": "1", "doi": ""}
    assert paper_ids(ids) == {"arxiv": "2002.05709"}
    assert paper_ids({"doi": "10.48550/arXiv.2002.05709"}) == {"arxiv": "2002.05709"}


# --- real arXiv recordings (arxiv.py's fixtures) -------------------------------------------


def _recorded_entry_title(name: str) -> str:
    import xml.etree.ElementTree as ET

    feed = ET.fromstring(arxiv_recording(name).body)
    title = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title")
    assert title is not None and title.text is not None
    return " ".join(title.text.split())


def test_add_a_plain_preprint_from_a_real_arxiv_answer(
    tmp_path: Path, server: ReplayServer
) -> None:
    name = "id_1605.08386_s0_m100_199195aa31ad.json"
    server.add("/arxiv", arxiv_recording(name), query={"id_list": "1605.08386"})
    lib = new_library(tmp_path / "lib")
    added = add(lib, server, "arXiv:1605.08386")
    paper = lib.load_paper(added.paper.key)
    assert paper.title == _recorded_entry_title(name)
    assert paper.year == 2016
    assert paper.venue is None  # a preprint: no venue, as hand-kept lists write it
    assert paper.venue_label == "2016"
    assert added.resolution.answered == ["arxiv"]
    # S2 and DBLP were asked and had nothing (404): reported, not fatal.
    assert {o.source for o in added.resolution.problems} == {"s2", "dblp"}


def test_add_an_old_style_id_with_a_journal_ref(tmp_path: Path, server: ReplayServer) -> None:
    name = "id_astro-ph_0601001_s0_m100_3150dca9dc76.json"
    server.add("/arxiv", arxiv_recording(name), query={"id_list": "astro-ph/0601001"})
    lib = new_library(tmp_path / "lib")
    added = add(lib, server, "https://arxiv.org/abs/astro-ph/0601001v2")
    assert added.paper.ids["arxiv"] == "astro-ph/0601001"
    assert added.paper.title == _recorded_entry_title(name)
    assert added.resolution.merged.published  # journal_ref names a journal
    assert added.paper.year == 2006
    assert "/" not in added.paper.key
    assert lib.exists(added.paper.key)


def test_add_a_paper_titled_zero(tmp_path: Path, server: ReplayServer) -> None:
    server.add(
        "/arxiv",
        arxiv_recording("id_2104.12255v1_s0_m100_6ae69987ffe1.json"),
        query={"id_list": "2104.12255"},
    )
    lib = new_library(tmp_path / "lib")
    added = add(lib, server, "2104.12255v1")
    assert added.paper.title == "0"
    assert added.paper.key == "0-2021"
    assert added.paper.citekey and added.paper.citekey.startswith("nguyen2021")


def test_an_arxiv_error_entry_is_not_found(tmp_path: Path, server: ReplayServer) -> None:
    # arXiv answers an unknown id with an error entry, not a 404 (recorded for 0000.0000).
    server.add("/arxiv", arxiv_recording("id_0000.0000_s0_m100_8b51d9633a68.json"))
    lib = new_library(tmp_path / "lib")
    result = cli(lib, server, "add", "2101.99999")
    assert result.returncode == 3, result.stderr
    assert "arxiv 2101.99999" in result.stderr
    assert lib.keys() == []


@pytest.mark.parametrize("text", ["2013.12345", "0808.05394", "arXiv:1501.1234", "10.1234"])
def test_a_mistyped_id_is_not_searched_as_a_title(
    tmp_path: Path, server: ReplayServer, text: str
) -> None:
    lib = new_library(tmp_path / "lib")
    with pytest.raises(ValidationError, match="not a valid"):
        add(lib, server, text)
    assert not server.requests


def _atom_entry(arxiv_id: str, title: str, authors: list[str], doi: str) -> str:
    """An arXiv API feed with one entry naming its journal DOI (the documented Atom shape)."""
    names = "".join(f"<author><name>{name}</name></author>" for name in authors)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
        f"<title>ArXiv Query</title><id>http://arxiv.org/api/{arxiv_id}</id>"
        f"<entry><id>http://arxiv.org/abs/{arxiv_id}v1</id>"
        "<published>2018-02-01T10:00:00Z</published>"
        f"<title>{title}</title><summary>The preprint's abstract.</summary>{names}"
        f"<arxiv:doi>{doi}</arxiv:doi>"
        '<arxiv:primary_category term="cs.AI"/></entry></feed>'
    )


def test_an_id_revealed_by_one_source_is_asked_of_the_others(
    tmp_path: Path, server: ReplayServer
) -> None:
    """arXiv names the journal DOI; Crossref, which cannot read arXiv ids, is then asked by it."""
    work = doi_routes(server)
    authors = [f"{a['given']} {a['family']}" for a in work["author"]]
    feed = _atom_entry("1802.00001", work["title"][0], authors[:1], work["DOI"])
    server.add(
        "/arxiv",
        Reply.text(feed, content_type="application/atom+xml"),
        query={"id_list": "1802.00001"},
    )
    lib = new_library(tmp_path / "lib")
    added = add(lib, server, "1802.00001")
    assert added.resolution.answered == ["arxiv", "crossref"]
    asked = [s.path for s in server.seen() if s.path.startswith("/crossref/")]
    assert asked == [f"/crossref/works/{work['DOI'].lower()}"]
    paper = added.paper
    assert paper.ids == {"arxiv": "1802.00001", "doi": work["DOI"].lower()}
    assert len(paper.authors) == len(work["author"])  # Crossref's list is the complete one
    assert added.resolution.merged.provenance["authors"] == "crossref"
    assert paper.abstract == "The preprint's abstract."
    assert added.resolution.merged.published
    assert added.resolution.merged.provenance["venue"] == "crossref"
    assert paper.venue is not None and paper.venue_label == f"{paper.venue} {paper.year}"


def _candidate(title: str, score: float) -> Candidate:
    record = Record(source="s2", title=title)
    return Candidate([record], merge_records([record]), score)


@pytest.mark.parametrize(
    ("scores", "taken"),
    [
        ([100.0], True),
        ([100.0, 94.0], True),
        ([100.0, 96.0], False),  # the runner-up is too close
        ([89.0], False),  # nothing close enough
        ([92.0, 50.0, 40.0], True),
    ],
)
def test_the_best_candidate_is_taken_only_when_clear(scores: list[float], taken: bool) -> None:
    candidates = [_candidate(f"title {i}", s) for i, s in enumerate(scores)]
    if taken:
        assert choose_candidate(candidates, "typed", None) is candidates[0]
    else:
        with pytest.raises(AmbiguousTitle) as info:
            choose_candidate(candidates, "typed", None)
        assert info.value.candidates == candidates
    assert choose_candidate(candidates, "typed", len(scores)) is candidates[-1]


def test_a_near_namesake_does_not_block_the_exact_title() -> None:
    exact = "Attention Is All You Need"
    near = "Attention Is Not All You Need"
    candidates = [_candidate(t, title_score(exact, t)) for t in (exact, near)]
    assert choose_candidate(candidates, exact, None).merged.title == exact


def test_read_with_a_broken_plan_names_the_config(tmp_path: Path, server: ReplayServer) -> None:
    lib = new_library(tmp_path / "lib")
    lib.config.plan.week_start = "someday"
    lib.save_config()
    result = cli(lib, server, "add", SIMCLR_ARXIV, "--read", "--date", "2020-07-08")
    assert result.returncode == 4
    assert "paperlog.toml" in result.stderr and "[plan]" in result.stderr
    assert not server.requests


def test_a_source_answering_nonsense_does_not_stop_add(
    tmp_path: Path, server: ReplayServer
) -> None:
    simclr_routes(server)
    nonsense = {
        "paperId": "x",
        "title": ["not", "a", "string"],
        "authors": "nobody",
        "year": "soon",
    }
    server.add(f"/s2/paper/arXiv:{SIMCLR_ARXIV}", Reply.json({**nonsense, "externalIds": [1]}))
    server.add("/dblp/rec/journals/corr/abs-2002-05709.xml", Reply.text("<dblp><oops/></dblp>"))
    lib = new_library(tmp_path / "lib")
    added = add(lib, server, SIMCLR_ARXIV)
    assert added.paper.title == SIMCLR_TITLE
    assert "arxiv" in added.resolution.answered
    assert lib.exists(added.paper.key)


def test_a_source_answering_about_another_paper_is_left_out(
    tmp_path: Path, server: ReplayServer
) -> None:
    simclr_routes(server)
    other = json.loads(fixture_api("s2", "search_simclr.json").read_text("utf-8"))["data"][1]
    server.add(f"/s2/paper/arXiv:{SIMCLR_ARXIV}", Reply.json(other))  # MoCo v2, not SimCLR
    lib = new_library(tmp_path / "lib")
    added = add(lib, server, SIMCLR_ARXIV)
    s2 = next(o for o in added.resolution.outcomes if o.source == "s2")
    assert s2.status == "failed" and "another paper" in (s2.reason or "")
    assert added.paper.title == SIMCLR_TITLE
    assert added.paper.ids["arxiv"] == SIMCLR_ARXIV
    assert "s2" not in added.paper.ids


def test_a_renamed_published_version_is_kept() -> None:
    from paperlog.ids import Identifier
    from paperlog.resolve.resolution import SourceOutcome, drop_strays

    preprint = Record(
        source="arxiv", title="Big Transfer (BiT): General Visual Representation Learning"
    )
    published = Record(
        source="crossref",
        title="Large Scale Learning of General Visual Representations for Transfer",
    )
    outcomes: dict[str, SourceOutcome] = {}
    kept = drop_strays([preprint, published], Identifier("arxiv", "1912.11370"), outcomes)
    assert kept == [preprint, published] and outcomes == {}


def test_add_by_a_semantic_scholar_link_from_a_real_s2_answer(
    tmp_path: Path, server: ReplayServer
) -> None:
    """danielnsilva/semanticscholar's recorded Paper object (Turing, 1950), looked up by S2 id;
    the DOI it names is then asked of Crossref, which has nothing here (404)."""
    recorded = json.loads(
        corpus_api("semantic_scholar", "danielnsilva_semanticscholar", "Paper.json").read_text(
            "utf-8"
        )
    )
    s2_id = recorded["paperId"]
    server.add(f"/s2/paper/{s2_id}", Reply.json(recorded))
    lib = new_library(tmp_path / "lib")
    added = add(lib, server, f"https://www.semanticscholar.org/paper/{s2_id}")
    paper = lib.load_paper(added.paper.key)
    assert added.query.kind == "s2"
    assert paper.title == recorded["title"]
    assert paper.year == recorded["year"]
    assert paper.ids["s2"] == s2_id
    assert paper.ids["doi"] == recorded["externalIds"]["DOI"].lower()
    assert paper.url == f"https://doi.org/{paper.ids['doi']}"
    crossref = next(o for o in added.resolution.outcomes if o.source == "crossref")
    assert crossref.status == "not found"  # asked by the DOI S2 revealed
    assert [a.split()[-1] for a in paper.authors] == [
        a["name"].split()[-1] for a in recorded["authors"]
    ]


def test_two_adds_of_one_paper_at_once_write_it_once(tmp_path: Path, server: ReplayServer) -> None:
    """Two processes race: the library lock makes the second see the first's file."""
    import os
    import subprocess
    import sys

    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLOG_")}
    env.update(source_env(server))
    argv = [sys.executable, "-m", "paperlog", "--library", str(lib.root), "add", SIMCLR_ARXIV]
    procs = [
        subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    results = [(p.returncode, out) for p, out in zip(procs, outputs, strict=True)]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 4], results
    assert len(lib.keys()) == 1
    refused = next(err for code, (_, err) in results if code == 4)
    assert f"already in the library as {lib.keys()[0]}" in refused


def test_read_on_a_day_in_a_pause_is_refused_like_done(
    tmp_path: Path, server: ReplayServer
) -> None:
    """Wk3 then a pause then Wk4: a day inside the pause would get Wk4's number; add --read
    refuses it as `paperlog done` does, and writes nothing."""
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_weeks([WeekInfo(4, date(2020, 8, 3)), WeekInfo(3, date(2020, 7, 6))])
    before = files_of(lib)
    with pytest.raises(ValidationError, match="already belongs to the week of 2020-08-03"):
        add(
            lib, server, SIMCLR_ARXIV, today=date(2020, 8, 20), read=True, on_date=date(2020, 7, 21)
        )
    assert files_of(lib) == before
