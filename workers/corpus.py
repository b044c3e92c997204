"""The known corpus: importing statement texts (linking each to its statement group) and learning new ones."""

from __future__ import annotations

import logging
from pathlib import Path

from communique.errors import ConfigError
from communique.language import detect_language
from communique.model import Relation
from communique.statements import Genre
from communique.text import paragraphs
from storage.corpus import add_corpus_document, corpus_size
from storage.database import Database, Row
from workers.corpus_index import CorpusIndex, known_text, load
from workers.engine import MatchResult, relate
from workers.extraction import text_hash

log = logging.getLogger(__name__)

# A text related to a known one like this belongs to the same statement.
LINKING = {Relation.REPRINT, Relation.EXCERPT, Relation.TRANSLATION, Relation.CHANGED}


def import_texts(
    db: Database, paths: list[Path], statement: str | None = None, language: str | None = None
) -> list[tuple[str, str]]:
    """Add text files to the corpus (id = file stem), each linked to the statement it belongs to.

    Without `statement`, the engine decides: a reprint, excerpt, translation or edit of a known text
    joins that text's statement group; anything else starts a group of its own. Returns the
    (id, statement) of every text added.
    """
    index = load(db)
    added: list[tuple[str, str]] = []
    for path in paths:
        kept = _read(path)
        text = "\n".join(kept)
        group = statement or _statement_of(index, kept, path.stem)
        lang = language or detect_language(text)
        if add_corpus_document(
            db,
            path.stem,
            statement_id=group,
            text=text,
            text_hash=text_hash(text),
            language=lang,
            title=kept[0][:200],
        ):
            index.add(known_text(path.stem, group, lang, kept))
            added.append((path.stem, group))
            log.info("corpus: added %s to statement %s (%d paragraphs)", path.name, group, len(kept))
    return added


def import_on_first_run(db: Database, corpus_dir: Path) -> int:
    """Import the shipped corpus folder when the corpus is empty."""
    if corpus_size(db) > 0 or not corpus_dir.is_dir():
        return 0
    return len(import_texts(db, sorted(corpus_dir.glob("*.txt"))))


def learn(db: Database, version: Row, result: MatchResult) -> bool:
    """Add a version to the corpus when it is a new statement, or a changed text of a known one.

    Later reprints of it are then reprints: twenty outlets copying an edited statement give one
    "changed" alert, not twenty.
    """
    new_statement = result.relation is Relation.NEW and result.genre is Genre.JOINT_STATEMENT
    changed_known = result.relation is Relation.CHANGED and result.statement_id is not None
    if not (new_statement or changed_known):
        return False
    return add_corpus_document(
        db,
        f"doc{version['document_id']}v{version['seq']}",
        statement_id=result.statement_id or f"doc{version['document_id']}",
        text=version["text"],
        text_hash=version["text_hash"],
        language=result.language,
        title=version["title"],
        origin="learned",
    )


def _read(path: Path) -> list[str]:
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read as UTF-8 text: {exc}") from exc
    kept = paragraphs(raw)
    if not kept:
        raise ConfigError(f"{path}: no text paragraphs")
    return kept


def _statement_of(index: CorpusIndex, kept: list[str], own_id: str) -> str:
    result = relate(index, kept, exclude=frozenset({own_id}))
    if result.relation in LINKING and result.statement_id:
        return result.statement_id
    return own_id
