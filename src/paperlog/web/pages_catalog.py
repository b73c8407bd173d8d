"""The catalog's pages: ``/catalog?q=...`` (search with the CLI's query syntax, add a hit to
the queue with one click) and the Recommended panel Today loads after its first paint.

As thin over the library API as ``paperlog catalog search`` and ``paperlog recommend``: the
catalog's ``search`` answers the query, ``recommend.service.recommend`` ranks the catalog and
``services.add.add_paper`` writes a hit (the catalog itself answering as the metadata source,
so one click needs no network), through the web's one write path (lock, atomic write, git).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from paperlog.errors import PaperlogError
from paperlog.web.common import (
    checked_form,
    field_text,
    freshness_of,
    in_thread,
    open_library,
    page,
    papers_of,
    redirect,
    settings_of,
    write,
)
from paperlog.web.render import query_url

if TYPE_CHECKING:
    from paperlog.catalog.records import CatalogPaper
    from paperlog.library import Library
    from paperlog.recommend.service import Suggestion

PAGE_SIZE = 20
MAX_PAGES = 25
"""Paging goes this deep (500 hits); a narrower query is the way further."""
PANEL_SIZE = 5
"""Suggestions on Today; the catalog page shows ``PAGE_SIZE``."""
_RECOMMEND_LOCK = threading.Lock()
"""One training at a time: concurrent panel loads wait for the first, then share its result."""


def catalog_path(request: Request) -> Path:
    """The catalog the server reads: ``$PAPERLOG_CATALOG``, else the XDG data folder."""
    from paperlog.catalog.store import default_path

    return default_path(settings_of(request).environ)


def has_catalog(request: Request) -> bool:
    """True when a catalog file exists (one stat: Today asks it on every load)."""
    return catalog_path(request).is_file()


def _in_library(request: Request, lib: Library) -> dict[str, str]:
    """arXiv IDs, DOIs and normalised titles of the library's papers -> their keys."""
    from paperlog.catalog.records import normalise_title

    def compute() -> dict[str, str]:
        out: dict[str, str] = {}
        for paper in papers_of(request, lib):
            for ident in (paper.arxiv, paper.doi):
                if ident:
                    out[ident.lower()] = paper.key
            out["title:" + normalise_title(paper.title)] = paper.key
        return out

    known: dict[str, str] = freshness_of(request).cached("catalog-known", compute)
    return known


def key_in_library(known: dict[str, str], hit: CatalogPaper) -> str | None:
    """The library key holding this catalog paper, if any (by arXiv ID, DOI or title)."""
    from paperlog.catalog.records import normalise_title

    for ident in (hit.arxiv, hit.doi):
        if ident and ident.lower() in known:
            return known[ident.lower()]
    return known.get("title:" + normalise_title(hit.title))


def _suggestions(request: Request) -> tuple[list[Suggestion], str]:
    """(suggestions, problem) from ``recommend``; computed once per change of the library."""
    from paperlog.catalog.store import Catalog
    from paperlog.recommend.service import Options, recommend

    path = catalog_path(request)
    lib = open_library(request)
    today = settings_of(request).today()

    def compute() -> tuple[list[Suggestion], str]:
        try:
            with Catalog.open(path, create=False) as catalog:
                found = recommend(
                    lib,
                    catalog,
                    Options(limit=PAGE_SIZE),
                    today=today,
                    papers=papers_of(request, lib),
                )
                return found, ""
        except PaperlogError as exc:
            return [], str(exc)

    with _RECOMMEND_LOCK:
        result: tuple[list[Suggestion], str] = freshness_of(request).cached(
            ("recommend", str(path), today), compute
        )
    return result


