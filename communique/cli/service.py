"""Wiring the stages together for the commands: storage, queue, crawler and workers."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from redis import Redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from communique.errors import ConfigError
from communique.model import JobQueue, Stage
from communique.settings import Settings
from communique.sources import Source, load_sources
from storage.database import Database, open_database
from storage.fetches import sync_sources
from storage.work import unfinished
from workers.corpus import import_on_first_run

# workers.jobs is imported here, before RQ forks work horses, so they find the job code loaded.
from workers.jobs import make_queue

log = logging.getLogger(__name__)

SWEEP_SECONDS = 30.0
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
    db = open_with_corpus(settings)
    sync_sources(db, sources)
    return Service(settings, db, make_queue(settings), sources)


def requeue_unfinished(db: Database, queue: JobQueue) -> int:
    """Queue again whatever storage shows as unfinished; returns how many jobs."""
    work = unfinished(db)
    for stage, item_id in work:
        queue.enqueue(stage, item_id)
    if work:
        log.info("queued %d unfinished jobs from storage", len(work))
    return len(work)


def start_sweeper(settings: Settings, queue: JobQueue, stop: threading.Event) -> threading.Thread:
    """Every SWEEP_SECONDS, queue unfinished work again (failed deliveries are retried this way)."""

    def sweep() -> None:
        db = open_database(settings)
        while not stop.wait(SWEEP_SECONDS):
            requeue_unfinished(db, queue)

    thread = threading.Thread(target=sweep, name="communique-sweeper", daemon=True)
    thread.start()
    return thread


def run_rq_worker(settings: Settings, burst: bool) -> None:
    """An RQ worker on every stage's queue, JSON-serialised, with the scheduler for retries.

    SimpleWorker runs jobs in this process, so the corpus index, the embedding model and its cache
    stay warm across jobs (a forking worker would rebuild them for every job). A worker killed
    mid-job loses nothing: storage still shows the work unfinished and the crawler queues it again.
    The crawler (the singleton) imports the shipped corpus on first run; workers only read it.
    """
    open_database(settings).close()  # migrate before the first job
    connection = Redis.from_url(settings.redis_url or "")
    SimpleWorker(WORKER_QUEUES, connection=connection, serializer=JSONSerializer).work(
        burst=burst, with_scheduler=True
    )


def open_with_corpus(settings: Settings) -> Database:
    """Open (and migrate) storage and import the shipped corpus on first run."""
    db = open_database(settings)
    import_on_first_run(db, settings.corpus_dir)
    return db
