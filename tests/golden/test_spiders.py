"""Golden tests of every source kind on saved pages built to the structures in SOURCES.md.

The fixtures in tests/fixtures/sources are written by hand to the structures SOURCES.md records (no
copies of real pages); the shared real feeds and sitemaps in ../shared/fixtures/real-html/feeds are
read too. Each is fed to the readers and to the spider as the downloader would hand it over.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import DontCloseSpider
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse

from communique.model import FetchState
from communique.settings import Settings
from communique.sources import FeedSource, ListingSource, PageSource, SitemapSource, Source
from crawler.adapters import canonical_url
from crawler.feeds import read_feed
from crawler.items import FetchItem, SiteChangedError
from crawler.listings import read_listing
from crawler.pipelines import SnapshotPipeline
from crawler.sitemaps import read_sitemap
from crawler.spiders.sources import SourcesSpider
from storage.database import Database, open_database
from storage.fetches import mark_polled, sync_sources
from tests.conftest import RecordingQueue

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sources"
SHARED_FEEDS = Path(__file__).parents[3] / "shared" / "fixtures" / "real-html" / "feeds"

KREMLIN_FEED = FeedSource(id="kremlin-news-ru", url="http://kremlin.ru/events/president/news/feed")
TASS = FeedSource(id="tass-en", url="https://tass.com/rss/v2.xml")
VNP_INDEX = SitemapSource(
    id="vietnamplus-vi-sitemap",
    url="https://www.vietnamplus.vn/sitemap.xml",
    shards=r"/sitemaps/(?:news-\d{4}-\d{1,2}|google-news)\.xml",
)
MOFA = ListingSource(
    id="mofa-high-level", url="https://mofa.gov.vn/hoat-dong-doi-ngoai-cap-cao", links="h3.news-title a"
)
KREMLIN_PAGE = PageSource(id="kremlin-item", url="http://kremlin.ru/events/president/news/74333")
SOURCES: list[Source] = [KREMLIN_FEED, TASS, VNP_INDEX, MOFA, KREMLIN_PAGE]

# The day after the joint statement, in Hanoi: what "recent" means for the sitemap fixtures.
AT = dt.datetime(2024, 6, 21, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))).timestamp()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A migrated database holding the test sources."""
    database = open_database(Settings(data_dir=tmp_path, database_url=None))
    sync_sources(database, SOURCES)
    yield database
    database.close()


@pytest.fixture
def spider(db: Database) -> SourcesSpider:
    """The spider for the test sources, with storage."""
    built = SourcesSpider(sources=SOURCES, queue=RecordingQueue(), once=True)
    built.db = db
    return built


def fixture(name: str) -> bytes:
    """The bytes of a saved page."""
    return (FIXTURES / name).read_bytes()


def respond(
    cls: type[Response], source: Source, body: bytes, url: str | None = None, status: int = 200, **meta: Any
) -> Response:
    """A response to a request the spider made for `source`."""
    request = Request(url or source.url, meta={"source": source, "conditional": True, **meta})
    return cls(url=request.url, body=body, status=status, request=request)


def split(output: list[Any]) -> tuple[list[FetchItem], list[Request]]:
    """The items and the requests a callback yielded."""
    items = [thing for thing in output if isinstance(thing, FetchItem)]
    requests = [thing for thing in output if isinstance(thing, Request)]
    assert len(items) + len(requests) == len(output)
    return items, requests


# --- feed ------------------------------------------------------------------------------------------


def test_kremlin_atom_entries_carry_updated_and_the_next_page() -> None:
    found = read_feed(respond(XmlResponse, KREMLIN_FEED, fixture("kremlin-news-feed.atom")), KREMLIN_FEED)
    assert [entry.url for entry in found.entries] == [
        "http://kremlin.ru/events/president/news/74333",
        "http://kremlin.ru/events/president/transcripts/74332",
        "http://kremlin.ru/catalog/countries/VN/events/74333",
    ]
    # `updated` (17:40), not `published` (15:10): an edit to the entry is a change signal.
    assert found.entries[0].changed_at == dt.datetime.fromisoformat("2024-06-20T17:40:00+03:00").timestamp()
    assert found.more == ["http://kremlin.ru/events/president/news/feed/page/2"]


