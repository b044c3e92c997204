"""Faults injected into a running system (crawler service + worker service on Redis): redis-server
killed, a worker killed mid-job or while its RQ scheduler holds a retry, the alert endpoint down, the
database busy. Every alert the system
stores is delivered exactly once.

The article goes v1 (a reprint of a known statement: no alert) → v3 (a number edited: one alert) →
v4 (a paragraph added: one alert); each fault strikes on the way to the first alert."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from redis import Redis
from rq.registry import StartedJobRegistry

from storage.database import Database
from storage.work import unfinished
from tests.conftest import free_port
from tests.e2e.site import ALERT_PATH, ARTICLE_PATH
from tests.faults.harness import (
    FaultySite,
    Processes,
    RedisServer,
    check_delivery,
    database,
    fault_env,
    status,
    wait_until,
)
from tests.service_env import write_apprise

pytestmark = [pytest.mark.faults, pytest.mark.redis]

SETTLE_SECONDS = 6  # three sweeps: time for a late duplicate to show up


@contextmanager
def running(tmp_path: Path, env: dict[str, str], **worker_env: str) -> Iterator[Processes]:
    """The crawler service and one worker service; every process is killed on the way out."""
    procs = Processes(tmp_path, env)
    try:
        procs.start("crawler", "crawl")
        procs.start("worker", "worker", **worker_env)
        yield procs
    finally:
        procs.close()


def settled(db: Database, versions: int) -> bool:
    """`versions` versions stored and nothing unfinished (extracted, matched, alerts delivered)."""
    row = db.row("SELECT COUNT(*) AS n FROM versions")
    return row is not None and int(row["n"]) >= versions and not unfinished(db)


def first_version_done(site: FaultySite, env: dict[str, str], procs: Processes) -> Database:
    """Wait until v1 is fetched, extracted and matched; returns a connection for the test's reads."""
    wait_until(lambda: site.hits.get(ARTICLE_PATH), 120, "the first poll", procs)
    db = database(env)
    wait_until(lambda: settled(db, 1), 120, "v1 extracted and matched", procs)
    return db


def finish(fault: str, site: FaultySite, env: dict[str, str], db: Database, procs: Processes) -> None:
    """Let the first alert arrive, publish v4 and its alert, wait, then check exactly-once delivery;
    the test's connection is closed on the way out."""
    try:
        wait_until(lambda: site.alerts, 120, "the first alert", procs)
        site.set_version(4)
        wait_until(lambda: len(site.alerts) >= 2, 120, "the second alert", procs)
        wait_until(lambda: settled(db, 3), 60, "v4 matched and its alert delivered", procs)
        time.sleep(SETTLE_SECONDS)
        procs.check()  # every process not killed on purpose is still running
        check_delivery(fault, site, env)
    finally:
        db.close()


@contextmanager
def serving(
    tmp_path: Path, site: FaultySite, database_url: str, aof: bool = False
) -> Iterator[tuple[RedisServer, dict[str, str]]]:
    """A throwaway redis-server and the services' environment for one test; Redis stopped after."""
    redis = RedisServer(tmp_path / "redis", aof=aof)
    redis.start()
    try:
        yield redis, fault_env(tmp_path, site, redis.url, database_url)
    finally:
        redis.stop()


@pytest.mark.parametrize("aof", [True, False], ids=["aof", "queue-lost"])
def test_redis_killed_mid_run(tmp_path: Path, site: FaultySite, database_url: str, aof: bool) -> None:
    with serving(tmp_path, site, database_url, aof=aof) as (redis, env):
        site.set_version(1)
        with running(tmp_path, env) as procs:
            db = first_version_done(site, env, procs)
            hits = site.hits[ARTICLE_PATH]
            site.set_version(3)
            site.wait_for_hits(ARTICLE_PATH, hits + 1, timeout=60)
            redis.kill()  # v3 fetched: its jobs are queued or running
            time.sleep(2)
            redis.start()
            finish(f"redis-killed ({'AOF' if aof else 'queue lost'})", site, env, db, procs)


def test_worker_killed_mid_job(tmp_path: Path, site: FaultySite, database_url: str) -> None:
    with serving(tmp_path, site, database_url) as (redis, env):
        site.set_version(1)
        with running(tmp_path, env) as procs:
            db = first_version_done(site, env, procs)
            site.stall_next = True  # the first alert post never gets an answer ...
            site.set_version(3)
            assert site.stalled.wait(timeout=90), "no alert was posted"
            with Redis.from_url(redis.url) as client:
                started = StartedJobRegistry("notify", connection=client)
                assert len(started.get_job_ids(cleanup=False)) == 1  # ... so the worker is mid-job
            procs.kill9("worker")
            site.release.set()
            procs.start("worker-2", "worker")
            finish("worker-killed", site, env, db, procs)
            assert "was abandoned by worker" in procs.log("crawler")
            # The killed worker is no longer listed (RQ alone lists it for 7 minutes).
            workers = status(env)["redis"]["workers"]
            assert len(workers) == 1 and workers[0]["alive"], workers


