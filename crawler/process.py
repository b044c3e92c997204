"""Running the crawl: one pass over every source (`once`), or a service that polls when sources are due."""

from __future__ import annotations

import logging
import os

from scrapy.crawler import CrawlerProcess

from communique.model import JobQueue
from communique.settings import Settings
from communique.sources import Source
from crawler.settings import scrapy_settings
from crawler.spiders.sources import SourcesSpider

# Loggers that print a full traceback for an unreachable host; the pipeline records and logs the
# source error itself, so one line from them is enough.
ONE_LINE_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.core.scraper", "scrapy.core.engine")


class WithoutTraceback(logging.Filter):
    """Keeps the message of a record and drops its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


def crawl(settings: Settings, queue: JobQueue, sources: list[Source], once: bool) -> None:
    """Run the crawler in this process until done (`once`) or stopped (SIGINT/SIGTERM)."""
    use_ca_bundle(settings)
    process = CrawlerProcess(scrapy_settings(settings))
    follow_cli_logging()
    process.crawl(SourcesSpider, sources=sources, queue=queue, once=once)
    process.start()


def follow_cli_logging() -> None:
    """Scrapy sets its loggers to DEBUG: follow the level the command line configured instead (which
    lets only Scrapy's warnings through unless -v), with one line for an unreachable host."""
    logging.getLogger("scrapy").setLevel(logging.getLogger().getEffectiveLevel())
    for name in ONE_LINE_LOGGERS:
        logging.getLogger(name).addFilter(WithoutTraceback())


def use_ca_bundle(settings: Settings) -> None:
    """Trust the CAs in COMMUNIQUE_CA_BUNDLE (some Russian sites use a state root CA that default trust
    stores lack); Twisted's certificate check reads the file OpenSSL's SSL_CERT_FILE names."""
    if settings.ca_bundle is not None:
        os.environ["SSL_CERT_FILE"] = str(settings.ca_bundle)
