"""PostgreSQL (psycopg 3): one database shared by crawler and workers on any number of hosts."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import RowMaker

from communique.errors import CommuniqueError, ConfigError, TransientError
from communique.redact import mask_url, redact, url_secrets
from storage.connection import Database, Row

LOCK_TIMEOUT_MS = 30_000  # like SQLite's busy timeout: waiting longer for a lock is a transient error
CONNECT_TIMEOUT_S = 10
MIGRATION_LOCK = 0x636F6D6D  # pg_advisory_lock key held while migrating ("comm")
# SQLSTATE classes and codes worth a retry: connection exception, transaction rollback (serialization
# failure, deadlock), operator intervention (server shutting down); lock timeout, too many connections.
TRANSIENT_CLASSES = frozenset({"08", "40", "57"})
TRANSIENT_STATES = frozenset({"55P03", "53300"})
# Of those, the ones that mean another transaction is in the way (as SQLite's "database is locked").
BUSY_CLASSES = frozenset({"40"})
BUSY_STATES = frozenset({"55P03"})
# Connection failures carry no SQLSTATE: these messages mean the URL is wrong, not the server down.
REFUSED = re.compile(r"authentication failed|does not exist|pg_hba\.conf|no password supplied")


class PostgresRow:
    """A row readable by column name or position, like sqlite3.Row."""

    __slots__ = ("_index", "_names", "_values")

    def __init__(self, names: list[str], index: dict[str, int], values: Sequence[Any]) -> None:
        self._names = names
        self._index = index
        self._values = tuple(values)

    def __getitem__(self, key: int | str, /) -> Any:
        return self._values[self._index[key] if isinstance(key, str) else key]

    def keys(self) -> list[str]:
        """The column names, in order."""
        return list(self._names)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"PostgresRow({dict(zip(self._names, self._values, strict=True))!r})"


class PostgresDatabase(Database):
    """One connection in autocommit mode; explicit transactions are SERIALIZABLE, so that a block
    that reads then writes behaves as under SQLite's single writer, or fails with TransientError."""

    dialect = "postgres"

    def __init__(self, url: str, lock_timeout: float = LOCK_TIMEOUT_MS / 1000) -> None:
        self._url = url
        self._lock_timeout_ms = int(lock_timeout * 1000)
        self.label = mask_url(url)
        self._secrets = sorted(url_secrets(url), key=len, reverse=True)
        self._conn = self._connect()

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run a block atomically (SERIALIZABLE; a conflict with another process is transient)."""
        conn = self._connection()
        with self._errors(), conn.transaction():
            yield

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns the number of rows it changed."""
        with self._errors():
            return self._connection().execute(*_query(sql, params)).rowcount

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """All rows of a query."""
        with self._errors():
            return list(self._connection().execute(*_query(sql, params)).fetchall())

    @contextmanager
    def migration_lock(self) -> Iterator[None]:
        """A session advisory lock, taken before any transaction reads the schema version."""
        conn = self._connection()
        with self._errors():
            conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        try:
            yield
        finally:
            if not conn.closed:  # a lost connection has released it already
                with self._errors():
                    conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))

    def _connect(self) -> psycopg.Connection[PostgresRow]:
        timeout = None if "connect_timeout" in self._url else CONNECT_TIMEOUT_S  # None: the URL's own
        try:
            conn = psycopg.connect(
                self._url, autocommit=True, row_factory=_row_factory, connect_timeout=timeout
            )
        except psycopg.Error as exc:
            # The (scrubbed) message says it all; the original could show the password.
            raise self._connect_error(exc) from None
        with self._errors():
            conn.isolation_level = psycopg.IsolationLevel.SERIALIZABLE  # used by conn.transaction()
            conn.execute(f"SET lock_timeout = {self._lock_timeout_ms}")
        return conn

    def _connection(self) -> psycopg.Connection[PostgresRow]:
        """The connection, opened again when the last one was lost (the error was transient)."""
        if self._conn.broken:
            self._conn = self._connect()
        return self._conn

    def _connect_error(self, exc: psycopg.Error) -> CommuniqueError:
        """A server that is down, starting or unreachable is transient; a wrong URL, password,
        role or database is a configuration error."""
        message = f"COMMUNIQUE_DATABASE_URL: cannot connect to {self.label}: "
        message += redact(str(exc), self._secrets).strip()
        if isinstance(exc, psycopg.OperationalError) and not REFUSED.search(str(exc)):
            return TransientError(message)
        return ConfigError(message)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Transient server conditions become TransientError (the job is retried); the password
        never appears in a message."""
        try:
            yield
        except psycopg.Error as exc:
            message = redact(str(exc), self._secrets)
            clean = message == str(exc)
            if _is_transient(exc):
                state = exc.sqlstate or ""
                busy = state[:2] in BUSY_CLASSES or state in BUSY_STATES
                what = "database busy" if busy else "database unavailable"
                raise TransientError(f"{what} ({self.label}): {message}") from (exc if clean else None)
            if not clean:
                raise type(exc)(message) from None
            raise


def _is_transient(exc: psycopg.Error) -> bool:
    """Worth retrying: a lost connection (no SQLSTATE), a serialization failure, a lock timeout…"""
    state = exc.sqlstate
    if state is None:
        return isinstance(exc, psycopg.OperationalError)
    return state[:2] in TRANSIENT_CLASSES or state in TRANSIENT_STATES


def _row_factory(cursor: psycopg.Cursor[Any]) -> RowMaker[PostgresRow]:
    """Rows that know their column names (the first of two equal names wins, as in sqlite3.Row)."""
    names = [column.name for column in cursor.description or ()]
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        index.setdefault(name, position)
    return functools.partial(PostgresRow, names, index)


def _query(sql: str, params: Sequence[Any]) -> tuple[str, Sequence[Any] | None]:
    """The statement as psycopg takes it: placeholders translated only when there are parameters."""
    return (_placeholders(sql), params) if params else (sql, None)


@functools.lru_cache(maxsize=1024)
def _placeholders(sql: str) -> str:
    """`?` → `%s` outside string literals, and a literal `%` → `%%` (psycopg reads `%` as a marker)."""
    out = []
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted
        if char == "%":
            out.append("%%")
        elif char == "?" and not quoted:
            out.append("%s")
        else:
            out.append(char)
    return "".join(out)
