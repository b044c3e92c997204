"""The spider that polls configured sources by kind: a fixed `page`, or a `feed`, `sitemap` or
`listing` whose articles are fetched when new, when listed as changed, or when their revisit is due."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, DownloadCancelledError
from scrapy.http import Response, TextResponse
from scrapy.utils.asyncio import CallLaterResult, call_later
from twisted.python.failure import Failure

from communique.errors import TransientError
from communique.model import JobQueue
from communique.sources import Source, specialise
from crawler.adapters import attachments, canonical_url
from crawler.items import Entry, FetchItem, SiteChangedError
from crawler.kinds import READERS, page_limit, start_urls
from crawler.middlewares import BackingOff
from storage.database import Database, open_database
from storage.fetches import (
    claim_article,
    due_revisits,
    due_source_ids,
    failing_source_ids,
    mark_polled,
    next_poll_at,
)

log = logging.getLogger(__name__)

REVISITS_PER_TICK = 100


class SourcesSpider(Spider):
    """Schedules each source when due; with `once`, polls each source one time and closes."""

    name = "sources"

    def __init__(self, sources: list[Source], queue: JobQueue, once: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = {source.id: specialise(source) for source in sources}
        self.queue = queue
        self.once = once
        self.db: Database | None = None
        self.call_later = call_later  # Scrapy's, on the reactor the crawl runs (a test may give a clock)
        self._timer: CallLaterResult | None = None
        self._wake_at = float("inf")  # when the timer fires
        self._polled: list[str] = []  # sources of the last poll, summed up at the next one

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourcesSpider:
        """Connect the idle signal: a long-running crawl schedules due sources whenever it is idle."""
        spider: SourcesSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.db = open_database(crawler.settings["COMMUNIQUE_SETTINGS"])
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        """The first requests: every source that is due (with `once`, every source), then due revisits."""
        for request in self._due_requests(force=self.once):
            yield request
        self._arm()

    def on_idle(self) -> None:
        """Keep a service crawl alive: schedule the revisits that came due (sources come due on their
        timer, or here if it was missed)."""
        if self.once:
            return
        self._schedule()
        raise DontCloseSpider

    def on_closed(self) -> None:
        """No poll after the crawl ends."""
        if self._timer is not None:
            self._timer.cancel()

    def _schedule(self) -> None:
        """Request what is due, then wake up when the next source comes due. Scrapy's idle signal
        comes every 5 s: on it alone, `interval: 5` polled every 5 to 10 s (8.5 s on average)."""
        try:
            for request in self._due_requests(force=False):
                self.crawler.engine.crawl(request)
        except TransientError as exc:  # the database busy or away: try again at the next idle tick
            log.warning("could not schedule due sources, trying again: %s", exc)
        self._arm()

    def _arm(self) -> None:
        """Set the timer for the next source to come due (a sooner one replaces a later one)."""
        if self.once:
            return
        try:
            at = next_poll_at(self._db(), list(self.sources))
        except TransientError:
            return  # the idle signal tries again
        if at is None or at >= self._wake_at:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._wake_at = at
        self._timer = self.call_later(max(0.0, at - time.time()), self._wake)

    def _wake(self) -> None:
        """The timer fired: it is spent, whatever the clock says, and the next one is set after."""
        self._timer, self._wake_at = None, float("inf")
        self._schedule()

    def _due_requests(self, force: bool) -> Iterator[Request]:
        db = self._db()
        ids = due_source_ids(db, list(self.sources), every=force)
        for source_id in ids:
            mark_polled(db, source_id)
        if ids:
            self._summarise(db, ids)
        for source_id in ids:
            source = self.sources[source_id]
            callback = self.parse_page if source.kind == "page" else self.parse_listing
            for url in start_urls(source):
                yield self._request(source, url, callback, page=1)
        # Revisits skip sources backing off after a 429/503, like their polls.
        polite = due_source_ids(db, list(self.sources), every=True)
        for row in due_revisits(db, polite, limit=REVISITS_PER_TICK):
            source = self.sources[row["source_id"]]
            yield from self._article_requests(source, [Entry(row["fetch_url"])])

    def _summarise(self, db: Database, polling: list[str]) -> None:
        """One line per poll: how the sources of the last poll did, what is polled now, and when next."""
        last = ""
        if self._polled:
            failing = failing_source_ids(db, self._polled)
            last = f"last poll {len(self._polled) - len(failing)} ok, {len(failing)} errors"
            last += f" ({', '.join(failing)}); " if failing else "; "
        self._polled = list(polling)
        at = None if self.once else next_poll_at(db, list(self.sources))
        upcoming = f"; next poll {dt.datetime.fromtimestamp(at):%H:%M:%S}" if at is not None else ""
        log.info("%spolling %d source%s%s", last, len(polling), "" if len(polling) == 1 else "s", upcoming)

    def parse_page(self, response: Response) -> Iterator[FetchItem | Request]:
        """An article page: store it for extraction, and follow the documents attached to it."""
        yield _item(response, extract=True)
        if response.status == 200:
            source: Source = response.meta["source"]
            yield from self._article_requests(source, [Entry(url) for url in attachments(response)])

    def parse_listing(self, response: Response) -> Iterator[FetchItem | Request]:
        """A feed, sitemap or listing page: record it, then request its due articles and further pages."""
        source: Source = response.meta["source"]
        if response.status != 200:
            yield _item(response, extract=False)
            return
        try:
            found = READERS[source.kind](response, source)
        except SiteChangedError as exc:
            # Loud, never "no items": a block page or a redesign is a counted source error.
            yield _item(response, extract=False, error=str(exc))
            return
        yield _item(response, extract=False, error="")
        page = int(response.meta.get("page", 1))
        if page < page_limit(source):
            for url in found.more:
                yield self._request(source, url, self.parse_listing, page=page + 1)
        yield from self._article_requests(source, found.entries[: source.max_items])

    def on_error(self, failure: Failure) -> Iterator[FetchItem | Request]:
        """No response at all (DNS, refused, timeout, size cap): a source error, recorded."""
        request = failure.request  # type: ignore[attr-defined]
        if isinstance(failure.value, BackingOff):
            return  # the 429/503 that started the backoff was recorded already
        source: Source = request.meta["source"]
        if source.http_fallback and request.url.startswith("https://") and not request.meta.get("fallback"):
            log.info("source %s: %s unreachable over https, trying http", source.id, request.url)
            meta = {**request.meta, "fallback": True}
            yield request.replace(url="http://" + request.url[len("https://") :], meta=meta)
            return
        yield FetchItem(
            source_id=source.id,
            url=canonical_url(request.url),
            status=None,
            error=f"{type(failure.value).__name__}: {self._reason(failure)}",
            extract=request.callback == self.parse_page,
        )

    def _reason(self, failure: Failure) -> str:
        """The failure's message; a download cancelled while its body streamed in has none, and the
        crawler cancels one when it passes the size cap (DOWNLOAD_MAXSIZE) or the crawl stops."""
        message = failure.getErrorMessage()
        if message or not isinstance(failure.value, DownloadCancelledError):
            return message
        request = failure.request  # type: ignore[attr-defined]
        cap = int(request.meta.get("download_maxsize", self.crawler.settings.getint("DOWNLOAD_MAXSIZE")))
        cause = f"past the size cap of {cap:,} bytes (COMMUNIQUE_MAX_PAGE_BYTES), or the crawl stopped"
        return f"cancelled mid-body: {cause}"

    def _article_requests(self, source: Source, entries: Iterable[Entry]) -> Iterator[Request]:
        """Requests for the articles that are due: new, listed as changed, or due for a revisit."""
        db = self._db()
        for entry in entries:
            url = canonical_url(entry.url)
            if claim_article(db, url, fetch_url=entry.url, source_id=source.id, changed_at=entry.changed_at):
                yield self._request(source, entry.url, self.parse_page)

    def _request(self, source: Source, url: str, callback: Callable[..., Any], page: int = 0) -> Request:
        meta: dict[str, Any] = {"source": source, "conditional": True}
        if page:
            meta["page"] = page
        return Request(url, callback=callback, errback=self.on_error, dont_filter=True, meta=meta)

    def _db(self) -> Database:
        if self.db is None:
            raise RuntimeError("the spider has no database (build it with from_crawler)")
        return self.db


def _item(response: Response, extract: bool, error: str | None = None) -> FetchItem:
    """The fetch to store; `error` "" means the kind's reader accepted the body (binary or not)."""
    is_text = isinstance(response, TextResponse)
    if error is None and response.status == 200 and not is_text:
        error = f"not a text page: {_header(response, b'Content-Type') or 'no Content-Type'}"
    if error is None and "backoff_s" in response.meta:
        error = f"HTTP {response.status}: backing off for {response.meta['backoff_s']} s"
    return FetchItem(
        source_id=response.meta["source"].id,
        url=canonical_url(response.url),
        status=response.status,
        body=response.body,
        encoding=response.encoding if isinstance(response, TextResponse) else None,
        etag=_header(response, b"ETag"),
        last_modified=_header(response, b"Last-Modified"),
        elapsed_ms=round(1000 * float(response.meta.get("download_latency", 0.0)), 2),
        error=error or None,
        extract=extract,
    )


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
