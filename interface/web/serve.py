"""Serving the web app with uvicorn: on its own (`communique web`) or beside the service (`run --web`)."""

from __future__ import annotations

import ipaddress
import logging
import threading

import click
import uvicorn

from communique.errors import ConfigError
from communique.settings import Settings
from interface.web.app import create_app
from storage.database import open_database

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """Whether an address to bind only answers this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any address


def check(settings: Settings, host: str) -> str:
    """What serving on `host` means, in words; ConfigError when it would be open without a token."""
    if settings.web_token is not None and not settings.web_token.get_secret_value():
        raise ConfigError("COMMUNIQUE_WEB_TOKEN is empty: set a long random token, or unset it")
    if not is_loopback(host) and settings.web_token is None:
        raise ConfigError(
            f"communique web binds {host}, which other machines can reach: set COMMUNIQUE_WEB_TOKEN "
            "(a long random string) so that only those who have it can read, or bind 127.0.0.1"
        )
    return "token required" if settings.web_token is not None else "this machine only, no token"


def server(
    settings: Settings, host: str | None = None, port: int | None = None
) -> tuple[uvicorn.Server, str]:
    """A uvicorn server for the app (storage migrated first) and the line that says where it serves."""
    host = host or settings.web_host
    port = settings.web_port if port is None else port
    access = check(settings, host)
    open_database(settings).close()  # migrated once here; the app's connections only read
    config = uvicorn.Config(
        create_app(settings),
        host=host,
        port=port,
        log_config=None,  # the CLI configured logging (and redaction) already
        access_log=False,
        server_header=False,
        proxy_headers=False,
    )
    shown = f"[{host}]" if ":" in host else host
    return uvicorn.Server(config), f"communique web: serving http://{shown}:{port}/ (read-only; {access})"


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Serve until SIGINT or SIGTERM."""
    web, line = server(settings, host, port)
    click.echo(line, err=True)  # the one line a person starting it needs
    web.run()


def serve_in_thread(settings: Settings) -> tuple[uvicorn.Server, threading.Thread]:
    """Serve beside the service (`communique run --web`); set `should_exit` on the server to stop."""
    web, line = server(settings)
    thread = threading.Thread(target=web.run, name="communique-web", daemon=True)
    thread.start()
    click.echo(line, err=True)
    return web, thread
