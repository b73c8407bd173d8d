"""The five metadata sources through the real HttpClient against a local replay server.

Bodies are real recordings from ``../shared/corpus/api`` where one exists (those tests skip when
it is absent) and hand-written documented-format responses from ``tests/fixtures/api`` where not.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from paperlog.errors import NetworkError, NotFound
from paperlog.ids import Identifier
from paperlog.model import Config
from paperlog.resolve.dblp import corr_key
from paperlog.resolve.http import HttpClient
from paperlog.resolve.openreview import OpenReviewSource
from paperlog.resolve.record import Record, Source
from paperlog.resolve.semantic_scholar import SemanticScholarSource
from paperlog.resolve.sources import (
    openreview_v1_url,
)
from replay import ANY, ReplayServer, Reply, arxiv_recording, cassette, corpus_api, fixture_api


def titles(records: list[Record]) -> list[str | None]:
    return [r.title for r in records]


# --- arXiv -----------------------------------------------------------------------------------


def test_arxiv_lookup_real_recording(server: ReplayServer, sources: dict[str, Source]) -> None:
    server.add(
        "/arxiv", arxiv_recording("id_1707.08567_s0_m100_6a1afebfc6a3.json"), query={"id_list": ANY}
    )
    record = sources["arxiv"].lookup(Identifier("arxiv", "1707.08567"))
    assert record is not None
    assert record.title == (
        "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications"
    )
    assert record.authors[0] == "Kees A. Schouhamer Immink"
    assert len(record.authors) == 34
    assert (record.year, record.venue, record.published) == (2017, "arXiv", False)
    assert record.ids == {"arxiv": "1707.08567"}
    assert record.url == "https://arxiv.org/abs/1707.08567"
    assert record.abstract is not None and record.abstract.startswith("The 10th Asia-Europe")
    (seen,) = server.seen("/arxiv")
    assert seen.params["id_list"] == "1707.08567"


def test_arxiv_journal_ref_marks_a_publication(
    server: ReplayServer, sources: dict[str, Source]
) -> None:
    server.add(
        "/arxiv",
        arxiv_recording("id_astro-ph_0601001_s0_m100_3150dca9dc76.json"),
        query={"id_list": "astro-ph/0601001"},
    )
    record = sources["arxiv"].lookup(Identifier("arxiv", "astro-ph/0601001"))
    assert record is not None
    assert record.ids["arxiv"] == "astro-ph/0601001"
    # the journal's name without volume and pages; the journal reference's year
    assert record.venue == "ActaAstron."
    assert record.published is True
    assert record.kind == "journal-article"
    assert record.entry_type == "article"
    assert record.year == 2006


def test_arxiv_lookup_of_simclr_written_fixture(
    server: ReplayServer, sources: dict[str, Source]
) -> None:
    server.add(
        "/arxiv", Reply.file(fixture_api("arxiv", "2002.05709.atom")), query={"id_list": ANY}
    )
    record = sources["arxiv"].lookup(Identifier("arxiv", "2002.05709"))
    assert record is not None
    # The Atom title wraps over two lines; the record's title is one line.
    assert record.title == "A Simple Framework for Contrastive Learning of Visual Representations"
    assert record.authors == ["Ting Chen", "Simon Kornblith", "Mohammad Norouzi", "Geoffrey Hinton"]
    assert record.venue_canonical == "arXiv"
    assert record.ids == {"arxiv": "2002.05709"}  # the version (v3) is dropped


def test_arxiv_unknown_id_is_not_found(server: ReplayServer, sources: dict[str, Source]) -> None:
    # arXiv answers an unknown id with 200 and an empty feed, not with 404.
    server.add("/arxiv", arxiv_recording("id_0000.0000_s0_m100_8b51d9633a68.json"))
    with pytest.raises(NotFound, match=r"arxiv: no paper with id 0000\.0000"):
        sources["arxiv"].lookup(Identifier("arxiv", "0000.0000"))


def test_arxiv_bad_id_is_a_network_error(server: ReplayServer, sources: dict[str, Source]) -> None:
    server.add("/arxiv", arxiv_recording("id_abc_s0_m100_b79c8dcf6bc3.json"))
    with pytest.raises(NetworkError, match="HTTP 400"):
        sources["arxiv"].lookup(Identifier("arxiv", "abc"))


def test_arxiv_title_search(server: ReplayServer, sources: dict[str, Source]) -> None:
    server.add(
        "/arxiv",
        Reply.file(fixture_api("arxiv", "search_simclr.atom")),
        query={"search_query": ANY},
    )
    found = sources["arxiv"].search(
        "A Simple Framework for Contrastive Learning of Visual Representations", limit=5
    )
    assert [r.ids["arxiv"] for r in found] == ["2002.05709", "2006.10029"]
    (seen,) = server.seen("/arxiv")
    # Stop words are left out; every other word must be in the title.
    assert seen.params["search_query"] == (
        "ti:Simple AND ti:Framework AND ti:Contrastive AND ti:Learning AND ti:Visual"
        " AND ti:Representations"
    )
    assert seen.params["max_results"] == "5"


def test_arxiv_search_real_recording_respects_limit(
    server: ReplayServer, sources: dict[str, Source]
) -> None:
    server.add(
        "/arxiv", arxiv_recording("q_testing_s0_m10_bc5a6c384fe9.json"), query={"search_query": ANY}
    )
    found = sources["arxiv"].search("testing", limit=3)
    assert len(found) == 3
    assert all(r.source == "arxiv" and r.title and r.ids.get("arxiv") for r in found)
    assert found[0].title is not None and "Testing" in found[0].title


def test_arxiv_cannot_look_up_other_kinds(sources: dict[str, Source]) -> None:
    assert sources["arxiv"].lookup(Identifier("openreview", "YicbFdNTTy")) is None
    assert sources["arxiv"].lookup(Identifier("doi", "10.1371/journal.pone.0033693")) is None


# --- Crossref --------------------------------------------------------------------------------


def test_crossref_lookup_real_recording(server: ReplayServer, sources: dict[str, Source]) -> None:
    (hit,) = cassette("crossref", "habanero", "cassettes", "test_works_with_one_id.yaml")
    server.add("/crossref/works/10.1371/journal.pone.0033693", hit.reply())
    record = sources["crossref"].lookup(Identifier("doi", "10.1371/journal.pone.0033693"))
    assert record is not None
    work = json.loads(hit.body)["message"]
    assert record.title == work["title"][0]
    assert record.authors[0] == "Shankar Sadasivan"
    assert len(record.authors) == len(work["author"])
    assert record.year == 2012
    assert record.venue == "PLoS ONE"
    assert record.kind == "journal-article" and record.published is True
    assert record.ids == {"doi": "10.1371/journal.pone.0033693"}


def test_crossref_404_real_recording(server: ReplayServer, sources: dict[str, Source]) -> None:
    (miss,) = cassette("crossref", "habanero", "cassettes", "test_works_bad_id_warn.yaml")
    assert miss.status == 404
    server.add("/crossref/works/10.1371/notarealdoi", miss.reply())
    with pytest.raises(NotFound, match=r"crossref: .*/works/10\.1371/notarealdoi: not found"):
        sources["crossref"].lookup(Identifier("doi", "10.1371/notarealdoi"))


def test_crossref_title_search(server: ReplayServer, sources: dict[str, Source]) -> None:
    (page,) = cassette("crossref", "habanero", "cassettes", "test_works_query.yaml")
    server.add("/crossref/works", page.reply(), query={"query.bibliographic": ANY})
    found = sources["crossref"].search("ecology communication", limit=2)
    items = json.loads(page.body)["message"]["items"]
    assert titles(found) == [item["title"][0] for item in items]
    assert all(r.ids.get("doi") for r in found)
    (seen,) = server.seen("/crossref/works")
    assert seen.params["query.bibliographic"] == "ecology communication"
    assert seen.params["rows"] == "2"
    assert {"DOI", "title", "container-title", "issued"} <= set(seen.params["select"].split(","))


@pytest.mark.parametrize("name", ["test_3_conference.json", "test_2_abstract.json"])
def test_crossref_lookup_papis_recordings(
    server: ReplayServer, sources: dict[str, Source], name: str
) -> None:
    path = corpus_api("crossref", "papis", name)
    work = json.loads(path.read_text(encoding="utf-8"))["message"]
    server.add(f"/crossref/works/{work['DOI']}", Reply.file(path))
    record = sources["crossref"].lookup(Identifier("doi", work["DOI"].lower()))
    assert record is not None
    assert record.kind == work["type"]
    assert record.title == " ".join(work["title"][0].split())
    assert record.venue and record.year
    if work["type"] == "proceedings-article":
        assert record.published is True
    if "abstract" in work:
        # JATS markup stripped: the text is left, the tags and the "Abstract" heading are not.
        assert record.abstract and "<" not in record.abstract
        assert not record.abstract.lower().startswith("abstract")


def test_crossref_malformed_message(server: ReplayServer, sources: dict[str, Source]) -> None:
    server.add("/crossref/works/10.1/x", Reply.json({"status": "ok"}))
    with pytest.raises(NetworkError, match="malformed response"):
        sources["crossref"].lookup(Identifier("doi", "10.1/x"))


# --- Semantic Scholar ------------------------------------------------------------------------


def test_s2_lookup_by_arxiv_finds_the_venue(
    server: ReplayServer, sources: dict[str, Source]
) -> None:
    server.add("/s2/paper/arXiv:2002.05709", Reply.file(fixture_api("s2", "arXiv_2002.05709.json")))
    record = sources["s2"].lookup(Identifier("arxiv", "2002.05709"))
    assert record is not None
    assert record.venue == "International Conference on Machine Learning"
    assert record.venue_canonical == "ICML"
    assert (record.year, record.published, record.kind) == (2020, True, "Conference")
    assert record.ids["arxiv"] == "2002.05709"
    assert record.ids["dblp"] == "conf/icml/ChenK0H20"
    assert record.ids["s2"] == "34733eaf66007516347a40ad5d9bbe1cc9dacb6b"
    (seen,) = server.seen("/s2/paper/arXiv:2002.05709")
    assert "publicationVenue" in seen.params["fields"].split(",")


def test_s2_lookup_by_doi_real_recording(server: ReplayServer, sources: dict[str, Source]) -> None:
    (hit,) = cassette(
        "semantic_scholar", "danielnsilva_semanticscholar", "cassettes", "test_get_paper.yaml"
    )
    server.add("/s2/paper/DOI:10.1093/mind/lix.236.433", hit.reply())
    record = sources["s2"].lookup(Identifier("doi", "10.1093/mind/lix.236.433"))
    assert record is not None
    assert record.title == "Computing Machinery and Intelligence"
    assert record.ids["s2"] == json.loads(hit.body)["paperId"]


def test_s2_full_paper_object_real_data() -> None:
    from paperlog.resolve.semantic_scholar import paper_to_record

    paper = json.loads(
        corpus_api("semantic_scholar", "danielnsilva_semanticscholar", "Paper.json").read_text()
    )
    record = paper_to_record(paper)
    assert record.title == "Computing Machinery and Intelligence"
    assert record.year == 1950
    assert record.ids["doi"] == "10.1093/mind/lix.236.433"  # S2 upper-cases; we normalise
    assert record.authors[0] == "A. Turing"
    assert record.published is True  # publicationTypes says JournalArticle


def test_s2_404_real_recording(server: ReplayServer, sources: dict[str, Source]) -> None:
    miss = cassette(
        "semantic_scholar", "danielnsilva_semanticscholar", "cassettes", "test_not_found.yaml"
    )[0]
    server.add("/s2/paper/arXiv:9999.99999", miss.reply())
    with pytest.raises(NotFound, match=r"s2: .*not found"):
        sources["s2"].lookup(Identifier("arxiv", "9999.99999"))


def test_s2_title_search(server: ReplayServer, sources: dict[str, Source]) -> None:
    server.add("/s2/paper/search", Reply.file(fixture_api("s2", "search_simclr.json")))
    found = sources["s2"].search("simple framework contrastive learning", limit=5)
    assert [r.ids.get("arxiv") for r in found] == ["2002.05709", "2003.04297"]
    assert [r.published for r in found] == [True, False]  # arXiv.org is not a venue
    (seen,) = server.seen("/s2/paper/search")
    assert seen.params["query"] == "simple framework contrastive learning"
    assert seen.params["limit"] == "5"


def test_s2_search_real_recordings(server: ReplayServer, sources: dict[str, Source]) -> None:
    (page,) = cassette(
        "semantic_scholar", "danielnsilva_semanticscholar", "cassettes", "test_search_paper.yaml"
    )
    (empty,) = cassette(
        "semantic_scholar",
        "danielnsilva_semanticscholar",
        "cassettes",
        "test_empty_paginated_results.yaml",
    )
    server.add("/s2/paper/search", page.reply(), query={"query": "turing"})
    server.add("/s2/paper/search", empty.reply(), query={"query": "n0 r3sult s3arch t3rm"})
    found = sources["s2"].search("turing", limit=4)
    assert titles(found) == [p["title"] for p in json.loads(page.body)["data"][:4]]
    assert sources["s2"].search("n0 r3sult s3arch t3rm") == []


def test_s2_sends_the_api_key_header(server: ReplayServer, client: HttpClient) -> None:
    server.add("/s2/paper/search", Reply.json({"total": 0, "offset": 0}))
    source = SemanticScholarSource(client, server.url("/s2"), api_key="secret-key")
    assert source.search("anything") == []
    (seen,) = server.seen("/s2/paper/search")
    assert seen.headers["x-api-key"] == "secret-key"


# --- DBLP ------------------------------------------------------------------------------------


def _dblp_routes(server: ReplayServer, search_file: str) -> None:
    server.add(
        "/dblp/rec/journals/corr/abs-2002-05709.xml",
        Reply.file(fixture_api("dblp", "corr_abs-2002-05709.xml"), content_type="application/xml"),
    )
    server.add(
        "/dblp/search/publ/api",
        Reply.file(fixture_api("dblp", search_file)),
        query={"format": "json", "q": ANY},
    )


def test_dblp_lookup_by_arxiv_finds_the_published_version(
    server: ReplayServer, sources: dict[str, Source]
) -> None:
    _dblp_routes(server, "search_simclr.json")
    record = sources["dblp"].lookup(Identifier("arxiv", "2002.05709"))
    assert record is not None
    assert (record.venue, record.venue_canonical, record.year) == ("ICML", "ICML", 2020)
    assert record.published is True
    assert record.ids == {"dblp": "conf/icml/ChenK0H20", "arxiv": "2002.05709"}
    assert record.authors[0] == "Ting Chen"  # DBLP's homonym number "0001" is dropped
    assert record.title == "A Simple Framework for Contrastive Learning of Visual Representations"
    (seen,) = server.seen("/dblp/search/publ/api")
    assert seen.params["q"] == record.title


def test_dblp_lookup_falls_back_to_the_corr_record(
    server: ReplayServer, sources: dict[str, Source]
) -> None:
    _dblp_routes(server, "search_empty.json")
    record = sources["dblp"].lookup(Identifier("arxiv", "2002.05709"))
    assert record is not None
    assert (record.venue, record.venue_canonical, record.published) == ("CoRR", "arXiv", False)
    assert record.ids == {"dblp": "journals/corr/abs-2002-05709", "arxiv": "2002.05709"}


def test_dblp_unknown_record_is_not_found(server: ReplayServer, sources: dict[str, Source]) -> None:
    # No route: the replay server answers 404, as dblp.org does for an unknown record key.
    with pytest.raises(NotFound, match="dblp: "):
        sources["dblp"].lookup(Identifier("arxiv", "2002.99999"))


def test_dblp_title_search(server: ReplayServer, sources: dict[str, Source]) -> None:
    _dblp_routes(server, "search_simclr.json")
    found = sources["dblp"].search("A Simple Framework for Contrastive Learning", limit=5)
    assert [(r.venue, r.published) for r in found] == [("CoRR", False), ("ICML", True)]
    assert found[0].ids["arxiv"] == "2002.05709"  # read from the CoRR record's ee link
    (seen,) = server.seen("/dblp/search/publ/api")
    assert seen.params["h"] == "5"


def test_dblp_search_without_hits(server: ReplayServer, sources: dict[str, Source]) -> None:
    _dblp_routes(server, "search_empty.json")
    assert sources["dblp"].search("n0 r3sult") == []


def test_dblp_corr_keys() -> None:
    assert corr_key("2002.05709") == "journals/corr/abs-2002-05709"
    assert corr_key("1412.6980") == "journals/corr/abs-1412-6980"
    assert corr_key("hep-th/9901001") is None


# --- OpenReview ------------------------------------------------------------------------------


def test_openreview_lookup(server: ReplayServer, sources: dict[str, Source]) -> None:
    server.add(
        "/openreview/notes",
        Reply.file(fixture_api("openreview", "YicbFdNTTy.json")),
        query={"id": "YicbFdNTTy"},
    )
    record = sources["openreview"].lookup(Identifier("openreview", "YicbFdNTTy"))
    assert record is not None
    assert record.title is not None and record.title.startswith("An Image is Worth 16x16 Words")
    assert len(record.authors) == 12
    assert (record.venue, record.venue_canonical, record.year) == ("ICLR 2021 Oral", "ICLR", 2021)
    assert record.published is True
    assert record.url == "https://openreview.net/forum?id=YicbFdNTTy"


def _as_api_v2(note: dict[str, Any]) -> dict[str, Any]:
    """Wrap a tracker's flattened note back into the API v2 shape ({"value": ...} fields)."""
    content = {k: {"value": v} for k, v in note["content"].items()}
    return {
        "notes": [
            {"id": note["id"], "forum": note["id"], "cdate": note["cdate"], "content": content}
        ]
    }


