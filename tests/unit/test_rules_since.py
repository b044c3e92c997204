"""`communique rules test --since`: a dry run of the rules on the versions stored since a moment, on a
real SQLite database filled through the storage functions and the real matching engine."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

import storage.documents
from communique.model import FetchState
from communique.settings import Settings
from communique.text import paragraphs
from interface.cli import cli
from interface.cli.rules_cmd import parse_since
from storage.alerts import save_match
from storage.database import Database, open_database
from storage.documents import DocumentMeta, add_version_if_changed, upsert_document
from storage.fetches import Fetch, record_fetch
from tests.conftest import ROOT
from workers.corpus import import_texts
from workers.corpus_index import load
from workers.engine import relate

SEED = ROOT / "corpus" / "004_4c3b450e9087d95b.txt"
RULES = """rules:
  - name: changes
    events: [changed]
    notify: [analysts]
  - name: fresh
    events: [new]
    notify: [ops]
  - name: only-vietnamplus
    events: [changed, unrelated]
    sources: [vietnamplus-*]
    notify: [vn-desk]
"""
DAY = 86400.0
WEATHER = "Dự báo thời tiết: Hà Nội có mưa rào và dông rải rác vào chiều tối, nhiệt độ cao nhất 33 độ."


def add_version(db: Database, url: str, source_id: str, text: str) -> int:
    """One fetched page's new version, as the extract job stores it."""
    fetch = record_fetch(db, Fetch(source_id, url, 200, FetchState.EXTRACTED))
    document_id = upsert_document(db, DocumentMeta(url=url, source_id=source_id, title=f"Tin {source_id}"))
    version_id = add_version_if_changed(db, document_id, text, f"hash-{hash(text)}", fetch)
    assert version_id is not None
    return version_id


def match_and_store(db: Database, version_id: int, text: str, previous: str | None) -> None:
    """What the match job stores for a version."""
    previous_lines = previous.split("\n") if previous else None
    result = relate(load(db), text.split("\n"), previous=previous_lines)
    save_match(
        db,
        version_id,
        relation=result.relation,
        statement_id=result.statement_id,
        coverage=result.coverage,
        result=result.to_json(),
    )


@pytest.fixture
def stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    """A database with the seed 004 known and three versions on two documents:

    tass-ru, version 1 (3 days ago): a reprint of the seed, matched;
    tass-ru, version 2 (now): 2030 edited to 2031, matched (changed);
    vietnamplus-world, version 1 (now): unrelated, not matched yet.
    """
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    (rules / "watch.yaml").write_text(RULES, encoding="utf-8")
    monkeypatch.setenv("COMMUNIQUE_RULES_DIR", str(rules))
    monkeypatch.setenv("COMMUNIQUE_DATA_DIR", str(tmp_path / "data"))
    db = open_database(Settings(data_dir=tmp_path / "data"))
    import_texts(db, [SEED])
    original = "\n".join(paragraphs(SEED.read_text(encoding="utf-8")))  # as extraction stores it
    edited = original.replace("2030", "2031")
    url = "https://tass.ru/politika/1"
    with monkeypatch.context() as past:
        past.setattr(storage.documents, "now", lambda: time.time() - 3 * DAY)
        old = add_version(db, url, "tass-ru", original)
    match_and_store(db, old, original, None)
    match_and_store(db, add_version(db, url, "tass-ru", edited), edited, original)
    add_version(db, "https://www.vietnamplus.vn/post1.vnp", "vietnamplus-world", WEATHER)
    return db


def rules_test(*args: str) -> Result:
    result = CliRunner().invoke(cli, ["rules", "test", *args])
    assert result.exit_code == 0, result.output
    return result


def counts(db: Database) -> dict[str, int]:
    tables = ("versions", "matches", "alerts", "deliveries", "corpus")
    return {table: db.row(f"SELECT count(*) AS n FROM {table}")["n"] for table in tables}  # type: ignore[index]


def test_since_shows_the_rules_firing_on_each_version_stored_since_then(stored: Database) -> None:
    before = counts(stored)
    output = rules_test("--since", "1d").output
    edited, weather = output.split("\n\n== ")[:2]
    assert edited.startswith("== https://tass.ru/politika/1 (version 2, tass-ru, ")
    assert edited.split("\n")[0].endswith(": changed [stored match]")
    assert "rule changes fires → analysts" in edited
    assert "fresh" not in edited and "only-vietnamplus" not in edited  # not new; not that source
    assert "title: [communique] changed: Tin tass-ru" in edited
    for line in ("Event: changed", "Source: tass-ru", "2030 → 2031"):
        assert line in edited
    assert weather.startswith("https://www.vietnamplus.vn/post1.vnp (version 1, vietnamplus-world, ")
    assert weather.split("\n")[0].endswith(": unrelated [matched now]")
    assert "rule only-vietnamplus fires → vn-desk" in weather
    assert "version 1, tass-ru" not in output  # three days old
    assert output.rstrip().split("\n")[-1].startswith("2 versions first seen since ")
    assert counts(stored) == before  # a dry run stores nothing


def test_since_a_date_includes_older_versions_oldest_first(stored: Database) -> None:
    four_days_ago = datetime.fromtimestamp(time.time() - 4 * DAY, UTC).date().isoformat()
    output = rules_test("--since", four_days_ago).output
    headers = [line for line in output.split("\n") if line.startswith("== ")]
    assert [h.split(" (")[1].split(",")[0] for h in headers] == ["version 1", "version 2", "version 1"]
    assert headers[0].endswith(": reprint [stored match]")
    assert "no rule fires (3 rules)" in output.split("\n\n")[0]
    assert "3 versions first seen since " in output


def test_since_now_finds_nothing(stored: Database) -> None:
    output = rules_test("--since", datetime.now(UTC).isoformat()).output
    assert output.startswith("0 versions first seen since ")


def test_inputs_or_since_not_both(stored: Database, tmp_path: Path) -> None:
    for args in ([], ["--since", "1d", str(SEED)]):
        result = CliRunner().invoke(cli, ["rules", "test", *args])
        assert result.exit_code == 2
        assert "either inputs" in result.output
    result = CliRunner().invoke(cli, ["rules", "test", "--since", "last week"])
    assert result.exit_code == 2
    assert "Invalid value for --since: 'last week'" in result.output


NOW = datetime(2025, 5, 10, 12, 0, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30m", NOW - 1800),
        ("12h", NOW - 12 * 3600),
        ("2d", NOW - 2 * DAY),
        ("1w", NOW - 7 * DAY),
        ("2025-05-09", datetime(2025, 5, 9, tzinfo=UTC).timestamp()),
        ("2025-05-09T08:00", datetime(2025, 5, 9, 8, tzinfo=UTC).timestamp()),
        ("2025-05-09T08:00+07:00", datetime(2025, 5, 9, 1, tzinfo=UTC).timestamp()),
        ("2025-05-09T08:00:00Z", datetime(2025, 5, 9, 8, tzinfo=UTC).timestamp()),
    ],
)
def test_parse_since(value: str, expected: float) -> None:
    assert parse_since(value, NOW) == expected


@pytest.mark.parametrize("value", ["", "yesterday", "2d ago", "-2d", "10/05/2025", "2s"])
def test_parse_since_refuses_what_it_cannot_read(value: str) -> None:
    with pytest.raises(click.BadParameter):
        parse_since(value, NOW)
