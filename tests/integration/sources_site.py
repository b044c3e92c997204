"""A local site serving the saved source pages, for crawls through the real crawler.

It answers as an origin (http://127.0.0.1:PORT/path) and as a plain-http proxy (GET http://host/path),
so sources can keep their real host names (kremlin.ru, www.vietnamplus.vn) and their site adapters
apply, with nothing leaving the machine. Every route sends an ETag and honours If-None-Match; it counts
hits and bytes sent per path.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.local_server import LocalServer

log = logging.getLogger(__name__)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sources"


@dataclass
class Route:
    """One answer: status, body, content type and extra headers (a redirect gives Location)."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = True  # False: a server without validators (every poll gets the full body)


def page(name: str, content_type: str = "text/html; charset=utf-8", **replace: str) -> Route:
    """A saved fixture as a route, with literal replacements (real hosts → the local server)."""
    body = (FIXTURES / name).read_bytes()
    for old, new in replace.items():
        body = body.replace(old.encode(), new.encode())
    return Route(body, content_type)


def article(title: str, paragraphs: int = 4) -> Route:
    """A plain article page with enough text to extract."""
    text = "".join(
        f"<p>{title}: đoạn {n}. Hai bên nhất trí tăng cường hợp tác toàn diện trong các lĩnh vực "
        f"chính trị, kinh tế, giáo dục và khoa học, vì hòa bình và phát triển bền vững.</p>"
        for n in range(1, paragraphs + 1)
    )
    head = f"<html><head><title>{title}</title></head>"
    return Route(f"{head}<body><article><h1>{title}</h1>{text}</article></body></html>".encode())


class SourcesSite(LocalServer):
    """A threaded HTTP server on 127.0.0.1 with routes by path (whatever host a proxy request names)."""

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = {"/robots.txt": Route(b"User-agent: *\nAllow: /\n", "text/plain")}
        self.routes.update(routes or {})
        self.hits: dict[str, int] = {}
        self.sent: dict[str, int] = {}
        self.statuses: list[tuple[str, int]] = []
        self.wire: dict[str, int] = {}  # request and response bytes per path, headers included
        self._lock = threading.Lock()
        self._hit = threading.Condition(self._lock)
        super().__init__(_handler_for(self), "sources-site")

    def answer(self, path: str, headers: Any) -> tuple[Route, bytes]:
        """The route for a request and the bytes to send (empty for a 304)."""
        route = self.routes.get(path, Route(b"Not found\n", "text/plain", 404))
        etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
        if not route.etag or route.status != 200:
            return route, route.body
        if headers.get("If-None-Match") == etag:
            return Route(b"", route.content_type, 304, {"ETag": etag}), b""
        extra = {"ETag": etag, **route.headers}
        return Route(route.body, route.content_type, route.status, extra), route.body

    def count(self, path: str, status: int, size: int, wire: int = 0) -> None:
        """Count one request for path (`size` body bytes sent, `wire` bytes both ways) and wake waiters."""
        with self._hit:
            self.hits[path] = self.hits.get(path, 0) + 1
            self.sent[path] = self.sent.get(path, 0) + size
            self.statuses.append((path, status))
            self.wire[path] = self.wire.get(path, 0) + wire
            self._hit.notify_all()

    def wait_for_hits(self, path: str, n: int, timeout: float) -> None:
        """Block until path was requested at least n times; raise TimeoutError otherwise."""
        with self._hit:
            if not self._hit.wait_for(lambda: self.hits.get(path, 0) >= n, timeout):
                raise TimeoutError(
                    f"{path} requested {self.hits.get(path, 0)} time(s) in {timeout}s, wanted {n}"
                )

    def reset_counts(self) -> None:
        """Forget the hits and bytes counted so far."""
        with self._lock:
            self.hits.clear()
            self.sent.clear()
            self.statuses.clear()
            self.wire.clear()


def _handler_for(site: SourcesSite) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to one site."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = urlsplit(self.path)  # an absolute URI when we are used as a proxy
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            route, body = site.answer(path, self.headers)
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in route.headers.items():
                self.send_header(name, value)
            head = sum(len(line) for line in getattr(self, "_headers_buffer", []))
            self.end_headers()
            self.wfile.write(body)
            asked = len(self.requestline) + 2 + len(str(self.headers))
            site.count(path, route.status, len(body), asked + head + len(body))

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("sources site: " + format, *args)

    return Handler
