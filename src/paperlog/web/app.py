"""The web app: routes, error pages and the security layer around them.

``create_app(Settings(root))`` returns a Starlette app over one library; ``paperlog serve``
runs it with uvicorn. Every page reads through the same library, index, plan and resolve
functions as the CLI, and every write goes through them too (same lock, same atomic writes).

Security, since a page on any web site can make the browser talk to localhost:
- the Host header must name this server (a DNS-rebinding page carries its own host name);
- with a token (required off loopback) every request must carry it: ``?token=`` once sets an
  HttpOnly cookie, or ``Authorization: Bearer``;
- every POST carries the CSRF token (``checked_form``) and, when the browser sends one, an
  Origin of this server;
- a Content-Security-Policy allows scripts and styles from this server only (no inline
  script), no framing, forms posting only here.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from paperlog.errors import PaperlogError
from paperlog.web import pages_catalog, pages_library, pages_plan
from paperlog.web.common import Settings, error_status, page
from paperlog.web.freshness import Freshness
from paperlog.web.render import STATIC

TOKEN_COOKIE = "paperlog_token"
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on a form
    # POST, and the Origin check could not tell this app's forms from a sandboxed page's
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _host_name(value: str) -> str:
    """The host part of a Host header: ``127.0.0.1:8421`` -> ``127.0.0.1``, ``[::1]:80`` -> ``::1``."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Guard:
    """ASGI middleware: Host check, token check, Origin check on writes, security headers."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.hosts = {h.lower() for h in settings.allowed_hosts()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope, headers)
        if isinstance(refusal, Response):
            await refusal(scope, receive, self._with_headers(send, started))
            return
        await self.app(scope, receive, self._with_headers(send, started))

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> Response | None:
        host = headers.get("host", "")
        # Bound to every interface, the server is reached by names it cannot know (the
        # machine's address, its DNS name); the token, mandatory there, is the defence then.
        any_host = self.settings.token is not None and self.settings.host in WILDCARD_HOSTS
        if not any_host and _host_name(host) not in self.hosts:
            return PlainTextResponse(
                f"refused: Host {host!r} is not this server (DNS rebinding protection)", 400
            )
        if scope["method"] not in ("GET", "HEAD"):
            origin = headers.get("origin")
            if origin is not None and origin != "null":
                parts = urlsplit(origin)
                if parts.netloc.lower() != host.lower():
                    return PlainTextResponse(f"refused: a form from {origin} cannot post here", 403)
            elif origin == "null":
                return PlainTextResponse("refused: a form from an opaque origin", 403)
        token = self.settings.token
        if token is None:
            return None
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = query.get("token", [None])[0]
        if given is not None and hmac.compare_digest(given, token):
            # Swap the token in the address bar for a cookie: it stays out of history.
            rest = {k: v for k, v in query.items() if k != "token"}
            target = scope["path"] + ("?" + urlencode(rest, doseq=True) if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
            return response
        if self._has_token(headers, token):
            return None
        return PlainTextResponse(
            "refused: this server needs its token (open the URL 'paperlog serve' printed)", 401
        )

    @staticmethod
    def _has_token(headers: dict[str, str], token: str) -> bool:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and hmac.compare_digest(auth[7:].strip(), token):
            return True
        from http.cookies import SimpleCookie

        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header is simply no token
            return False
        morsel = cookie.get(TOKEN_COOKIE)
        return morsel is not None and hmac.compare_digest(morsel.value, token)

    def _with_headers(self, send: Send, started: float) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                # the server's own time, for the browser's dev tools and `make bench`
                took = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
                extra.append((b"server-timing", took.encode()))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        return wrapped


async def _paperlog_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PaperlogError)
    return page(
        request,
        "error.html",
        status_code=error_status(exc),
        title="Problem",
        message=str(exc),
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return HTMLResponse(
        page(request, "error.html", title="Problem", message=exc.detail).body,
        status_code=exc.status_code,
    )


class CachedStatic(StaticFiles):
    """The static files, cached by the browser for a year without asking again: pages link them
    as ``/static/NAME?v=HASH`` (``render.static_url``), so a changed file has a new URL. A
    page load then costs one request, not one plus a revalidation per file."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        """The file, with ``Cache-Control: immutable``."""
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = "public, max-age=31536000, immutable"
        return response


def routes() -> list[Route | Mount]:
    """Every page and action, then the static files."""
    return [
        *pages_plan.ROUTES,
        *pages_library.ROUTES,
        *pages_catalog.ROUTES,
        Mount("/static", app=CachedStatic(directory=STATIC), name="static"),
    ]


def create_app(settings: Settings, freshness: Freshness | None = None) -> Any:
    """The ASGI app for one library, wrapped in the security guard.

    Without a ``freshness`` whose watcher runs, every request syncs the index with the files.
    """
    app = Starlette(
        routes=routes(),
        exception_handlers={PaperlogError: _paperlog_error, HTTPException: _http_error},
    )
    app.state.settings = settings
    app.state.freshness = freshness or Freshness()
    return Guard(app, settings)
