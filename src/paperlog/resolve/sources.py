"""Wiring: which base URL each source uses, the shared HTTP client, the list of sources.

Settings are read once here, at the boundary, and passed down: a base URL comes from the
environment (``PAPERLOG_ARXIV_URL`` ...), else ``paperlog.toml``'s ``[sources]`` table, else the
public API. Tests point every source at a local replay server this way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from paperlog import __version__
from paperlog.errors import BadFile
from paperlog.resolve.http import DEFAULT_CACHE_TTL, DEFAULT_DEADLINE, HttpClient

if TYPE_CHECKING:
    from paperlog.library import Library
    from paperlog.model import Config
    from paperlog.resolve.record import Source

DEFAULT_URLS: dict[str, str] = {
    "arxiv": "https://export.arxiv.org/api/query",
    "crossref": "https://api.crossref.org",
    "s2": "https://api.semanticscholar.org/graph/v1",
    "dblp": "https://dblp.org",
    "openreview": "https://api2.openreview.net",
}
ENV_VARS: dict[str, str] = {
    "arxiv": "PAPERLOG_ARXIV_URL",
    "crossref": "PAPERLOG_CROSSREF_URL",
    "s2": "PAPERLOG_S2_URL",
    "dblp": "PAPERLOG_DBLP_URL",
    "openreview": "PAPERLOG_OPENREVIEW_URL",
}
# OpenReview's API v1 still serves venues run on it (ICLR up to 2023); v2 is asked first.
OPENREVIEW_V1_URL = "https://api.openreview.net"
OPENREVIEW_V1_ENV = "PAPERLOG_OPENREVIEW_V1_URL"
CONTACT_ENV = "PAPERLOG_CONTACT"
OFFLINE_ENV = "PAPERLOG_OFFLINE"
S2_KEY_ENV = "PAPERLOG_S2_API_KEY"
CACHE_DIR_NAME = "http-cache"
CONFIG_FILE = "paperlog.toml"

# Seconds between two requests to a public API that asks for it (arXiv's terms of use: one
# request every three seconds). Not applied to a mirror or replay server set by env or config.
PUBLIC_PACE: dict[str, float] = {"arxiv": 3.0}

# The order sources are asked in when several could answer: the ones that know venues first.
SOURCE_ORDER = ("arxiv", "s2", "crossref", "dblp", "openreview")


def source_urls(config: Config, environ: Mapping[str, str]) -> dict[str, str]:
    """Base URL of each source: env var beats ``paperlog.toml`` ``[sources]`` beats the default."""
    urls: dict[str, str] = {}
    for name, default in DEFAULT_URLS.items():
        from_env = environ.get(ENV_VARS[name], "").strip()
        from_config = config.sources.get(name)
        if from_config is not None and not isinstance(from_config, str):
            raise BadFile(
                f"[sources] {name} must be a URL string, not {from_config!r}", CONFIG_FILE
            )
        config_url = (from_config or "").strip()
        if from_env:
            _check_url(from_env, f"${ENV_VARS[name]}", None)
        elif config_url:
            _check_url(config_url, f"[sources] {name}", CONFIG_FILE)
        url = from_env or config_url or default
        urls[name] = url.rstrip("/")
    return urls


def _check_url(url: str, where: str, path: str | None) -> None:
    """A base URL must be http(s) with a host: say so now, not after three retries."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadFile(
            f"{where} must be an http(s) URL such as https://host/path, not {url!r}", path
        )


def openreview_v1_url(config: Config, environ: Mapping[str, str]) -> str | None:
    """OpenReview API v1 base URL: env, then ``[sources] openreview_v1``, else the public one.

    When ``openreview`` (v2) points somewhere else (a mirror, a replay server) and v1 is not
    set, there is no v1 fallback: a test or an offline mirror never leaks to the internet.
    """
    from_env = environ.get(OPENREVIEW_V1_ENV, "").strip()
    from_config = config.sources.get("openreview_v1")
    if from_config is not None and not isinstance(from_config, str):
        raise BadFile(
            f"[sources] openreview_v1 must be a URL string, not {from_config!r}", CONFIG_FILE
        )
    url = from_env or (from_config or "").strip()
    if url:
        _check_url(url, f"${OPENREVIEW_V1_ENV}" if from_env else "[sources] openreview_v1", None)
        return url.rstrip("/")
    if source_urls(config, environ)["openreview"] == DEFAULT_URLS["openreview"]:
        return OPENREVIEW_V1_URL
    return None


