"""Known sentences' vectors are computed once and shared through storage by every worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from communique.settings import Settings
from storage.corpus import corpus_vectors
from storage.database import open_database
from tests.devset import SEED_FILES
from workers import corpus_index
from workers.corpus import import_texts
from workers.crosslingual import align
from workers.embedding import Embedder


def test_vectors_computed_by_one_worker_are_read_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_database(Settings(data_dir=tmp_path))
    import_texts(db, [path for path in SEED_FILES if path.name.startswith(("002", "003"))])
    assert corpus_vectors(db)  # linking 003 to 002 embedded sentences: the import kept them
    db.execute("DELETE FROM corpus_vectors")  # here, what a worker computes is what is tested
    first = Embedder(num_threads=1)
    monkeypatch.setattr(corpus_index, "get_embedder", lambda: first)
    cache = corpus_index.CorpusCache()
    index = cache.get(db)
    known = [s for text_id in index.texts for s in index.sentences(text_id)[0]]
    article = ["Hai bên nhấn mạnh sự cần thiết tiếp tục tăng cường đối thoại chính trị."]
    align(article, known, first)
    assert first.computed == len(set(known)) + 1
    cache.get(db)  # the next job stores what the last one computed: the known sentences only
    stored = corpus_vectors(db)
    assert len(stored) == len(set(known))

    second = Embedder(num_threads=1)
    monkeypatch.setattr(corpus_index, "get_embedder", lambda: second)
    again = corpus_index.CorpusCache().get(db)
    pairs = align(article, [s for t in again.texts for s in again.sentences(t)[0]], second)
    assert second.computed == 1  # only the article's sentence: the known ones came from storage
    assert pairs == align(article, known, first)
    db.close()


def test_texts_added_later_are_indexed_without_a_rebuild_and_as_a_rebuild_would(tmp_path: Path) -> None:
    db = open_database(Settings(data_dir=tmp_path))
    import_texts(db, [path for path in SEED_FILES if path.name.startswith("001")])
    cache = corpus_index.CorpusCache()
    index = cache.get(db)
    import_texts(db, [path for path in SEED_FILES if path.name.startswith(("002", "004"))])
    assert cache.get(db) is index  # the same index, grown
    full = corpus_index.load(db)
    assert index.texts == full.texts and index.keys == full.keys
    assert dict(index.by_fingerprint) == dict(full.by_fingerprint)
    assert index.anchors == full.anchors

    db.execute("DELETE FROM corpus WHERE id LIKE '004%'")  # removed by hand: storage no longer adds up
    db.execute(
        "INSERT INTO corpus (id, statement_id, language, title, text, text_hash, added_at, origin) "
        "SELECT 'copy', statement_id, language, title, text, text_hash || 'x', added_at + 1, origin "
        "FROM corpus WHERE id LIKE '002%'"
    )
    rebuilt = cache.get(db)
    assert rebuilt is not index and set(rebuilt.texts) == set(corpus_index.load(db).texts)
    db.close()
