"""Lexical near-duplicate stage: the corpus paragraphs that a paragraph repeats, up to small edits.

Design (issue 3, second matching stage; same language only), with what was measured on the seeds:

* **Shingles**: runs of ``SHINGLE`` words of the ``match_key`` text (a Vietnamese word is a syllable),
  so case, punctuation, NFD/NFC and tone placement do not matter and an edit spoils only the
  shingles over it. Five is the knee: pairs of paragraphs of different seeds sharing >= 30 % of their
  shingles fall from 56 (3 words) and 32 (4: "quan hệ đối tác" is stock phrasing) to 14 (5), then
  only to 11 (6); a paragraph with one number edited keeps a median 94 % of its 5-word shingles.
* **Deterministic hashing**: words by a multilinear hash of their UTF-8 bytes, shingles by a fixed
  polynomial of word codes, both finished by splitmix64 and vectorised in numpy over the bytes of a
  whole article (a Python loop over words cost more than the rest of a query). No ``hash()``.
* **Content-defined sampling**: a shingle is kept when its hash is 0 mod ``SAMPLE``, so both sides
  keep the same shingles of any text they share. A paragraph with fewer than ``MIN_SAMPLED`` sampled
  shingles keeps them all ("dense"), so short ones still match. One in 2, not 4: over all pairs of
  seed paragraphs and 8 sets of hash constants, 1 in 4 put 3.8 pairs whose true containment is under
  0.45 at >= 0.6 (the engine's threshold) with a mean error of 0.041; 1 in 2, 1.5 and 0.020.
* **Score = containment**, the share of the query paragraph's shingle positions found in the
  candidate (not Jaccard: an excerpt lies wholly inside its original and scores 1.0). Exact when both
  sides are dense. Otherwise only sampled positions are evidence, and each hit also vouches for the
  unsampled positions beside it: fully up to the next hit or the paragraph's edge (identical text
  scores exactly 1.0), half up to a miss. Against hits / sampled shingles this halved the error on
  edited and cut paragraphs (mean 0.013 -> 0.007).
* **Postings in CSR numpy segments** (sorted unique hashes, offsets, internal paragraph numbers): ~16
  bytes a posting. Adds wait in a buffer and become a segment at the next query; a segment is merged
  into the previous one once a quarter of its size: O(log n) segments, O(n log n) building, and
  adding after a query stays cheap.
* **Bounded queries**: an article's shingles are looked up at once, first in a coarse array of every
  64th hash (it stays in cache), then by a binary search in step inside 64-hash blocks.
  Stop-shingles, in more than ``MAX_DF`` paragraphs, are skipped and left out of the score: stock
  phrasing is no evidence, and its postings would make the cost grow with the corpus. 100 is far
  above the copies of one paragraph a corpus of statements holds; in the bench it cut the 1M lookup
  from 9 to 5 ms of CPU against 400, without losing a match. Hits are counted per (paragraph, candidate) with
  ``np.unique``, and pairs that cannot reach ``min_score`` are dropped before scoring. The cost is
  O(query shingles x (log n + MAX_DF)), whatever the corpus size.

Not thread-safe: one index per worker process, as workers.corpus_index keeps it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import numpy.typing as npt

from communique.text import match_key

SHINGLE: Final = 5  # words per shingle
SAMPLE: Final = 2  # keep shingles whose hash is 0 modulo this
MIN_SAMPLED: Final = 8  # fewer sampled shingles than this: keep them all
MAX_DF: Final = 100  # a shingle in more paragraphs than this is a stop-shingle
_MIXED_GAP: Final = 0.5  # share counted of unsampled positions between a hit and a miss
_MERGE_RATIO: Final = 4  # merge a segment into the previous one once it is this fraction of it
_STRIDE: Final = 64  # hashes per block of a segment's coarse search (8 cache lines)
_BATCH: Final = 20_000  # paragraphs shingled at once: bounds the temporary arrays

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]

# Odd 64-bit constants (from splitmix64 and xxhash): one multiplier per position inside a shingle.
_POSITION: Final = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5, 0xFF51AFD7ED558CCD],
    dtype=np.uint64,
)


@dataclass(frozen=True)
class Candidate:
    """A corpus paragraph that a query paragraph repeats, with the share of it found there."""

    key: int  # the id the paragraph was added under
    score: float  # share of the query paragraph's shingles found in the candidate (containment)


def _mix(x: U64) -> U64:
    """The splitmix64 finaliser: spreads every input bit over the low bits that sampling reads."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


