"""The library's pages: Library (search with facets), Paper (notes edit), Add, Topics, Resources."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from paperlog.errors import PaperlogError, ValidationError
from paperlog.web.common import (
    checked_form,
    field_text,
    freshness_of,
    in_thread,
    is_htmx,
    open_library,
    page,
    papers_of,
    redirect,
    settings_of,
    write,
)
from paperlog.web.render import environment, paper_url, query_url, render_notes

if TYPE_CHECKING:
    from paperlog.library import Library

PAGE_SIZE = 25
FACET_TITLES = {
    "year": "Year",
    "venue": "Venue",
    "topic": "Topic",
    "track": "Track",
    "status": "Status",
    "kind": "Kind",
}


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 9 else default


# --- Library -------------------------------------------------------------------------------


async def papers_page(request: Request) -> Response:
    """``/papers?q=...&sort=...&page=N``: search with the CLI's query syntax and facets."""
    from paperlog.browse import SORTS, browse, summarise, with_filter
    from paperlog.query import QueryError, parse_query

    lib = open_library(request)
    text = request.query_params.get("q", "")
    sort = request.query_params.get("sort", "relevance")
    sort = sort if sort in SORTS else "relevance"
    number = max(_int_param(request, "page", 1), 1)
    error = ""
    freshness = freshness_of(request)
    with freshness.index(lib) as index:
        try:
            query = parse_query(text)
            result = browse(
                index,
                query,
                sort=sort,
                offset=(number - 1) * PAGE_SIZE,
                limit=PAGE_SIZE,
                # the same for every page and sort of a query until a file changes
                summary=freshness.cached(("summary", text), lambda: summarise(index, query)),
            )
        except QueryError as exc:
            error = f"bad query: {exc.message}"
            result = browse(index, "", sort=sort, limit=PAGE_SIZE, facets=False)
            result.papers, result.total = [], 0
    pages = max((result.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    context: dict[str, Any] = {
        "q": text,
        "sort": sort,
        "sorts": SORTS,
        "result": result,
        "error": error,
        "page_number": number,
        "pages": pages,
        "facet_titles": FACET_TITLES,
        "with_filter": with_filter,
        "topic_names": {t.code: t.name for t in lib.config.topics},
    }
    if is_htmx(request):
        html = environment().get_template("_results.html").render(**context)
        return HTMLResponse(html, headers={"Vary": "HX-Request"})
    return page(request, "papers.html", title="Library", library_title=lib.config.title, **context)


# --- Paper ---------------------------------------------------------------------------------


def _paper_context(request: Request, key: str) -> dict[str, Any]:
    from paperlog.edit import open_for_edit
    from paperlog.plan.review import review_item, takeaways_of

    lib = open_library(request)
    editable = open_for_edit(lib, key)
    paper = editable.paper
    takeaways = takeaways_of(paper)
    try:
        review = review_item(paper, takeaways) if takeaways else None
    except PaperlogError:  # a hand-broken review block still shows the paper
        review = None
    position = None
    if paper.status != "read":
        with freshness_of(request).index(lib) as index:
            position = index.queue_position(paper.key)
    return {
        "library_title": lib.config.title,
        "title": paper.display_title,
        "paper": paper,
        "queue_position": position,
        "hash": editable.hash,
        "notes_text": paper.notes,
        "topics": lib.config.topics,
        "tracks": [t.name for t in lib.config.plan.tracks],
        "takeaways": takeaways,
        "review": review,
        "saved": request.query_params.get("saved") == "1",
        "conflict": None,
        "error": "",
    }


async def paper_page(request: Request) -> Response:
    """``/papers/KEY``: metadata, links, readings, review state, notes and the edit form."""
    return page(request, "paper.html", **_paper_context(request, request.path_params["key"]))


async def paper_save(request: Request) -> Response:
    """POST ``/papers/KEY``: save notes, topics, track, status if the file is unchanged."""
    from paperlog.edit import Changes, EditConflict, save_edit

    key = request.path_params["key"]
    form = await checked_form(request)
    notes = field_text(form, "notes")
    changes = Changes(
        notes=notes,
        topics=[v for v in form.getlist("topics") if isinstance(v, str)],
        track=field_text(form, "track"),
        status=field_text(form, "status") or None,
    )
    try:
        await write(request, f"edit {key}", save_edit, key, field_text(form, "hash"), changes)
    except (EditConflict, ValidationError) as exc:
        context = await in_thread(_paper_context, request, key)
        # what the user typed is kept in the form: nothing they wrote is lost
        context["notes_text"] = notes
        if isinstance(exc, EditConflict):
            context["conflict"] = exc
            context["hash"] = exc.current_hash
            status = 409
        else:
            context["error"] = str(exc)
            status = 400
        return page(request, "paper.html", status_code=status, **context)
    return redirect(paper_url(key) + "?saved=1")


async def notes_preview(request: Request) -> Response:
    """POST ``/preview``: the notes as they will render (htmx swaps it in beside the editor)."""
    form = await checked_form(request)
    html = render_notes(field_text(form, "notes"))
    return HTMLResponse(f'<div id="preview" class="notes">{html}</div>')


# --- Add -----------------------------------------------------------------------------------


def _sources_run(lib: Library, request: Request, text: str, options: Any, write: bool) -> Any:
    from paperlog.resolve.sources import make_sources, open_client
    from paperlog.services.add import add_paper, prepare_paper

    settings = settings_of(request)
    with open_client(lib, settings.environ) as client:
        sources = make_sources(lib.config, settings.environ, client)
        run = add_paper if write else prepare_paper
        return run(lib, text, sources, options, settings.today())


def add_page(request: Request) -> Response:
    """``/add?q=...``: what the sources say about it and the duplicate check; nothing written."""
    from paperlog.resolve.resolution import AmbiguousTitle
    from paperlog.services.add import AddOptions, DuplicatePaper

    lib = open_library(request)
    text = request.query_params.get("q", "").strip()
    pick = _int_param(request, "pick", 0) or None
    context: dict[str, Any] = {
        "q": text,
        "pick": pick or "",
        "prepared": None,
        "duplicate": None,
        "candidates": [],
        "error": "",
        "tracks": [t.name for t in lib.config.plan.tracks],
        "topics": lib.config.topics,
    }
    if text:
        try:
            context["prepared"] = _sources_run(lib, request, text, AddOptions(pick=pick), False)
            context["duplicate"] = context["prepared"].duplicate_of
        except DuplicatePaper as exc:
            context["duplicate"] = exc.existing
        except AmbiguousTitle as exc:
            context["candidates"] = exc.candidates
            context["error"] = exc.message
        except PaperlogError as exc:
            context["error"] = str(exc)
    return page(request, "add.html", title="Add", library_title=lib.config.title, **context)


async def add_action(request: Request) -> Response:
    """POST ``/add``: add to the queue, or log as read today (``paperlog add [--read]``)."""
    from paperlog.services.add import AddOptions

    form = await checked_form(request)
    text = field_text(form, "q").strip()
    pick = field_text(form, "pick")
    options = AddOptions(
        read=field_text(form, "action") == "read",
        pick=int(pick) if pick.isdigit() else None,
        track=field_text(form, "track") or None,
        topics=[v for v in form.getlist("topics") if isinstance(v, str) and v],
    )
    added = await write(
        request,
        f"paperlog add {text}",
        _sources_run,
        request,
        text,
        options,
        True,
        describe=lambda added: f"add {added.paper.key}: {added.paper.title}",  # as the CLI's
    )
    return redirect(paper_url(added.paper.key) + "?added=1")


# --- Topics and Resources ------------------------------------------------------------------


async def topics_page(request: Request) -> Response:
    """``/topics``: the taxonomy with how many items carry each code (``paperlog topics``)."""
    from paperlog.views import topics_view

    lib = open_library(request)
    return page(
        request,
        "topics.html",
        title="Topics",
        library_title=lib.config.title,
        topics=freshness_of(request).cached(
            "topics", lambda: topics_view(lib.config.topics, papers_of(request, lib))
        ),
    )


async def resources_page(request: Request) -> Response:
    """``/resources``: courses, talks and sites with their links (``paperlog resources``)."""
    lib = open_library(request)
    return page(
        request,
        "resources.html",
        title="Resources",
        library_title=lib.config.title,
        sections=lib.load_resources(),
    )


ROUTES = [
    Route("/papers", papers_page),
    Route("/papers/{key}", paper_page),
    Route("/papers/{key}", paper_save, methods=["POST"]),
    Route("/preview", notes_preview, methods=["POST"]),
    Route("/add", add_page),
    Route("/add", add_action, methods=["POST"]),
    Route("/topics", topics_page),
    Route("/resources", resources_page),
]

__all__ = ["ROUTES", "query_url"]
