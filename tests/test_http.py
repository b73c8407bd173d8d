"""The shared HTTP client against a real local server: retries, Retry-After, timeouts, cache."""

from __future__ import annotations

import email.utils
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlog.errors import NetworkError, NotFound
from paperlog.resolve.http import HttpClient, cache_key, error_summary, parse_retry_after
from replay import ReplayServer, Reply

UA = "paperlog/test (mailto:tests@example.org)"


class Sleeps(list[float]):
    """Records the waits the client asks for instead of sleeping (keeps the suite fast)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_client(cache: Path | None, sleeps: Sleeps, **options: Any) -> HttpClient:
    options.setdefault("timeout", 2.0)
    return HttpClient(cache_dir=cache, user_agent=UA, sleep=sleeps, **options)


def test_get_json_sends_user_agent_params_and_accept(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/api/thing", Reply.json({"answer": 42}), query={"q": "x y", "n": "3"})
    with make_client(tmp_path, sleeps) as client:
        data = client.get_json(server.url("/api/thing"), {"q": "x y", "n": "3"})
    assert data == {"answer": 42}
    (seen,) = server.seen("/api/thing")
    assert seen.headers["user-agent"] == UA
    assert seen.params == {"q": "x y", "n": "3"}
    assert "application/json" in seen.headers["accept"]
    assert not server.unmatched
    assert sleeps == []


def test_429_waits_as_retry_after_says_then_succeeds(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add(
        "/busy",
        Reply.json({"error": "slow down"}, status=429, headers={"Retry-After": "1"}),
        Reply.json({"ok": True}),
    )
    client = make_client(tmp_path, sleeps)
    assert client.get_json(server.url("/busy")) == {"ok": True}
    assert sleeps == [1.0]
    assert len(server.seen("/busy")) == 2
    assert client.network_requests == 2


def test_retry_after_as_an_http_date(server: ReplayServer, sleeps: Sleeps, tmp_path: Path) -> None:
    now = 1_700_000_000.0  # an injected clock: the test does not depend on today
    when = email.utils.formatdate(now + 7, usegmt=True)
    server.add(
        "/busy", Reply(status=503, headers={"Retry-After": when}), Reply.text("fine at last")
    )
    client = make_client(tmp_path, sleeps, clock=lambda: now)
    assert client.get_text(server.url("/busy")) == "fine at last"
    assert sleeps == [7.0]


def test_retry_after_longer_than_max_wait_gives_up_at_once(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/busy", Reply(status=429, headers={"Retry-After": "3600"}))
    client = make_client(tmp_path, sleeps, max_wait=30.0)
    with pytest.raises(NetworkError, match=r"HTTP 429.*3600 s.*30 s") as info:
        client.get_text(server.url("/busy"), source="crossref")
    assert str(info.value).startswith("crossref: http://127.0.0.1:")
    assert sleeps == []
    assert len(server.seen("/busy")) == 1


def test_500_then_200_retries_with_backoff(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/flaky", Reply.text("oops", status=500), Reply.json([1, 2, 3]))
    client = make_client(tmp_path, sleeps, backoff=0.25)
    assert client.get_json(server.url("/flaky")) == [1, 2, 3]
    assert sleeps == [0.25]
    assert len(server.seen("/flaky")) == 2


def test_5xx_every_time_gives_up_after_the_retries(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/down", Reply.text("bad gateway", status=502))
    client = make_client(tmp_path, sleeps, retries=3, backoff=0.5)
    with pytest.raises(NetworkError, match=r"HTTP 502.*gave up after 4 attempts") as info:
        client.get_text(server.url("/down"), {"id": "7"}, source="s2")
    assert "s2:" in str(info.value) and "/down?id=7" in str(info.value)
    assert len(server.seen("/down")) == 4
    assert sleeps == [0.5, 1.0, 2.0]  # exponential backoff


def test_backoff_never_sleeps_more_than_max_wait_in_total(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/down", Reply(status=503))
    client = make_client(tmp_path, sleeps, retries=5, backoff=0.5, max_wait=1.2)
    with pytest.raises(NetworkError):
        client.get_text(server.url("/down"))
    assert sum(sleeps) <= 1.2 + 1e-9
    assert len(server.seen("/down")) == 6


def test_404_is_not_found_and_not_retried(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/gone", Reply.text("Resource not found.", status=404))
    client = make_client(tmp_path, sleeps)
    with pytest.raises(NotFound, match="not found"):
        client.get_json(server.url("/gone"), source="crossref")
    assert len(server.seen("/gone")) == 1
    assert sleeps == []


def test_other_4xx_is_a_network_error_without_retry(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/bad", Reply.json({"error": "bad fields"}, status=400))
    client = make_client(tmp_path, sleeps)
    with pytest.raises(NetworkError, match="HTTP 400"):
        client.get_json(server.url("/bad"))
    assert len(server.seen("/bad")) == 1


def test_read_timeout_is_retried_then_reported(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/slow", Reply.text("late", delay=0.5))
    client = make_client(tmp_path, sleeps, timeout=0.05, retries=1)
    with pytest.raises(NetworkError, match=r"timed out after 0.05 s.*2 attempts"):
        client.get_text(server.url("/slow"), source="dblp")
    assert len(server.seen("/slow")) == 2
    assert len(sleeps) == 1


def test_timeout_then_a_fast_answer_succeeds(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/slow", Reply.text("late", delay=0.5), Reply.text("quick"))
    client = make_client(tmp_path, sleeps, timeout=0.1, retries=2)
    assert client.get_text(server.url("/slow")) == "quick"


def test_connection_refused_is_a_network_error(sleeps: Sleeps, tmp_path: Path) -> None:
    # A port that was free a moment ago: nothing listens there.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = make_client(tmp_path, sleeps, retries=2, backoff=0.1)
    with pytest.raises(NetworkError, match="cannot connect: connection refused") as info:
        client.get_text(f"http://127.0.0.1:{port}/api", source="arxiv")
    assert str(info.value).startswith(f"arxiv: http://127.0.0.1:{port}/api")
    # Nothing listens: asking again half a second later cannot help, so no backoff.
    assert sleeps == []


def test_a_host_that_does_not_resolve_fails_at_once(
    sleeps: Sleeps, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No name resolution (a machine without network): one attempt, no backoff, a clear word."""

    def no_dns(*_args: object, **_kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    # Stand in for a resolver with no network behind it; nothing leaves the machine.
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    client = make_client(tmp_path, sleeps, retries=3, backoff=0.1)
    with pytest.raises(NetworkError, match="cannot resolve the host, no network") as info:
        client.get_text("http://export.arxiv.example/api/query", source="arxiv")
    assert str(info.value).startswith("arxiv: http://export.arxiv.example/api/query")
    assert sleeps == []
    assert client.network_requests == 1


def test_malformed_json_is_reported_and_not_cached(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/broken", Reply.text('{"message": {"title": [', content_type="application/json"))
    client = make_client(tmp_path, sleeps)
    with pytest.raises(NetworkError, match="malformed JSON response"):
        client.get_json(server.url("/broken"), source="crossref")
    offline = make_client(tmp_path, sleeps, offline=True)
    with pytest.raises(NetworkError, match="offline and not cached"):
        offline.get_json(server.url("/broken"))


def test_malformed_xml_is_reported(server: ReplayServer, sleeps: Sleeps, tmp_path: Path) -> None:
    server.add("/feed", Reply.text("<feed><entry></feed>", content_type="application/atom+xml"))
    client = make_client(tmp_path, sleeps)
    with pytest.raises(NetworkError, match="malformed XML response"):
        client.get_xml(server.url("/feed"), source="arxiv")


def test_offline_serves_what_an_online_run_cached(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/works", Reply.json({"message": {"title": ["Cached"]}}))
    cache = tmp_path / "http-cache"
    with make_client(cache, sleeps) as online:
        first = online.get_json(server.url("/works"), {"b": "2", "a": "1"})
    with make_client(cache, sleeps, offline=True) as offline:
        # Parameters in another order name the same request.
        again = offline.get_json(server.url("/works"), {"a": "1", "b": "2"})
        assert offline.network_requests == 0
    assert first == again == {"message": {"title": ["Cached"]}}
    assert len(server.seen("/works")) == 1
    # Written atomically: one entry file, no temp files left behind.
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].suffix == ".json"


def test_offline_without_a_cached_answer_is_an_error(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/works", Reply.json({}))
    client = make_client(tmp_path, sleeps, offline=True)
    with pytest.raises(NetworkError, match="offline and not cached") as info:
        client.get_json(server.url("/works"), {"q": "x"}, source="crossref")
    assert "crossref:" in str(info.value) and "/works?q=x" in str(info.value)
    assert server.seen() == []


def test_offline_without_a_cache_dir_is_an_error(sleeps: Sleeps) -> None:
    client = make_client(None, sleeps, offline=True)
    with pytest.raises(NetworkError, match="offline and not cached"):
        client.get_text("http://127.0.0.1:9/never")


def test_online_reuses_fresh_cache_and_refetches_stale(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/x", Reply.json({"v": 1}))
    now = [1_000_000.0]
    client = make_client(tmp_path, sleeps, cache_ttl=60.0, clock=lambda: now[0])
    client.get_json(server.url("/x"))
    client.get_json(server.url("/x"))
    assert len(server.seen("/x")) == 1  # fresh: answered from the cache
    now[0] += 61
    client.get_json(server.url("/x"))
    assert len(server.seen("/x")) == 2  # stale: asked again


def test_cache_ttl_zero_always_asks_but_still_stores(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/x", Reply.json({"v": 1}))
    client = make_client(tmp_path, sleeps, cache_ttl=0)
    client.get_json(server.url("/x"))
    client.get_json(server.url("/x"))
    assert len(server.seen("/x")) == 2
    offline = make_client(tmp_path, sleeps, offline=True)
    assert offline.get_json(server.url("/x")) == {"v": 1}


def test_a_damaged_cache_entry_is_a_miss(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/x", Reply.json({"v": 1}))
    make_client(tmp_path, sleeps).get_json(server.url("/x"))
    (entry,) = list(tmp_path.rglob("*.json"))
    entry.write_text("{not json", encoding="utf-8")
    offline = make_client(tmp_path, sleeps, offline=True)
    with pytest.raises(NetworkError, match="offline and not cached"):
        offline.get_json(server.url("/x"))
    assert make_client(tmp_path, sleeps).get_json(server.url("/x")) == {"v": 1}
    assert json.loads(entry.read_text(encoding="utf-8"))["body"] == '{"v": 1}'


def test_importing_the_resolve_layer_does_not_import_httpx() -> None:
    code = (
        "import sys\n"
        "import paperlog.resolve.http, paperlog.resolve.sources, paperlog.resolve.arxiv\n"
        "import paperlog.resolve.crossref, paperlog.resolve.semantic_scholar\n"
        "import paperlog.resolve.dblp, paperlog.resolve.openreview\n"
        "print('httpx' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"


# --- pure helpers ----------------------------------------------------------------------------


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=10**7))
def test_retry_after_seconds(seconds: int) -> None:
    assert parse_retry_after(str(seconds), now=0.0) == float(seconds)


@settings(deadline=None)
@given(
    st.integers(min_value=946_684_800, max_value=4_102_444_800),
    st.integers(min_value=-(10**6), max_value=10**6),
)
def test_retry_after_http_date(now: int, offset: int) -> None:
    header = email.utils.formatdate(now + offset, usegmt=True)
    assert parse_retry_after(header, now=float(now)) == float(max(0, offset))


@settings(deadline=None)
@given(st.text(alphabet="abcxyz -:,", max_size=20))
def test_retry_after_garbage_is_ignored(text: str) -> None:
    assert parse_retry_after(text, now=0.0) is None


@settings(deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=5), max_size=6))
def test_cache_key_ignores_parameter_order(params: dict[str, str]) -> None:
    reordered = dict(reversed(list(params.items())))
    assert cache_key("http://h/p", params) == cache_key("http://h/p", reordered)
    assert cache_key("http://h/p", params, "application/json") != cache_key("http://h/p", params)


def test_pace_spaces_requests_to_one_source(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/a", Reply.text("a"))
    server.add("/b", Reply.text("b"))
    now = 5_000.0
    client = make_client(None, sleeps, pace={"arxiv": 3.0}, clock=lambda: now)
    client.get_text(server.url("/a"), source="arxiv")
    assert sleeps == []  # the first request goes at once
    client.get_text(server.url("/b"), source="arxiv")
    assert sleeps == [3.0]  # the clock stood still: a full gap
    client.get_text(server.url("/a"), source="crossref")
    assert sleeps == [3.0]  # other sources are not paced


def test_a_4xx_says_what_the_server_said(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add(
        "/s2", Reply.json({"error": "Unrecognized or unsupported fields: [bogus]"}, status=400)
    )
    client = make_client(tmp_path, sleeps)
    with pytest.raises(NetworkError, match=r"HTTP 400 Bad Request: Unrecognized or unsupported"):
        client.get_json(server.url("/s2"), {"fields": "bogus"})


@settings(deadline=None)
@given(st.text(max_size=400))
def test_error_summary_is_one_short_line(body: str) -> None:
    line = error_summary(body)
    assert "\n" not in line and len(line) <= 160


def test_not_found_is_remembered_for_offline_runs_only(
    server: ReplayServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.add("/paper/x", Reply.json({"error": "Paper with id x not found"}, status=404))
    online = make_client(tmp_path, sleeps)
    with pytest.raises(NotFound):
        online.get_json(server.url("/paper/x"), source="s2")
    offline = make_client(tmp_path, sleeps, offline=True)
    with pytest.raises(NotFound, match=r"s2: .*cached answer"):
        offline.get_json(server.url("/paper/x"), source="s2")
    assert offline.network_requests == 0
    # Online asks again: the paper may exist by now.
    server.add("/paper/x", Reply.json({"paperId": "x"}))
    assert online.get_json(server.url("/paper/x")) == {"paperId": "x"}
    assert len(server.seen("/paper/x")) == 2
    assert make_client(tmp_path, sleeps, offline=True).get_json(server.url("/paper/x")) == {
        "paperId": "x"
    }


def test_cache_hits_are_counted(server: ReplayServer, sleeps: Sleeps, tmp_path: Path) -> None:
    server.add("/x", Reply.json(1))
    client = make_client(tmp_path, sleeps)
    client.get_json(server.url("/x"))
    client.get_json(server.url("/x"))
    assert (client.network_requests, client.cache_hits) == (1, 1)


# --- the replay server itself ------------------------------------------------------------------


def test_replay_server_routes_by_path_and_query(server: ReplayServer, sleeps: Sleeps) -> None:
    import re

    server.add("/r", Reply.text("regex"), query={"q": re.compile(r"^ab")})
    server.add("/r", Reply.text("callable"), query={"q": lambda v: v.endswith("z")})
    server.add("/r", Reply.text("exact"), query={"q": "abz", "n": "1"})
    client = make_client(None, sleeps)
    assert client.get_text(server.url("/r"), {"q": "abz", "n": "1"}) == "exact"  # newest first
    assert client.get_text(server.url("/r"), {"q": "xyz"}) == "callable"
    assert client.get_text(server.url("/r"), {"q": "abc"}) == "regex"
    with pytest.raises(NotFound):
        client.get_text(server.url("/r"), {"q": "none"})
    assert [s.params["q"] for s in server.unmatched] == ["none"]


def test_replay_server_plays_replies_in_order_then_repeats_the_last(
    server: ReplayServer, sleeps: Sleeps
) -> None:
    server.add("/seq", Reply.text("one"), Reply.text("two"))
    client = make_client(None, sleeps)
    got = [client.get_text(server.url("/seq")) for _ in range(3)]
    assert got == ["one", "two", "two"]


def test_retry_after_date_without_zone_is_utc() -> None:
    # RFC 5322 "-0000": a UTC time whose source zone is unknown.
    assert parse_retry_after("Thu, 01 Jan 1970 00:01:00 -0000", now=0.0) == 60.0


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "http://[::1/x"])
def test_a_bad_base_url_fails_at_once(url: str, sleeps: Sleeps) -> None:
    client = make_client(None, sleeps)
    with pytest.raises(NetworkError, match="bad URL"):
        client.get_text(url, source="dblp")
    assert sleeps == []


def test_a_redirect_loop_is_a_network_error(server: ReplayServer, sleeps: Sleeps) -> None:
    server.add("/loop", Reply(status=302, headers={"Location": "/loop"}))
    client = make_client(None, sleeps)
    with pytest.raises(NetworkError, match="TooManyRedirects"):
        client.get_text(server.url("/loop"))
    assert sleeps == []


def test_a_redirect_is_followed(server: ReplayServer, sleeps: Sleeps) -> None:
    server.add("/old", Reply(status=301, headers={"Location": "/new"}))
    server.add("/new", Reply.text("moved here"))
    assert make_client(None, sleeps).get_text(server.url("/old")) == "moved here"
