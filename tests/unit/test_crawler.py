"""Golden tests of the spider, the snapshot pipeline and conditional GET, without a network."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import CannotResolveHostError
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from twisted.internet.error import ConnectionRefusedError as RefusedError
from twisted.internet.error import TimeoutError as DownloadTimeoutError
from twisted.python.failure import Failure

from communique.model import FetchState, Stage
from communique.settings import Settings
from communique.sources import FeedSource, PageSource, Source
from crawler.adapters import canonical_url
from crawler.items import FetchItem
from crawler.middlewares import (
    ConditionalGetMiddleware,
)
from crawler.pipelines import SnapshotPipeline
from crawler.settings import probe_settings, scrapy_settings
from crawler.spiders.sources import SourcesSpider
from storage.database import Database, open_database
from storage.fetches import (
    Fetch,
    fetch_row,
    mark_polled,
    record_fetch,
    snapshot,
    sync_sources,
)
from tests.conftest import RecordingQueue

FEEDS = Path(__file__).parents[3] / "shared" / "fixtures" / "real-html" / "feeds"
LABELS = json.loads((FEEDS / "labels.json").read_text(encoding="utf-8"))

PAGE = PageSource(id="mid", url="https://example.org/statement?b=2&a=1")
ATOM = FeedSource(id="atom", url="http://example.org/feed.atom")
RSS = FeedSource(id="rss", url="http://www.example.com/feed.rss")

ARTICLE = b"<html><head><title>Joint statement</title></head><body><p>Hai ben nhat tri.</p></body></html>"


@pytest.fixture
def queue() -> RecordingQueue:
    """A fresh recording queue."""
    return RecordingQueue()


@pytest.fixture
def db(storage_settings: Settings) -> Iterator[Database]:
    """A migrated database holding the test sources: SQLite, then PostgreSQL."""
    database = open_database(storage_settings)
    sync_sources(database, [PAGE, ATOM, RSS])
    yield database
    database.close()


@pytest.fixture
def spider(queue: RecordingQueue, db: Database) -> SourcesSpider:
    """The spider for the three test sources, as `crawl --once` builds it."""
    built = SourcesSpider(sources=[PAGE, ATOM, RSS], queue=queue, once=True)
    built.db = db
    return built


@pytest.fixture
def pipeline(db: Database, queue: RecordingQueue) -> SnapshotPipeline:
    """The pipeline, with a stand-in crawler whose spider carries the queue."""
    return SnapshotPipeline(db, SimpleNamespace(spider=SimpleNamespace(queue=queue)))  # type: ignore[arg-type]


def request_for(source: Source, url: str | None = None, **meta: Any) -> Request:
    """A request as the spider makes it for a source."""
    return Request(url or source.url, meta={"source": source, "conditional": True, **meta})


def response(
    cls: type[Response], request: Request, body: bytes, status: int = 200, **headers: str
) -> Response:
    """A response to `request`, as the downloader would hand it to a callback."""
    return cls(url=request.url, body=body, status=status, headers=headers, request=request)


def error_count(db: Database, source_id: str) -> int:
    """How many errors storage has counted for a source."""
    row = db.row("SELECT error_count FROM sources WHERE id = ?", (source_id,))
    assert row is not None
    return int(row["error_count"])


def fetches(db: Database) -> list[tuple[str, int | None, str]]:
    """(url, status, state) of every stored fetch, in order."""
    return [(row["url"], row["status"], row["state"]) for row in db.rows("SELECT * FROM fetches ORDER BY id")]


# --- parse_page ----------------------------------------------------------------------------------


def test_parse_page_yields_one_item_to_extract(spider: SourcesSpider) -> None:
    request = request_for(PAGE, download_latency=0.25)
    headers = {"Content-Type": "text/html; charset=utf-8", "Last-Modified": "Sat, 10 May 2025"}
    page = response(HtmlResponse, request, ARTICLE, ETag='"v1"', **headers)
    [item] = list(spider.parse_page(page))
    assert item == FetchItem(
        source_id="mid",
        url="https://example.org/statement?a=1&b=2",  # canonical: query sorted
        status=200,
        body=ARTICLE,
        encoding="utf-8",
        etag='"v1"',
        last_modified="Sat, 10 May 2025",
        elapsed_ms=250.0,
        error=None,
        extract=True,
    )


def test_parse_page_reports_the_charset(spider: SourcesSpider) -> None:
    body = "<p>Совместное заявление</p>".encode("cp1251")
    page = response(
        HtmlResponse, request_for(PAGE), body, **{"Content-Type": "text/html; charset=windows-1251"}
    )
    [item] = list(spider.parse_page(page))
    assert item.encoding == "cp1251"
    assert item.body == body


def test_parse_page_passes_http_errors_on(spider: SourcesSpider) -> None:
    [item] = list(spider.parse_page(response(HtmlResponse, request_for(PAGE), b"busy", status=503)))
    assert (item.status, item.error, item.extract) == (503, None, True)


def test_parse_page_refuses_a_binary_body(spider: SourcesSpider) -> None:
    page = response(Response, request_for(PAGE), b"%PDF-1.7", **{"Content-Type": "application/pdf"})
    [item] = list(spider.parse_page(page))
    assert item.error == "not a text page: application/pdf"
    assert item.encoding is None


# --- parse_feed ----------------------------------------------------------------------------------


def feed_output(spider: SourcesSpider, source: Source, fixture: str, cls: type[Response]) -> list[Any]:
    """Everything parse_feed yields for a saved feed."""
    body = (FEEDS / fixture).read_bytes()
    return list(spider.parse_listing(response(cls, request_for(source, page=1), body)))


@pytest.mark.parametrize(
    ("source", "fixture", "entries"),
    [
        # The second Atom entry has only a rel="self" link (the entry document, not an article page).
        (ATOM, "feed1.atom", ["http://example.org/2003/12/13/atom03"]),
        (RSS, "feed2.rss", ["http://www.example.com/blog/post/1"]),
    ],
)
@pytest.mark.parametrize("cls", [XmlResponse, TextResponse, HtmlResponse], ids=lambda cls: cls.__name__)
def test_parse_feed_records_the_feed_then_requests_its_entries(
    spider: SourcesSpider, source: Source, fixture: str, entries: list[str], cls: type[Response]
) -> None:
    # Scrapy picks the response class from Content-Type: servers send feeds as XML, text or even HTML.
    item, *requests = feed_output(spider, source, fixture, cls)
    assert isinstance(item, FetchItem)
    assert (item.source_id, item.url, item.status, item.extract) == (source.id, source.url, 200, False)
    assert item.body == (FEEDS / fixture).read_bytes()
    assert all(isinstance(request, Request) for request in requests)
    assert [request.url for request in requests] == entries
    for request in requests:
        assert request.callback == spider.parse_page
        assert request.errback == spider.on_error
        assert request.dont_filter
        assert request.meta == {
            "source": source,
            "conditional": True,
        }


def test_rss_fixture_entries_match_its_label(spider: SourcesSpider) -> None:
    _, *requests = feed_output(spider, RSS, "feed2.rss", XmlResponse)
    assert len(requests) == LABELS["feed2.rss"]["counts"]["items"]


def rss(links: list[str]) -> bytes:
    """A small RSS feed with these item links, in order."""
    items = "".join(f"<item><title>t</title><link>\n  {link}\n  </link></item>" for link in links)
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>{items}</channel></rss>'.encode()
    )


@pytest.mark.parametrize(("max_items", "expected"), [(1, 1), (3, 3), (5, 5), (30, 5)])
def test_parse_feed_follows_at_most_max_items(spider: SourcesSpider, max_items: int, expected: int) -> None:
    source = Source(id="rss", kind="feed", url="http://www.example.com/feed.rss", max_items=max_items)
    links = [f"/news/{n}" for n in range(5)]
    _, *requests = list(spider.parse_listing(response(XmlResponse, request_for(source), rss(links))))
    assert [request.url for request in requests] == [
        f"http://www.example.com/news/{n}" for n in range(expected)
    ]
    assert all(request.meta["source"] is source for request in requests)


def test_parse_feed_atom_fixture_respects_max_items(spider: SourcesSpider) -> None:
    source = ATOM.model_copy(update={"max_items": 1})
    _, *requests = feed_output(spider, source, "feed1.atom", XmlResponse)
    assert len(requests) == 1


@pytest.mark.parametrize("status", [304, 404, 503])
def test_parse_feed_requests_nothing_without_a_fresh_feed(spider: SourcesSpider, status: int) -> None:
    body = b"" if status == 304 else rss(["/news/1"])
    output = list(spider.parse_listing(response(XmlResponse, request_for(RSS), body, status=status)))
    assert len(output) == 1
    assert output[0].status == status


# --- on_error ------------------------------------------------------------------------------------


def failure_for(exception: Exception, request: Request) -> Failure:
    """A Failure as Scrapy hands it to an errback: the exception, with the request attached."""
    try:
        raise exception
    except type(exception):
        failure = Failure()
    failure.request = request  # type: ignore[attr-defined]
    return failure


@pytest.mark.parametrize(
    ("exception", "name"),
    [
        (CannotResolveHostError("nxdomain.example"), "CannotResolveHostError"),
        (RefusedError(), "ConnectionRefusedError"),
        (DownloadTimeoutError(), "TimeoutError"),
    ],
)
@pytest.mark.parametrize(
    "case", [(PAGE, "parse_page", True), (RSS, "parse_listing", False)], ids=["page", "feed"]
)
def test_on_error_yields_a_failed_item(
    spider: SourcesSpider, exception: Exception, name: str, case: tuple[Source, str, bool]
) -> None:
    source, callback, extract = case
    request = request_for(source).replace(callback=getattr(spider, callback), errback=spider.on_error)
    [item] = list(spider.on_error(failure_for(exception, request)))
    assert item.source_id == source.id
    assert item.url == canonical_url(source.url)
    assert item.status is None
    assert item.body == b""
    assert item.extract is extract
    assert item.error is not None
    assert item.error.startswith(f"{name}: ")


def test_on_error_keeps_the_message(spider: SourcesSpider) -> None:
    request = request_for(PAGE).replace(callback=spider.parse_page)
    [item] = list(spider.on_error(failure_for(CannotResolveHostError("nxdomain.example"), request)))
    assert item.error == "CannotResolveHostError: nxdomain.example"


# --- start ---------------------------------------------------------------------------------------


def start_requests(spider: SourcesSpider) -> list[Request]:
    """The requests the spider starts with."""

    async def collect() -> list[Request]:
        return [request async for request in spider.start()]

    return asyncio.run(collect())


def test_once_polls_every_source_with_its_callback(spider: SourcesSpider, db: Database) -> None:
    mark_polled(db, "mid")  # not due, but `once` polls everything
    spider.db = db
    requests = start_requests(spider)
    assert [(r.url, r.callback) for r in requests] == [
        (PAGE.url, spider.parse_page),
        (ATOM.url, spider.parse_listing),
        (RSS.url, spider.parse_listing),
    ]
    assert all(r.meta["conditional"] and r.errback == spider.on_error for r in requests)
    assert db.row("SELECT COUNT(*) FROM sources WHERE last_polled_at IS NULL")[0] == 0  # type: ignore[index]


def test_service_polls_only_due_sources(queue: RecordingQueue, db: Database) -> None:
    spider = SourcesSpider(sources=[PAGE, ATOM, RSS], queue=queue, once=False)
    spider.db = db
    mark_polled(db, "atom")
    assert [r.meta["source"].id for r in start_requests(spider)] == ["mid", "rss"]
    assert start_requests(spider) == []  # all polled just now


# --- SnapshotPipeline ----------------------------------------------------------------------------


def page_item(body: bytes = ARTICLE, status: int = 200, **fields: Any) -> FetchItem:
    """A page item as parse_page yields it."""
    return FetchItem(source_id="mid", url="https://example.org/a", status=status, body=body, **fields)


def test_new_page_is_stored_and_queued_for_extraction(
    pipeline: SnapshotPipeline, db: Database, queue: RecordingQueue, spider: SourcesSpider
) -> None:
    page = response(
        HtmlResponse, request_for(PAGE), ARTICLE, ETag='"v1"', **{"Content-Type": "text/html; charset=utf-8"}
    )
    [item] = list(spider.parse_page(page))
    assert pipeline.process_item(item) is item
    [(stage, fetch_id)] = queue.jobs
    assert stage == Stage.EXTRACT
    row = fetch_row(db, fetch_id)
    assert row is not None
    assert (row["url"], row["status"], row["state"], row["etag"]) == (
        item.url,
        200,
        FetchState.FETCHED,
        '"v1"',
    )
    assert row["bytes"] == len(ARTICLE)
    assert snapshot(db, row["content_hash"]) == (ARTICLE, "utf-8")
    assert error_count(db, "mid") == 0


def test_same_body_again_is_not_modified(
    pipeline: SnapshotPipeline, db: Database, queue: RecordingQueue
) -> None:
    pipeline.process_item(page_item())
    pipeline.process_item(page_item())
    assert len(queue.jobs) == 1
    assert [state for _, _, state in fetches(db)] == [FetchState.FETCHED, FetchState.NOT_MODIFIED]
    assert db.row("SELECT COUNT(*) FROM snapshots")[0] == 1  # type: ignore[index]


def test_changed_body_is_queued_again(
    pipeline: SnapshotPipeline, db: Database, queue: RecordingQueue
) -> None:
    pipeline.process_item(page_item(b"<p>one</p>"))
    pipeline.process_item(page_item(b"<p>two</p>"))
    pipeline.process_item(page_item(b"<p>one</p>"))  # back to the first text: a change from the last
    assert [stage for stage, _ in queue.jobs] == [Stage.EXTRACT] * 3
    assert [state for _, _, state in fetches(db)] == [FetchState.FETCHED] * 3


def test_same_body_at_another_url_is_queued(pipeline: SnapshotPipeline, queue: RecordingQueue) -> None:
    pipeline.process_item(page_item())
    pipeline.process_item(FetchItem("mid", "https://example.org/b", 200, ARTICLE))
    assert len(queue.jobs) == 2


def test_304_is_not_modified(pipeline: SnapshotPipeline, db: Database, queue: RecordingQueue) -> None:
    pipeline.process_item(page_item(b"", status=304))
    assert queue.jobs == []
    assert fetches(db) == [("https://example.org/a", 304, FetchState.NOT_MODIFIED)]
    assert error_count(db, "mid") == 0
    assert db.row("SELECT last_ok_at FROM sources WHERE id = 'mid'")[0] is not None  # type: ignore[index]


@pytest.mark.parametrize(
    ("item", "error"),
    [
        (page_item(b"Service Unavailable", status=503), "HTTP 503"),
        (page_item(b"", status=404), "HTTP 404"),
        (
            FetchItem("mid", "https://example.org/a", None, error="CannotResolveHostError: x"),
            "CannotResolveHostError: x",
        ),
        (page_item(b"%PDF", error="not a text page: application/pdf"), "not a text page: application/pdf"),
    ],
)
def test_errors_are_failed_fetches_counted_against_the_source(
    pipeline: SnapshotPipeline, db: Database, queue: RecordingQueue, item: FetchItem, error: str
) -> None:
    pipeline.process_item(item)
    pipeline.process_item(item)
    assert queue.jobs == []
    rows = db.rows("SELECT state, error, content_hash FROM fetches ORDER BY id")
    assert [tuple(row) for row in rows] == [(FetchState.FAILED, error, None)] * 2
    assert error_count(db, "mid") == 2
    assert db.row("SELECT last_error FROM sources WHERE id = 'mid'")[0] == error  # type: ignore[index]


def test_feed_is_listed_and_not_queued(
    pipeline: SnapshotPipeline, db: Database, queue: RecordingQueue, spider: SourcesSpider
) -> None:
    body = (FEEDS / "feed2.rss").read_bytes()
    item, *_ = list(spider.parse_listing(response(XmlResponse, request_for(RSS), body)))
    pipeline.process_item(item)
    pipeline.process_item(item)  # a feed is read for its links every time, changed or not
    assert queue.jobs == []
    assert fetches(db) == [(RSS.url, 200, FetchState.LISTED)] * 2
    row = db.row("SELECT content_hash FROM fetches")
    assert row is not None
    assert snapshot(db, row["content_hash"])[0] == body


def test_feed_to_pages_end_to_end(
    pipeline: SnapshotPipeline, db: Database, queue: RecordingQueue, spider: SourcesSpider
) -> None:
    body = (FEEDS / "feed1.atom").read_bytes()
    feed_item, *requests = list(spider.parse_listing(response(XmlResponse, request_for(ATOM), body)))
    pipeline.process_item(feed_item)
    for request in requests:
        for item in request.callback(response(HtmlResponse, request, ARTICLE)):
            pipeline.process_item(item)
    assert fetches(db) == [
        (ATOM.url, 200, FetchState.LISTED),
        ("http://example.org/2003/12/13/atom03", 200, FetchState.FETCHED),
    ]
    assert [stage for stage, _ in queue.jobs] == [Stage.EXTRACT]


# --- ConditionalGetMiddleware --------------------------------------------------------------------


def stored_200(db: Database, url: str, etag: str | None, last_modified: str | None) -> None:
    """A previous successful fetch of `url` with these validators."""
    fetch = Fetch(
        "mid", url, 200, FetchState.FETCHED, etag=etag, last_modified=last_modified, content_hash="h"
    )
    record_fetch(db, fetch, body=b"x")


@pytest.mark.parametrize(
    ("etag", "last_modified"),
    [('"abc"', "Sat, 10 May 2025 05:39:00 GMT"), ('W/"abc"', None), (None, "Sat, 10 May 2025 05:39:00 GMT")],
)
def test_conditional_get_sends_stored_validators(
    db: Database, etag: str | None, last_modified: str | None
) -> None:
    request = request_for(PAGE)
    stored_200(db, canonical_url(request.url), etag, last_modified)
    assert ConditionalGetMiddleware(db).process_request(request) is None
    assert request.headers.get(b"If-None-Match") == (etag.encode() if etag else None)
    assert request.headers.get(b"If-Modified-Since") == (last_modified.encode() if last_modified else None)


def test_conditional_get_uses_the_latest_200(db: Database) -> None:
    request = request_for(PAGE)
    url = canonical_url(request.url)
    stored_200(db, url, '"old"', None)
    stored_200(db, url, '"new"', None)
    record_fetch(db, Fetch("mid", url, 304, FetchState.NOT_MODIFIED, etag='"from-304"'))
    ConditionalGetMiddleware(db).process_request(request)
    assert request.headers.get(b"If-None-Match") == b'"new"'


def test_conditional_get_leaves_other_requests_alone(db: Database) -> None:
    stored_200(db, canonical_url(PAGE.url), '"abc"', "Sat, 10 May 2025 05:39:00 GMT")
    unmarked = Request(PAGE.url)  # robots.txt and other requests not marked conditional
    never_seen = request_for(PAGE, "https://example.org/other")
    for request in (unmarked, never_seen):
        ConditionalGetMiddleware(db).process_request(request)
        assert b"If-None-Match" not in request.headers
        assert b"If-Modified-Since" not in request.headers


def test_conditional_get_then_304_is_not_modified(
    pipeline: SnapshotPipeline, db: Database, queue: RecordingQueue, spider: SourcesSpider
) -> None:
    first = request_for(PAGE)
    for item in spider.parse_page(response(HtmlResponse, first, ARTICLE, ETag='"v1"')):
        pipeline.process_item(item)
    again = request_for(PAGE)
    ConditionalGetMiddleware(db).process_request(again)
    assert again.headers.get(b"If-None-Match") == b'"v1"'
    for item in spider.parse_page(response(HtmlResponse, again, b"", status=304)):
        pipeline.process_item(item)
    assert [state for _, _, state in fetches(db)] == [FetchState.FETCHED, FetchState.NOT_MODIFIED]
    assert len(queue.jobs) == 1


def test_the_crawler_opens_no_control_ports() -> None:
    configured = scrapy_settings(Settings())
    assert configured["TELNETCONSOLE_ENABLED"] is False
    assert configured["REMOTE_CONTROL_ENABLED"] is False


def test_probe_settings_store_nothing() -> None:
    configured = probe_settings(Settings())
    assert configured["ITEM_PIPELINES"] == {}
    assert "crawler.middlewares.ConditionalGetMiddleware" not in configured["DOWNLOADER_MIDDLEWARES"]
    assert configured["ROBOTSTXT_OBEY"] is True
