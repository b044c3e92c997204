"""The real stages on bad input: each mutant is stored by the crawler's pipeline as the crawler
would hand it over, then the extract and match jobs run on the embedded queue over real SQLite.

A job that raises anything but TransientError is a crash: the queue would log it and storage would
offer the same work again forever. Notify jobs are not run (no delivery here).
"""

from __future__ import annotations

import re
import time
import traceback
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from scrapy.http import HtmlResponse

from communique.errors import TransientError
from communique.model import FetchState, Stage
from communique.settings import Settings
from communique.sources import PageSource
from communique.text import normalise
from crawler.items import FetchItem
from crawler.pipelines import SnapshotPipeline
from storage.database import Database, open_database
from storage.fetches import sync_sources
from tests.conftest import ROOT
from tests.mutations import Mutant
from workers.context import Context, bind
from workers.corpus import import_texts
from workers.extraction import MAX_TEXT_CHARS
from workers.jobs import JOBS
from workers.queue import EmbeddedQueue

EXTRACTED = str(FetchState.EXTRACTED)
FAILED = str(FetchState.FAILED)
SOURCE = PageSource(id="bad-input", url="https://example.org/")
RULES = """
rules:
  - name: anything-new
    events: [new, changed, reprint, excerpt, translation]
    notify: [analysts]
"""
# Two known statements, Vietnamese and Russian, so that matching has a corpus to search.
CORPUS = [ROOT / "corpus" / "001_cfe805069be26ee0.txt", ROOT / "corpus" / "003_024cb3686d4085ed.txt"]

# The stored error, reduced to its kind: what the bad-input counts are grouped by.
ERROR_KINDS = [
    ("too large", re.compile(r"^too large: [\d,]+ bytes > limit [\d,]+$")),
    ("empty", re.compile(r"^empty: ")),
    ("not HTML: binary content", re.compile(r"^not HTML: binary content")),
    ("not text in its charset", re.compile(r"^not text in \S+: ")),
    ("nested too deep", re.compile(r"^nested too deep: ")),
    ("no article text", re.compile(r"^no article text")),
    ("extraction failed", re.compile(r"^extraction failed: ")),
]


def error_kind(error: str | None) -> str:
    """The kind of a stored per-document error; "unclear" when it is none of the known ones."""
    for kind, pattern in ERROR_KINDS:
        if error and pattern.search(error):
            return kind
    return "unclear"


# Mutations that must fail, and how.
EXPECTED_ERROR = {
    "binary": "not HTML: binary content",
    "gzip-unannounced": "not HTML: binary content",
    "empty": "empty",
    "whitespace": "empty",
    "huge-paragraphs": "too large",
    "huge-text-node": "too large",
    "nested": "nested too deep",
    "nested-unclosed": "nested too deep",
}
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


@dataclass
class Outcome:
    """What became of one mutant: the fetch's final state, its error or text, and the work it cost."""

    mutant: Mutant
    state: str
    error: str | None
    text: str | None
    matched: bool
    seconds: float
    language: str | None = None  # of the document, as matching identified it
    crashes: list[str] = field(default_factory=list)

    def problem(self) -> str | None:
        """What is wrong with this outcome, if anything (crashes aside)."""
        kind = self.mutant.kind
        if self.state == FAILED:
            found = error_kind(self.error)
            if found == "unclear" or EXPECTED_ERROR.get(kind, found) != found:
                return f"failed with {self.error!r}"
            return None
        if self.state != EXTRACTED:
            return f"left {self.state}"
        if kind in EXPECTED_ERROR:
            return f"extracted; expected {EXPECTED_ERROR[kind]}"
        return self._text_problem()

    def _text_problem(self) -> str | None:
        text = self.text
        if not text or not self.matched:
            return "extracted, but no version stored or not matched"
        if text != normalise(text) or not unicodedata.is_normalized("NFC", text):
            return "text not normalised"
        if any(char in text for char in INVISIBLE):
            return "zero-width characters left"
        if len(text) > MAX_TEXT_CHARS:
            return f"text of {len(text):,} characters, over the cap"
        if self.mutant.honest_charset and text.count("\ufffd") > 1 + len(text) // 1000:
            return "U+FFFD flood"
        return None


