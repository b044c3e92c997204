"""CPU per poll by outcome, per stage, through the real pipeline, jobs and apprise; two page sizes.

Run: .venv/bin/python -m bench.poll_cost [--repeat N] [--quick]
Serves the e2e test site on 127.0.0.1 (its 12-paragraph article, then a 30 KB article of seed 001),
fetches the article for real, then feeds each response to the crawler's SnapshotPipeline and drains
the embedded queue (extract → match → notify), timing each job's CPU with process_time. Scrapy's own
per-request overhead is not included (idle_poll.py has whole-crawl figures).

A changed text that edits a known statement is learned into the corpus, so the next match rebuilds
the worker's corpus index once: those polls are counted apart ("with corpus rebuild") and left out of
the medians. Target (issue 7): a changed 30 KB article costs at most 60 ms CPU to extract and match.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from bench.harness import ROOT, Figure, Figures, corpus_database, parser
from bench.sites import LongNewsSite
from communique.model import Stage
from communique.settings import Settings
from communique.sources import Source
from crawler.items import FetchItem
from crawler.pipelines import SnapshotPipeline
from storage.database import open_database
from storage.fetches import sync_sources
from tests.e2e.site import NewsSite
from workers import corpus_index
from workers.context import Context, bind
from workers.jobs import JOBS
from workers.queue import EmbeddedQueue

RULE = "rules:\n  - {name: r, events: [new, changed], keywords: [Tuyên bố chung], notify: [t]}\n"
TARGET_EXTRACT_MATCH_MS = 60.0


class StageTimer:
    """The embedded queue's runner, timing each job's CPU and counting corpus index rebuilds."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.cpu: dict[Stage, float] = {}
        self.rebuilds = 0
        self.queue = EmbeddedQueue(self.run)
        bind(Context(settings, open_database(settings), self.queue))  # a fresh context per site
        self._load = corpus_index.load
        corpus_index.load = self._counting_load  # observe (not change) the corpus cache

    def _counting_load(self, db: object) -> corpus_index.CorpusIndex:
        self.rebuilds += 1
        return self._load(db)  # type: ignore[arg-type]

    def run(self, stage: Stage, item_id: int) -> None:
        """Run one job as the embedded queue would, adding its CPU to its stage."""
        start = time.process_time()
        JOBS[stage](item_id)
        self.cpu[stage] = self.cpu.get(stage, 0.0) + time.process_time() - start

    def poll(self, pipeline: SnapshotPipeline, item: FetchItem) -> tuple[float, dict[Stage, float], bool]:
        """Total CPU ms of one poll (pipeline + jobs), CPU ms per stage, and whether it rebuilt."""
        self.cpu, rebuilds = {}, self.rebuilds
        start = time.process_time()
        pipeline.process_item(item)
        self.queue.drain()
        total = (time.process_time() - start) * 1000
        return total, {stage: cpu * 1000 for stage, cpu in self.cpu.items()}, self.rebuilds > rebuilds


