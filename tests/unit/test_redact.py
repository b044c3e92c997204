"""Redaction of secrets in log records and printed reports."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from communique.redact import config_secrets, install, mask_url, redact, url_secrets


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Loaded URL: json://alice:****@10.0.0.5/hook?%2BX-Token=abc", "Loaded URL: json://***"),
        ("tgram://123456:AAbbCCdd/4567 failed", "tgram://*** failed"),
        ("redis://:s3cret@127.0.0.1:6379/0 down", "redis://:***@127.0.0.1:6379/0 down"),
        ("to postgresql://app:pw@[::1]:5432/c failed", "to postgresql://app:***@[::1]:5432/c failed"),
        ("GET https://user:pw@example.org/a?b=1", "GET https://user:***@example.org/a?b=1"),
        ("proxy http://token@proxy:8080 refused", "proxy http://***@proxy:8080 refused"),
        ("fetched https://example.org/news?id=5", "fetched https://example.org/news?id=5"),
        ("db sqlite:///data/communique.sqlite3", "db sqlite:///data/communique.sqlite3"),
        ("no url here", "no url here"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:pw@host:6379/0", "redis://:***@host:6379/0"),
        ("redis://user:pw@host/1", "redis://user:***@host/1"),
        ("redis://localhost:6379/0", "redis://localhost:6379/0"),
        ("postgresql://user:s3cret@db:5432/communique", "postgresql://user:***@db:5432/communique"),
        ("postgresql://user:p%40ss@[::1]/c?sslmode=require", "postgresql://user:***@[::1]/c?sslmode=require"),
        ("postgres://user@db/c?password=s3cret&sslmode=off", "postgres://user@db/c?password=***&sslmode=off"),
        ("postgresql://db/communique", "postgresql://db/communique"),
        ("postgresql://user:s3cret@[::1/c", "postgresql://user:***@[::1/c"),  # libpq: malformed
        ("sqlite:////var/lib/communique/db.sqlite3", "sqlite:////var/lib/communique/db.sqlite3"),
        ("json://user:pw@host/path?+X-Token=t", "json://***"),
    ],
)
def test_mask_url(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_known_secrets_are_masked_wherever_they_appear() -> None:
    assert redact("token T0kenQQ9sEcReT rejected", ["T0kenQQ9sEcReT"]) == "token *** rejected"


def test_secret_parts_of_urls() -> None:
    assert url_secrets("redis://:R3disPassw0rd@127.0.0.1:6379/0") == {"R3disPassw0rd"}
    assert url_secrets("postgresql://app:p%40w@db/c?password=zz") == {"p%40w", "p@w", "zz"}  # however short
    assert url_secrets("json://alice:Apr1sePassw0rd@host/hook?+X-Token=T0kenQQ9sEcReT") >= {
        "Apr1sePassw0rd",
        "T0kenQQ9sEcReT",
    }
    bot = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    assert {bot, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"} <= url_secrets(f"tgram://{bot}/987654321")
    assert url_secrets("json://127.0.0.1:8080/hook") == set()  # a host is no secret
    assert url_secrets("https://example.org/a-long-path-segment") == set()
    assert url_secrets("sqlite:///data/communique.sqlite3") == set()


def test_config_secrets(tmp_path: Path) -> None:
    config = tmp_path / "apprise.yml"
    config.write_text(
        "urls:\n  - discord://WebhookId1234/WebhookToken5678:\n      tag: a\n", encoding="utf-8"
    )
    assert {"WebhookToken5678"} <= config_secrets(config)
    assert config_secrets(tmp_path / "missing.yml") == set()


def test_installed_redaction_covers_every_logger_and_traceback(caplog: pytest.LogCaptureFixture) -> None:
    factory = logging.getLogRecordFactory()
    try:
        install(["Sup3rSecretValue"])
        install(["Sup3rSecretValue"])  # idempotent: not wrapped twice
        caplog.set_level(logging.DEBUG)
        logging.getLogger("apprise").debug("Loaded URL: %s", "json://u:p@h/?t=Sup3rSecretValue")
        try:
            raise RuntimeError("auth failed for Sup3rSecretValue")
        except RuntimeError:
            logging.getLogger("rq.worker").exception("job failed")
    finally:
        logging.setLogRecordFactory(factory)
    assert "Sup3rSecretValue" not in caplog.text
    assert "Loaded URL: json://***" in caplog.text
    assert "auth failed for ***" in caplog.text
