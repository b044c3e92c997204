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
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import numpy.typing as npt

from communique.anchors import anchors
from communique.text import match_key
from communique.words import word_count
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
    and the numbers or dates that differ. An `inferred` pair was not embedded: it lies in order
    between two aligned pairs, with matching lengths and numbers (see `refine`).
    """

    source: int
    target: int
    cosine: float
    margin: float
    anchors_shared: int
    anchors_conflict: int
    inferred: bool = False


@dataclass(frozen=True)
class Alignment:
    """Aligned sentence pairs and the share of source and of target sentences that they cover."""

    pairs: list[SentencePair]
    source_coverage: float
    target_coverage: float


def _centre(vectors: Matrix, count: int | None = None) -> Matrix:
    """What `_centred` removes from a text's vectors: a shrunk share of their mean.

    `count` is the number of sentences of the whole text when `vectors` are an even sample of it.
    """
    count = len(vectors) if count is None else count
    result: Matrix = (count / (count + SHRINK)) * vectors.mean(axis=0, keepdims=True)
    return result


def _centred(vectors: Matrix, centre: Matrix | None = None) -> Matrix:
    """Vectors with their text's centre (by default `_centre(vectors)`) removed, normalised again."""
    centred = vectors - (_centre(vectors) if centre is None else centre)
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


def align(
    source: Sequence[str],
    target: Sequence[str],
    embedder: Embedder | None = None,
    *,
    source_centre: Matrix | None = None,
) -> Alignment:
    """Align the sentences of two texts in any languages; a pair is a mutual best above THRESHOLD.

    `source_centre` is the source text's centre when `source` is only some of its sentences.
    """
    if not source or not target:
        return Alignment(pairs=[], source_coverage=0.0, target_coverage=0.0)
    embedder = embedder or get_embedder()
    cosines = _centred(embedder.embed(source), source_centre) @ _centred(embedder.embed(target)).T
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


# The coarse-to-fine alignment embeds this many article sentences first, one from each even stretch.
SAMPLE: Final = 24
# Articles up to this many sentences are aligned whole: sampling would save little.
SAMPLE_FROM: Final = 2 * SAMPLE
# The sample takes the shortest sentence of each stretch that has this many words: the model's time
# grows with a sentence's length, and shorter ones are as telling once they say something.
SAMPLE_MIN_WORDS: Final = 12
# A pair inferred inside a stretch must have a length ratio within this factor of the sample pairs'.
LENGTH_BAND: Final = 1.8
# Where alignment grows from a pair: the sentences next to it.
NEIGHBOURS: Final = (-1, 1)


@dataclass(frozen=True)
class Screen:
    """The first, coarse look of coarse-to-fine alignment: evenly spaced source sentences aligned.

    `pairs` are by sentence index in the whole source; `centre` is the source's centre estimated
    from the sample (a subset chosen by what aligns would be biased); `estimate` is the sample's
    share of paired sentences plus the target share they would cover if every sample stood for
    `step` sentences, to rank known texts before the costly fine look.
    """

    rows: frozenset[int]
    pairs: dict[int, SentencePair]
    centre: Matrix | None
    estimate: float


def screen(source: Sequence[str], target: Sequence[str], embedder: Embedder | None = None) -> Screen:
    """Align a sample of a long source (all of a short one) with the target."""
    embedder = embedder or get_embedder()
    if len(source) <= SAMPLE_FROM:
        rows, centre = frozenset(range(len(source))), None
    else:
        rows = sample_rows(source)
        centre = _centre(embedder.embed([source[row] for row in sorted(rows)]), len(source))
    pairs = _subset_alignment(source, rows, target, embedder, centre)
    spread = len(source) / len(rows)
    estimate = len(pairs) / len(rows) + min(1.0, len(pairs) * spread / max(1, len(target)))
    return Screen(rows, pairs, centre, estimate)


def _sample_cost(sentence: str) -> tuple[bool, int]:
    """Sentences too short to say much come last; then the shorter, the cheaper to embed."""
    return word_count(sentence) < SAMPLE_MIN_WORDS, len(sentence)


def sample_rows(source: Sequence[str]) -> frozenset[int]:
    """SAMPLE evenly spread sentences, one from each stretch of the text (the cheapest to embed that
    says something), and the last."""
    step = len(source) / SAMPLE
    rows = {len(source) - 1}
    for k in range(SAMPLE):
        stretch = range(int(k * step), max(int(k * step) + 1, int((k + 1) * step)))
        rows.add(min(stretch, key=lambda row: _sample_cost(source[row])))
    return frozenset(rows)


