"""Secrets (apprise URLs, the Redis password, database URLs) never appear in logs at any level, in
`status`, in stored alerts or in the errors recorded for failed deliveries: the real commands run
against a local site, a password-protected redis-server and an alert target that is down."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port, run_cli, running_redis
from tests.e2e.site import NewsSite

pytestmark = pytest.mark.redis

APPRISE_PASSWORD = "Apr1sePassw0rdXYZ"
APPRISE_TOKEN = "T0kenQQ9sEcReT"
REDIS_PASSWORD = "R3disPassw0rdKLM"
DATABASE_PASSWORD = "DbPassw0rdUVW"
SECRETS = (APPRISE_PASSWORD, APPRISE_TOKEN, REDIS_PASSWORD, DATABASE_PASSWORD)
RULES = """
rules:
  - name: everything
    events: [new, changed, reprint, excerpt, translation, mention]
    notify: [analysts]
"""


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as news:
        yield news


@pytest.fixture
def protected_redis(tmp_path: Path) -> Iterator[str]:
    """A redis-server that wants a password; its URL carries it."""
    with running_redis(tmp_path, REDIS_PASSWORD) as url:
        yield url


def environment(tmp_path: Path, site: NewsSite) -> dict[str, str]:
    """A page source on the site, a rule for every text, and an apprise target that is down."""
    rules, corpus = tmp_path / "rules", tmp_path / "corpus"
    rules.mkdir()
    corpus.mkdir()
    (rules / "sources.yaml").write_text(
        f"sources:\n  - {{id: local, kind: page, url: '{site.article_url}', allow_private: true}}\n",
        encoding="utf-8",
    )
    (rules / "watch.yaml").write_text(RULES, encoding="utf-8")
    down = f"127.0.0.1:{free_port()}"
    apprise_config = tmp_path / "apprise.yml"
    apprise_config.write_text(
        f"urls:\n  - json://alice:{APPRISE_PASSWORD}@{down}/hook?+X-Token={APPRISE_TOKEN}:\n"
        "      tag: analysts\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "COMMUNIQUE_RULES_DIR": str(rules),
        "COMMUNIQUE_DATA_DIR": str(tmp_path / "data"),
        "COMMUNIQUE_CORPUS_DIR": str(corpus),
        "COMMUNIQUE_APPRISE_CONFIG": str(apprise_config),
    }
    for name in ("COMMUNIQUE_REDIS_URL", "COMMUNIQUE_PROXY_URL", "COMMUNIQUE_DATABASE_URL"):
        env.pop(name, None)
    return env


def output(env: dict[str, str], *args: str, ok: bool = True) -> str:
    """Everything a command printed, on both streams."""
    done = run_cli(env, *args, ok=ok)
    return done.stdout + done.stderr


def stored_text(env: dict[str, str]) -> str:
    """Alerts (title, body, tags) and delivery errors as stored; fails unless a delivery failed."""
    with sqlite3.connect(Path(env["COMMUNIQUE_DATA_DIR"]) / "communique.sqlite3") as db:
        alerts = [" ".join(map(str, row)) for row in db.execute("SELECT title, body_text, tags FROM alerts")]
        errors = [row[0] for row in db.execute("SELECT error FROM deliveries WHERE ok = 0")]
    assert alerts and errors, "no alert, or no failed delivery: nothing was checked"
    return "\n".join(alerts + errors)


def assert_no_secret(text: str) -> None:
    leaked = [secret for secret in SECRETS if secret in text]
    lines = [line for line in text.splitlines() if any(secret in line for secret in leaked)]
    assert not leaked, "secret in output:\n" + "\n".join(lines[:5])


def test_no_secret_in_logs_status_or_storage_embedded(site: NewsSite, tmp_path: Path) -> None:
    env = environment(tmp_path, site)
    printed = output(env, "-v", "run", "--once")
    printed += output(env, "-v", "worker", "--burst")  # the undelivered alert, tried again
    printed += output(env, "-v", "status") + output(env, "status", "--json")
    printed += output(env, "-v", "notify", "test", "analysts", ok=False)
    printed += output(env, "-v", "rules", "check")
    assert_no_secret(printed + stored_text(env))


def test_no_secret_in_logs_status_or_storage_on_redis(
    site: NewsSite, tmp_path: Path, protected_redis: str
) -> None:
    env = {**environment(tmp_path, site), "COMMUNIQUE_REDIS_URL": protected_redis}
    printed = output(env, "-v", "crawl", "--once") + output(env, "-v", "worker", "--burst")
    printed += output(env, "-v", "status") + output(env, "status", "--json")
    assert_no_secret(printed + stored_text(env))
    wrong = protected_redis.replace(REDIS_PASSWORD, REDIS_PASSWORD[::-1])
    refused = output({**env, "COMMUNIQUE_REDIS_URL": wrong}, "-v", "crawl", "--once", ok=False)
    assert_no_secret(refused.replace(REDIS_PASSWORD[::-1], "<wrong password>"))


def test_no_database_password_in_errors(tmp_path: Path, site: NewsSite) -> None:
    env = environment(tmp_path, site)
    env["COMMUNIQUE_DATABASE_URL"] = f"postgresql://app:{DATABASE_PASSWORD}@127.0.0.1:5432/communique"
    printed = output(env, "-v", "status", ok=False)
    assert "COMMUNIQUE_DATABASE_URL" in printed
    assert_no_secret(printed)