# One fixed odd multiplier per byte position inside a word.
_BYTE_WEIGHTS: Final = _mix(np.arange(1, 65, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)) | np.uint64(1)


def _word_codes(keys: Sequence[str]) -> tuple[U64, I64]:
    """A fixed 64-bit code for every word of the match keys, in order, and the number of words per key."""
    # "\n" separates the keys; match keys hold none, but a key passed in by hand might.
    joined = "\n".join(key.replace("\n", " ") for key in keys)
    data = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    letters = np.flatnonzero((data != 32) & (data != 10))
    begins = np.ones(len(letters), dtype=bool)
    begins[1:] = np.diff(letters) > 1
    first = np.flatnonzero(begins)
    place = np.arange(len(letters)) - np.repeat(first, np.diff(np.append(first, len(letters))))
    # A multilinear hash of the bytes (+1, so a shorter word is not a prefix of a longer one's sum).
    weighted = (data[letters].astype(np.uint64) + np.uint64(1)) * _BYTE_WEIGHTS[place % len(_BYTE_WEIGHTS)]
    codes = _mix(np.add.reduceat(weighted, first)) if len(first) else np.zeros(0, dtype=np.uint64)
    key_of_word = np.cumsum(data == 10)[letters[first]]
    return codes, np.bincount(key_of_word, minlength=len(keys)).astype(np.int64)


def _expand(starts: I64, counts: I64) -> I64:
    """The positions starts[i] .. starts[i] + counts[i] - 1 for every i, concatenated."""
    total = int(counts.sum())
    ends = np.cumsum(counts)
    return np.repeat(starts - (ends - counts), counts) + np.arange(total, dtype=np.int64)


def _window_hashes(codes: U64, lengths: I64) -> tuple[U64, I64]:
    """Hashes of every shingle of every paragraph in text order, and the paragraph each belongs to."""
    owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    windows = max(len(codes) - SHINGLE + 1, 0)
    acc = np.zeros(windows, dtype=np.uint64)
    for i in range(SHINGLE):
        acc += codes[i : i + windows] * _POSITION[i]
    inside = owner[:windows] == owner[SHINGLE - 1 :]  # the window does not cross into the next paragraph
    hashes, owners = acc[inside], owner[:windows][inside]
    # A paragraph shorter than a shingle is one shingle of all its words (zero-padded).
    short = np.flatnonzero((lengths > 0) & (lengths < SHINGLE))
    if short.size:
        starts = (np.cumsum(lengths) - lengths)[short]
        tail = np.zeros(short.size, dtype=np.uint64)
        for i in range(SHINGLE - 1):
            has = lengths[short] > i
            tail[has] += codes[starts[has] + i] * _POSITION[i]
        hashes, owners = np.concatenate([hashes, tail]), np.concatenate([owners, short])
        order = np.argsort(owners, kind="stable")
        hashes, owners = hashes[order], owners[order]
    return _mix(hashes), owners


def _shingles(keys: Sequence[str]) -> tuple[U64, I64]:
    """The shingle hashes of match keys in text order, and the key each belongs to."""
    return _window_hashes(*_word_codes(keys))


