"""Throughput of the workers: pages per second through extract → match → notify, with 1 and 2 workers.

Run: .venv/bin/python -m bench.throughput [--pages N] [--quick]
Stores N distinct fetched pages (bench/workload.py: real news pages, reprints and excerpts of known
statements, edited statements) in real SQLite as the crawler would; starts k `communique worker`
processes on a throwaway redis-server and, once all k are waiting for work, queues the pages'
extraction as the crawler does and measures the wall time until the work is done in storage (every
page extracted and matched, every alert delivered to a local apprise json:// sink over HTTP); then
stops the workers. The same workload runs with k = 1 and k = 2, each on a fresh database and Redis.

  pages/s           N / wall time from queueing the pages to the last of that work done
  pages/s per core  N / CPU seconds of the worker processes (user + system, from wait4) less their
                    startup, measured apart
  startup           one burst worker on empty queues: imports, models, corpus index (paid once per
                    worker process, before the wall time starts)

Redis and the sink use CPU too (shown); the machine has 2 cores shared with other work, so the
2-worker run competes with them. Targets (issue 7): ≥ 30 pages/s per core; 2 workers ≥ 1.8× one.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from redis import Redis
from rq import Queue, Worker

from bench.harness import Figure, Figures, cpu_seconds, load_average, parser, redis_server, wait_child
from bench.workload import Page, pages, prepare, queue_extraction
from communique.settings import Settings
from storage.database import open_database
from storage.work import status, unfinished
from tests.e2e.site import NewsSite

TARGET_PER_CORE = 30.0
TARGET_SCALING = 1.8


@dataclass(frozen=True)
class Run:
    """What one run with k workers took."""

    workers: int
    pages: int
    wall: float
    worker_cpu: float
    redis_cpu: float
    sink_cpu: float
    alerts: int
    relations: str


def start_workers(
    count: int, env: dict[str, str], log: Path, burst: bool = True
) -> list[subprocess.Popen[bytes]]:
    """`count` workers, logging to one file; burst workers leave when the queues are empty."""
    with log.open("ab") as sink:
        return [
            subprocess.Popen(
                [sys.executable, "-m", "interface", "worker", *(["--burst"] if burst else [])],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=sink,
            )
            for _ in range(count)
        ]


def startup(env: dict[str, str], folder: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one burst worker with nothing to do (its fixed cost)."""
    start = time.perf_counter()
    (process,) = start_workers(1, env, folder / "startup.log")
    cpu = wait_child(process)
    return time.perf_counter() - start, cpu


def idle(connection: Redis) -> bool:
    """Whether every queue is empty and every worker waits (a job queues the next stage's before it
    ends, so the work queued so far is done)."""
    queues = Queue.all(connection=connection)
    workers = Worker.all(connection=connection)
    return all(queue.count == 0 for queue in queues) and all(w.get_state() == "idle" for w in workers)


def run(count: int, work: list[Page], redis: tuple[str, int], folder: Path) -> Run:
    """Store the workload on a fresh database and Redis, start `count` workers, and once they wait for
    work, queue it and time it until it is done."""
    url, redis_pid = redis
    connection = Redis.from_url(url)
    connection.flushall()
    with NewsSite() as sink:
        env = prepare(folder, sink.apprise_url, url, work, enqueue=False)
        db = open_database(Settings(data_dir=folder / "data"))
        stored = [int(row["id"]) for row in db.rows("SELECT id FROM fetches ORDER BY id")]
        processes = start_workers(count, env, folder / "workers.log", burst=False)
        while Worker.count(connection=connection) < count:
            if any(process.poll() is not None for process in processes):
                raise SystemExit(f"a worker failed; see {folder / 'workers.log'}")
            time.sleep(0.05)
        redis_before, own_before = cpu_seconds(redis_pid), cpu_seconds()
        start = time.perf_counter()
        queue_extraction(url, stored)
        while not idle(connection) or unfinished(db):  # storage is read only when Redis says done
            time.sleep(0.1)
        wall = time.perf_counter() - start
        redis_cpu, sink_cpu = cpu_seconds(redis_pid) - redis_before, cpu_seconds() - own_before
        for process in processes:
            process.send_signal(signal.SIGTERM)  # the worker finishes its job and leaves
        worker_cpu = sum(wait_child(process) for process in processes)
        if any(process.returncode for process in processes):
            raise SystemExit(f"a worker failed; see {folder / 'workers.log'}")
        left = unfinished(db)
        report = status(db)
        relations = Counter(row["relation"] for row in db.rows("SELECT relation FROM matches"))
        failed = db.row("SELECT COUNT(*) AS n FROM fetches WHERE state = 'failed'")
        db.close()
        alerts = int(report["counts"]["alerts"])  # type: ignore[index]
        if left or len(sink.alerts) != alerts:
            raise SystemExit(f"work left unfinished: {len(left)} jobs, {len(sink.alerts)}/{alerts} alerts")
    shown = ", ".join(f"{name} {n}" for name, n in sorted(relations.items()))
    shown += f"; no main text {failed['n'] if failed else 0}"
    return Run(count, len(work), wall, worker_cpu, redis_cpu, sink_cpu, alerts, shown)


def main() -> None:
    options = parser(__doc__)
    options.add_argument("--pages", type=int, default=None, help="pages per run (400; 60 with --quick)")
    args = options.parse_args()
    count = args.pages or (60 if args.quick else 400)
    figures = Figures("throughput", args.results)
    work = pages(count)
    kinds = Counter(page.kind for page in work)
    size = sum(len(page.body) for page in work) / len(work) / 1024
    print(f"load average before the run: {load_average()} (other processes share the cores)")
    print(f"workload: {count} pages, {dict(kinds)}, {size:.0f} KB of HTML on average")
    with tempfile.TemporaryDirectory() as tmp, redis_server() as redis:
        folder = Path(tmp)
        with NewsSite() as sink:
            env = prepare(folder / "startup", sink.apprise_url, redis[0].replace("/0", "/1"), [])
            fixed_wall, fixed_cpu = startup(env, folder / "startup")
        print(f"startup of one worker (empty queues): {fixed_wall:.2f} s wall, {fixed_cpu:.2f} s CPU")
        runs = {k: run(k, work, redis, folder / f"run{k}") for k in (1, 2)}
    for k, result in runs.items():
        steady_cpu = result.worker_cpu - k * fixed_cpu
        print(
            f"{k} worker(s): {result.wall:.2f} s wall, {result.pages / result.wall:.1f} pages/s; worker CPU "
            f"{result.worker_cpu:.2f} s → {result.pages / result.worker_cpu:.1f} pages/s per core "
            f"({result.pages / steady_cpu:.1f} without startup); redis {result.redis_cpu:.2f} s CPU, "
            f"sink and bench {result.sink_cpu:.2f} s CPU; {result.alerts} alerts delivered"
        )
        print(f"  relations: {result.relations}")
        figures.add(Figure(f"throughput {k} worker(s): pages/s", result.pages / result.wall, "pages/s"))
        figures.add(
            Figure(
                f"throughput {k} worker(s): pages/s per core (startup excluded)",
                result.pages / steady_cpu,
                "pages/s",
                at_least=TARGET_PER_CORE,
            )
        )
    ratio = (runs[2].pages / runs[2].wall) / (runs[1].pages / runs[1].wall)
    print(f"2 workers vs 1: {ratio:.2f}× the pages per second")
    figures.add(Figure("throughput: 2 workers vs 1", ratio, "×", at_least=TARGET_SCALING))


if __name__ == "__main__":
    main()
