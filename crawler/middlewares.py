"""Downloader middlewares: refusing private addresses (SSRF), conditional GET, backoff on 429/503,
and the configured proxy."""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError

from communique.sources import Source, is_private_host
from crawler.adapters import canonical_url
from storage.database import Database, open_database
from storage.fetches import back_off_source, last_validators

log = logging.getLogger(__name__)


class PrivateAddressRefused(IgnoreRequest):
    """A request to a loopback, private or link-local address that no source allows (SSRF)."""


class PrivateAddressMiddleware:
    """Refuses requests to loopback, private, link-local or reserved addresses, named by the URL or
    by what its host name resolves to: a redirect, a link in a feed or a host name pointing inside
    the network must not make the crawler read internal services. A source with `allow_private`
    may reach its own host and port, and nothing else private.

    The check runs first (before robots.txt is asked for). With a proxy, names are resolved by the
    proxy, so only literal addresses and localhost names are checked here.
    """

    def __init__(self, resolve: bool = True) -> None:
        self.resolve = resolve
        self.allowed: set[tuple[str, int]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressMiddleware:
        """Resolve host names unless a proxy does it."""
        return cls(resolve=not crawler.settings["COMMUNIQUE_SETTINGS"].proxy_url)

    async def process_request(self, request: Request) -> None:
        """Let the request go, or raise PrivateAddressRefused (recorded as the source's error)."""
        origin = _origin(request.url)
        source: Source | None = request.meta.get("source")
        if source is not None and source.allow_private and origin == _origin(source.url):
            self.allowed.add(origin)  # its robots.txt request carries no source
            return
        if source is None and origin in self.allowed:
            return
        host = origin[0]
        address = host if is_private_host(host) else await self._address(host)
        if address is not None and is_private_host(address):
            shown = host if address == host else f"{host} ({address})"
            raise PrivateAddressRefused(
                f"refused {request.url}: {shown} is a loopback or private address (SSRF protection); "
                "only a source's own host is allowed, with allow_private: true"
            )

    async def _address(self, host: str) -> str | None:
        """The IPv4 address Scrapy will connect to (same cached resolver), None if it has none."""
        if not self.resolve:
            return None
        # Imported here: importing it at module level would install the default reactor before
        # Scrapy installs the asyncio one.
        from twisted.internet import reactor  # noqa: PLC0415

        try:
            address: str = await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[arg-type]
        except DNSLookupError:
            return None  # the download fails with the DNS error, recorded as the source's error
        return address


def _origin(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return (parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))


class ConditionalGetMiddleware:
    """Adds If-None-Match / If-Modified-Since to requests marked `conditional` in their meta."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        """Open storage from the communique settings."""
        return cls(open_database(crawler.settings["COMMUNIQUE_SETTINGS"]))

    def process_request(self, request: Request) -> Any:
        """Add the validators, if the URL was fetched before and the server gave some."""
        if not request.meta.get("conditional"):
            return None
        # Fetches are stored under the canonical URL (also after a redirect: this is the new request).
        known = last_validators(self.db, canonical_url(request.url))
        if known is not None:
            if known["etag"]:
                request.headers.setdefault(b"If-None-Match", known["etag"])
            if known["last_modified"]:
                request.headers.setdefault(b"If-Modified-Since", known["last_modified"])
        return None


class BackingOff(IgnoreRequest):
    """A request not sent because its host asked us to slow down (429/503)."""


class BackoffMiddleware:
    """On 429/503, sends nothing more to that host until Retry-After (or a default) has passed, and
    marks the source so it is not polled again before then, in this process or the next."""

    DEFAULT_S = 600.0
    MAX_S = 6 * 3600.0

    def __init__(self, db: Database) -> None:
        self.db = db
        self.until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffMiddleware:
        """Open storage from the communique settings."""
        return cls(open_database(crawler.settings["COMMUNIQUE_SETTINGS"]))

    def process_request(self, request: Request) -> Any:
        """Drop a request to a host that is backing off."""
        host = urlsplit(request.url).hostname or ""
        until = self.until.get(host, 0.0)
        if until > time.time():
            raise BackingOff(f"{host} asked to slow down; not before {time.ctime(until)}")
        return None

    def process_response(self, request: Request, response: Response) -> Any:
        """Start a backoff on 429/503."""
        if response.status not in (429, 503):
            return response
        at = time.time()
        delay = min(retry_after(response.headers.get(b"Retry-After"), at) or self.DEFAULT_S, self.MAX_S)
        host = urlsplit(request.url).hostname or ""
        self.until[host] = at + delay
        request.meta["backoff_s"] = round(delay)
        source = request.meta.get("source")
        if source is not None:
            back_off_source(self.db, source.id, at + delay)
        log.warning("%s answered %d: backing off for %d s", host, response.status, delay)
        return response


def retry_after(value: bytes | None, at: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if unreadable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        return max(parsedate_to_datetime(text).timestamp() - at, 0.0)
    except (TypeError, ValueError, IndexError):
        return None


class ProxyMiddleware:
    """Sends every request (robots.txt included) through COMMUNIQUE_PROXY_URL."""

    def __init__(self, proxy_url: str) -> None:
        self.proxy_url = proxy_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProxyMiddleware:
        """Only when a proxy is configured."""
        proxy_url = crawler.settings["COMMUNIQUE_SETTINGS"].proxy_url
        if not proxy_url:
            raise NotConfigured  # without a message: Scrapy drops it silently, no warning every start
        return cls(proxy_url)

    def process_request(self, request: Request) -> Any:
        """Route the request through the proxy (Scrapy's HttpProxyMiddleware then applies it)."""
        request.meta.setdefault("proxy", self.proxy_url)
        return None