@pytest.mark.parametrize("shape", ["v2", "v1"])
def test_openreview_submission_real_data_is_not_published(
    server: ReplayServer, sources: dict[str, Source], shape: str
) -> None:
    raw = json.loads(
        corpus_api("openreview", "imczxx_ICLR2026ReviewTracker", "02mBAZjFzp.json").read_text()
    )
    body = _as_api_v2(raw) if shape == "v2" else {"notes": [raw]}
    server.add("/openreview/notes", Reply.json(body), query={"id": "02mBAZjFzp"})
    record = sources["openreview"].lookup(Identifier("openreview", "02mBAZjFzp"))
    assert record is not None
    assert record.title == raw["content"]["title"]
    assert record.venue == "ICLR 2026 Conference Submission"
    assert record.published is False and record.venue_canonical is None
    assert record.year == 2026


def test_openreview_not_found(server: ReplayServer, sources: dict[str, Source]) -> None:
    server.add(
        "/openreview/notes",
        Reply.file(fixture_api("openreview", "empty.json")),
        query={"id": "nothing"},
    )
    with pytest.raises(NotFound, match="openreview: no note with id nothing"):
        sources["openreview"].lookup(Identifier("openreview", "nothing"))
    with pytest.raises(NotFound):  # no route: a 404 from the server
        sources["openreview"].lookup(Identifier("openreview", "unrouted"))


