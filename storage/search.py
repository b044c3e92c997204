"""Full-text search over stored versions: SQLite FTS5 or PostgreSQL text search, with filters."""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.browse import Page
from storage.database import Database

SNIPPET_CHARS = 240
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Filters:
    """What narrows a search: a source, a document language, a match relation, a first-seen range."""

    source_id: str | None = None
    language: str | None = None
    relation: str | None = None
    since: float | None = None
    until: float | None = None


def terms(query: str) -> list[str]:
    """The words of a query (punctuation and search operators are not ours to interpret)."""
    return _WORD.findall(query)


def search(
    db: Database, query: str, filters: Filters | None = None, offset: int = 0, limit: int = 20
) -> Page:
    """Versions whose text has every word of the query, best first, each with a snippet around a word."""
    words = terms(query)
    if not words:
        return Page([], offset, limit, False)
    clauses, params = _filter_clauses(filters or Filters())
    if db.dialect == "postgres":
        match = "to_tsvector('simple', v.text) @@ plainto_tsquery('simple', ?)"
        order = "ts_rank(to_tsvector('simple', v.text), plainto_tsquery('simple', ?)) DESC, v.id DESC"
        source, head, tail = "versions v", [" ".join(words)], [" ".join(words)]
    else:
        # Every word quoted: FTS5 reads the rest of its query syntax (AND, NEAR, ", *) literally then.
        match = "versions_search MATCH ?"
        order = "versions_search.rank, v.id DESC"
        source = "versions_search JOIN versions v ON v.id = versions_search.rowid"
        head, tail = [" ".join('"' + word.replace('"', '""') + '"' for word in words)], []
    rows = db.rows(
        "SELECT v.id AS version_id, v.seq, v.first_seen, v.text, d.id AS document_id, d.url, d.title, "
        f"d.source_id, d.language, m.relation, m.statement_id FROM {source} "
        "JOIN documents d ON d.id = v.document_id LEFT JOIN matches m ON m.version_id = v.id "
        f"WHERE {' AND '.join([match, *clauses])} ORDER BY {order} LIMIT ? OFFSET ?",
        (*head, *params, *tail, limit + 1, offset),
    )
    found = [dict(row) for row in rows[:limit]]
    for row in found:
        row["snippet"] = snippet(str(row.pop("text")), words)
    return Page(found, offset, limit, len(rows) > limit)


def _filter_clauses(filters: Filters) -> tuple[list[str], list[object]]:
    """SQL conditions and their parameters for the filters that are set."""
    clauses: list[str] = []
    params: list[object] = []
    for clause, value in (
        ("d.source_id = ?", filters.source_id),
        ("d.language = ?", filters.language),
        ("m.relation = ?", filters.relation),
        ("v.first_seen >= ?", filters.since),
        ("v.first_seen < ?", filters.until),
    ):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    return clauses, params


def snippet(text: str, words: list[str], width: int = SNIPPET_CHARS) -> str:
    """The part of a text around the first query word found in it (plain text, to be escaped)."""
    lowered = text.lower()
    hits = [i for i in (lowered.find(word.lower()) for word in words) if i >= 0]
    start = max(min(hits, default=0) - width // 3, 0)
    cut = " ".join(text[start : start + width].split())
    return ("…" if start else "") + cut + ("…" if start + width < len(text) else "")
