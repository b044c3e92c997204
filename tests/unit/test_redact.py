"""Redaction of secrets in log records and printed reports."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from communique.redact import config_secrets, install, redact, url_secrets


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Loaded URL: json://alice:****@10.0.0.5/hook?%2BX-Token=abc", "Loaded URL: json://***"),
        ("tgram://123456:AAbbCCdd/4567 failed", "tgram://*** failed"),
        ("redis://:s3cret@127.0.0.1:6379/0 down", "redis://*** down"),
        ("GET https://user:pw@example.org/a?b=1", "GET https://user:***@example.org/a?b=1"),
        ("proxy http://token@proxy:8080 refused", "proxy http://***@proxy:8080 refused"),
        ("fetched https://example.org/news?id=5", "fetched https://example.org/news?id=5"),
        ("db sqlite:///data/communique.sqlite3", "db sqlite:///data/communique.sqlite3"),
        ("no url here", "no url here"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_known_secrets_are_masked_wherever_they_appear() -> None:
    assert redact("token T0kenQQ9sEcReT rejected", ["T0kenQQ9sEcReT"]) == "token *** rejected"


def test_secret_parts_of_urls() -> None:
    assert url_secrets("redis://:R3disPassw0rd@127.0.0.1:6379/0") == {"R3disPassw0rd"}
    assert url_secrets("json://alice:Apr1sePassw0rd@host/hook?+X-Token=T0kenQQ9sEcReT") >= {
        "Apr1sePassw0rd",
        "T0kenQQ9sEcReT",
    }
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
