"""Wiring the stages together for the commands: storage, queue, crawler and workers."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any

from redis import Redis
from redis.exceptions import AuthenticationError, RedisError
from rq import SimpleWorker
from rq.job import Job, JobStatus
from rq.queue import Queue
from rq.serializers import JSONSerializer

from communique import metrics
from communique.errors import ConfigError, TransientError
from communique.model import JobQueue, Stage
from communique.rules import load_rules
from communique.settings import Settings
from communique.sources import Source, load_sources
from interface.cli.corpus_setup import open_with_corpus
from interface.cli.presence import Heartbeat
from storage import alerts
from storage.database import Database, open_database
from storage.fetches import sync_sources
from storage.retention import Retention, prune
from storage.work import unfinished
from workers.bundles import close_due
from workers.context import current, warm_up
from workers.delivery import tags_without_targets

# workers.jobs is imported here, before RQ forks work horses, so they find the job code loaded.
from workers.jobs import embedded_queue
from workers.queue import RedisQueue

log = logging.getLogger(__name__)

PRUNE_SECONDS = 3600.0
# RQ workers look for a dead scheduler (and take over retries) at this interval; RQ's default is 10 min.
RQ_MAINTENANCE_SECONDS = 60
# A worker takes jobs from the last stage first: work in flight is finished (alerts sent) before new
# pages are extracted, so a backlog of fetches neither delays alerts nor piles up unmatched versions.
WORKER_QUEUES = [Stage.NOTIFY.value, Stage.MATCH.value, Stage.EXTRACT.value]


@dataclass
class Service:
    """One process's view of the system: its settings, database, queue and sources."""

    settings: Settings
    db: Database
    queue: JobQueue
    sources: list[Source]


def prepare(settings: Settings, source_ids: tuple[str, ...] = ()) -> Service:
    """Open and migrate storage, import the corpus on first run, sync sources, build the queue."""
    sources = load_sources(settings.rules_dir)
    if source_ids:
        unknown = sorted(set(source_ids) - {s.id for s in sources})
        if unknown:
            raise ConfigError(f"unknown source id(s): {', '.join(unknown)}")
        sources = [s for s in sources if s.id in source_ids]
    warn_undeliverable(settings)
    db = open_with_corpus(settings)
    sync_sources(db, sources)
    return Service(settings, db, build_queue(settings), sources)


def warn_undeliverable(settings: Settings) -> None:
    """Say at start which rule tags no alert target carries: their alerts would never be sent."""
    for warning in tags_without_targets(settings.apprise_config_path, load_rules(settings.rules_dir)):
        log.warning("%s", warning)


def build_queue(settings: Settings) -> JobQueue:
    """RQ with the configured retry pauses, or the embedded queue (its jobs counted for metrics)."""
    if settings.redis_url:
        return RedisQueue(settings.redis_url, settings.retry_intervals)
    queue = embedded_queue(settings)
    queue.observer = metrics.observe_job
    return queue


def requeue_unfinished(db: Database, queue: JobQueue) -> int:
    """Close the digest and follow-up windows that are over, then queue again whatever storage shows
    as unfinished, their alerts included (first queue the retries no RQ scheduler moved, and drop jobs
    whose worker died, so that they are queued again too, releasing the alert targets they were
    sending to); returns how many jobs."""
    close_due(db)
    if isinstance(queue, RedisQueue):
        queue.release_overdue()
        queue.forget_dead_workers()
        for stage, item_id in queue.forget_abandoned():
            if stage is Stage.NOTIFY:
                alerts.release_claims(db, item_id)
    work = unfinished(db)
    for stage, item_id in work:
        queue.enqueue(stage, item_id)
    if work:
        log.info("queued %d unfinished jobs from storage", len(work))
    return len(work)


def retention(settings: Settings) -> Retention:
    """The retention the settings ask for."""
    return Retention(
        snapshots_days=settings.retain_snapshots_days,
        fetches_days=settings.retain_fetches_days,
        deliveries_days=settings.retain_deliveries_days,
    )


def start_sweeper(settings: Settings, queue: JobQueue, stop: threading.Event) -> threading.Thread:
    """Every sweep_seconds, send the bundles that are due and queue unfinished work again (failed
    deliveries are retried this way); every hour, prune what the retention settings let go. Errors
    are logged and the sweep goes on."""

    def sweep() -> None:
        db = open_database(settings)
        keep = retention(settings)
        pruned_at = 0.0
        while not stop.wait(settings.sweep_seconds):
            try:
                requeue_unfinished(db, queue)
                if time.monotonic() - pruned_at > PRUNE_SECONDS and keep != Retention():
                    pruned_at = time.monotonic()
                    log.info("retention: removed %s", prune(db, keep))
            except Exception:
                log.exception("sweep failed; trying again in %s s", settings.sweep_seconds)

    thread = threading.Thread(target=sweep, name="communique-sweeper", daemon=True)
    thread.start()
    return thread


