"""Bytes and CPU per idle poll cycle, across every source kind, through the real crawler service.

Run: .venv/bin/python -m bench.idle_poll [--cycles N] [--quick]
Serves the saved source pages (tests/fixtures/sources) on 127.0.0.1, with Kremlin and VietnamPlus
reached under their real host names through the local site acting as the proxy. Starts the real
`communique crawl` service (embedded queue, sources every 5 s), lets the first cycle fetch and extract
everything, then measures N idle cycles in which nothing changes:

  with validators     the site sends ETags: every source costs one conditional GET answered 304
  without validators  no ETag: every source gets 200 with the same bytes; the listing is re-read
                      (no article is due) and a page is dropped by the content-hash short cut

CPU is the crawler process's user+system time (from /proc) between the first and the last measured
cycle, divided by the cycles; it includes Scrapy's scheduling and the idle ticks in between, so it is
the whole cost of keeping these sources watched. The crawler queues its work on a temporary
redis-server (no worker runs), so the figure is the crawler's alone; "extract jobs queued" shows
that an idle cycle queues nothing. Bytes are counted by the site: request and response lines,
headers and bodies.
"""

from __future__ import annotations

import gzip
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from redis import Redis

from bench.harness import ROOT, Figure, Figures, cpu_seconds, parser, redis_server
from communique.sources import load_sources, specialise
from crawler.kinds import start_urls
from tests.integration.sources_site import Route, SourcesSite, article, page

ATOM = "application/atom+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
VNP = {"https://www.vietnamplus.vn": "http://www.vietnamplus.vn"}
FEED = "/events/president/news/feed"
WIRE_CPU = ("bytes per cycle (wire)", "CPU ms per cycle")
MOFA = "/hoat-dong-doi-ngoai-cap-cao"


def routes(base: str, etag: bool) -> dict[str, Route]:
    """Every source kind's listing pages and the articles they lead to."""
    shard = page("vietnamplus-news-2024-6.xml", XML, **VNP)
    listed = {
        FEED: page("kremlin-news-feed.atom", ATOM),
        FEED + "/page/2": page("kremlin-news-feed-page2.atom", ATOM),
        "/sitemap.xml": page("vietnamplus-sitemap.xml", XML, **VNP),
        "/sitemaps/news-2024-6.xml": Route(gzip.compress(shard.body, mtime=0), "application/x-gzip"),
        "/sitemaps/google-news.xml": page("vietnamplus-google-news.xml", XML, **VNP),
        MOFA: page("mofa-hoat-dong.html", **{"https://mofa.gov.vn": base}),
        MOFA + "?page=2": page("mofa-hoat-dong-page2.html", **{"https://mofa.gov.vn": base}),
        "/politika/1": page("regional-cp1251.html", "text/html"),
    }
    articles = [
        "/events/president/news/74333",
        "/events/president/transcripts/74332",
        "/events/president/news/74320",
        "/supplement/6141",
        "/supplement/6142",
        "/toan-van-tuyen-bo-chung-viet-nam-lien-bang-nga-post959000.vnp",
        "/tong-thong-nga-ket-thuc-chuyen-tham-post959020.vnp",
        "/gia-vang-hom-nay-post957100.vnp",
        "/tuyen-bo-chung-viet-nam-lien-bang-nga-ve-lam-sau-sac-hon-quan-he-doi-tac-chien-luoc-toan-dien",
        "/chu-tich-nuoc-to-lam-hoi-dam-voi-tong-thong-nga-vladimir-putin",
        "/tong-bi-thu-tiep-tong-thong-nga",
        "/tong-thong-nga-den-ha-noi",
    ]
    found = {path: article(path.rsplit("/", 1)[1].replace("-", " ")) for path in articles}
    found["/supplement/6141"] = page("kremlin-supplement-6141.html")
    found["/events/president/news/74333"] = page("kremlin-news-74333.html")
    every = {**listed, **found}
    for route in every.values():
        route.etag = etag
    return every


def sources_yaml(base: str) -> str:
    """One source of each kind, polled every 5 s."""
    common = "interval: 5, allow_private: true"
    return (
        "sources:\n"
        f"  - {{id: feed, kind: feed, url: 'http://kremlin.ru{FEED}', max_pages: 2, interval: 5}}\n"
        "  - {id: sitemap, kind: sitemap, url: 'http://www.vietnamplus.vn/sitemap.xml', interval: 5,\n"
        "     shards: 'news-|google-news', max_age_days: null}\n"
        f"  - {{id: listing, kind: listing, url: '{base}{MOFA}', links: 'h3.news-title a',\n"
        f"     next_page: 'div.pagination a.next', max_pages: 2, {common}}}\n"
        f"  - {{id: page, kind: page, url: '{base}/politika/1', {common}}}\n"
    )


