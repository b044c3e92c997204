"""`sources check`: fetch each source once, read it as its kind would, and report what was found.

Nothing is stored and no article is fetched: a probe only tells whether the source answers and
still has the structure its kind expects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from communique.settings import Settings
from communique.sources import Source, specialise
from crawler.adapters import attachments
from crawler.items import SiteChangedError
from crawler.kinds import READERS, start_urls
from crawler.process import follow_cli_logging, use_ca_bundle
from crawler.settings import probe_settings


@dataclass
class ProbeResult:
    """What one source answered: HTTP status (None: no answer), articles and further pages listed."""

    source: Source
    url: str
    status: int | None = None
    items: int = 0
    more: int = 0
    error: str | None = None


class ProbeSpider(Spider):
    """Requests each source's first URL once and reads it with its kind's reader."""

    name = "probe"

    def __init__(self, sources: list[Source], results: dict[str, ProbeResult], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = [specialise(source) for source in sources]
        self.results = results

    async def start(self) -> AsyncIterator[Request]:
        """One request per source."""
        for source in self.sources:
            url = start_urls(source)[0]
            self.results[source.id] = ProbeResult(source, url, error="no answer")
            meta = {"source": source}
            yield Request(url, callback=self.parse, errback=self.on_error, dont_filter=True, meta=meta)

    def parse(self, response: Response) -> Iterator[Any]:
        """Read the response as the source's kind would."""
        source: Source = response.meta["source"]
        result = self.results[source.id]
        result.status, result.error = response.status, None
        if response.status != 200:
            result.error = f"HTTP {response.status}"
        elif source.kind == "page":
            if not isinstance(response, TextResponse):
                result.error = "not a text page"
            result.items, result.more = 1, len(attachments(response))
        else:
            try:
                found = READERS[source.kind](response, source)
            except SiteChangedError as exc:
                result.error = str(exc)
            else:
                result.items, result.more = len(found.entries), len(found.more)
        yield from ()

    def on_error(self, failure: Failure) -> None:
        """No answer: DNS, refused, timeout, robots.txt."""
        source: Source = failure.request.meta["source"]  # type: ignore[attr-defined]
        self.results[source.id].error = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"


def probe(settings: Settings, sources: list[Source]) -> list[ProbeResult]:
    """Probe every source (in this process, which can run Scrapy once); results in source order."""
    use_ca_bundle(settings)
    process = CrawlerProcess(probe_settings(settings))
    follow_cli_logging()
    results: dict[str, ProbeResult] = {}
    process.crawl(ProbeSpider, sources=sources, results=results)
    process.start()
    return [results[source.id] for source in sources]