def test_kremlin_feed_fetches_each_event_once(spider: SourcesSpider) -> None:
    # The same event under /news/ and /catalog/countries/VN/events/ is one document: one request.
    page = respond(XmlResponse, KREMLIN_FEED, fixture("kremlin-news-feed.atom"), page=1)
    [item], requests = split(list(spider.parse_listing(page)))
    assert (item.status, item.error, item.extract) == (200, None, False)
    assert [r.url for r in requests] == [
        "http://kremlin.ru/events/president/news/74333",
        "http://kremlin.ru/events/president/transcripts/74332",
    ]
    assert {canonical_url(r.url) for r in requests} == {
        "http://kremlin.ru/events/president/news/74333",
        "http://kremlin.ru/events/president/news/74332",
    }
    assert all(r.callback == spider.parse_page for r in requests)


@pytest.mark.parametrize(("max_pages", "follows"), [(1, False), (2, True)])
def test_atom_paging_follows_rel_next_up_to_max_pages(
    spider: SourcesSpider, max_pages: int, follows: bool
) -> None:
    source = KREMLIN_FEED.model_copy(update={"max_pages": max_pages})
    _, requests = split(
        list(spider.parse_listing(respond(XmlResponse, source, fixture("kremlin-news-feed.atom"), page=1)))
    )
    pages = [r for r in requests if r.callback == spider.parse_listing]
    assert [r.url for r in pages] == (
        ["http://kremlin.ru/events/president/news/feed/page/2"] if follows else []
    )
    if follows:
        second = respond(
            XmlResponse,
            source,
            fixture("kremlin-news-feed-page2.atom"),
            url=pages[0].url,
            page=pages[0].meta["page"],
        )
        _, more = split(list(spider.parse_listing(second)))
        assert [r.url for r in more] == ["http://kremlin.ru/events/president/news/74320"]  # no page 3


def test_tass_rss_items_and_dates() -> None:
    found = read_feed(respond(XmlResponse, TASS, fixture("tass.rss")), TASS)
    assert [e.url for e in found.entries] == [
        "https://tass.com/politics/1805001",
        "https://tass.com/politics/1804700",
        "https://tass.com/world/1804650",
    ]
    assert found.entries[0].changed_at == dt.datetime(2024, 6, 20, 9, 30, tzinfo=dt.UTC).timestamp()
    assert found.more == []


def test_rss_without_dates_still_lists_its_items() -> None:
    source = FeedSource(id="baochinhphu-world", url="https://baochinhphu.vn/quoc-te.rss")
    found = read_feed(respond(TextResponse, source, fixture("baochinhphu-quoc-te.rss")), source)
    assert [e.changed_at for e in found.entries] == [None, None]
    assert found.entries[0].url.endswith("-102240620180512345.htm")


def test_json_feed_items_and_canonical_urls_without_tracking() -> None:
    source = FeedSource(id="npr", url="https://feeds.npr.org/1019/feed.json")
    found = read_feed(respond(TextResponse, source, (SHARED_FEEDS / "feed.json").read_bytes()), source)
    assert len(found.entries) == 25
    assert "utm_medium" in found.entries[0].url
    assert canonical_url(found.entries[0].url) == (
        "https://www.npr.org/2021/10/29/1050315385/keller-rinaudo-how-can-delivery-drones-save-lives"
    )


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("http://[::1]:8080/news/a?utm_source=x&id=5", "http://[::1]:8080/news/a?id=5"),
        ("https://[2001:DB8::1]/a", "https://[2001:db8::1]/a"),
        ("HTTPS://Example.org:443/a", "https://example.org/a"),
    ],
)
def test_canonical_urls_keep_ports_and_ipv6_brackets(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            b"<!DOCTYPE html><html><body><h1>Access denied</h1></body></html>",
            "not a feed: root element <html>",
        ),
        (b'{"items": []}', "not a feed: JSON without a jsonfeed.org version"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "aaaaaaaaaa">\n'
            + b"".join(b'<!ENTITY %c "%s">\n' % (98 + n, (b"&%c;" % (97 + n)) * 10) for n in range(8))
            + b"]>\n<rss><channel><item><link>https://example.org/&i;</link></item></channel></rss>",
            "not a feed: it declares XML entities (an entity bomb or an XXE attempt)",
        ),
    ],
)
def test_a_page_that_is_not_a_feed_is_a_source_error(spider: SourcesSpider, body: bytes, error: str) -> None:
    [item] = list(spider.parse_listing(respond(HtmlResponse, TASS, body, page=1)))
    assert (item.status, item.error) == (200, error)


# --- sitemap ---------------------------------------------------------------------------------------


