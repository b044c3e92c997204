"""The source kinds the spider knows: how each reads its listing pages, and where it starts."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from scrapy.http import Response

from communique.sources import DATE_PLACEHOLDER, FeedSource, ListingSource, SitemapSource, Source
from crawler.feeds import read_feed
from crawler.items import Found
from crawler.listings import read_listing
from crawler.sitemaps import read_sitemap

# How a kind reads one of its listing pages; `page` has none: its one URL is the article.
READERS: dict[str, Callable[[Response, Any], Found]] = {
    "feed": read_feed,
    "sitemap": read_sitemap,
    "listing": read_listing,
}

# A sitemap index may point to further indexes; three levels is more than any site uses.
SITEMAP_DEPTH = 3


def page_limit(source: Source) -> int:
    """How many listing pages deep one poll of the source reads (next pages, sub-sitemaps)."""
    if isinstance(source, FeedSource | ListingSource):
        return source.max_pages
    return SITEMAP_DEPTH if isinstance(source, SitemapSource) else 1


def start_urls(source: Source, at: float | None = None) -> list[str]:
    """The URLs one poll starts from: the source URL, or one per recent day for a `{date}` sitemap."""
    if not isinstance(source, SitemapSource) or DATE_PLACEHOLDER not in source.url:
        return [source.url]
    today = dt.datetime.fromtimestamp(time.time() if at is None else at, ZoneInfo(source.timezone)).date()
    days = (today - dt.timedelta(days=n) for n in range(source.days))
    return [source.url.replace(DATE_PLACEHOLDER, day.isoformat()) for day in days]
