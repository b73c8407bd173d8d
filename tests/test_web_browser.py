"""``paperlog serve`` in a real browser: Playwright driving Debian's Chromium.

The app runs on a real uvicorn server on 127.0.0.1 with its Content-Security-Policy on, so
these flows also prove that htmx and the page script work without inline script. axe-core
(vendored in tests/vendor with its licence) checks every page, light and dark.
Playwright's own browser download cannot work here; the Makefile installs the ``chromium``
package, and without it these tests skip and say so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from paperlog.library import Library
from paperlog.web.common import Settings
from replay import ReplayServer
from test_add import SIMCLR_ARXIV, simclr_routes, source_env
from web_helpers import SUN, WED, at, make_library
from web_server import running_server

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = [
    "/",
    "/week/1",
    "/papers",
    "/papers?q=contrastive",
    "/papers/simclr-2020",
    "/papers/hostile-2021",
    "/queue",
    "/add",
    "/review",
    "/stats",
    "/topics",
    "/resources",
]

if not CHROMIUM.is_file():
    pytest.skip(
        f"{CHROMIUM} is absent: 'make test' installs Debian's chromium package when it can "
        "(apt-get as root); Playwright's own browser download cannot work here",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


def serve(lib: Library, day: date, **kw: Any) -> Any:
    return running_server(Settings(root=lib.root, now=lambda: at(day), **kw))


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return make_library(tmp_path / "lib")


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page with the CSP enforced; any dialog (an alert from injected script) is recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.dialogs = []
    tab.errors = []

    def on_dialog(dialog: Any) -> None:
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(message: Any) -> None:
        if message.type == "error":
            tab.errors.append(message.text)

    tab.on("dialog", on_dialog)
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on("console", on_console)
    yield tab
    context.close()


def test_today_mark_done_and_the_week_updates(lib: Library, page: Any) -> None:
    with serve(lib, WED) as url:
        page.goto(url + "/")
        assert page.locator("#pace-count").inner_text() == "0"
        pick = page.locator(".pick a").first.inner_text()
        with page.expect_navigation():
            page.click("#done-button")
        assert page.locator("#pace-count").inner_text() == "1"
        assert pick in page.locator("#week").inner_text()
    assert lib.load_paper("hostile-2021").status == "read"
    assert page.dialogs == [] and page.errors == []


def test_live_search_and_a_facet_click(lib: Library, page: Any) -> None:
    with serve(lib, WED) as url:
        page.goto(url + "/papers")
        assert "6 items" in page.locator(".count").inner_text()
        page.locator("#q").press_sequentially("contrast", delay=20)
        # the address follows the search (htmx push-url); on a slow machine an earlier
        # keystroke's request may land first, so wait for the last one
        page.wait_for_url(re.compile(r"q=contrast(&|$)"))
        # the page's CSP forbids eval, so no wait_for_function: expect polls from Playwright's side
        sync_api.expect(page.locator(".count")).to_contain_text("2 items for")
        sync_api.expect(page.locator(".count q")).to_have_text("contrast")
        page.locator('a.facet[data-facet="venue"]', has_text="CVPR").click()
        page.wait_for_url(re.compile(r"venue%3ACVPR"))
        assert page.locator(".count").inner_text().startswith("1 item")
        assert "MoCo" in page.locator(".hits").inner_text()
        assert page.locator("#q").input_value() == "contrast venue:CVPR"
    assert page.errors == []


def test_edit_a_note_and_the_conflict_refusal(lib: Library, page: Any) -> None:
    path = lib.paper_path("moco-2020")
    with serve(lib, WED) as url:
        page.goto(url + "/papers/moco-2020")
        page.fill("#notes", "## Key ideas\n\n- a **momentum** encoder\n")
        page.click("#preview-button")
        page.wait_for_selector("#preview strong")
        assert page.locator("#preview strong").inner_text() == "momentum"
        outside = path.read_text("utf-8") + "\nChanged by git pull.\n"
        path.write_text(outside, "utf-8")
        page.click("#save-button")
        page.wait_for_selector("#conflict")
        assert "Changed by git pull." in page.locator("#conflict pre").inner_text()
        assert "momentum" in page.locator("#notes").input_value()
    assert path.read_text("utf-8") == outside
    assert [e for e in page.errors if "409 (Conflict)" not in e] == []


def test_queue_buttons(lib: Library, page: Any) -> None:
    with serve(lib, WED) as url:
        page.goto(url + "/queue")
        with page.expect_navigation():
            page.get_by_label("Move to the top: byol-2020").click()
        assert page.locator("tbody tr").first.get_attribute("id") == "q-byol-2020"
        page.get_by_label("Day to pin moco-2020 to").fill("2024-05-10")
        with page.expect_navigation():
            page.get_by_label("Pin moco-2020", exact=True).click()
        assert "Pinned moco-2020 to 2024-05-10" in page.locator("main").inner_text()
    # a move writes the moved paper alone: it takes a rank before the old head's
    assert (lib.load_paper("byol-2020").rank or 0) < (lib.load_paper("moco-2020").rank or 0)
    assert lib.load_paper("moco-2020").pinned == date(2024, 5, 10)
    assert page.errors == []


def test_a_review_with_the_keyboard(lib: Library, page: Any) -> None:
    with serve(lib, SUN) as url:
        page.goto(url + "/review")
        assert page.locator("#answer").is_hidden()
        page.keyboard.press("Space")
        assert page.locator("#answer").is_visible()
        assert "two augmented views" in page.locator("#answer").inner_text()
        page.keyboard.press("3")
        page.wait_for_selector("#review-done")
        assert "Graded simclr-2020: good" in page.content()
    assert lib.load_paper("simclr-2020").review["last_rating"] == "good"
    assert page.errors == []


def test_add_a_paper_through_the_replay_server(
    tmp_path: Path, page: Any, server: ReplayServer
) -> None:
    simclr_routes(server)
    lib = Library.create(tmp_path / "empty")
    with serve(lib, WED, environ=source_env(server)) as url:
        page.goto(url + "/add")
        page.fill("#q", SIMCLR_ARXIV)
        page.press("#q", "Enter")
        page.wait_for_selector("#found")
        assert "Contrastive Learning" in page.locator("#found").inner_text()
        assert lib.keys() == []
        page.click("#add-queue")
        page.wait_for_url(re.compile(r"/papers/[a-z0-9-]+\?added=1"))
        assert "Contrastive Learning" in page.locator("h1").inner_text()
    assert len(lib.keys()) == 1 and lib.load_paper(lib.keys()[0]).status == "wish"


def axe_violations(tab: Any) -> list[dict[str, Any]]:
    tab.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = tab.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation_and_no_script_runs(
    lib: Library, browser: Any, scheme: str
) -> None:
    # axe is injected as a script, which the app's CSP forbids: this context bypasses the CSP
    # (the other tests run with it on)
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, color_scheme=scheme, bypass_csp=True
    )
    tab = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    problems: dict[str, list[dict[str, Any]]] = {}
    try:
        with serve(lib, SUN if scheme == "dark" else WED) as url:
            for path in PAGES:
                tab.goto(url + path)
                if path == "/review" and tab.locator("#reveal").count():
                    tab.keyboard.press("Space")  # the revealed card too
                found = axe_violations(tab)
                if found:
                    problems[path] = found
    finally:
        context.close()
    assert problems == {}
    assert dialogs == []


# --- the catalog (issue 13 item 6) ----------------------------------------------------------


@pytest.fixture
def discovery(tmp_path: Path) -> tuple[Library, dict[str, str]]:
    """A segmentation reader's library and a catalog holding a hostile title."""
    from test_recommend import _seg_library
    from test_web_catalog import catalog_with_hostile

    catalog = catalog_with_hostile(tmp_path / "catalog.sqlite")
    return _seg_library(tmp_path / "seg"), {"PAPERLOG_CATALOG": str(catalog)}


