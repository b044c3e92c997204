"""py3langid's model read from an uncompressed copy in the cache folder: the same identifier."""

from __future__ import annotations

import lzma
from pathlib import Path
from typing import Any

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from communique import language

TEXTS = [
    "Hai bên nhất trí tăng cường hợp tác trong lĩnh vực năng lượng.",
    "Die beiden Seiten vereinbarten, die Zusammenarbeit zu vertiefen.",
    "双方同意加强能源领域的合作。",
    "Стороны договорились углублять сотрудничество.",
]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path


def test_the_cached_model_classifies_as_the_shipped_one(cache_home: Path) -> None:
    shipped = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    cached = language._load_identifier()
    assert language._model_cache().is_file()
    assert language._model_cache().is_relative_to(cache_home)
    assert [cached.classify(t) for t in TEXTS] == [shipped.classify(t) for t in TEXTS]


def test_a_second_load_reads_the_copy_without_unpacking(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    language._load_identifier()

    def no_unpacking(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the shipped LZMA file was read again")

    monkeypatch.setattr(lzma, "open", no_unpacking)
    assert language._load_identifier().classify(TEXTS[1])[0] == "de"


def test_a_damaged_copy_is_unpacked_again(cache_home: Path) -> None:
    cache = language._model_cache()
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"PK\x03\x04 not a whole archive")
    assert language._load_identifier().classify(TEXTS[0])[0] == "vi"
    assert cache.stat().st_size > 1_000_000


def test_an_unwritable_cache_falls_back_to_the_shipped_file(cache_home: Path) -> None:
    (cache_home / "communique").write_text("a file where the folder would be", encoding="utf-8")
    assert language._load_identifier().classify(TEXTS[3])[0] == "ru"
