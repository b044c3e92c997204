"""Documents (one per canonical URL) and the versions of their extracted text."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Database, Row, now


@dataclass(frozen=True)
class DocumentMeta:
    """What extraction learned about a page besides its text."""

    url: str
    source_id: str
    title: str | None = None
    published: str | None = None
    updated: str | None = None


def upsert_document(db: Database, meta: DocumentMeta) -> int:
    """Insert or refresh a document by canonical URL; returns its id."""
    db.execute(
        "INSERT INTO documents (url, source_id, title, published, updated, first_seen, last_seen) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
        "title = COALESCE(excluded.title, documents.title), "
        "published = COALESCE(documents.published, excluded.published), "
        "updated = COALESCE(excluded.updated, documents.updated), last_seen = excluded.last_seen",
        (meta.url, meta.source_id, meta.title, meta.published, meta.updated, now(), now()),
    )
    row = db.row("SELECT id FROM documents WHERE url = ?", (meta.url,))
    assert row is not None
    return int(row["id"])


def set_language(db: Database, document_id: int, language: str | None) -> None:
    """Record the main language of a document's newest matched text (the engine identifies it)."""
    if language is not None:
        db.execute("UPDATE documents SET language = ? WHERE id = ?", (language, document_id))


def document(db: Database, document_id: int) -> Row | None:
    """A document by id."""
    return db.row("SELECT * FROM documents WHERE id = ?", (document_id,))


def latest_version(db: Database, document_id: int) -> Row | None:
    """The newest version of a document's text."""
    return db.row("SELECT * FROM versions WHERE document_id = ? ORDER BY seq DESC LIMIT 1", (document_id,))


def latest_versions_of_url(db: Database, url: str, limit: int) -> list[Row]:
    """The newest versions of the document at a canonical URL, newest first (none for a new URL)."""
    return db.rows(
        "SELECT v.* FROM versions v JOIN documents d ON d.id = v.document_id WHERE d.url = ? "
        "ORDER BY v.seq DESC LIMIT ?",
        (url, limit),
    )


def add_version_if_changed(
    db: Database, document_id: int, text: str, text_hash: str, fetch_id: int
) -> int | None:
    """Record a new version unless the newest one has the same text; returns the new id or None."""
    with db.transaction():
        latest = latest_version(db, document_id)
        if latest is not None and latest["text_hash"] == text_hash:
            return None
        seq = 1 if latest is None else int(latest["seq"]) + 1
        version_id = db.insert(
            "INSERT INTO versions (document_id, seq, text_hash, text, fetch_id, first_seen) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (document_id, seq, text_hash, text, fetch_id, now()),
        )
        if db.dialect == "sqlite":  # FTS5 (migration 0020); PostgreSQL indexes the column itself
            db.execute("INSERT INTO versions_search (rowid, text) VALUES (?, ?)", (version_id, text))
        return version_id


def version(db: Database, version_id: int) -> Row | None:
    """A version, with its document's URL, title and source."""
    return db.row(
        "SELECT v.*, d.url, d.title, d.source_id, d.language, d.published FROM versions v "
        "JOIN documents d ON d.id = v.document_id WHERE v.id = ?",
        (version_id,),
    )


def previous_version(db: Database, document_id: int, seq: int) -> Row | None:
    """The version just before `seq` of a document."""
    return db.row(
        "SELECT * FROM versions WHERE document_id = ? AND seq < ? ORDER BY seq DESC LIMIT 1",
        (document_id, seq),
    )


def versions_since(db: Database, since: float) -> list[Row]:
    """Versions first seen at or after `since`, oldest first, as `version` gives them plus `match_result`."""
    # match_result: the stored result's JSON, or None for a version not matched yet.
    return db.rows(
        "SELECT v.*, d.url, d.title, d.source_id, d.language, d.published, m.result AS match_result "
        "FROM versions v "
        "JOIN documents d ON d.id = v.document_id LEFT JOIN matches m ON m.version_id = v.id "
        "WHERE v.first_seen >= ? ORDER BY v.first_seen, v.id",
        (since,),
    )