def contact(config: Config, environ: Mapping[str, str]) -> str | None:
    """The contact address sent to the APIs (Crossref's polite pool): env, then config."""
    value = environ.get(CONTACT_ENV, "").strip() or str(config.sources.get("contact") or "").strip()
    return value or None


def user_agent(config: Config, environ: Mapping[str, str]) -> str:
    """``paperlog/<version> (mailto:<contact>)``, or without the mailto when none is set."""
    address = contact(config, environ)
    return f"paperlog/{__version__} (mailto:{address})" if address else f"paperlog/{__version__}"


def _number(config: Config, key: str, default: float) -> float:
    value: Any = config.sources.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise BadFile(
            f"[sources] {key} must be a number of seconds >= 0, not {value!r}", CONFIG_FILE
        )
    return float(value)


def open_client(
    library: Library, environ: Mapping[str, str], *, offline: bool = False
) -> HttpClient:
    """The HTTP client for one command run, caching under ``.paperlog/http-cache``.

    ``offline`` (``--offline``, or ``PAPERLOG_OFFLINE=1``) answers only from that cache.
    ``[sources]`` may set ``timeout``, ``retries``, ``max_wait`` (seconds), ``cache_ttl``
    (seconds a cached answer is reused online; 0 = always ask the server) and ``deadline``
    (seconds for the whole command's network use, per paper for enrich; 0 = none).
    """
    config = library.config
    offline = offline or environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes"}
    retries = config.sources.get("retries", 3)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise BadFile(
            f"[sources] retries must be a whole number >= 0, not {retries!r}", CONFIG_FILE
        )
    urls = source_urls(config, environ)
    pace = {name: gap for name, gap in PUBLIC_PACE.items() if urls[name] == DEFAULT_URLS[name]}
    return HttpClient(
        cache_dir=library.state_dir / CACHE_DIR_NAME,
        offline=offline,
        user_agent=user_agent(config, environ),
        timeout=_number(config, "timeout", 10.0),
        retries=retries,
        max_wait=_number(config, "max_wait", 30.0),
        cache_ttl=_number(config, "cache_ttl", DEFAULT_CACHE_TTL),
        pace=pace,
        # one deadline for the whole command (enrich: per paper); 0 turns it off
        deadline=_number(config, "deadline", DEFAULT_DEADLINE) or None,
    )


def make_sources(config: Config, environ: Mapping[str, str], client: HttpClient) -> list[Source]:
    """Every source, in ``SOURCE_ORDER``, each pointed at its configured base URL."""
    from paperlog.resolve.arxiv import ArxivSource
    from paperlog.resolve.crossref import CrossrefSource
    from paperlog.resolve.dblp import DblpSource
    from paperlog.resolve.openreview import OpenReviewSource
    from paperlog.resolve.semantic_scholar import SemanticScholarSource

    urls = source_urls(config, environ)
    api_key = environ.get(S2_KEY_ENV, "").strip() or None
    built: dict[str, Source] = {
        "arxiv": ArxivSource(client, urls["arxiv"]),
        "s2": SemanticScholarSource(client, urls["s2"], api_key=api_key),
        "crossref": CrossrefSource(client, urls["crossref"]),
        "dblp": DblpSource(client, urls["dblp"]),
        "openreview": OpenReviewSource(
            client, urls["openreview"], v1_url=openreview_v1_url(config, environ)
        ),
    }
    found = [built[name] for name in SOURCE_ORDER]
    from paperlog.catalog.store import ENV_VAR as CATALOG_ENV
    from paperlog.catalog.store import default_path

    # The offline catalog answers last: a reachable source decides, offline it is enough.
    if environ.get(CATALOG_ENV) or environ.get("HOME"):
        catalog = default_path(environ)
        if catalog.is_file():
            from paperlog.catalog.source import CatalogSource

            found.append(CatalogSource(catalog))
    return found
