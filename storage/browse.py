"""What the web pages and the JSON API read: statements with their carriers, documents with their
versions, alerts with their delivery per target, and the health of sources. Read-only, paginated."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from communique.identity import Card
from communique.redact import redact
from storage.corpus import card_of
from storage.database import Database, Row
from storage.fetches import due_at

# Relations by which a document carries a statement (mentions and unrelated texts do not).
NOT_CARRYING = ("mention", "unrelated")
_CARRYING = "m.relation NOT IN ('mention', 'unrelated')"


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, and whether more follow."""

    rows: list[dict[str, Any]]
    offset: int
    limit: int
    more: bool


def _page(rows: list[Row], offset: int, limit: int) -> Page:
    """A Page from rows read with LIMIT limit + 1 (the extra row only says that more follow)."""
    return Page([dict(row) for row in rows[:limit]], offset, limit, len(rows) > limit)


def _in(values: list[Any]) -> str:
    """`(?, ?, ...)` for an IN list of these values (never empty: callers check)."""
    return "(" + ", ".join("?" for _ in values) + ")"


def statements(db: Database, offset: int = 0, limit: int = 50) -> Page:
    """Statement groups carried by stored documents, most recently seen first, with counts."""
    # SQLite's planner would read each version's row, long text and all (migration 0020 says why).
    versions = "versions v INDEXED BY versions_by_id_seen" if db.dialect == "sqlite" else "versions v"
    rows = db.rows(
        "SELECT m.statement_id, COUNT(DISTINCT v.document_id) AS documents, COUNT(*) AS versions, "
        "MIN(v.first_seen) AS first_seen, MAX(v.first_seen) AS last_seen "
        f"FROM matches m JOIN {versions} ON v.id = m.version_id "
        f"WHERE m.statement_id IS NOT NULL AND {_CARRYING} "
        "GROUP BY m.statement_id ORDER BY MAX(v.first_seen) DESC, m.statement_id LIMIT ? OFFSET ?",
        (limit + 1, offset),
    )
    page = _page(rows, offset, limit)
    ids = [row["statement_id"] for row in page.rows]
    found = cards(db, ids)
    languages = _statement_languages(db, ids)
    for row in page.rows:
        row["card"] = found.get(row["statement_id"])
        row["languages"] = languages.get(row["statement_id"], [])
    return page


def cards(db: Database, statement_ids: list[str]) -> dict[str, Card]:
    """The cards of these statements, by id (statements without a card are left out)."""
    if not statement_ids:
        return {}
    rows = db.rows(f"SELECT * FROM statement_cards WHERE statement_id IN {_in(statement_ids)}", statement_ids)
    return {row["statement_id"]: card_of(row) for row in rows}


def _statement_languages(db: Database, statement_ids: list[str]) -> dict[str, list[str]]:
    """The languages of the documents carrying each statement."""
    if not statement_ids:
        return {}
    rows = db.rows(
        "SELECT DISTINCT m.statement_id, d.language FROM matches m JOIN versions v ON v.id = m.version_id "
        f"JOIN documents d ON d.id = v.document_id WHERE m.statement_id IN {_in(statement_ids)} "
        f"AND {_CARRYING} AND d.language IS NOT NULL ORDER BY d.language",
        statement_ids,
    )
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(row["statement_id"], []).append(row["language"])
    return out


def statement(db: Database, statement_id: str, limit: int = 500) -> dict[str, Any] | None:
    """One statement group: its card, known texts, and its timeline (every carrying version, earliest
    first); None when nothing is known about it."""
    timeline = db.rows(
        "SELECT v.id AS version_id, v.seq, v.first_seen, d.id AS document_id, d.source_id, d.url, d.title, "
        "d.language, m.relation, m.coverage FROM matches m JOIN versions v ON v.id = m.version_id "
        f"JOIN documents d ON d.id = v.document_id WHERE m.statement_id = ? AND {_CARRYING} "
        "ORDER BY v.first_seen, v.id LIMIT ?",
        (statement_id, limit),
    )
    known = db.rows(
        "SELECT id, language, title, origin, added_at FROM corpus WHERE statement_id = ? "
        "ORDER BY added_at, id",
        (statement_id,),
    )
    card = cards(db, [statement_id]).get(statement_id)
    if not timeline and not known and card is None:
        return None
    return {
        "statement_id": statement_id,
        "card": card,
        "known": [dict(row) for row in known],
        "timeline": [dict(row) for row in timeline],
        "documents": _carrying_documents(timeline),
    }


