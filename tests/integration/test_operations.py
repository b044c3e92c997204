"""Operations on real processes and a real redis-server: the crawler lock, graceful SIGTERM, status."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from interface.cli import cli
from tests.conftest import free_port, run_cli, running_redis
from tests.e2e.site import ARTICLE_PATH
from tests.faults.harness import FaultySite, Processes, fault_env, wait_until

pytestmark = pytest.mark.redis


@pytest.fixture
def site() -> Iterator[FaultySite]:
    with FaultySite() as news:
        yield news


@pytest.fixture
def env(tmp_path: Path, site: FaultySite, redis_url: str) -> dict[str, str]:
    return {
        **fault_env(tmp_path, site, redis_url, f"sqlite:///{tmp_path / 'db.sqlite3'}"),
        "COMMUNIQUE_LOCK_TTL": "4",
        "COMMUNIQUE_CORPUS_DIR": str(tmp_path / "no-corpus"),  # nothing to import: a quick start
    }


@pytest.fixture
def procs(tmp_path: Path, env: dict[str, str]) -> Iterator[Processes]:
    processes = Processes(tmp_path, env)
    yield processes
    processes.close()


def holder_pid(env: dict[str, str]) -> int | None:
    """The pid in the crawler lock holder's name, as `status` shows it."""
    lock = json.loads(run_cli(env, "status", "--json").stdout)["redis"]["crawler_lock"]
    return int(lock["holder"].split(":")[1]) if lock else None


def test_one_crawler_polls_and_another_takes_over_when_it_is_killed(
    site: FaultySite, env: dict[str, str], procs: Processes
) -> None:
    first = procs.start("first", "crawl")
    wait_until(lambda: "holding the crawler lock" in procs.log("first"), 60, "the lock", procs)
    second = procs.start("second", "crawl")
    wait_until(lambda: "waiting to take over" in procs.log("second"), 60, "the second to wait", procs)
    assert holder_pid(env) == first.pid

    busy = run_cli(env, "crawl", "--once", ok=False)  # a one-off crawl does not wait
    assert busy.returncode == 3
    assert "another crawler holds the crawler lock" in busy.stderr

    wait_until(lambda: site.hits.get(ARTICLE_PATH), 120, "the first poll", procs)
    assert "holding" not in procs.log("second")
    procs.kill9("first")
    killed = time.monotonic()
    wait_until(lambda: "holding the crawler lock" in procs.log("second"), 30, "the take-over", procs)
    took = time.monotonic() - killed
    assert took < 4 + 2, f"took over after {took:.1f}s, TTL 4s"
    assert holder_pid(env) == second.pid
    polled = site.hits[ARTICLE_PATH]
    site.set_version(3)
    wait_until(lambda: site.hits[ARTICLE_PATH] > polled, 60, "a poll by the second crawler", procs)
    assert procs.stop("second") == 0
    assert holder_pid(env) is None  # released on the way out


def test_the_crawler_logs_one_line_per_poll_and_not_scrapy_s_banner(
    env: dict[str, str], procs: Processes, site: FaultySite
) -> None:
    procs.start("crawler", "crawl")
    wait_until(lambda: site.hits.get(ARTICLE_PATH, 0) >= 3, 60, "three polls", procs)
    assert procs.stop("crawler", timeout=60) == 0, procs.log("crawler")
    log = procs.log("crawler")
    assert re.search(r"polling 1 source; next poll \d\d:\d\d:\d\d", log), log
    assert re.search(r"last poll 1 ok, 0 errors; polling 1 source; next poll", log), log
    for scrapy_says in ("Scrapy 2.", "Overridden settings", "Enabled extensions", "Dumping Scrapy stats"):
        assert scrapy_says not in log
    assert len(log.splitlines()) < 30, log