class CountingWorker(SimpleWorker):
    """A SimpleWorker that counts and times its jobs, and remembers whether it was asked to stop."""

    stopping = False

    def request_stop(self, signum: Any, frame: Any) -> None:
        """SIGTERM/SIGINT: finish the job under way, then stop."""
        self.stopping = True
        super().request_stop(signum, frame)  # type: ignore[no-untyped-call]

    def execute_job(self, job: Job, queue: Queue) -> None:
        """Run the job here and record how it went."""
        started = time.monotonic()
        super().execute_job(job, queue)
        status = job.get_status(refresh=False)
        outcome = {JobStatus.FINISHED: "ok", JobStatus.FAILED: "failed"}.get(status, "retry")
        metrics.observe_job(queue.name, time.monotonic() - started, outcome)


def run_rq_worker(settings: Settings, burst: bool) -> None:
    """An RQ worker on every stage's queue, JSON-serialised, with the scheduler for retries.

    SimpleWorker runs jobs in this process, so the corpus index, the embedding model and its cache
    stay warm across jobs (a forking worker would rebuild them for every job); the corpus index and the
    language model are built before the first job. The worker keeps a liveness key in Redis; if it is
    killed mid-job, the crawler's sweep sees the key expire, drops the abandoned job and queues the
    work again from storage.

    Redis refusing the credentials at start is a ConfigError, Redis unreachable at start a
    TransientError (the command exits 2 or 75). Once started, the worker outlives Redis: when RQ's loop
    gives up (Redis gone mid-job, or at a bad moment) a new one starts once Redis answers, so the
    process only ends when asked to (SIGTERM) or with `burst`.
    """
    url = settings.redis_url or ""
    _check_redis(url)
    warn_undeliverable(settings)
    warm_up(current())  # the jobs' context opens (and migrates) storage first
    presence = RedisQueue(url)
    while True:
        try:
            worker = CountingWorker(
                WORKER_QUEUES,
                connection=Redis.from_url(url),
                serializer=JSONSerializer,
                maintenance_interval=RQ_MAINTENANCE_SECONDS,
            )
        except RedisError as exc:  # RQ names its connection on creation
            _wait_for_redis(exc, burst)
            continue
        beat = _liveness(presence, worker.name, settings.worker_ttl)
        try:
            worker.work(burst=burst, with_scheduler=True)
        except RedisError as exc:  # RQ's teardown writes to a Redis that is gone
            _wait_for_redis(exc, burst)
        finally:
            beat.stop()
            _forget(presence, worker.name)
        if burst or worker.stopping:
            return
        exit_on_sigterm()  # RQ's handlers point at the worker that ended
        log.warning("worker loop ended without a stop request; starting a new one in 2 s")
        time.sleep(2)


def _check_redis(url: str) -> None:
    """Redis answers at `url` with its credentials, or the worker cannot start."""
    try:
        with Redis.from_url(url, socket_connect_timeout=5) as client:
            client.ping()
    except AuthenticationError as exc:  # retrying cannot help
        raise ConfigError(f"COMMUNIQUE_REDIS_URL: Redis refused the credentials: {exc}") from None
    except RedisError as exc:
        raise TransientError(f"COMMUNIQUE_REDIS_URL: Redis unreachable: {exc}") from None


def _wait_for_redis(exc: RedisError, burst: bool) -> None:
    """After Redis went away under a running worker: wait a moment (a burst run gives up)."""
    if burst:
        raise TransientError(f"COMMUNIQUE_REDIS_URL: Redis unreachable: {exc}") from None
    log.warning("Redis unreachable (%s); the worker goes on when it answers", exc)
    time.sleep(2)


def _liveness(presence: RedisQueue, name: str, ttl: float) -> Heartbeat:
    about = f"{os.uname().nodename}:{os.getpid()}"
    beat = Heartbeat(lambda: presence.mark_alive(name, ttl, about), ttl / 3, "communique-worker-alive")
    while True:
        try:
            beat.start()
            return beat
        except RedisError as exc:
            log.warning("Redis unreachable, retrying: %s", exc)
            time.sleep(1)


def _forget(presence: RedisQueue, name: str) -> None:
    try:
        presence.mark_gone(name)
    except RedisError as exc:
        log.warning("could not remove the liveness key of %s: %s", name, exc)


def exit_on_sigterm() -> None:
    """Until Scrapy or RQ install their own graceful handlers, SIGTERM exits cleanly (status 0) and
    `finally` blocks run (the crawler lock is released)."""

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, leave)
