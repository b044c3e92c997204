"""The known corpus in memory: paragraphs, their fingerprints and the lexical index, per worker process.

Built from storage once, and again only when storage's corpus stamp changes (a text added or
regrouped), so a job pays for a cheap stamp query, not for rebuilding the index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from communique.anchors import anchors
from communique.sentences import split_sentences
from communique.text import fingerprint
from storage.corpus import corpus_stamp, corpus_texts
from storage.database import Database
from workers.lexical import LexicalIndex


@dataclass(frozen=True)
class KnownText:
    """One text of the corpus, split into its normalised paragraphs."""

    id: str
    statement_id: str
    language: str | None
    paragraphs: tuple[str, ...]


@dataclass
class CorpusIndex:
    """Lookups from paragraphs to the known texts that hold them."""

    texts: dict[str, KnownText] = field(default_factory=dict)
    by_fingerprint: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    lexical: LexicalIndex = field(default_factory=LexicalIndex)
    keys: list[tuple[str, int]] = field(default_factory=list)  # lexical key → (text id, position)
    anchors: dict[str, frozenset[str]] = field(default_factory=dict)  # text id → its anchors
    _sentences: dict[str, tuple[list[str], list[int]]] = field(default_factory=dict)

    def add(self, text: KnownText) -> None:
        """Index one known text (it must not be in the index yet)."""
        self.texts[text.id] = text
        self.anchors[text.id] = anchors("\n".join(text.paragraphs))
        for position, paragraph in enumerate(text.paragraphs):
            self.by_fingerprint[fingerprint(paragraph)].append((text.id, position))
            self.lexical.add(len(self.keys), paragraph)
            self.keys.append((text.id, position))

    def sentences(self, text_id: str) -> tuple[list[str], list[int]]:
        """A known text's sentences and the paragraph of each, split once (for cross-lingual alignment)."""
        if text_id not in self._sentences:
            self._sentences[text_id] = paragraph_sentences(self.texts[text_id].paragraphs)
        return self._sentences[text_id]

    def regroup(self, text_id: str, statement_id: str) -> None:
        """Move a known text into another statement group."""
        old = self.texts[text_id]
        self.texts[text_id] = KnownText(old.id, statement_id, old.language, old.paragraphs)


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
        index.add(
            KnownText(row["id"], row["statement_id"], row["language"], tuple(str(row["text"]).split("\n")))
        )
    return index


class CorpusCache:
    """One index per process, rebuilt when the corpus in storage changed."""

    def __init__(self) -> None:
        self._stamp: tuple[int, float] | None = None
        self._index = CorpusIndex()

    def get(self, db: Database) -> CorpusIndex:
        """The current index for this database."""
        stamp = corpus_stamp(db)
        if stamp != self._stamp:
            self._index = load(db)
            self._stamp = stamp
        return self._index
