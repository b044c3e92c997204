"""Reading a feed: RSS 2.0, RSS 1.0 (RDF), Atom (with rel="next" paging) and JSON Feed."""

from __future__ import annotations

import json

from scrapy import Selector
from scrapy.http import Response, TextResponse

from communique.sources import Source
from crawler.items import Entry, Found, SiteChangedError
from crawler.timestamps import parse_timestamp
from crawler.xml_entities import refuse_declared_entities

FEED_ROOTS = ("rss", "feed", "RDF")
PERMALINK_GUID = "guid[not(@isPermaLink='false')]/text()"


def read_feed(response: Response, source: Source) -> Found:
    """Entries (newest first, as the feed lists them) and the next feed page, if the feed has one."""
    if not isinstance(response, TextResponse):
        raise SiteChangedError("not a feed: binary response")
    if response.text.lstrip().startswith("{"):
        return _json_feed(response)
    refuse_declared_entities(response.body, "feed")
    # Parsed as XML whatever the Content-Type: as HTML, RSS <link> is a void element and loses its URL.
    selector = Selector(response, type="xml")
    selector.remove_namespaces()
    root = selector.xpath("/*")
    name = root[0].xpath("name()").get() if root else None
    if name not in FEED_ROOTS:
        raise SiteChangedError(f"not a feed: root element <{name or 'none'}>")
    entries = [
        Entry(response.urljoin(link.strip()), parse_timestamp(item.xpath("pubDate/text()").get()))
        for item in selector.xpath("//item")
        if (link := item.xpath("link/text()").get() or item.xpath(PERMALINK_GUID).get())
    ]
    for entry in selector.xpath("//entry"):
        link = entry.xpath("link[not(@rel) or @rel='alternate']/@href").get()
        if link:
            changed = entry.xpath("updated/text()").get() or entry.xpath("published/text()").get()
            entries.append(Entry(response.urljoin(link.strip()), parse_timestamp(changed)))
    next_page = selector.xpath("/*/link[@rel='next']/@href | /rss/channel/link[@rel='next']/@href").get()
    return Found(entries, [response.urljoin(next_page.strip())] if next_page else [])


def _json_feed(response: TextResponse) -> Found:
    try:
        feed = json.loads(response.text)
    except ValueError as exc:
        raise SiteChangedError(f"not a feed: invalid JSON ({exc})") from exc
    if not isinstance(feed, dict) or "jsonfeed.org" not in str(feed.get("version", "")):
        raise SiteChangedError("not a feed: JSON without a jsonfeed.org version")
    entries = [
        Entry(
            response.urljoin(str(item.get("url") or item.get("external_url")).strip()),
            parse_timestamp(item.get("date_modified") or item.get("date_published")),
        )
        for item in feed.get("items", [])
        if isinstance(item, dict) and (item.get("url") or item.get("external_url"))
    ]
    next_url = feed.get("next_url")
    return Found(entries, [response.urljoin(next_url)] if isinstance(next_url, str) else [])