@dataclass(frozen=True)
class _Evidence:
    """Query paragraphs as shingle positions in text order, and how to score their hits."""

    owners: I64  # per position: its paragraph
    sampled: Bools  # per position: kept by content-defined sampling
    dense: Bools  # per paragraph: too few sampled positions, so every position is looked up
    ignored: Bools  # per position: a stop-shingle, left out of the score

    @classmethod
    def of(cls, hashes: U64, owners: I64, count: int) -> _Evidence:
        """The evidence for `count` paragraphs whose shingles are `hashes`."""
        sampled = hashes % np.uint64(SAMPLE) == 0
        dense = np.bincount(owners[sampled], minlength=count) < MIN_SAMPLED
        return cls(owners, sampled, dense, np.zeros(len(hashes), dtype=bool))

    def without(self, positions: I64) -> _Evidence:
        """The same, ignoring the shingles at `positions`."""
        ignored = self.ignored.copy()
        ignored[positions] = True
        return replace(self, ignored=ignored)

    def score(
        self, at: I64, docs: I32, dense_docs: Bools, total: int, min_score: float
    ) -> tuple[I64, I64, Floats]:
        """Per (paragraph, indexed paragraph) with hits at positions `at`: the share of positions found.

        Both sides dense: each hit is one position found, exactly. Otherwise only sampled positions
        are evidence, and each hit vouches for the unsampled positions beside it (see `_Gaps`).
        """
        kept = ~self.ignored
        lengths = np.bincount(self.owners[kept], minlength=len(self.dense))
        gaps = _Gaps.of(self.owners, kept & self.sampled, kept, lengths)
        exact = self.dense[self.owners[at]] & dense_docs[docs]
        most = np.where(exact, 1.0, 1.0 + gaps.before[at] + gaps.after[at])  # what a hit can vouch for
        pair, inverse = np.unique(self.owners[at] * total + docs, return_inverse=True)
        asking = pair // total
        # Most hits are stray stock phrases: pairs that cannot reach min_score skip the costly part.
        hopeful = np.bincount(inverse, most) / lengths[asking] >= min_score
        take = hopeful[inverse]
        weights = exact.astype(np.float64)
        spans = take & ~exact
        weights[spans] = gaps.spans(at[spans], docs[spans])
        found = np.bincount(inverse[take], weights[take], minlength=len(pair))[hopeful]
        asking = asking[hopeful]
        return asking, (pair % total)[hopeful], np.minimum(found / lengths[asking], 1.0)


@dataclass(frozen=True)
class _Gaps:
    """Per position: for sampled ones, the unsampled positions between it and its sampled neighbours.

    A hit vouches for the gap up to the next hit, or to the paragraph's edge, fully (so identical text
    and excerpts score 1.0), and for half of a gap up to a miss: the expectation when the edit that
    caused the miss is anywhere in it. Positions of stop-shingles are left out altogether.
    """

    rank: I64  # place among the sampled positions, so that neighbours differ by one
    before: I64
    after: I64
    first: Bools  # no sampled position before it in its paragraph
    last: Bools

    @classmethod
    def of(cls, owners: I64, sampled: Bools, kept: Bools, lengths: I64) -> _Gaps:
        """The gaps of the `sampled` positions among the `kept` ones of paragraphs of `lengths`."""
        number = np.cumsum(kept) - 1  # place among the kept positions
        starts = np.cumsum(lengths) - lengths
        where = np.flatnonzero(sampled)
        place, owner = number[where], owners[where]
        same_next = np.zeros(len(where), dtype=bool)
        same_next[:-1] = owner[1:] == owner[:-1]
        same_prev = np.roll(same_next, 1)
        rank, before, after = (np.zeros(len(owners), dtype=np.int64) for _ in range(3))
        rank[where] = np.arange(len(where))
        before[where] = place - np.where(same_prev, np.roll(place, 1) + 1, starts[owner])
        after[where] = np.where(same_next, np.roll(place, -1), starts[owner] + lengths[owner]) - place - 1
        first, last = np.zeros(len(owners), dtype=bool), np.zeros(len(owners), dtype=bool)
        first[where], last[where] = ~same_prev, ~same_next
        return cls(rank, before, after, first, last)

    def spans(self, at: I64, docs: I32) -> Floats:
        """Per hit (sampled position, indexed paragraph): the positions it vouches for, itself included."""
        order = np.lexsort((self.rank[at], docs))
        at, docs = at[order], docs[order]
        rank = self.rank[at]
        chained = np.zeros(len(at), dtype=bool)  # the next sampled position is a hit in the same paragraph
        chained[:-1] = (docs[1:] == docs[:-1]) & (rank[1:] == rank[:-1] + 1)
        after = np.where(self.last[at] | chained, 1.0, _MIXED_GAP) * self.after[at]
        before = (
            np.where(self.first[at], 1.0, np.where(np.roll(chained, 1), 0.0, _MIXED_GAP)) * self.before[at]
        )
        weights = np.empty(len(at))
        weights[order] = 1.0 + after + before
        return weights


