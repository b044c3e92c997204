"""Alerts for real: a seed edit is matched, rendered, stored and delivered through apprise to a local
JSON sink (json://) and a local SMTP server (mailto://, aiosmtpd), whose email is parsed. Also: one
target down, digests and follow-ups, on a real SQLite file."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from communique.errors import TransientError
from communique.model import FetchState, Relation
from communique.rules import Rule
from communique.settings import Settings
from communique.statements import Genre
from storage import alerts
from storage.corpus import add_corpus_document
from storage.database import Database, Row, open_database
from storage.documents import DocumentMeta, add_version_if_changed, upsert_document, version
from storage.fetches import Fetch, record_fetch
from tests.e2e.site import NewsSite
from tests.smtp_sink import SmtpSink, parse_email
from workers import delivery
from workers.alerting import FOLLOW_UP_SECONDS, alerts_for, file_alerts, provenance_of
from workers.bundles import close_due
from workers.corpus_index import load
from workers.engine import MatchResult, relate
from workers.extraction import text_hash
from workers.render import Message

URL = "https://tintuc.example/news/tuyen-bo-chung-post123.vnp"
RULE = Rule(name="vn-ru", events=[Relation.NEW, Relation.CHANGED, Relation.REPRINT], notify=["analysts"])
DIGEST = Rule(name="copies", events=[Relation.REPRINT], notify=["analysts"], format="summary", digest="daily")
T0 = 1_718_841_600.0  # 2024-06-20 00:00 UTC: the start of a daily window


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(Settings(data_dir=tmp_path, database_url=None))
    yield database
    database.close()


def apprise_config(folder: Path, urls: list[str]) -> Path:
    path = folder / "apprise.yml"
    entries = "".join(f"  - {url}:\n      tag: analysts\n" for url in urls)
    path.write_text(f"urls:\n{entries}", encoding="utf-8")
    return path


def store(db: Database, url: str, paragraphs: list[str], source_id: str = "tintuc") -> Row:
    """A stored version of a document with these paragraphs."""
    text = "\n".join(paragraphs)
    fetch = Fetch(source_id, url, 200, FetchState.EXTRACTED, content_hash=text_hash(text), bytes=len(text))
    fetch_id = record_fetch(db, fetch, body=text.encode(), encoding="utf-8")
    document_id = upsert_document(db, DocumentMeta(url, source_id, title="Tuyên bố chung Việt Nam - Nga"))
    version_id = add_version_if_changed(db, document_id, text, text_hash(text), fetch_id)
    assert version_id is not None
    row = version(db, version_id)
    assert row is not None
    return row


def seed_edit(db: Database) -> tuple[MatchResult, Row]:
    """The seed statement known as S1, a page reprinting it, then the page's edit 2024 → 2025."""
    original = list(NewsSite.PARAGRAPHS)
    text = "\n".join(original)
    add_corpus_document(db, "s1", statement_id="S1", text=text, text_hash=text_hash(text), language="vi")
    index = load(db)
    first = store(db, URL, original)
    reprint = relate(index, original)
    alerts.save_match(db, first["id"], relation=reprint.relation, statement_id="S1", coverage=1.0, result={})
    edited = list(original)
    edited[NewsSite.EDITED_INDEX] = NewsSite.EDITED_TO
    return relate(index, edited, previous=original), store(db, URL, edited)


def stored_message(db: Database, alert_id: int) -> Message:
    row = alerts.alert(db, alert_id)
    assert row is not None
    return Message(row["title"], row["body_text"], row["body_markdown"] or row["body_text"], row["body_html"])


def alert_now(db: Database, result: MatchResult, row: Row, rules: list[Rule], at: float) -> list[int]:
    """What the match job does: alerts rendered with provenance, filed in one transaction."""
    made = alerts_for(result, row, rules, provenance_of(db, result, row))
    with db.transaction():
        return file_alerts(db, made, {rule.name: rule for rule in rules}, result, row, at=at)


def deliver(db: Database, alert_id: int, config: Path) -> None:
    delivery.deliver(db, alert_id, config, ["analysts"], stored_message(db, alert_id))