def test_openreview_title_search(server: ReplayServer, sources: dict[str, Source]) -> None:
    server.add(
        "/openreview/notes/search",
        Reply.file(fixture_api("openreview", "search_vit.json")),
        query={"term": ANY},
    )
    found = sources["openreview"].search("An Image is Worth 16x16 Words", limit=3)
    assert [r.ids["openreview"] for r in found] == ["YicbFdNTTy"]
    (seen,) = server.seen("/openreview/notes/search")
    assert seen.params["term"] == "An Image is Worth 16x16 Words"
    assert seen.params["source"] == "forum" and seen.params["limit"] == "3"


def _openreview_with_v1(client: HttpClient, server: ReplayServer) -> OpenReviewSource:
    return OpenReviewSource(client, server.url("/openreview"), v1_url=server.url("/v1"))


def _v1_note(name: str) -> dict[str, Any]:
    """A note from the tracker's data: its flat content is how API v1 shapes a note."""
    path = corpus_api("openreview", "imczxx_ICLR2026ReviewTracker", name)
    note: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return {"id": note["id"], "forum": note["id"], "content": note["content"]}


@pytest.mark.parametrize("v2_answer", ["empty", "404"])
def test_openreview_falls_back_to_api_v1(
    server: ReplayServer, client: HttpClient, v2_answer: str
) -> None:
    note = _v1_note("00F7BfXLYJ.json")
    if v2_answer == "empty":
        server.add("/openreview/notes", Reply.file(fixture_api("openreview", "empty.json")))
    server.add("/v1/notes", Reply.json({"notes": [note]}), query={"id": note["id"]})
    record = _openreview_with_v1(client, server).lookup(Identifier("openreview", note["id"]))
    assert record is not None
    assert record.title == " ".join(note["content"]["title"].split())
    assert [r.path for r in server.seen()] == ["/openreview/notes", "/v1/notes"]


