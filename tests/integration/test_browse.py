"""What the web reads from storage (storage.browse, storage.search), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from communique.identity import Card
from communique.settings import Settings
from communique.sources import Source
from storage import browse
from storage.alerts import HeldAlert, claim_target, hold, record_attempt, save_match
from storage.corpus import save_statement_card
from storage.database import Database, now, open_database
from storage.documents import DocumentMeta, add_version_if_changed, set_language, upsert_document
from storage.fetches import mark_polled, record_source_result, sync_sources
from storage.search import Filters, search, snippet
from tests.integration.test_storage import content_hash, fetched, new_alert

S1 = "vn-ru-2024"


@pytest.fixture
def db(storage_settings: Settings) -> Iterator[Database]:
    database = open_database(storage_settings)
    yield database
    database.close()


def carried(
    db: Database, url: str, text: str, relation: str, *, source_id: str = "src", lang: str = "vi"
) -> int:
    """A version of `url` with `text`, matched to statement S1 with `relation`; its id."""
    document_id = upsert_document(db, DocumentMeta(url=url, source_id=source_id, title=f"Title of {url}"))
    set_language(db, document_id, lang)
    version_id = add_version_if_changed(
        db, document_id, text, content_hash(text.encode()), fetched(db, url=url, source_id=source_id)
    )
    assert version_id is not None
    save_match(db, version_id, relation=relation, statement_id=S1, coverage=0.9, result={})
    return version_id


def test_statements_list_and_timeline(db: Database) -> None:
    carried(db, "https://a.example/1", "Tuyên bố chung Việt Nam Nga", "reprint")
    carried(
        db,
        "https://b.example/1",
        "Совместное заявление России и Вьетнама",
        "translation",
        source_id="b",
        lang="ru",
    )
    carried(db, "https://a.example/1", "Tuyên bố chung Việt Nam Nga năm 2025", "changed")
    other = upsert_document(db, DocumentMeta(url="https://c.example/x", source_id="c"))
    mention = add_version_if_changed(db, other, "mentions it", "h1", fetched(db, url="https://c.example/x"))
    assert mention is not None
    save_match(db, mention, relation="mention", statement_id=S1, coverage=0.1, result={})
    save_statement_card(
        db, Card(S1, adopted=dt.date(2024, 6, 20), parties=("VN", "RU"), titles={"vi": "TBC"})
    )

    page = browse.statements(db)
    [row] = page.rows
    assert (row["statement_id"], row["documents"], row["versions"]) == (S1, 2, 3)  # the mention is no carrier
    assert row["card"].parties == ("VN", "RU")
    assert row["languages"] == ["ru", "vi"]
    assert not page.more

    found = browse.statement(db, S1)
    assert found is not None
    assert [entry["relation"] for entry in found["timeline"]] == ["reprint", "translation", "changed"]
    assert [(d["url"], d["versions"], d["relation"]) for d in found["documents"]] == [
        ("https://a.example/1", 2, "changed"),
        ("https://b.example/1", 1, "translation"),
    ]
    assert browse.statement(db, "nothing-known") is None


def test_statements_paginate(db: Database) -> None:
    for n in range(3):
        document_id = upsert_document(db, DocumentMeta(url=f"https://a.example/{n}", source_id="src"))
        version_id = add_version_if_changed(db, document_id, f"text {n}", f"h{n}", fetched(db))
        assert version_id is not None
        save_match(db, version_id, relation="new", statement_id=f"s{n}", coverage=1.0, result={})
    first = browse.statements(db, limit=2)
    second = browse.statements(db, offset=2, limit=2)
    assert [r["statement_id"] for r in first.rows] == ["s2", "s1"] and first.more
    assert [r["statement_id"] for r in second.rows] == ["s0"] and not second.more


def test_document_versions_and_texts(db: Database) -> None:
    first = carried(db, "https://a.example/1", "one\ntwo", "reprint")
    second = carried(db, "https://a.example/1", "one\ntwo\nthree", "changed")
    new_alert(db, second)
    place = browse.version_place(db, second)
    assert place is not None
    document_id, seq = place
    found = browse.document(db, document_id)
    assert found is not None
    assert [(v["id"], v["seq"], v["relation"], v["alerts"]) for v in found["versions"]] == [
        (first, 1, "reprint", 0),
        (second, 2, "changed", 1),
    ]
    assert found["versions"][0]["characters"] == len("one\ntwo")
    old, new = browse.version_text(db, document_id, 1), browse.version_text(db, document_id, seq)
    assert old is not None and new is not None
    assert (old["text"], new["text"]) == ("one\ntwo", "one\ntwo\nthree")
    assert browse.version_text(db, document_id, 9) is None
    assert browse.document(db, 999_999) is None
    snap = browse.snapshot_of(db, int(found["versions"][0]["fetch_id"]))
    assert snap is not None and snap["url"] == "https://a.example/1"
    listed = browse.documents(db, source_id="src")
    assert [(d["id"], d["versions"]) for d in listed.rows] == [(document_id, 2)]
    assert browse.documents(db, source_id="elsewhere").rows == []


def test_alerts_show_delivery_per_target_without_secrets(db: Database) -> None:
    version_id = carried(db, "https://a.example/1", "text", "new")
    alert_id = new_alert(db, version_id)
    assert alert_id is not None
    assert claim_target(db, alert_id, "json:abcd", now() + 60)
    record_attempt(db, alert_id, "json:abcd", ok=False, error="refused by json://user:hunter22secret@host/x")
    assert claim_target(db, alert_id, "mailto:ef01", now() + 60)
    record_attempt(db, alert_id, "mailto:ef01", ok=True)

    [listed] = browse.alerts(db, rule="rule").rows
    assert listed["tags"] == ["team"]
    states = {t["target"]: t for t in listed["targets"]}
    assert states["mailto:ef01"]["delivered_at"] is not None
    assert states["json:abcd"]["delivered_at"] is None and states["json:abcd"]["attempts"] == 1
    assert "hunter22secret" not in str(browse.alert(db, alert_id))
    assert "hunter22secret" not in str(listed)
    assert browse.alerts(db, rule="other").rows == []
    assert browse.alert(db, 999_999) is None


def test_held_alerts_listed_until_sent(db: Database) -> None:
    version_id = carried(db, "https://a.example/1", "text", "reprint")
    held = HeldAlert(
        "k1", "digest:r:1", "digest", "r", version_id, "reprint", S1, 0.9, ["team"], now() + 3600
    )
    assert hold(db, held)
    [row] = browse.held(db)
    assert (row["kind"], row["rule"], row["url"]) == ("digest", "r", "https://a.example/1")


def test_sources_health_counts_fetches_per_day(db: Database) -> None:
    sync_sources(db, [Source(id="src", kind="page", url="https://a.example/", interval=300)])
    fetched(db)
    fetched(db, body=b"other")
    mark_polled(db, "src")
    record_source_result(db, "src", "timeout at https://user:pw-secret-1@a.example/")
    [row] = browse.sources(db, at=now(), days=7)
    assert row["fetches_per_day"][-1] == 2 and sum(row["fetches_per_day"]) == 2
    assert row["next_poll_at"] >= row["last_polled_at"]
    assert "pw-secret-1" not in row["last_error"]


def test_search_finds_words_with_filters(db: Database) -> None:
    carried(db, "https://a.example/1", "Tuyên bố chung về hợp tác năng lượng", "reprint")
    carried(
        db,
        "https://b.example/1",
        "Совместное заявление о сотрудничестве",
        "translation",
        source_id="b",
        lang="ru",
    )
    carried(db, "https://c.example/1", "A joint statement on energy", "new", source_id="c", lang="en")

    def urls(query: str, filters: Filters | None = None) -> list[str]:
        return [row["url"] for row in search(db, query, filters or Filters()).rows]

    assert urls("năng lượng") == ["https://a.example/1"]
    assert urls("заявление") == ["https://b.example/1"]
    assert urls("joint energy") == ["https://c.example/1"]
    assert urls("joint missing") == []
    assert urls("joint", Filters(language="vi")) == []
    assert urls("joint", Filters(relation="new", source_id="c")) == ["https://c.example/1"]
    assert urls("joint", Filters(until=now() - 3600)) == []
    assert urls('joint"* (-') == ["https://c.example/1"]  # FTS5 syntax in a query is not read as such
    assert urls("NEAR AND joint") == []  # operators are words the text must have
    assert urls("!!!") == []
    [row] = search(db, "energy").rows
    assert "energy" in row["snippet"]


def test_snippet_cuts_around_the_first_word() -> None:
    text = "x " * 300 + "needle here" + " y" * 300
    cut = snippet(text, ["needle"], width=60)
    assert "needle" in cut and cut.startswith("…") and cut.endswith("…")
    assert snippet("short text", ["absent"]) == "short text"
