"""What a job needs (settings, database, queue, rules), built once per worker thread or process."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from communique.language import load_language_model
from communique.model import JobQueue
from communique.rules import Rule, load_rules
from communique.settings import Settings
from storage.database import Database, open_database
from workers.corpus_index import CorpusCache
from workers.queue import RedisQueue


@dataclass
class Context:
    """The dependencies of the job functions."""

    settings: Settings
    db: Database
    queue: JobQueue
    corpus: CorpusCache = field(default_factory=CorpusCache)
    _rules: list[Rule] = field(default_factory=list)
    _rules_stamp: tuple[tuple[str, float], ...] = ()

    @property
    def rules(self) -> list[Rule]:
        """The watch rules, read again when a rules file changed (so edits need no restart)."""
        stamp = _stamp(self.settings.rules_dir)
        if stamp != self._rules_stamp:
            self._rules = load_rules(self.settings.rules_dir)
            self._rules_stamp = stamp
        return self._rules


_local = threading.local()


def bind(context: Context) -> None:
    """Make `context` the one jobs on this thread use."""
    _local.context = context


def bind_once(settings: Settings, queue: JobQueue) -> None:
    """Bind a context for this thread unless one is bound (the embedded queue's threads)."""
    if getattr(_local, "context", None) is None:
        bind(Context(settings, open_database(settings), queue))


def current() -> Context:
    """This thread's context; in an RQ worker, built from the environment on first use."""
    context: Context | None = getattr(_local, "context", None)
    if context is None:
        settings = Settings()
        if not settings.redis_url:
            raise RuntimeError("no job context bound and COMMUNIQUE_REDIS_URL is not set")
        context = Context(
            settings, open_database(settings), RedisQueue(settings.redis_url, settings.retry_intervals)
        )
        bind(context)
    return context


def warm_up(context: Context) -> None:
    """Build the corpus index and load the language model before the first job: otherwise the first
    job a worker runs pays for them (the language model alone takes 0.4 s to load)."""
    context.corpus.get(context.db)
    load_language_model()


def _stamp(rules_dir: Path) -> tuple[tuple[str, float], ...]:
    return tuple(sorted((p.name, p.stat().st_mtime) for p in rules_dir.glob("*.yaml")))
