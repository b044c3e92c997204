"""End to end: the real crawler and workers poll a local site whose article changes, alerts arrive
over apprise json:// at the same site. Run once on the embedded queue and once on a real Redis; the
main scenario also as deployed by docker-compose.yml, on Redis and PostgreSQL."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

from communique.settings import Settings
from storage.database import open_database
from tests.conftest import ROOT, free_port, run_cli
from tests.e2e.site import ARTICLE_PATH, NewsSite
from tests.service_env import page_source, service_env
from tests.smtp_sink import SmtpSink, parse_email
from workers.bundles import close_due

pytestmark = pytest.mark.e2e

RULES = """
rules:
  - name: vn-ru-joint-statement
    events: [new, changed]
    keywords: [Tuyên bố chung, Совместное заявление, joint statement]
    notify: [analysts]
"""
# The shipped default's second half: copies of known statements go to a daily digest.
COPIES_RULE = """
  - name: vn-ru-joint-statement-copies
    events: [reprint, translation, excerpt]
    keywords: [Tuyên bố chung, Совместное заявление, joint statement]
    notify: [analysts]
    format: summary
    digest: daily
"""


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as news:
        yield news


@pytest.fixture(params=["embedded", "redis"])
def environment(request: pytest.FixtureRequest, tmp_path: Path, site: NewsSite) -> dict[str, str]:
    """One run's environment, on the embedded queue or on a real Redis."""
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    return build_environment(tmp_path, site, redis_url)


@pytest.fixture(params=["embedded", "redis", "redis+postgres"])
def any_environment(request: pytest.FixtureRequest, tmp_path: Path, site: NewsSite) -> dict[str, str]:
    """As `environment`, and also Redis with storage on a real PostgreSQL."""
    redis_url = request.getfixturevalue("redis_url") if "redis" in request.param else None
    env = build_environment(tmp_path, site, redis_url)
    if "postgres" in request.param:
        env["COMMUNIQUE_DATABASE_URL"] = request.getfixturevalue("postgres_url")
    return env


def build_environment(tmp_path: Path, site: NewsSite, redis_url: str | None) -> dict[str, str]:
    """Rules, apprise config and data folder for one run; Redis when a URL is given."""
    redis = {"COMMUNIQUE_REDIS_URL": redis_url} if redis_url is not None else {}
    return service_env(
        tmp_path, sources=page_source(site.article_url), rules=RULES, apprise_url=site.apprise_url, **redis
    )


def communique(env: dict[str, str], *args: str) -> str:
    """Run the real command line in its own process; its output, or a failure with it."""
    return run_cli(env, *args).stdout


def poll(env: dict[str, str]) -> None:
    """One poll cycle: one process when embedded; crawler then a burst worker on Redis."""
    if "COMMUNIQUE_REDIS_URL" in env:
        communique(env, "crawl", "--once")
        communique(env, "worker", "--burst")
    else:
        communique(env, "run", "--once")


def test_one_alert_per_text_change_and_none_for_furniture(
    site: NewsSite, any_environment: dict[str, str]
) -> None:
    environment = any_environment
    site.set_version(1)
    poll(environment)  # original: a reprint of a known statement, no alert
    site.set_version(2)
    poll(environment)  # furniture replaced, body identical: no new version, no alert
    assert site.alerts == []

    site.set_version(3)
    poll(environment)  # one number edited
    alerts = site.wait_for_alerts(1, timeout=10)
    assert len(alerts) == 1
    edited = alerts[0]["message"]
    assert "changed" in alerts[0]["title"]
    assert "[-2024-]{+2025+}" in edited
    assert site.EDITED_TO.split("năm 2025")[0][-40:].strip() in edited

    site.set_version(4)
    poll(environment)  # a paragraph appended
    alerts = site.wait_for_alerts(2, timeout=10)
    assert len(alerts) == 2
    assert "(added)" in alerts[1]["message"]
    assert site.APPENDED[:60] in alerts[1]["message"]

    poll(environment)  # nothing changed since: nothing more, no duplicate
    assert len(site.alerts) == 2
    report = json.loads(communique(environment, "status", "--json"))
    assert report["counts"]["versions"] == 3  # v1, v3, v4: v2 differed only in furniture
    assert report["undelivered_alerts"] == 0
    assert report["sources"][0]["last_error"] is None
    if "COMMUNIQUE_DATABASE_URL" in environment:  # everything went to PostgreSQL, no SQLite file
        assert report["database"].startswith("postgresql://communique:***@")
        assert not (Path(environment["COMMUNIQUE_DATA_DIR"]) / "communique.sqlite3").exists()