def test_openreview_not_found_in_either_api(server: ReplayServer, client: HttpClient) -> None:
    with pytest.raises(NotFound, match=r"no note with id zzz \(.*/openreview/notes, .*/v1/notes\)"):
        _openreview_with_v1(client, server).lookup(Identifier("openreview", "zzz"))


def test_openreview_search_merges_both_apis(server: ReplayServer, client: HttpClient) -> None:
    older = _v1_note("00HNN8O7Ni.json")
    vit = json.loads(fixture_api("openreview", "search_vit.json").read_text(encoding="utf-8"))
    server.add("/openreview/notes/search", Reply.json(vit))
    # v1 repeats the ViT note (listed once) and adds another.
    server.add("/v1/notes/search", Reply.json({"notes": [vit["notes"][0], older]}))
    found = _openreview_with_v1(client, server).search("transformers", limit=5)
    assert [r.ids["openreview"] for r in found] == ["YicbFdNTTy", older["id"]]
    # Enough from v2 alone: v1 is not asked.
    server.requests.clear()
    assert len(_openreview_with_v1(client, server).search("transformers", limit=1)) == 1
    assert "/v1/notes/search" not in [r.path for r in server.seen()]


def test_openreview_v1_url_is_public_only_with_the_public_v2() -> None:
    assert openreview_v1_url(Config(), {}) == "https://api.openreview.net"
    local = {"PAPERLOG_OPENREVIEW_URL": "http://127.0.0.1:9/or"}
    assert openreview_v1_url(Config(), local) is None  # a test server never leaks to the web
    assert openreview_v1_url(Config(), {**local, "PAPERLOG_OPENREVIEW_V1_URL": "http://x/"}) == (
        "http://x"
    )
    assert openreview_v1_url(Config(sources={"openreview_v1": "http://y"}), local) == "http://y"


