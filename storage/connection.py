"""What every database connection offers, whatever the dialect, and the migrations run on top of it."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol

from storage import schema

log = logging.getLogger(__name__)


class Row(Protocol):
    """A result row, read by column name or position (sqlite3.Row and the PostgreSQL rows alike)."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> list[str]: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...


class Database(ABC):
    """One connection; every SQL statement of the project goes through these few methods.

    SQL uses `?` placeholders and what SQLite and PostgreSQL both understand (`ON CONFLICT`,
    `RETURNING id`); a dialect's implementation adapts the rest in one place.
    """

    dialect: schema.Dialect
    label: str  # where the data is, safe to show (no password)

    @abstractmethod
    def close(self) -> None:
        """Close the connection."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """Run a block atomically; concurrent writers wait or fail with TransientError (retried)."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns the number of rows it changed."""

    @abstractmethod
    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """All rows of a query."""

    def row(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        found = self.rows(sql, params)
        return found[0] if found else None

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int | None:
        """Run one INSERT ending in `RETURNING id`; the new id, or None when nothing was inserted
        (ON CONFLICT DO NOTHING)."""
        if "RETURNING" not in sql.upper():
            # Without it SQLite would still insert and we would answer None, as if nothing was.
            raise ValueError(f"insert() needs an INSERT ... RETURNING id: {sql[:80]}")
        found = self.rows(sql, params)
        return int(found[0][0]) if found else None

    def migration_lock(self) -> AbstractContextManager[None]:
        """Held while migrating, so that processes starting together migrate one after the other."""
        return nullcontext()

    def migrate(self) -> int:
        """Apply every migration not yet applied, in order; returns the schema version (the highest).

        Each number is applied once, whatever was applied before it: a migration merged after a
        higher-numbered one still runs.
        """
        with self.migration_lock():
            self.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            for number, script in schema.migrations(self.dialect):
                # Read what is applied inside the transaction: another process may have migrated meanwhile.
                with self.transaction():
                    if self.row("SELECT version FROM schema_version WHERE version = ?", (number,)):
                        continue
                    log.info("applying migration %04d", number, extra={"database": self.label})
                    for statement in schema.statements(script):
                        self.execute(statement)
                    self.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
            current = self.row("SELECT MAX(version) AS v FROM schema_version")
        return int(current["v"] or 0) if current else 0


def now() -> float:
    """Wall-clock time as stored in every *_at column (seconds since the epoch)."""
    return time.time()
