"""Conditional GET: send the validators of the last fetch so an unchanged page costs a 304."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler

from storage.database import Database, open_database
from storage.fetches import last_validators


class ConditionalGetMiddleware:
    """Adds If-None-Match / If-Modified-Since to requests marked `conditional` in their meta."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        """Open storage from the communique settings."""
        return cls(open_database(crawler.settings["COMMUNIQUE_SETTINGS"]))

    def process_request(self, request: Request) -> Any:
        """Add the validators, if the URL was fetched before and the server gave some."""
        if not request.meta.get("conditional"):
            return None
        known = last_validators(self.db, request.meta.get("canonical_url", request.url))
        if known is not None:
            if known["etag"]:
                request.headers.setdefault(b"If-None-Match", known["etag"])
            if known["last_modified"]:
                request.headers.setdefault(b"If-Modified-Since", known["last_modified"])
        return None
