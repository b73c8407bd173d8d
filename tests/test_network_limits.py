"""Network limits, against a real local server: every run is bounded in time and memory, and
only well-formed answers are cached."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperlog.errors import NetworkError
from paperlog.resolve.http import HttpClient
from replay import ReplayServer, Reply


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as running:
        yield running


def _client(tmp_path: Path, **options: object) -> HttpClient:
    settings: dict[str, object] = {
        "cache_dir": tmp_path / "cache",
        "user_agent": "paperlog/test",
        "timeout": 1.0,
        "retries": 0,
        "sleep": lambda _s: None,
    }
    settings.update(options)
    return HttpClient(**settings)  # type: ignore[arg-type]


def test_a_trickling_server_cannot_defeat_the_timeout(server: ReplayServer, tmp_path: Path) -> None:
    """A byte every 0.2 s never trips a per-read timeout; the whole answer has a limit."""
    server.add("/slow", Reply(body=json.dumps({"title": "x" * 200}).encode(), trickle=0.2))
    with _client(tmp_path) as client:
        started = time.monotonic()
        with pytest.raises(NetworkError, match="no complete answer within 1 s"):
            client.get_json(server.url("/slow"))
        assert time.monotonic() - started < 5  # not the 40 s the drip would take


def test_a_huge_answer_is_refused_while_it_streams(server: ReplayServer, tmp_path: Path) -> None:
    server.add("/huge", Reply(body=b'{"a": "', filler=3 * 1024 * 1024))
    with (
        _client(tmp_path, max_body=1024 * 1024, timeout=30.0) as client,
        pytest.raises(NetworkError, match="answer larger than 1 MB; refused"),
    ):
        client.get_json(server.url("/huge"))


def test_a_declared_length_past_the_cap_is_refused_before_reading(
    server: ReplayServer, tmp_path: Path
) -> None:
    server.add("/big", Reply(body=b" " * (2 * 1024 * 1024)))
    with (
        _client(tmp_path, max_body=1024 * 1024) as client,
        pytest.raises(NetworkError, match="larger than 1 MB"),
    ):
        client.get_text(server.url("/big"))


@pytest.mark.parametrize("empty", [{}, [], None])
def test_an_empty_answer_is_not_cached(server: ReplayServer, tmp_path: Path, empty: object) -> None:
    """A 200 with ``{}`` was cached for 7 days and broke ``add`` after the server recovered."""
    server.add("/works", Reply.json(empty), Reply.json({"title": "Real"}))
    with _client(tmp_path) as client:
        assert client.get_json(server.url("/works")) == empty
    with _client(tmp_path) as client:
        assert client.get_json(server.url("/works")) == {"title": "Real"}
    with _client(tmp_path) as client:  # the good answer is cached
        assert client.get_json(server.url("/works")) == {"title": "Real"}
        assert client.network_requests == 0


def test_deep_json_is_a_clear_error(server: ReplayServer, tmp_path: Path) -> None:
    """200,000 ``[`` raised RecursionError."""
    server.add("/deep", Reply(body=b"[" * 200_000, headers={"Content-Type": "application/json"}))
    with (
        _client(tmp_path) as client,
        pytest.raises(NetworkError, match="nested deeper than 64 levels"),
    ):
        client.get_json(server.url("/deep"))


def test_one_deadline_bounds_the_whole_run(server: ReplayServer, tmp_path: Path) -> None:
    """Each request within its timeout, but together past the run's deadline: stopped."""
    server.add("/a", Reply.json({"a": 1}, delay=0.4))
    server.add("/b", Reply.json({"b": 1}, delay=0.4))
    server.add("/c", Reply.json({"c": 1}, delay=0.4))
    with _client(tmp_path, deadline=0.6, cache_dir=None) as client:
        client.get_json(server.url("/a"))
        with pytest.raises(NetworkError):
            client.get_json(server.url("/b"))
        with pytest.raises(NetworkError, match=r"network deadline of 0\.6 s passed"):
            client.get_json(server.url("/c"))
        client.start_deadline()  # enrich: the next paper has the whole deadline again
        assert client.get_json(server.url("/a")) == {"a": 1}


def test_an_unreachable_host_stops_the_run_at_once(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with _client(tmp_path, retries=2) as client:
        with pytest.raises(NetworkError, match="cannot connect"):
            client.get_json(f"http://127.0.0.1:{port}/a")
        tried = client.network_requests
        assert tried >= 1
        with pytest.raises(NetworkError, match="cannot connect"):
            client.get_json(f"http://127.0.0.1:{port}/b")
        assert client.network_requests == tried  # no new attempt
