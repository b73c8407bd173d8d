"""The one HTTP client every metadata source shares: timeouts, retries, a disk cache, offline.

One ``HttpClient`` lives for one command run. It retries what is worth retrying (429, 5xx,
connect and read timeouts) with exponential backoff, honours ``Retry-After``, never sleeps more
than ``max_wait`` seconds in total for one request, and keeps every successful answer on disk so
``--offline`` can replay it later. httpx is imported on the first real request only, so
importing this module (or the CLI) stays cheap.
"""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import functools
import hashlib
import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode, urlsplit

from paperlog.errors import NetworkError, NotFound

if TYPE_CHECKING:
    import ssl

    import httpx

T = TypeVar("T")

# Statuses worth asking again: the server is busy or briefly broken, not saying "no".
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_BODY = 20 * 1024 * 1024
"""Bytes an answer may have: far past any metadata record (a 300 MB body used 2.19 GB)."""
MAX_JSON_DEPTH = 64
"""Nesting no metadata API uses; deeper JSON is refused before it is parsed."""
DEFAULT_DEADLINE = 30.0
"""Seconds one command (``add``) or one paper (``enrich``) may spend on the network."""
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
DEFAULT_CACHE_TTL = 7 * 24 * 3600.0
CACHE_FORMAT = 1


