"""Feeds and sitemaps that declare XML entities are refused.

lxml (under Scrapy's Selector) leaves entities unexpanded, so no entity bomb goes off and no file is
read; but a bomb then came out as a feed or sitemap of no items and no error. No real feed or sitemap
declares entities of its own, so declaring any is a counted source error that says why.
"""

from __future__ import annotations

import re
from typing import Final

from crawler.items import SiteChangedError

# A document type's declarations come before the root element, within the first kilobytes.
PROLOG_BYTES: Final = 65_536
_DECLARES_ENTITIES: Final = re.compile(rb"<!DOCTYPE[^>\[]*\[[^\]]*<!ENTITY", re.IGNORECASE)


def refuse_declared_entities(body: bytes, kind: str) -> None:
    """SiteChangedError when the XML's document type declares entities."""
    if _DECLARES_ENTITIES.search(body[:PROLOG_BYTES]):
        raise SiteChangedError(f"not a {kind}: it declares XML entities (an entity bomb or an XXE attempt)")
