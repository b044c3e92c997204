"""Whether a page in another language carries a known text: which known texts to align it with
(`workers/crosslingual.py` aligns the sentences) and whether the alignment has a translation's shape."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from communique.anchors import anchors_of_normalised, distinctive
from communique.identity import published_before
from workers.corpus_index import CorpusIndex, KnownText, paragraph_sentences
from workers.crosslingual import Alignment, SentencePair, refine, screen

# A page in another language carries a known text (translation) when its sentences align with it:
TRANSLATION_TARGET = 0.5  # most of the known text (seeds: a real translation aligns ≥ 0.69 of the
# shorter side, 002 ↔ 000; two statements sharing formulas, June 2024 vs May 2025, 0.24 / 0.30);
TRANSLATION_RUN = 3  # or this many neighbouring sentences in a row on both sides (real pages, dev:
# the German and French openings align 4 in a row; scattered formulas do not make runs);
TRANSLATION_PAIRS = 3  # or this many pairs, covering
TRANSLATION_SOURCE = 0.5  # this share of the page's statement-like sentences,
IN_ORDER = 0.75  # this share in the known text's order (dev: formulas align 0.33-0.67 in order),
PAIRS_RUN = 2  # two of them neighbours (dev: every translation opening has 2+ in a row; a report that
# sums up the provisions in order, in its own framing, aligns 6 of them none in a row).
RUN_SOURCE = 0.25  # (a run needs this share of the page: two long statements repeat runs of formulas)
RUN_GAP = 2  # sentences apart on each side that still continue a run (translators merge and split)
STATEMENT_LIKE_CHARS = 40  # shorter lines are headings, captions and menus (a 64-line province menu)
CROSSLINGUAL_CANDIDATES = 3  # known texts (best by shared anchors) aligned with the embedding model
# A text not naming a statement needs this many shared distinctive anchors to be tried: translations
# of the seeds share 17 or more with each other, the 124 real pages at most 4 with any seed.
CROSSLINGUAL_MIN_ANCHORS = 8


@dataclass(frozen=True)
class Translation:
    """A known text a page carries in another language: the alignment and its shape, and the paragraph
    of each of the page's sentences."""

    text: KnownText
    alignment: Alignment
    shape: Shape
    owner: list[int]


def find_translation(
    index: CorpusIndex,
    paragraphs: Sequence[str],
    language: str | None,
    *,
    exclude: frozenset[str],
    named: bool,
    published: dt.date | None,
) -> Translation | None:
    """Align sentences with the known texts in other languages that share most anchors with the page.

    A known text whose statement cannot be what the page is about (published before it was adopted)
    is not tried: stock formulas every statement repeats would align with it.
    """
    candidates = [
        text
        for text in _candidates(index, paragraphs, language, exclude, named)
        if not _ruled_out(index, text.statement_id, published)
    ]
    if not candidates:
        return None
    sentences, owner = paragraph_sentences(paragraphs)
    # Every candidate gets the cheap first look (the sample's vectors are shared); only the one
    # that looks best gets the whole alignment, whose cost is embedding the article's sentences.
    screens = [(screen(sentences, index.sentences(text.id)[0]), text) for text in candidates]
    found = max(screens, key=lambda item: (item[0].estimate, item[1].id))
    if not found[0].pairs:
        return None
    text = found[1]
    alignment = refine(found[0], sentences, index.sentences(text.id)[0])
    shape = Shape.of(alignment.pairs, sentences)
    if not shape.translated(alignment.target_coverage):
        return None  # a few formulas every statement repeats: what identifies the page decides
    return Translation(text, alignment, shape, owner)


@dataclass(frozen=True)
class Shape:
    """How aligned sentence pairs lie: the share of the page's statement-like sentences they cover,
    the share that keeps the known text's order, and the longest run of neighbours on both sides.

    A translation (or its opening) aligns in order and in runs; the formulas every statement of the
    same parties repeats (UNCLOS 1982, the DOC, peaceful settlement) align scattered.
    """

    pairs: int
    share: float
    order: float
    run: int

    @classmethod
    def of(cls, pairs: Sequence[SentencePair], sentences: Sequence[str]) -> Shape:
        """The shape of an alignment of these page sentences."""
        statement_like = {i for i, sentence in enumerate(sentences) if len(sentence) >= STATEMENT_LIKE_CHARS}
        ordered = sorted((pair.source, pair.target) for pair in pairs)
        targets = [target for _, target in ordered]
        run = best = 1 if ordered else 0
        for (s0, t0), (s1, t1) in itertools.pairwise(ordered):
            run = run + 1 if 0 < s1 - s0 <= RUN_GAP and 0 < t1 - t0 <= RUN_GAP else 1
            best = max(best, run)
        covered = len({source for source, _ in ordered} & statement_like)
        return cls(
            len(ordered),
            covered / max(1, len(statement_like)),
            _increasing(targets) / max(1, len(targets)),
            best,
        )

    def translated(self, target_coverage: float) -> bool:
        """Whether the page carries the known text: most of one of the two, or in order, or in a run."""
        if target_coverage >= TRANSLATION_TARGET:
            return True
        if self.run >= TRANSLATION_RUN and self.share >= RUN_SOURCE:
            return True
        return (
            self.pairs >= TRANSLATION_PAIRS
            and self.share >= TRANSLATION_SOURCE
            and self.order >= IN_ORDER
            and self.run >= PAIRS_RUN
        )


def _increasing(values: Sequence[int]) -> int:
    """Length of the longest strictly increasing subsequence."""
    tails: list[int] = []
    for value in values:
        at = bisect.bisect_left(tails, value)
        tails[at : at + 1] = [value]
    return len(tails)


def _ruled_out(index: CorpusIndex, statement_id: str, published: dt.date | None) -> bool:
    """Whether the page came out before the statement was adopted (so cannot carry it)."""
    card = index.cards.get(statement_id)
    return card is not None and published_before(card, published)


def _candidates(
    index: CorpusIndex,
    paragraphs: Sequence[str],
    language: str | None,
    exclude: frozenset[str],
    named: bool,
) -> list[KnownText]:
    """Known texts in another language worth the embedding model's time, best anchor overlap first."""
    mine = distinctive(anchors_of_normalised("\n".join(paragraphs)))
    scored = []
    for text in index.texts.values():
        if text.id in exclude or text.language == language:
            continue
        shared = len(mine & index.anchors[text.id])
        if named or shared >= CROSSLINGUAL_MIN_ANCHORS:
            scored.append((shared, text.id, text))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [text for _, _, text in scored[:CROSSLINGUAL_CANDIDATES]]
