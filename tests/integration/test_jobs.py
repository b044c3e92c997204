"""The job functions on the embedded queue over real SQLite: an extract job matches the new version it
records in the same job; a match that fails there is queued as a match job of its own, which retries it.
A worker builds what matching needs before its first job.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest

from communique.errors import TransientError
from communique.language import _identifier
from communique.model import Stage
from communique.text import paragraphs
from tests.bad_input import Stages
from tests.conftest import ROOT
from tests.mutations import Mutant
from workers import corpus_index, jobs
from workers.context import warm_up

SEED = ROOT / "corpus" / "002_e951e8d45d85cfe3.txt"  # not in the harness's corpus: a new statement


def statement_page() -> Mutant:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs(SEED.read_text(encoding="utf-8")))
    page = f"<html><head><title>Tuyên bố chung</title></head><body><article>{body}</article></body></html>"
    return Mutant("synthetic", "statement", page.encode(), honest_charset=True)


def run_jobs(stages: Stages) -> list[tuple[Stage, str]]:
    """The jobs the queue runs from now on, with their outcomes."""
    ran: list[tuple[Stage, str]] = []
    stages.queue.observer = lambda stage, _seconds, outcome: ran.append((stage, outcome))
    return ran


def test_extract_matches_the_version_it_records_in_the_same_job(tmp_path: Path) -> None:
    stages = Stages(tmp_path)
    ran = run_jobs(stages)
    outcome = stages.feed(statement_page())
    assert outcome.matched and not outcome.crashes
    assert ran == [(Stage.EXTRACT, "ok"), (Stage.NOTIFY, "ok")]  # a new statement: the rule fires


def test_a_match_that_fails_in_the_extract_job_is_retried_by_a_match_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stages = Stages(tmp_path)
    ran = run_jobs(stages)
    relate, calls = jobs.relate, []

    def busy_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise TransientError("database busy")
        return relate(*args, **kwargs)

    monkeypatch.setattr(jobs, "relate", busy_once)
    outcome = stages.feed(statement_page())
    assert outcome.matched and not outcome.crashes
    assert ran == [(Stage.EXTRACT, "ok"), (Stage.MATCH, "ok"), (Stage.NOTIFY, "ok")]
    assert len(calls) == 2


def test_warm_up_builds_the_corpus_index_and_loads_the_language_model_the_first_job_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stages = Stages(tmp_path)
    builds: list[int] = []
    load = corpus_index.load

    def counted(db: Any) -> Any:
        builds.append(1)
        return load(db)

    monkeypatch.setattr(corpus_index, "load", counted)
    _identifier.cache_clear()
    warm_up(stages.context)
    assert builds == [1]
    assert _identifier.cache_info().currsize == 1
    outcome = stages.feed(statement_page())
    assert outcome.matched and not outcome.crashes
    assert builds == [1]  # the job matched against the index built beforehand
    assert _identifier.cache_info().misses == 1  # and classified with the model loaded then
