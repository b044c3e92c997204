"""Each source kind through the real crawler (`communique crawl --once` in its own process) against a
local site serving the saved pages; storage and `communique status --json` are checked afterwards.

Kremlin and VietnamPlus keep their real host names: the crawler reaches them through the local site
acting as its proxy (COMMUNIQUE_PROXY_URL), so their site adapters apply and nothing leaves the machine.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port, run_cli
from tests.integration.sources_site import Route, SourcesSite, article, page

ATOM = "application/atom+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
VNP = {"https://www.vietnamplus.vn": "http://www.vietnamplus.vn"}
STATEMENT = "/tuyen-bo-chung-viet-nam-lien-bang-nga-ve-lam-sau-sac-hon-quan-he-doi-tac-chien-luoc-toan-dien"


run = run_cli


def environment(tmp_path: Path, sources: str, proxy: str | None = None) -> dict[str, str]:
    """Rules (these sources, no watch rules), data folder and an empty corpus for one crawl."""
    rules, corpus = tmp_path / "rules", tmp_path / "corpus"
    rules.mkdir(exist_ok=True)
    corpus.mkdir(exist_ok=True)  # no known statements: these tests are about fetching, not matching
    (rules / "sources.yaml").write_text("sources:\n" + sources, encoding="utf-8")
    env = {
        **os.environ,
        "COMMUNIQUE_RULES_DIR": str(rules),
        "COMMUNIQUE_DATA_DIR": str(tmp_path / "data"),
        "COMMUNIQUE_CORPUS_DIR": str(corpus),
        "COMMUNIQUE_APPRISE_CONFIG": str(tmp_path / "apprise.yml"),
    }
    for name in ("COMMUNIQUE_REDIS_URL", "COMMUNIQUE_PROXY_URL", "http_proxy", "HTTP_PROXY", "no_proxy"):
        env.pop(name, None)
    if proxy is not None:
        env["COMMUNIQUE_PROXY_URL"] = proxy
    return env


def rows(env: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    """Rows of a query on the crawl's database."""
    with sqlite3.connect(Path(env["COMMUNIQUE_DATA_DIR"]) / "communique.sqlite3") as db:
        return [tuple(row) for row in db.execute(sql)]