def shards_of(source: SitemapSource, at: float = AT) -> list[str]:
    """The sub-sitemaps the index fixture leads to."""
    found = read_sitemap(respond(XmlResponse, source, fixture("vietnamplus-sitemap.xml")), source, at)
    assert found.entries == []
    return [url.rsplit("/", 1)[1] for url in found.more]


def test_sitemap_index_reads_the_newest_news_shards() -> None:
    assert shards_of(VNP_INDEX) == ["google-news.xml", "news-2024-6.xml"]


def test_sitemap_index_skips_sub_sitemaps_stamped_with_one_lastmod() -> None:
    # Without a shard pattern: categories, tags, topics and google-news all say "today", which says
    # nothing; the monthly shards older than max_age_days are skipped too.
    assert shards_of(VNP_INDEX.model_copy(update={"shards": None})) == ["news-2024-6.xml"]


def test_sitemap_index_without_age_filter_takes_max_shards_newest() -> None:
    source = VNP_INDEX.model_copy(update={"max_age_days": None, "max_shards": 3})
    assert shards_of(source) == ["google-news.xml", "news-2024-6.xml", "news-2024-5.xml"]


def test_sitemap_shard_keeps_recent_urls_newest_first() -> None:
    found = read_sitemap(
        respond(XmlResponse, VNP_INDEX, fixture("vietnamplus-news-2024-6.xml")), VNP_INDEX, AT
    )
    assert [e.url.rsplit("/", 1)[1] for e in found.entries] == [
        "tong-thong-nga-ket-thuc-chuyen-tham-post959020.vnp",
        "toan-van-tuyen-bo-chung-viet-nam-lien-bang-nga-post959000.vnp",
        "959000.vnp",  # the legacy URL of the same article
    ]  # gia-vang (10 June) is older than max_age_days


def test_news_sitemap_publication_date_is_the_change_time() -> None:
    found = read_sitemap(
        respond(XmlResponse, VNP_INDEX, fixture("vietnamplus-google-news.xml")), VNP_INDEX, AT
    )
    assert [e.changed_at for e in found.entries] == [
        dt.datetime.fromisoformat("2024-06-20T21:15:00+07:00").timestamp(),
        dt.datetime.fromisoformat("2024-06-20T18:00:00+07:00").timestamp(),
    ]


def test_gzipped_shard_reads_like_the_plain_one(spider: SourcesSpider) -> None:
    url = "https://www.vietnamplus.vn/sitemaps/news-2024-6.xml.gz"
    plain = read_sitemap(
        respond(XmlResponse, VNP_INDEX, fixture("vietnamplus-news-2024-6.xml")), VNP_INDEX, AT
    )
    gz = respond(Response, VNP_INDEX, fixture("vietnamplus-news-2024-6.xml.gz"), url=url, page=2)
    assert read_sitemap(gz, VNP_INDEX, AT) == plain
    # Through the spider (real clock: every URL is old, so no article is due): a binary body is fine.
    [item] = list(spider.parse_listing(gz))
    assert (item.status, item.error, item.encoding) == (200, None, None)


def test_shard_urls_of_one_article_make_one_request(spider: SourcesSpider) -> None:
    source = VNP_INDEX.model_copy(update={"max_age_days": None})
    response = respond(XmlResponse, source, fixture("vietnamplus-news-2024-6.xml"), page=2)
    _, requests = split(list(spider.parse_listing(response)))
    assert sorted(canonical_url(r.url) for r in requests) == [
        "https://www.vietnamplus.vn/post957100.vnp",
        "https://www.vietnamplus.vn/post959000.vnp",
        "https://www.vietnamplus.vn/post959020.vnp",
    ]


def test_sitemap_url_pattern_keeps_only_matching_articles() -> None:
    source = VNP_INDEX.model_copy(update={"urls": r"post959\d+\.vnp$", "max_age_days": None})
    found = read_sitemap(respond(XmlResponse, source, fixture("vietnamplus-news-2024-6.xml")), source, AT)
    assert len(found.entries) == 2


def test_a_403_page_is_a_counted_error_not_an_empty_sitemap(spider: SourcesSpider, db: Database) -> None:
    forbidden = respond(HtmlResponse, VNP_INDEX, fixture("vietnam-vn-403.html"), status=403, page=1)
    [item] = list(spider.parse_listing(forbidden))
    SnapshotPipeline(db, SimpleNamespace(spider=spider)).process_item(item)  # type: ignore[arg-type]
    row = db.row("SELECT error_count, last_error FROM sources WHERE id = ?", (VNP_INDEX.id,))
    assert row is not None
    assert (row["error_count"], row["last_error"]) == (1, "HTTP 403")
    assert db.row("SELECT state FROM fetches")[0] == FetchState.FAILED  # type: ignore[index]


