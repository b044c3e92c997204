"""Memory of one worker process over many jobs: resident set after 100 jobs and after 10,000.

Run: .venv/bin/python -m bench.worker_memory [--jobs N] [--quick]
Stores pages (bench/workload.py; bodies repeat under new URLs, so each page is a new document, extracted
and matched in one job, then notified when a rule fires) in real SQLite, queues their extraction on a
throwaway redis-server, and runs one worker process: RQ's SimpleWorker in burst mode, as `communique worker`
runs it, stopped at each checkpoint (max_jobs) to read its VmRSS from /proc/self/status after a
garbage collection, then started again in the same process. Alerts are delivered to a local apprise
json:// sink in the parent process, so the sink's memory is not counted.
Target (issue 7): the resident set grows by at most 10 % from 100 jobs to 10,000.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from redis import Redis
from rq import SimpleWorker
from rq.registry import FailedJobRegistry, FinishedJobRegistry
from rq.serializers import JSONSerializer

from bench.harness import Figure, Figures, load_average, parser, redis_server, rss_bytes
from bench.workload import pages, prepare
from communique.settings import Settings
from interface.cli.service import WORKER_QUEUES  # loads the job code, as the CLI does
from storage.database import open_database
from tests.e2e.site import NewsSite

TARGET_GROWTH = 10.0
JOBS_PER_PAGE = 1.0  # an extract job per page (it matches the new version); a notify job for some


def checkpoints(total: int) -> list[int]:
    """Where to read the resident set: 100 jobs, then tenfold steps and halfway, then `total`."""
    marks = {100, total}
    step = 1000
    while step < total:
        marks.update({step, min(total, step * 5)})
        step *= 10
    return sorted(mark for mark in marks if mark <= total)


def jobs_done(connection: Redis) -> int:
    """Jobs finished or failed so far, from RQ's registries (results are kept for an hour)."""
    return sum(
        registry(name, connection=connection, serializer=JSONSerializer).count
        for name in WORKER_QUEUES
        for registry in (FinishedJobRegistry, FailedJobRegistry)
    )


def as_worker(marks: list[int]) -> None:
    """The worker process: run jobs up to each mark, printing the jobs done and the resident set."""
    settings = Settings()
    open_database(settings).close()
    connection = Redis.from_url(settings.redis_url or "")
    done = 0
    started = time.process_time()
    for mark in marks:
        worker = SimpleWorker(WORKER_QUEUES, connection=connection, serializer=JSONSerializer)
        worker.work(burst=True, max_jobs=mark - done, logging_level="WARNING")
        done = jobs_done(connection)
        gc.collect()
        cpu = time.process_time() - started
        print(json.dumps({"jobs": done, "rss": rss_bytes(), "cpu": cpu}), flush=True)
        if done < mark:
            break  # the queues ran dry


def main() -> None:
    options = parser(__doc__)
    options.add_argument("--jobs", type=int, default=None, help="jobs in all (10,000; 1,000 with --quick)")
    options.add_argument("--as-worker", default=None, help=argparse.SUPPRESS)
    args = options.parse_args()
    if args.as_worker is not None:
        as_worker([int(mark) for mark in args.as_worker.split(",")])
        return
    total = args.jobs or (1000 if args.quick else 10_000)
    figures = Figures("worker_memory", args.results)
    work = pages(int(total / JOBS_PER_PAGE * 1.2) + 50, distinct=False)
    print(f"load average before the run: {load_average()} (other processes share the cores)")
    with tempfile.TemporaryDirectory() as tmp, redis_server() as (url, _), NewsSite() as sink:
        env = prepare(Path(tmp), sink.apprise_url, url, work)
        marks = checkpoints(total)
        command = [sys.executable, "-m", "bench.worker_memory", "--as-worker", ",".join(map(str, marks))]
        log = (Path(tmp) / "worker.log").open("w")
        with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=log, text=True) as worker:
            assert worker.stdout is not None
            readings = [json.loads(line) for line in worker.stdout]
        if worker.returncode:
            raise SystemExit(f"the worker process failed:\n{(Path(tmp) / 'worker.log').read_text()[-3000:]}")
        log.close()
        alerts = len(sink.alerts)
    print(f"{len(work)} pages queued; one worker; {alerts} alerts delivered")
    first = readings[0]
    for reading in readings:
        growth = 100 * (reading["rss"] / first["rss"] - 1)
        print(
            f"  after {reading['jobs']:>6,} jobs: RSS {reading['rss'] / 2**20:7.1f} MB "
            f"({growth:+5.1f} % vs {first['jobs']} jobs), CPU {reading['cpu']:.0f} s"
        )
    last = readings[-1]
    growth = 100 * (last["rss"] / first["rss"] - 1)
    figures.add(Figure(f"worker RSS after {first['jobs']} jobs", first["rss"] / 2**20, "MB"))
    figures.add(Figure(f"worker RSS after {last['jobs']:,} jobs", last["rss"] / 2**20, "MB"))
    figures.add(
        Figure(
            f"worker RSS growth {first['jobs']} → {last['jobs']:,} jobs", growth, "%", at_most=TARGET_GROWTH
        )
    )


if __name__ == "__main__":
    main()