def test_arxiv_bad_id_error_names_arxivs_reason(
    server: ReplayServer, sources: dict[str, Source]
) -> None:
    server.add("/arxiv", arxiv_recording("id_abc_s0_m100_b79c8dcf6bc3.json"))
    with pytest.raises(NetworkError) as info:
        sources["arxiv"].lookup(Identifier("arxiv", "abc"))
    assert "incorrect id format for abc" in str(info.value).lower()


def _pubs_arxiv(id_list: str) -> Reply:
    """An older-format arXiv answer recorded by the pubs project.

    Each recording is ``[[url], {request options}, body, status, error]``.
    """
    path = corpus_api("doi_content_negotiation", "pubs_test_apis_data.json")
    for (url, *_), _opts, body, status, _err in json.loads(path.read_text(encoding="utf-8")):
        if url == f"https://export.arxiv.org/api/query?id_list={id_list}":
            return Reply.text(body, status=status, content_type="application/atom+xml")
    raise AssertionError(f"no pubs recording for {id_list}")


def test_arxiv_older_feed_with_doi(server: ReplayServer, sources: dict[str, Source]) -> None:
    server.add("/arxiv", _pubs_arxiv("1312.2021"), query={"id_list": "1312.2021"})
    record = sources["arxiv"].lookup(Identifier("arxiv", "1312.2021"))
    assert record is not None
    assert record.title == "Living with the Wrong Sign"
    assert record.authors == ["Patrick Cooper", "Sergei Dubovsky", "Ali Mohsen"]
    assert record.ids == {"arxiv": "1312.2021", "doi": "10.1103/invaliddoi.89.084044"}