def test_alert_delivered_once_the_endpoint_comes_back(site: NewsSite, environment: dict[str, str]) -> None:
    site.set_version(2)
    poll(environment)
    site.set_version(3)
    site.fail_alerts = True
    poll(environment)
    assert site.alerts == []
    report = json.loads(communique(environment, "status", "--json"))
    assert report["undelivered_alerts"] == 1

    site.fail_alerts = False
    # Embedded: the next start finds the undelivered alert in storage. Redis: RQ retries it after its
    # backoff, so keep a worker going (in bursts) as a service would, for a bounded time.
    deadline = time.monotonic() + 60
    while not site.alerts and time.monotonic() < deadline:
        poll(environment)
    assert len(site.wait_for_alerts(1, timeout=10)) == 1
    poll(environment)
    assert len(site.alerts) == 1


def test_service_polls_again_and_stops_cleanly(site: NewsSite, environment: dict[str, str]) -> None:
    """The background service: a change made while it runs is alerted; SIGTERM stops it with exit 0."""
    site.set_version(1)
    command = [sys.executable, "-m", "interface"]
    processes = [subprocess.Popen([*command, "run"], env=environment, stderr=subprocess.PIPE, text=True)]
    if "COMMUNIQUE_REDIS_URL" in environment:
        processes.append(
            subprocess.Popen([*command, "worker"], env=environment, stderr=subprocess.PIPE, text=True)
        )
    try:
        # The first start imports the corpus (cross-lingual grouping): up to a minute on a busy machine.
        site.wait_for_hits(ARTICLE_PATH, 1, timeout=180)
        site.set_version(3)
        alerts = site.wait_for_alerts(1, timeout=60)  # the source's interval is 5 s
        assert "[-2024-]{+2025+}" in alerts[0]["message"]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        outputs = [process.communicate(timeout=60)[1] for process in processes]
    assert [process.returncode for process in processes] == [0] * len(processes), outputs
    assert len(site.alerts) == 1


def test_unreachable_source_is_reported_not_fatal(site: NewsSite, environment: dict[str, str]) -> None:
    closed = f"http://127.0.0.1:{free_port()}/gone"
    sources = Path(environment["COMMUNIQUE_RULES_DIR"]) / "sources.yaml"
    sources.write_text(
        sources.read_text(encoding="utf-8")
        + f"  - {{id: down, kind: page, url: '{closed}', interval: 5, allow_private: true}}\n",
        encoding="utf-8",
    )
    site.set_version(3)
    poll(environment)
    report = {s["id"]: s for s in json.loads(communique(environment, "status", "--json"))["sources"]}
    assert "ConnectionRefused" in report["down"]["last_error"]
    assert report["down"]["error_count"] == 1
    assert report["local-news"]["last_error"] is None
    assert report["local-news"]["last_ok_at"] is not None


def test_work_lost_from_redis_is_found_again_in_storage(
    site: NewsSite, tmp_path: Path, redis_url: str
) -> None:
    environment = build_environment(tmp_path, site, redis_url)
    site.set_version(1)
    poll(environment)
    site.set_version(3)
    communique(environment, "crawl", "--once")  # fetched and queued for extraction ...
    Redis.from_url(redis_url).flushall()  # ... and the queue is lost
    communique(environment, "worker", "--burst")
    assert site.alerts == []
    poll(environment)  # the crawler re-queues what storage shows unfinished
    assert len(site.wait_for_alerts(1, timeout=10)) == 1
    poll(environment)
    assert len(site.alerts) == 1


