"""The spider that polls configured sources by kind: a fixed `page`, or a `feed` of articles."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from scrapy import Request, Selector, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure
from w3lib.url import canonicalize_url

from communique.model import JobQueue
from communique.sources import Source
from crawler.items import FetchItem
from storage.database import Database, open_database
from storage.fetches import due_source_ids, mark_polled

log = logging.getLogger(__name__)


class SourcesSpider(Spider):
    """Schedules each source when due; with `once`, polls each source one time and closes."""

    name = "sources"

    def __init__(self, sources: list[Source], queue: JobQueue, once: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = {source.id: source for source in sources}
        self.queue = queue
        self.once = once
        self.db: Database | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourcesSpider:
        """Connect the idle signal: a long-running crawl schedules due sources whenever it is idle."""
        spider: SourcesSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.db = open_database(crawler.settings["COMMUNIQUE_SETTINGS"])
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        """The first requests: every source that is due (with `once`, every source)."""
        for request in self._due_requests(force=self.once):
            yield request

    def on_idle(self) -> None:
        """Keep a service crawl alive, scheduling the sources that came due."""
        if self.once:
            return
        for request in self._due_requests(force=False):
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def _due_requests(self, force: bool) -> Iterator[Request]:
        assert self.db is not None
        ids = list(self.sources) if force else due_source_ids(self.db, list(self.sources))
        for source_id in ids:
            mark_polled(self.db, source_id)
            source = self.sources[source_id]
            yield self._request(source, source.url, getattr(self, POLLERS[source.kind]))

    def parse_page(self, response: Response) -> Iterator[FetchItem]:
        """An article page: store it for extraction."""
        yield _item(response, extract=True)

    def parse_feed(self, response: Response) -> Iterator[FetchItem | Request]:
        """An RSS or Atom feed: record it, then request its newest entries as pages."""
        yield _item(response, extract=False)
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        source: Source = response.meta["source"]
        # Parsed as XML whatever the Content-Type: as HTML, RSS <link> is a void element and loses its URL.
        selector = Selector(response, type="xml")
        selector.remove_namespaces()
        links = (
            selector.xpath("//item/link/text()").getall()
            + selector.xpath("//entry/link[not(@rel) or @rel='alternate']/@href").getall()
        )
        for link in links[: source.max_items]:
            yield self._request(source, response.urljoin(link.strip()), self.parse_page)

    def on_error(self, failure: Failure) -> Iterator[FetchItem]:
        """No response at all (DNS, refused, timeout, size cap): a source error, recorded."""
        request = failure.request  # type: ignore[attr-defined]
        error = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"
        yield FetchItem(
            source_id=request.meta["source"].id,
            url=request.meta["canonical_url"],
            status=None,
            error=error,
            extract=request.callback == self.parse_page,
        )

    def _request(self, source: Source, url: str, callback: Callable[..., Any]) -> Request:
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            dont_filter=True,
            meta={"source": source, "canonical_url": canonicalize_url(url), "conditional": True},
        )


# The spider method that reads each kind of source.
POLLERS: dict[str, str] = {"page": "parse_page", "feed": "parse_feed"}


def _item(response: Response, extract: bool) -> FetchItem:
    is_text = isinstance(response, TextResponse)
    error = None
    if response.status == 200 and not is_text:
        error = f"not a text page: {_header(response, b'Content-Type') or 'no Content-Type'}"
    return FetchItem(
        source_id=response.meta["source"].id,
        url=response.meta["canonical_url"],
        status=response.status,
        body=response.body,
        encoding=response.encoding if isinstance(response, TextResponse) else None,
        etag=_header(response, b"ETag"),
        last_modified=_header(response, b"Last-Modified"),
        elapsed_ms=round(1000 * float(response.meta.get("download_latency", 0.0)), 2),
        error=error,
        extract=extract,
    )


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
