"""Reading a sitemap: an index (its newest news shards) or a urlset (its recent URLs); gzip or not."""

from __future__ import annotations

import re
import time
from collections import Counter

from scrapy import Selector
from scrapy.http import Response
from scrapy.utils.gz import gunzip

from communique.sources import SitemapSource
from crawler.items import Entry, Found, SiteChangedError
from crawler.timestamps import parse_timestamp
from crawler.xml_entities import refuse_declared_entities

MAX_UNZIPPED = 50 * 1024 * 1024  # the sitemap protocol's own limit
# So many sub-sitemaps stamped with the very same lastmod are stamped when the index is generated:
# their lastmod says nothing about their content (category and tag sitemaps).
STAMPED_GROUP = 3
DAY = 86400.0


def read_sitemap(response: Response, source: SitemapSource, at: float | None = None) -> Found:
    """The sub-sitemaps worth reading (from an index) or the recent article URLs (from a urlset)."""
    body = _xml_bytes(response)
    refuse_declared_entities(body, "sitemap")
    selector = Selector(body=body, type="xml")
    selector.remove_namespaces()
    root = selector.xpath("/*")
    name = root[0].xpath("name()").get() if root else None
    cutoff = None if source.max_age_days is None else (at or time.time()) - source.max_age_days * DAY
    if name == "sitemapindex":
        return Found(more=_shards(response, selector, source, cutoff))
    if name == "urlset":
        entries = _urls(response, selector, cutoff)
        if source.urls:
            pattern = re.compile(source.urls)
            entries = [entry for entry in entries if pattern.search(entry.url)]
        return Found(entries=entries)
    raise SiteChangedError(f"not a sitemap: root element <{name or 'none'}>")


def _xml_bytes(response: Response) -> bytes:
    body = response.body
    if body[:2] == b"\x1f\x8b":
        try:
            return gunzip(body, max_size=MAX_UNZIPPED)
        except (OSError, EOFError) as exc:
            raise SiteChangedError(f"not a sitemap: broken gzip ({exc})") from exc
    return body


def _shards(response: Response, selector: Selector, source: SitemapSource, cutoff: float | None) -> list[str]:
    listed = [
        (response.urljoin(loc.strip()), (node.xpath("lastmod/text()").get() or "").strip())
        for node in selector.xpath("//sitemap")
        if (loc := node.xpath("loc/text()").get())
    ]
    stamps = Counter(lastmod for _, lastmod in listed if lastmod)
    pattern = re.compile(source.shards) if source.shards else None
    kept = []
    for url, lastmod in listed:
        if pattern is not None:
            if not pattern.search(url):
                continue
        elif lastmod and stamps[lastmod] >= STAMPED_GROUP:
            continue
        when = parse_timestamp(lastmod)
        if cutoff is not None and when is not None and when < cutoff:
            continue
        kept.append((when or 0.0, _numbers(url), url))
    kept.sort(reverse=True)  # newest first: by lastmod, then by the dates written in the URL
    return [url for _, _, url in kept[: source.max_shards]]


def _urls(response: Response, selector: Selector, cutoff: float | None) -> list[Entry]:
    entries = []
    for node in selector.xpath("//url"):
        loc = node.xpath("loc/text()").get()
        if not loc:
            continue
        stamp = node.xpath("lastmod/text()").get() or node.xpath("news/publication_date/text()").get()
        when = parse_timestamp(stamp)
        if cutoff is not None and when is not None and when < cutoff:
            continue
        entries.append(Entry(response.urljoin(loc.strip()), when))
    # Newest first; undated URLs keep their order after the dated ones.
    return sorted(entries, key=lambda entry: -(entry.changed_at or 0.0))


def _numbers(url: str) -> tuple[int, ...]:
    """The numbers in a URL, so that news-2025-10.xml sorts after news-2025-9.xml."""
    return tuple(int(n) for n in re.findall(r"\d+", url))
