"""The known corpus: statement texts and the fingerprints of their paragraphs."""

from __future__ import annotations

from collections import Counter

from storage.database import Database, Row, now


def add_corpus_document(
    db: Database,
    doc_id: str,
    *,
    statement_id: str,
    text: str,
    text_hash: str,
    fingerprints: list[str],
    language: str | None = None,
    title: str | None = None,
    origin: str = "file",
) -> bool:
    """Add one known text and its paragraph fingerprints; False if that text is already known."""
    with db.transaction():
        inserted = db.insert(
            "INSERT OR IGNORE INTO corpus "
            "(id, statement_id, language, title, text, text_hash, added_at, origin) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (doc_id, statement_id, language, title, text, text_hash, now(), origin),
        )
        if inserted is None:
            return False
        for position, fingerprint in enumerate(fingerprints):
            db.execute(
                "INSERT INTO corpus_paragraphs (corpus_id, position, fingerprint) VALUES (?, ?, ?)",
                (doc_id, position, fingerprint),
            )
    return True


def corpus_size(db: Database) -> int:
    """How many known texts there are."""
    row = db.row("SELECT COUNT(*) AS n FROM corpus")
    return int(row["n"]) if row else 0


def corpus_hits(db: Database, fingerprints: list[str]) -> Counter[str]:
    """For each corpus text, how many distinct of these paragraph fingerprints it contains."""
    hits: Counter[str] = Counter()
    unique = sorted(set(fingerprints))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in db.rows(
            f"SELECT corpus_id, COUNT(DISTINCT fingerprint) AS n FROM corpus_paragraphs "
            f"WHERE fingerprint IN ({marks}) GROUP BY corpus_id",
            chunk,
        ):
            hits[row["corpus_id"]] += int(row["n"])
    return hits


def corpus_document(db: Database, doc_id: str) -> Row | None:
    """A known text with its paragraph count."""
    return db.row(
        "SELECT c.*, (SELECT COUNT(DISTINCT fingerprint) FROM corpus_paragraphs p WHERE p.corpus_id = c.id) "
        "AS paragraphs FROM corpus c WHERE c.id = ?",
        (doc_id,),
    )


def corpus_texts(db: Database) -> list[Row]:
    """Every known text, oldest first."""
    return db.rows("SELECT id, statement_id, language, title, text, origin FROM corpus ORDER BY added_at, id")


def corpus_stamp(db: Database) -> tuple[int, float]:
    """Changes whenever a text is added or regrouped: (count, latest added_at or regroup time)."""
    row = db.row("SELECT COUNT(*) AS n, COALESCE(MAX(added_at), 0) AS t FROM corpus")
    return (int(row["n"]), float(row["t"])) if row else (0, 0.0)


def set_statement(db: Database, doc_id: str, statement_id: str) -> None:
    """Put a known text into a statement group (touching added_at so workers reload their index)."""
    db.execute("UPDATE corpus SET statement_id = ?, added_at = ? WHERE id = ?", (statement_id, now(), doc_id))
