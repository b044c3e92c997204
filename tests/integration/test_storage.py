"""Tests for the storage package on a real SQLite file and a real PostgreSQL server (each test runs on
both): migrations, fetches, versions, alerts, work; then what is particular to each database."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import storage
from communique.errors import ConfigError, PermanentError, TransientError
from communique.model import FetchState, Stage
from communique.settings import Settings
from communique.sources import Source
from interface.cli.status_cmd import print_report
from storage import schema
from storage import sqlite as sqlite_module
from storage.alerts import HeldAlert, NewAlert, alert, create_alert, hold, record_delivery, save_match
from storage.corpus import add_corpus_document, corpus_document, corpus_size, corpus_stamp
from storage.database import Database, SQLiteDatabase, connect, open_database
from storage.documents import (
    DocumentMeta,
    add_version_if_changed,
    document,
    latest_version,
    previous_version,
    set_language,
    upsert_document,
    version,
)
from storage.fetches import (
    Fetch,
    back_off_source,
    due_source_ids,
    fetch_row,
    last_validators,
    mark_polled,
    next_poll_at,
    record_fetch,
    record_source_result,
    set_fetch_state,
    snapshot,
    sync_sources,
)
from storage.work import pending_deliveries, status, unfinished

MIGRATIONS = Path(storage.__file__).parent / "migrations"


def settings_for(folder: Path) -> Settings:
    """Settings with everything under `folder` (explicit, so the environment cannot redirect them)."""
    return Settings(data_dir=folder, database_url=None)


@pytest.fixture
def db(storage_settings: Settings) -> Iterator[Database]:
    """A migrated database: a fresh SQLite file, then a fresh PostgreSQL database."""
    database = open_database(storage_settings)
    yield database
    database.close()


def content_hash(body: bytes) -> str:
    """A content hash as callers compute it."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def fetched(
    db: Database,
    body: bytes = b"<p>text</p>",
    url: str = "https://example.org/a",
    state: FetchState = FetchState.FETCHED,
    source_id: str = "src",
) -> int:
    """Store a 200 fetch with its body; returns the fetch id."""
    fetch = Fetch(source_id, url, 200, state, content_hash=content_hash(body), bytes=len(body))
    return record_fetch(db, fetch, body=body, encoding="utf-8")


def new_version(db: Database, text: str, url: str = "https://example.org/a") -> int:
    """A document version of `text` (a new one each call, for a new text)."""
    document_id = upsert_document(db, DocumentMeta(url=url, source_id="src"))
    version_id = add_version_if_changed(db, document_id, text, content_hash(text.encode()), fetched(db))
    assert version_id is not None
    return version_id


def new_alert(db: Database, version_id: int, key: str = "rule:1:new") -> int | None:
    """Store an alert for a version; returns its id or None."""
    return create_alert(
        db,
        NewAlert(
            key=key,
            rule="rule",
            version_id=version_id,
            event="new",
            tags=["team"],
            title="A statement",
            body_text="text",
            body_html="<p>text</p>",
        ),
    )


def count(db: Database, table: str) -> int:
    """Rows in a table."""
    row = db.row(f"SELECT COUNT(*) AS n FROM {table}")
    assert row is not None
    return int(row["n"])


# --- database and migrations ---------------------------------------------------------------------


def test_migrations_apply_once(storage_settings: Settings) -> None:
    shipped = sorted({int(path.name.split("_", 1)[0]) for path in MIGRATIONS.glob("*.sql")})
    db = open_database(storage_settings)
    try:
        applied = [int(row["version"]) for row in db.rows("SELECT version FROM schema_version ORDER BY 1")]
        assert applied == shipped
        assert db.migrate() == shipped[-1]
        assert db.migrate() == shipped[-1]
        assert count(db, "schema_version") == len(shipped)
    finally:
        db.close()


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_each_dialect_runs_its_own_variant_else_the_shared_script(dialect: schema.Dialect) -> None:
    expected: dict[int, str] = {}
    for path in sorted(MIGRATIONS.glob("*.sql")):  # NNNN_x.postgres.sql sorts before NNNN_x.sql
        number, variant = int(path.name.split("_", 1)[0]), path.name.endswith(".postgres.sql")
        if (variant and dialect == "postgres") or (not variant and number not in expected):
            expected[number] = path.read_text(encoding="utf-8")
    assert dict(schema.migrations(dialect)) == expected
    assert any(".postgres." in path.name for path in MIGRATIONS.iterdir())


