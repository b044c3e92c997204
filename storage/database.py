"""The database the settings name, opened and migrated: SQLite (the default) or PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from communique.errors import ConfigError
from communique.settings import Settings
from storage.connection import Database, Row, now
from storage.sqlite import SQLiteDatabase

__all__ = ["Database", "Row", "SQLiteDatabase", "connect", "now", "open_database"]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_database(settings: Settings) -> Database:
    """Open (and migrate) the database the settings name."""
    db = connect(settings)
    try:
        db.migrate()
    except BaseException:
        db.close()
        raise
    return db


def connect(settings: Settings) -> Database:
    """A connection to the database the settings name, not migrated."""
    url, timeout = settings.database_url, settings.db_busy_timeout
    if not url:
        return SQLiteDatabase(settings.database_path, timeout)
    if url.startswith("sqlite:///"):
        return SQLiteDatabase(Path(url[len("sqlite:///") :]), timeout)
    if url.startswith(POSTGRES_SCHEMES):
        # psycopg is imported only when PostgreSQL is used: `communique --help` and SQLite start faster.
        from storage.postgres import PostgresDatabase  # noqa: PLC0415

        return PostgresDatabase(url, timeout)
    raise ConfigError(
        f"COMMUNIQUE_DATABASE_URL: unsupported scheme {url.split(':', 1)[0]!r}; "
        "use sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DB"
    )
