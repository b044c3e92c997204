"""Cross-lingual sentence alignment: embeddings, margin scoring, mutual best pairs, anchors.

Calibrated on the seed corpus (figures in tests/unit/test_crosslingual.py):

* multilingual-e5 puts all sentences of one topic in a narrow cone: raw cosines average 0.80 between
  any two seed texts in different languages and 0.86 between two Vietnamese ones, while the
  Norwegian-Vietnamese translations in seeds 000 and 002 score 0.86-0.90. So each text's mean vector
  is removed first; what is left is what a sentence says in particular. Centred cosines of
  unrelated sentences are near 0, which is also what a missing neighbour counts as when a text has
  fewer than K sentences.
* Centred cosines can be negative, which makes the ratio margin of LASER meaningless, so the
  margin is the difference form (Artetxe & Schwenk 2019, "Margin-based parallel corpus mining"):
  cos(x, y) minus the average of the mean of the K nearest cosines of x and that of y.
  (The ratio margin on raw cosines, tried first, found 7 of the 10 translations of 000/002 with 4
  wrong pairs at its best threshold; this finds 9 with 2.)
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from communique.anchors import anchors
from communique.text import match_key
from workers.embedding import Embedder, get_embedder

Matrix = npt.NDArray[np.float32]

# Nearest competitors averaged in the margin, in each direction.
K: Final = 4

# A text's mean vector is removed in proportion n / (n + SHRINK): a text of a few sentences has a
# mean that is mostly those sentences themselves, and removing all of it would erase them.
SHRINK: Final = 2.0

# Smallest score (margin plus anchor adjustment) of a kept pair.
THRESHOLD: Final = 0.12

# Each shared anchor (number, date, acronym, name) adds this much, up to ANCHOR_CAP of them.
ANCHOR_BONUS: Final = 0.02
# Each number or date found on one side only, when both sides have some, takes this much away.
CONFLICT_PENALTY: Final = 0.04
ANCHOR_CAP: Final = 3
# Anchors in more than this share of a text's sentences (and in more than two) do not count as shared.
COMMON_SHARE: Final = 0.1


@dataclass(frozen=True)
class SentencePair:
    """Source sentence `source` is aligned with target sentence `target`.

    `cosine` is the similarity after removing each text's mean vector, `margin` the difference margin
    against the K nearest competitors, `anchors_shared` and `anchors_conflict` the anchors in common
    and the numbers or dates that differ.
    """

    source: int
    target: int
    cosine: float
    margin: float
    anchors_shared: int
    anchors_conflict: int


@dataclass(frozen=True)
class Alignment:
    """Aligned sentence pairs and the share of source and of target sentences that they cover."""

    pairs: list[SentencePair]
    source_coverage: float
    target_coverage: float


def _centred(vectors: Matrix) -> Matrix:
    """Vectors with (a shrunk share of) their mean removed, normalised again."""
    share = len(vectors) / (len(vectors) + SHRINK)
    centred = vectors - share * vectors.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    result: Matrix = (centred / np.maximum(norms, 1e-6)).astype(np.float32)
    return result


def _top_mean(cosines: Matrix, axis: int) -> Matrix:
    """Mean of the K largest cosines along an axis; missing neighbours count as unrelated (0)."""
    count = cosines.shape[axis]
    if count > K:
        cosines = -np.partition(-cosines, K - 1, axis=axis).take(range(K), axis=axis)
    result: Matrix = cosines.clip(min=0.0).sum(axis=axis) / K
    return result


# The corpus side of every alignment is the same few thousand sentences: their anchors are kept.
_anchors = functools.lru_cache(maxsize=65_536)(anchors)


def _common(sentences: int) -> float:
    """How many sentences of a text an anchor may appear in and still count as shared."""
    return max(2.0, COMMON_SHARE * sentences)


def _is_numeric(anchor: str) -> bool:
    """Whether an anchor is a number, percentage or date, the kinds that can contradict each other."""
    return anchor[-1].isdigit() or anchor.endswith("%")


def _anchor_counts(source: Sequence[str], target: Sequence[str]) -> tuple[Matrix, Matrix]:
    """Shared anchors and conflicting numbers for every pair of sentences, as two matrices."""
    source_anchors = [_anchors(sentence) for sentence in source]
    target_anchors = [_anchors(sentence) for sentence in target]
    vocabulary = {a: i for i, a in enumerate(sorted(set().union(*source_anchors, *target_anchors)))}
    numeric = np.array([_is_numeric(anchor) for anchor in vocabulary], dtype=np.float32)

    def incidence(sets: list[frozenset[str]]) -> Matrix:
        matrix = np.zeros((len(sets), len(vocabulary)), dtype=np.float32)
        for row, found in enumerate(sets):
            matrix[row, [vocabulary[anchor] for anchor in found]] = 1.0
        return matrix

    left, right = incidence(source_anchors), incidence(target_anchors)
    # An anchor in many sentences of a text ("Viet Nam", "Putin", "ASEAN" in an ASEAN text) does not
    # tell its sentences apart; only the rarer ones count as shared.
    rare = (left.sum(axis=0) <= _common(len(source))) & (right.sum(axis=0) <= _common(len(target)))
    shared: Matrix = (left * rare) @ right.T
    left_numbers, right_numbers = left * numeric, right * numeric
    shared_numbers = left_numbers @ right_numbers.T
    left_count, right_count = left_numbers.sum(axis=1), right_numbers.sum(axis=1)
    differing = left_count[:, None] + right_count[None, :] - 2 * shared_numbers
    both = (left_count[:, None] > 0) & (right_count[None, :] > 0)
    conflict: Matrix = np.where(both, differing, 0.0).astype(np.float32)
    return shared, conflict


def _exact_pairs(source: Sequence[str], target: Sequence[str]) -> dict[int, int]:
    """Source sentences with an identical target sentence (up to the match key): always aligned.

    The n-th copy of a sentence in the source goes with its n-th copy in the target (or the last).
    """
    # A sentence of punctuation only has an empty match key; it is compared as written.
    copies: dict[str, list[int]] = {}
    for index, sentence in enumerate(target):
        copies.setdefault(match_key(sentence) or sentence, []).append(index)
    exact, seen = {}, Counter[str]()
    for index, sentence in enumerate(source):
        key = match_key(sentence) or sentence
        if key in copies:
            exact[index] = copies[key][min(seen[key], len(copies[key]) - 1)]
            seen[key] += 1
    return exact


def align(source: Sequence[str], target: Sequence[str], embedder: Embedder | None = None) -> Alignment:
    """Align the sentences of two texts in any languages; a pair is a mutual best above THRESHOLD."""
    if not source or not target:
        return Alignment(pairs=[], source_coverage=0.0, target_coverage=0.0)
    embedder = embedder or get_embedder()
    cosines = _centred(embedder.embed(source)) @ _centred(embedder.embed(target)).T
    margins = cosines - (_top_mean(cosines, 1)[:, None] + _top_mean(cosines, 0)[None, :]) / 2
    shared, conflict = _anchor_counts(source, target)
    scores = (
        margins
        + ANCHOR_BONUS * np.minimum(shared, ANCHOR_CAP)
        - CONFLICT_PENALTY * np.minimum(conflict, ANCHOR_CAP)
    )
    best_target, best_source = scores.argmax(axis=1), scores.argmax(axis=0)
    chosen = {
        row: int(column)
        for row, column in enumerate(best_target)
        if best_source[column] == row and scores[row, column] >= THRESHOLD
    }
    chosen.update(_exact_pairs(source, target))
    pairs = [
        SentencePair(
            source=row,
            target=column,
            cosine=float(cosines[row, column]),
            margin=float(margins[row, column]),
            anchors_shared=int(shared[row, column]),
            anchors_conflict=int(conflict[row, column]),
        )
        for row, column in sorted(chosen.items())
    ]
    return Alignment(
        pairs=pairs,
        source_coverage=len(chosen) / len(source),
        target_coverage=len(set(chosen.values())) / len(target),
    )
