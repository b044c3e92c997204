"""Crawl policy without a network: canonical URLs, the revisit schedule, backoff, fallback, proxy,
start URLs by kind, and the shipped sources.yaml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import XmlResponse
from twisted.internet.error import TimeoutError as DownloadTimeoutError

from communique.settings import Settings
from communique.sources import FeedSource, PageSource, SitemapSource, Source, load_sources, specialise
from crawler.adapters import canonical_url
from crawler.items import FetchItem
from crawler.kinds import start_urls
from crawler.middlewares import BackingOff, BackoffMiddleware, ProxyMiddleware, retry_after
from crawler.pipelines import SnapshotPipeline
from crawler.settings import scrapy_settings
from crawler.spiders.sources import SourcesSpider
from interface.cli import cli
from storage.database import Database
from storage.fetches import claim_article, due_source_ids, mark_polled, revisit_delay
from tests.conftest import ROOT
from tests.unit.test_crawler import (
    ATOM,
    PAGE,
    RSS,
    RecordingQueue,
    db,
    error_count,
    failure_for,
    pipeline,
    queue,
    request_for,
    response,
    rss,
    spider,
    start_requests,
)

# The shared fixtures, used by name.
__all__ = ["db", "pipeline", "queue", "spider"]


# --- canonical URLs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        # Kremlin: one numeric id across news, transcripts and the country catalogue; www and https too.
        ("http://kremlin.ru/events/president/news/74333", "http://kremlin.ru/events/president/news/74333"),
        (
            "https://www.kremlin.ru/events/president/transcripts/74333/",
            "http://kremlin.ru/events/president/news/74333",
        ),
        (
            "http://kremlin.ru/catalog/countries/VN/events/74333",
            "http://kremlin.ru/events/president/news/74333",
        ),
        (
            "http://en.kremlin.ru/events/president/news/74333",
            "http://en.kremlin.ru/events/president/news/74333",
        ),
        (
            "http://en.kremlin.ru/catalog/countries/VN/events/74333",
            "http://en.kremlin.ru/events/president/news/74333",
        ),
        ("https://kremlin.ru/supplement/6141?print=1", "http://kremlin.ru/supplement/6141"),
        (
            "http://kremlin.ru/events/president/news/74333/photos",
            "http://kremlin.ru/events/president/news/74333/photos",
        ),
        # VietnamPlus: current, legacy and betaen. forms of one id.
        ("https://www.vietnamplus.vn/toan-van-post959000.vnp", "https://www.vietnamplus.vn/post959000.vnp"),
        (
            "https://www.vietnamplus.vn/toan-van-tuyen-bo/959000.vnp",
            "https://www.vietnamplus.vn/post959000.vnp",
        ),
        ("https://vietnamplus.vn/ten-moi-post959000.vnp", "https://www.vietnamplus.vn/post959000.vnp"),
        (
            "https://betaen.vietnamplus.vn/joint-statement-post288000.vnp",
            "https://en.vietnamplus.vn/post288000.vnp",
        ),
        ("https://en.vietnamplus.vn/joint-statement/288000.vnp", "https://en.vietnamplus.vn/post288000.vnp"),
        ("https://www.vietnamplus.vn/the-gioi/", "https://www.vietnamplus.vn/the-gioi/"),
        # Everything else: sorted query, no fragment, no default port, no utm_* tracking.
        ("HTTP://Example.ORG:80/a?b=2&a=1#top", "http://example.org/a?a=1&b=2"),
        (
            "https://tass.com/politics/1805001?utm_source=rss&utm_medium=x",
            "https://tass.com/politics/1805001",
        ),
        ("http://127.0.0.1:8080/news", "http://127.0.0.1:8080/news"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
    assert canonical_url(canonical) == canonical  # idempotent


@given(st.sampled_from(["http", "https"]), st.sampled_from(["", "www.", "en."]), st.integers(1, 10**7))
def test_kremlin_ids_are_one_document_per_language(scheme: str, prefix: str, number: int) -> None:
    paths = [f"/events/president/news/{number}", f"/events/president/transcripts/{number}"]
    paths.append(f"/catalog/countries/VN/events/{number}")
    canonicals = {canonical_url(f"{scheme}://{prefix}kremlin.ru{path}") for path in paths}
    assert len(canonicals) == 1


# --- revisits: the article schedule --------------------------------------------------------------


def test_revisit_delay_decays_with_age() -> None:
    hour, day = 3600.0, 86400.0
    delays = [revisit_delay(age) for age in (0, hour, 6 * hour, day, 7 * day, 30 * day)]
    assert delays == sorted(delays)  # type: ignore[type-var]
    assert delays[0] == 15 * 60  # often in the first hours
    assert delays[-1] == 7 * day  # rarely after weeks
    assert revisit_delay(61 * day) is None  # and then not at all
    assert revisit_delay(day, matched=True) == revisit_delay(day) / 4  # type: ignore[operator]


@given(st.floats(0, 59 * 86400), st.floats(0, 59 * 86400))
def test_revisit_delay_never_shrinks_as_articles_age(a: float, b: float) -> None:
    young, old = sorted((a, b))
    assert revisit_delay(young) <= revisit_delay(old)  # type: ignore[operator]


def claim(db: Database, at: float, changed_at: float | None = None, url: str = "https://e.org/a") -> bool:
    """Whether the article is due at `at` (and if so, it is scheduled again)."""
    return claim_article(db, url, fetch_url=url + "?from=feed", source_id="rss", changed_at=changed_at, at=at)


def test_an_article_is_fetched_when_new_then_when_due(db: Database) -> None:
    start = 1_000_000.0
    assert claim(db, start)  # new
    assert not claim(db, start + 60)  # listed again a minute later: not due
    assert claim(db, start + 15 * 60)  # first revisit after 15 minutes
    assert not claim(db, start + 16 * 60)
    row = db.row("SELECT fetch_url, first_seen, next_due FROM revisits")
    assert row is not None
    assert (row["fetch_url"], row["first_seen"]) == ("https://e.org/a?from=feed", start)
    assert row["next_due"] == start + 30 * 60  # age 15 min → still the 15 min floor


def test_a_listed_change_makes_an_article_due_at_once(db: Database) -> None:
    assert claim(db, 1000.0, changed_at=900.0)
    assert not claim(db, 1010.0, changed_at=900.0)  # same entry, same updated time
    assert claim(db, 1020.0, changed_at=1015.0)  # the feed says it was updated since we asked


def test_due_revisits_are_requested_by_a_poll(queue: RecordingQueue, db: Database) -> None:
    spider = SourcesSpider(sources=[PAGE, ATOM, RSS], queue=queue, once=False)
    spider.db = db
    for source_id in ("mid", "atom", "rss"):
        mark_polled(db, source_id)  # no source due: only revisits
    claim_article(db, "https://e.org/a", fetch_url="https://e.org/a-slug", source_id="rss", at=0.0)
    [request] = start_requests(spider)
    assert (request.url, request.callback, request.meta["source"]) == (
        "https://e.org/a-slug",
        spider.parse_page,
        RSS,
    )
    assert start_requests(spider) == []  # claimed: not due again at once


def test_a_feed_polled_again_requests_only_new_articles(spider: SourcesSpider) -> None:
    first = list(spider.parse_listing(response(XmlResponse, request_for(RSS, page=1), rss(["/a", "/b"]))))
    again = list(
        spider.parse_listing(response(XmlResponse, request_for(RSS, page=1), rss(["/c", "/a", "/b"])))
    )
    assert [r.url for r in first[1:]] == ["http://www.example.com/a", "http://www.example.com/b"]
    assert [r.url for r in again[1:]] == ["http://www.example.com/c"]


# --- politeness: backoff, fallback, proxy --------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "seconds"),
    [(b"120", 120.0), (b"Thu, 01 Jan 1970 00:16:40 GMT", 400.0), (b"soon", None), (None, None)],
)
def test_retry_after(header: bytes | None, seconds: float | None) -> None:
    assert retry_after(header, at=600.0) == seconds


@pytest.mark.parametrize("status", [429, 503])
def test_429_and_503_back_off_the_host_and_the_source(db: Database, status: int) -> None:
    middleware = BackoffMiddleware(db)
    request = request_for(RSS)
    answer = response(XmlResponse, request, b"slow down", status=status, **{"Retry-After": "120"})
    assert middleware.process_response(request, answer) is answer
    assert request.meta["backoff_s"] == 120
    with pytest.raises(BackingOff):
        middleware.process_request(request_for(RSS, "http://www.example.com/news/1"))
    assert middleware.process_request(request_for(ATOM)) is None  # other hosts go on
    assert due_source_ids(db, ["rss", "atom"], every=True) == ["atom"]  # not polled, even by --once
    backoff_until = db.row("SELECT backoff_until FROM sources WHERE id = 'rss'")[0]  # type: ignore[index]
    assert due_source_ids(db, ["rss"], at=backoff_until) == ["rss"]


def test_the_backoff_response_is_a_counted_error_saying_so(
    spider: SourcesSpider, pipeline: SnapshotPipeline, db: Database
) -> None:
    [item] = list(
        spider.parse_listing(response(XmlResponse, request_for(RSS, backoff_s=600), b"", status=429))
    )
    pipeline.process_item(item)
    assert item.error == "HTTP 429: backing off for 600 s"
    assert error_count(db, "rss") == 1


def test_a_request_dropped_by_backoff_records_nothing(spider: SourcesSpider) -> None:
    request = request_for(RSS).replace(callback=spider.parse_listing)
    assert list(spider.on_error(failure_for(BackingOff("slow"), request))) == []


def test_the_default_backoff_without_retry_after(db: Database) -> None:
    middleware = BackoffMiddleware(db)
    request = request_for(RSS)
    middleware.process_response(request, response(XmlResponse, request, b"", status=503))
    assert request.meta["backoff_s"] == BackoffMiddleware.DEFAULT_S


def test_429_is_not_retried_at_once() -> None:
    codes = scrapy_settings(Settings())["RETRY_HTTP_CODES"]
    assert 429 not in codes
    assert 503 not in codes
    assert 502 in codes


def test_plain_http_fallback_once(spider: SourcesSpider) -> None:
    source = PageSource(id="kremlin", url="https://kremlin.ru/events/president/news/1", http_fallback=True)
    request = request_for(source).replace(callback=spider.parse_page, errback=spider.on_error)
    [retry] = list(spider.on_error(failure_for(DownloadTimeoutError(), request)))
    assert isinstance(retry, Request)
    assert retry.url == "http://kremlin.ru/events/president/news/1"
    assert retry.meta["fallback"] is True
    [item] = list(spider.on_error(failure_for(DownloadTimeoutError(), retry)))
    assert isinstance(item, FetchItem)
    assert item.error is not None and item.error.startswith("TimeoutError")


def test_no_fallback_unless_asked(spider: SourcesSpider) -> None:
    request = request_for(PAGE).replace(callback=spider.parse_page)
    [item] = list(spider.on_error(failure_for(DownloadTimeoutError(), request)))
    assert isinstance(item, FetchItem)


def test_proxy_and_ca_bundle_settings(tmp_path: Path) -> None:
    with pytest.raises(NotConfigured):
        ProxyMiddleware.from_crawler(SimpleNamespace(settings={"COMMUNIQUE_SETTINGS": Settings()}))  # type: ignore[arg-type]
    settings = Settings(proxy_url="http://proxy.example:3128", ca_bundle=tmp_path / "ru-ca.pem")
    middleware = ProxyMiddleware.from_crawler(SimpleNamespace(settings={"COMMUNIQUE_SETTINGS": settings}))  # type: ignore[arg-type]
    request = request_for(PAGE)
    middleware.process_request(request)
    assert request.meta["proxy"] == "http://proxy.example:3128"
    assert scrapy_settings(settings)["DOWNLOAD_VERIFY_CERTIFICATES"] is True
    assert scrapy_settings(Settings())["DOWNLOAD_VERIFY_CERTIFICATES"] is False


def test_settings_read_proxy_and_ca_bundle_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMUNIQUE_PROXY_URL", "http://proxy.example:3128")
    monkeypatch.setenv("COMMUNIQUE_CA_BUNDLE", "/etc/ssl/ru.pem")
    settings = Settings()
    assert (settings.proxy_url, settings.ca_bundle) == ("http://proxy.example:3128", Path("/etc/ssl/ru.pem"))


# --- kinds: start URLs ---------------------------------------------------------------------------


def test_a_dated_sitemap_polls_today_and_the_days_before_in_its_time_zone() -> None:
    source = SitemapSource(
        id="vietnam-vn",
        url="https://www.vietnam.vn/sitemap/sitemap-post/{date}.xml",
        timezone="Asia/Ho_Chi_Minh",
    )
    at = dt.datetime(2025, 7, 7, 20, 0, tzinfo=dt.UTC).timestamp()  # already 8 July in Hanoi
    assert start_urls(source, at) == [
        "https://www.vietnam.vn/sitemap/sitemap-post/2025-07-08.xml",
        "https://www.vietnam.vn/sitemap/sitemap-post/2025-07-07.xml",
    ]
    assert start_urls(RSS) == [RSS.url]


def test_specialise_gives_a_plain_source_its_kind_defaults() -> None:
    plain = Source(id="f", kind="feed", url="https://example.org/feed")
    special = specialise(plain)
    assert isinstance(special, FeedSource)
    assert special.max_pages == 1
    assert specialise(special) is special


# --- the shipped sources.yaml --------------------------------------------------------------------

NAMED_BY_THE_USER = {
    # host: kinds it must be polled with
    "kremlin.ru": {"feed", "listing"},
    "en.kremlin.ru": {"feed", "listing"},
    "tass.ru": {"feed"},
    "tass.com": {"feed"},
    "www.vietnamplus.vn": {"feed", "sitemap"},
    "en.vietnamplus.vn": {"sitemap"},
    "vneconomy.vn": {"feed"},
    "tienphong.vn": {"feed"},
    "baoquocte.vn": {"feed"},
    "baochinhphu.vn": {"feed"},
    "en.baochinhphu.vn": {"listing"},
    "mofa.gov.vn": {"listing"},
    "www.vietnam.vn": {"sitemap"},
}


def test_shipped_sources_cover_every_site_the_user_named() -> None:
    shipped = load_sources(ROOT / "rules")
    kinds: dict[str, set[str]] = {}
    for source in shipped:
        kinds.setdefault(urlsplit(source.url).hostname or "", set()).add(source.kind)
        assert 300 <= source.interval <= 3600, source.id
        assert not source.allow_private
    assert kinds == NAMED_BY_THE_USER
    urls = {source.url for source in shipped}
    for path in (
        "/events/president/news/feed",
        "/events/president/transcripts/feed",
        "/catalog/countries/VN/events",
    ):
        assert {f"http://kremlin.ru{path}", f"http://en.kremlin.ru{path}"} <= urls
    assert {"/hoat-dong-doi-ngoai-cap-cao", "/nguoi-phat-ngon", "/hop-bao"} <= {
        urlsplit(url).path for url in urls if "mofa.gov.vn" in url
    }
    assert all(specialise(source) == source for source in shipped)


def test_sources_check_documents_itself() -> None:
    result = CliRunner().invoke(cli, ["sources", "check", "--help"])
    assert result.exit_code == 0
    assert "communique sources check" in result.output.split("Example:")[1]


def test_an_article_matched_to_a_statement_is_revisited_more_often(db: Database) -> None:
    url = "https://e.org/joint-statement"
    db.execute(
        "INSERT INTO documents (url, source_id, first_seen, last_seen) VALUES (?, 'rss', 0, 0)", (url,)
    )
    db.execute(
        "INSERT INTO versions (document_id, seq, text_hash, text, first_seen) VALUES (1, 1, 'h', 't', 0)"
    )
    assert claim(db, 0.0, url=url)
    db.execute(
        "INSERT INTO matches (version_id, relation, statement_id, result, created_at) "
        "VALUES (1, 'reprint', 's1', '{}', 0)"
    )
    assert claim(db, 86400.0, url=url)  # a day old: due (not revisited since the first fetch)
    row = db.row("SELECT next_due FROM revisits WHERE url = ?", (url,))
    assert row is not None
    assert row["next_due"] == 86400.0 + revisit_delay(86400.0) / 4  # type: ignore[operator]


def test_revisits_wait_for_a_source_that_backs_off(queue: RecordingQueue, db: Database) -> None:
    spider = SourcesSpider(sources=[PAGE, ATOM, RSS], queue=queue, once=True)
    spider.db = db
    claim_article(db, "https://e.org/a", fetch_url="https://e.org/a", source_id="rss", at=0.0)
    BackoffMiddleware(db).process_response(
        request_for(RSS), response(XmlResponse, request_for(RSS), b"", status=429, **{"Retry-After": "60"})
    )
    assert [r.meta["source"].id for r in start_requests(spider)] == ["mid", "atom"]
