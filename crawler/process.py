"""Running the crawl: one pass over every source (`once`), or a service that polls when sources are due."""

from __future__ import annotations

from scrapy.crawler import CrawlerProcess

from communique.model import JobQueue
from communique.settings import Settings
from communique.sources import Source
from crawler.settings import scrapy_settings
from crawler.spiders.sources import SourcesSpider


def crawl(settings: Settings, queue: JobQueue, sources: list[Source], once: bool) -> None:
    """Run the crawler in this process until done (`once`) or stopped (SIGINT/SIGTERM)."""
    process = CrawlerProcess(scrapy_settings(settings), install_root_handler=False)
    process.crawl(SourcesSpider, sources=sources, queue=queue, once=once)
    process.start()
