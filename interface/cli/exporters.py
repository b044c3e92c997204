"""Scrape-time Prometheus collectors for what storage and Redis hold, and what RQ workers are doing."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from rq.serializers import JSONSerializer

from communique.model import Stage
from communique.settings import Settings
from storage.database import open_database
from storage.work import pipeline_counts

log = logging.getLogger(__name__)


class StorageCollector:
    """Rows in storage: fetches by state, matches by relation, alerts and delivery attempts."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def collect(self) -> Iterator[Metric]:
        """Read the counts (one short connection per scrape: scrapes run on their own threads)."""
        db = open_database(self.settings)
        try:
            counts = pipeline_counts(db)
        finally:
            db.close()
        fetches = GaugeMetricFamily("communique_fetches", "Stored fetch rows by state", labels=["state"])
        for state, n in sorted(counts["fetches"].items()):
            fetches.add_metric([state], n)
        yield fetches
        matches = CounterMetricFamily(
            "communique_matches", "Versions matched, by relation", labels=["relation"]
        )
        for relation, n in sorted(counts["matches"].items()):
            matches.add_metric([relation], n)
        yield matches
        alerts = counts["alerts"]
        created = sum(alerts.values())
        yield CounterMetricFamily("communique_alerts_created", "Alerts created", value=created)
        yield CounterMetricFamily(
            "communique_alerts_delivered", "Alerts delivered", value=alerts.get("delivered", 0)
        )
        yield GaugeMetricFamily(
            "communique_alerts_undelivered", "Alerts waiting for delivery", value=alerts.get("undelivered", 0)
        )
        attempts = GaugeMetricFamily(
            "communique_delivery_attempts", "Stored delivery attempts by outcome", labels=["outcome"]
        )
        for outcome in ("ok", "failed"):
            attempts.add_metric([outcome], counts["deliveries"].get(outcome, 0))
        yield attempts


class QueueCollector:
    """Jobs per stage queue and registry (queued, started, scheduled for retry, failed)."""

    def __init__(self, redis_url: str) -> None:
        self.redis = Redis.from_url(redis_url, socket_timeout=2)

    def collect(self) -> Iterator[Metric]:
        """Read the lengths; nothing when Redis is unreachable (the scrape still succeeds)."""
        jobs = GaugeMetricFamily("communique_queue_jobs", "Jobs in Redis", labels=["stage", "state"])
        try:
            for stage, figures in queue_lengths(self.redis).items():
                for state, n in figures.items():
                    jobs.add_metric([stage, state], n)
        except RedisError as exc:
            log.warning("metrics: Redis unreachable: %s", exc)
        yield jobs


def queue_lengths(redis: Redis) -> dict[str, dict[str, int]]:
    """Per stage: jobs queued, started, scheduled (waiting for a retry) and failed."""
    lengths = {}
    for stage in Stage:
        queue = Queue(stage.value, connection=redis, serializer=JSONSerializer)
        lengths[stage.value] = {
            "queued": queue.count,
            "started": StartedJobRegistry(queue=queue).get_job_count(cleanup=False),
            "scheduled": ScheduledJobRegistry(queue=queue).get_job_count(cleanup=False),  # type: ignore[no-untyped-call]
            "failed": FailedJobRegistry(queue=queue).get_job_count(cleanup=False),
        }
    return lengths