def test_edit_reaches_email_as_coloured_html_and_json_as_text(db: Database, tmp_path: Path) -> None:
    result, row = seed_edit(db)
    assert result.relation is Relation.CHANGED
    with SmtpSink() as smtp, NewsSite() as sink:
        config = apprise_config(tmp_path, [smtp.url(), sink.apprise_url])
        [alert_id] = alert_now(db, result, row, [RULE], at=T0)
        deliver(db, alert_id, config)
        assert len(smtp.messages) == 1
        assert len(sink.alerts) == 1
    subject, html, text = parse_email(smtp.messages[0])
    assert subject == "[communique] changed: Tuyên bố chung Việt Nam - Nga"
    deleted = re.search(r'<del style="[^"]*background:#fdd[^"]*">([^<]*)</del>', html)
    inserted = re.search(r'<ins style="[^"]*background:#dfd[^"]*">([^<]*)</ins>', html)
    assert deleted is not None and deleted.group(1) == "2024"
    assert inserted is not None and inserted.group(1) == "2025"
    assert "S1 (coverage" in html and "<table" in html and "<style" not in html
    assert "[-2024-]{+2025+}" in text  # apprise's text alternative of the same message
    message = sink.alerts[0]["message"]  # json:// takes text: the diff as [-old-]{+new+}
    assert "[-2024-]{+2025+}" in message
    assert "First seen:" in message and "¶6 changed: 2024 → 2025" in message
    row_after = alerts.alert(db, alert_id)
    assert row_after is not None and row_after["delivered_at"] is not None
    targets = db.rows("SELECT target, delivered_at FROM alert_targets WHERE alert_id = ?", (alert_id,))
    assert sorted(t["target"].split(":")[0] for t in targets) == ["json", "mailto"]
    assert all("127.0.0.1" not in t["target"] for t in targets)  # names, never URLs


def test_a_slow_webhook_gets_the_alert_once_with_its_id_in_the_body_and_a_header(
    db: Database, tmp_path: Path
) -> None:
    result, row = seed_edit(db)
    with NewsSite() as slow:
        slow.alert_delay = 6.0  # apprise's own read timeout is 4 s: it gave up and the retry sent it again
        config = apprise_config(tmp_path, [slow.apprise_url])
        [alert_id] = alert_now(db, result, row, [RULE], at=T0)
        delivery.deliver(db, alert_id, config, ["analysts"], stored_message(db, alert_id), timeout=30.0)
        deliver(db, alert_id, config)  # a retry job finds it delivered
        assert len(slow.alerts) == 1
    stored = alerts.alert(db, alert_id)
    assert stored is not None and stored["delivered_at"] is not None
    uid = delivery.alert_uid(stored["key"])
    assert slow.alert_keys == [uid]
    assert slow.alerts[0]["message"].endswith(f"Alert id: {uid}")


def test_one_target_down_gets_it_once_back_and_the_other_never_twice(db: Database, tmp_path: Path) -> None:
    result, row = seed_edit(db)
    with NewsSite() as up, NewsSite() as down:
        config = apprise_config(tmp_path, [up.apprise_url, down.apprise_url])
        down.fail_alerts = True
        [alert_id] = alert_now(db, result, row, [RULE], at=T0)
        for _ in range(3):  # retries while one target is down
            with pytest.raises(TransientError, match="not delivered to every target"):
                deliver(db, alert_id, config)
        assert (len(up.alerts), len(down.alerts)) == (1, 0)
        failed = db.rows("SELECT error FROM deliveries WHERE alert_id = ? AND ok = 0", (alert_id,))
        # What went wrong, as apprise saw it; never the target's URL.
        assert all("500" in row["error"] and str(down.port) not in row["error"] for row in failed), [
            r["error"] for r in failed
        ]
        row_between = alerts.alert(db, alert_id)
        assert row_between is not None and row_between["delivered_at"] is None
        down.fail_alerts = False
        deliver(db, alert_id, config)
        deliver(db, alert_id, config)  # a late duplicate job sends nothing
        assert (len(up.alerts), len(down.alerts)) == (1, 1)
    attempts = db.rows("SELECT target, ok FROM deliveries WHERE alert_id = ? ORDER BY id", (alert_id,))
    assert [a["ok"] for a in attempts].count(1) == 2
    assert [a["ok"] for a in attempts].count(0) == 3
    row_after = alerts.alert(db, alert_id)
    assert row_after is not None and row_after["delivered_at"] is not None