def test_postgres_schema_has_no_real_or_blob_columns() -> None:
    """REAL is float4 on PostgreSQL (timestamps would lose seconds) and BLOB does not exist there."""
    for number, script in schema.migrations("postgres"):
        for statement in schema.statements(script):
            words = set(re.findall(r"[A-Z]+", statement))
            assert not words & {"REAL", "BLOB", "AUTOINCREMENT"}, f"{number:04d}: {statement}"


def test_reopening_keeps_data_and_version(storage_settings: Settings) -> None:
    first = open_database(storage_settings)
    sync_sources(first, [Source(id="a", kind="page", url="https://example.org/")])
    version_number = first.migrate()
    first.close()
    second = open_database(storage_settings)
    try:
        assert second.migrate() == version_number
        assert [row["id"] for row in second.rows("SELECT id FROM sources")] == ["a"]
    finally:
        second.close()


def test_concurrent_first_migrations_do_not_collide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes (crawler and worker) starting together on a fresh file both migrate it."""
    path = tmp_path / "communique.sqlite3"
    ours, theirs = SQLiteDatabase(path), SQLiteDatabase(path)
    shipped = schema.migrations
    raced = []

    def other_process_wins(dialect: schema.Dialect) -> list[tuple[int, str]]:
        # Called by `ours` after it has read the schema version: the other process migrates first.
        if not raced:
            raced.append(True)
            theirs.migrate()
        return shipped(dialect)

    monkeypatch.setattr(schema, "migrations", other_process_wins)
    try:
        assert ours.migrate() == theirs.migrate()
        assert raced
        assert count(ours, "schema_version") == len(shipped("sqlite"))
    finally:
        ours.close()
        theirs.close()


def test_processes_starting_together_migrate_once(storage_settings: Settings) -> None:
    """Several processes migrate a fresh database at the same moment (threads, one connection each)."""
    start = threading.Barrier(4)

    def migrate_with_the_others() -> int:
        db = connect(storage_settings)
        try:
            start.wait()
            return db.migrate()
        finally:
            db.close()

    with ThreadPoolExecutor(4) as pool:
        versions = list(pool.map(lambda _: migrate_with_the_others(), range(4)))
    shipped = schema.migrations("sqlite")
    assert versions == [shipped[-1][0]] * 4
    db = connect(storage_settings)
    try:
        assert count(db, "schema_version") == len(shipped)
    finally:
        db.close()


def test_wal_mode_is_on_in_the_file(tmp_path: Path) -> None:
    db = SQLiteDatabase(tmp_path / "communique.sqlite3")
    mode = db.row("PRAGMA journal_mode")
    assert mode is not None
    assert mode[0] == "wal"
    # WAL is a property of the file: another connection sees it too.
    other = sqlite3.connect(db.path)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        other.close()
        db.close()


def test_default_path_is_in_data_dir(tmp_path: Path) -> None:
    db = open_database(settings_for(tmp_path))
    try:
        assert isinstance(db, SQLiteDatabase)
        assert db.path == tmp_path / "communique.sqlite3"
        assert db.path.exists()
    finally:
        db.close()


def test_sqlite_url_is_used(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "db.sqlite3"
    db = open_database(Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{target}"))
    try:
        assert isinstance(db, SQLiteDatabase)
        assert db.path == target
        assert target.exists()
    finally:
        db.close()


def test_unsupported_database_url_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'mysql'.*postgresql://") as raised:
        open_database(Settings(data_dir=tmp_path, database_url="mysql://user:s3cret@db/communique"))
    assert "s3cret" not in str(raised.value)


def test_insert_needs_returning_id(db: Database) -> None:
    with pytest.raises(ValueError, match="RETURNING id"):
        db.insert("INSERT INTO sources (id, kind, url, interval_seconds) VALUES ('a', 'page', 'u', 60)")
    assert count(db, "sources") == 0


def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction():
        db.execute("INSERT INTO sources (id, kind, url, interval_seconds) VALUES ('a', 'page', 'u', 60)")
        raise RuntimeError("boom")
    assert count(db, "sources") == 0


def test_locked_database_is_a_transient_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_module, "BUSY_TIMEOUT_S", 0.05)
    db = open_database(settings_for(tmp_path))
    assert isinstance(db, SQLiteDatabase)
    holder = sqlite3.connect(db.path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(TransientError, match="busy"), db.transaction():
            pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        db.close()


# --- fetches and snapshots -----------------------------------------------------------------------


def test_record_fetch_stores_a_compressed_snapshot(db: Database) -> None:
    body = ("<p>Tuyên bố chung Việt Nam – Nga</p>" * 200).encode()
    fetch_id = fetched(db, body)
    row = fetch_row(db, fetch_id)
    assert row is not None
    assert row["state"] == FetchState.FETCHED
    assert row["bytes"] == len(body)
    stored = db.row("SELECT body, size FROM snapshots WHERE content_hash = ?", (row["content_hash"],))
    assert stored is not None
    assert stored["size"] == len(body)
    assert len(stored["body"]) < len(body)
    assert snapshot(db, row["content_hash"]) == (body, "utf-8")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def shared_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One database of each kind for every example of a property test."""
    url = request.getfixturevalue("postgres_server").new_database() if request.param == "postgres" else None
    database = open_database(Settings(data_dir=tmp_path_factory.mktemp("property"), database_url=url))
    yield database
    database.close()