def _carrying_documents(timeline: list[Row]) -> list[dict[str, Any]]:
    """One entry per document of a timeline: first seen, and its latest relation and coverage."""
    documents: dict[int, dict[str, Any]] = {}
    for row in timeline:
        entry = documents.setdefault(
            int(row["document_id"]),
            {key: row[key] for key in ("document_id", "source_id", "url", "title", "language", "first_seen")},
        )
        entry.update(
            relation=row["relation"], coverage=row["coverage"], versions=entry.get("versions", 0) + 1
        )
    return list(documents.values())


def documents(db: Database, source_id: str | None = None, offset: int = 0, limit: int = 50) -> Page:
    """Documents, most recently seen first, optionally of one source."""
    where, params = ("WHERE d.source_id = ?", [source_id]) if source_id else ("", [])
    rows = db.rows(
        "SELECT d.*, (SELECT COUNT(*) FROM versions v WHERE v.document_id = d.id) AS versions "
        f"FROM documents d {where} ORDER BY d.last_seen DESC, d.id DESC LIMIT ? OFFSET ?",
        (*params, limit + 1, offset),
    )
    return _page(rows, offset, limit)


def document(db: Database, document_id: int) -> dict[str, Any] | None:
    """A document with every version (without texts): when, relation, statement, fetch and snapshot."""
    found = db.row("SELECT * FROM documents WHERE id = ?", (document_id,))
    if found is None:
        return None
    versions = db.rows(
        "SELECT v.id, v.seq, v.first_seen, v.fetch_id, v.text_hash, LENGTH(v.text) AS characters, "
        "m.relation, m.statement_id, m.coverage, f.content_hash, f.status AS http_status, "
        "(SELECT COUNT(*) FROM alerts a WHERE a.version_id = v.id) AS alerts "
        "FROM versions v LEFT JOIN matches m ON m.version_id = v.id LEFT JOIN fetches f ON f.id = v.fetch_id "
        "WHERE v.document_id = ? ORDER BY v.seq",
        (document_id,),
    )
    return {**dict(found), "versions": [dict(row) for row in versions]}


def version_text(db: Database, document_id: int, seq: int) -> dict[str, Any] | None:
    """One version of a document, with its text, match and source."""
    found = db.row(
        "SELECT v.id, v.seq, v.text, v.first_seen, v.fetch_id, d.id AS document_id, d.url, d.title, "
        "d.source_id, d.language, m.relation, m.statement_id, m.coverage FROM versions v "
        "JOIN documents d ON d.id = v.document_id LEFT JOIN matches m ON m.version_id = v.id "
        "WHERE v.document_id = ? AND v.seq = ?",
        (document_id, seq),
    )
    return dict(found) if found else None


def version_place(db: Database, version_id: int) -> tuple[int, int] | None:
    """The document id and sequence number of a version."""
    found = db.row("SELECT document_id, seq FROM versions WHERE id = ?", (version_id,))
    return (int(found["document_id"]), int(found["seq"])) if found else None


def snapshot_of(db: Database, fetch_id: int) -> Row | None:
    """The stored response of a fetch: its URL, content hash and type, if the body is still kept."""
    return db.row(
        "SELECT f.id, f.url, f.content_hash, f.fetched_at, s.encoding FROM fetches f "
        "JOIN snapshots s ON s.content_hash = f.content_hash WHERE f.id = ?",
        (fetch_id,),
    )


