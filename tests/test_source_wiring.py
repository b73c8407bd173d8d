"""How sources are wired (base URLs, User-Agent, cache, pacing) and what every parser keeps:
no crash on odd shapes, plain-word queries, documented settings, real README links."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import docs_text
from paperlog.errors import BadFile, NetworkError, NotFound
from paperlog.ids import Identifier
from paperlog.library import Library
from paperlog.model import Config
from paperlog.resolve.arxiv import ArxivSource
from paperlog.resolve.crossref import CrossrefSource
from paperlog.resolve.dblp import DblpSource
from paperlog.resolve.http import HttpClient
from paperlog.resolve.openreview import OpenReviewSource
from paperlog.resolve.record import Record, Source, plain_words, strip_markup
from paperlog.resolve.sources import (
    DEFAULT_URLS,
    ENV_VARS,
    make_sources,
    open_client,
    source_urls,
    user_agent,
)
from replay import ReplayServer, Reply, fixture_api


def titles(records: list[Record]) -> list[str | None]:
    return [r.title for r in records]


# --- wiring ----------------------------------------------------------------------------------


def test_source_urls_precedence() -> None:
    config = Config(
        sources={"crossref": "http://mirror.example/crossref/", "s2": "http://s2.local"}
    )
    environ = {"PAPERLOG_S2_URL": "http://env.example/s2"}
    urls = source_urls(config, environ)
    assert urls["s2"] == "http://env.example/s2"  # env beats paperlog.toml
    assert urls["crossref"] == "http://mirror.example/crossref"  # toml beats default; no "/"
    assert urls["arxiv"] == DEFAULT_URLS["arxiv"]
    assert set(urls) == set(DEFAULT_URLS) == set(ENV_VARS)


def test_source_urls_reject_a_non_string() -> None:
    with pytest.raises(BadFile, match=r"\[sources\] dblp must be a URL"):
        source_urls(Config(sources={"dblp": 42}), {})


def test_user_agent_names_the_contact() -> None:
    assert user_agent(Config(), {}).startswith("paperlog/")
    assert "mailto" not in user_agent(Config(), {})
    config = Config(sources={"contact": "me@example.org"})
    assert user_agent(config, {}).endswith("(mailto:me@example.org)")
    assert user_agent(config, {"PAPERLOG_CONTACT": "env@example.org"}).endswith(
        "(mailto:env@example.org)"
    )


def test_open_client_caches_under_the_library(
    library: Library, server: ReplayServer, tmp_path: Path
) -> None:
    library.config.sources["contact"] = "reader@example.org"
    server.add("/s2/paper/arXiv:2002.05709", Reply.file(fixture_api("s2", "arXiv_2002.05709.json")))
    environ = {"PAPERLOG_S2_URL": server.url("/s2")}
    with open_client(library, environ) as client:
        assert client.cache_dir == library.state_dir / "http-cache"
        (s2,) = [s for s in make_sources(library.config, environ, client) if s.name == "s2"]
        online = s2.lookup(Identifier("arxiv", "2002.05709"))
    (seen,) = server.seen()
    assert seen.headers["user-agent"].endswith("(mailto:reader@example.org)")
    # A later offline run answers the same lookup from the cache, without a request.
    with open_client(library, {**environ, "PAPERLOG_OFFLINE": "1"}) as client:
        assert client.offline
        (s2,) = [s for s in make_sources(library.config, environ, client) if s.name == "s2"]
        assert s2.lookup(Identifier("arxiv", "2002.05709")) == online
        with pytest.raises(NetworkError, match=r"s2: .*offline and not cached"):
            s2.lookup(Identifier("arxiv", "1911.05722"))
    assert len(server.seen()) == 1


def test_open_client_rejects_bad_settings(library: Library) -> None:
    library.config.sources["retries"] = "many"
    with pytest.raises(BadFile, match="retries"):
        open_client(library, {})
    library.config.sources["retries"] = 1
    library.config.sources["timeout"] = -1
    with pytest.raises(BadFile, match="timeout"):
        open_client(library, {})


def test_make_sources_order_and_unsupported_kinds(client: HttpClient) -> None:
    made = make_sources(Config(), {}, client)
    assert [s.name for s in made] == ["arxiv", "s2", "crossref", "dblp", "openreview"]
    assert isinstance(made[0], ArxivSource) and isinstance(made[2], CrossrefSource)
    assert isinstance(made[3], DblpSource) and isinstance(made[4], OpenReviewSource)
    for source in made:
        assert source.lookup(Identifier("title", "Some Title")) is None
        assert source.lookup(Identifier("pmlr", "v119/chen20j")) is None


def test_strip_markup_handles_jats() -> None:
    jats = "<jats:title>Abstract</jats:title><jats:p>We show &amp; prove <jats:italic>x</jats:italic>.</jats:p>"
    assert strip_markup(jats) == "We show & prove x."


def test_open_client_paces_only_the_public_arxiv(library: Library) -> None:
    with open_client(library, {}) as client:
        assert client.pace == {"arxiv": 3.0}
    with open_client(library, {"PAPERLOG_ARXIV_URL": "http://127.0.0.1:9/arxiv"}) as client:
        assert client.pace == {}


# --- robustness: odd but well-formed JSON never crashes a parser ------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _shaped(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts over the keys a parser reads, each holding any JSON value (or missing)."""
    return st.dictionaries(st.sampled_from(keys), _json, max_size=len(keys))