@settings(max_examples=60)
@given(body=st.binary(max_size=4096), encoding=st.sampled_from([None, "utf-8", "cp1251"]))
def test_snapshot_returns_the_exact_bytes(shared_db: Database, body: bytes, encoding: str | None) -> None:
    # The encoding is part of the key here: one body stored under two encodings keeps the first.
    key = content_hash(body + repr(encoding).encode())
    fetch = Fetch("src", "https://example.org/p", 200, FetchState.FETCHED, content_hash=key, bytes=len(body))
    record_fetch(shared_db, fetch, body=body, encoding=encoding)
    assert snapshot(shared_db, key) == (body, encoding)


def test_identical_bodies_share_one_snapshot(db: Database) -> None:
    first = fetched(db, b"same body", url="https://example.org/a")
    second = fetched(db, b"same body", url="https://example.org/b")
    fetched(db, b"other body", url="https://example.org/c")
    assert first != second
    assert count(db, "snapshots") == 2
    rows = [fetch_row(db, first), fetch_row(db, second)]
    assert rows[0] is not None
    assert rows[1] is not None
    assert rows[0]["content_hash"] == rows[1]["content_hash"]


def test_fetch_without_body_stores_no_snapshot(db: Database) -> None:
    record_fetch(db, Fetch("src", "https://example.org/a", None, FetchState.FAILED, error="refused"))
    record_fetch(db, Fetch("src", "https://example.org/a", 304, FetchState.NOT_MODIFIED))
    assert count(db, "snapshots") == 0
    assert count(db, "fetches") == 2


def test_a_missing_snapshot_is_a_permanent_error(db: Database) -> None:
    with pytest.raises(PermanentError, match="is gone"):
        snapshot(db, "0" * 32)


def test_last_validators_come_from_the_last_200(db: Database) -> None:
    url = "https://example.org/a"
    assert last_validators(db, url) is None
    ok = Fetch("src", url, 200, FetchState.FETCHED, etag='"v1"', last_modified="Mon", content_hash="h1")
    record_fetch(db, ok, body=b"x")
    record_fetch(db, Fetch("src", url, 304, FetchState.NOT_MODIFIED, etag='"v2"'))
    record_fetch(db, Fetch("src", url, 503, FetchState.FAILED, etag='"v3"'))
    record_fetch(db, Fetch("src", "https://example.org/b", 200, FetchState.FETCHED, etag='"b"'))
    known = last_validators(db, url)
    assert known is not None
    assert dict(known) == {"etag": '"v1"', "last_modified": "Mon", "content_hash": "h1"}


def test_set_fetch_state(db: Database) -> None:
    fetch_id = fetched(db)
    set_fetch_state(db, fetch_id, FetchState.FAILED, error="no text")
    row = fetch_row(db, fetch_id)
    assert row is not None
    assert (row["state"], row["error"]) == (FetchState.FAILED, "no text")


# --- sources -------------------------------------------------------------------------------------


def polled_at(db: Database, source_id: str) -> float:
    """When a source was last marked polled."""
    row = db.row("SELECT last_polled_at FROM sources WHERE id = ?", (source_id,))
    assert row is not None
    return float(row["last_polled_at"])