def test_arxiv_older_feed_with_journal_ref(
    server: ReplayServer, sources: dict[str, Source]
) -> None:
    server.add("/arxiv", _pubs_arxiv("math/9501234"), query={"id_list": "math/9501234"})
    record = sources["arxiv"].lookup(Identifier("arxiv", "math/9501234"))
    assert record is not None
    assert record.authors == ["Donald E. Knuth"]
    assert record.venue == "J. Algebraic Combin."
    # published in 1997 (the journal reference), posted in 1995
    assert (record.published, record.year, record.preprint_year) == (True, 1997, 1995)


def test_arxiv_error_entries_are_not_papers(
    server: ReplayServer, sources: dict[str, Source]
) -> None:
    import xml.etree.ElementTree as ET

    from paperlog.resolve.arxiv import NS, entry_to_record

    reply = _pubs_arxiv("INVALIDID")
    server.add("/arxiv", reply)
    with pytest.raises(NetworkError, match=r"HTTP 400.*incorrect id format for INVALIDID"):
        sources["arxiv"].lookup(Identifier("arxiv", "INVALIDID"))
    # Its "Error" entry, had it come with a 200, is no paper either.
    (entry,) = ET.fromstring(reply.body).findall("atom:entry", NS)
    assert entry_to_record(entry) is None