def test_redis_killed_while_the_worker_is_mid_job(
    tmp_path: Path, site: FaultySite, database_url: str
) -> None:
    with serving(tmp_path, site, database_url) as (redis, env):
        site.set_version(1)
        with running(tmp_path, env) as procs:
            db = first_version_done(site, env, procs)
            site.stall_next, site.drop_stalled = True, False  # the worker is held inside the notify job ...
            site.set_version(3)
            assert site.stalled.wait(timeout=90), "no alert was posted"
            redis.kill()  # ... when Redis dies under it
            site.release.set()
            time.sleep(4)  # the job ends and RQ finds Redis gone
            procs.check()  # the worker waits for Redis (it exited 1 before)
            redis.start()
            finish("redis-killed-mid-job", site, env, db, procs)
            assert "Redis unreachable" in procs.log("worker")


def test_a_retry_goes_out_when_the_worker_holding_rq_scheduler_is_killed(
    tmp_path: Path, site: FaultySite, database_url: str
) -> None:
    pause = 8
    with serving(tmp_path, site, database_url) as (redis, base):
        env = {**base, "COMMUNIQUE_RETRY_INTERVALS": f"[{pause}, {pause}, {pause}]"}
        site.set_version(1)
        with running(tmp_path, env) as procs, Redis.from_url(redis.url) as client:
            db = first_version_done(site, env, procs)
            site.fail_first = 1  # the first post of the alert fails: its retry waits in RQ's schedule
            site.set_version(3)
            wait_until(lambda: client.zcard("rq:scheduled:notify") == 1, 90, "a scheduled retry", procs)
            assert client.exists("rq:scheduler-lock:notify")  # held by the worker's scheduler ...
            procs.kill9("worker")  # ... which dies with it; the lock outlives it by a minute
            procs.start("worker-2", "worker")
            # Due `pause` s after the failure: RQ alone moves it once the lock expired and worker-2's
            # maintenance ran (about 70 s); the sweep queues it OVERDUE_SECONDS after it is due.
            wait_until(lambda: site.alerts, pause + 35, "the retried alert", procs)
            finish("scheduler-killed", site, env, db, procs)
            assert "no RQ scheduler moved" in procs.log("crawler")


@pytest.mark.parametrize("how", ["http-500", "refused"])
def test_alert_endpoint_down(tmp_path: Path, site: FaultySite, database_url: str, how: str) -> None:
    failures = 5  # more than the RQ retries (3), so a storage sweep has to queue it again too
    with serving(tmp_path, site, database_url) as (_, env):
        apprise = Path(env["COMMUNIQUE_APPRISE_CONFIG"])
        site.set_version(1)
        with running(tmp_path, env) as procs:
            db = first_version_done(site, env, procs)
            if how == "http-500":
                site.fail_first = failures
            else:
                write_apprise(apprise, f"json://127.0.0.1:{free_port()}{ALERT_PATH}")
            site.set_version(3)
            wait_until(lambda: failed_attempts(db) >= 2, 90, "two failed deliveries", procs)
            pending = status(env)["pending_deliveries"]
            assert len(pending) == 1 and pending[0]["attempts"] >= 2, pending
            assert "failed" in pending[0]["last_error"], pending
            wait_until(lambda: failed_attempts(db) >= failures, 120, f"{failures} failed deliveries", procs)
            if how == "refused":
                write_apprise(apprise, site.apprise_url)
            finish(f"endpoint-down ({how}, {failures} failed attempts)", site, env, db, procs)


def waiting_fetches(db: Database) -> int:
    """Fetches stored and not yet extracted."""
    row = db.row("SELECT COUNT(*) AS n FROM fetches WHERE state = 'fetched'")
    return int(row["n"]) if row else 0


def failed_attempts(db: Database) -> int:
    """Delivery attempts recorded as failed."""
    row = db.row("SELECT COUNT(*) AS n FROM deliveries WHERE ok = 0")
    return int(row["n"]) if row else 0


@contextmanager
def write_lock(database_url: str) -> Iterator[None]:
    """Another process's lock on the database, in the way of every job: SQLite's write lock
    (BEGIN IMMEDIATE); on PostgreSQL an exclusive lock on the tables extraction reads and writes."""
    if database_url.startswith("sqlite:///"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    with psycopg.connect(database_url) as pg, pg.transaction():
        pg.execute("LOCK TABLE fetches, snapshots, documents, versions IN ACCESS EXCLUSIVE MODE")
        yield


def test_database_busy(tmp_path: Path, site: FaultySite, database_url: str) -> None:
    with serving(tmp_path, site, database_url) as (_, env):
        site.set_version(1)
        # The worker gives up on a lock after 1 s (the crawler keeps the default and just waits).
        with running(tmp_path, env, COMMUNIQUE_DB_BUSY_TIMEOUT="1") as procs:
            db = first_version_done(site, env, procs)
            worker = procs.procs["worker"].pid
            os.killpg(worker, signal.SIGSTOP)  # paused, so that its next job meets the lock
            try:
                site.set_version(3)
                wait_until(lambda: waiting_fetches(db) >= 1, 60, "v3 fetched, not extracted", procs)
                with write_lock(database_url):
                    os.killpg(worker, signal.SIGCONT)
                    wait_until(lambda: "database busy" in procs.log("worker"), 60, "a busy failure", procs)
                    time.sleep(4)  # held across several retries
            finally:
                os.killpg(worker, signal.SIGCONT)
            finish("database-busy", site, env, db, procs)
