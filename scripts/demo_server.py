"""The metadata sources for ``make demo``: a replay server on 127.0.0.1, nothing from the internet.

It is the tests' server (``tests/replay.py``) with the answers the demo's ``paperlog add`` needs
(ViT on OpenReview, from ``tests/fixtures/api``); every other request gets a 404, as a source
that does not know a paper answers. It prints one ``export PAPERLOG_..._URL=...`` line per
source on stdout and serves until it is killed (the demo script does that on exit), ten minutes
at most.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from replay import ReplayServer, Reply, fixture_api  # noqa: E402

SOURCES = ("arxiv", "crossref", "s2", "dblp", "openreview")


def main() -> None:
    """Print the environment that points paperlog here; serve until killed (10 min at most)."""
    with ReplayServer() as server:
        server.add(
            "/openreview/notes",
            Reply.file(fixture_api("openreview", "YicbFdNTTy.json")),
            query={"id": "YicbFdNTTy"},
        )
        for name in SOURCES:
            sys.stdout.write(f"export PAPERLOG_{name.upper()}_URL={server.url('/' + name)}\n")
        sys.stdout.write(f"export PAPERLOG_OPENREVIEW_V1_URL={server.url('/openreview-v1')}\n")
        sys.stdout.flush()
        time.sleep(600)


if __name__ == "__main__":
    main()
