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


def corpus_texts(db: Database, since: float | None = None) -> list[Row]:
    """Every known text, oldest first; with `since`, those added at or after that time."""
    columns = "id, statement_id, language, title, text, origin, added_at"
    if since is None:
        return db.rows(f"SELECT {columns} FROM corpus ORDER BY added_at, id")
    return db.rows(f"SELECT {columns} FROM corpus WHERE added_at >= ? ORDER BY added_at, id", (since,))


def corpus_stamp(db: Database) -> tuple[int, float]:
    """Changes whenever a text is added: (count, latest added_at)."""
    row = db.row("SELECT COUNT(*) AS n, COALESCE(MAX(added_at), 0) AS t FROM corpus")
    return (int(row["n"]), float(row["t"])) if row else (0, 0.0)


def corpus_vectors(db: Database) -> dict[str, bytes]:
    """Every stored sentence vector of the known texts, by sentence key."""
    return {row["sentence_key"]: bytes(row["vector"]) for row in db.rows("SELECT * FROM corpus_vectors")}


def save_corpus_vectors(db: Database, vectors: dict[str, bytes]) -> None:
    """Store sentence vectors of the known texts (a key stored already keeps its vector)."""
    with db.transaction():
        for key, vector in vectors.items():
            db.execute(
                "INSERT INTO corpus_vectors (sentence_key, vector) VALUES (?, ?) "
                "ON CONFLICT (sentence_key) DO NOTHING",
                (key, vector),
            )