def measure(site: NewsSite, repeat: int, figures: Figures, label: str) -> None:
    """Every poll outcome for the site's article, printed; figures for the changed text."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "rules").mkdir()
        (folder / "rules" / "r.yaml").write_text(RULE, encoding="utf-8")
        apprise = f"urls:\n  - {site.apprise_url}:\n      tag: t\n"
        (folder / "apprise.yml").write_text(apprise, encoding="utf-8")
        settings = Settings(
            data_dir=folder / "data",
            rules_dir=folder / "rules",
            corpus_dir=ROOT / "corpus",
            apprise_config=folder / "apprise.yml",
        )
        corpus_database(settings.data_dir)
        db = open_database(settings)
        sync_sources(db, [Source(id="bench", kind="page", url=site.article_url, allow_private=True)])
        timer = StageTimer(settings)
        pipeline = SnapshotPipeline(db, SimpleNamespace(spider=SimpleNamespace(queue=timer.queue)))  # type: ignore[arg-type]

        def fetch() -> FetchItem:
            with urllib.request.urlopen(site.article_url) as response:
                body = response.read()
            return FetchItem(source_id="bench", url=site.article_url, status=200, body=body, encoding="utf-8")

        site.set_version(1)
        first = fetch()
        timer.poll(pipeline, first)  # first sight: version 1, a reprint of seed 001
        not_modified = FetchItem(source_id="bench", url=site.article_url, status=304)
        same = fetch()
        churn = [fetch() for _ in range(repeat)]
        rows: dict[str, list[float]] = {
            "304 not modified": [timer.poll(pipeline, not_modified)[0] for _ in range(repeat)],
            "same bytes (hash short cut)": [timer.poll(pipeline, same)[0] for _ in range(repeat)],
            "furniture churn (extract, no new version)": [timer.poll(pipeline, i)[0] for i in churn],
        }
        steady: list[dict[Stage, float]] = []
        rebuilt: list[float] = []
        latency: list[float] = []
        for n in range(repeat):
            site.set_version(3 if n % 2 == 0 else 4)
            item = fetch()
            before = len(site.alerts)
            start_wall = time.perf_counter()
            total, stages, rebuild = timer.poll(pipeline, item)
            site.wait_for_alerts(before + 1, timeout=30)
            if rebuild:
                rebuilt.append(total)
            else:
                steady.append(stages)
                latency.append((time.perf_counter() - start_wall) * 1000)
        rows["changed text (extract, match, alert sent)"] = [sum(s.values()) for s in steady]
        report(label, len(first.body), Polls(rows, steady, rebuilt, latency), figures)


@dataclass
class Polls:
    """CPU ms per poll by outcome, per stage for changed texts, and fetch-to-alert ms."""

    rows: dict[str, list[float]]
    steady: list[dict[Stage, float]]  # changed texts: CPU ms per stage
    rebuilt: list[float]  # changed texts whose match rebuilt the corpus index: CPU ms
    latency: list[float]


def report(label: str, size: int, polls: Polls, figures: Figures) -> None:
    """Print one page's figures and record the ones run_all shows."""
    rows, steady, rebuilt, latency = polls.rows, polls.steady, polls.rebuilt, polls.latency
    print(f"{label}: {size / 1024:.1f} KB of HTML; CPU ms per poll (median, p90, polls)")
    for name, values in rows.items():
        print(f"  {name:<45} {statistics.median(values):8.2f} {p90(values):8.2f} {len(values):5}")
    base = statistics.median(rows["304 not modified"])
    for name, values in rows.items():
        print(f"  ratio {name:<39} {statistics.median(values) / base:8.1f}× the 304 poll")
    extract, match, notify = (
        statistics.median(s.get(stage, 0.0) for s in steady)
        for stage in (Stage.EXTRACT, Stage.MATCH, Stage.NOTIFY)
    )
    print(
        f"  changed text per stage, median CPU ms: extract {extract:.1f}, match {match:.1f}, "
        f"notify {notify:.1f}"
    )
    if rebuilt:
        print(
            f"  polls that also rebuilt the corpus index (a text learned by the previous one): "
            f"{len(rebuilt)}, median {statistics.median(rebuilt):.1f} ms CPU (left out above)"
        )
    print(
        f"  fetch-to-alert in process (pipeline → apprise json:// sink received), ms: median "
        f"{statistics.median(latency):.1f}, p90 {p90(latency):.1f}"
    )
    short = "30 KB" if "30 KB" in label else "9 KB"
    figures.add(Figure(f"poll {short} page: 304 not modified, CPU", base, "ms"))
    same = statistics.median(rows["same bytes (hash short cut)"])
    figures.add(Figure(f"poll {short} page: same bytes (hash), CPU", same, "ms"))
    figures.add(
        Figure(
            f"poll {short} page: changed, extract+match CPU",
            extract + match,
            "ms",
            at_most=TARGET_EXTRACT_MATCH_MS if short == "30 KB" else None,
        )
    )
    figures.add(Figure(f"poll {short} page: changed, notify CPU", notify, "ms"))


def p90(values: list[float]) -> float:
    """The 90th percentile (nearest rank below)."""
    return sorted(values)[int(0.9 * (len(values) - 1))]


def main() -> None:
    options = parser(__doc__)
    options.add_argument("--repeat", type=int, default=None, help="polls per row (30; 8 with --quick)")
    args = options.parse_args()
    repeat = args.repeat or (8 if args.quick else 30)
    figures = Figures("poll_cost", args.results)
    with NewsSite() as site:
        measure(site, repeat, figures, "e2e page (12 paragraphs)")
    with LongNewsSite() as site:
        text = sum(len(p.encode("utf-8")) + 1 for p in site.PARAGRAPHS) / 1024
        label = f"30 KB article ({text:.1f} KB of text, {len(site.PARAGRAPHS)} paragraphs)"
        measure(site, repeat, figures, label)


if __name__ == "__main__":
    main()
