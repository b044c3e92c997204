"""What is particular to PostgreSQL, on a real server: transient errors (lock timeout, serialization
failure, lost connection), the password kept out of messages, placeholders; and URL masking."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import psycopg
import pytest
from click.testing import CliRunner

from communique.errors import ConfigError, TransientError
from communique.redact import mask_url
from communique.settings import Settings
from communique.sources import Source
from interface.cli import cli
from storage import postgres as postgres_module
from storage.database import Database, connect, open_database
from storage.fetches import mark_polled, sync_sources
from tests.postgres_server import PostgresServer


@pytest.fixture
def db(postgres_url: str) -> Iterator[Database]:
    """A migrated database on the session's PostgreSQL."""
    database = open_database(Settings(database_url=postgres_url))
    yield database
    database.close()


def with_source(db: Database) -> Database:
    """The database with one source in it."""
    sync_sources(db, [Source(id="a", kind="page", url="https://example.org/")])
    return db


def test_rows_read_like_sqlite_rows(db: Database) -> None:
    row = db.row("SELECT 1 AS one, 'two' AS two, 1 AS one")
    assert row is not None
    assert (row["one"], row[1], row["two"], len(row)) == (1, "two", "two", 3)
    assert tuple(row) == (1, "two", 1)
    assert row.keys() == ["one", "two", "one"]  # as sqlite3.Row: every column, the first "one" wins
    assert dict(row) == {"one": 1, "two": "two"}


def test_question_marks_and_percent_signs_in_literals_are_left_alone(db: Database) -> None:
    row = db.row("SELECT '?' AS mark, 'it''s 100%' AS percent, ? AS value", ("x?%",))
    assert row is not None
    assert dict(row) == {"mark": "?", "percent": "it's 100%", "value": "x?%"}
    assert db.row("SELECT '100%' AS p") is not None  # no parameters: sent as written


def test_timestamps_keep_double_precision(db: Database) -> None:
    with_source(db)
    mark_polled(db, "a")
    row = db.row("SELECT last_polled_at, pg_typeof(last_polled_at)::text AS kind FROM sources")
    assert row is not None
    assert row["kind"] == "double precision"
    assert abs(row["last_polled_at"] - time.time()) < 60


def test_a_lock_held_too_long_is_a_transient_error(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres_module, "LOCK_TIMEOUT_MS", 100)
    db = with_source(open_database(Settings(database_url=postgres_url)))
    with psycopg.connect(postgres_url) as holder:
        holder.execute("LOCK TABLE sources IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(TransientError, match="lock timeout"):
            mark_polled(db, "a")
        holder.rollback()
    mark_polled(db, "a")  # the connection is still usable
    db.close()


def test_a_serialization_failure_is_a_transient_error(db: Database, postgres_url: str) -> None:
    with_source(db)
    other = connect(Settings(database_url=postgres_url))
    try:
        with pytest.raises(TransientError, match="serializ"), db.transaction():
            db.row("SELECT error_count FROM sources WHERE id = 'a'")
            with other.transaction():  # another process commits a change to the row we read
                other.execute("UPDATE sources SET error_count = error_count + 1 WHERE id = 'a'")
            db.execute("UPDATE sources SET error_count = error_count + 10 WHERE id = 'a'")
    finally:
        other.close()
    row = db.row("SELECT error_count FROM sources WHERE id = 'a'")
    assert row is not None
    assert row["error_count"] == 1  # ours was rolled back, to be retried


def test_a_lost_connection_is_transient_and_the_next_call_reconnects(db: Database, postgres_url: str) -> None:
    with_source(db)
    pid = db.row("SELECT pg_backend_pid() AS pid")
    assert pid is not None
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid["pid"],))
    with pytest.raises(TransientError, match="database unavailable"):
        db.rows("SELECT id FROM sources")
    assert [row["id"] for row in db.rows("SELECT id FROM sources")] == ["a"]


def test_an_unreachable_server_is_transient_and_the_password_stays_out(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.url().replace(str(postgres_server.port), "1", 1)
    with pytest.raises(TransientError) as raised:
        connect(Settings(database_url=url))
    assert postgres_server.password not in str(raised.value)
    assert "communique:***@127.0.0.1:1/" in str(raised.value)


@pytest.mark.parametrize("wrong", ["password", "database"])
def test_a_wrong_password_or_database_is_a_config_error_without_the_password(
    postgres_server: PostgresServer, wrong: str
) -> None:
    url = postgres_server.url("nowhere" if wrong == "database" else "postgres")
    url = url.replace(postgres_server.password, "wrong-secret-42") if wrong == "password" else url
    with pytest.raises(ConfigError, match=r"password authentication failed|does not exist") as raised:
        connect(Settings(database_url=url))
    assert "wrong-secret-42" not in str(raised.value)
    assert postgres_server.password not in str(raised.value)


def test_a_malformed_url_does_not_echo_the_password() -> None:
    # libpq quotes the whole URI in this message.
    with pytest.raises(ConfigError, match="IPv6") as raised:
        connect(Settings(database_url="postgresql://user:s3cret-77@[::1/c"))
    assert "s3cret-77" not in str(raised.value)
    assert "user:***@" in str(raised.value)
    assert raised.value.__cause__ is None


def test_status_names_the_database_without_its_password(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = psycopg.conninfo.conninfo_to_dict(postgres_url)["password"]
    monkeypatch.setenv("COMMUNIQUE_DATABASE_URL", postgres_url)
    for args in (["status", "--json"], ["status"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert str(password) not in result.output
        assert mask_url(postgres_url) in result.output
    report = json.loads(CliRunner().invoke(cli, ["status", "--json"]).output)
    assert report["database"] == mask_url(postgres_url)
    assert str(password) not in repr(Settings())
