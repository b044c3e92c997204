"""`communique web`: the read-only web pages, Atom feeds and JSON API."""

from __future__ import annotations

import signal
import sys

import click

from communique.settings import Settings


@click.command()
@click.option("--host", default=None, help="Address to bind (env COMMUNIQUE_WEB_HOST; default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (env COMMUNIQUE_WEB_PORT; default 8650).")
def web(host: str | None, port: int | None) -> None:
    """Serve what communique has seen: statements, documents, diffs, alerts, sources, search, feeds, API.

    Read-only. It binds 127.0.0.1 unless told otherwise; bound to any other address it requires
    COMMUNIQUE_WEB_TOKEN, sent as `Authorization: Bearer TOKEN` or once as `?token=TOKEN`.

    \b
    Example:
      communique web --port 8650
    """
    from interface.web.serve import serve

    # uvicorn stops gracefully on SIGTERM, then raises it again: exit 0 then, as the other commands do.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    serve(Settings(), host, port)
