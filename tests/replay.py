"""A real HTTP server on 127.0.0.1 that replays recorded API responses, for tests.

The metadata sources talk to it over a socket through the real ``HttpClient``, so a test covers
URL building, headers, retries, parsing and caching together. Usage::

    from replay import ReplayServer, Reply

    with ReplayServer() as server:
        server.add("/arxiv", Reply.file(path), query={"id_list": "2002.05709"})
        server.add("/s2/paper/arXiv:2002.05709", Reply.json({...}))
        server.add("/crossref/works", Reply(status=500), Reply.json(ok))   # 500, then 200
        env = {"PAPERLOG_ARXIV_URL": server.url("/arxiv"), ...}
        ...
        assert server.seen("/arxiv")[0].headers["user-agent"].startswith("paperlog/")

Routes match the request path exactly and, when ``query`` is given, each named parameter
(a string for equality, a compiled regex for ``search``, ``ANY`` for "present"). A route with
several replies plays them in order and then repeats its last one. An unmatched request gets a
404 and is listed in ``server.unmatched`` so a test can assert that none happened.

A pytest fixture is three lines in the test module (pytest does not collect fixtures from a
plain helper module)::

    @pytest.fixture
    def server() -> Iterator[ReplayServer]:
        with ReplayServer() as running:
            yield running

Recorded bodies come from ``../shared/corpus/api`` (helpers below decode the arXiv JSON
wrappers and the VCR cassettes at test time) or from ``tests/fixtures/api``.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PAPERLOG_SHARED", REPO.parent / "shared"))
CORPUS_API = SHARED / "corpus" / "api"
FIXTURES_API = Path(__file__).resolve().parent / "fixtures" / "api"

ANY = re.compile(r"")  # matches any value of a parameter that is present


@dataclass
class Reply:
    """One scripted response: status, headers, body, and an optional delay before answering."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    trickle: float = 0.0
    """Seconds between the body's bytes, sent one at a time (a server that drips)."""
    filler: int = 0
    """Bytes of spaces sent after the body, with no Content-Length (a huge answer)."""

    @classmethod
    def json(
        cls,
        data: Any,
        status: int = 200,
        *,
        delay: float = 0.0,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """A JSON body (``application/json``); ``headers`` are extra response headers."""
        body = json.dumps(data).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json", **(headers or {})}, delay)

    @classmethod
    def text(
        cls,
        text: str,
        status: int = 200,
        content_type: str = "text/plain",
        *,
        delay: float = 0.0,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """A text body, UTF-8 encoded; ``headers`` are extra response headers."""
        content = {"Content-Type": f"{content_type}; charset=utf-8", **(headers or {})}
        return cls(status, text.encode("utf-8"), content, delay)

    @classmethod
    def file(cls, path: Path, status: int = 200, content_type: str | None = None) -> Reply:
        """A body read from a file; the content type guessed from its suffix."""
        if content_type is None:
            content_type = {
                ".json": "application/json",
                ".xml": "application/atom+xml",
                ".atom": "application/atom+xml",
            }.get(path.suffix, "text/plain")
        return cls(status, path.read_bytes(), {"Content-Type": content_type})


@dataclass
class Seen:
    """A request the server received."""

    method: str
    path: str
    params: dict[str, str]  # the first value of each query parameter
    headers: dict[str, str]  # lower-cased names
    raw_query: str
    time: float


QueryMatcher = str | re.Pattern[str] | Callable[[str], bool]


@dataclass
class Route:
    """Path plus query matchers, and the replies to play."""

    path: str
    replies: list[Reply]
    query: dict[str, QueryMatcher] = field(default_factory=dict)
    hits: int = 0

    def matches(self, path: str, params: Mapping[str, str]) -> bool:
        if path != self.path:
            return False
        for name, want in self.query.items():
            if name not in params:
                return False
            value = params[name]
            if isinstance(want, str):
                if value != want:
                    return False
            elif isinstance(want, re.Pattern):
                if not want.search(value):
                    return False
            elif not want(value):
                return False
        return True

    def next_reply(self) -> Reply:
        reply = self.replies[min(self.hits, len(self.replies) - 1)]
        self.hits += 1
        return reply


class ReplayServer:
    """``ThreadingHTTPServer`` on 127.0.0.1, port chosen by the OS, serving in a thread."""

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.requests: list[Seen] = []
        self.unmatched: list[Seen] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle
    def start(self) -> ReplayServer:
        """Bind and start serving; returns self."""
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle on, the body waits for the
            # client's delayed ACK (~40 ms a request).
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                replay._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    def url(self, prefix: str = "") -> str:
        """``http://127.0.0.1:PORT`` + ``prefix``: a base URL to hand to a source."""
        return f"http://127.0.0.1:{self.port}{prefix}"

    # routing
    def add(
        self, path: str, *replies: Reply, query: Mapping[str, QueryMatcher] | None = None
    ) -> Route:
        """Route ``path`` (and query matchers) to ``replies``; later routes win over earlier."""
        if not replies:
            raise ValueError("a route needs at least one reply")
        route = Route(path, list(replies), dict(query or {}))
        with self._lock:
            self.routes.insert(0, route)
        return route

    def seen(self, path: str | None = None) -> list[Seen]:
        """The requests received (for ``path`` only, when given), in order."""
        with self._lock:
            return [r for r in self.requests if path is None or r.path == path]

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        seen = Seen(
            method=handler.command,
            path=parts.path,
            params=params,
            headers={k.lower(): v for k, v in handler.headers.items()},
            raw_query=parts.query,
            time=time.monotonic(),
        )
        with self._lock:
            self.requests.append(seen)
            route = next((r for r in self.routes if r.matches(parts.path, params)), None)
            if route is None:
                self.unmatched.append(seen)
                reply = Reply.json({"error": f"no route for {handler.path}"}, status=404)
            else:
                reply = route.next_reply()
        if reply.delay:
            time.sleep(reply.delay)
        try:
            handler.send_response(reply.status)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            if reply.filler:
                handler.send_header("Connection", "close")  # the body ends when the socket does
                handler.close_connection = True
            else:
                handler.send_header("Content-Length", str(len(reply.body)))
            handler.end_headers()
            if reply.trickle:
                for byte in reply.body:
                    handler.wfile.write(bytes([byte]))
                    handler.wfile.flush()
                    time.sleep(reply.trickle)
            else:
                handler.wfile.write(reply.body)
            chunk = b" " * 65536
            for start in range(0, reply.filler, len(chunk)):
                handler.wfile.write(chunk[: reply.filler - start])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing left to answer


# --- recorded data -------------------------------------------------------------------------


def corpus_api(*parts: str) -> Path:
    """A path under ``../shared/corpus/api``; skips the test when the recording is absent."""
    path = CORPUS_API.joinpath(*parts)
    if not path.exists():
        # Imported here: `make demo` runs this server with the runtime dependencies only.
        import pytest

        pytest.skip(f"recorded API data {path} is absent (../shared is not available)")
    return path


def fixture_api(*parts: str) -> Path:
    """A response body written for the tests in ``tests/fixtures/api`` (see its README)."""
    return FIXTURES_API.joinpath(*parts)


def arxiv_recording(name: str) -> Reply:
    """A reply from one of arxiv.py's recordings (JSON wrapper: url, status_code, body)."""
    data = json.loads(corpus_api("arxiv", "lukasschwab_arxiv.py", name).read_text("utf-8"))
    return Reply(
        int(data["status_code"]),
        str(data["body"]).encode("utf-8"),
        {"Content-Type": "application/atom+xml; charset=utf-8"},
    )


@dataclass
class Interaction:
    """One request/response pair of a VCR cassette, body decoded."""

    uri: str
    status: int
    content_type: str
    body: bytes

    def reply(self) -> Reply:
        return Reply(self.status, self.body, {"Content-Type": self.content_type})


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) else value)
    return None


def cassette(*parts: str) -> list[Interaction]:
    """Decode a VCR cassette under ``corpus/api`` (gzip/base64 bodies) at test time."""
    import yaml

    data = yaml.safe_load(corpus_api(*parts).read_text("utf-8"))
    out = []
    for item in data["interactions"]:
        response = item["response"]
        raw = response["body"].get("string", b"")
        body = raw if isinstance(raw, bytes) else str(raw).encode("utf-8")
        headers = response.get("headers") or {}
        if (_header(headers, "content-encoding") or "").lower() == "gzip" or body[
            :2
        ] == b"\x1f\x8b":
            body = gzip.decompress(body)
        elif (_header(headers, "content-transfer-encoding") or "").lower() == "base64":
            body = base64.b64decode(body)
        out.append(
            Interaction(
                uri=item["request"]["uri"],
                status=int(response["status"]["code"]),
                content_type=_header(headers, "content-type") or "application/octet-stream",
                body=body,
            )
        )
    return out