async def catalog_page(request: Request) -> Response:
    """``/catalog?q=...&page=N``: the catalog searched with the CLI's query syntax."""
    from paperlog.catalog.store import Catalog
    from paperlog.query import QueryError

    lib = open_library(request)
    text = request.query_params.get("q", "").strip()
    raw = request.query_params.get("page", "1")
    number = min(max(int(raw) if raw.isdigit() and len(raw) < 4 else 1, 1), MAX_PAGES)
    path = catalog_path(request)
    hits: list[CatalogPaper] = []
    more = False
    error = ""
    if not path.is_file():
        error = f"No catalog at {path}: build one with 'paperlog catalog ingest SOURCE'."
    elif text:

        def search() -> list[CatalogPaper]:
            with Catalog.open(path, create=False) as catalog:
                return catalog.search(text, number * PAGE_SIZE + 1)

        try:
            found = await in_thread(search)
        except QueryError as exc:
            error = f"bad query: {exc.message}"
        except PaperlogError as exc:
            error = str(exc)
        else:
            more = len(found) > number * PAGE_SIZE and number < MAX_PAGES
            hits = found[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    known = await in_thread(_in_library, request, lib) if hits else {}
    return page(
        request,
        "catalog.html",
        title="Catalog",
        library_title=lib.config.title,
        q=text,
        hits=[(hit, key_in_library(known, hit)) for hit in hits],
        page_number=number,
        more=more,
        error=error,
        has_catalog=path.is_file(),
        message=request.query_params.get("msg", ""),
        here=query_url("/catalog", q=text, page=number if number > 1 else None),
    )


async def recommended_panel(request: Request) -> Response:
    """``/catalog/recommended?limit=N``: the top suggestions, an htmx fragment (Today loads it
    after its first paint; the catalog page too). Empty when there is no catalog."""
    raw = request.query_params.get("limit", "")
    limit = min(int(raw), PAGE_SIZE) if raw.isdigit() and 0 < len(raw) < 3 else PANEL_SIZE
    if not has_catalog(request):
        return page(request, "_recommended.html", suggestions=[], problem="", shown=False)
    suggestions, problem = await in_thread(_suggestions, request)
    return page(
        request,
        "_recommended.html",
        suggestions=suggestions[: max(limit, 1)],
        problem=problem,
        shown=True,
        here=_safe_next(request.query_params.get("next", "/")),
    )


def _safe_next(raw: str) -> str:
    """Where to go after an add: a path of this server only (never another site)."""
    return raw if raw.startswith("/") and not raw.startswith("//") and "\\" not in raw else "/"


def _add_hit(lib: Library, request: Request, ident: str) -> Any:
    """``add_paper`` with the catalog as the only source: the hit's metadata, no network."""
    from paperlog.catalog.source import CatalogSource
    from paperlog.services.add import AddOptions, add_paper

    return add_paper(
        lib,
        ident,
        [CatalogSource(catalog_path(request))],
        AddOptions(),
        settings_of(request).today(),
    )


async def add_action(request: Request) -> Response:
    """POST ``/catalog/add``: put a catalog paper on the queue (``paperlog add`` of the hit)."""
    from paperlog.catalog.store import Catalog
    from paperlog.errors import NotFound
    from paperlog.services.add import DuplicatePaper

    form = await checked_form(request)
    back = _safe_next(field_text(form, "next") or "/catalog")
    raw = field_text(form, "id").strip()
    path = catalog_path(request)
    if not raw.isdigit() or not path.is_file():
        raise NotFound(f"no catalog paper {raw!r}")

    def hit_of() -> CatalogPaper | None:
        with Catalog.open(path, create=False) as catalog:
            return catalog.get(f"c{raw}")

    hit = await in_thread(hit_of)
    if hit is None:
        raise NotFound(f"no catalog paper c{raw}")
    ident = hit.arxiv or hit.doi or hit.openreview or hit.title
    try:
        added = await write(
            request,
            f"paperlog add {ident}",
            _add_hit,
            request,
            ident,
            describe=lambda added: f"add {added.paper.key}: {added.paper.title}",  # as the CLI's
        )
    except DuplicatePaper as exc:
        message = f"Already in your library: {exc.existing.key}."
    else:
        message = f"Added {added.paper.key} to the queue."
    return redirect(_with_message(back, message))


def _with_message(path: str, message: str) -> str:
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(path)
    params = dict(parse_qsl(parts.query))
    params["msg"] = message
    return query_url(parts.path, **params)


ROUTES = [
    Route("/catalog", catalog_page),
    Route("/catalog/recommended", recommended_panel),
    Route("/catalog/add", add_action, methods=["POST"]),
]