def test_a_sitemap_that_declares_entities_is_refused() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<urlset><url><loc>https://example.org/&x;</loc></url></urlset>"
    )
    with pytest.raises(SiteChangedError, match="not a sitemap: it declares XML entities"):
        read_sitemap(respond(XmlResponse, VNP_INDEX, body), VNP_INDEX, AT)


def test_the_403_page_served_with_200_is_still_not_a_sitemap(spider: SourcesSpider) -> None:
    with pytest.raises(SiteChangedError, match="not a sitemap: root element <html>"):
        read_sitemap(respond(HtmlResponse, VNP_INDEX, fixture("vietnam-vn-403.html")), VNP_INDEX, AT)
    [item] = list(
        spider.parse_listing(respond(HtmlResponse, VNP_INDEX, fixture("vietnam-vn-403.html"), page=1))
    )
    assert item.error == "not a sitemap: root element <html>"


@pytest.mark.parametrize(
    ("name", "urls"), [("sitemap.xml", 84), ("sitemap.xml.gz", 84), ("sitemap-hreflang.xml", 3)]
)
def test_shared_real_sitemaps(name: str, urls: int) -> None:
    source = SitemapSource(id="s", url="https://www.sitemaps.org/sitemap.xml", max_age_days=None)
    found = read_sitemap(respond(Response, source, (SHARED_FEEDS / name).read_bytes()), source)
    assert len(found.entries) == urls


def test_shared_sitemap_index_with_cdata() -> None:
    source = SitemapSource(id="s", url="http://www.example.com/sitemap.xml", max_age_days=None)
    found = read_sitemap(respond(XmlResponse, source, (SHARED_FEEDS / "sitemap2.xml").read_bytes()), source)
    assert found.more == ["http://www.example.com/sitemap2.xml.gz", "http://www.example.com/sitemap1.xml.gz"]


# --- listing ---------------------------------------------------------------------------------------


def test_mofa_listing_links_and_next_page() -> None:
    found = read_listing(respond(HtmlResponse, MOFA, fixture("mofa-hoat-dong.html")), MOFA)
    assert [e.url for e in found.entries] == [
        "https://mofa.gov.vn/tuyen-bo-chung-viet-nam-lien-bang-nga-ve-lam-sau-sac-hon-quan-he-doi-tac-chien-luoc-toan-dien",
        "https://mofa.gov.vn/chu-tich-nuoc-to-lam-hoi-dam-voi-tong-thong-nga-vladimir-putin",
        "https://mofa.gov.vn/tong-bi-thu-tiep-tong-thong-nga",
    ]  # not the most-read box, not the navigation
    assert found.more == []  # no next_page selector configured
    paged = MOFA.model_copy(update={"next_page": "div.pagination a.next"})
    assert read_listing(respond(HtmlResponse, paged, fixture("mofa-hoat-dong.html")), paged).more == [
        "https://mofa.gov.vn/hoat-dong-doi-ngoai-cap-cao?page=2"
    ]


def test_listing_by_xpath_and_link_pattern() -> None:
    source = ListingSource(
        id="x", url=MOFA.url, links_xpath="//a[contains(@href, 'tong-thong')]", link_pattern="nga"
    )
    found = read_listing(respond(HtmlResponse, source, fixture("mofa-hoat-dong.html")), source)
    assert [e.url.rsplit("/", 1)[1] for e in found.entries] == [
        "chu-tich-nuoc-to-lam-hoi-dam-voi-tong-thong-nga-vladimir-putin",
        "tong-bi-thu-tiep-tong-thong-nga",
    ]


def test_listing_pagination_stops_at_max_pages(spider: SourcesSpider) -> None:
    source = MOFA.model_copy(update={"next_page": "div.pagination a.next", "max_pages": 2})
    _, requests = split(
        list(spider.parse_listing(respond(HtmlResponse, source, fixture("mofa-hoat-dong.html"), page=1)))
    )
    [next_page] = [r for r in requests if r.callback == spider.parse_listing]
    assert next_page.meta["page"] == 2
    second = respond(HtmlResponse, source, fixture("mofa-hoat-dong-page2.html"), url=next_page.url, page=2)
    _, more = split(list(spider.parse_listing(second)))
    assert [r.url for r in more] == ["https://mofa.gov.vn/tong-thong-nga-den-ha-noi"]  # page 3 not read