def copy_of(db: Database, n: int, relation: Relation = Relation.NEW) -> tuple[MatchResult, Row]:
    """Outlet n carrying statement S1 (a result as the engine gives it, without running it)."""
    row = store(db, f"https://outlet{n}.example/s1", [f"Tuyên bố chung, bản của báo {n}.", "Đoạn hai."])
    result = MatchResult(relation, Genre.JOINT_STATEMENT, ["RU", "VN"], "vi", statement_id="S1", coverage=0.9)
    alerts.save_match(db, row["id"], relation=relation, statement_id="S1", coverage=0.9, result={})
    return result, row


def test_copies_of_one_statement_give_one_alert_and_one_follow_up(db: Database) -> None:
    first = alert_now(db, *copy_of(db, 1), [RULE], at=T0)
    assert len(first) == 1
    copies = [copy_of(db, n) for n in range(2, 6)]
    assert [alert_now(db, *copy, [RULE], at=T0 + 60 * n) for n, copy in enumerate(copies)] == [[]] * 4
    assert alert_now(db, *copies[0], [RULE], at=T0 + 600) == []  # a match run again: held once
    assert close_due(db, at=T0 + FOLLOW_UP_SECONDS - 1) == []  # the window is still open
    [follow_up] = close_due(db, at=T0 + FOLLOW_UP_SECONDS)
    assert close_due(db, at=T0 + 2 * FOLLOW_UP_SECONDS) == []  # sent once
    message = stored_message(db, follow_up)
    assert message.title.startswith("[communique] follow-up: 4 more source(s) carry new:")
    assert all(f"https://outlet{n}.example/s1" in message.text for n in range(2, 6))
    assert "outlet1" not in message.text
    row = alerts.alert(db, follow_up)
    assert row is not None and row["event"] == "follow-up"
    # A copy after the window is news again: an alert of its own, and later copies fold into it.
    assert len(alert_now(db, *copy_of(db, 7), [RULE], at=T0 + FOLLOW_UP_SECONDS + 5)) == 1
    assert alert_now(db, *copy_of(db, 8), [RULE], at=T0 + FOLLOW_UP_SECONDS + 10) == []


def test_a_real_edit_always_alerts_and_the_same_edit_elsewhere_is_a_follow_up(db: Database) -> None:
    result, row = seed_edit(db)
    assert len(alert_now(db, result, row, [RULE], at=T0)) == 1
    assert alert_now(db, result, row, [RULE], at=T0 + 1) == []  # the match job ran twice
    # Another outlet making the very same edit: held for the follow-up, not a second alert.
    elsewhere = store(db, "https://other.example/s1", row["text"].split("\n"), source_id="other")
    assert alert_now(db, result, elsewhere, [RULE], at=T0 + 2) == []
    # The first page edited again: a new alert at once.
    again = list(row["text"].split("\n"))
    again[0] = again[0] + " Hai bên ký kết thêm một văn bản."
    index = load(db)
    edited = relate(index, again, previous=row["text"].split("\n"))
    assert edited.relation is Relation.CHANGED
    assert len(alert_now(db, edited, store(db, URL, again), [RULE], at=T0 + 3)) == 1


def test_digest_collects_copies_and_is_sent_once_when_the_window_closes(db: Database, tmp_path: Path) -> None:
    for n in range(1, 4):
        assert alert_now(db, *copy_of(db, n, Relation.REPRINT), [DIGEST], at=T0 + 3600 * n) == []
    assert close_due(db, at=T0 + 86399) == []
    [digest] = close_due(db, at=T0 + 86400)
    assert close_due(db, at=T0 + 90000) == []
    message = stored_message(db, digest)
    assert message.title == "[communique] daily digest, copies: 3 page(s) from 2024-06-20 00:00 UTC"
    for n in range(1, 4):
        assert f"https://outlet{n}.example/s1" in message.text
    assert "reprint, of S1, coverage 90%" in message.text
    with NewsSite() as sink:
        deliver(db, digest, apprise_config(tmp_path, [sink.apprise_url]))
        assert [a["title"] for a in sink.alerts] == [message.title]


