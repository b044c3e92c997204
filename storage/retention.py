"""Pruning what only grows: old page bodies, fetch rows and delivery attempts.

What is never pruned: a document's latest snapshot, the latest fetch of a URL (conditional GET and the
content-hash short cut read it), a fetch still waiting for extraction or cited by a version, alerts
(delivered or not), the attempts of undelivered alerts, versions, matches and the corpus.
Plain SQL that PostgreSQL runs too.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Database, now

DAY = 86400.0

# A fetch that these clauses name stays: waiting for extraction, or the latest (successful) one of its URL.
_KEEP_FETCH = (
    "state <> 'fetched' "
    "AND id NOT IN (SELECT MAX(f2.id) FROM fetches f2 GROUP BY f2.url) "
    "AND id NOT IN (SELECT MAX(f3.id) FROM fetches f3 WHERE f3.status = 200 GROUP BY f3.url)"
)
_LATEST_VERSION_FETCHES = (
    "SELECT v.fetch_id FROM versions v WHERE v.fetch_id IS NOT NULL "
    "AND v.seq = (SELECT MAX(v2.seq) FROM versions v2 WHERE v2.document_id = v.document_id)"
)


@dataclass(frozen=True)
class Retention:
    """Days to keep each kind of row; None keeps it for ever."""

    snapshots_days: float | None = None
    fetches_days: float | None = None
    deliveries_days: float | None = None


def prune(db: Database, retention: Retention, at: float | None = None) -> dict[str, int]:
    """Delete what is older than the retention allows; returns the rows removed per kind."""
    at = now() if at is None else at
    removed = {"deliveries": 0, "fetches": 0, "snapshots": 0}
    if retention.deliveries_days is not None:
        removed["deliveries"] = db.execute(
            "DELETE FROM deliveries WHERE attempted_at < ? "
            "AND alert_id IN (SELECT id FROM alerts WHERE delivered_at IS NOT NULL)",
            (at - retention.deliveries_days * DAY,),
        )
    if retention.fetches_days is not None:
        removed["fetches"] = db.execute(
            f"DELETE FROM fetches WHERE fetched_at < ? AND {_KEEP_FETCH} "
            "AND id NOT IN (SELECT fetch_id FROM versions WHERE fetch_id IS NOT NULL)",
            (at - retention.fetches_days * DAY,),
        )
    if retention.snapshots_days is not None:
        with db.transaction():
            # Old fetches let go of their body (the text of a version is kept in versions) ...
            db.execute(
                f"UPDATE fetches SET content_hash = NULL WHERE fetched_at < ? AND content_hash IS NOT NULL "
                f"AND {_KEEP_FETCH} AND id NOT IN ({_LATEST_VERSION_FETCHES})",
                (at - retention.snapshots_days * DAY,),
            )
            # ... and a body no fetch refers to any more goes.
            removed["snapshots"] = db.execute(
                "DELETE FROM snapshots WHERE NOT EXISTS "
                "(SELECT 1 FROM fetches f WHERE f.content_hash = snapshots.content_hash)"
            )
    return removed
