"""Prometheus metrics of one process, served over HTTP when COMMUNIQUE_METRICS_PORT is set.

Every process (run, crawl, each worker) serves its own endpoint; Prometheus adds them up. Jobs are
counted and timed by the process that runs them. What storage and Redis hold (fetches by state,
matches by relation, alerts, queue lengths) is read at scrape time by collectors the crawler registers
(see interface/cli/exporters.py), so those figures are the system's, not one process's, and survive
restarts: scrape them from the crawler only.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import REGISTRY, Counter, Histogram, start_http_server
from prometheus_client.registry import Collector

JOBS = Counter("communique_jobs", "Jobs run by this process, by stage and outcome", ["stage", "outcome"])
JOB_SECONDS = Histogram(
    "communique_job_seconds",
    "Time a job took, by stage",
    ["stage"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)


def observe_job(stage: str, seconds: float, outcome: str) -> None:
    """Count and time one job ("ok", "retry" after a transient error, "failed")."""
    JOBS.labels(stage=stage, outcome=outcome).inc()
    JOB_SECONDS.labels(stage=stage).observe(seconds)


def serve(port: int, host: str, collectors: Iterable[Collector] = ()) -> None:
    """Serve /metrics on host:port from a daemon thread, with extra scrape-time collectors."""
    for collector in collectors:
        REGISTRY.register(collector)
    start_http_server(port, addr=host)