def alerts(
    db: Database,
    *,
    rule: str | None = None,
    statement_group: str | None = None,
    version_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page:
    """Alerts, newest first (optionally of one rule, statement group or version), with delivery per
    target."""
    clauses: list[str] = []
    params: list[object] = []
    for column, value in (
        ("a.rule", rule),
        ("a.statement_group", statement_group),
        ("a.version_id", version_id),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = db.rows(
        "SELECT a.id, a.key, a.rule, a.event, a.tags, a.title, a.body_text, a.created_at, a.delivered_at, "
        "a.statement_group, a.version_id, v.document_id, v.seq, d.url, d.source_id "
        "FROM alerts a JOIN versions v ON v.id = a.version_id JOIN documents d ON d.id = v.document_id "
        f"{where} ORDER BY a.created_at DESC, a.id DESC LIMIT ? OFFSET ?",
        (*params, limit + 1, offset),
    )
    page = _page(rows, offset, limit)
    targets = _targets(db, [row["id"] for row in page.rows])
    for row in page.rows:
        row["tags"] = json.loads(row["tags"])
        row["targets"] = targets.get(row["id"], [])
    return page


def alert(db: Database, alert_id: int) -> dict[str, Any] | None:
    """One alert with its targets, every delivery attempt (errors redacted) and the held items it sent."""
    found = db.row(
        "SELECT a.id, a.key, a.rule, a.event, a.tags, a.title, a.body_text, a.created_at, a.delivered_at, "
        "a.statement_group, a.version_id, v.document_id, v.seq, d.url, d.source_id, "
        "d.title AS document_title "
        "FROM alerts a JOIN versions v ON v.id = a.version_id JOIN documents d ON d.id = v.document_id "
        "WHERE a.id = ?",
        (alert_id,),
    )
    if found is None:
        return None
    attempts = db.rows(
        "SELECT target, attempted_at, ok, error FROM deliveries WHERE alert_id = ? ORDER BY id", (alert_id,)
    )
    items = db.rows(
        "SELECT h.kind, h.rule, h.event, h.statement_id, h.version_id, v.document_id, v.seq, d.source_id, "
        "d.url, d.title FROM held_alerts h JOIN versions v ON v.id = h.version_id "
        "JOIN documents d ON d.id = v.document_id WHERE h.alert_id = ? ORDER BY v.first_seen, h.key",
        (alert_id,),
    )
    return {
        **dict(found),
        "tags": json.loads(found["tags"]),
        "targets": _targets(db, [alert_id]).get(alert_id, []),
        "attempts": [
            {
                "target": redact(row["target"] or "(all)"),
                "attempted_at": row["attempted_at"],
                "ok": bool(row["ok"]),
                "error": redact(row["error"]) if row["error"] else None,
            }
            for row in attempts
        ],
        "items": [dict(row) for row in items],
    }


def _targets(db: Database, alert_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Delivery state per target of these alerts: delivered, or attempts so far and the last error."""
    if not alert_ids:
        return {}
    rows = db.rows(
        "SELECT t.alert_id, t.target, t.delivered_at, "
        "(SELECT COUNT(*) FROM deliveries d WHERE d.alert_id = t.alert_id AND d.target = t.target) "
        "AS attempts, "
        "(SELECT d.error FROM deliveries d WHERE d.alert_id = t.alert_id AND d.target = t.target "
        "ORDER BY d.id DESC LIMIT 1) AS last_error "
        f"FROM alert_targets t WHERE t.alert_id IN {_in(alert_ids)} ORDER BY t.target",
        alert_ids,
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(int(row["alert_id"]), []).append(
            {
                # Target names are the service and a hash of the masked URL; redacted again all the same.
                "target": redact(row["target"]),
                "delivered_at": row["delivered_at"],
                "attempts": int(row["attempts"]),
                "last_error": redact(row["last_error"]) if row["last_error"] else None,
            }
        )
    return out


def held(db: Database) -> list[dict[str, Any]]:
    """Alerts held for a digest or follow-up and not sent yet, soonest due first."""
    rows = db.rows(
        "SELECT h.key, h.bundle, h.kind, h.rule, h.event, h.statement_id, h.due_at, h.created_at, "
        "h.version_id, v.document_id, v.seq, d.source_id, d.url, d.title FROM held_alerts h "
        "JOIN versions v ON v.id = h.version_id JOIN documents d ON d.id = v.document_id "
        "WHERE h.alert_id IS NULL ORDER BY h.due_at, h.key"
    )
    return [dict(row) for row in rows]


def sources(db: Database, at: float, days: int = 14) -> list[dict[str, Any]]:
    """Health per source: last and next poll, last error, counts, and fetches per day (oldest first)."""
    start = at - days * 86400.0
    bucket = "CAST((f.fetched_at - ?) / 86400 AS INTEGER)"
    if db.dialect == "postgres":  # its CAST rounds; SQLite's truncates
        bucket = "CAST(FLOOR((f.fetched_at - ?) / 86400) AS INTEGER)"
    daily = db.rows(
        "SELECT source_id, day, COUNT(*) AS n, SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) AS failed "
        f"FROM (SELECT f.source_id, f.state, {bucket} AS day FROM fetches f WHERE f.fetched_at >= ?) AS t "
        "GROUP BY source_id, day",
        (start, start),
    )
    documents = {
        row["source_id"]: int(row["n"])
        for row in db.rows("SELECT source_id, COUNT(*) AS n FROM documents GROUP BY source_id")
    }
    out = []
    for row in db.rows("SELECT * FROM sources ORDER BY id"):
        counts, failed = [0] * days, [0] * days
        for day in daily:
            if day["source_id"] == row["id"] and 0 <= int(day["day"]) < days:
                counts[int(day["day"])], failed[int(day["day"])] = int(day["n"]), int(day["failed"])
        out.append(
            {
                **dict(row),
                "last_error": redact(row["last_error"]) if row["last_error"] else None,
                "next_poll_at": due_at(row),
                "documents": documents.get(row["id"], 0),
                "fetches_per_day": counts,
                "failed_per_day": failed,
            }
        )
    return out
