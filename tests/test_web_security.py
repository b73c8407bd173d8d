"""``paperlog serve`` security, in process: hosts, tokens, CSRF, CSP, traversal, hostile text."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from paperlog.edit import check_key
from paperlog.errors import NotFound, ValidationError
from paperlog.library import Library
from paperlog.web.render import render_notes, safe_url
from paperlog.web.serve import check_binding, is_loopback, server_url
from web_helpers import BASE_URL, client_for, csrf_of, make_library

PAGES = [
    "/",
    "/week/1",
    "/papers",
    "/papers?q=hostile",
    "/papers/hostile-2021",
    "/queue",
    "/add",
    "/review",
    "/stats",
    "/topics",
    "/resources",
]


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return make_library(tmp_path / "lib")


class Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize("url", PAGES)
def test_hostile_strings_never_become_markup(lib: Library, url: str) -> None:
    client = client_for(lib)
    response = client.get(url)
    assert response.status_code == 200, response.text
    for tag, attrs in tags_of(response.text):
        assert tag not in ("iframe", "object", "embed"), url
        if tag == "script":
            assert (attrs.get("src") or "").split("?v=")[0] in (
                "/static/htmx.min.js",
                "/static/app.js",
            ), attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), (url, tag, attrs)
            if name in ("href", "src", "action"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:")), (
                    url,
                    tag,
                    attrs,
                )
    assert "<script>alert" not in response.text


def test_hostile_text_is_shown_as_text(lib: Library) -> None:
    page = client_for(lib).get("/papers/hostile-2021").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page  # the title, escaped
    assert "javascript:alert(document.cookie)" in page  # shown, not linked
    assert 'href="https://example.org/ok"' in page


def test_notes_are_sanitised() -> None:
    html = str(render_notes("hi <script>x()</script> [a](javascript:alert(1)) ![i](x.png)"))
    assert "<script" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    assert all(name in ("p", "img") for name, _ in tags_of(html))
    assert str(render_notes("[ok](https://example.org)")).count('href="https://example.org"') == 1


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://arxiv.org/abs/1", True),
        ("mailto:a@b.c", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<b>", False),
        ("vbscript:x", False),
        ("", False),
    ],
)
def test_safe_url(url: str, safe: bool) -> None:
    assert (safe_url(url) is not None) is safe


def test_security_headers_on_every_response(lib: Library) -> None:
    client = client_for(lib)
    for url in ["/", "/static/app.css", "/papers/nope"]:
        headers = client.get(url).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"


def test_foreign_host_header_is_refused(lib: Library) -> None:
    client = client_for(lib)
    assert client.get("/", headers={"host": "evil.example:8421"}).status_code == 400
    assert client.get("/", headers={"host": "localhost:8421"}).status_code == 200
    assert client.get("/", headers={"host": "[::1]:8421"}).status_code == 200


def test_post_without_csrf_token_is_refused_and_writes_nothing(lib: Library) -> None:
    client = client_for(lib)
    before = lib.paper_path("moco-2020").read_bytes()
    for url in ["/queue/top", "/done", "/skip", "/start"]:
        response = client.post(url, data={"key": "moco-2020"})
        assert response.status_code == 403, url
        response = client.post(url, data={"key": "moco-2020", "csrf": "0" * 64})
        assert response.status_code == 403, url
    assert lib.paper_path("moco-2020").read_bytes() == before


def test_post_from_another_origin_is_refused(lib: Library) -> None:
    client = client_for(lib)
    token = csrf_of(client)
    response = client.post(
        "/queue/top",
        data={"key": "moco-2020", "csrf": token},
        headers={"origin": "http://evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    ok = client.post(
        "/queue/top",
        data={"key": "moco-2020", "csrf": token},
        headers={"origin": BASE_URL},
        follow_redirects=False,
    )
    assert ok.status_code == 303


@pytest.mark.parametrize(
    "url",
    [
        "/papers/..%2F..%2Fpaperlog.toml",
        "/papers/../../etc/passwd",
        "/papers/%2e%2e",
        "/papers/.hidden",
        "/papers/a%2Fb",
        "/charts/../../paperlog/x.svg",
        "/static/../app.py",
    ],
)
def test_no_path_traversal(lib: Library, url: str) -> None:
    response = client_for(lib).get(url)
    assert response.status_code == 404
    assert "title = " not in response.text and "root:" not in response.text


def test_keys_are_checked_before_any_path_is_built() -> None:
    assert check_key("simclr-2020") == "simclr-2020"
    for bad in ["../x", "a/b", ".x", "..", "", "a\x00b", "x" * 300]:
        with pytest.raises(NotFound):
            check_key(bad)


def test_token_is_required_when_set(lib: Library) -> None:
    token = "s3cret-token-123"
    client = client_for(lib, token=token, host="0.0.0.0")
    assert client.get("/").status_code == 401
    # ?token= once: a cookie is set and the address loses the token
    first = client.get(f"/papers?q=x&token={token}", follow_redirects=False)
    assert first.status_code == 303 and "token" not in first.headers["location"]
    assert "httponly" in first.headers["set-cookie"].lower()
    assert client.get("/").status_code == 200  # the cookie now
    other = client_for(lib, token=token, host="0.0.0.0")
    assert other.get("/", headers={"authorization": f"Bearer {token}"}).status_code == 200
    assert other.get("/?token=wrong-token-xxxx").status_code == 401
    # on every interface the machine is reached by its own address: the token guards it
    remote = {"host": "192.168.1.20:8421", "authorization": f"Bearer {token}"}
    assert other.get("/", headers=remote).status_code == 200
    assert other.get("/", headers={"host": "192.168.1.20:8421"}).status_code == 401
    # bound to one named interface, only that name is accepted
    named = client_for(lib, token=token, host="192.168.1.20")
    assert named.get("/", headers=remote).status_code == 200
    assert named.get("/", headers={**remote, "host": "evil.example"}).status_code == 400


def test_binding_beyond_loopback_needs_a_token() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    check_binding("127.0.0.1", None)
    with pytest.raises(ValidationError, match="--token"):
        check_binding("0.0.0.0", None)
    with pytest.raises(ValidationError, match="12 characters"):
        check_binding("0.0.0.0", "short")
    check_binding("0.0.0.0", "long-enough-token")
    assert server_url("::1", 8421) == "http://[::1]:8421/"
    assert server_url("127.0.0.1", 8421, "tok") == "http://127.0.0.1:8421/?token=tok"
