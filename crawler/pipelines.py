"""The crawler's only output: store the fetch (and a changed body) and queue its extraction."""

from __future__ import annotations

import hashlib
import logging

from scrapy.crawler import Crawler

from communique.model import FetchState, JobQueue, Stage
from crawler.items import FetchItem
from storage.database import Database, open_database
from storage.fetches import Fetch, last_validators, record_fetch, record_source_result

log = logging.getLogger(__name__)


class SnapshotPipeline:
    """Records every fetch; queues `extract` only when the body differs from the last one seen."""

    def __init__(self, db: Database, crawler: Crawler, max_page_bytes: int | None = None) -> None:
        self.db = db
        self.crawler = crawler
        self.max_page_bytes = max_page_bytes

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SnapshotPipeline:
        """Storage from the communique settings; the queue is the spider's (settings are deep-copied)."""
        settings = crawler.settings["COMMUNIQUE_SETTINGS"]
        return cls(open_database(settings), crawler, settings.max_page_bytes)

    @property
    def queue(self) -> JobQueue:
        """The queue the spider was given."""
        queue: JobQueue = self.crawler.spider.queue  # type: ignore[union-attr]
        return queue

    def process_item(self, item: FetchItem) -> FetchItem:
        """Store one fetch."""
        error = (
            item.error
            or (None if item.status in (200, 304) else f"HTTP {item.status}")
            or self._too_large(item)
        )
        record_source_result(self.db, item.source_id, error)
        if error is not None:
            log.warning("source %s: %s for %s", item.source_id, error, item.url)
            self._record(item, FetchState.FAILED, error=error)
        elif item.status == 304:
            self._record(item, FetchState.NOT_MODIFIED)
        elif not item.extract:
            self._record(item, FetchState.LISTED, content_hash=_hash(item.body), body=item.body)
        else:
            self._store_page(item)
        return item

    def _too_large(self, item: FetchItem) -> str | None:
        """Scrapy cancels larger downloads (DOWNLOAD_MAXSIZE); a body that got here anyway is not stored."""
        if self.max_page_bytes is not None and len(item.body) > self.max_page_bytes:
            return f"too large: {len(item.body):,} bytes > limit {self.max_page_bytes:,}"
        return None

    def _store_page(self, item: FetchItem) -> None:
        content_hash = _hash(item.body)
        known = last_validators(self.db, item.url)
        if known is not None and known["content_hash"] == content_hash:
            self._record(item, FetchState.NOT_MODIFIED, content_hash=content_hash)
            return
        fetch_id = self._record(item, FetchState.FETCHED, content_hash=content_hash, body=item.body)
        self.queue.enqueue(Stage.EXTRACT, fetch_id)

    def _record(
        self,
        item: FetchItem,
        state: FetchState,
        *,
        content_hash: str | None = None,
        body: bytes | None = None,
        error: str | None = None,
    ) -> int:
        fetch = Fetch(
            source_id=item.source_id,
            url=item.url,
            status=item.status,
            state=state,
            etag=item.etag,
            last_modified=item.last_modified,
            content_hash=content_hash,
            bytes=len(item.body),
            elapsed_ms=item.elapsed_ms,
            error=error,
        )
        return record_fetch(self.db, fetch, body=body, encoding=item.encoding)


def _hash(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()
