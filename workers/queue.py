"""The two job queues: RQ on Redis (separate processes) and the embedded in-process default."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence

from redis import Redis
from rq import Queue, Retry, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer

from communique.errors import TransientError
from communique.model import Stage

log = logging.getLogger(__name__)

# Retried with these pauses (seconds) on TransientError; after that the job waits in RQ's failed
# registry and the next sweep of unfinished work (storage is the source of truth) queues it again.
RETRY_INTERVALS = [2, 10, 60, 300, 900]
WAITING = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
# RQ's scheduler moves a retry whose pause is over into its queue within a second (its interval). A
# retry still parked this long after its time has no scheduler: the worker holding RQ's scheduler lock
# was killed, or Redis restarted under it, and another worker takes the lock over only once it expires
# and its own maintenance runs (measured: 405 s after a SIGKILL, 6 min 29 s after a Redis restart).
OVERDUE_SECONDS = 10
# `communique worker` keeps this key (plus its RQ name) alive while its process lives; a started job
# whose worker has no such key was abandoned (the worker was killed) and is queued again.
WORKER_ALIVE_PREFIX = "communique:worker:"

# Called after every job the embedded queue runs: stage, seconds, outcome ("ok", "retry", "failed").
JobObserver = Callable[[Stage, float, str], None]


def job_id(stage: Stage, item_id: int) -> str:
    """The deterministic id of the job doing `stage` for one stored item."""
    return f"{stage.value}-{item_id}"


class RedisQueue:
    """Enqueues JSON-serialised jobs on one RQ queue per stage."""

    def __init__(self, url: str, retry_intervals: Sequence[int] = RETRY_INTERVALS) -> None:
        self.redis = Redis.from_url(url)
        self.retry_intervals = list(retry_intervals)
        self.queues = {
            stage: Queue(stage.value, connection=self.redis, serializer=JSONSerializer) for stage in Stage
        }

    def enqueue(self, stage: Stage, item_id: int) -> None:
        """Queue the job unless the same job is already waiting or running."""
        jid = job_id(stage, item_id)
        try:
            job = Job.fetch(jid, connection=self.redis, serializer=JSONSerializer)
            status = job.get_status(refresh=False)  # fetched just now
            if status in WAITING and self._in_place(jid, status, self.queues[stage]):
                return
        except NoSuchJobError:
            pass
        self.queues[stage].enqueue_call(
            f"workers.jobs.{stage.value}",
            args=(item_id,),
            job_id=jid,
            retry=Retry(max=len(self.retry_intervals), interval=self.retry_intervals),
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
        )

    def _in_place(self, jid: str, status: JobStatus, rq_queue: Queue) -> bool:
        """Whether a waiting job is where its status says. Redis restarted from its append-only file
        can keep a job "queued" that a worker had taken off the queue just before Redis died: nothing
        would ever run it."""
        if status == JobStatus.QUEUED:
            return self.redis.lpos(rq_queue.key, jid) is not None
        if status == JobStatus.SCHEDULED:
            return self.redis.zscore(rq_queue.scheduled_job_registry.key, jid) is not None
        return True

    def forget_abandoned(self) -> list[tuple[Stage, int]]:
        """Delete the started jobs of workers that are gone; returns their stage and item.

        RQ finds such jobs only when their registry entry expires (the job timeout plus a minute) and
        its hourly maintenance runs; our workers keep a short-lived liveness key instead, so a job whose
        worker was killed is dropped here and the storage sweep that follows queues it again.
        """
        forgotten: list[tuple[Stage, int]] = []
        for stage, rq_queue in self.queues.items():
            registry = StartedJobRegistry(queue=rq_queue, serializer=JSONSerializer)
            for jid, execution in registry.get_job_and_execution_ids(cleanup=False):
                try:
                    job: Job | None = Job.fetch(jid, connection=self.redis, serializer=JSONSerializer)
                except NoSuchJobError:
                    job = None
                if (
                    job is not None
                    and job.worker_name
                    and self.redis.exists(WORKER_ALIVE_PREFIX + job.worker_name)
                ):
                    continue
                log.warning("%s job %s was abandoned by worker %s", stage, jid, job and job.worker_name)
                self.redis.zrem(registry.key, f"{jid}:{execution}")
                if job is not None:
                    job.delete()
                prefix, _, item = jid.rpartition("-")
                if prefix == stage.value and item.isdigit():  # one of ours (job_id)
                    forgotten.append((stage, int(item)))
        return forgotten

    def release_overdue(self) -> list[str]:
        """Queue the retries whose pause ended OVERDUE_SECONDS ago, as RQ's scheduler would have done;
        returns their job ids. Removing a job from the scheduled registry decides who moves it: when
        the scheduler took it meanwhile, it is left alone."""
        released: list[str] = []
        cutoff = int(time.time() - OVERDUE_SECONDS)
        for rq_queue in self.queues.values():
            registry = rq_queue.scheduled_job_registry
            for jid in registry.get_jobs_to_schedule(cutoff):
                if not self.redis.zrem(registry.key, jid):
                    continue
                try:
                    job = Job.fetch(jid, connection=self.redis, serializer=JSONSerializer)
                except NoSuchJobError:
                    continue
                rq_queue.enqueue_job(job)
                released.append(jid)
        if released:
            log.warning("no RQ scheduler moved %s in time; queued them", ", ".join(released))
        return released

    def forget_dead_workers(self) -> list[str]:
        """Unregister the RQ workers whose process is gone (killed: no liveness key); returns their
        names. RQ keeps a killed worker listed until its own key expires (7 minutes); ours set the
        liveness key before RQ registers them, so a registered worker without one has died."""
        gone = [
            worker
            for worker in Worker.all(connection=self.redis, serializer=JSONSerializer)
            if not self.redis.exists(WORKER_ALIVE_PREFIX + worker.name)
        ]
        for worker in gone:
            worker.register_death()  # type: ignore[no-untyped-call]  # RQ's own way out of its list
        if gone:
            log.warning("workers gone: %s", ", ".join(worker.name for worker in gone))
        return [worker.name for worker in gone]

    def mark_alive(self, worker_name: str, ttl: float, about: str) -> None:
        """Say that this worker process lives, for `ttl` seconds."""
        self.redis.set(WORKER_ALIVE_PREFIX + worker_name, about, px=int(ttl * 1000))

    def mark_gone(self, worker_name: str) -> None:
        """Say that this worker stopped."""
        self.redis.delete(WORKER_ALIVE_PREFIX + worker_name)


class EmbeddedQueue:
    """Runs the same job functions in this process, on one worker thread or drained on demand."""

    def __init__(self, runner: Callable[[Stage, int], None]) -> None:
        self._runner = runner
        self._items: queue.Queue[tuple[Stage, int]] = queue.Queue()
        self._waiting: set[tuple[Stage, int]] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.observer: JobObserver | None = None

    def enqueue(self, stage: Stage, item_id: int) -> None:
        """Queue the job unless the same job is already waiting."""
        with self._lock:
            if (stage, item_id) in self._waiting:
                return
            self._waiting.add((stage, item_id))
        self._items.put((stage, item_id))

    def drain(self) -> int:
        """Run queued jobs in the calling thread until none is left; returns how many ran."""
        done = 0
        while True:
            try:
                item = self._items.get_nowait()
            except queue.Empty:
                return done
            self._run(item)
            done += 1

    def start(self) -> None:
        """Run jobs on a background thread as they come."""
        self._thread = threading.Thread(target=self._serve, name="communique-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Finish the job under way and stop the background thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                item = self._items.get(timeout=0.2)
            except queue.Empty:
                continue
            self._run(item)

    def _run(self, item: tuple[Stage, int]) -> None:
        with self._lock:
            self._waiting.discard(item)
        started, outcome = time.monotonic(), "ok"
        try:
            self._runner(*item)
        except TransientError as exc:
            # Left unfinished in storage; the periodic sweep queues it again.
            outcome = "retry"
            log.warning("%s %s will be retried: %s", item[0], item[1], exc)
        except Exception:
            outcome = "failed"
            log.exception("%s %s failed", item[0], item[1])
        if self.observer is not None:
            self.observer(item[0], time.monotonic() - started, outcome)
