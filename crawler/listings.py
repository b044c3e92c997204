"""Reading an HTML listing page: article links by CSS or XPath selector, and the next page."""

from __future__ import annotations

import re

from parsel import Selector as ParselSelector
from scrapy.http import Response, TextResponse

from communique.sources import ListingSource
from crawler.items import Entry, Found, SiteChangedError


def read_listing(response: Response, source: ListingSource) -> Found:
    """The article links the selector picks (deduplicated, in page order) and the next listing page."""
    if not isinstance(response, TextResponse):
        raise SiteChangedError("not a listing: binary response")
    nodes = response.xpath(source.links_xpath) if source.links_xpath else response.css(source.links or "")
    pattern = re.compile(source.link_pattern) if source.link_pattern else None
    seen: dict[str, None] = {}
    for node in nodes:
        href = _href(node)
        if href is None:
            continue
        url = response.urljoin(href.strip())
        if url.startswith(("http://", "https://")) and (pattern is None or pattern.search(url)):
            seen.setdefault(url, None)
    if not seen:
        raise SiteChangedError(f"no article links match {source.links_xpath or source.links!r}")
    more = []
    if source.next_page and (pages := response.css(source.next_page)):
        href = _href(pages[0])
        if href:
            more.append(response.urljoin(href.strip()))
    return Found([Entry(url) for url in seen], more)


def _href(node: ParselSelector) -> str | None:
    """The link a selected node stands for: an attribute or text node itself, its href, or its first a."""
    if isinstance(node.root, str):
        return node.root
    return node.xpath("@href").get() or node.xpath(".//a/@href").get()