def test_copies_wait_for_the_daily_digest_sent_when_its_window_is_over(
    site: NewsSite, tmp_path: Path
) -> None:
    environment = build_environment(tmp_path, site, None)
    rules = Path(environment["COMMUNIQUE_RULES_DIR"]) / "joint-statements.yaml"
    rules.write_text(RULES + COPIES_RULE, encoding="utf-8")
    site.set_version(1)
    poll(environment)  # the original is a copy of a known statement: no alert now, held for the digest
    assert site.alerts == []
    assert json.loads(communique(environment, "status", "--json"))["held_alerts"] == 1
    db = open_database(Settings(data_dir=Path(environment["COMMUNIQUE_DATA_DIR"]), database_url=None))
    [held] = db.rows("SELECT event, due_at FROM held_alerts")
    assert held["event"] in {"reprint", "excerpt"}
    poll(environment)  # the window is not over: still nothing
    assert site.alerts == []

    # The sweep with its clock at the end of the day (instead of waiting for it), then the service's
    # next pass delivers the digest it made.
    [digest_id] = close_due(db, at=float(held["due_at"]))
    db.close()
    poll(environment)
    [digest] = site.wait_for_alerts(1, timeout=10)
    assert digest["title"].startswith("[communique] daily digest, vn-ru-joint-statement-copies: 1 page(s)")
    assert site.article_url in digest["message"]
    assert f"{held['event']}, of " in digest["message"]  # relation and statement
    poll(environment)
    assert len(site.alerts) == 1
    report = json.loads(communique(environment, "status", "--json"))
    assert (report["held_alerts"], report["undelivered_alerts"]) == (0, 0)
    assert digest_id > 0


def test_the_shipped_rules_reach_email_and_chat_once_per_event(site: NewsSite, tmp_path: Path) -> None:
    """The default rule file as shipped, one email target (a local SMTP server) and one chat target
    (json://): the edit goes to both at once, the copy to both in the daily digest, nothing twice."""
    environment = build_environment(tmp_path, site, None)
    rules = Path(environment["COMMUNIQUE_RULES_DIR"])
    shutil.copy(ROOT / "rules" / "joint-statements.yaml", rules / "joint-statements.yaml")
    with SmtpSink() as mail:
        Path(environment["COMMUNIQUE_APPRISE_CONFIG"]).write_text(
            f"urls:\n  - {site.apprise_url}:\n      tag: analysts\n  - {mail.url()}:\n      tag: analysts\n",
            encoding="utf-8",
        )
        site.set_version(1)
        poll(environment)  # a reprint of a known statement: held for the daily digest
        site.set_version(3)
        poll(environment)  # one number edited: sent at once
        [chat] = site.wait_for_alerts(1, timeout=10)
        assert "changed" in chat["title"] and "[-2024-]{+2025+}" in chat["message"]
        [email] = mail.messages
        subject, html, text = parse_email(email)
        assert subject == chat["title"]
        assert re.search(r"<del style=\"[^\"]*background[^\"]*\">2024</del>", html), html[:2000]
        assert re.search(r"<ins style=\"[^\"]*background[^\"]*\">2025</ins>", html), html[:2000]
        assert "2024 → 2025" in text

        db = open_database(Settings(data_dir=Path(environment["COMMUNIQUE_DATA_DIR"]), database_url=None))
        [held] = db.rows("SELECT due_at FROM held_alerts")
        close_due(db, at=float(held["due_at"]))  # the end of the day, without waiting for it
        db.close()
        poll(environment)
        poll(environment)
        chats = site.wait_for_alerts(2, timeout=10)
        assert chats[1]["title"].startswith("[communique] daily digest, vn-ru-joint-statement-copies")
        assert len(site.alerts) == 2 and len(mail.messages) == 2
        assert parse_email(mail.messages[1])[0] == chats[1]["title"]
