"""``paperlog serve`` pages and actions, in process (Starlette's TestClient), on a real library.

Every action is checked on the files afterwards: the web writes through the same library and
plan functions as the CLI.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from paperlog.library import Library
from paperlog.paperfile import paper_from_text
from web_helpers import SUN, WED, client_for, csrf_of, make_library


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return make_library(tmp_path / "lib")


def text_of(html: str) -> str:
    """The visible text of a page, whitespace collapsed."""
    import html as html_lib

    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_today_shows_the_pick_and_done_updates_the_week(lib: Library) -> None:
    client = client_for(lib)
    page = text_of(client.get("/").text)
    assert "Read today" in page and "Hostile" in page  # depth track, queue #1
    assert "Why:" in page
    assert "0 of 6 read" in page
    token = csrf_of(client)
    response = client.post(
        "/done", data={"csrf": token, "key": "moco-2020", "date": WED.isoformat()}
    )
    assert response.status_code == 200
    page = text_of(response.text)
    assert "1 of 6 read" in page and "MoCo" in page
    paper = lib.load_paper("moco-2020")
    assert paper.status == "read" and paper.readings[-1].date == WED and paper.rank is None
    # done writes one file: the items behind keep their ranks (a gap orders the same)
    assert lib.load_paper("resnet-2016").rank == 3


def test_start_and_skip(lib: Library) -> None:
    client = client_for(lib)
    token = csrf_of(client)
    client.post("/start", data={"csrf": token, "key": "byol-2020"})
    assert lib.load_paper("byol-2020").status == "reading"
    page = client.post("/skip", data={"csrf": token, "key": "byol-2020", "date": "2024-05-08"})
    assert page.status_code == 200
    assert date(2024, 5, 8) in lib.load_paper("byol-2020").extra["skipped"]


def test_a_bad_action_is_a_clear_error_and_changes_nothing(lib: Library) -> None:
    client = client_for(lib)
    token = csrf_of(client)
    before = lib.paper_path("simclr-2020").read_bytes()
    response = client.post("/done", data={"csrf": token, "key": "nope-1999"})
    assert response.status_code == 404 and "nope-1999" in response.text
    response = client.post("/done", data={"csrf": token, "key": "simclr", "date": "2030-01-01"})
    assert response.status_code == 400 and "after today" in response.text
    assert lib.paper_path("simclr-2020").read_bytes() == before


def test_review_day_shows_the_review(lib: Library) -> None:
    page = text_of(client_for(lib, SUN).get("/").text)
    assert "Review day" in page and "1 card due" in page


def test_week_pages(lib: Library) -> None:
    client = client_for(lib)
    assert client.get("/week", follow_redirects=False).headers["location"] == "/week/2"
    page = text_of(client.get("/week/1").text)
    assert "Week 1" in page and "SimCLR" in page and "U-Net" in page and "Self-supervised" in page
    assert "short week <script>" in page  # the annotation, as text
    assert 'href="/week/2"' in client.get("/week/1").text
    assert client.get("/week/2").status_code == 200  # the current week, nothing read yet
    assert client.get("/week/9").status_code == 404
    # the current week before anything is logged in it: its number, never "None"
    current = client.get("/week/2").text
    assert "<h1>Week 2 " in current and "None" not in text_of(current)
    assert 'href="/week/None"' not in current and "None" not in text_of(client.get("/").text)


def test_a_day_in_no_reading_week_names_the_next_one(lib: Library) -> None:
    """Months after the last logged week (a researcher back from a break): Today and /week
    say no reading week holds the day and link the week a reading would open."""
    client = client_for(lib, date(2026, 11, 30))
    home = client.get("/").text
    assert 'href="/week/None"' not in home and "None" not in text_of(home)
    assert "No reading week holds 2026.11.30 yet" in text_of(home)
    link = re.search(r'the next one would be <a href="(/week/\d+)">', home)
    assert link is not None
    week = client.get(link.group(1))
    assert week.status_code == 200 and "None" not in text_of(week.text)
    assert client.get("/week", follow_redirects=False).headers["location"] == link.group(1)


def test_library_search_facets_sort_and_paging(lib: Library) -> None:
    client = client_for(lib)
    html = client.get("/papers").text
    assert "6 items" in text_of(html)
    # facets with counts from the index
    assert re.search(r'data-facet="venue"[^>]*>CVPR</a> <span class="n">2</span>', html)
    assert re.search(r'data-facet="topic"[^>]*>Uns', html)
    # a facet link narrows the query with the same syntax as the CLI
    link = re.search(r'href="(/papers\?q=year%3A2020[^"]*)"', html)
    assert link is not None
    narrowed = text_of(client.get(link.group(1).replace("&amp;", "&")).text)
    assert "3 items" in narrowed
    assert "5 items" not in text_of(client.get("/papers?q=contrastive").text)
    assert "2 items" in text_of(client.get("/papers?q=contrastive").text)
    assert "1 item " in text_of(client.get("/papers?q=venue:CVPR+year:2016").text)
    by_year = client.get("/papers?sort=year").text
    assert by_year.index("BYOL") < by_year.index("ResNet") < by_year.index("U-Net")
    assert "bad query" in client.get("/papers?q=year:abc").text


def test_live_search_returns_only_the_results(lib: Library) -> None:
    client = client_for(lib)
    partial = client.get("/papers?q=moco", headers={"HX-Request": "true"}).text
    assert partial.startswith('<div id="results"') and "<html" not in partial
    assert "MoCo" in partial
    restore = client.get(
        "/papers?q=moco",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.text


def test_paging(tmp_path: Path) -> None:
    from paperlog.model import Paper

    lib = Library.create(tmp_path / "big")
    lib.save_papers([Paper(f"p-{i:03d}", f"Paper {i}", rank=i) for i in range(1, 61)])
    client = client_for(lib)
    first = client.get("/papers").text
    assert "Page 1 of 3" in first and "Paper 25<" in first and "Paper 26<" not in first
    third = client.get("/papers?page=3").text
    assert "Paper 60<" in third and 'start="51"' in third


def edit_form(client: TestClient, key: str) -> dict[str, str]:
    """The hidden fields of a paper's edit form: the CSRF token and the file's hash."""
    html = client.get(f"/papers/{key}").text
    return dict(re.findall(r'name="(csrf|hash)" value="([^"]*)"', html))


def test_edit_notes_topics_track_status(lib: Library) -> None:
    client = client_for(lib)
    form = edit_form(client, "moco-2020")
    response = client.post(
        "/papers/moco-2020",
        data={
            **form,
            "notes": "## Key ideas\r\n\r\n- a momentum encoder\r\n",
            "topics": ["Uns", "Seg"],
            "track": "breadth",
            "status": "reading",
        },
    )
    assert response.status_code == 200 and "Saved." in response.text
    paper = lib.load_paper("moco-2020")
    assert paper.notes == "## Key ideas\n\n- a momentum encoder\n"
    assert paper.topics == ["Uns", "Seg"] and paper.track == "breadth"
    assert paper.status == "reading" and paper.rank == 2
    assert "<h2>Key ideas</h2>" in response.text


def test_a_file_changed_meanwhile_is_refused_with_a_diff(lib: Library) -> None:
    client = client_for(lib)
    form = edit_form(client, "moco-2020")
    path = lib.paper_path("moco-2020")
    outside = path.read_text("utf-8") + "\nEdited in vim meanwhile.\n"
    path.write_text(outside, "utf-8")
    response = client.post(
        "/papers/moco-2020", data={**form, "notes": "my browser edit", "status": "wish"}
    )
    assert response.status_code == 409
    assert "changed on disk" in response.text
    assert "Edited in vim meanwhile." in text_of(response.text)  # in the diff
    assert "my browser edit</textarea>" in response.text  # the user's text is kept
    assert path.read_text("utf-8") == outside  # nothing overwritten
    # the refusal carries the new hash: saving again is a deliberate overwrite
    new_hash = re.search(r'name="hash" value="([^"]*)"', response.text)
    assert new_hash is not None
    again = client.post(
        "/papers/moco-2020",
        data={"csrf": form["csrf"], "hash": new_hash.group(1), "notes": "my browser edit"},
    )
    assert again.status_code == 200
    assert paper_from_text("moco-2020", path.read_text("utf-8"), path).notes == "my browser edit"


def test_bad_edits_are_refused(lib: Library) -> None:
    client = client_for(lib)
    form = edit_form(client, "moco-2020")
    before = lib.paper_path("moco-2020").read_bytes()
    for data in ({"topics": ["Nope"]}, {"track": "sideways"}, {"status": "lost"}):
        response = client.post("/papers/moco-2020", data={**form, "notes": "x", **data})
        assert response.status_code == 400, data
        assert 'role="alert"' in response.text
    assert lib.paper_path("moco-2020").read_bytes() == before


def test_notes_preview(lib: Library) -> None:
    client = client_for(lib)
    token = csrf_of(client)
    response = client.post("/preview", data={"csrf": token, "notes": "**bold** <b>raw</b>"})
    assert "<strong>bold</strong>" in response.text and "&lt;b&gt;raw" in response.text


def test_queue_actions(lib: Library) -> None:
    client = client_for(lib)
    token = csrf_of(client, "/queue")

    def order() -> list[str]:
        return re.findall(r'<tr id="q-([^"]+)"', client.get("/queue").text)

    assert order() == ["hostile-2021", "moco-2020", "resnet-2016", "byol-2020"]
    client.post("/queue/top", data={"csrf": token, "key": "byol-2020"})
    assert order() == ["byol-2020", "hostile-2021", "moco-2020", "resnet-2016"]
    client.post("/queue/down", data={"csrf": token, "key": "byol-2020"})
    client.post("/queue/up", data={"csrf": token, "key": "resnet-2016"})
    assert order() == ["hostile-2021", "byol-2020", "resnet-2016", "moco-2020"]
    page = client.post("/queue/pin", data={"csrf": token, "key": "moco-2020", "day": "2024-05-10"})
    assert "Pinned moco-2020 to 2024-05-10" in page.text
    assert lib.load_paper("moco-2020").pinned == date(2024, 5, 10)
    client.post("/queue/unpin", data={"csrf": token, "key": "moco-2020"})
    assert lib.load_paper("moco-2020").pinned is None
    bad = client.post("/queue/pin", data={"csrf": token, "key": "moco-2020", "day": "2024-05-12"})
    assert bad.status_code == 400 and "not a reading day" in bad.text
    empty = client.post("/queue/pin", data={"csrf": token, "key": "moco-2020", "day": ""})
    assert empty.status_code == 400 and "choose the day" in empty.text
    client.post("/queue/remove", data={"csrf": token, "key": "hostile-2021"})
    assert not lib.exists("hostile-2021")
    assert order() == ["byol-2020", "resnet-2016", "moco-2020"]
    ranks = [lib.load_paper(k).rank or 0 for k in order()]
    assert ranks == sorted(ranks) and len(set(ranks)) == 3 and 0 not in ranks  # gapped ranks
    refused = client.post("/queue/remove", data={"csrf": token, "key": "simclr-2020"})
    assert refused.status_code == 400 and lib.exists("simclr-2020")


def test_review_one_card_at_a_time(lib: Library) -> None:
    client = client_for(lib, SUN)
    html = client.get("/review").text
    assert "SimCLR: what are its key ideas?" in html
    assert re.search(r'<div id="answer" hidden>.*two augmented views', html, re.S)
    token = csrf_of(client, "/review")
    done = client.post("/review", data={"csrf": token, "key": "simclr-2020", "rating": "good"})
    assert "Graded simclr-2020: good" in done.text and "Nothing to review" in done.text
    review = lib.load_paper("simclr-2020").review
    assert review["last_rating"] == "good" and review["reps"] == 1 and review["due"]


def test_stats_and_charts(lib: Library) -> None:
    client = client_for(lib)
    html = client.get("/stats").text
    assert "2</strong> papers read" in html
    charts = re.findall(r'<img src="(/charts/[0-9a-f]{16}/[a-z-]+\.svg)" alt="([^"]+)"', html)
    assert charts
    svg = client.get(charts[0][0])
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.lstrip().startswith("<?xml")
    assert client.get("/charts/0123456789abcdef/topics.svg").status_code == 404


def test_topics_and_resources(lib: Library) -> None:
    client = client_for(lib)
    topics = text_of(client.get("/topics").text)
    assert "[Uns] Unsupervised Techniques 3" in topics.replace("  ", " ")
    resources = client.get("/resources").text
    assert 'href="https://cs231n.stanford.edu"' in resources and "⭐" in resources


def test_outside_changes_show_on_the_next_request(lib: Library) -> None:
    client = client_for(lib)
    assert "Edited outside" not in client.get("/papers").text
    path = lib.paper_path("resnet-2016")
    path.write_text(path.read_text("utf-8").replace("Deep Residual", "Edited outside"), "utf-8")
    assert "Edited outside" in client.get("/papers").text
    assert "Edited outside" in client.get("/queue").text


def test_a_long_queue_is_paged(tmp_path: Path) -> None:
    from paperlog.model import Paper

    lib = Library.create(tmp_path / "long")
    lib.save_papers([Paper(f"w-{i:03d}", f"Wish {i}", rank=i) for i in range(1, 121)])
    client = client_for(lib)
    first = client.get("/queue").text
    assert "120 waiting" in first and "Page 1 of 3" in first
    assert 'id="q-w-050"' in first and 'id="q-w-051"' not in first
    last = client.get("/queue?page=3").text
    assert 'id="q-w-120"' in last and 'id="q-w-100"' not in last
    assert "Page 3 of 3" in client.get("/queue?page=99").text


def test_static_files_are_kept_by_the_browser_under_versioned_urls(lib: Library) -> None:
    """Pages link /static/NAME?v=HASH and the files come back immutable: a page load is one
    request, and a changed file is a new URL (so the cache is never stale)."""
    import hashlib

    from paperlog.web.render import STATIC

    client = client_for(lib)
    page = client.get("/").text
    links = re.findall(r'(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]{12})"', page)
    assert {path for path, _ in links} == {
        "/static/favicon.svg",
        "/static/app.css",
        "/static/htmx.min.js",
        "/static/app.js",
    }
    for path, version in links:
        data = (STATIC / path.removeprefix("/static/")).read_bytes()
        assert version == hashlib.sha256(data).hexdigest()[:12]
        served = client.get(f"{path}?v={version}")
        assert served.status_code == 200 and served.content == data
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "gzip" not in served.headers.get("content-encoding", "")  # loopback: no gzip


def test_facet_counts_match_a_count_of_every_matching_item(tmp_path: Path) -> None:
    """The SQL GROUP BY facets equal a plain count over the matching items, for a filter-only
    query and for a full-text one."""
    import random
    from collections import Counter

    from paperlog.browse import facets
    from paperlog.index import Index
    from paperlog.model import Config, Paper, Topic
    from paperlog.query import parse_query

    rng = random.Random(7)
    codes = ["Uns", "Seg", "Vid"]
    big = Library.create(tmp_path / "big", Config(topics=[Topic(c, c) for c in codes]))
    big.save_papers(
        [
            Paper(
                f"p{n}",
                f"{rng.choice(['Deep', 'Contrastive', 'Sparse'])} {rng.choice(['nets', 'views'])}",
                year=rng.choice([None, *range(2010, 2024)]),
                status=rng.choice(["read", "wish", "reading"]),
                topics=rng.sample(codes, rng.randint(0, 2)),
                venue=rng.choice(["", "CVPR", "ICML"]),
            )
            for n in range(300)
        ]
    )
    with Index.open(big) as index:
        for text in ["status:read year:2012..", "contrastive", "deep status:wish", ""]:
            found = facets(index, text)
            query = parse_query(text)
            matching = [p for p in index.all() if query.matches(p)]
            years = Counter(p.year for p in matching if p.year is not None)
            assert {int(v.value): v.count for v in found["year"]} == dict(
                sorted(years.items(), reverse=True)[:12]
            ), text
            statuses = Counter(p.status for p in matching)
            assert {v.value: v.count for v in found["status"]} == dict(statuses), text
            topics = Counter(t for p in matching for t in p.topics)
            assert {v.value: v.count for v in found["topic"]} == dict(topics.most_common(12)), text


def test_facet_links_never_repeat_a_filter_and_a_huge_query_is_an_error(lib: Library) -> None:
    """Following a facet link that is already applied leaves the query as it is (a crawler
    once grew 'kind:topic kind:topic ...' to a query SQLite refused with a 500); a query of
    too many terms is a message on the page, never a server error."""
    client = client_for(lib)
    page = client.get("/papers", params={"q": "kind:paper"}).text
    links = re.findall(r'class="facet" data-facet="kind" href="([^"]+)"', page)
    assert links and all("kind%3Apaper+kind%3Apaper" not in link for link in links)
    huge = client.get("/papers", params={"q": " ".join(f"year:{1900 + i}" for i in range(150))})
    assert huge.status_code == 200
    assert "a query of 150 terms" in text_of(huge.text)
