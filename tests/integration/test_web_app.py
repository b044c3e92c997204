"""The web app on a real SQLite store through Starlette's TestClient: pages, escaping, diffs, 404s,
the token, read-only, Atom feeds (parsed with feedparser) and the JSON API."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest
import yaml
from click.testing import CliRunner
from pydantic import SecretStr
from starlette.testclient import TestClient

from communique.errors import ConfigError
from communique.identity import Card
from communique.settings import Settings
from communique.sources import Source
from interface.cli import cli
from interface.web.app import create_app
from interface.web.diffview import diff_rows
from interface.web.serve import check, is_loopback
from storage.alerts import HeldAlert, NewAlert, claim_target, create_alert, hold, record_attempt, save_match
from storage.corpus import save_statement_card
from storage.database import Database, now, open_database
from storage.documents import DocumentMeta, add_version_if_changed, set_language, upsert_document
from storage.fetches import mark_polled, sync_sources
from tests.conftest import ROOT, cli_commands, run_cli
from tests.integration.test_storage import content_hash, fetched
from workers.alerting import version_link
from workers.render import AlertFacts, render_alert

S1 = "vn-ru-2024"
HOSTILE = "<script>window.pwned=1</script> Tuyên bố chung"
HOSTILE_PARAGRAPH = '<img src=x onerror="window.pwned=2"> Hai bên nhất trí'
V1 = [
    "Hà Nội, ngày 20 tháng 6 năm 2024.",
    "Hai bên ký kết vào tháng 3 năm 2024.",
    "Đoạn sẽ chuyển.",
    "Đoạn sẽ bị xóa.",
]
V2 = [
    "Hà Nội, ngày 20 tháng 6 năm 2024.",
    "Hai bên ký kết vào tháng 3 năm 2025.",
    HOSTILE_PARAGRAPH,
    "Đoạn sẽ chuyển.",
]
V3 = [
    "Đoạn sẽ chuyển.",
    "Hà Nội, ngày 20 tháng 6 năm 2024.",
    "Hai bên ký kết vào tháng 3 năm 2025.",
    HOSTILE_PARAGRAPH,
]


def fill(db: Database) -> dict[str, int]:
    """A source, a hostile document with three versions matched to S1, a card, an alert, a held one."""
    sync_sources(db, [Source(id="local-news", kind="page", url="https://news.example/", interval=300)])
    mark_polled(db, "local-news")
    url = "https://news.example/tuyen-bo"
    document_id = upsert_document(db, DocumentMeta(url=url, source_id="local-news", title=HOSTILE))
    set_language(db, document_id, "vi")
    ids = []
    for text, relation in (
        ("\n".join(V1), "reprint"),
        ("\n".join(V2), "changed"),
        ("\n".join(V3), "changed"),
    ):
        body = f"<html>{text}</html>".encode()
        fetch_id = fetched(db, body=body, url=url, source_id="local-news")
        version_id = add_version_if_changed(db, document_id, text, content_hash(text.encode()), fetch_id)
        assert version_id is not None
        save_match(db, version_id, relation=relation, statement_id=S1, coverage=0.95, result={})
        ids.append(version_id)
    save_statement_card(
        db, Card(S1, adopted=dt.date(2024, 6, 20), parties=("VN", "RU"), titles={"vi": HOSTILE})
    )
    alert_id = create_alert(
        db,
        NewAlert(
            key="joint:vn-ru-2024:x:changed",
            rule="joint",
            version_id=ids[1],
            event="changed",
            tags=["analysts"],
            title=f"[communique] changed: {HOSTILE}",
            body_text="¶2 (changed):\nHai bên ký kết vào tháng 3 năm [-2024-]{+2025+}.",
            body_html="<p>unused</p>",
            statement_group=S1,
        ),
    )
    assert alert_id is not None
    assert claim_target(db, alert_id, "json:0badc0de", now() + 60)
    record_attempt(
        db, alert_id, "json:0badc0de", ok=False, error="500 from json://bob:s3cretpassw0rd@hooks/x"
    )
    hold(
        db,
        HeldAlert("h1", "digest:copies:1", "digest", "copies", ids[0], "reprint", S1, 0.9, ["x"], now() + 60),
    )
    return {"document": document_id, "alert": alert_id, "v1": ids[0], "v2": ids[1], "v3": ids[2]}


@pytest.fixture
def store(storage_settings: Settings) -> Iterator[tuple[Settings, dict[str, int]]]:
    """The filled store, on SQLite and on PostgreSQL: every app test runs on both."""
    settings = storage_settings
    db = open_database(settings)
    try:
        yield settings, fill(db)
    finally:
        db.close()


@pytest.fixture
def client(store: tuple[Settings, dict[str, int]]) -> Iterator[TestClient]:
    with TestClient(create_app(store[0])) as test_client:
        yield test_client


@pytest.fixture
def ids(store: tuple[Settings, dict[str, int]]) -> dict[str, int]:
    return store[1]


def assert_escaped(body: str) -> None:
    """The hostile title and paragraph are in the page as text, never as markup."""
    assert "<script>window.pwned" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in body


def test_every_page_answers_and_escapes(client: TestClient, ids: dict[str, int]) -> None:
    d = ids["document"]
    pages = [
        "/statements",
        f"/statements/{S1}",
        "/documents",
        f"/documents/{d}",
        f"/documents/{d}/versions/2",
        f"/documents/{d}/diff?old=1&new=2",
        f"/documents/{d}/diff?old=2&new=3&view=inline",
        "/alerts",
        f"/alerts/{ids['alert']}",
        "/search?q=bên",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert "script-src" not in response.headers["content-security-policy"]  # default-src 'none'
        assert_escaped(response.text)
    sources = client.get("/sources")
    assert sources.status_code == 200 and "local-news" in sources.text and "<svg" in sources.text


def test_statement_page_shows_card_documents_and_timeline(client: TestClient, ids: dict[str, int]) -> None:
    page = client.get(f"/statements/{S1}").text
    assert "2024-06-20" in page and "VN, RU" in page
    assert f'href="/documents/{ids["document"]}"' in page
    assert page.count("<strong>edit</strong>") == 2 and "<strong>first seen</strong>" in page
    assert f'href="/feeds/statements/{S1}.atom"' in page
    assert f'href="/alerts/{ids["alert"]}"' in page


def test_diff_marks_words_and_paragraphs(client: TestClient, ids: dict[str, int]) -> None:
    d = ids["document"]
    side = client.get(f"/documents/{d}/diff?old=1&new=2").text
    assert "<del>2024</del>" in side and "<ins>2025</ins>" in side
    assert side.count("<del>") == 2 and side.count("<ins>") == 2  # the edit, the removed, the added
    assert 'data-status="removed"' in side and "Đoạn sẽ bị xóa." in side
    assert 'data-status="added"' in side
    moved = client.get(f"/documents/{d}/diff?old=2&new=3").text
    assert 'data-status="moved-from"' in moved and 'data-status="moved-to"' in moved
    assert "moved to ¶1" in moved and "moved from ¶4" in moved
    only = client.get(f"/documents/{d}/diff?old=1&new=2&changes=only").text
    assert 'data-status="same"' not in only and 'data-status="changed"' in only


def test_diff_rows_pair_moves_and_keep_the_word_diff() -> None:
    rows = diff_rows("\n".join(V1), "\n".join(V2))
    assert [row.status for row in rows] == ["same", "changed", "added", "same", "removed"]
    assert rows[0].old == rows[0].new == rows[0].inline == [("=", V1[0])]  # same: no marks at all
    changed = rows[1]
    assert ("-", "2024") in changed.old and ("+", "2025") in changed.new
    assert ("+", "2025") not in changed.old and ("-", "2024") not in changed.new
    moved = diff_rows("\n".join(V2), "\n".join(V3))
    assert {(r.status, r.moved_to, r.moved_from) for r in moved if r.status.startswith("moved")} == {
        ("moved-from", 1, None),
        ("moved-to", None, 4),
    }


def test_versions_link_to_their_diff_and_unknown_things_are_404(
    client: TestClient, ids: dict[str, int]
) -> None:
    d = ids["document"]
    first = client.get(f"/versions/{ids['v1']}", follow_redirects=False)
    assert first.headers["location"] == f"/documents/{d}/versions/1"
    later = client.get(f"/versions/{ids['v3']}", follow_redirects=False)
    assert later.headers["location"] == f"/documents/{d}/diff?old=2&new=3"
    for path in (
        "/documents/999999",
        "/statements/none-such",
        "/alerts/999999",
        "/versions/999999",
        f"/documents/{d}/versions/9",
        f"/documents/{d}/diff?old=1&new=9",
        "/snapshots/999999",
        "/no/such/page",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "not found" in response.text.lower(), path
    assert client.get("/api/documents/999999").json() == {"detail": "document 999999 not found"}
    assert client.get(f"/documents/{d}/diff?old=0&new=1").status_code == 422
    assert client.get("/search?q=x&since=yesterday").status_code == 400


def test_alert_shows_delivery_per_target_and_no_secret(client: TestClient, ids: dict[str, int]) -> None:
    page = client.get(f"/alerts/{ids['alert']}").text
    assert "json:0badc0de" in page and "not delivered" in page
    assert "s3cretpassw0rd" not in page
    assert f'href="/versions/{ids["v2"]}"' in page
    listing = client.get("/alerts").text
    assert "s3cretpassw0rd" not in listing and "digest" in listing and "copies" in listing
    assert "s3cretpassw0rd" not in client.get("/api/alerts").text


def test_snapshot_is_served_as_sandboxed_text(client: TestClient, ids: dict[str, int]) -> None:
    page = client.get(f"/documents/{ids['document']}").text
    fetch_ids = [int(part.split('"')[0]) for part in page.split('href="/snapshots/')[1:]]
    response = client.get(f"/snapshots/{fetch_ids[0]}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert response.text.startswith("<html>Hà Nội")


def test_read_only(client: TestClient) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = client.request(method, "/statements")
        assert response.status_code == 405, method


def test_token_is_required_when_set(store: tuple[Settings, dict[str, int]]) -> None:
    settings = store[0].model_copy(update={"web_token": SecretStr("correct-horse-battery")})
    with TestClient(create_app(settings)) as client:
        assert client.get("/statements").status_code == 401
        assert client.get("/api/statements").status_code == 401
        assert client.get("/feeds/alerts.atom").status_code == 401
        wrong = {"Authorization": "Bearer correct-horse-batterx"}
        assert client.get("/statements", headers=wrong).status_code == 401
        right = {"Authorization": "Bearer correct-horse-battery"}
        assert client.get("/statements", headers=right).status_code == 200
        once = client.get("/search?q=bên&token=correct-horse-battery", follow_redirects=False)
        assert once.status_code == 303 and "token" not in once.headers["location"]
        assert once.headers["location"].startswith("/search?q=")
        assert client.get("/statements").status_code == 200  # the cookie set by ?token= carries it
        client.cookies.clear()
        client.cookies.set("communique_token", "correct-horse-batterx")
        assert client.get("/statements?token=nope").status_code == 401


def test_binding_beyond_loopback_needs_a_token() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")
    assert check(Settings(), "127.0.0.1") == "this machine only, no token"
    with pytest.raises(ConfigError, match="COMMUNIQUE_WEB_TOKEN"):
        check(Settings(), "0.0.0.0")
    assert check(Settings(web_token=SecretStr("t0ken-long-enough")), "0.0.0.0") == "token required"
    with pytest.raises(ConfigError, match="empty"):
        check(Settings(web_token=SecretStr("")), "127.0.0.1")


def test_web_command_refuses_an_open_bind_without_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMUNIQUE_")}
    done = run_cli({**env, "COMMUNIQUE_DATA_DIR": str(tmp_path)}, "web", "--host", "0.0.0.0", ok=False)
    assert done.returncode == 2, done.stderr
    assert "set COMMUNIQUE_WEB_TOKEN" in done.stderr
    assert not (tmp_path / "communique.sqlite3").exists()  # refused before anything was opened


def test_web_command_is_listed_with_an_example() -> None:
    result = CliRunner().invoke(cli, ["web", "--help"])
    assert result.exit_code == 0 and "communique web --port" in result.output


def test_feeds_are_valid_atom(client: TestClient, ids: dict[str, int]) -> None:
    for path in ("/feeds/alerts.atom", "/feeds/rules/joint.atom", f"/feeds/statements/{S1}.atom"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/atom+xml")
        feed = feedparser.parse(response.content)
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.version == "atom10"
        [entry] = feed.entries
        assert entry.title == f"[communique] changed: {HOSTILE}"  # the text, unharmed and inert
        assert entry.link.endswith(f"/versions/{ids['v2']}")
        assert "[-2024-]{+2025+}" in entry.content[0].value
    empty = feedparser.parse(client.get("/feeds/rules/never-fired.atom").content)
    assert not empty.bozo and empty.entries == []


def test_api_and_its_openapi_description(client: TestClient, ids: dict[str, int]) -> None:
    d = ids["document"]
    statements = client.get("/api/statements").json()
    assert statements["items"][0]["statement_id"] == S1
    assert statements["items"][0]["card"]["parties"] == ["VN", "RU"]
    assert [v["seq"] for v in client.get(f"/api/documents/{d}").json()["versions"]] == [1, 2, 3]
    assert client.get(f"/api/documents/{d}/versions/1").json()["text"] == "\n".join(V1)
    diff = client.get(f"/api/documents/{d}/diff?old=1&new=2").json()
    assert diff["counts"] == {"same": 2, "changed": 1, "added": 1, "removed": 1}
    [alert] = client.get("/api/alerts?rule=joint").json()["items"]
    assert alert["targets"][0]["target"] == "json:0badc0de"
    assert client.get("/api/sources").json()[0]["id"] == "local-news"
    assert client.get("/api/search?q=2025").json()["items"][0]["document_id"] == d
    assert client.get(f"/api/statements/{S1}").json()["timeline"][0]["relation"] == "reprint"
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {
        "/api/statements",
        "/api/documents/{document_id}",
        "/api/documents/{document_id}/diff",
        "/api/alerts",
        "/api/sources",
        "/api/search",
    } <= set(spec["paths"])
    assert not any(path.startswith(("/statements", "/feeds")) for path in spec["paths"])


def test_alerts_link_to_the_version_page_when_the_web_url_is_set() -> None:
    link = version_link("https://monitor.example/web/", 42)
    assert link == "https://monitor.example/web/versions/42"
    facts = AlertFacts(
        name="Tuyên bố chung",
        url="https://news.example/a",
        source_id="local-news",
        event="changed",
        version=2,
        seen_at=0.0,
        kind="statement",
        statement_id=S1,
        diff_text="x",
        diff_html="x",
    )
    message = render_alert(replace(facts, link=link))
    assert f"Versions: {link}" in message.text
    assert f'<a href="{link}">' in message.html
    assert f"({link})" in message.markdown
    assert link not in render_alert(facts).text  # without COMMUNIQUE_WEB_URL, no link


def test_compose_web_service_requires_a_token_and_publishes_on_loopback() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    web = compose["services"]["web"]
    assert web["command"][0] in cli_commands() and web["command"][:1] == ["web"]
    assert web["environment"]["COMMUNIQUE_WEB_TOKEN"].startswith("${COMMUNIQUE_WEB_TOKEN:?")
    assert all(port.startswith("127.0.0.1:") for port in web["ports"])
    assert "Authorization" in " ".join(web["healthcheck"]["test"])
