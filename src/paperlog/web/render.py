"""Turning data into HTML safely: Jinja2 with autoescape, notes as sanitised Markdown, safe links.

Every string a user or a metadata source wrote reaches the page either escaped by Jinja's
autoescape or, for notes, rendered by markdown-it-py with raw HTML off and then cleaned by nh3
(an allow-list HTML sanitiser). A URL becomes a link only when it is http(s) or mailto; a
``javascript:`` or ``data:`` URL is shown as text.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}


def safe_url(url: str | None) -> str | None:
    """``url`` when a browser may follow it (http, https, mailto), else None."""
    if not url:
        return None
    text = url.strip()
    # A browser drops control characters and whitespace inside a scheme ("java\tscript:"),
    # so they are removed before the scheme is judged.
    squeezed = "".join(ch for ch in text if ch > " " and ch != "\x7f")
    scheme = urlsplit(squeezed).scheme.lower()
    if scheme not in SAFE_SCHEMES:
        return None
    return text


@functools.cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    # commonmark with raw HTML off: a <script> in the notes stays text; tables as GitHub has them
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_notes(text: str) -> Markup:
    """Notes Markdown as HTML that is safe to put in a page."""
    import nh3

    html = _markdown().render(text or "")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=set(SAFE_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # sanitised by nh3 just above


def query_url(path: str, **params: Any) -> str:
    """``path`` with the non-empty parameters as a query string."""
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def paper_url(key: str) -> str:
    """The page of one paper."""
    return "/papers/" + quote(key, safe="")


@functools.cache
def static_url(name: str) -> str:
    """``/static/NAME?v=HASH``: the content's hash in the URL, so the browser may keep the
    file forever (served ``immutable``) and a changed file is a new URL."""
    import hashlib

    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/static/{quote(name)}?v={digest}"


@functools.cache
def environment() -> Environment:
    """The Jinja environment: autoescape on for every template, strict undefined names."""
    from jinja2 import StrictUndefined

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # compiled once per process: no stat of every template file on every render
        auto_reload=False,
    )
    env.filters["safe_url"] = safe_url
    env.filters["notes"] = render_notes
    env.globals["query_url"] = query_url
    env.globals["paper_url"] = paper_url
    env.globals["static_url"] = static_url
    return env
