"""Importing known statement texts into the corpus the matcher compares against."""

from __future__ import annotations

import logging
from pathlib import Path

from communique.errors import ConfigError
from communique.language import detect_language
from communique.text import fingerprint, paragraphs
from storage.corpus import add_corpus_document, corpus_size
from storage.database import Database
from workers.extraction import text_hash

log = logging.getLogger(__name__)


def import_texts(
    db: Database, paths: list[Path], statement: str | None = None, language: str | None = None
) -> int:
    """Add text files to the corpus (id = file stem); returns how many were new."""
    added = 0
    for path in paths:
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read as UTF-8 text: {exc}") from exc
        kept = paragraphs(raw)
        if not kept:
            raise ConfigError(f"{path}: no text paragraphs")
        text = "\n".join(kept)
        if add_corpus_document(
            db,
            path.stem,
            statement_id=statement or path.stem,
            text=text,
            text_hash=text_hash(text),
            fingerprints=[fingerprint(p) for p in kept],
            language=language or detect_language(text),
            title=kept[0][:200],
        ):
            added += 1
            log.info("corpus: added %s (%d paragraphs)", path.name, len(kept))
    return added


def import_on_first_run(db: Database, corpus_dir: Path) -> int:
    """Import the shipped corpus folder when the corpus is empty."""
    if corpus_size(db) > 0 or not corpus_dir.is_dir():
        return 0
    return import_texts(db, sorted(corpus_dir.glob("*.txt")))
