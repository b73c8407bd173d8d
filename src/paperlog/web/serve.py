"""Run the web app with uvicorn: bind, print the URL, open a browser, stop cleanly on Ctrl-C."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from pathlib import Path

from paperlog.errors import ValidationError
from paperlog.web.common import LOOPBACK_HOSTS, Settings

DEFAULT_PORT = 8421


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_binding(host: str, token: str | None) -> None:
    """Refuse to listen beyond loopback without a token (anyone on the network could write)."""
    if not is_loopback(host) and not token:
        raise ValidationError(
            f"--host {host} lets other machines reach your library; pass --token SECRET too "
            "(they must then open the URL with ?token=SECRET)"
        )
    if token is not None and len(token) < 12:
        raise ValidationError("--token must be at least 12 characters")


def server_url(host: str, port: int, token: str | None = None) -> str:
    """The URL to open: loopback shown as 127.0.0.1, IPv6 in brackets, the token appended."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def serve(
    root: Path,
    *,
    host: str = LOOPBACK_HOSTS[0],
    port: int = DEFAULT_PORT,
    token: str | None = None,
    open_browser: bool = False,
    environ: Mapping[str, str] | None = None,
    say: Callable[[str], None] = print,
) -> None:
    """Serve the library at ``root`` until Ctrl-C (uvicorn handles SIGINT/SIGTERM cleanly)."""
    import uvicorn

    from paperlog.library import Library
    from paperlog.web.app import create_app
    from paperlog.web.freshness import Freshness

    check_binding(host, token)
    Library.open(root)  # a missing or broken library fails now, not on the first request
    settings = Settings(root=root, host=host, token=token, environ=dict(environ or {}))
    freshness = Freshness()
    if not freshness.watch(root):
        say(
            f"note: the server runs no watcher ({freshness.why_not or 'still starting'}); "
            "requests use a running `paperlog watch`, else scan papers/ for changes"
        )
    app = create_app(settings, freshness)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    url = server_url(host, port, token)
    say(f"paperlog serving {root} at {url} (Ctrl-C stops)")
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run()
    except KeyboardInterrupt:
        # uvicorn shuts down on Ctrl-C, then raises the signal again for the caller: here
        # that is the normal way to stop, not an error
        pass
    finally:
        freshness.stop()
    say("paperlog stopped.")