def status(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """`communique status --json`, sources by id."""
    report = json.loads(run(env, "status", "--json").stdout)
    return {source["id"]: source for source in report["sources"]}


# --- feed: the Kremlin, Atom paging, supplements, one document per event ------------------------


@pytest.fixture
def kremlin() -> Iterator[SourcesSite]:
    routes = {
        "/events/president/news/feed": page("kremlin-news-feed.atom", ATOM),
        "/events/president/news/feed/page/2": page("kremlin-news-feed-page2.atom", ATOM),
        "/events/president/news/74333": page("kremlin-news-74333.html"),
        "/events/president/transcripts/74332": article("Российско-вьетнамские переговоры"),
        "/events/president/news/74320": article("Прибытие во Вьетнам"),
        "/supplement/6141": page("kremlin-supplement-6141.html"),
        "/supplement/6142": article("Перечень документов, подписанных в ходе визита"),
    }
    with SourcesSite(routes) as site:
        yield site


def test_feed_kremlin(kremlin: SourcesSite, tmp_path: Path) -> None:
    feed = "http://kremlin.ru/events/president/news/feed"
    sources = f"  - {{id: kremlin-news-ru, kind: feed, url: '{feed}', max_pages: 2}}\n"
    env = environment(tmp_path, sources, proxy=kremlin.base_url)
    run(env, "crawl", "--once")
    # The event listed under /news/ and /catalog/countries/VN/events/ is fetched once; the supplements
    # linked by a.cut__item are followed; the photo page is not.
    assert {path: n for path, n in kremlin.hits.items() if path != "/robots.txt"} == {
        "/events/president/news/feed": 1,
        "/events/president/news/feed/page/2": 1,
        "/events/president/news/74333": 1,
        "/events/president/transcripts/74332": 1,
        "/events/president/news/74320": 1,
        "/supplement/6141": 1,
        "/supplement/6142": 1,
    }
    articles = {url for (url,) in rows(env, "SELECT url FROM fetches WHERE state != 'listed'")}
    assert articles == {
        "http://kremlin.ru/events/president/news/74333",
        "http://kremlin.ru/events/president/news/74332",
        "http://kremlin.ru/events/president/news/74320",
        "http://kremlin.ru/supplement/6141",
        "http://kremlin.ru/supplement/6142",
    }
    documents = dict(rows(env, "SELECT url, title FROM documents"))
    assert set(documents) <= articles
    assert "Совместное заявление" in documents["http://kremlin.ru/supplement/6141"]
    assert status(env)["kremlin-news-ru"]["error_count"] == 0

    # Unchanged: one conditional request per feed page read, no article, nothing extracted.
    kremlin.reset_counts()
    versions = rows(env, "SELECT COUNT(*) FROM versions")
    run(env, "crawl", "--once")
    assert [s for s in kremlin.statuses if s[0] != "/robots.txt"] == [("/events/president/news/feed", 304)]
    assert rows(env, "SELECT COUNT(*) FROM versions") == versions
    assert rows(env, "SELECT COUNT(*) FROM fetches WHERE state = 'fetched'") == [(0,)]


# --- sitemap: VietnamPlus index → news shards (gzip), canonical ids --------------------------------


@pytest.fixture
def vietnamplus() -> Iterator[SourcesSite]:
    shard = page("vietnamplus-news-2024-6.xml", XML, **VNP)
    routes = {
        "/sitemap.xml": page(
            "vietnamplus-sitemap.xml", XML, **VNP, **{"news-2024-6.xml": "news-2024-6.xml.gz"}
        ),
        "/sitemaps/news-2024-6.xml.gz": Route(gzip.compress(shard.body, mtime=0), "application/x-gzip"),
        "/sitemaps/google-news.xml": page("vietnamplus-google-news.xml", XML, **VNP),
        "/toan-van-tuyen-bo-chung-viet-nam-lien-bang-nga-post959000.vnp": article("Toàn văn Tuyên bố chung"),
        "/tuyen-bo-chung-viet-nam-lien-bang-nga/959000.vnp": article("Toàn văn Tuyên bố chung"),
        "/tong-thong-nga-ket-thuc-chuyen-tham-post959020.vnp": article("Tổng thống Nga kết thúc chuyến thăm"),
        "/gia-vang-hom-nay-post957100.vnp": article("Giá vàng hôm nay"),
    }
    with SourcesSite(routes) as site:
        yield site


def test_sitemap_vietnamplus(vietnamplus: SourcesSite, tmp_path: Path) -> None:
    sources = (
        "  - id: vietnamplus-vi-sitemap\n"
        "    kind: sitemap\n"
        "    url: http://www.vietnamplus.vn/sitemap.xml\n"
        "    shards: '/sitemaps/(?:news-\\d{4}-\\d{1,2}\\.xml\\.gz|google-news\\.xml)'\n"
        "    max_age_days: null\n"
    )
    env = environment(tmp_path, sources, proxy=vietnamplus.base_url)
    run(env, "crawl", "--once")
    hits = vietnamplus.hits
    assert hits["/sitemaps/news-2024-6.xml.gz"] == hits["/sitemaps/google-news.xml"] == 1
    # One request per article id, whichever of its URLs the sitemaps list.
    article_hits = {path: n for path, n in hits.items() if path.endswith(".vnp")}
    assert sum(article_hits.values()) == 3
    assert sum(n for path, n in article_hits.items() if "959000" in path) == 1
    documents = {url for (url,) in rows(env, "SELECT url FROM documents")}
    assert documents == {
        "https://www.vietnamplus.vn/post959000.vnp",
        "https://www.vietnamplus.vn/post959020.vnp",
        "https://www.vietnamplus.vn/post957100.vnp",
    }
    listed = rows(env, "SELECT url, error FROM fetches WHERE state = 'listed' ORDER BY url")
    assert sorted(url.rsplit("/", 1)[1] for url, _ in listed) == [
        "google-news.xml",
        "news-2024-6.xml.gz",
        "sitemap.xml",
    ]
    assert status(env)["vietnamplus-vi-sitemap"]["error_count"] == 0


# --- listing: mofa.gov.vn, pagination, a redirect --------------------------------------------------


@pytest.fixture
def mofa() -> Iterator[SourcesSite]:
    site = SourcesSite()
    local = {"https://mofa.gov.vn": site.base_url}
    moved = "/chu-tich-nuoc-to-lam-hoi-dam-voi-tong-thong-nga-vladimir-putin"
    site.routes.update(
        {
            "/hoat-dong-doi-ngoai-cap-cao": page("mofa-hoat-dong.html", **local),
            "/hoat-dong-doi-ngoai-cap-cao?page=2": page("mofa-hoat-dong-page2.html", **local),
            STATEMENT: article("Tuyên bố chung Việt Nam - Liên bang Nga"),
            moved: Route(b"", "text/html", 301, {"Location": moved + "-cap-nhat"}),
            moved + "-cap-nhat": article("Chủ tịch nước Tô Lâm hội đàm với Tổng thống Nga"),
            "/tong-bi-thu-tiep-tong-thong-nga": article("Tổng Bí thư tiếp Tổng thống Nga"),
            "/tong-thong-nga-den-ha-noi": article("Tổng thống Nga đến Hà Nội"),
        }
    )
    with site:
        yield site


def test_listing_mofa(mofa: SourcesSite, tmp_path: Path) -> None:
    sources = (
        f"  - {{id: mofa-high-level, kind: listing, url: '{mofa.base_url}/hoat-dong-doi-ngoai-cap-cao',\n"
        "      links: 'h3.news-title a', next_page: 'div.pagination a.next', max_pages: 2,\n"
        "      allow_private: true}\n"
    )
    env = environment(tmp_path, sources)
    run(env, "crawl", "--once")
    assert "/hoat-dong-doi-ngoai-cap-cao?page=3" not in mofa.hits
    assert mofa.hits["/hoat-dong-doi-ngoai-cap-cao?page=2"] == 1
    documents = {url.removeprefix(mofa.base_url) for (url,) in rows(env, "SELECT url FROM documents")}
    # The redirected article is stored under the URL it moved to.
    assert "/chu-tich-nuoc-to-lam-hoi-dam-voi-tong-thong-nga-vladimir-putin-cap-nhat" in documents
    assert "/chu-tich-nuoc-to-lam-hoi-dam-voi-tong-thong-nga-vladimir-putin" not in documents
    assert len(documents) == 4
    assert status(env)["mofa-high-level"]["error_count"] == 0


# --- page: a cp1251 page; errors that must be counted, never "no items" ---------------------------


def test_pages_and_source_errors(tmp_path: Path) -> None:
    routes = {
        "/politika/1": page("regional-cp1251.html", "text/html"),  # charset only in the page's meta
        "/sitemap/sitemap-post/blocked.xml": Route(page("vietnam-vn-403.html").body, status=403),
        "/blocked": Route(page("vietnam-vn-403.html").body, status=403),
        "/feed-now-html": page("vietnam-vn-403.html"),  # a block page served with 200
    }
    with SourcesSite(routes) as site:
        closed = f"http://127.0.0.1:{free_port()}/rss"
        base = site.base_url
        sources = (
            f"  - {{id: regional, kind: page, url: '{base}/politika/1', allow_private: true}}\n"
            f"  - {{id: blocked-page, kind: page, url: '{base}/blocked', allow_private: true}}\n"
            f"  - {{id: blocked-sitemap, kind: sitemap, url: '{base}/sitemap/sitemap-post/blocked.xml',"
            " allow_private: true}\n"
            f"  - {{id: html-feed, kind: feed, url: '{base}/feed-now-html', allow_private: true}}\n"
            f"  - {{id: down, kind: feed, url: '{closed}', allow_private: true}}\n"
        )
        env = environment(tmp_path, sources)
        run(env, "crawl", "--once")
    report = status(env)
    assert report["regional"]["error_count"] == 0
    [(encoding,)] = rows(env, "SELECT s.encoding FROM fetches f JOIN snapshots s USING (content_hash)")
    assert encoding == "cp1251"
    [(title,)] = rows(env, "SELECT title FROM documents")
    assert title == "Совместное заявление России и Вьетнама опубликовано"
    for source_id, error in [
        ("blocked-page", "HTTP 403"),
        ("blocked-sitemap", "HTTP 403"),
        ("html-feed", "not a feed: root element <html>"),
    ]:
        assert (report[source_id]["error_count"], report[source_id]["last_error"]) == (1, error)
    assert "ConnectionRefused" in report["down"]["last_error"]
    states = rows(
        env, "SELECT source_id, state FROM fetches WHERE source_id != 'regional' ORDER BY source_id"
    )
    assert {state for _, state in states} == {"failed"}


# --- sources check ---------------------------------------------------------------------------------


def test_sources_check_probes_every_kind(kremlin: SourcesSite, tmp_path: Path) -> None:
    base = kremlin.base_url
    kremlin.routes.update(
        {
            "/sitemap.xml": page("vietnamplus-sitemap.xml", XML),
            "/mofa": page("mofa-hoat-dong.html"),
            "/blocked": Route(b"Forbidden", "text/html", 403),
        }
    )
    closed = f"http://127.0.0.1:{free_port()}/feed"
    sources = (
        "".join(
            f"  - {{id: {sid}, kind: {kind}, url: '{base}{path}', allow_private: true{extra}}}\n"
            for sid, kind, path, extra in [
                ("kremlin-feed", "feed", "/events/president/news/feed", ""),
                (
                    "vnp-index",
                    "sitemap",
                    "/sitemap.xml",
                    ", shards: 'news-', max_age_days: null, max_shards: 5",
                ),
                ("mofa", "listing", "/mofa", ", links: 'h3.news-title a'"),
                ("kremlin-item", "page", "/events/president/news/74333", ""),
                ("blocked", "page", "/blocked", ""),
            ]
        )
        + f"  - {{id: down, kind: feed, url: '{closed}', allow_private: true}}\n"
    )
    env = environment(tmp_path, sources)
    done = run(env, "sources", "check", ok=False)
    assert done.returncode == 1, done.stdout + done.stderr
    table = {line.split()[0]: line.split() for line in done.stdout.splitlines()[1:-1]}
    assert table["kremlin-feed"][1:5] == ["feed", "200", "3", "1"]  # 3 entries, a next page
    assert table["vnp-index"][1:5] == ["sitemap", "200", "0", "3"]  # 3 news shards
    assert table["mofa"][1:5] == ["listing", "200", "3", "0"]
    assert table["kremlin-item"][1:3] == ["page", "200"]
    assert table["blocked"][1:3] == ["page", "403"]
    assert "ERROR HTTP 403" in " ".join(table["blocked"])
    assert table["down"][2] == "-"
    assert "ConnectionRefused" in " ".join(table["down"])
    assert done.stdout.splitlines()[-1] == "6 sources probed, 2 failing"
    assert not (tmp_path / "data").exists()  # a probe stores nothing

    listed = run(env, "sources", "check", "--no-probe")
    assert "6 sources valid" in listed.stdout


def test_sources_check_reports_an_invalid_file(tmp_path: Path) -> None:
    env = environment(tmp_path, "  - {id: a, kind: listing, url: 'https://example.org/'}\n")
    done = run(env, "sources", "check", "--no-probe", ok=False)
    assert done.returncode == 2
    assert f"{tmp_path / 'rules' / 'sources.yaml'}:2: sources.0.links:" in done.stderr


class EndlessBody(BaseHTTPRequestHandler):
    """Answers every GET with a chunked body that never ends (robots.txt: not found)."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"<p>" + b"x" * 8000 + b"</p>"
        try:
            for _ in range(100_000):  # 800 MB at most, far past any cap
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            pass  # the crawler hung up: that is the point

    def log_message(self, *_: Any) -> None:
        pass


def test_an_endless_body_is_a_source_error_that_says_why(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EndlessBody)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/endless"
        env = environment(tmp_path, f"  - {{id: endless, kind: page, url: '{url}', allow_private: true}}\n")
        run({**env, "COMMUNIQUE_MAX_PAGE_BYTES": "1000000"}, "crawl", "--once")
    finally:
        server.shutdown()
        server.server_close()
    error = status(env)["endless"]["last_error"]
    assert error.startswith("DownloadCancelledError: ") and "1,000,000 bytes" in error, error
