"""The known corpus: statement texts, their statement groups, languages and origins."""

from __future__ import annotations

from storage.database import Database, Row, now


def add_corpus_document(
    db: Database,
    doc_id: str,
    *,
    statement_id: str,
    text: str,
    text_hash: str,
    language: str | None = None,
    title: str | None = None,
    origin: str = "file",
) -> bool:
    """Add one known text; False if that text (by id or text hash) is already known."""
    added = db.execute(
        "INSERT INTO corpus (id, statement_id, language, title, text, text_hash, added_at, origin) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (doc_id, statement_id, language, title, text, text_hash, now(), origin),
    )
    return added == 1


def corpus_size(db: Database) -> int:
    """How many known texts there are."""
    row = db.row("SELECT COUNT(*) AS n FROM corpus")
    return int(row["n"]) if row else 0


def corpus_document(db: Database, doc_id: str) -> Row | None:
    """A known text by id."""
    return db.row("SELECT * FROM corpus WHERE id = ?", (doc_id,))


def corpus_texts(db: Database) -> list[Row]:
    """Every known text, oldest first."""
    return db.rows("SELECT id, statement_id, language, title, text, origin FROM corpus ORDER BY added_at, id")


def corpus_stamp(db: Database) -> tuple[int, float]:
    """Changes whenever a text is added: (count, latest added_at)."""
    row = db.row("SELECT COUNT(*) AS n, COALESCE(MAX(added_at), 0) AS t FROM corpus")
    return (int(row["n"]), float(row["t"])) if row else (0, 0.0)
