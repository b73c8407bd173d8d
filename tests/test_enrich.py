"""``paperlog enrich``: fill what is missing, keep what the user typed, report disagreements.

Same real parts as test_add: the sources talk to a local replay server over a socket.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_cli
from paperlog.ids import Identifier
from paperlog.library import Library
from paperlog.model import Paper
from paperlog.resolve.enrich import apply_resolution, needs_enrich
from paperlog.resolve.merge import Merged
from paperlog.resolve.record import Record, Source
from paperlog.resolve.resolution import Resolution
from paperlog.resolve.sources import make_sources, open_client
from paperlog.services.enrich import EnrichReport, enrich_library
from replay import ReplayServer, Reply, fixture_api
from test_add import (
    SIMCLR_ARXIV,
    doi_routes,
    files_of,
    new_library,
    simclr_routes,
    source_env,
)

SIMCLR_TITLE = "A Simple Framework for Contrastive Learning of Visual Representations"


def imported_simclr(**changes: Any) -> Paper:
    """SimCLR as the README importer leaves it: title, link, a bare-year badge."""
    fields: dict[str, Any] = {
        "key": "simclr-2020",
        "title": SIMCLR_TITLE,
        "nickname": "SimCLR",
        "status": "read",
        "url": f"https://arxiv.org/abs/{SIMCLR_ARXIV}",
        "year": 2020,
        "venue_label": "2020",
        "notes": "\n## Key ideas\n- a contrastive loss over augmented views\n",
    }
    fields.update(changes)
    return Paper(**fields)


def enrich(lib: Library, server: ReplayServer, **options: Any) -> EnrichReport:
    env = source_env(server)
    with open_client(lib, env) as client:
        return enrich_library(lib, make_sources(lib.config, env, client), **options)


def s2_simclr() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(fixture_api("s2", "arXiv_2002.05709.json").read_text("utf-8"))
    return data


def test_enrich_fills_missing_fields_from_the_link(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_paper(imported_simclr())
    result = run_cli("enrich", "--json", library=lib.root, env=source_env(server))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["summary"]["enriched"] == 1 and out["summary"]["failed"] == 0
    paper = lib.load_paper("simclr-2020")
    s2 = s2_simclr()
    assert [a.split()[-1] for a in paper.authors] == [a["name"].split()[-1] for a in s2["authors"]]
    assert paper.abstract and "SimCLR" in paper.abstract
    assert paper.venue == "ICML"
    assert paper.venue_label == "ICML 2020"  # the bare-year badge now shows the venue
    assert paper.ids["arxiv"] == SIMCLR_ARXIV and paper.ids["s2"] == s2["paperId"]
    assert paper.citekey == "chen2020simple"
    # What the user wrote stays: nickname, notes, status.
    assert paper.nickname == "SimCLR"
    assert paper.notes == imported_simclr().notes
    assert paper.status == "read"
    filled = out["enriched"][0]["filled"]
    assert filled["abstract"] == "arxiv" and filled["citekey"] == "paperlog"


def test_enrich_keeps_typed_values(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    typed = ["T. Chen", "S. Kornblith"]
    lib.save_paper(imported_simclr(authors=typed, abstract="My own summary.", citekey="simclr"))
    report = enrich(lib, server)
    paper = lib.load_paper("simclr-2020")
    assert paper.authors == typed
    assert paper.abstract == "My own summary."
    assert paper.citekey == "simclr"
    assert report.enriched[0].overwritten == []
    assert "authors" not in report.enriched[0].filled


def test_enrich_reports_conflicts_instead_of_picking(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_paper(imported_simclr(venue="MICCAI", venue_label="MICCAI 2019", year=2019))
    result = run_cli("enrich", "--json", library=lib.root, env=source_env(server))
    assert result.returncode == 0, result.stderr
    conflicts = {c["field"]: c for c in json.loads(result.stdout)["conflicts"]}
    assert conflicts["year"]["ours"] == "2019" and conflicts["year"]["theirs"] == "2020"
    assert conflicts["venue"]["ours"] == "MICCAI 2019" and conflicts["venue"]["theirs"] == "ICML"
    assert conflicts["year"]["source"] in {"s2", "dblp"}
    paper = lib.load_paper("simclr-2020")
    assert (paper.year, paper.venue, paper.venue_label) == (2019, "MICCAI", "MICCAI 2019")
    assert paper.authors  # missing fields were still filled


def test_conflicts_print_as_a_table_and_a_summary(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_paper(imported_simclr(venue="MICCAI", venue_label="MICCAI 2019", year=2019))
    result = run_cli("enrich", library=lib.root, env=source_env(server))
    assert result.returncode == 0, result.stderr
    assert "simclr-2020\tyear\t2019\t2020" in result.stdout
    assert "enriched 1, unchanged 0, conflicts 2, failed 0" in result.stdout


def test_overwrite_replaces_typed_values(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_paper(
        imported_simclr(venue="MICCAI", venue_label="MICCAI 2019", year=2019, authors=["T. Chen"])
    )
    result = run_cli(
        "enrich", "simclr", "--overwrite", "--json", library=lib.root, env=source_env(server)
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["conflicts"] == []
    assert set(out["enriched"][0]["overwritten"]) == {"year", "venue", "authors"}
    paper = lib.load_paper("simclr-2020")
    assert (paper.year, paper.venue, paper.venue_label) == (2020, "ICML", "ICML 2020")
    assert len(paper.authors) == len(s2_simclr()["authors"])


def test_a_badge_keeps_its_qualifier_and_unknown_venue(
    tmp_path: Path, server: ReplayServer
) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_paper(imported_simclr(key="oral", venue="MICCAI", venue_label="MICCAI 2019 Oral"))
    lib.save_paper(imported_simclr(key="bhi", venue_label="BHI Journal", year=None))
    enrich(lib, server, keys=["oral"], overwrite=True)
    assert lib.load_paper("oral").venue_label == "ICML 2020 Oral"
    report = enrich(lib, server, keys=["bhi"])
    bhi = lib.load_paper("bhi")
    # The year was missing and is filled; the venue the user wrote stays, and is a conflict.
    assert (bhi.year, bhi.venue_label) == (2020, "BHI Journal 2020")
    assert [c.field for c in report.conflicts] == ["venue"]


def test_dry_run_writes_nothing(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_paper(imported_simclr())
    before = files_of(lib)
    result = run_cli("enrich", "--dry-run", library=lib.root, env=source_env(server))
    assert result.returncode == 0, result.stderr
    assert "would enrich simclr-2020" in result.stdout
    assert files_of(lib) == before


def test_offline_enrich_answers_from_the_cache(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_paper(imported_simclr())
    first = run_cli("enrich", library=lib.root, env=source_env(server))
    assert first.returncode == 0, first.stderr
    online = lib.paper_path("simclr-2020").read_text("utf-8")
    lib.save_paper(imported_simclr())
    asked = len(server.requests)
    again = run_cli("enrich", "--offline", library=lib.root, env=source_env(server))
    assert again.returncode == 0, again.stderr
    assert len(server.requests) == asked
    assert lib.paper_path("simclr-2020").read_text("utf-8") == online


def test_offline_enrich_without_a_cache_fails_cleanly(tmp_path: Path, server: ReplayServer) -> None:
    lib = new_library(tmp_path / "lib")
    lib.save_paper(imported_simclr())
    before = files_of(lib)
    result = run_cli("enrich", "--offline", library=lib.root, env=source_env(server))
    assert result.returncode == 6
    assert "offline and not cached" in result.stderr
    assert files_of(lib) == before
    assert not server.requests


def test_enrich_by_doi_link_from_a_recorded_crossref_work(
    tmp_path: Path, server: ReplayServer
) -> None:
    work = doi_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_paper(
        Paper(key="dl-learner", title=work["title"][0], url=f"https://doi.org/{work['DOI']}")
    )
    report = enrich(lib, server)
    assert [e.key for e in report.enriched] == ["dl-learner"]
    paper = lib.load_paper("dl-learner")
    assert len(paper.authors) == len(work["author"])
    assert paper.ids["doi"] == work["DOI"].lower()
    assert report.enriched[0].filled["authors"] == "crossref"


def test_enrich_by_title_when_there_is_no_id(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_paper(Paper(key="simclr", title=SIMCLR_TITLE))
    report = enrich(lib, server)
    assert report.failed == []
    paper = lib.load_paper("simclr")
    assert paper.ids["arxiv"] == SIMCLR_ARXIV
    assert paper.url == f"https://arxiv.org/abs/{SIMCLR_ARXIV}"


def test_a_title_split_into_nickname_and_title_is_still_matched(
    tmp_path: Path, server: ReplayServer
) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    # As an importer splits "Nickname: Title": the title alone scores about 80 against the
    # real one, "Nickname: Title" about 97.
    split = Paper(
        key="simclr",
        title="Contrastive Learning of Visual Representations",
        nickname="A Simple Framework",
    )
    lib.save_paper(split)
    report = enrich(lib, server)
    assert report.failed == [], report.failed
    assert lib.load_paper("simclr").ids["arxiv"] == SIMCLR_ARXIV


def test_an_id_that_names_another_paper_is_not_trusted(
    tmp_path: Path, server: ReplayServer
) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    wrong = Paper(key="gan", title="Generative Adversarial Nets", ids={"arxiv": SIMCLR_ARXIV})
    lib.save_paper(wrong)
    report = enrich(lib, server)
    assert [f.key for f in report.failed] == ["gan"]
    assert "does not look like" in report.failed[0].reason
    assert lib.load_paper("gan") == wrong


def test_failures_are_listed_and_the_rest_is_enriched(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    server.add("/s2/paper/search", Reply.json({"total": 0, "offset": 0}))
    server.add("/dblp/search/publ/api", Reply.file(fixture_api("dblp", "search_empty.json")))
    server.add("/arxiv", Reply(status=404), query={"search_query": lambda v: "Unheard" in v})
    lib = new_library(tmp_path / "lib")
    lib.save_paper(imported_simclr())
    lib.save_paper(Paper(key="unknown", title="An Unheard Of Study Of Nothing"))
    result = run_cli("enrich", "--json", library=lib.root, env=source_env(server))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert [e["key"] for e in out["enriched"]] == ["simclr-2020"]
    [failure] = out["failed"]
    assert failure["key"] == "unknown" and failure["reason"]


def test_all_sources_down_fails_and_writes_nothing(tmp_path: Path, server: ReplayServer) -> None:
    for name in ("arxiv", "crossref", "s2", "dblp", "openreview"):
        server.add(f"/{name}", Reply(status=500))
    server.add(f"/s2/paper/arXiv:{SIMCLR_ARXIV}", Reply(status=500))
    server.add("/dblp/rec/journals/corr/abs-2002-05709.xml", Reply(status=500))
    lib = new_library(tmp_path / "lib")
    lib.save_paper(imported_simclr())
    before = files_of(lib)
    result = run_cli("enrich", library=lib.root, env=source_env(server))
    assert result.returncode == 6, result.stdout
    assert "simclr-2020" in result.stderr and "HTTP 500" in result.stderr
    assert files_of(lib) == before


def test_complete_papers_and_non_papers_are_skipped(tmp_path: Path, server: ReplayServer) -> None:
    lib = new_library(tmp_path / "lib")
    talk = Paper(key="talk", title="CVPR'18 Interpretability Workshop", kind="talk")
    done = Paper(
        key="done",
        title="Done",
        authors=["A. B"],
        abstract="x",
        year=2020,
        citekey="b2020done",
        ids={"arxiv": "2001.00001"},
    )
    lib.save_paper(talk)
    lib.save_paper(done)
    assert not needs_enrich(talk) and not needs_enrich(done)
    report = enrich(lib, server)
    assert report.skipped == 2 and not report.enriched and not report.failed
    assert not server.requests


def test_an_interrupted_run_leaves_every_file_as_it_was(
    tmp_path: Path, server: ReplayServer
) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_paper(imported_simclr())
    lib.save_paper(imported_simclr(key="simclr-copy"))
    before = files_of(lib)

    def interrupt(done: int, total: int, key: str) -> None:
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        enrich(lib, server, progress=interrupt)
    assert files_of(lib) == before


class _EditsTheFile:
    """A Source that, while being asked, stands for a user saving the paper in an editor."""

    name = "editor"

    def __init__(self, lib: Library) -> None:
        self.lib = lib

    def lookup(self, ident: Identifier) -> Record | None:
        path = self.lib.paper_path("simclr-2020")
        path.write_text(path.read_text("utf-8") + "\nEdited meanwhile.\n", encoding="utf-8")
        return None

    def search(self, title: str, limit: int = 5) -> list[Record]:
        return []


def test_a_file_edited_during_the_run_is_not_overwritten(
    tmp_path: Path, server: ReplayServer
) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_paper(imported_simclr())
    env = source_env(server)
    with open_client(lib, env) as client:
        sources: list[Source] = [*make_sources(lib.config, env, client), _EditsTheFile(lib)]
        report = enrich_library(lib, sources)
    assert [f.key for f in report.failed] == ["simclr-2020"]
    assert "changed while enriching" in report.failed[0].reason
    paper = lib.load_paper("simclr-2020")
    assert paper.notes.endswith("Edited meanwhile.\n")
    assert not paper.authors


def test_progress_is_reported_per_paper(tmp_path: Path, server: ReplayServer) -> None:
    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_paper(imported_simclr())
    lib.save_paper(imported_simclr(key="simclr-copy", citekey="other"))
    seen: list[tuple[int, int]] = []
    enrich(lib, server, progress=lambda done, total, key: seen.append((done, total)))
    assert seen == [(0, 2), (1, 2), (2, 2)]


def test_the_seed_entries_offline_fail_cleanly_and_write_nothing(
    tmp_path: Path, seed_path: Path, server: ReplayServer
) -> None:
    """Every real link shape of the seed README (arXiv, Springer, CVF, NIPS, Google Docs,
    YouTube, Distill) goes through the id and title lookups without a crash; offline with an
    empty cache each paper fails with a reason and no file changes."""
    import re

    entries = re.findall(r"^\* \[([^\]]+)\]\(([^)]*)\)", seed_path.read_text("utf-8"), re.M)
    lib = new_library(tmp_path / "lib")
    papers = [
        Paper(key=f"e{i:03d}", title=title, url=url or None)
        for i, (title, url) in enumerate(entries)
        if title.strip()
    ]
    lib.save_papers(papers)
    before = files_of(lib)
    env = {**source_env(server), "PAPERLOG_OFFLINE": "1"}
    with open_client(lib, env) as client:
        report = enrich_library(lib, make_sources(lib.config, env, client))
    assert len(report.failed) == len(papers)
    assert all(f.network and "offline" in f.reason for f in report.failed)
    assert files_of(lib) == before
    assert not server.requests


def test_a_progress_bar_runs_on_a_terminal(tmp_path: Path, server: ReplayServer) -> None:
    """stderr on a pseudo-terminal and 5 papers: rich draws its bar there; stdout stays plain."""
    import os
    import pty
    import subprocess
    import sys
    import threading

    simclr_routes(server)
    lib = new_library(tmp_path / "lib")
    lib.save_papers([imported_simclr(key=f"simclr-{i}") for i in range(5)])
    leader, follower = pty.openpty()
    drawn: list[bytes] = []

    def drain() -> None:
        # Read while the child writes: a full pty buffer would block it.
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed its end
                return
            if not chunk:
                return
            drawn.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLOG_")}
    env.update({**source_env(server), "TERM": "xterm", "COLUMNS": "100"})
    proc = subprocess.run(
        [sys.executable, "-m", "paperlog", "--library", str(lib.root), "enrich"],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
        timeout=120,
        check=False,
    )
    os.close(follower)
    reader.join(timeout=10)
    os.close(leader)
    screen = b"".join(drawn)
    assert proc.returncode == 0
    assert b"enriching" in screen or b"simclr-" in screen  # the bar and what it is doing
    assert b"\x1b[" in screen  # drawn with terminal control sequences
    assert b"enriched 5" in proc.stdout
    assert b"\x1b[" not in proc.stdout


# --- the rule, as a property ------------------------------------------------------------------

_names = st.lists(st.sampled_from(["Ting Chen", "K. He", "Ross Girshick"]), max_size=3)
_venues = st.none() | st.sampled_from(["ICML", "CVPR", "MICCAI"])
_years = st.none() | st.integers(2015, 2021)
_ids = st.dictionaries(
    st.sampled_from(["arxiv", "doi", "s2"]), st.sampled_from(["1", "2", "10.1/x"]), max_size=3
)
_labels = st.none() | st.sampled_from(["2020", "MICCAI 2019", "CVPR 2018 Oral", "BHI Journal"])


@st.composite
def _papers(draw: st.DrawFn) -> Paper:
    return Paper(
        key="p",
        title="A Simple Framework",
        nickname=draw(st.none() | st.just("SimCLR")),
        authors=draw(_names),
        year=draw(_years),
        venue=draw(_venues),
        venue_label=draw(_labels),
        ids=draw(_ids),
        url=draw(st.none() | st.just("https://example.org/paper")),
        abstract=draw(st.none() | st.just("typed")),
        citekey=draw(st.none() | st.just("mine2020")),
        notes="\n## Key ideas\n- one\n",
    )


@st.composite
def _merged(draw: st.DrawFn) -> Merged:
    venue = draw(_venues)
    return Merged(
        title="A Simple Framework",
        authors=draw(_names),
        year=draw(_years),
        venue=venue,
        published=venue is not None and draw(st.booleans()),
        abstract=draw(st.none() | st.just("from a source")),
        ids=draw(_ids),
        url=draw(st.none() | st.just("https://arxiv.org/abs/1")),
        provenance={"authors": "s2", "year": "dblp", "venue": "dblp", "ids": "arxiv"},
    )


@settings(max_examples=150, deadline=None)
@given(_papers(), _merged())
def test_without_overwrite_no_typed_value_changes(paper: Paper, merged: Merged) -> None:
    from copy import deepcopy

    from paperlog.venues import parse_badge

    before = deepcopy(paper)
    apply_resolution(paper, Resolution(merged, [], []), overwrite=False)
    for name in ("authors", "abstract", "year", "venue", "url", "citekey"):
        if getattr(before, name):
            assert getattr(paper, name) == getattr(before, name), name
    for kind, value in before.ids.items():
        assert paper.ids[kind] == value
    for name in ("title", "nickname", "notes", "status", "readings", "topics"):
        assert getattr(paper, name) == getattr(before, name)
    if before.venue_label and paper.venue_label != before.venue_label:
        # A badge is only ever extended with what was missing, never loses the venue typed.
        badge = parse_badge(before.venue_label)
        assert paper.venue_label is not None
        assert not badge.venue or paper.venue_label.startswith(badge.venue)
    if not before.authors and merged.authors:
        assert paper.authors == merged.authors
    if before.year is None and merged.year is not None:
        assert paper.year == merged.year