class Stages:
    """Storage, queue and job context in `folder`; `feed` runs one mutant through them."""

    def __init__(self, folder: Path, max_page_bytes: int | None = None, rules_yaml: str = RULES) -> None:
        """`max_page_bytes`: the pipeline's limit (default: the settings'; 0: none)."""
        rules = folder / "rules"
        rules.mkdir(parents=True, exist_ok=True)
        (rules / "watch.yaml").write_text(rules_yaml, encoding="utf-8")
        self.settings = Settings(data_dir=folder / "data", rules_dir=rules, corpus_dir=folder / "no-corpus")
        self.db: Database = open_database(self.settings)
        sync_sources(self.db, [SOURCE])
        import_texts(self.db, CORPUS, statement="vn-ru-2017")
        self.queue = EmbeddedQueue(self._run)
        self.context = Context(self.settings, self.db, self.queue)
        crawler: Any = SimpleNamespace(spider=SimpleNamespace(queue=self.queue))
        limit = self.settings.max_page_bytes if max_page_bytes is None else max_page_bytes
        self.pipeline = SnapshotPipeline(self.db, crawler, limit or None)
        self._crashes: list[str] = []
        self.fed = 0
        self.alerted: list[int] = []  # alert ids whose notify job was queued (it is not run)

    def _run(self, stage: Stage, item_id: int) -> None:
        if stage is Stage.NOTIFY:
            self.alerted.append(item_id)
            return
        try:
            JOBS[stage](item_id)
        except TransientError:
            raise
        except BaseException:
            self._crashes.append(f"{stage.value} {item_id}: {traceback.format_exc()}")

    def serve(self, url: str, body: bytes, content_type: str) -> None:
        """Store one response for `url` as the crawler would (Scrapy picks the encoding), run the jobs."""
        self._crashes = []
        bind(self.context)  # the jobs find their context on this thread
        response = HtmlResponse(url=url, body=body, headers={"Content-Type": content_type})
        item = FetchItem(SOURCE.id, url, 200, body=body, encoding=response.encoding)
        self.pipeline.process_item(item)
        self.queue.drain()

    @property
    def crashes(self) -> list[str]:
        """What the jobs of the last `serve` raised besides TransientError."""
        return list(self._crashes)

    def feed(self, mutant: Mutant) -> Outcome:
        """Store the mutant as the crawler would (Scrapy picks the encoding), run the jobs, report."""
        self.fed += 1  # a URL of its own: the same body fed twice is one document, not modified
        url = f"https://example.org/{mutant.kind}/{mutant.page}?{self.fed}"
        started = time.perf_counter()
        self.serve(url, mutant.body, mutant.content_type)
        seconds = time.perf_counter() - started
        fetch = self.db.row("SELECT state, error FROM fetches WHERE url = ? ORDER BY id DESC LIMIT 1", (url,))
        assert fetch is not None
        version = self.db.row(
            "SELECT v.text, m.version_id IS NOT NULL AS matched, d.language FROM versions v "
            "JOIN documents d ON d.id = v.document_id LEFT JOIN matches m ON m.version_id = v.id "
            "WHERE d.url = ? ORDER BY v.id DESC LIMIT 1",
            (url,),
        )
        return Outcome(
            replace(mutant, body=b""),  # a report keeps no body: 50 MB ones add up
            state=str(fetch["state"]),
            error=fetch["error"],
            text=version["text"] if version else None,
            matched=bool(version and version["matched"]),
            seconds=seconds,
            language=version["language"] if version else None,
            crashes=list(self._crashes),
        )
