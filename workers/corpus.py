"""The known corpus: importing statement texts (linking each to its statement group) and learning new ones."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from pathlib import Path

from communique.card_file import CardFields, load_cards
from communique.errors import ConfigError
from communique.identity import Card, derive_card
from communique.language import detect_language
from communique.model import Relation
from communique.statements import Genre
from communique.text import paragraphs
from storage.corpus import (
    add_corpus_document,
    corpus_groups,
    corpus_has,
    save_corpus_vectors,
    save_statement_card,
    statement_card,
)
from storage.database import Database, Row
from workers.corpus_index import CorpusIndex, known_text, load
from workers.embedding import loaded_embedder
from workers.engine import MatchResult, relate
from workers.extraction import text_hash

log = logging.getLogger(__name__)

CARDS_FILE = "cards.yaml"  # in the corpus folder: the cards of the shipped statements

# A text related to a known one like this belongs to the same statement.
LINKING = {Relation.REPRINT, Relation.EXCERPT, Relation.TRANSLATION, Relation.CHANGED}


def import_texts(
    db: Database,
    paths: list[Path],
    *,
    statement: str | None = None,
    language: str | None = None,
    groups: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """Add text files to the corpus (id = file stem), each linked to the statement it belongs to.

    Without `statement`, a text takes its group from `groups` (text id → statement group, as
    corpus/cards.yaml declares them), else the engine decides: a reprint, excerpt, translation or
    edit of a known text joins that text's statement group; anything else starts a group of its own.
    Texts already stored
    (same id or same text) are skipped before any matching, so an import stopped halfway resumes
    where it stopped. Each new group gets a card derived from its text.
    Returns the (id, statement) of every text added.
    """
    texts = {path: _read(path) for path in paths}
    pending = [p for p in paths if not corpus_has(db, p.stem, text_hash("\n".join(texts[p])))]
    if not pending:
        return []  # every start checks the corpus folder: that must cost no index build
    index = load(db)
    added: list[tuple[str, str]] = []
    for path in pending:
        number, kept = paths.index(path) + 1, texts[path]
        text = "\n".join(kept)
        started = time.process_time()
        group = statement or (groups or {}).get(path.stem) or _statement_of(index, kept, path.stem)
        lang = language or detect_language(text)
        if add_corpus_document(
            db, path.stem, statement_id=group, text=text, text_hash=text_hash(text), language=lang,
            title=kept[0][:200],
        ):  # fmt: skip
            known = known_text(path.stem, group, lang, kept)
            index.add(known)
            if statement_card(db, group) is None:
                save_statement_card(db, derive_card(group, known.paragraphs, known.keys, known.language))
            added.append((path.stem, group))
            log.info(
                "corpus: %d/%d %s added to statement %s (%d paragraphs, %.1f s CPU)",
                number, len(paths), path.name, group, len(kept), time.process_time() - started,
            )  # fmt: skip
    _store_vectors(db, index)
    return added


def _store_vectors(db: Database, index: CorpusIndex) -> None:
    """Keep the known sentences' vectors that linking the texts computed, for every later match."""
    embedder = loaded_embedder()
    if embedder is not None:
        sentences = [s for text_id in index.texts for s in index.sentences(text_id)[0]]
        save_corpus_vectors(db, embedder.cached(sentences))


def import_corpus_folder(db: Database, corpus_dir: Path) -> int:
    """Import the texts of the corpus folder that storage does not hold yet, then apply its cards.yaml.

    Run on every start: a first import stopped halfway (Ctrl-C) is finished on the next one, and a
    text dropped into the folder is picked up.
    """
    if not corpus_dir.is_dir():
        return 0
    cards = load_cards(corpus_dir / CARDS_FILE)
    declared = {text_id: key for key, fields in cards.items() for text_id in (key, *fields.texts)}
    added = import_texts(db, sorted(corpus_dir.glob("*.txt")), groups=declared)
    groups = corpus_groups(db)
    for text_id, fields in cards.items():
        if text_id in groups:
            set_card(db, groups[text_id], fields)
    return len(added)


def set_card(db: Database, group: str, fields: CardFields) -> Card:
    """Set what a person states of a statement over its card; stored only when that changes it (every
    start applies corpus/cards.yaml, and a write would make every worker reload its cards)."""
    stored = statement_card(db, group)
    card = fields.card(group, stored)
    if card != stored:
        save_statement_card(db, card, origin="set")
    return card


def learn(db: Database, version: Row, result: MatchResult) -> bool:
    """Add a version to the corpus when it is a new statement, or a changed text of a known one.

    Later reprints of it are then reprints: twenty outlets copying an edited statement give one
    "changed" alert, not twenty.
    """
    new_statement = result.relation is Relation.NEW and result.genre is Genre.JOINT_STATEMENT
    changed_known = result.relation is Relation.CHANGED and result.statement_id is not None
    if not (new_statement or changed_known):
        return False
    group = result.statement_id or f"doc{version['document_id']}"
    added = add_corpus_document(
        db,
        f"doc{version['document_id']}v{version['seq']}",
        statement_id=group,
        text=version["text"],
        text_hash=version["text_hash"],
        language=result.language,
        title=version["title"],
        origin="learned",
    )
    if added and new_statement and statement_card(db, group) is None:
        # A statement first seen now is identified by the day it appeared, its parties and title.
        seen = dt.datetime.fromtimestamp(float(version["first_seen"]), dt.UTC).date()
        title = {result.language: str(version["title"])} if result.language and version["title"] else {}
        save_statement_card(db, Card(group, seen, tuple(result.parties), titles=title))
    return added


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
