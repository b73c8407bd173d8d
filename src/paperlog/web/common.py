"""What every page shares: the server's settings, opening the library, rendering, form checks."""

from __future__ import annotations

import contextlib
import hmac
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from paperlog.errors import PaperlogError, ValidationError
from paperlog.library import Library
from paperlog.model import Paper
from paperlog.web.freshness import Freshness
from paperlog.web.render import environment

if TYPE_CHECKING:
    from paperlog.gitsync import AutoCommit

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
NAV = (
    ("/", "Today"),
    ("/week", "Week"),
    ("/papers", "Library"),
    ("/queue", "Queue"),
    ("/add", "Add"),
    ("/catalog", "Catalog"),
    ("/review", "Review"),
    ("/stats", "Stats"),
    ("/topics", "Topics"),
    ("/resources", "Resources"),
)


def _local_now() -> datetime:
    return datetime.now().astimezone()


@dataclass
class Settings:
    """How one server runs: its library, who may talk to it, and its clock (tests fix it)."""

    root: Path
    host: str = "127.0.0.1"
    token: str | None = None
    """Required on every request when set (``--token``; mandatory off loopback)."""
    environ: Mapping[str, str] = field(default_factory=dict)
    """Environment for the metadata sources (``PAPERLOG_*_URL``, offline mode)."""
    now: Callable[[], datetime] = _local_now
    secret: bytes = field(default_factory=lambda: os.urandom(32))
    """Signs the CSRF token; new for every server process."""

    def today(self) -> date:
        """The server's today (the plan's clock)."""
        return self.now().date()

    @property
    def csrf_token(self) -> str:
        """The token every form carries; a page on another site cannot read it."""
        return hmac.new(self.secret, b"paperlog-csrf", "sha256").hexdigest()

    def allowed_hosts(self) -> set[str]:
        """Host names the Host header may carry (DNS rebinding defence)."""
        hosts = set(LOOPBACK_HOSTS)
        hosts.add(self.host)
        return hosts


def settings_of(request: Request) -> Settings:
    """The settings of the app serving ``request``."""
    settings: Settings = request.app.state.settings
    return settings


def freshness_of(request: Request) -> Freshness:
    """The app's freshness keeper (generation counter, watcher, caches)."""
    freshness: Freshness = request.app.state.freshness
    return freshness


def papers_of(request: Request, library: Library) -> list[Paper]:
    """Every item for a read-only page, through the index (synced when anything changed)."""
    return freshness_of(request).papers(library)


def open_library(request: Request) -> Library:
    """The library, opened afresh: config edits made outside show on the next request."""
    return Library.open(settings_of(request).root)


def day_param(request: Request) -> date:
    """``?date=YYYY-MM-DD`` (a page about another day, like the CLI's --date), else today."""
    raw = request.query_params.get("date")
    if raw:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValidationError(f"date {raw!r} is not YYYY-MM-DD") from None
    return settings_of(request).today()


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with the shared context (nav, CSRF token, current path)."""
    settings = settings_of(request)
    html = (
        environment()
        .get_template(template)
        .render(
            nav=NAV,
            path=request.url.path,
            csrf=settings.csrf_token,
            library_title=context.pop("library_title", "paperlog"),
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code, headers={"Vary": "HX-Request"})


def is_htmx(request: Request) -> bool:
    """True for an htmx partial request (not a history restore, which needs the whole page)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


async def checked_form(request: Request) -> FormData:
    """The POSTed form, after its CSRF token is checked (a mismatch is a 403)."""
    from starlette.exceptions import HTTPException

    form = await request.form()
    sent = form.get("csrf")
    expected = settings_of(request).csrf_token
    if not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "the form's CSRF token is missing or stale: reload the page")
    return form


def field_text(form: FormData, name: str, default: str = "") -> str:
    """A text field of a form ('' when absent or a file)."""
    value = form.get(name)
    return value if isinstance(value, str) else default


def redirect(url: str) -> RedirectResponse:
    """303 See Other: after a POST the browser GETs the result (reload does not re-post)."""
    return RedirectResponse(url, status_code=303)


async def in_thread(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run blocking library work (file I/O, the lock) off the event loop."""
    return await run_in_threadpool(func, *args, **kwargs)


async def write(
    request: Request,
    message: str,
    func: Callable[..., Any],
    *args: Any,
    describe: Callable[[Any], str] | None = None,
) -> Any:
    """``func(library, *args)`` off the event loop, through the CLI's write path.

    The library is opened with its writes hooked to git (``gitsync.track``, as every CLI
    command's are): a target with conflict markers or, with ``[git] autocommit``, uncommitted
    changes is refused before anything is written, and what was written is committed as one
    commit, under the library lock. The message is ``describe(result)`` when given (the CLI's
    own words, "done simclr (Wk14)"), else ``message`` (the CLI command doing the same). What
    was written before an error is committed too, as the CLI does. The next request syncs.
    """
    from paperlog.gitsync import track

    def run() -> Any:
        lib = open_library(request)
        git = track(lib)
        # The write and its commit under one hold of the lock: another writer (a thread of
        # this server, a CLI command) never finds this write's files uncommitted, which its
        # check would take for the user's own changes and refuse.
        with lib.lock():
            try:
                result = func(lib, *args)
            except BaseException:
                # the original error is the one to show; a failed commit of a partial write
                # leaves files for `git status`, as the CLI's warning would
                with contextlib.suppress(PaperlogError):
                    git.commit(message)
                raise
            _commit(git, describe(result) if describe is not None else message)
        return result

    try:
        return await run_in_threadpool(run)
    finally:
        freshness_of(request).bump()


def _commit(git: AutoCommit, message: str) -> None:
    try:
        git.commit(message)
    except PaperlogError as exc:
        # The files are written and durable; only the commit is missing: say so.
        raise PaperlogError(
            f"the change is written but not committed: {exc}; commit it with git"
        ) from None


def error_status(exc: PaperlogError) -> int:
    """HTTP status for a domain error: 404 unknown, 409 conflict, 400 otherwise."""
    from paperlog.edit import EditConflict
    from paperlog.errors import LibraryNotFound, NotFound

    if isinstance(exc, EditConflict):
        return 409
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, LibraryNotFound):
        return 500
    return 400
