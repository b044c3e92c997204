"""A workload of fetched pages for the worker benchmarks: stored as the crawler stores them, queued on
Redis as the crawler queues them, with rules and an apprise target so that alerts are delivered.

The pages, in a fixed mix (deterministic):
  real    real news pages from ../shared/fixtures/real-html (many languages and layouts; some have no
          main text and are recorded as failed, as they would be)
  reprint a statement page quoting a known statement whole (seed 001, 003 or 004) or its first
          paragraphs: a reprint or an excerpt, which the "archive" rule alerts
  changed a known statement with one number edited (a different one per page): a "changed" alert,
          and the text is learned into the corpus, so every worker rebuilds its corpus index
Each page gets its own URL (a document of its own) and, unless told otherwise, a unique comment (a
snapshot of its own).
"""

from __future__ import annotations

import hashlib
import html
import random
import re
from dataclasses import dataclass
from pathlib import Path

from bench.harness import REAL_HTML, ROOT, corpus_database
from communique.model import FetchState, Stage
from communique.settings import Settings
from communique.sources import Source
from communique.text import paragraphs
from storage.database import open_database
from storage.fetches import Fetch, record_fetch, sync_sources
from tests.service_env import service_env
from workers.extraction import decode_html
from workers.queue import RedisQueue

RULES = """rules:
  - {name: statements, events: [new, changed], keywords: [Tuyên bố chung], notify: [analysts]}
  - {name: archive, events: [reprint, excerpt], keywords: [Tuyên bố chung], notify: [archive]}
"""
MIX = {"real": 0.75, "reprint": 0.20, "changed": 0.05}
SEEDS = ("001_cfe805069be26ee0.txt", "003_024cb3686d4085ed.txt", "004_4c3b450e9087d95b.txt")
PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head><body>
<header><nav><a href="/">Trang chủ</a> <a href="/the-gioi">Thế giới</a> <a href="/chinh-tri">Chính trị</a>
</nav></header><main><article><h1>{title}</h1><div class="article-body">{body}</div></article>
<aside><h3>Đọc nhiều</h3><ul>{most_read}</ul></aside></main>
<footer><p>© 2024 Báo điện tử Tin Tức. Giấy phép số 123/GP-BTTTT.</p></footer></body></html>
"""


@dataclass(frozen=True)
class Page:
    """One fetched page: its kind in the mix, URL, body and the encoding the crawler would record."""

    kind: str
    url: str
    body: bytes
    encoding: str


def real_pages() -> list[tuple[bytes, str]]:
    """The real pages (body, encoding) of the shared fixtures, in name order."""
    found = sorted((REAL_HTML / "trafilatura").glob("*.html")) + sorted(
        (REAL_HTML / "htmldate").glob("*.html")
    )
    if not found:
        raise SystemExit(f"no real pages in {REAL_HTML} (the shared fixtures sit beside the checkout)")
    pages = []
    for path in found:
        body = path.read_bytes()
        pages.append((body, decode_html(body)[1]))
    return pages


def statement_page(title: str, body: list[str], rng: random.Random) -> bytes:
    """A news page carrying these paragraphs, with some furniture."""
    most_read = "".join(f"<li><a href='/bai-{rng.randrange(10**6)}'>Tin số {i}</a></li>" for i in range(5))
    return PAGE.format(
        title=html.escape(title),
        body="\n".join(f"<p>{html.escape(p)}</p>" for p in body),
        most_read=most_read,
    ).encode("utf-8")


def bump_a_number(texts: list[str], rng: random.Random, serial: int) -> list[str]:
    """The paragraphs with one number (in a paragraph that has one) replaced by a unique one."""
    edited = list(texts)
    candidates = [i for i, p in enumerate(texts) if re.search(r"\d+", p)]
    at = candidates[rng.randrange(len(candidates))]
    edited[at] = re.sub(r"\d+", str(90_000 + serial), texts[at], count=1)
    return edited


def pages(count: int, seed: int = 20250510, distinct: bool = True) -> list[Page]:
    """`count` pages in the fixed mix, shuffled; each a distinct snapshot unless `distinct` is False,
    when bodies repeat under their new URLs and only seven different edits are made (so the corpus
    stops growing after a few learned texts)."""
    rng = random.Random(seed)
    real = real_pages()
    seeds = [paragraphs((ROOT / "corpus" / name).read_text(encoding="utf-8")) for name in SEEDS]
    kinds = [kind for kind, share in MIX.items() for _ in range(round(share * count))]
    kinds = (kinds + ["real"] * count)[:count]
    rng.shuffle(kinds)
    made = []
    for n, kind in enumerate(kinds):
        url = f"https://news.example/{kind}/{n}"
        if kind == "real":
            body, encoding = real[n % len(real)]
        else:
            text = seeds[n % len(seeds)]
            if kind == "changed":
                text = bump_a_number(text, random.Random(n % 7), n if distinct else n % 7)
            elif n % 2:
                text = text[: max(8, len(text) // 3)]  # an excerpt
            body, encoding = statement_page(text[0][:120], text, rng), "utf-8"
        if distinct:
            body += f"\n<!-- bench page {n} -->\n".encode()
        made.append(Page(kind, url, body, encoding))
    return made


def prepare(
    folder: Path, sink_url: str, redis_url: str, work: list[Page], enqueue: bool = True
) -> dict[str, str]:
    """A data folder with the corpus and these pages stored (and, with `enqueue`, queued for
    extraction); the workers' environment."""
    env = service_env(
        folder,
        sources="sources:\n  - {id: bench, kind: page, url: 'https://news.example/', interval: 600}\n",
        rules=RULES,
        apprise_url=sink_url,
        tags="analysts, archive",
        COMMUNIQUE_REDIS_URL=redis_url,
    )
    rules = Path(env["COMMUNIQUE_RULES_DIR"])
    corpus_database(folder / "data")
    settings = Settings(data_dir=folder / "data", rules_dir=rules)
    db = open_database(settings)
    sync_sources(db, [Source(id="bench", kind="page", url="https://news.example/")])
    stored = []
    for page in work:
        content_hash = hashlib.blake2b(page.body, digest_size=16).hexdigest()
        fetch = Fetch(
            "bench", page.url, 200, FetchState.FETCHED, content_hash=content_hash, bytes=len(page.body)
        )
        stored.append(record_fetch(db, fetch, body=page.body, encoding=page.encoding))
    db.close()
    if enqueue:
        queue_extraction(redis_url, stored)
    return env


def queue_extraction(redis_url: str, fetch_ids: list[int]) -> None:
    """Queue the extraction of stored fetches, as the crawler does."""
    queue = RedisQueue(redis_url)
    for fetch_id in fetch_ids:
        queue.enqueue(Stage.EXTRACT, fetch_id)
