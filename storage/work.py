"""Work that storage knows is unfinished: what to queue again after a crash or restart."""

from __future__ import annotations

from communique.model import FetchState, Stage
from storage.database import Database
from storage.fetches import due_at


def unfinished(db: Database) -> list[tuple[Stage, int]]:
    """Fetches not extracted, versions not matched, alerts not delivered: in pipeline order.

    Alerts held for a digest or follow-up are not work yet: workers.bundles makes them an alert when
    their window closes, and that alert is then found here until it is delivered.
    """
    fetches = db.rows("SELECT id FROM fetches WHERE state = ? ORDER BY id", (FetchState.FETCHED,))
    versions = db.rows(
        "SELECT v.id FROM versions v LEFT JOIN matches m ON m.version_id = v.id "
        "WHERE m.version_id IS NULL ORDER BY v.id"
    )
    alerts = db.rows("SELECT id FROM alerts WHERE delivered_at IS NULL ORDER BY id")
    return (
        [(Stage.EXTRACT, int(r["id"])) for r in fetches]
        + [(Stage.MATCH, int(r["id"])) for r in versions]
        + [(Stage.NOTIFY, int(r["id"])) for r in alerts]
    )


def status(db: Database) -> dict[str, object]:
    """Counts and per-source health for `communique status`."""
    counts = {
        name: int(row["n"]) if (row := db.row(f"SELECT COUNT(*) AS n FROM {name}")) else 0
        for name in ("sources", "fetches", "documents", "versions", "corpus", "alerts")
    }
    pending = db.row("SELECT COUNT(*) AS n FROM alerts WHERE delivered_at IS NULL")
    held = db.row("SELECT COUNT(*) AS n FROM held_alerts WHERE alert_id IS NULL")
    sources = [
        {
            **{k: row[k] for k in ("id", "kind", "url", "last_polled_at", "last_ok_at", "last_error")},
            "error_count": row["error_count"],
            "next_poll_at": due_at(row) if row["last_polled_at"] is not None else None,
        }
        for row in db.rows(
            "SELECT id, kind, url, last_polled_at, interval_seconds, backoff_until, last_ok_at, "
            "last_error, error_count FROM sources ORDER BY id"
        )
    ]
    bundles = db.rows(
        "SELECT rule, kind, COUNT(*) AS alerts, MIN(due_at) AS due_at FROM held_alerts "
        "WHERE alert_id IS NULL GROUP BY rule, kind ORDER BY MIN(due_at)"
    )
    return {
        "database": db.label,
        "counts": counts,
        "undelivered_alerts": int(pending["n"]) if pending else 0,
        "held_alerts": int(held["n"]) if held else 0,  # waiting for their digest or follow-up window
        "held": [dict(row) for row in bundles],  # per rule and kind (digest, follow-up): when sent
        "sources": sources,
    }


def pending_deliveries(db: Database, limit: int = 20) -> list[dict[str, object]]:
    """Undelivered alerts, oldest first, with their attempts and the last attempt's error."""
    rows = db.rows(
        "SELECT a.id, a.rule, a.event, a.title, a.created_at, "
        "(SELECT COUNT(*) FROM deliveries d WHERE d.alert_id = a.id) AS attempts, "
        "(SELECT MAX(d.attempted_at) FROM deliveries d WHERE d.alert_id = a.id) AS last_attempt_at, "
        "(SELECT d.error FROM deliveries d WHERE d.alert_id = a.id ORDER BY d.id DESC LIMIT 1) AS last_error "
        "FROM alerts a WHERE a.delivered_at IS NULL ORDER BY a.id LIMIT ?",
        (limit,),
    )
    return [dict(row) for row in rows]


def pipeline_counts(db: Database) -> dict[str, dict[str, int]]:
    """Stored rows by kind for the metrics endpoint: fetches by state, matches by relation, alerts and
    delivery attempts by outcome."""

    def grouped(sql: str) -> dict[str, int]:
        return {str(row["k"]): int(row["n"]) for row in db.rows(sql)}

    return {
        "fetches": grouped("SELECT state AS k, COUNT(*) AS n FROM fetches GROUP BY state"),
        "matches": grouped("SELECT relation AS k, COUNT(*) AS n FROM matches GROUP BY relation"),
        "alerts": grouped(
            "SELECT CASE WHEN delivered_at IS NULL THEN 'undelivered' ELSE 'delivered' END AS k, "
            "COUNT(*) AS n FROM alerts GROUP BY CASE WHEN delivered_at IS NULL THEN 'undelivered' "
            "ELSE 'delivered' END"
        ),
        "deliveries": grouped(
            "SELECT CASE WHEN ok = 1 THEN 'ok' ELSE 'failed' END AS k, COUNT(*) AS n FROM deliveries "
            "GROUP BY CASE WHEN ok = 1 THEN 'ok' ELSE 'failed' END"
        ),
    }