def _well_typed(record: Record) -> None:
    assert record.title is None or isinstance(record.title, str)
    assert all(isinstance(a, str) and a for a in record.authors)
    assert record.year is None or (
        isinstance(record.year, int) and not isinstance(record.year, bool)
    )
    assert record.venue is None or isinstance(record.venue, str)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in record.ids.items())
    assert isinstance(record.published, bool)


@settings(max_examples=60, deadline=None)
@given(
    _shaped(
        [
            "title",
            "author",
            "container-title",
            "short-container-title",
            "event",
            "type",
            "DOI",
            "URL",
            "abstract",
            "published-print",
            "published-online",
            "issued",
            "created",
        ]
    )
)
def test_crossref_parser_never_crashes(work: dict[str, Any]) -> None:
    from paperlog.resolve.crossref import work_to_record

    _well_typed(work_to_record(work))


@settings(max_examples=60, deadline=None)
@given(
    _shaped(
        [
            "paperId",
            "title",
            "authors",
            "year",
            "venue",
            "publicationVenue",
            "journal",
            "externalIds",
            "abstract",
            "publicationTypes",
            "url",
        ]
    )
)
def test_s2_parser_never_crashes(paper: dict[str, Any]) -> None:
    from paperlog.resolve.semantic_scholar import paper_to_record

    _well_typed(paper_to_record(paper))


@settings(max_examples=60, deadline=None)
@given(_shaped(["authors", "title", "venue", "year", "type", "doi", "ee", "key", "url"]))
def test_dblp_parser_never_crashes(info: dict[str, Any]) -> None:
    from paperlog.resolve.dblp import hit_to_record

    _well_typed(hit_to_record(info))


@settings(max_examples=60, deadline=None)
@given(_shaped(["id", "forum", "content", "cdate", "pdate", "odate", "tcdate"]))
def test_openreview_parser_never_crashes(note: dict[str, Any]) -> None:
    from paperlog.resolve.openreview import note_to_record

    _well_typed(note_to_record(note))


@settings(deadline=None)
@given(st.text(max_size=60))
def test_plain_words_keeps_words_in_order(text: str) -> None:
    words = plain_words(text)
    assert words == words.strip() and "  " not in words
    assert all(ch.isalnum() or ch in " '" for ch in words)
    assert plain_words(words) == words


@pytest.mark.parametrize("bad", ["api.crossref.org", "ftp://mirror/x", "http://"])
def test_source_urls_must_be_http(bad: str) -> None:
    with pytest.raises(BadFile, match=r"\[sources\] crossref must be an http\(s\) URL"):
        source_urls(Config(sources={"crossref": bad}), {})
    with pytest.raises(BadFile, match=r"\$PAPERLOG_CROSSREF_URL must be an http\(s\) URL"):
        source_urls(Config(), {"PAPERLOG_CROSSREF_URL": bad})


def test_docs_name_every_setting() -> None:
    docs = docs_text()
    names = [*ENV_VARS.values(), *DEFAULT_URLS.values(), "PAPERLOG_CONTACT", "PAPERLOG_OFFLINE"]
    names += ["PAPERLOG_S2_API_KEY", "PAPERLOG_OPENREVIEW_V1_URL", "http-cache", "--offline"]
    names += [f"{key} =" for key in ("contact", "timeout", "retries", "max_wait", "cache_ttl")]
    missing = [name for name in names if name not in docs]
    assert missing == []


def test_every_arxiv_link_in_the_seed_becomes_the_right_requests(
    seed_path: Path, server: ReplayServer, sources: dict[str, Source]
) -> None:
    """Each arXiv link the real README holds is asked of arXiv and S2 by its bare id."""
    import re

    from paperlog.ids import parse_identifier

    links = sorted(
        set(re.findall(r"https?://arxiv\.org/(?:abs|pdf)/[^\s)\]]+", seed_path.read_text("utf-8")))
    )
    assert len(links) > 40
    empty = Reply.text(
        "<feed xmlns='http://www.w3.org/2005/Atom'/>", content_type="application/atom+xml"
    )
    server.add("/arxiv", empty)
    asked = []
    for link in links:
        ident = parse_identifier(link)
        assert ident.kind == "arxiv", link
        with pytest.raises(NotFound):
            sources["arxiv"].lookup(ident)
        with pytest.raises(NotFound):  # unrouted: 404
            sources["s2"].lookup(ident)
        asked.append(ident.value)
    assert [s.params["id_list"] for s in server.seen("/arxiv")] == asked
    s2_paths = [s.path for s in server.seen() if s.path.startswith("/s2/")]
    assert s2_paths == [f"/s2/paper/arXiv:{value}" for value in asked]
