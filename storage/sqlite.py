"""SQLite in WAL mode: the embedded default, one file shared by the processes of one host."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from communique.errors import TransientError
from storage.connection import Database, Row

BUSY_TIMEOUT_S = 30.0


class SQLiteDatabase(Database):
    """One SQLite connection in autocommit mode; transactions are explicit and IMMEDIATE."""

    dialect = "sqlite"

    def __init__(self, path: Path, busy_timeout: float = BUSY_TIMEOUT_S) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.label = f"sqlite:///{path}"
        self._conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
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
            with _busy_is_transient():
                self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns the number of rows it changed."""
        with _busy_is_transient():
            return self._conn.execute(sql, params).rowcount

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """All rows of a query (read to the end, so that a RETURNING statement completes)."""
        with _busy_is_transient():
            return self._conn.execute(sql, params).fetchall()


@contextmanager
def _busy_is_transient() -> Iterator[None]:
    """A database locked past the busy timeout is a transient error: the job is retried."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise TransientError(f"database busy: {exc}") from exc
        raise