def refine(
    first: Screen, source: Sequence[str], target: Sequence[str], embedder: Embedder | None = None
) -> Alignment:
    """The whole alignment, growing from a screen's pairs; `align` for a source short enough.

    The sample pairs that keep the order of both texts cut them into stretches. A stretch with as
    many sentences on both sides, whose sentences have the sample pairs' length ratio and no
    differing numbers, is a translation in order: paired one to one without embedding. Elsewhere
    alignment grows from every pair found to the sentences next to it, embedding them, until the
    neighbours of all pairs have been tried; a source sentence never reached is taken to have no
    counterpart. A wrong sample pair costs the embedding of its two neighbours.
    """
    if len(first.rows) == len(source) or not first.pairs:
        return _alignment(first.pairs, len(source), len(target))
    embedder = embedder or get_embedder()
    pairs, embedded = dict(first.pairs), set(first.rows)
    inferred = _stretches(source, target, pairs)
    open_rows = set(range(len(source))) - set(inferred)
    frontier = _neighbours(pairs, open_rows) - embedded
    while frontier:
        embedded |= frontier
        pairs = _subset_alignment(source, frozenset(embedded), target, embedder, first.centre)
        frontier = _neighbours(pairs, open_rows) - embedded
    taken = {pair.target for pair in pairs.values()}
    for row, column in inferred.items():
        if row not in pairs and column not in taken:
            pairs[row] = SentencePair(
                row, column, 0.0, 0.0, anchors_shared=0, anchors_conflict=0, inferred=True
            )
    return _alignment(pairs, len(source), len(target))


def align_coarse(source: Sequence[str], target: Sequence[str], embedder: Embedder | None = None) -> Alignment:
    """`align`, embedding only part of a long source: `screen`, then `refine`."""
    return refine(screen(source, target, embedder), source, target, embedder)


def _alignment(pairs: dict[int, SentencePair], sources: int, targets: int) -> Alignment:
    found = [pairs[row] for row in sorted(pairs)]
    return Alignment(
        pairs=found,
        source_coverage=len(found) / max(1, sources),
        target_coverage=len({pair.target for pair in found}) / max(1, targets),
    )


def _subset_alignment(
    source: Sequence[str],
    rows: frozenset[int],
    target: Sequence[str],
    embedder: Embedder,
    centre: Matrix | None,
) -> dict[int, SentencePair]:
    """`align` of some source sentences with the target, by source index in the whole text."""
    ordered = sorted(rows)
    alignment = align([source[row] for row in ordered], target, embedder, source_centre=centre)
    return {ordered[pair.source]: replace(pair, source=ordered[pair.source]) for pair in alignment.pairs}


def _stretches(
    source: Sequence[str], target: Sequence[str], pairs: dict[int, SentencePair]
) -> dict[int, int]:
    """Pairs inferred in the regular stretches between the sample pairs in order."""
    chain = _ordered_chain(pairs)
    ratio = float(np.median([len(source[row]) / max(1, len(target[column])) for row, column in chain]))
    inferred: dict[int, int] = {}
    bounds = [(-1, -1), *chain, (len(source), len(target))]
    for (row0, column0), (row1, column1) in itertools.pairwise(bounds):
        stretch, window = range(row0 + 1, row1), range(column0 + 1, column1)
        in_order = dict(zip(stretch, window, strict=False))
        if len(stretch) == len(window) and all(
            _agree(source[row], target[column], ratio) for row, column in in_order.items()
        ):
            inferred.update(in_order)
    return inferred


def _neighbours(pairs: dict[int, SentencePair], rows: set[int]) -> set[int]:
    """Rows next to a paired row, among `rows`."""
    return {row + step for row in pairs for step in NEIGHBOURS} & rows


def _ordered_chain(pairs: dict[int, SentencePair]) -> list[tuple[int, int]]:
    """The longest run of pairs in the order of both texts (a pair out of order does not cut)."""
    ordered = [(row, pairs[row].target) for row in sorted(pairs)]
    best: list[list[tuple[int, int]]] = []
    for row, column in ordered:
        longest = max((chain for chain in best if chain[-1][1] < column), key=len, default=[])
        best.append([*longest, (row, column)])
    return max(best, key=len)


def _agree(source: str, target: str, ratio: float) -> bool:
    """Whether two sentences in order may be a translation pair: length in ratio, same numbers."""
    length = len(source) / max(1, len(target))
    if not ratio / LENGTH_BAND <= length <= ratio * LENGTH_BAND:
        return False
    numbers = [{a for a in _anchors(text) if _is_numeric(a)} for text in (source, target)]
    return not (numbers[0] and numbers[1] and numbers[0] != numbers[1])
