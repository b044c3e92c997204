"""Match results, alerts (unique by key) and their delivery attempts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage.database import Database, Row, now


@dataclass(frozen=True)
class NewAlert:
    """An alert to store; `key` makes it unique across retries, restarts and workers."""

    key: str
    rule: str
    version_id: int
    event: str
    tags: list[str]
    title: str
    body_text: str
    body_html: str


def save_match(
    db: Database,
    version_id: int,
    *,
    relation: str,
    statement_id: str | None,
    coverage: float | None,
    result: dict[str, Any],
) -> None:
    """Store (or replace) the match result of a version."""
    db.execute(
        "INSERT INTO matches (version_id, relation, statement_id, coverage, result, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (version_id) DO UPDATE SET relation = excluded.relation, "
        "statement_id = excluded.statement_id, coverage = excluded.coverage, result = excluded.result",
        (version_id, relation, statement_id, coverage, json.dumps(result, ensure_ascii=False), now()),
    )


def create_alert(db: Database, alert: NewAlert) -> int | None:
    """Store an alert; returns its id, or None when an alert with that key exists already."""
    return db.insert(
        "INSERT INTO alerts (key, rule, version_id, event, tags, title, body_text, body_html, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id",
        (
            alert.key,
            alert.rule,
            alert.version_id,
            alert.event,
            json.dumps(alert.tags),
            alert.title,
            alert.body_text,
            alert.body_html,
            now(),
        ),
    )


def alert(db: Database, alert_id: int) -> Row | None:
    """An alert by id."""
    return db.row("SELECT * FROM alerts WHERE id = ?", (alert_id,))


def record_delivery(db: Database, alert_id: int, ok: bool, error: str | None = None) -> None:
    """Record one delivery attempt; a successful one marks the alert delivered."""
    with db.transaction():
        db.execute(
            "INSERT INTO deliveries (alert_id, attempted_at, ok, error) VALUES (?, ?, ?, ?)",
            (alert_id, now(), int(ok), error),
        )
        if ok:
            db.execute(
                "UPDATE alerts SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL", (now(), alert_id)
            )
