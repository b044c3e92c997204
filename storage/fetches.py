"""Sources, fetches, the raw snapshots they stored, and when each known article is next revisited."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from communique.errors import PermanentError
from communique.model import FetchState
from communique.sources import Source
from storage.database import Database, Row, now


@dataclass(frozen=True)
class Fetch:
    """One HTTP exchange (or failure to have one) with a source."""

    source_id: str
    url: str
    status: int | None
    state: FetchState
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    bytes: int = 0
    elapsed_ms: float | None = None
    error: str | None = None


def sync_sources(db: Database, sources: list[Source]) -> None:
    """Make the sources table hold the configured sources (keeping their history)."""
    with db.transaction():
        for source in sources:
            db.execute(
                "INSERT INTO sources (id, kind, url, interval_seconds) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, url = excluded.url, "
                "interval_seconds = excluded.interval_seconds",
                (source.id, source.kind, source.url, source.interval),
            )


def due_source_ids(
    db: Database, source_ids: list[str], at: float | None = None, every: bool = False
) -> list[str]:
    """Which of these sources are due for a poll now (never polled, or their interval has passed;
    with `every`, all of them), leaving out those backing off after a 429/503."""
    at = now() if at is None else at
    rows = db.rows("SELECT id, last_polled_at, interval_seconds, backoff_until FROM sources")
    due = {r["id"] for r in rows if due_at(r, every) <= at}
    return [source_id for source_id in source_ids if source_id in due]


def next_poll_at(db: Database, source_ids: list[str]) -> float | None:
    """When the first of these sources comes due (None when there are none)."""
    wanted = set(source_ids)
    rows = db.rows("SELECT id, last_polled_at, interval_seconds, backoff_until FROM sources")
    times = [due_at(r) for r in rows if r["id"] in wanted]
    return min(times) if times else None


def due_at(row: Row, every: bool = False) -> float:
    """When a source comes due: its interval after its last poll (at once if never polled, or with
    `every`), and not before its backoff ends."""
    polled = row["last_polled_at"]
    due = 0.0 if every or polled is None else float(polled + row["interval_seconds"])
    return max(due, float(row["backoff_until"] or 0.0))


def failing_source_ids(db: Database, source_ids: list[str]) -> list[str]:
    """Which of these sources failed at their last request."""
    wanted = set(source_ids)
    rows = db.rows("SELECT id FROM sources WHERE last_error IS NOT NULL")
    return [r["id"] for r in rows if r["id"] in wanted]


def back_off_source(db: Database, source_id: str, until: float) -> None:
    """Do not poll a source before `until` (it answered 429 or 503)."""
    db.execute("UPDATE sources SET backoff_until = ? WHERE id = ?", (until, source_id))


def mark_polled(db: Database, source_id: str) -> None:
    """Record that a poll of a source was scheduled now (so it is not due again before its interval)."""
    db.execute("UPDATE sources SET last_polled_at = ? WHERE id = ?", (now(), source_id))


def record_source_result(db: Database, source_id: str, error: str | None) -> None:
    """Record the outcome of a request for a source: its error (counted), or success."""
    if error is None:
        db.execute("UPDATE sources SET last_ok_at = ?, last_error = NULL WHERE id = ?", (now(), source_id))
    else:
        db.execute(
            "UPDATE sources SET last_error = ?, error_count = error_count + 1 WHERE id = ?",
            (error, source_id),
        )


def last_validators(db: Database, url: str) -> Row | None:
    """ETag, Last-Modified and content hash of the last successful fetch of a URL."""
    return db.row(
        "SELECT etag, last_modified, content_hash FROM fetches "
        "WHERE url = ? AND status = 200 ORDER BY id DESC LIMIT 1",
        (url,),
    )


def record_fetch(db: Database, fetch: Fetch, body: bytes | None = None, encoding: str | None = None) -> int:
    """Store a fetch, and its body as a compressed snapshot when there is one; returns the fetch id."""
    with db.transaction():
        if body is not None and fetch.content_hash:
            db.execute(
                "INSERT INTO snapshots (content_hash, body, encoding, size) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (content_hash) DO NOTHING",
                (fetch.content_hash, zlib.compress(body, 6), encoding, len(body)),
            )
        fetch_id = db.insert(
            "INSERT INTO fetches (source_id, url, status, etag, last_modified, content_hash, bytes, "
            "elapsed_ms, fetched_at, state, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                fetch.source_id,
                fetch.url,
                fetch.status,
                fetch.etag,
                fetch.last_modified,
                fetch.content_hash,
                fetch.bytes,
                fetch.elapsed_ms,
                now(),
                fetch.state,
                fetch.error,
            ),
        )
    assert fetch_id is not None
    return fetch_id


def fetch_row(db: Database, fetch_id: int) -> Row | None:
    """A fetch by id."""
    return db.row("SELECT * FROM fetches WHERE id = ?", (fetch_id,))


def snapshot(db: Database, content_hash: str) -> tuple[bytes, str | None]:
    """The body and detected encoding stored under a content hash; PermanentError when it is gone
    (pruned by retention before it was extracted): retrying cannot bring it back."""
    row = db.row("SELECT body, encoding FROM snapshots WHERE content_hash = ?", (content_hash,))
    if row is None:
        raise PermanentError(f"snapshot {content_hash} is gone (pruned before extraction?)")
    return zlib.decompress(row["body"]), row["encoding"]


def set_fetch_state(db: Database, fetch_id: int, state: FetchState, error: str | None = None) -> None:
    """Move a fetch on: extracted, or failed with the reason."""
    db.execute("UPDATE fetches SET state = ?, error = ? WHERE id = ?", (state, error, fetch_id))


# Revisits: often while an article is young (edits come early), rarely once it is weeks old, and
# four times as often for an article matched to a statement.
REVISIT_MIN_S = 15 * 60.0
REVISIT_MAX_S = 7 * 86400.0
REVISIT_STOP_AFTER_S = 60 * 86400.0
MATCHED_FACTOR = 4.0


def revisit_delay(age: float, matched: bool = False) -> float | None:
    """Seconds until the next revisit of an article first seen `age` seconds ago (None: no more)."""
    if age >= REVISIT_STOP_AFTER_S:
        return None
    delay = min(max(age / 2, REVISIT_MIN_S), REVISIT_MAX_S)
    return delay / MATCHED_FACTOR if matched else delay


def claim_article(
    db: Database,
    url: str,
    *,
    fetch_url: str,
    source_id: str,
    changed_at: float | None = None,
    at: float | None = None,
) -> bool:
    """True (and schedule the next revisit) if the article at canonical `url` is due for a fetch now:
    never seen, its revisit time has come, or its listing says it changed since we last asked."""
    at = now() if at is None else at
    with db.transaction():
        known = db.row("SELECT first_seen, last_requested, next_due FROM revisits WHERE url = ?", (url,))
        if known is not None:
            due = known["next_due"] is not None and known["next_due"] <= at
            changed = changed_at is not None and (known["last_requested"] or 0.0) < changed_at <= at
            if not (due or changed):
                return False
        first_seen = at if known is None else float(known["first_seen"])
        delay = revisit_delay(at - first_seen, _is_matched(db, url))
        db.execute(
            "INSERT INTO revisits (url, fetch_url, source_id, first_seen, last_requested, next_due) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET fetch_url = excluded.fetch_url, "
            "last_requested = excluded.last_requested, next_due = excluded.next_due",
            (url, fetch_url, source_id, first_seen, at, None if delay is None else at + delay),
        )
    return True


def due_revisits(db: Database, source_ids: list[str], at: float | None = None, limit: int = 100) -> list[Row]:
    """Known articles of these sources whose revisit time has come (url, fetch_url, source_id)."""
    at = now() if at is None else at
    marks = ", ".join("?" for _ in source_ids)
    return db.rows(
        f"SELECT url, fetch_url, source_id FROM revisits WHERE next_due <= ? AND source_id IN ({marks}) "
        "ORDER BY next_due LIMIT ?",
        (at, *source_ids, limit),
    )


def _is_matched(db: Database, url: str) -> bool:
    """True if some version of the document at `url` was matched to a known statement."""
    row = db.row(
        "SELECT 1 FROM documents d JOIN versions v ON v.document_id = d.id "
        "JOIN matches m ON m.version_id = v.id WHERE d.url = ? AND m.statement_id IS NOT NULL LIMIT 1",
        (url,),
    )
    return row is not None
