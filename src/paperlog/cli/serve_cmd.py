"""``paperlog serve``: the local web app."""

from __future__ import annotations

import click

from paperlog.cli.common import app


@click.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8421, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option(
    "--token",
    default=None,
    envvar="PAPERLOG_TOKEN",
    help="Secret every request must carry; required with a --host other than loopback.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the browser at the URL.")
@click.pass_context
def serve_cmd(
    ctx: click.Context, port: int, host: str, token: str | None, open_browser: bool
) -> None:
    """Serve the library as a local web app (Today, Week, Library, Queue, Review, Stats...).

    Binds 127.0.0.1 only, unless --host is given with a --token. Ctrl-C stops it.

    Examples: paperlog serve --open; paperlog serve --host 0.0.0.0 --token "$(openssl rand -hex 16)"
    """
    from paperlog.web.serve import serve

    env = app(ctx)
    serve(
        env.library_root(),
        host=host,
        port=port,
        token=token,
        open_browser=open_browser,
        environ=env.environ,
        say=click.echo,
    )