def test_due_source_ids_honours_interval_and_never_polled(db: Database) -> None:
    sync_sources(
        db,
        [
            Source(id="fast", kind="page", url="https://example.org/f", interval=60),
            Source(id="slow", kind="feed", url="https://example.org/s", interval=600),
            Source(id="fresh", kind="page", url="https://example.org/n", interval=60),
        ],
    )
    ids = ["slow", "fast", "fresh"]
    assert due_source_ids(db, ids) == ids  # never polled: all due, in the order asked
    mark_polled(db, "fast")
    mark_polled(db, "slow")
    fast, slow = polled_at(db, "fast"), polled_at(db, "slow")
    assert due_source_ids(db, ids, at=fast + 59) == ["fresh"]
    assert due_source_ids(db, ids, at=fast + 60) == ["fast", "fresh"]
    assert due_source_ids(db, ids, at=slow + 600) == ids
    assert due_source_ids(db, ["fast"], at=fast + 600) == ["fast"]  # only those asked about
    assert next_poll_at(db, ["fast", "slow"]) == fast + 60
    assert next_poll_at(db, ids) == 0.0  # "fresh" was never polled: due at once
    back_off_source(db, "fast", until=fast + 300)
    assert next_poll_at(db, ["fast", "slow"]) == fast + 300
    assert due_source_ids(db, ids, at=fast + 299) == ["fresh"]
    assert next_poll_at(db, []) is None


def test_sync_sources_updates_config_and_keeps_history(db: Database) -> None:
    sync_sources(db, [Source(id="a", kind="page", url="https://example.org/", interval=60)])
    mark_polled(db, "a")
    record_source_result(db, "a", "HTTP 503")
    sync_sources(db, [Source(id="a", kind="feed", url="https://example.org/rss", interval=300)])
    row = db.row("SELECT * FROM sources WHERE id = 'a'")
    assert row is not None
    assert (row["kind"], row["url"], row["interval_seconds"]) == ("feed", "https://example.org/rss", 300)
    assert row["error_count"] == 1
    assert row["last_error"] == "HTTP 503"
    assert row["last_polled_at"] is not None


def test_record_source_result_counts_errors_and_clears_on_success(db: Database) -> None:
    sync_sources(db, [Source(id="a", kind="page", url="https://example.org/")])
    record_source_result(db, "a", "HTTP 503")
    record_source_result(db, "a", "DNS")
    row = db.row("SELECT last_error, error_count, last_ok_at FROM sources WHERE id = 'a'")
    assert row is not None
    assert (row["last_error"], row["error_count"], row["last_ok_at"]) == ("DNS", 2, None)
    record_source_result(db, "a", None)
    row = db.row("SELECT last_error, error_count, last_ok_at FROM sources WHERE id = 'a'")
    assert row is not None
    assert row["last_error"] is None
    assert row["error_count"] == 2  # a count of errors ever seen, not a streak
    assert row["last_ok_at"] is not None


# --- documents and versions ----------------------------------------------------------------------


def test_add_version_if_changed(db: Database) -> None:
    document_id = upsert_document(db, DocumentMeta(url="https://example.org/a", source_id="src"))
    fetch_id = fetched(db)
    first = add_version_if_changed(db, document_id, "one", "h1", fetch_id)
    assert first is not None
    assert add_version_if_changed(db, document_id, "one", "h1", fetch_id) is None
    second = add_version_if_changed(db, document_id, "two", "h2", fetch_id)
    assert second is not None
    # Back to the first text is a change too: only the newest version is compared.
    third = add_version_if_changed(db, document_id, "one", "h1", fetch_id)
    assert third is not None
    rows = [version(db, version_id) for version_id in (first, second, third)]
    assert [row["seq"] if row else None for row in rows] == [1, 2, 3]
    latest = latest_version(db, document_id)
    assert latest is not None
    assert latest["id"] == third
    before = previous_version(db, document_id, 3)
    assert before is not None
    assert before["id"] == second
    assert previous_version(db, document_id, 1) is None


