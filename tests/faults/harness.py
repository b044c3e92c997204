"""The fault-test harness: a killable redis-server, `communique` processes in their own groups, a
news site whose alert sink can fail or stall, and the exactly-once check."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from redis import Redis

from communique.settings import Settings
from storage.database import Database, open_database
from tests.conftest import free_port, need_binary, run_cli
from tests.e2e.site import ALERT_PATH, NewsSite
from tests.service_env import page_source, service_env

RULES = """
rules:
  - name: vn-ru-joint-statement
    events: [new, changed]
    keywords: [Tuyên bố chung, Совместное заявление, joint statement]
    notify: [analysts]
"""
# v1 (a reprint of a known statement: no alert) → v3 (a number edited) → v4 (a paragraph added).
EXPECTED_ALERTS = 2
SUMMARIES: list[str] = []

# Short pauses so that a test takes seconds: RQ retries, storage sweeps, lock and liveness expiry.
FAST = {
    "COMMUNIQUE_RETRY_INTERVALS": "[1, 1, 2]",
    "COMMUNIQUE_SWEEP_SECONDS": "2",
    "COMMUNIQUE_LOCK_TTL": "6",
    "COMMUNIQUE_WORKER_TTL": "3",
}


class RedisServer:
    """A redis-server of our own that a test may kill with SIGKILL and start again on the same port."""

    def __init__(self, folder: Path, aof: bool) -> None:
        self.exe = need_binary("redis-server")
        self.folder = folder
        self.aof = aof
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start (with AOF: reloading what it wrote) and wait until it answers."""
        self.folder.mkdir(parents=True, exist_ok=True)
        persist = ["--appendonly", "yes", "--appendfsync", "everysec"] if self.aof else ["--appendonly", "no"]
        self.proc = subprocess.Popen(
            [
                self.exe,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                *persist,
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = Redis.from_url(self.url)
        wait_until(lambda: _pings(client), 20, "redis-server answering")

    def kill(self, lose_data: bool = False) -> None:
        """SIGKILL; with `lose_data`, also delete what it persisted (the queue content is lost)."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=10)
        if lose_data:
            shutil.rmtree(self.folder, ignore_errors=True)

    def stop(self) -> None:
        """Stop it for good."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def _pings(client: Redis) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


class Processes:
    """`communique` commands in their own process groups (an RQ worker forks its scheduler), with
    their output in files; every group is killed at the end."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.ended: set[str] = set()
        self._logs: list[IO[bytes]] = []

    def start(self, name: str, *args: str, **env: str) -> subprocess.Popen[bytes]:
        """Start `communique ARGS` as `name`, with extra environment variables."""
        log = (self.folder / f"{name}.log").open("wb")
        self._logs.append(log)
        proc = subprocess.Popen(
            [sys.executable, "-m", "interface", *args],
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = proc
        return proc

    def kill9(self, name: str) -> None:
        """SIGKILL the process and everything it started."""
        proc = self.procs[name]
        self.ended.add(name)
        _killpg(proc.pid)
        proc.wait(timeout=30)

    def stop(self, name: str, timeout: float = 60) -> int:
        """SIGTERM and wait; returns the exit status."""
        proc = self.procs[name]
        self.ended.add(name)
        proc.send_signal(signal.SIGTERM)
        return proc.wait(timeout=timeout)

    def check(self) -> None:
        """Fail with its output if a process that was not stopped on purpose has exited."""
        for name, proc in self.procs.items():
            if proc.poll() is not None and name not in self.ended:
                raise AssertionError(f"{name} exited {proc.returncode}:\n{self.log(name)[-3000:]}")

    def log(self, name: str) -> str:
        """What the process printed so far."""
        return (self.folder / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def close(self) -> None:
        """Kill every group still running."""
        for proc in self.procs.values():
            _killpg(proc.pid)
            proc.wait(timeout=30)
        for log in self._logs:
            log.close()


def _killpg(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def wait_until(
    check: Callable[[], object], timeout: float, what: str, procs: Processes | None = None
) -> None:
    """Poll `check` until it is true; fail naming `what` after `timeout` seconds, or at once when one
    of `procs` died."""
    deadline = time.monotonic() + timeout
    while not check():
        if procs is not None:
            procs.check()
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.2)


class FaultySite(NewsSite):
    """The e2e news site whose alert sink can fail the first N posts (HTTP 500) or stall one post
    (never answering: a delivery in flight when its worker dies)."""

    def __init__(self) -> None:
        self.fail_first = 0
        self.stall_next = False
        self.drop_stalled = True  # False: the stalled post is answered and counted once released
        self.stalled = threading.Event()
        self.release = threading.Event()
        super().__init__()

    @property  # type: ignore[override]
    def fail_alerts(self) -> bool:
        """Fail while fewer than `fail_first` alert posts arrived (this one counted)."""
        return self.hits.get(ALERT_PATH, 0) <= self.fail_first

    @fail_alerts.setter
    def fail_alerts(self, value: bool) -> None:
        self.fail_first = 10**9 if value else 0

    def record_alert(self, alert: dict[str, Any]) -> None:
        """Record it, unless it is the one to stall: hold it until released, then drop it (or, with
        `drop_stalled` off, record it)."""
        if self.stall_next:
            self.stall_next = False
            self.stalled.set()
            self.release.wait(timeout=120)
            if self.drop_stalled:
                return
        super().record_alert(alert)


def fault_env(tmp_path: Path, site: NewsSite, redis_url: str, database_url: str) -> dict[str, str]:
    """Rules, apprise config, data folder, database, Redis and the short pauses for one test."""
    return service_env(
        tmp_path,
        sources=page_source(site.article_url),
        rules=RULES,
        apprise_url=site.apprise_url,
        **FAST,
        COMMUNIQUE_DATABASE_URL=database_url,
        COMMUNIQUE_REDIS_URL=redis_url,
    )


def status(env: dict[str, str]) -> dict[str, Any]:
    """`communique status --json` run as a user would."""
    report: dict[str, Any] = json.loads(run_cli(env, "status", "--json").stdout)
    return report


def database(env: dict[str, str]) -> Database:
    """A connection to the database under test, for the test's own reads."""
    return open_database(Settings(database_url=env["COMMUNIQUE_DATABASE_URL"]))


def check_delivery(fault: str, site: NewsSite, env: dict[str, str]) -> None:
    """Every stored alert delivered exactly once; print and remember the summary line."""
    report = status(env)
    expected = report["counts"]["alerts"]
    received = [(alert["title"], alert["message"]) for alert in site.alerts]
    delivered = len(set(received))
    duplicated = len(received) - delivered
    dialect = "postgresql" if env["COMMUNIQUE_DATABASE_URL"].startswith("postgres") else "sqlite"
    line = f"fault {fault} [{dialect}]: expected {expected} delivered {delivered} duplicated {duplicated}"
    print(line)
    SUMMARIES.append(line)
    assert report["undelivered_alerts"] == 0, report["pending_deliveries"]
    assert expected == EXPECTED_ALERTS, line
    assert delivered == expected, line
    assert duplicated == 0, line