def measure(etag: bool, cycles: int) -> dict[str, object]:
    """Run the service on a fresh data folder; figures per idle cycle."""
    with tempfile.TemporaryDirectory() as tmp, SourcesSite() as site, redis_server() as (redis_url, _):
        folder = Path(tmp)
        site.routes.update(routes(site.base_url, etag))
        (folder / "rules").mkdir()
        (folder / "corpus").mkdir()
        (folder / "rules" / "sources.yaml").write_text(sources_yaml(site.base_url), encoding="utf-8")
        env = {
            **os.environ,
            "COMMUNIQUE_RULES_DIR": str(folder / "rules"),
            "COMMUNIQUE_DATA_DIR": str(folder / "data"),
            "COMMUNIQUE_CORPUS_DIR": str(folder / "corpus"),
            "COMMUNIQUE_PROXY_URL": site.base_url,
            "COMMUNIQUE_REDIS_URL": redis_url,
        }
        queued = Redis.from_url(redis_url)
        service = subprocess.Popen(
            [sys.executable, "-m", "interface", "crawl"], env=env, stderr=subprocess.DEVNULL
        )
        try:
            site.wait_for_hits(FEED, 2, timeout=120)  # first sight done, the first idle cycle started
            time.sleep(1.0)
            site.reset_counts()
            site.wait_for_hits(FEED, 1, timeout=60)
            start_cpu, start_wall = cpu_seconds(service.pid), time.monotonic()
            jobs_before = queued.llen("rq:queue:extract")
            site.reset_counts()
            site.wait_for_hits(FEED, cycles, timeout=60 * cycles)
            time.sleep(0.5)  # let the last cycle's other sources answer too
            cpu, wall = cpu_seconds(service.pid) - start_cpu, time.monotonic() - start_wall
            # Per path: requests per cycle (all sources share one interval), and bytes per request.
            per_cycle = {path: round(n / cycles) for path, n in site.hits.items()}
            wire = sum(per_cycle[path] * site.wire[path] / site.hits[path] for path in per_cycle)
            body = sum(per_cycle[path] * site.sent[path] / site.hits[path] for path in per_cycle)
            statuses = sorted({status for _, status in site.statuses})
            jobs = queued.llen("rq:queue:extract") - jobs_before
        finally:
            service.terminate()
            service.wait(timeout=60)
        db = sqlite3.connect(folder / "data" / "communique.sqlite3")
        fetched = db.execute("SELECT COUNT(DISTINCT url) FROM fetches").fetchone()[0]
        db.close()
    return {
        "cycles": cycles,
        "requests per cycle": sum(per_cycle.values()),
        "statuses": ", ".join(map(str, statuses)),
        "bytes per cycle (wire)": round(wire),
        "body bytes per cycle": round(body),
        "CPU ms per cycle": round(1000 * cpu / cycles, 1),
        "wall s per cycle": round(wall / cycles, 1),
        "extract jobs queued": jobs,
        "URLs known": fetched,
        "requests": " ".join(f"{path}×{n}" for path, n in sorted(per_cycle.items()) if n),
    }


def main() -> None:
    options = parser(__doc__)
    options.add_argument("--cycles", type=int, default=None, help="idle cycles measured (6; 3 with --quick)")
    args = options.parse_args()
    cycles = args.cycles or (3 if args.quick else 6)
    figures = Figures("idle_poll", args.results)
    print("4 sources (feed 2 pages, sitemap index + 2 shards, listing 2 pages, page); 12 articles known")
    shipped = load_sources(ROOT / "rules")
    polls_per_hour = sum(3600 / source.interval * len(start_urls(specialise(source))) for source in shipped)
    for etag in (True, False):
        found = measure(etag, cycles)
        label = "with validators (304)" if etag else "without validators (200, same bytes)"
        print(f"{label}:")
        for name, value in found.items():
            print(f"  {name:<24} {value}")
        per_request = [float(str(found[key])) / float(str(found["requests per cycle"])) for key in WIRE_CPU]
        print(
            f"  shipped sources.yaml ({len(shipped)} sources, {polls_per_hour:.0f} first requests/hour), "
            f"extrapolated at this cost per request: {polls_per_hour * per_request[0] / 1024:.0f} KiB "
            f"and {polls_per_hour * per_request[1] / 1000:.1f} s CPU per idle hour"
        )
        short = "304s" if etag else "no validators"
        figures.add(
            Figure(f"idle crawl cycle ({short}): bytes on the wire", float(str(found[WIRE_CPU[0]])), "B")
        )
        figures.add(Figure(f"idle crawl cycle ({short}): crawler CPU", float(str(found[WIRE_CPU[1]])), "ms"))


if __name__ == "__main__":
    main()
