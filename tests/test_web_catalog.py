"""The catalog page and the Recommended panel (issue 13 item 6), in-process: the same
services as ``paperlog catalog search`` and ``paperlog recommend``, one click to queue a hit
(CSRF-checked, through the one write path), nothing at all when there is no catalog, and
hostile catalog titles shown as text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from paperlog.catalog.records import CatalogRecord
from paperlog.catalog.store import Catalog
from paperlog.library import Library
from test_recommend import _catalog, _seg_library
from test_web_security import tags_of
from web_helpers import WED, XSS, client_for, csrf_of


def catalog_with_hostile(path: Path) -> Path:
    """The recommender tests' catalog (segmentation and graph papers) and one paper whose
    title, authors, venue label and abstract carry script."""
    _catalog(path)
    with Catalog.open(path) as catalog:
        catalog.begin()
        catalog.upsert(
            CatalogRecord(
                title=f"Segmentation {XSS} attacks",
                authors=[XSS],
                abstract=f"segmentation of organs {XSS}",
                year=2020,
                venue_label=XSS,
                url="javascript:alert(document.cookie)",
                source="hostile",
            )
        )
        catalog.commit()
    return path


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    return catalog_with_hostile(tmp_path / "catalog.sqlite")


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return _seg_library(tmp_path / "lib")


def client(lib: Library, catalog: Path) -> TestClient:
    return client_for(lib, WED, environ={"PAPERLOG_CATALOG": str(catalog)})


def test_without_a_catalog_nothing_is_shown(lib: Library, tmp_path: Path) -> None:
    web = client_for(lib, WED, environ={"PAPERLOG_CATALOG": str(tmp_path / "none.sqlite")})
    today = web.get("/")
    assert today.status_code == 200
    assert "/catalog/recommended" not in today.text  # no panel, no request for one
    panel = web.get("/catalog/recommended", headers={"HX-Request": "true"})
    assert panel.status_code == 200 and "Recommended" not in panel.text
    page = web.get("/catalog?q=segmentation")
    assert page.status_code == 200
    assert "No catalog at" in page.text and "paperlog catalog ingest" in page.text


def test_today_loads_the_panel_after_its_first_paint(lib: Library, catalog: Path) -> None:
    web = client(lib, catalog)
    today = web.get("/").text
    # a placeholder htmx fills once the page is shown: Today itself trains nothing
    holder = re.search(r'<section id="recommended"[^>]*>', today)
    assert holder is not None
    assert 'hx-get="/catalog/recommended' in holder.group(
        0
    ) and 'hx-trigger="load"' in holder.group(0)
    panel = web.get("/catalog/recommended", headers={"HX-Request": "true"}).text
    titles = re.findall(r'aria-label="Add to queue: ([^"]+)"', panel)
    assert len(titles) == 5
    # the recommender's picks for a segmentation reader, with their reasons and one-click adds
    assert all("Segmentation" in t for t in titles)
    assert panel.count('action="/catalog/add"') == 5 and "Because of:" in panel
    assert panel.count(f'name="csrf" value="{csrf_of(web, "/papers/seg-0")}"') == 5


def test_catalog_search_uses_the_query_syntax(lib: Library, catalog: Path) -> None:
    web = client(lib, catalog)
    page = web.get("/catalog", params={"q": "segmentation venue:MICCAI year:2020"}).text
    hits = re.findall(r'<div class="meta muted">c\d+ · (\d{4})', page)
    assert hits and set(hits) == {"2020"}
    assert "ICML" not in page.split('class="count"')[1]
    bad = web.get("/catalog", params={"q": "year:abc"})
    assert bad.status_code == 200 and "bad query" in bad.text
    # paging: 20 a page, a next link while more match
    many = web.get("/catalog", params={"q": "year:2019.."}).text
    assert many.count('action="/catalog/add"') == 20 and 'rel="next"' in many
    second = web.get("/catalog", params={"q": "year:2019..", "page": "2"}).text
    assert 'rel="prev"' in second


def test_one_click_adds_a_hit_to_the_queue(lib: Library, catalog: Path) -> None:
    web = client(lib, catalog)
    page = web.get("/catalog", params={"q": "graphs molecules"}).text
    first = re.search(r'name="id" value="(\d+)"', page)
    assert first is not None
    with Catalog.open(catalog, create=False) as store:
        hit = store.get(f"c{first.group(1)}")
    assert hit is not None
    before = set(lib.keys())
    form = {
        "csrf": csrf_of(web, "/papers/seg-0"),
        "id": first.group(1),
        "next": "/catalog?q=graphs",
    }
    added = web.post("/catalog/add", data=form, follow_redirects=False)
    assert added.status_code == 303
    assert added.headers["location"].startswith("/catalog?q=graphs&msg=Added+")
    (key,) = set(lib.keys()) - before
    paper = lib.load_paper(key)
    # the catalog's metadata, on the wish-list: no network source was asked
    assert paper.title == hit.title and paper.status == "wish" and paper.arxiv == hit.arxiv
    assert "Added" in web.get(added.headers["location"]).text
    # now shown as in the library; a second add says so and writes nothing
    again = web.get("/catalog", params={"q": "graphs molecules"}).text
    assert f'href="/papers/{key}"' in again
    twice = web.post("/catalog/add", data=form, follow_redirects=False)
    assert "Already+in+your+library" in twice.headers["location"]
    assert len(lib.keys()) == len(before) + 1
    # the panel no longer suggests it either
    panel = web.get("/catalog/recommended?limit=20").text
    assert f">{hit.title}</a>" not in panel  # only as the nearest paper read


def test_add_needs_the_csrf_token_and_a_real_catalog_id(lib: Library, catalog: Path) -> None:
    web = client(lib, catalog)
    before = lib.keys()
    assert web.post("/catalog/add", data={"id": "1"}).status_code == 403
    assert web.post("/catalog/add", data={"id": "1", "csrf": "0" * 64}).status_code == 403
    csrf = csrf_of(web, "/papers/seg-0")
    assert web.post("/catalog/add", data={"id": "999999", "csrf": csrf}).status_code == 404
    assert web.post("/catalog/add", data={"id": "../x", "csrf": csrf}).status_code == 404
    # an address elsewhere is never followed after the add
    hit = re.search(r'name="id" value="(\d+)"', web.get("/catalog?q=graphs").text)
    assert hit is not None
    away = web.post(
        "/catalog/add",
        data={"id": hit.group(1), "csrf": csrf, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert away.headers["location"].startswith("/?msg=")
    assert len(lib.keys()) == len(before) + 1


@pytest.mark.parametrize("url", ["/catalog?q=attacks", "/catalog/recommended?limit=20", "/catalog"])
def test_hostile_catalog_strings_are_text(lib: Library, catalog: Path, url: str) -> None:
    page = client(lib, catalog).get(url)
    assert page.status_code == 200
    for tag, attrs in tags_of(page.text):
        if tag == "script":
            assert (attrs.get("src") or "").split("?v=")[0] in (
                "/static/htmx.min.js",
                "/static/app.js",
            ), attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, attrs)
            if name in ("href", "src", "action"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:"))
    assert "<script>alert" not in page.text
    if url.startswith("/catalog?q="):
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text
