"""Language identification (py3langid: offline, its model ships inside the package)."""

from __future__ import annotations

import functools
import itertools
import lzma
import shutil
import zipfile
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Final

import numpy as np
import py3langid
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from py3langid.modelio import _to_array

from communique.cache import cache_path, replacing

# Every language py3langid's model knows, but Danish: machine-translated Norwegian (seed 000) is often
# read as Danish, and no Danish page turned up among the real pages (tests/realset) of the first
# collection; the one Danish page added to dev later (the Danish foreign ministry) is read as
# Norwegian, the price of this choice. With the model's
# whole set, page languages were 174/174 right on the real pages' dev half, against 159/174 with the
# 22 languages kept before (Hindi read as Khmer, Turkish as Norwegian, Czech as Polish); see
# bench/language_id.py, which also measures lingua (172/174) and pycld2 (174/174).
EXCLUDED_LANGUAGES: Final = frozenset({"da"})

# Labels of the model that name the same ISO 639-1 language for our purposes.
_ALIASES: Final = {"nn": "no", "yue": "zh", "wuu": "zh", "arz": "ar", "ary": "ar"}


@functools.cache
def model_languages() -> frozenset[str]:
    """The languages the detector chooses from: the model's, less EXCLUDED_LANGUAGES."""
    return frozenset(_model().nb_classes) - EXCLUDED_LANGUAGES


@functools.cache
def _model() -> LanguageIdentifier:
    return _load_identifier()


def _load_identifier() -> LanguageIdentifier:
    """py3langid's model, as its `from_model_file` builds it, from an uncompressed copy kept in the
    user's cache folder: unpacking the shipped LZMA file took 0.35 s of the 0.46 s a load costs, which
    every `communique match` paid (see bench/match_cli.py)."""
    cache = _model_cache()
    for unpack in (not cache.exists(), True):  # a damaged copy is unpacked again, once
        try:
            if unpack:
                _unpack_model(cache)
            # Opened here: np.load leaves a file it opened itself open when it cannot read it.
            with cache.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
                return LanguageIdentifier(
                    np.asarray(data["ptc"]),
                    np.asarray(data["pc"]),
                    data["classes"].tolist(),
                    _to_array(data["nextmove"]),
                    data["out_feat"].tolist(),
                    norm_probs=True,
                    tk_row=_to_array(data["nextmove_row"]),
                )
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            continue
    # A read-only cache folder: the shipped file, every time.
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _model_cache() -> Path:
    return cache_path(f"py3langid-{py3langid.__version__}-model.npz")


def _unpack_model(cache: Path) -> None:
    """Unpack the shipped model into the cache."""
    with lzma.open(MODEL_DIR / MODEL_FILE) as packed, replacing(cache) as unpacked:
        shutil.copyfileobj(packed, unpacked, length=1 << 20)


# Below this many letters, or this confidence, a paragraph takes the language of its neighbours:
# headings such as "Konkludere" or "Effectieve multilaterale coördinatie" are too short to classify.
MIN_LETTERS: Final = 30
MIN_CONFIDENCE: Final = 0.5


def detect_language(text: str, languages: Collection[str] | None = None) -> str | None:
    """ISO 639-1 code of the main language of a text, or None when there is too little text."""
    sample = text[:5000]
    if not _has_letters(sample, 20):
        return None
    label, _score = _identifier(frozenset(languages or model_languages())).classify(sample)
    return _ALIASES.get(str(label), str(label))


def load_language_model() -> None:
    """Load the model now rather than on the first text classified."""
    _identifier(model_languages())


@functools.lru_cache(maxsize=4)
def _identifier(languages: frozenset[str]) -> LanguageIdentifier:
    """One identifier per language set and process (the model is loaded once); py3langid's own
    module-global one is never loaded."""
    known = model_languages() | EXCLUDED_LANGUAGES
    # The default set restricts the model read for model_languages(): one model in memory, not two.
    default = languages == model_languages()
    identifier = _model() if default else _load_identifier()
    identifier.set_languages(sorted(languages & known))
    return identifier


def _has_letters(text: str, count: int) -> bool:
    """Whether a text has at least `count` letters (it stops looking when it has found them)."""
    return sum(1 for _ in itertools.islice(filter(str.isalpha, text), count)) == count


def _classify(identifier: LanguageIdentifier, paragraph: str) -> tuple[str | None, bool]:
    """The language of one paragraph and whether it is sure enough to stand on its own."""
    if not _has_letters(paragraph[:5000], MIN_LETTERS):
        return None, False
    label, confidence = identifier.classify(paragraph[:5000])
    language = _ALIASES.get(str(label), str(label))
    return language, float(confidence) >= MIN_CONFIDENCE


def paragraph_languages(
    paragraphs: Sequence[str], languages: Collection[str] | None = None
) -> list[str | None]:
    """ISO 639-1 code per paragraph; short or uncertain paragraphs take their neighbours' language."""
    identifier = _identifier(frozenset(languages or model_languages()))
    guesses = [_classify(identifier, paragraph) for paragraph in paragraphs]
    sure = [language if confident else None for language, confident in guesses]
    # Nearest sure language before each paragraph, then after it: two linear passes.
    before: list[str | None] = []
    last: str | None = None
    for language in sure:
        before.append(last)
        last = language or last
    result: list[str | None] = [None] * len(sure)
    following: str | None = None
    for index in range(len(sure) - 1, -1, -1):
        result[index] = sure[index] or before[index] or following or guesses[index][0]
        following = sure[index] or following
    return result
