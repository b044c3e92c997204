"""The known corpus in memory: paragraphs, their fingerprints and the lexical index, per worker process.

Built from storage once, and again only when storage's corpus stamp changes (a text added or
regrouped), so a job pays for a cheap stamp query, not for rebuilding the index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from communique.anchors import anchors_of_normalised, distinctive
from communique.identity import Card
from communique.sentences import split_sentences
from communique.text import key_fingerprint, key_of_normalised
from storage.corpus import corpus_stamp, corpus_texts, corpus_vectors, save_corpus_vectors, statement_cards
from storage.database import Database, Row
from workers.embedding import Embedder, get_embedder
from workers.lexical import LexicalIndex


@dataclass(frozen=True)
class KnownText:
    """One text of the corpus, split into its normalised paragraphs."""

    id: str
    statement_id: str
    language: str | None
    paragraphs: tuple[str, ...]
    keys: tuple[str, ...] = ()  # match keys of the paragraphs, computed once by `known_text`
    fingerprints: tuple[str, ...] = ()


def known_text(text_id: str, statement_id: str, language: str | None, paragraphs: Sequence[str]) -> KnownText:
    """A known text with its paragraphs' match keys and fingerprints computed."""
    keys = tuple(key_of_normalised(p) for p in paragraphs)
    return KnownText(
        text_id, statement_id, language, tuple(paragraphs), keys, tuple(key_fingerprint(k) for k in keys)
    )


@dataclass
class CorpusIndex:
    """Lookups from paragraphs to the known texts that hold them."""

    texts: dict[str, KnownText] = field(default_factory=dict)
    by_fingerprint: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    lexical: LexicalIndex = field(default_factory=LexicalIndex)
    keys: list[tuple[str, int]] = field(default_factory=list)  # lexical key → (text id, position)
    anchors: dict[str, frozenset[str]] = field(default_factory=dict)  # text id → distinctive anchors
    cards: dict[str, Card] = field(default_factory=dict)  # statement id → what identifies it
    _sentences: dict[str, tuple[list[str], list[int]]] = field(default_factory=dict)

    def add(self, text: KnownText) -> None:
        """Index one known text (it must not be in the index yet)."""
        self.texts[text.id] = text
        self.anchors[text.id] = distinctive(anchors_of_normalised("\n".join(text.paragraphs)))
        for position, (key, fingerprint) in enumerate(zip(text.keys, text.fingerprints, strict=True)):
            self.by_fingerprint[fingerprint].append((text.id, position))
            self.lexical.add_keyed([(len(self.keys), key)])
            self.keys.append((text.id, position))

    @property
    def statements(self) -> set[str]:
        """The statement groups of the known texts."""
        return {text.statement_id for text in self.texts.values()}

    def sentences(self, text_id: str) -> tuple[list[str], list[int]]:
        """A known text's sentences and the paragraph of each, split once (for cross-lingual alignment)."""
        if text_id not in self._sentences:
            self._sentences[text_id] = paragraph_sentences(self.texts[text_id].paragraphs)
        return self._sentences[text_id]


def paragraph_sentences(paragraphs: Sequence[str]) -> tuple[list[str], list[int]]:
    """All sentences of the paragraphs, and for each the paragraph it came from."""
    sentences: list[str] = []
    owner: list[int] = []
    for i, paragraph in enumerate(paragraphs):
        for sentence in split_sentences(paragraph):
            sentences.append(sentence)
            owner.append(i)
    return sentences, owner


def load(db: Database) -> CorpusIndex:
    """Build the index from every known text in storage."""
    index = CorpusIndex()
    for row in corpus_texts(db):
        index.add(_known_row(row))
    index.cards = cards_of(db)
    return index


def cards_of(db: Database) -> dict[str, Card]:
    """The statement cards in storage, by statement id."""
    return {card.statement_id: card for card in statement_cards(db)}


def _known_row(row: Row) -> KnownText:
    """A known text from its stored row."""
    return known_text(row["id"], row["statement_id"], row["language"], str(row["text"]).split("\n"))


class CorpusCache:
    """One index per process, kept in step with the corpus in storage.

    Texts are only ever added (imported, or learned by the match job); the texts added since the last
    call are indexed incrementally, and a full load happens only at start or when storage no longer
    adds up (a text removed by hand).

    The known texts' sentence vectors are shared through storage: read when the index is built,
    and those this process had to compute are written back on the next call, so that the model
    embeds each known sentence once for all workers and restarts.
    """

    def __init__(self) -> None:
        self._stamp: tuple[int, float, float] | None = None
        self._index = CorpusIndex()
        self._stored: set[str] = set()
        self._computed = 0

    def get(self, db: Database) -> CorpusIndex:
        """The current index for this database."""
        embedder = get_embedder()
        if embedder.computed != self._computed:
            self._save_vectors(db, embedder)
        stamp = corpus_stamp(db)
        if stamp == self._stamp:
            return self._index
        if self._stamp is not None and self._add_since(db, self._stamp[1], stamp[0]):
            self._stamp = stamp
            self._index.cards = cards_of(db)
            return self._index
        self._index = load(db)
        self._stamp = stamp
        stored = corpus_vectors(db)
        embedder.preload(stored)
        self._stored = set(stored)
        return self._index

    def _add_since(self, db: Database, since: float, count: int) -> bool:
        """Index the texts added since `since`; False when the index would not match storage then."""
        rows = [row for row in corpus_texts(db, since) if row["id"] not in self._index.texts]
        if len(self._index.texts) + len(rows) != count:
            return False
        for row in rows:
            self._index.add(_known_row(row))
        return True

    def _save_vectors(self, db: Database, embedder: Embedder) -> None:
        """Store the known sentences' vectors computed since the last call."""
        self._computed = embedder.computed
        sentences = [s for text_id in self._index.texts for s in self._index.sentences(text_id)[0]]
        fresh = {k: v for k, v in embedder.cached(sentences).items() if k not in self._stored}
        if fresh:
            save_corpus_vectors(db, fresh)
            self._stored.update(fresh)