def test_worker_and_crawler_stop_cleanly_on_sigterm(env: dict[str, str], procs: Processes) -> None:
    procs.start("worker", "worker")
    procs.start("crawler", "crawl")
    wait_until(lambda: "Listening on" in procs.log("worker"), 60, "the worker to listen", procs)
    wait_until(lambda: "holding the crawler lock" in procs.log("crawler"), 60, "the lock", procs)
    waiting = procs.start("waiting", "crawl")
    wait_until(lambda: "waiting to take over" in procs.log("waiting"), 60, "the second to wait", procs)
    assert procs.stop("waiting", timeout=30) == 0, procs.log("waiting")
    assert procs.stop("worker", timeout=60) == 0, procs.log("worker")
    assert procs.stop("crawler", timeout=60) == 0, procs.log("crawler")
    assert waiting.returncode == 0
    assert "Traceback" not in procs.log("worker") + procs.log("crawler")
    report = json.loads(run_cli(env, "status", "--json").stdout)
    assert report["redis"]["crawler_lock"] is None
    assert not any(w["alive"] for w in report["redis"]["workers"])


def test_status_shows_queues_workers_and_lock_and_never_a_password(
    env: dict[str, str], procs: Processes, redis_url: str
) -> None:
    procs.start("worker", "worker")
    wait_until(lambda: "Listening on" in procs.log("worker"), 60, "the worker to listen", procs)
    report = json.loads(run_cli(env, "status", "--json").stdout)
    redis = report["redis"]
    assert set(redis["queues"]) == {"extract", "match", "notify"}
    assert redis["queues"]["notify"] == {"queued": 0, "started": 0, "scheduled": 0, "failed": 0}
    [worker] = redis["workers"]
    assert worker["alive"] and worker["state"] == "idle" and worker["current_job"] is None
    assert redis["crawler_lock"] is None
    assert report["pending_deliveries"] == []
    text = run_cli(env, "status").stdout
    assert "queue notify" in text and "crawler lock: free" in text and "alive, idle" in text

    with_password = redis_url.replace("redis://", "redis://:s3cret-pw@")
    for args in (["status"], ["status", "--json"]):
        done = run_cli({**env, "COMMUNIQUE_REDIS_URL": with_password}, *args)
        assert "s3cret-pw" not in done.stdout + done.stderr
        assert ":***@127.0.0.1" in done.stdout


def test_a_one_off_crawl_fails_clearly_when_redis_is_down_or_refuses_the_password(
    env: dict[str, str], tmp_path: Path
) -> None:
    down = f"redis://127.0.0.1:{free_port()}/0"
    unreachable = run_cli({**env, "COMMUNIQUE_REDIS_URL": down}, "crawl", "--once", ok=False)
    assert unreachable.returncode == 75, unreachable.stderr  # EX_TEMPFAIL: try again later
    assert "Redis unreachable" in unreachable.stderr and "Traceback" not in unreachable.stderr
    with running_redis(tmp_path, "the-password") as url:
        wrong = url.replace("the-password", "not-the-password")
        refused = run_cli({**env, "COMMUNIQUE_REDIS_URL": wrong}, "crawl", "--once", ok=False)
    assert refused.returncode == 2, refused.stderr  # a configuration error: retrying cannot help
    assert "COMMUNIQUE_REDIS_URL" in refused.stderr and "not-the-password" not in refused.stderr


def test_a_worker_fails_clearly_when_redis_is_down_or_refuses_the_password(
    env: dict[str, str], tmp_path: Path
) -> None:
    down = f"redis://127.0.0.1:{free_port()}/0"
    unreachable = run_cli({**env, "COMMUNIQUE_REDIS_URL": down}, "worker", ok=False)
    assert unreachable.returncode == 75, unreachable.stderr  # EX_TEMPFAIL: systemd starts it again
    assert "Redis unreachable" in unreachable.stderr and "Traceback" not in unreachable.stderr
    with running_redis(tmp_path, "the-password") as url:
        wrong = url.replace("the-password", "not-the-password")
        refused = run_cli({**env, "COMMUNIQUE_REDIS_URL": wrong}, "worker", ok=False)
        bare = run_cli({**env, "COMMUNIQUE_REDIS_URL": url.replace(":the-password@", "")}, "worker", ok=False)
    for done in (refused, bare):  # a wrong password, and none where one is needed
        assert done.returncode == 2, done.stderr  # a configuration error: retrying cannot help
        assert "refused the credentials" in done.stderr and "Traceback" not in done.stderr
    assert "not-the-password" not in refused.stderr


def test_status_without_redis_says_embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMUNIQUE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("COMMUNIQUE_REDIS_URL", raising=False)
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 0, result.output
    assert re.search(r"queue: embedded", result.output)
