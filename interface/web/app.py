"""The web app: read-only pages, Atom feeds and a JSON API over storage, behind an optional token."""

from __future__ import annotations

import contextlib
import hmac
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from communique.settings import Settings
from interface.web import formatting
from storage.database import Database, connect

HERE = Path(__file__).parent
TOKEN_COOKIE = "communique_token"
# The pages need nothing from elsewhere; a hostile text that slipped through escaping could still
# not run a script or load anything (defence in depth: escaping is what the tests check).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class Connections:
    """One database connection per server thread (SQLite connections stay in their thread)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._local = threading.local()
        self._all: list[Database] = []
        self._lock = threading.Lock()

    def get(self) -> Database:
        """This thread's connection, opened on first use."""
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            db = connect(self._settings)
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    def close(self) -> None:
        """Close the connections of every thread (at shutdown, from the server's thread)."""
        with self._lock:
            for db in self._all:
                # Another thread's SQLite connection refuses to be closed from here: let it go.
                with contextlib.suppress(Exception):
                    db.close()
            self._all.clear()


def templates() -> Environment:
    """The Jinja2 environment: every value escaped, whatever the template's file name."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(formatting.FILTERS)
    return env


def create_app(settings: Settings) -> FastAPI:
    """The app for these settings (the database is migrated by whoever starts it)."""
    from interface.web import api, feeds, pages  # noqa: PLC0415 - routes import this module

    app = FastAPI(
        title="communique",
        summary="What communique has seen: statements, documents and versions, diffs, alerts, sources.",
        version="0.1.0",
        docs_url=None,  # Swagger UI would load its scripts from a CDN; the description is at openapi_url
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.connections = Connections(settings)
    app.state.templates = templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(feeds.router)
    app.include_router(api.router)
    app.add_exception_handler(StarletteHTTPException, _error_page)  # type: ignore[arg-type]
    token = settings.web_token.get_secret_value() if settings.web_token else None
    app.middleware("http")(_guard(token))
    app.router.add_event_handler("shutdown", app.state.connections.close)
    return app


def _guard(
    token: str | None,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """Middleware: only GET and HEAD; with a token, only requests that carry it; security headers."""

    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method not in ("GET", "HEAD"):
            response: Response = Response("read-only\n", status_code=405, headers={"Allow": "GET, HEAD"})
        elif token is not None and not _authorised(request, token):
            if _matches(request.query_params.get("token"), token):
                # ?token= once: kept in a cookie, and taken out of the address (and of the history).
                query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
                response = RedirectResponse(
                    request.url.path + (f"?{query}" if query else ""), status_code=303
                )
                response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
            else:
                response = Response(
                    "a token is required: Authorization: Bearer TOKEN, or ?token=TOKEN once\n",
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
        else:
            response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)  # a route's own policy (snapshots) is stricter
        return response

    return guard


def _authorised(request: Request, token: str) -> bool:
    """Whether the request carries the token in its Authorization header or its cookie."""
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    bearer = given.strip() if scheme.lower() == "bearer" else None
    return _matches(bearer, token) or _matches(request.cookies.get(TOKEN_COOKIE), token)


def _matches(given: str | None, token: str) -> bool:
    """A constant-time comparison, so response times say nothing about the token."""
    return given is not None and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


def _error_page(request: Request, exc: StarletteHTTPException) -> Response:
    """Errors as JSON under /api and /feeds, as a page elsewhere."""
    if request.url.path.startswith(("/api/", "/feeds/")):
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code)
    body = request.app.state.templates.get_template("error.html").render(
        status=exc.status_code, detail=exc.detail, request=request
    )
    return HTMLResponse(body, status_code=exc.status_code)