def test_versions_are_counted_per_document(db: Database) -> None:
    a = upsert_document(db, DocumentMeta(url="https://example.org/a", source_id="src"))
    b = upsert_document(db, DocumentMeta(url="https://example.org/b", source_id="src"))
    fetch_id = fetched(db)
    add_version_if_changed(db, a, "one", "h1", fetch_id)
    only = add_version_if_changed(db, b, "one", "h1", fetch_id)  # same text, other document
    assert only is not None
    row = version(db, only)
    assert row is not None
    assert (row["seq"], row["url"], row["source_id"]) == (1, "https://example.org/b", "src")


def test_upsert_document_keeps_one_row_per_url(db: Database) -> None:
    meta = DocumentMeta(url="https://example.org/a", source_id="src", title="Old", published="2025-05-10")
    first = upsert_document(db, meta)
    again = upsert_document(
        db, DocumentMeta(url="https://example.org/a", source_id="src", published="2025-06-01")
    )
    assert first == again
    set_language(db, first, "vi")
    set_language(db, first, None)  # no language identified in a later version: the known one stays
    row = document(db, first)
    assert row is not None
    assert (row["title"], row["language"], row["published"]) == ("Old", "vi", "2025-05-10")
    assert count(db, "documents") == 1


# --- alerts --------------------------------------------------------------------------------------


def test_create_alert_is_unique_by_key(db: Database) -> None:
    version_id = new_version(db, "text")
    first = new_alert(db, version_id, key="k1")
    assert first is not None
    assert new_alert(db, version_id, key="k1") is None
    second = new_alert(db, version_id, key="k2")
    assert second is not None
    assert second != first
    assert count(db, "alerts") == 2
    row = alert(db, first)
    assert row is not None
    assert (row["key"], row["tags"], row["delivered_at"]) == ("k1", '["team"]', None)


def test_record_delivery(db: Database) -> None:
    alert_id = new_alert(db, new_version(db, "text"))
    assert alert_id is not None
    record_delivery(db, alert_id, ok=False, error="endpoint down")
    row = alert(db, alert_id)
    assert row is not None
    assert row["delivered_at"] is None
    record_delivery(db, alert_id, ok=True)
    row = alert(db, alert_id)
    assert row is not None
    delivered_at = row["delivered_at"]
    assert delivered_at is not None
    record_delivery(db, alert_id, ok=True)  # a duplicate delivery keeps the first time
    row = alert(db, alert_id)
    assert row is not None
    assert row["delivered_at"] == delivered_at
    attempts = db.rows("SELECT ok, error FROM deliveries WHERE alert_id = ? ORDER BY id", (alert_id,))
    assert [tuple(attempt) for attempt in attempts] == [(0, "endpoint down"), (1, None), (1, None)]


def test_save_match_replaces(db: Database) -> None:
    version_id = new_version(db, "text")
    save_match(db, version_id, relation="new", statement_id=None, coverage=None, result={"a": 1})
    save_match(db, version_id, relation="reprint", statement_id="s1", coverage=0.9, result={"b": "ё"})
    rows = db.rows("SELECT relation, statement_id, coverage, result FROM matches")
    assert [tuple(row) for row in rows] == [("reprint", "s1", 0.9, '{"b": "ё"}')]


# --- corpus --------------------------------------------------------------------------------------


def test_corpus_documents_are_added_once(db: Database) -> None:
    assert add_corpus_document(
        db,
        "d1",
        statement_id="s1",
        text="text",
        text_hash="h1",
        language="vi",
        title="Title",
        origin="learned",
    )
    assert not add_corpus_document(db, "d1", statement_id="s1", text="text", text_hash="h1")
    assert not add_corpus_document(db, "d2", statement_id="s1", text="same text", text_hash="h1")  # same hash
    assert corpus_size(db) == 1
    row = corpus_document(db, "d1")
    assert row is not None
    assert (row["title"], row["language"], row["origin"], row["text"]) == ("Title", "vi", "learned", "text")
    assert corpus_document(db, "d2") is None


def test_the_corpus_stamp_changes_when_a_text_is_added(db: Database) -> None:
    before = corpus_stamp(db)
    add_corpus_document(db, "d1", statement_id="s1", text="text", text_hash="h1")
    assert corpus_stamp(db) != before
    assert corpus_stamp(db)[0] == 1


def test_corpus_paragraphs_table_is_gone_after_migration(db: Database) -> None:
    with pytest.raises((sqlite3.OperationalError, psycopg.errors.UndefinedTable), match="corpus_paragraphs"):
        db.rows("SELECT * FROM corpus_paragraphs")


