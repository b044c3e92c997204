"""Match results, alerts (unique by key), their delivery per target, and alerts held for a bundle."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage.database import Database, Row, now

CARRIERS_LIMIT = 500  # version rows read to find who carries a statement (documents × versions)


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
    body_markdown: str = ""
    statement_group: str | None = None


@dataclass(frozen=True)
class HeldAlert:
    """An alert kept for a grouped message (`bundle`) that is sent when `due_at` has passed."""

    key: str
    bundle: str
    kind: str  # "digest" or "follow-up"
    rule: str
    version_id: int
    event: str
    statement_id: str | None
    coverage: float | None
    tags: list[str]
    due_at: float


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


def create_alert(db: Database, alert: NewAlert, at: float | None = None) -> int | None:
    """Store an alert (made at `at`, default now); returns its id, or None when its key exists already."""
    return db.insert(
        "INSERT INTO alerts (key, rule, version_id, event, tags, title, body_text, body_html, body_markdown, "
        "statement_group, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (key) DO NOTHING RETURNING id",
        (
            alert.key,
            alert.rule,
            alert.version_id,
            alert.event,
            json.dumps(alert.tags),
            alert.title,
            alert.body_text,
            alert.body_html,
            alert.body_markdown or None,
            alert.statement_group,
            now() if at is None else at,
        ),
    )


def alert(db: Database, alert_id: int) -> Row | None:
    """An alert by id."""
    return db.row("SELECT * FROM alerts WHERE id = ?", (alert_id,))


def alert_by_key(db: Database, key: str) -> Row | None:
    """An alert by key, with the document of its version."""
    return db.row(
        "SELECT a.*, v.document_id FROM alerts a JOIN versions v ON v.id = a.version_id WHERE a.key = ?",
        (key,),
    )


def first_group_alert(db: Database, rule: str, group: str, event: str, since: float) -> Row | None:
    """The first alert of a rule about a statement group for this event created since `since`."""
    return db.row(
        "SELECT a.*, v.document_id FROM alerts a JOIN versions v ON v.id = a.version_id "
        "WHERE a.rule = ? AND a.statement_group = ? AND a.event = ? AND a.created_at >= ? "
        "ORDER BY a.created_at, a.id LIMIT 1",
        (rule, group, event, since),
    )


def carriers(db: Database, statement_id: str, document_id: int | None = None) -> list[Row]:
    """Versions of documents carrying a statement (and of `document_id`), earliest first.

    Mentions do not carry a statement. Each row has the document's source, URL, title and the
    version's relation, coverage and first sighting.
    """
    return db.rows(
        "SELECT d.id AS document_id, d.source_id, d.url, d.title, m.relation, m.coverage, v.first_seen "
        "FROM matches m JOIN versions v ON v.id = m.version_id JOIN documents d ON d.id = v.document_id "
        "WHERE (m.statement_id = ? OR v.document_id = ?) AND m.relation NOT IN ('mention', 'unrelated') "
        "ORDER BY v.first_seen, v.id LIMIT ?",
        (statement_id, -1 if document_id is None else document_id, CARRIERS_LIMIT),
    )


def record_delivery(db: Database, alert_id: int, ok: bool, error: str | None = None) -> None:
    """Record one delivery attempt of a whole alert; a successful one marks the alert delivered."""
    with db.transaction():
        db.execute(
            "INSERT INTO deliveries (alert_id, attempted_at, ok, error) VALUES (?, ?, ?, ?)",
            (alert_id, now(), int(ok), error),
        )
        if ok:
            mark_delivered(db, alert_id)


def mark_delivered(db: Database, alert_id: int) -> None:
    """Mark an alert delivered (every target reached); the first time stays."""
    db.execute("UPDATE alerts SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL", (now(), alert_id))


def target_delivered(db: Database, alert_id: int, target: str) -> bool:
    """Whether an alert reached one target already."""
    row = db.row(
        "SELECT delivered_at FROM alert_targets WHERE alert_id = ? AND target = ?", (alert_id, target)
    )
    return row is not None and row["delivered_at"] is not None


def claim_target(db: Database, alert_id: int, target: str, until: float) -> bool:
    """Reserve sending an alert to a target until `until`; False if delivered or held by another worker."""
    with db.transaction():
        db.execute(
            "INSERT INTO alert_targets (alert_id, target) VALUES (?, ?) "
            "ON CONFLICT (alert_id, target) DO NOTHING",
            (alert_id, target),
        )
        claimed = db.execute(
            "UPDATE alert_targets SET claimed_until = ? WHERE alert_id = ? AND target = ? "
            "AND delivered_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?)",
            (until, alert_id, target, now()),
        )
    return claimed == 1


def release_claims(db: Database, alert_id: int) -> None:
    """Free the targets of an alert whose sender is known to be gone (its worker died mid-send)."""
    db.execute("UPDATE alert_targets SET claimed_until = NULL WHERE alert_id = ?", (alert_id,))


def record_attempt(db: Database, alert_id: int, target: str, ok: bool, error: str | None = None) -> None:
    """Record one attempt to one target and release its claim; a successful one marks it delivered."""
    with db.transaction():
        db.execute(
            "INSERT INTO deliveries (alert_id, target, attempted_at, ok, error) VALUES (?, ?, ?, ?, ?)",
            (alert_id, target, now(), int(ok), error),
        )
        db.execute(
            "UPDATE alert_targets SET claimed_until = NULL, delivered_at = COALESCE(delivered_at, ?) "
            "WHERE alert_id = ? AND target = ?",
            (now() if ok else None, alert_id, target),
        )


def hold(db: Database, held: HeldAlert) -> bool:
    """Keep an alert for its bundle; False when it is held already (the match job ran before)."""
    return bool(
        db.execute(
            "INSERT INTO held_alerts (key, bundle, kind, rule, version_id, event, statement_id, coverage, "
            "tags, due_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO NOTHING",
            (
                held.key,
                held.bundle,
                held.kind,
                held.rule,
                held.version_id,
                held.event,
                held.statement_id,
                held.coverage,
                json.dumps(held.tags),
                held.due_at,
                now(),
            ),
        )
    )


def due_bundles(db: Database, at: float) -> list[str]:
    """Bundles with items not sent whose window has closed by `at`."""
    rows = db.rows(
        "SELECT DISTINCT bundle FROM held_alerts WHERE alert_id IS NULL AND due_at <= ? ORDER BY bundle",
        (at,),
    )
    return [str(row["bundle"]) for row in rows]


def held_items(db: Database, bundle: str) -> list[Row]:
    """The items of a bundle not sent yet, with their document, earliest first."""
    return db.rows(
        "SELECT h.*, d.source_id, d.url, d.title, v.first_seen FROM held_alerts h "
        "JOIN versions v ON v.id = h.version_id JOIN documents d ON d.id = v.document_id "
        "WHERE h.bundle = ? AND h.alert_id IS NULL ORDER BY v.first_seen, h.key",
        (bundle,),
    )


def send_bundle(db: Database, keys: list[str], alert: NewAlert, at: float | None = None) -> int | None:
    """Store the alert made of held items and mark them sent with it, atomically.

    Returns the alert id; None (and nothing changed) when another sweep took some of the items or made
    this alert already.
    """
    try:
        with db.transaction():
            alert_id = create_alert(db, alert, at)
            if alert_id is None:
                return None
            taken = sum(
                db.execute(
                    "UPDATE held_alerts SET alert_id = ? WHERE key = ? AND alert_id IS NULL", (alert_id, key)
                )
                for key in keys
            )
            if taken != len(keys):
                raise _RacedError  # rolls the alert back
    except _RacedError:
        return None
    return alert_id


class _RacedError(Exception):
    """Another sweep sent some of a bundle's items first."""