def cache_key(url: str, params: Mapping[str, str] | None = None, accept: str | None = None) -> str:
    """The cache key of a GET: URL plus its parameters in sorted order (and Accept, if set)."""
    full = url
    if params:
        full += "?" + urlencode(sorted((str(k), str(v)) for k, v in params.items()))
    if accept:
        full += " accept=" + accept
    return hashlib.sha256(full.encode("utf-8")).hexdigest()


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # "-0000" dates come back naive: they are UTC, not local time
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, when.timestamp() - now)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context per process: loading the CA bundle costs ~0.1 s, so build it once."""
    import ssl

    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _replace(path: Path, text: str, staging: Path | None = None) -> None:
    """Write ``path`` atomically (temp file + rename), without the fsync library files get.

    The cache is derived data: after a crash an entry may be missing, never half-written (a
    torn file would not parse and reads as a miss), and skipping fsync saves ~8 ms a request.
    The temp file goes in ``staging`` when given (the library's ``.paperlog/tmp/``, which the
    next command sweeps, so a kill between write and rename leaves nothing behind; a sweep by
    another process meanwhile only loses this entry: the rename's OSError is the caller's).
    """
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    folder = staging if staging is not None and staging.is_dir() else path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_TAGS = re.compile(r"<[^>]+>")


def error_summary(body: str, width: int = 160) -> str:
    """What an error response says, in one short line: a JSON "error"/"message", else text.

    arXiv explains a bad id in an Atom entry, S2 and OpenReview in JSON; the user sees why.
    """
    text = body.strip()
    if not text:
        return ""
    try:
        data = parse_json(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("error", "message", "detail"):
            if isinstance(data.get(key), str):
                text = data[key]
                break
    elif text.startswith("<"):
        # Atom error entries carry the reason in <summary>; else take the text of the page.
        match = re.search(r"<summary[^>]*>(.*?)</summary>", text, re.DOTALL)
        text = match.group(1) if match else _TAGS.sub(" ", text)
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def json_depth(text: str) -> int:
    """The deepest ``[``/``{`` nesting of JSON text (strings skipped), in one pass."""
    depth = deepest = 0
    for match in _JSON_TOKENS.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def parse_json(text: str) -> Any:
    """``json.loads`` with nesting bounded: ``ValueError`` past ``MAX_JSON_DEPTH`` (200,000
    ``[`` raised RecursionError)."""
    if ("[[" in text or "{" in text) and json_depth(text) > MAX_JSON_DEPTH:
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
    return json.loads(text)


def is_record(value: Any) -> bool:
    """A parsed answer worth caching: not empty (a 200 with ``{}``, ``[]``, ``null`` or no
    body is a server hiccup, and caching it broke ``add`` for a week after it recovered)."""
    return not (value is None or (isinstance(value, (dict, list, str)) and not value))


def describe(url: str, params: Mapping[str, str] | None) -> str:
    """The URL with its query, as a user would paste it into a browser."""
    if not params:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(list(params.items()))


class HttpClient:
    """GET text or JSON with retries and a disk cache; one per command run, shared by sources."""

    def __init__(
        self,
        *,
        cache_dir: Path | None,
        offline: bool = False,
        user_agent: str,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_wait: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        cache_ttl: float = DEFAULT_CACHE_TTL,
        clock: Callable[[], float] = time.time,
        pace: Mapping[str, float] | None = None,
        deadline: float | None = DEFAULT_DEADLINE,
        max_body: int = MAX_BODY,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cache_dir = cache_dir
        self.offline = offline
        self.user_agent = user_agent
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        # Online, a cached answer younger than this is used without asking the server again;
        # 0 means always ask (the answer is still stored for --offline).
        self.cache_ttl = cache_ttl
        self.clock = clock
        # Seconds to leave between two requests to one source (arXiv asks for 3): polite
        # pacing for a long ``enrich`` run. Keyed by the ``source`` name given to get_*.
        self.pace = dict(pace or {})
        self._last_request: dict[str, float] = {}
        self.network_requests = 0  # how many requests went over the wire (for stats and tests)
        self.cache_hits = 0  # how many answers came from the disk cache
        self._client: httpx.Client | None = None
        # One overall deadline for the run (None: none), started by the first request or by
        # ``start_deadline`` (enrich starts one per paper); every request and retry fits in it.
        self.deadline = deadline
        self.max_body = max_body
        self.monotonic = monotonic
        self._deadline_at: float | None = None
        # Hosts that could not be reached: the rest of the run fails at once for them.
        self._unreachable: dict[str, str] = {}

    def start_deadline(self) -> None:
        """Start the overall deadline again from now (``enrich`` gives each paper its own)."""
        self._deadline_at = None if self.deadline is None else self.monotonic() + self.deadline

    def _remaining(self) -> float | None:
        if self.deadline is None:
            return None
        if self._deadline_at is None:
            self.start_deadline()
        assert self._deadline_at is not None
        return self._deadline_at - self.monotonic()

    # --- public API ------------------------------------------------------------------------

    def get_text(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        source: str | None = None,
    ) -> str:
        """The body of a successful GET as text. ``source`` names the API in error messages."""
        return self._get(url, params, headers, source, lambda text: text)

    def get_json(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        source: str | None = None,
    ) -> Any:
        """The body of a successful GET parsed as JSON; malformed JSON is a ``NetworkError``."""

        def parse(text: str) -> Any:
            try:
                return parse_json(text)
            except ValueError as exc:
                raise self._error(source, url, params, f"malformed JSON response ({exc})") from None

        merged = {"Accept": "application/json", **(headers or {})}
        return self._get(url, params, merged, source, parse)

    def get_xml(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        source: str | None = None,
    ) -> ET.Element:
        """The body of a successful GET parsed as XML; malformed XML is a ``NetworkError``."""

        def parse(text: str) -> ET.Element:
            try:
                return ET.fromstring(text)
            except ET.ParseError as exc:
                raise self._error(source, url, params, f"malformed XML response ({exc})") from None

        return self._get(url, params, headers, source, parse)

    def close(self) -> None:
        """Close the connection pool (a no-op when nothing was fetched)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- the cache ---------------------------------------------------------------------------

    def _staging(self) -> Path | None:
        """The library's temp folder beside the cache (``.paperlog/tmp/``), if it has one."""
        return None if self.cache_dir is None else self.cache_dir.parent / "tmp"

    def _cache_path(self, key: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / key[:2] / f"{key}.json"

    def _cache_read(self, key: str, *, max_age: float | None) -> tuple[int, str] | None:
        """(status, body) of a stored answer: 200 with its body, or 404 for "no such thing"."""
        path = self._cache_path(key)
        if path is None or not path.is_file():
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            body = entry["body"]
            stored = float(entry["stored"])
            status = int(entry.get("status", 200))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # a damaged cache entry is a miss, never an error: the cache is derived
        if not isinstance(body, str):
            return None
        if max_age is not None and self.clock() - stored > max_age:
            return None
        return status, body

    def _cache_write(
        self, key: str, url: str, params: Mapping[str, str] | None, body: str, status: int = 200
    ) -> None:
        path = self._cache_path(key)
        if path is None:
            return
        entry = {
            "format": CACHE_FORMAT,
            "url": describe(url, params),
            "stored": self.clock(),
            "status": status,
            "body": body,
        }
        # A read-only or full disk loses the cache, not the answer.
        with contextlib.suppress(OSError):
            _replace(path, json.dumps(entry, ensure_ascii=False), self._staging())

    # --- fetching ----------------------------------------------------------------------------

    def _get(
        self,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        source: str | None,
        parse: Callable[[str], T],
    ) -> T:
        accept = next((v for k, v in (headers or {}).items() if k.lower() == "accept"), None)
        key = cache_key(url, params, accept)
        if self.offline:
            cached = self._cache_read(key, max_age=None)
            if cached is None:
                raise self._error(source, url, params, "offline and not cached")
            status, body = cached
            if status != 200:
                why = f"not found (HTTP {status}, cached answer)"
                raise NotFound(self._message(source, url, params, why))
            self.cache_hits += 1
            return parse(body)
        if self.cache_ttl > 0:
            cached = self._cache_read(key, max_age=self.cache_ttl)
            # Online, only a positive answer is reused: a paper missing last week may be
            # indexed today. "Not found" entries serve --offline runs alone.
            if cached is not None and cached[0] == 200:
                try:
                    result = parse(cached[1])
                except NetworkError:
                    pass  # a cached body that no longer parses is fetched again
                else:
                    if is_record(result):  # an empty answer cached by an older version
                        self.cache_hits += 1
                        return result
        try:
            body = self._fetch(url, params, headers, source)
        except NotFound:
            self._cache_write(key, url, params, "", status=404)
            raise
        result = parse(body)  # only a body that parses, and holds something, is worth keeping
        if is_record(result):
            self._cache_write(key, url, params, body)
        return result

    def _http(self) -> httpx.Client:
        if self._client is None:
            import httpx

            self._client = httpx.Client(
                verify=_ssl_context(),
                timeout=httpx.Timeout(self.timeout),
                headers={"User-Agent": self.user_agent},
                follow_redirects=True,
            )
        return self._client

    def _fetch(
        self,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        source: str | None,
    ) -> str:
        import httpx

        try:
            host = urlsplit(url).hostname or url
        except ValueError:  # a malformed URL: httpx says what is wrong with it below
            host = url
        if host in self._unreachable:
            raise self._error(source, url, params, self._unreachable[host])
        client = self._http()
        waited = 0.0
        attempt = 0
        while True:
            reason: str
            retry_after: float | None = None
            self._wait_turn(source)
            remaining = self._remaining()
            if remaining is not None and remaining <= 0:
                why = f"the network deadline of {self.deadline:g} s passed"
                raise self._error(source, url, params, why)
            # a request never outlives the run's deadline, nor its own timeout in total
            limit = self.timeout if remaining is None else min(self.timeout, remaining)
            try:
                self.network_requests += 1
                status, phrase, retry_header, body = self._request(
                    client, url, params, headers, limit
                )
            except _TooSlow:
                reason = f"timed out: no complete answer within {limit:g} s"
            except _TooBig:
                why = f"answer larger than {self.max_body // (1024 * 1024)} MB; refused"
                raise self._error(source, url, params, why) from None
            except httpx.TimeoutException as exc:
                reason = f"timed out after {limit:g} s ({type(exc).__name__})"
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                # A bad base URL in the config: asking again cannot help.
                raise self._error(source, url, params, f"bad URL ({exc})") from None
            except httpx.ConnectError as exc:
                if _cannot_resolve(exc):
                    # No name resolution means no network (or a mistyped host): retrying with
                    # backoff only makes a user without a connection wait for nothing, and
                    # the rest of the run fails at once for this host.
                    why = f"cannot resolve the host, no network? ({exc})"
                    self._unreachable[host] = why
                    raise self._error(source, url, params, why) from None
                if _caused_by(exc, ConnectionRefusedError):
                    # Nothing listens there: a retry half a second later meets the same
                    # closed port (an enrich run would wait 3.5 s per request for nothing).
                    why = f"cannot connect: connection refused ({exc})"
                    self._unreachable[host] = why
                    raise self._error(source, url, params, why) from None
                reason = f"cannot connect ({exc or type(exc).__name__})"
            except httpx.TransportError as exc:
                reason = f"connection failed ({exc or type(exc).__name__})"
            except httpx.RequestError as exc:
                # Too many redirects, an undecodable body: the same again next time.
                why = f"{type(exc).__name__}: {exc}"
                raise self._error(source, url, params, why) from None
            else:
                if 200 <= status < 300:
                    return body
                if status in (404, 410):
                    raise NotFound(self._message(source, url, params, f"not found (HTTP {status})"))
                if status not in RETRY_STATUSES:
                    why = f"HTTP {status} {phrase}".strip()
                    said = error_summary(body)
                    raise self._error(source, url, params, f"{why}: {said}" if said else why)
                reason = f"HTTP {status} {phrase}".strip()
                retry_after = parse_retry_after(retry_header, self.clock())
            if attempt >= self.retries:
                tries = f"{attempt + 1} attempt" + ("s" if attempt else "")
                if reason.startswith("cannot connect"):
                    self._unreachable[host] = reason
                raise self._error(source, url, params, f"{reason}; gave up after {tries}")
            budget = self.max_wait - waited
            remaining = self._remaining()
            if remaining is not None:
                budget = min(budget, remaining)
            if retry_after is not None:
                if retry_after > budget:
                    # Sleeping less than a rate limiter asks only earns another 429.
                    raise self._error(
                        source,
                        url,
                        params,
                        f"{reason}; the server asks to wait {retry_after:g} s, "
                        f"more than the {self.max_wait:g} s allowed",
                    )
                wait = retry_after
            else:
                wait = min(self.backoff * (2**attempt), max(0.0, budget))
            if wait > 0:
                self.sleep(wait)
                waited += wait
            attempt += 1

    def _request(
        self,
        client: httpx.Client,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        limit: float,
    ) -> tuple[int, str, str | None, str]:
        """One GET, streamed: (status, reason phrase, Retry-After, body text).

        httpx's read timeout is per read, so a server sending a byte every 2 s never trips
        it; the whole answer must arrive within ``limit`` seconds, and ``max_body`` bytes
        at most, checked as it streams in (never more held in memory).
        """
        import httpx

        started = self.monotonic()
        timeout = httpx.Timeout(max(limit, 0.001))
        with client.stream(
            "GET", url, params=dict(params or {}), headers=dict(headers or {}), timeout=timeout
        ) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.max_body:
                raise _TooBig
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_body:
                    raise _TooBig
                chunks.append(chunk)
                if self.monotonic() - started > limit:
                    raise _TooSlow
            raw = b"".join(chunks)
            encoding = response.charset_encoding or "utf-8"
            try:
                text = raw.decode(encoding, errors="replace")
            except LookupError:  # a charset Python does not know
                text = raw.decode("utf-8", errors="replace")
            phrase = response.reason_phrase
            return response.status_code, phrase, response.headers.get("Retry-After"), text

    def _wait_turn(self, source: str | None) -> None:
        """Sleep until ``pace[source]`` seconds have passed since that source's last request."""
        gap = self.pace.get(source or "", 0.0)
        if gap <= 0:
            return
        last = self._last_request.get(source or "")
        if last is not None:
            wait = last + gap - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last_request[source or ""] = self.clock()

    # --- errors ------------------------------------------------------------------------------

    @staticmethod
    def _message(source: str | None, url: str, params: Mapping[str, str] | None, why: str) -> str:
        who = f"{source}: " if source else ""
        return f"{who}{describe(url, params)}: {why}"

    def _error(
        self, source: str | None, url: str, params: Mapping[str, str] | None, why: str
    ) -> NetworkError:
        return NetworkError(self._message(source, url, params, why))


class _TooSlow(Exception):
    """The answer did not arrive in full within the request's time limit."""


class _TooBig(Exception):
    """The answer is larger than ``max_body``."""


def _cannot_resolve(exc: BaseException) -> bool:
    """True when a connection failed because the host name did not resolve (socket.gaierror)."""
    import socket

    return _caused_by(exc, socket.gaierror)


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """True when ``exc`` or an exception in its cause/context chain is a ``kind``."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