# --- unfinished work and status ------------------------------------------------------------------


def test_unfinished_lists_pending_work_in_pipeline_order(db: Database) -> None:
    extracted = fetched(db, b"1")
    pending_fetch = fetched(db, b"2")
    fetched(db, b"3", state=FetchState.LISTED)
    fetched(db, b"4", state=FetchState.NOT_MODIFIED)
    set_fetch_state(db, extracted, FetchState.EXTRACTED)
    matched = new_version(db, "matched text", url="https://example.org/m")
    save_match(db, matched, relation="new", statement_id=None, coverage=None, result={})
    pending_version = new_version(db, "unmatched text", url="https://example.org/u")
    delivered = new_alert(db, matched, key="delivered")
    pending_alert = new_alert(db, matched, key="pending")
    assert delivered is not None
    assert pending_alert is not None
    record_delivery(db, delivered, ok=True)
    record_delivery(db, pending_alert, ok=False, error="down")
    # new_version stores fetches of its own, still in state "fetched".
    fetch_ids = [int(row["id"]) for row in db.rows("SELECT id FROM fetches WHERE state = 'fetched'")]
    assert pending_fetch in fetch_ids
    assert extracted not in fetch_ids
    assert unfinished(db) == [
        *[(Stage.EXTRACT, fetch_id) for fetch_id in sorted(fetch_ids)],
        (Stage.MATCH, pending_version),
        (Stage.NOTIFY, pending_alert),
    ]


def test_nothing_unfinished_in_an_empty_database(db: Database) -> None:
    assert unfinished(db) == []


def test_status_counts(db: Database) -> None:
    sync_sources(
        db,
        [
            Source(id="b", kind="page", url="https://example.org/b"),
            Source(id="a", kind="feed", url="https://example.org/a"),
        ],
    )
    record_source_result(db, "b", "HTTP 500")
    first = new_version(db, "one", url="https://example.org/1")
    new_version(db, "two", url="https://example.org/1")
    new_version(db, "three", url="https://example.org/2")
    add_corpus_document(db, "d1", statement_id="s1", text="text", text_hash="h1")
    delivered = new_alert(db, first, key="x")
    assert delivered is not None
    new_alert(db, first, key="y")
    new_alert(db, first, key="z")
    record_delivery(db, delivered, ok=True)
    report = status(db)
    assert report["counts"] == {
        "sources": 2,
        "fetches": 3,
        "documents": 2,
        "versions": 3,
        "corpus": 1,
        "alerts": 3,
    }
    assert report["undelivered_alerts"] == 2
    sources = report["sources"]
    assert isinstance(sources, list)
    assert [(row["id"], row["kind"], row["error_count"]) for row in sources] == [
        ("a", "feed", 0),
        ("b", "page", 1),
    ]


def test_status_says_when_each_source_was_and_will_be_polled_and_what_is_held(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    sync_sources(
        db,
        [
            Source(id="fresh", kind="page", url="https://example.org/f", interval=60),
            Source(id="polled", kind="feed", url="https://example.org/p", interval=300),
        ],
    )
    mark_polled(db, "polled")
    polled = polled_at(db, "polled")
    version_id = new_version(db, "one")
    day = 1796601600.0  # 2026-12-07 00:00 UTC
    for n in (1, 2):
        held = HeldAlert(
            f"k{n}", "bundle", "digest", "daily-copies", version_id, "reprint", None, 1.0, ["t"], day
        )
        assert hold(db, held)
    report = status(db)
    sources = {row["id"]: row for row in report["sources"]}  # type: ignore[attr-defined]
    assert sources["polled"]["next_poll_at"] == polled + 300
    assert sources["fresh"]["next_poll_at"] is None
    assert report["held"] == [{"rule": "daily-copies", "kind": "digest", "alerts": 2, "due_at": day}]
    print_report({**report, "pending_deliveries": pending_deliveries(db), "redis": None})
    printed = capsys.readouterr().out
    assert "held alerts 2" in printed
    assert "rule daily-copies (digest): 2 alerts, sent 2026-12-07 00:00:00 UTC" in printed
    assert re.search(r"polled +feed +last poll [\d-]+ [\d:]+ UTC, next [\d-]+ [\d:]+ UTC; ok", printed)
    assert re.search(r"fresh +page +not polled yet; ok", printed)