@pytest.mark.parametrize(
    "name",
    [
        "test_works_with_many_ids.yaml",
        "test_workscontainer_with_two_ids.yaml",
        "test_works_mixed_ids_warn.yaml",
    ],
)
def test_crossref_every_recorded_work(
    server: ReplayServer, sources: dict[str, Source], name: str
) -> None:
    """Every work these cassettes recorded parses: title, DOI, year and type as Crossref says."""
    interactions = cassette("crossref", "habanero", "cassettes", name)
    for hit in interactions:
        path = "/crossref" + hit.uri.removeprefix("https://api.crossref.org")
        server.add(path, hit.reply())
    for hit in interactions:
        doi = hit.uri.removeprefix("https://api.crossref.org/works/")
        if hit.status == 404:
            with pytest.raises(NotFound):
                sources["crossref"].lookup(Identifier("doi", doi))
            continue
        work = json.loads(hit.body)["message"]
        record = sources["crossref"].lookup(Identifier("doi", doi))
        assert record is not None
        assert record.ids["doi"] == work["DOI"].lower()
        assert record.kind == work["type"]
        # Markup such as <i>KRAS</i> is dropped; every word left is Crossref's own.
        assert record.title and "<" not in record.title
        assert all(word in work["title"][0] for word in record.title.split())
        assert record.year is not None and 1900 < record.year < 2100
    assert not server.unmatched


def test_s2_and_dblp_search_plain_words(server: ReplayServer, sources: dict[str, Source]) -> None:
    server.add("/s2/paper/search", Reply.json({"total": 0, "offset": 0}))
    _dblp_routes(server, "search_empty.json")
    title = "MoCo: Momentum Contrast for Self-Supervised Learning | v2"
    assert sources["s2"].search(title) == [] and sources["dblp"].search(title) == []
    words = "MoCo Momentum Contrast for Self Supervised Learning v2"
    assert server.seen("/s2/paper/search")[0].params["query"] == words
    assert server.seen("/dblp/search/publ/api")[0].params["q"] == words
    # Nothing searchable: no request at all.
    assert sources["s2"].search(" -- : ") == [] and sources["dblp"].search("|") == []
    assert len(server.seen()) == 2


def test_dblp_lookup_keeps_the_corr_record_when_search_fails(
    server: ReplayServer, sources: dict[str, Source]
) -> None:
    _dblp_routes(server, "search_simclr.json")
    server.add("/dblp/search/publ/api", Reply(status=400))  # newer route wins
    record = sources["dblp"].lookup(Identifier("arxiv", "2002.05709"))
    assert record is not None and record.venue == "CoRR"


def test_crossref_skips_arxiv_dois(sources: dict[str, Source]) -> None:
    assert sources["crossref"].lookup(Identifier("doi", "10.48550/arxiv.2002.05709")) is None
