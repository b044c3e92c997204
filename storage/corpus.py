"""The known corpus: statement texts, their statement groups, languages and origins."""

from __future__ import annotations

import datetime as dt
import json

from communique.identity import Card
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


def corpus_has(db: Database, doc_id: str, text_hash: str) -> bool:
    """Whether a text with this id or this text is known already."""
    return db.row("SELECT 1 FROM corpus WHERE id = ? OR text_hash = ?", (doc_id, text_hash)) is not None


def corpus_groups(db: Database) -> dict[str, str]:
    """The statement group of every known text, by text id."""
    return {row["id"]: row["statement_id"] for row in db.rows("SELECT id, statement_id FROM corpus")}


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


def corpus_stamp(db: Database) -> tuple[int, float, float]:
    """Changes whenever a text is added or a card set: (count, latest added_at, latest card update)."""
    row = db.row(
        "SELECT COUNT(*) AS n, COALESCE(MAX(added_at), 0) AS t, "
        "(SELECT COALESCE(MAX(updated_at), 0) FROM statement_cards) AS c FROM corpus"
    )
    return (int(row["n"]), float(row["t"]), float(row["c"])) if row else (0, 0.0, 0.0)


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


def statement_cards(db: Database) -> list[Card]:
    """Every statement card."""
    return [card_of(row) for row in db.rows("SELECT * FROM statement_cards ORDER BY statement_id")]


def statement_card(db: Database, statement_id: str) -> Card | None:
    """One statement's card, if it has one."""
    row = db.row("SELECT * FROM statement_cards WHERE statement_id = ?", (statement_id,))
    return card_of(row) if row else None


def save_statement_card(db: Database, card: Card, origin: str = "derived") -> bool:
    """Store a card; a derived card never replaces one a person set. True when stored."""
    values = (
        card.kind,
        card.adopted.isoformat() if card.adopted else None,
        json.dumps(list(card.parties)),
        card.place,
        json.dumps(card.titles, ensure_ascii=False),
        json.dumps(list(card.signatories), ensure_ascii=False),
        json.dumps({name: list(forms) for name, forms in card.names.items()}, ensure_ascii=False),
        origin,
        now(),
    )
    keep_set = "WHERE statement_cards.origin = 'derived' OR excluded.origin <> 'derived'"
    changed = db.execute(
        "INSERT INTO statement_cards (statement_id, kind, adopted, parties, place, titles, signatories, "
        "names, origin, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (statement_id) DO UPDATE SET "
        "kind = excluded.kind, adopted = excluded.adopted, parties = excluded.parties, "
        "place = excluded.place, titles = excluded.titles, signatories = excluded.signatories, "
        "names = excluded.names, "
        f"origin = excluded.origin, updated_at = excluded.updated_at {keep_set}",
        (card.statement_id, *values),
    )
    return changed == 1


def card_of(row: Row) -> Card:
    """The Card of a statement_cards row."""
    adopted = dt.date.fromisoformat(row["adopted"]) if row["adopted"] else None
    return Card(
        statement_id=row["statement_id"],
        adopted=adopted,
        parties=tuple(json.loads(row["parties"])),
        place=row["place"],
        titles=dict(json.loads(row["titles"])),
        signatories=tuple(json.loads(row["signatories"])),
        kind=row["kind"],
        names={name: tuple(forms) for name, forms in json.loads(row["names"]).items()},
    )
