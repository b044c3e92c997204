"""Metrics scraped over HTTP from a real `communique run`, and JSON logs from a real run."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from interface.cli.logs import JsonFormatter
from tests.conftest import free_port
from tests.e2e.site import ARTICLE_PATH, NewsSite
from tests.e2e.test_pipeline import build_environment, communique

pytestmark = pytest.mark.e2e


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as news:
        yield news


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, by name and labels."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def wait_for(check: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


def test_metrics_move_during_a_real_run(site: NewsSite, tmp_path: Path) -> None:
    port = free_port()
    env = {**build_environment(tmp_path, site, None), "COMMUNIQUE_METRICS_PORT": str(port)}
    site.set_version(1)
    proc = subprocess.Popen([sys.executable, "-m", "interface", "run"], env=env, stderr=subprocess.PIPE)
    try:
        site.wait_for_hits(ARTICLE_PATH, 1, timeout=180)  # after the corpus import of the first start
        wait_for(lambda: value(scrape(port), "communique_jobs_total", stage="match", outcome="ok") >= 1, 90)
        before = scrape(port)
        assert value(before, "communique_fetches", state="extracted") >= 1
        assert value(before, "communique_job_seconds_count", stage="extract") >= 1
        assert value(before, "communique_alerts_created_total") == 0

        site.set_version(3)
        site.wait_for_alerts(1, timeout=60)
        wait_for(lambda: value(scrape(port), "communique_alerts_delivered_total") == 1, 30)
        after = scrape(port)
        assert value(after, "communique_alerts_created_total") == 1
        assert value(after, "communique_matches_total", relation="changed") == 1
        assert value(after, "communique_jobs_total", stage="notify", outcome="ok") == 1
        assert value(after, "communique_jobs_total", stage="extract", outcome="ok") > value(
            before, "communique_jobs_total", stage="extract", outcome="ok"
        )
        assert value(after, "communique_delivery_attempts", outcome="ok") == 1
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr.decode()


def test_json_logs_are_one_object_per_line_with_context(site: NewsSite, tmp_path: Path) -> None:
    env = {**build_environment(tmp_path, site, None), "COMMUNIQUE_LOG_FORMAT": "json"}
    site.set_version(3)
    done = subprocess.run(
        [sys.executable, "-m", "interface", "run", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert lines, "nothing logged"
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in lines)
    versions = [entry for entry in lines if "version_id" in entry]
    assert versions and all(isinstance(entry["version_id"], int) for entry in versions)
    assert any(entry["logger"].startswith("crawler") for entry in lines)  # the crawler's logs too
    assert communique(env, "status", "--json")  # and the plain output of commands is untouched


def test_json_formatter_keeps_extra_fields_and_exceptions() -> None:
    record = logging.LogRecord("workers.jobs", logging.WARNING, __file__, 1, "no text from %s", ("u",), None)
    record.fetch_id = 7
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "no text from u"
    assert entry["level"] == "WARNING" and entry["logger"] == "workers.jobs"
    assert entry["fetch_id"] == 7
    assert "ValueError: boom" in entry["exc"]
    assert entry["time"].endswith("+00:00")
