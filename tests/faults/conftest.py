"""Fault tests: real redis-server, real database, the real `communique crawl` and `communique worker`
processes, the e2e news site with its apprise json:// sink, and faults injected from the test.

Every test runs on SQLite and on PostgreSQL (the `database_url` fixture). Each test prints
"fault X [database]: expected N delivered N duplicated 0", and the session's summary repeats those
lines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faults.harness import SUMMARIES, FaultySite


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Repeat the fault summaries at the end of the run, where the lead can copy them."""
    if SUMMARIES:
        terminalreporter.section("fault summaries")
        for line in SUMMARIES:
            terminalreporter.write_line(line)


@pytest.fixture
def site() -> Iterator[FaultySite]:
    with FaultySite() as news:
        yield news
        news.release.set()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database under test: SQLite in the test's folder, then a new PostgreSQL database."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'db' / 'communique.sqlite3'}"
