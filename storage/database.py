"""The database connection and its schema migrations (SQLite in WAL mode by default)."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from communique.errors import ConfigError, TransientError
from communique.settings import Settings

log = logging.getLogger(__name__)

Row = sqlite3.Row
BUSY_TIMEOUT_S = 30.0


class Database:
    """One connection; every SQL statement of the project goes through these few methods."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run a block atomically; IMMEDIATE so concurrent writers queue instead of deadlocking."""
        with _busy_is_transient():
            self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns the number of rows it changed."""
        with _busy_is_transient():
            return self._conn.execute(sql, params).rowcount

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int | None:
        """Run one INSERT; returns the new row id, or None when nothing was inserted (OR IGNORE)."""
        with _busy_is_transient():
            cursor = self._conn.execute(sql, params)
        return cursor.lastrowid if cursor.rowcount else None

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """All rows of a query."""
        with _busy_is_transient():
            return self._conn.execute(sql, params).fetchall()

    def row(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        with _busy_is_transient():
            found: Row | None = self._conn.execute(sql, params).fetchone()
        return found

    def migrate(self) -> int:
        """Apply every migration not yet applied, in order; returns the schema version."""
        self._conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        version = 0
        for number, script in _migrations():
            # Read the version inside the write lock: another process may have migrated meanwhile.
            with self.transaction():
                current = self.row("SELECT MAX(version) AS v FROM schema_version")
                version = int(current["v"] or 0) if current else 0
                if number <= version:
                    continue
                log.info("applying migration %04d", number)
                for statement in _statements(script):
                    self._conn.execute(statement)
                self._conn.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
            version = number
        return version


def open_database(settings: Settings) -> Database:
    """Open (and migrate) the database the settings name."""
    if settings.database_url and not settings.database_url.startswith("sqlite:///"):
        raise ConfigError(
            f"COMMUNIQUE_DATABASE_URL: unsupported scheme in {settings.database_url.split(':', 1)[0]!r}; "
            "only sqlite:///PATH is supported so far"
        )
    path = Path(settings.database_url[len("sqlite:///") :]) if settings.database_url else None
    db = Database(path or settings.database_path)
    db.migrate()
    return db


def now() -> float:
    """Wall-clock time as stored in every *_at column (seconds since the epoch)."""
    return time.time()


@contextmanager
def _busy_is_transient() -> Iterator[None]:
    """A database locked past the busy timeout is a transient error: the job is retried."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise TransientError(f"database busy: {exc}") from exc
        raise


def _migrations() -> list[tuple[int, str]]:
    """The numbered SQL scripts shipped in storage/migrations, in order."""
    folder = resources.files("storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        # NNNN_name.postgres.sql is the PostgreSQL form of NNNN_name.sql.
        if entry.name.endswith(".sql") and not entry.name.endswith(".postgres.sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (our scripts hold no ';' inside literals)."""
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
