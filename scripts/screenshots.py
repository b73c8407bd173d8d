"""``make screenshots``: every page of the web app over a library, as PNGs, desktop and phone.

Usage: python scripts/screenshots.py LIBRARY OUT_DIR [YYYY-MM-DD]

Serves LIBRARY on 127.0.0.1 with the plan's clock fixed on the day given (default 2020-10-24,
a Saturday in the seed's last logged week), drives Debian's Chromium with Playwright, and saves
OUT_DIR/<page>-desktop.png (1280x800) and OUT_DIR/<page>-phone.png (390x844). With
$PAPERLOG_CATALOG naming a catalog, Today shows its Recommended panel (waited for) and the
catalog page a search.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from playwright.sync_api import sync_playwright  # noqa: E402

from paperlog.web.common import Settings  # noqa: E402
from web_server import running_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
PAGES = {
    "today": "/",
    "week": "/week",
    "library": "/papers",
    "library-search": "/papers?q=contrastive",
    "paper": "/papers/simclr-2020",
    "queue": "/queue",
    "add": "/add",
    "catalog": "/catalog?q=contrastive",
    "review": "/review",
    "stats": "/stats",
    "topics": "/topics",
    "resources": "/resources",
}
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


def main(argv: list[str]) -> int:
    """Write the screenshots; print where they went."""
    if len(argv) < 2:
        sys.stderr.write(__doc__ or "")
        return 2
    root, out = Path(argv[0]).resolve(), Path(argv[1])
    day = date.fromisoformat(argv[2]) if len(argv) > 2 else date(2020, 10, 24)
    noon = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)
    out.mkdir(parents=True, exist_ok=True)
    catalog = os.environ.get("PAPERLOG_CATALOG", "")
    environ = {"PAPERLOG_CATALOG": catalog} if catalog else {}
    settings = Settings(root=root, now=lambda: noon, environ=environ)
    with running_server(settings) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for size, (width, height) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            for name, path in PAGES.items():
                if name == "catalog" and not catalog:
                    continue
                page.goto(url + path)
                if page.locator("#recommended[aria-busy]").count():
                    # the panel htmx loads after the first paint: trained once, then cached
                    page.wait_for_selector("#recommended:not([aria-busy])", timeout=120_000)
                page.screenshot(path=str(out / f"{name}-{size}.png"))
            context.close()
        browser.close()
    shown = len(PAGES) - (0 if catalog else 1)
    sys.stdout.write(f"wrote {shown * len(SIZES)} screenshots into {out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
