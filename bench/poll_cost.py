"""CPU per poll by outcome, and fetch-to-alert time, through the real pipeline, jobs and apprise.

Run: .venv/bin/python bench/poll_cost.py [--repeat N]
Serves the e2e test site on 127.0.0.1, fetches its article for real, then feeds each response to the
crawler's SnapshotPipeline and drains the embedded queue (extract → match → notify), timing CPU with
process_time. Scrapy's own per-request overhead is not included (see issue 7 for whole-crawl figures).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from communique.settings import Settings  # noqa: E402
from communique.sources import Source  # noqa: E402
from crawler.items import FetchItem  # noqa: E402
from crawler.pipelines import SnapshotPipeline  # noqa: E402
from storage.database import open_database  # noqa: E402
from storage.fetches import sync_sources  # noqa: E402
from tests.e2e.site import NewsSite  # noqa: E402
from workers.corpus import import_on_first_run  # noqa: E402
from workers.jobs import make_queue  # noqa: E402
from workers.queue import EmbeddedQueue  # noqa: E402

RULE = "rules:\n  - {name: r, events: [new, changed], keywords: [Tuyên bố chung], notify: [t]}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, NewsSite() as site:
        folder = Path(tmp)
        (folder / "rules").mkdir()
        (folder / "rules" / "r.yaml").write_text(RULE, encoding="utf-8")
        (folder / "apprise.yml").write_text(
            f"urls:\n  - {site.apprise_url}:\n      tag: t\n", encoding="utf-8"
        )
        settings = Settings(
            data_dir=folder / "data",
            rules_dir=folder / "rules",
            corpus_dir=ROOT / "corpus",
            apprise_config=folder / "apprise.yml",
        )
        db = open_database(settings)
        import_on_first_run(db, settings.corpus_dir)
        source = Source(id="bench", kind="page", url=site.article_url, allow_private=True)
        sync_sources(db, [source])
        queue = make_queue(settings)
        assert isinstance(queue, EmbeddedQueue)
        pipeline = SnapshotPipeline(db, SimpleNamespace(spider=SimpleNamespace(queue=queue)))  # type: ignore[arg-type]

        def fetch() -> FetchItem:
            with urllib.request.urlopen(site.article_url) as response:
                body = response.read()
            return FetchItem(source_id="bench", url=site.article_url, status=200, body=body, encoding="utf-8")

        def cpu_of(item: FetchItem) -> float:
            start = time.process_time()
            pipeline.process_item(item)
            queue.drain()
            return (time.process_time() - start) * 1000

        site.set_version(1)
        cpu_of(fetch())  # first sight: version 1
        not_modified = FetchItem(source_id="bench", url=site.article_url, status=304)
        same = fetch()
        churn = [fetch() for _ in range(args.repeat)]
        rows = {
            "304 not modified": [cpu_of(not_modified) for _ in range(args.repeat)],
            "same bytes (hash short cut)": [cpu_of(same) for _ in range(args.repeat)],
            "furniture churn (extract, no new version)": [cpu_of(item) for item in churn],
        }
        changed, latency = [], []
        for n in range(args.repeat):
            site.set_version(3 if n % 2 == 0 else 4)
            item = fetch()
            before = len(site.alerts)
            start_wall = time.perf_counter()
            changed.append(cpu_of(item))
            site.wait_for_alerts(before + 1, timeout=10)
            latency.append((time.perf_counter() - start_wall) * 1000)
        rows["changed text (extract, match, alert sent)"] = changed
        size = len(churn[0].body)
        print(
            f"page: {size / 1024:.1f} KB of HTML, {args.repeat} polls per row; CPU ms per poll (median, p90)"
        )
        for name, values in rows.items():
            print(f"  {name:<45} {statistics.median(values):8.2f} {_p90(values):8.2f}")
        base = statistics.median(rows["304 not modified"])
        for name, values in rows.items():
            print(f"  ratio {name:<39} {statistics.median(values) / base:8.1f}× the 304 poll")
        print(
            f"fetch-to-alert (pipeline → apprise json:// sink received), ms: median "
            f"{statistics.median(latency):.1f}, p90 {_p90(latency):.1f}"
        )


def _p90(values: list[float]) -> float:
    return sorted(values)[int(0.9 * (len(values) - 1))]


if __name__ == "__main__":
    main()