def test_a_listing_whose_selector_finds_nothing_is_a_source_error(spider: SourcesSpider) -> None:
    redesigned = b"<html><body><div class='cards'><a href='/a'>A</a></div></body></html>"
    [item] = list(spider.parse_listing(respond(HtmlResponse, MOFA, redesigned, page=1)))
    assert item.error == "no article links match 'h3.news-title a'"


# --- page, Kremlin supplements, charsets -----------------------------------------------------------


def test_kremlin_news_item_follows_its_supplements(spider: SourcesSpider) -> None:
    page = respond(HtmlResponse, KREMLIN_PAGE, fixture("kremlin-news-74333.html"))
    [item], requests = split(list(spider.parse_page(page)))
    assert (item.url, item.extract, item.error) == (
        "http://kremlin.ru/events/president/news/74333",
        True,
        None,
    )
    assert [r.url for r in requests] == [
        "http://kremlin.ru/supplement/6141",
        "http://kremlin.ru/supplement/6142",
    ]
    assert all(r.callback == spider.parse_page for r in requests)
    # The structure the extraction relies on.
    assert page.css("h1.entry-title::text").get().startswith("Совместное заявление")  # type: ignore[union-attr]
    assert page.css("time.read__published::text").get() == "20 июня 2024 года, 15:10"
    assert page.css("div.read__lead p")


def test_kremlin_supplement_is_an_article_under_its_canonical_url(spider: SourcesSpider) -> None:
    url = "https://www.kremlin.ru/supplement/6141/"
    page = respond(HtmlResponse, KREMLIN_PAGE, fixture("kremlin-supplement-6141.html"), url=url)
    [item] = list(spider.parse_page(page))
    assert (item.url, item.extract) == ("http://kremlin.ru/supplement/6141", True)
    assert page.css("div.read__top h1::text").get().startswith("Совместное заявление")  # type: ignore[union-attr]
    assert len(page.css("div.read__content p")) == 4


def test_cp1251_page_is_stored_with_its_charset(spider: SourcesSpider) -> None:
    source = PageSource(id="regional", url="https://regional.example.ru/politika/1")
    page = respond(HtmlResponse, source, fixture("regional-cp1251.html"))
    [item] = list(spider.parse_page(page))
    assert item.encoding == "cp1251"
    assert "Совместное заявление" in item.body.decode(item.encoding)
    assert "Ёмкий" in page.text  # type: ignore[attr-defined]


def test_a_busy_database_at_an_idle_tick_keeps_the_service_crawl_open(tmp_path: Path) -> None:
    busy = open_database(Settings(data_dir=tmp_path, database_url=None, db_busy_timeout=0.1))
    sync_sources(busy, SOURCES)
    service = SourcesSpider(sources=SOURCES, queue=RecordingQueue(), once=False)
    service.db = busy
    service.call_later = Timers()
    locker = sqlite3.connect(tmp_path / "communique.sqlite3", isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another process writing: marking sources polled times out
    try:
        with pytest.raises(DontCloseSpider):
            service.on_idle()
    finally:
        locker.execute("ROLLBACK")
        locker.close()
        busy.close()


class Timer:
    """A timer set by the spider, never fired."""

    def __init__(self, delay: float) -> None:
        self.delay, self.cancelled = delay, False

    def cancel(self) -> None:
        self.cancelled = True


class Timers:
    """Stands for Scrapy's call_later: records the timers the spider sets."""

    def __init__(self) -> None:
        self.set: list[Timer] = []

    def __call__(self, delay: float, _func: Any) -> Timer:
        self.set.append(Timer(delay))
        return self.set[-1]


def test_the_service_crawl_wakes_when_the_next_source_comes_due(tmp_path: Path) -> None:
    db = open_database(Settings(data_dir=tmp_path, database_url=None))
    sync_sources(db, SOURCES)
    for source in SOURCES:
        mark_polled(db, source.id)
    service = SourcesSpider(sources=SOURCES, queue=RecordingQueue(), once=False)
    service.db, service.call_later = db, Timers()
    service._arm()
    service._arm()  # nothing came due sooner: the timer stays
    [first] = service.call_later.set
    shortest = min(source.interval for source in SOURCES)
    assert shortest - 2 < first.delay <= shortest
    db.execute(
        "UPDATE sources SET last_polled_at = last_polled_at - interval_seconds + 3 WHERE id = ?",
        (SOURCES[-1].id,),
    )
    service._arm()  # one comes due in 3 s: the timer is set sooner
    assert first.cancelled
    assert 1 < service.call_later.set[-1].delay <= 3
    db.close()