def test_no_alert_without_a_body(db: Database) -> None:
    row = store(db, "https://empty.example/", ["x"])
    empty = MatchResult(Relation.NEW, Genre.JOINT_STATEMENT, [], None)
    rule = Rule(name="r", events=[Relation.NEW], notify=["analysts"], format="summary")
    assert alerts_for(empty, row, [rule]) == []  # summary: no statement, no changes, no excerpt


def test_chat_targets_get_markdown_and_email_html(tmp_path: Path) -> None:
    slack = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general"
    urls = ["mailto://127.0.0.1:9?from=a@example.org", "json://127.0.0.1:9/x", slack]
    config = apprise_config(tmp_path, urls)
    found = delivery.targets(config, ["analysts"])
    assert {t.key.split(":")[0]: t.body_format.value for t in found} == {
        "mailto": "html",
        "json": "text",
        "slack": "markdown",
    }
    assert "TIiajkdnlazkcOXrIdevi7FQ" not in json.dumps([t.key for t in found])  # keys hold no secrets


def test_a_target_claimed_by_another_worker_is_not_sent_to_twice(db: Database, tmp_path: Path) -> None:
    result, row = seed_edit(db)
    with NewsSite() as sink:
        config = apprise_config(tmp_path, [sink.apprise_url])
        [alert_id] = alert_now(db, result, row, [RULE], at=T0)
        [target] = delivery.targets(config, ["analysts"])
        assert alerts.claim_target(db, alert_id, target.key, until=time.time() + 60)  # another worker
        assert not alerts.claim_target(db, alert_id, target.key, until=time.time() + 60)
        with pytest.raises(TransientError, match="being sent by another worker"):
            deliver(db, alert_id, config)
        assert sink.alerts == []
        alerts.record_attempt(db, alert_id, target.key, ok=False, error="worker died")  # claim released
        deliver(db, alert_id, config)
        assert len(sink.alerts) == 1
        assert not alerts.claim_target(db, alert_id, target.key, until=time.time() + 60)  # delivered


def test_a_delivery_made_while_the_database_is_locked_is_recorded_once_it_is_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_database(Settings(data_dir=tmp_path, database_url=None, db_busy_timeout=0.2))
    result, row = seed_edit(db)
    locker = sqlite3.connect(tmp_path / "communique.sqlite3", isolation_level=None, check_same_thread=False)
    send_to = delivery.send_to

    def send_then_lock(target: delivery.Target, message: Message, **options: Any) -> None:
        send_to(target, message, **options)
        locker.execute("BEGIN IMMEDIATE")  # another process writes for a while, right after the send
        threading.Timer(1.5, locker.execute, ["ROLLBACK"]).start()

    monkeypatch.setattr(delivery, "send_to", send_then_lock)
    with NewsSite() as sink:
        config = apprise_config(tmp_path, [sink.apprise_url])
        [alert_id] = alert_now(db, result, row, [RULE], at=T0)
        deliver(db, alert_id, config)  # waits for the lock to record what it sent
        deliver(db, alert_id, config)  # a retried job sends nothing more
        assert len(sink.alerts) == 1
    delivered = alerts.alert(db, alert_id)
    assert delivered is not None and delivered["delivered_at"] is not None
    assert [a["ok"] for a in db.rows("SELECT ok FROM deliveries WHERE alert_id = ?", (alert_id,))] == [1]
    locker.close()
    db.close()


def test_a_target_asking_for_markdown_gets_the_chat_body(db: Database, tmp_path: Path) -> None:
    result, row = seed_edit(db)
    with NewsSite() as sink:
        config = apprise_config(tmp_path, [sink.apprise_url + "?format=markdown"])
        [alert_id] = alert_now(db, result, row, [RULE], at=T0)
        deliver(db, alert_id, config)
        [received] = sink.alerts
    assert received["message"].startswith(f"**[Tuyên bố chung Việt Nam - Nga]({URL})**")
    assert "```\n¶6 (changed):" in received["message"]
    assert "- **Statement:** S1 (coverage" in received["message"]