def test_recommended_after_first_paint_and_add_from_the_catalog(
    discovery: tuple[Library, dict[str, str]], page: Any
) -> None:
    lib, environ = discovery
    before = set(lib.keys())
    with serve(lib, WED, environ=environ) as url:
        page.goto(url + "/")
        # Today paints first; the panel is swapped in by htmx afterwards
        page.wait_for_selector("#recommended .add-hit", timeout=90_000)  # training: seconds
        assert page.locator("#recommended .add-hit").count() == 5
        page.click("nav >> text=Catalog")
        page.fill("#q", "graphs molecules")
        page.press("#q", "Enter")
        page.wait_for_selector(".add-hit")
        label = page.locator(".add-hit").first.get_attribute("aria-label") or ""
        page.locator(".add-hit").first.click()
        page.wait_for_selector("#message")
        assert "Added" in page.locator("#message").inner_text()
        assert "q=graphs" in page.url  # back on the same search, the hit now in the library
        assert page.locator("text=In your library").count() >= 1
    (key,) = set(lib.keys()) - before
    added = lib.load_paper(key)
    assert label.endswith(added.title) and added.status == "wish"
    assert page.dialogs == [] and page.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_on_the_catalog_pages(
    discovery: tuple[Library, dict[str, str]], browser: Any, scheme: str
) -> None:
    lib, environ = discovery
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, color_scheme=scheme, bypass_csp=True
    )
    tab = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    problems: dict[str, list[dict[str, Any]]] = {}
    try:
        with serve(lib, WED, environ=environ) as url:
            for path in ["/", "/catalog", "/catalog?q=segmentation", "/catalog?q=year:abc"]:
                tab.goto(url + path)
                if path in ("/", "/catalog"):  # the panel, once loaded (training: seconds)
                    tab.wait_for_selector("#recommended .add-hit", timeout=90_000)
                found = axe_violations(tab)
                if found:
                    problems[path] = found
    finally:
        context.close()
    assert problems == {}
    assert dialogs == []
