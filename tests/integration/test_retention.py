"""Retention: old bodies, fetch rows and delivery attempts go; what the pipeline still needs stays."""

from __future__ import annotations

from pathlib import Path

from communique.model import FetchState
from communique.settings import Settings
from interface.cli.service import retention
from storage.alerts import NewAlert, create_alert, record_delivery
from storage.corpus import add_corpus_document
from storage.database import Database, now, open_database
from storage.documents import DocumentMeta, add_version_if_changed, upsert_document
from storage.fetches import Fetch, record_fetch
from storage.retention import DAY, Retention, prune

A = "https://example.org/a"
B = "https://example.org/b"


def fetch(db: Database, url: str, status: int, state: FetchState, body: bytes | None) -> int:
    content_hash = f"h-{body.decode()}" if body else None
    return record_fetch(
        db, Fetch("s", url, status, state, content_hash=content_hash), body=body, encoding="utf-8"
    )


def alert(db: Database, key: str, version_id: int) -> int:
    new = NewAlert(key, "rule", version_id, "changed", ["analysts"], "title", "text", "<p>text</p>")
    alert_id = create_alert(db, new)
    assert alert_id is not None
    return alert_id


def ids(db: Database, sql: str, params: tuple[object, ...] = ()) -> set[object]:
    return {row[0] for row in db.rows(sql, params)}


def test_old_rows_go_and_protected_ones_stay(tmp_path: Path) -> None:
    db = open_database(Settings(data_dir=tmp_path))
    unused = fetch(db, A, 200, FetchState.NOT_MODIFIED, b"a0")  # old, cited by nothing
    first = fetch(db, A, 200, FetchState.EXTRACTED, b"a1")  # cited by version 1
    second = fetch(db, A, 200, FetchState.EXTRACTED, b"a2")  # cited by version 2, the latest
    last_ok = fetch(db, A, 200, FetchState.NOT_MODIFIED, b"a3")  # latest 200: conditional GET reads it
    last = fetch(db, A, 304, FetchState.NOT_MODIFIED, None)  # latest fetch of A
    waiting = fetch(db, B, 200, FetchState.FETCHED, b"b1")  # not extracted yet
    failed = fetch(db, B, 500, FetchState.FAILED, None)
    last_b = fetch(db, B, 200, FetchState.NOT_MODIFIED, b"b2")
    document = upsert_document(db, DocumentMeta(A, "s"))
    v1 = add_version_if_changed(db, document, "one", "t1", first)
    v2 = add_version_if_changed(db, document, "two", "t2", second)
    assert v1 is not None and v2 is not None
    delivered, undelivered = alert(db, "k1", v1), alert(db, "k2", v2)
    record_delivery(db, delivered, ok=False, error="HTTP 500")
    record_delivery(db, delivered, ok=True)
    record_delivery(db, undelivered, ok=False, error="HTTP 500")
    add_corpus_document(db, "c1", statement_id="st", text="known", text_hash="th")

    # Nothing is older than 30 days yet: nothing goes.
    keep = Retention(snapshots_days=30, fetches_days=30, deliveries_days=30)
    assert prune(db, keep) == {"deliveries": 0, "fetches": 0, "snapshots": 0}

    removed = prune(db, keep, at=now() + 31 * DAY)

    assert ids(db, "SELECT id FROM fetches") == {first, second, last_ok, last, waiting, last_b}
    assert unused not in ids(db, "SELECT id FROM fetches") and failed not in ids(db, "SELECT id FROM fetches")
    # Bodies: the latest version's, the latest 200 of each URL and the one waiting for extraction stay.
    assert ids(db, "SELECT content_hash FROM snapshots") == {"h-a2", "h-a3", "h-b1", "h-b2"}
    assert ids(db, "SELECT content_hash FROM fetches WHERE id = ?", (first,)) == {None}  # let go of
    assert ids(db, "SELECT alert_id FROM deliveries") == {undelivered}
    assert ids(db, "SELECT id FROM alerts") == {delivered, undelivered}
    assert ids(db, "SELECT id FROM versions") == {v1, v2}
    assert ids(db, "SELECT id FROM corpus") == {"c1"}
    assert removed == {"deliveries": 2, "fetches": 2, "snapshots": 2}

    assert prune(db, keep, at=now() + 31 * DAY) == {"deliveries": 0, "fetches": 0, "snapshots": 0}


def test_no_retention_settings_prune_nothing(tmp_path: Path) -> None:
    db = open_database(Settings(data_dir=tmp_path))
    fetch(db, A, 200, FetchState.NOT_MODIFIED, b"a0")
    fetch(db, A, 200, FetchState.NOT_MODIFIED, b"a1")
    assert prune(db, Retention(), at=now() + 1000 * DAY) == {"deliveries": 0, "fetches": 0, "snapshots": 0}
    assert len(db.rows("SELECT id FROM fetches")) == 2


def test_retention_follows_the_settings() -> None:
    settings = Settings(retain_snapshots_days=90, retain_fetches_days=30)
    assert retention(settings) == Retention(snapshots_days=90, fetches_days=30, deliveries_days=None)