@dataclass(frozen=True)
class _Segment:
    """Non-empty immutable postings (CSR): paragraphs of hashes[i] are docs[offsets[i]:offsets[i + 1]]."""

    hashes: U64
    offsets: I64
    docs: I32
    coarse: U64  # every _STRIDE-th hash: a small array the first search stays in cache for

    @classmethod
    def build(cls, hashes: U64, docs: I32) -> _Segment:
        """Postings from parallel arrays of (hash, paragraph) pairs, each pair once."""
        # Stable, so every posting list stays in paragraph order; on the two sorted runs of a merge
        # numpy's timsort only merges.
        order = np.argsort(hashes, kind="stable")
        hashes, docs = hashes[order], docs[order]
        first = np.ones(len(hashes), dtype=bool)
        first[1:] = hashes[1:] != hashes[:-1]
        starts = np.flatnonzero(first)
        unique = hashes[starts]
        return cls(unique, np.append(starts, len(hashes)).astype(np.int64), docs, unique[::_STRIDE].copy())

    def pairs(self) -> tuple[U64, I32]:
        """The (hash, paragraph) pairs back, sorted by hash."""
        return np.repeat(self.hashes, np.diff(self.offsets)), self.docs

    def merge(self, other: _Segment) -> _Segment:
        """One segment holding both."""
        mine, theirs = self.pairs(), other.pairs()
        return _Segment.build(np.concatenate([mine[0], theirs[0]]), np.concatenate([mine[1], theirs[1]]))

    def find(self, needles: U64) -> tuple[I64, I64]:
        """For each needle, where its postings start and how many there are (0: absent)."""
        # One search in the coarse array, then a binary search inside each needle's block in step for
        # all needles: a few cache misses a needle instead of one per level of a search of everything.
        low = np.maximum(np.searchsorted(self.coarse, needles, side="right") - 1, 0) * _STRIDE
        width = np.minimum(low + _STRIDE, len(self.hashes)) - low
        while width.any():
            half = width // 2
            right = (self.hashes[np.minimum(low + half, len(self.hashes) - 1)] < needles) & (width > 0)
            low = np.where(right, low + half + 1, low)
            width = np.where(right, width - half - 1, half)
        at = np.minimum(low, len(self.hashes) - 1)
        hit = self.hashes[at] == needles
        counts = np.where(hit, self.offsets[at + 1] - self.offsets[at], 0)
        return self.offsets[at], counts

    @property
    def size(self) -> int:
        """Postings held."""
        return len(self.docs)

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays."""
        return self.hashes.nbytes + self.offsets.nbytes + self.docs.nbytes + self.coarse.nbytes


class LexicalIndex:
    """An inverted index of sampled word shingles over corpus paragraphs (see the module docstring)."""

    def __init__(self) -> None:
        self._segments: list[_Segment] = []
        self._keys = np.zeros(0, dtype=np.int64)  # per internal paragraph number: the caller's key
        self._dense = np.zeros(0, dtype=bool)  # per internal paragraph number: indexed unsampled
        self._waiting: list[tuple[int, str]] = []  # (key, match key) not shingled yet
        self._ready: list[tuple[I64, Bools, U64, I32]] = []  # shingled, not in a segment yet
        self._count = 0

    def add(self, key: int, text: str) -> None:
        """Index one paragraph (raw or normalised) under `key`."""
        self.add_keyed([(key, match_key(text))])

    def add_many(self, items: Iterable[tuple[int, str]]) -> None:
        """Index many (key, paragraph) pairs."""
        self.add_keyed((key, match_key(text)) for key, text in items)

    def add_keyed(self, items: Iterable[tuple[int, str]]) -> None:
        """Index (key, text) pairs whose text is already a `communique.text.match_key` (skips it)."""
        for item in items:
            self._waiting.append(item)
            if len(self._waiting) >= _BATCH:
                self._shingle_waiting()

    def candidates(self, text: str, limit: int = 5, min_score: float = 0.3) -> list[Candidate]:
        """The indexed paragraphs that `text` is a near-duplicate of, best first."""
        return self.candidates_many([text], limit, min_score)[0]

    def candidates_many(
        self, texts: Sequence[str], limit: int = 5, min_score: float = 0.3
    ) -> list[list[Candidate]]:
        """`candidates` for each text, computed together (one lookup pass for a whole article)."""
        return self.candidates_keyed([match_key(text) for text in texts], limit, min_score)

    def candidates_keyed(
        self, match_keys: Sequence[str], limit: int = 5, min_score: float = 0.3
    ) -> list[list[Candidate]]:
        """`candidates_many` for texts that are already match keys (skips `match_key`)."""
        self._flush()
        results: list[list[Candidate]] = [[] for _ in match_keys]
        if not match_keys or limit <= 0 or not self._segments:
            return results
        hashes, owners = _shingles(match_keys)
        evidence = _Evidence.of(hashes, owners, len(match_keys))
        at, hit, frequent = self._hits(hashes, np.flatnonzero(evidence.sampled | evidence.dense[owners]))
        asking, docs, scores = evidence.without(frequent).score(at, hit, self._dense, self._count, min_score)
        good = scores >= min_score
        self._collect(results, asking[good], self._keys[docs[good]], scores[good], limit)
        return results

    def _hits(self, hashes: U64, looked: I64) -> tuple[I64, I32, I64]:
        """Every (position, indexed paragraph) whose shingles agree, and the positions of stop-shingles."""
        looked = looked[np.argsort(hashes[looked])]  # sorted needles: searches share cache lines
        found = [segment.find(hashes[looked]) for segment in self._segments]
        frequent = sum((counts for _, counts in found), np.zeros(len(looked), dtype=np.int64)) > MAX_DF
        read = [(starts, np.where(frequent, 0, counts)) for starts, counts in found]
        docs = np.concatenate(
            [segment.docs[_expand(*part)] for segment, part in zip(self._segments, read, strict=True)]
        )
        at = np.concatenate([np.repeat(looked, counts) for _, counts in read])
        return at, docs, looked[frequent]

    def __len__(self) -> int:
        """Paragraphs indexed."""
        return self._count + len(self._waiting) + sum(len(ready[0]) for ready in self._ready)

    def memory_bytes(self) -> int:
        """Approximate bytes held by the index structures (postings, paragraph tables, buffers)."""
        arrays = sum(segment.nbytes for segment in self._segments) + self._keys.nbytes + self._dense.nbytes
        arrays += sum(sum(part.nbytes for part in ready) for ready in self._ready)
        return arrays + sum(sys.getsizeof(text) + 100 for _, text in self._waiting)  # + tuple and key

    # --- building ----------------------------------------------------------------------------------

    def _shingle_waiting(self) -> None:
        """Turn the waiting texts into postings (each paragraph's distinct shingles) for the next segment."""
        if not self._waiting:
            return
        keys = np.fromiter((key for key, _ in self._waiting), dtype=np.int64, count=len(self._waiting))
        hashes, owners = _shingles([text for _, text in self._waiting])
        order = np.lexsort((hashes, owners))
        hashes, owners = hashes[order], owners[order]
        first = np.ones(len(hashes), dtype=bool)
        first[1:] = (hashes[1:] != hashes[:-1]) | (owners[1:] != owners[:-1])
        hashes, owners = hashes[first], owners[first]
        sampled = hashes % np.uint64(SAMPLE) == 0
        dense = np.bincount(owners[sampled], minlength=len(keys)) < MIN_SAMPLED
        used = sampled | dense[owners]
        docs = (owners[used] + self._count + sum(len(ready[0]) for ready in self._ready)).astype(np.int32)
        self._ready.append((keys, dense, hashes[used], docs))
        self._waiting = []

    def _flush(self) -> None:
        """Put every added paragraph into a segment, merging segments of similar size."""
        self._shingle_waiting()
        if not self._ready:
            return
        keys, dense, hashes, docs = (np.concatenate(part) for part in zip(*self._ready, strict=True))
        self._ready = []
        self._keys = np.concatenate([self._keys, keys])
        self._dense = np.concatenate([self._dense, dense])
        self._count = len(self._keys)
        if len(hashes):  # paragraphs without words have no postings
            self._segments.append(_Segment.build(hashes, docs))
        while len(self._segments) > 1 and self._segments[-1].size * _MERGE_RATIO >= self._segments[-2].size:
            last = self._segments.pop()
            self._segments[-1] = self._segments[-1].merge(last)

    @staticmethod
    def _collect(
        results: list[list[Candidate]], asking: I64, keys: I64, scores: npt.NDArray[np.float64], limit: int
    ) -> None:
        """Fill each query's list with its best `limit` keys (a key added twice: its best score)."""
        order = np.lexsort((-scores, keys, asking))
        asking, keys, scores = asking[order], keys[order], scores[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = (keys[1:] != keys[:-1]) | (asking[1:] != asking[:-1])
        asking, keys, scores = asking[first], keys[first], scores[first]
        order = np.lexsort((keys, -scores, asking))  # ties by key, so the order is reproducible
        asking, keys, scores = asking[order], keys[order], scores[order]
        group_start = np.searchsorted(asking, asking)
        top = np.arange(len(asking)) - group_start < limit
        for query, key, score in zip(
            asking[top].tolist(), keys[top].tolist(), scores[top].tolist(), strict=True
        ):
            results[query].append(Candidate(key, score))
