"""The web pages in a real browser: headless Debian chromium, driven by Playwright, against a real
`communique web` over a store filled by real runs of the service on the local news site (its article
edited, then extended, its title and one paragraph hostile)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import free_port, run_cli
from tests.e2e.site import NewsSite
from tests.e2e.test_pipeline import RULES
from tests.service_env import page_source, service_env

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

HOSTILE_TITLE = "<script>window.pwned = 1</script> Toàn văn Tuyên bố chung Việt Nam - Liên bang Nga"
HOSTILE_PARAGRAPH = (
    '<img src="x" onerror="window.pwned = 2"> Hai bên khẳng định quan hệ hữu nghị truyền thống.'
)
# Screenshots for the README are written here when this is set (docs/ of the checkout, say).
SCREENSHOTS = os.environ.get("COMMUNIQUE_SCREENSHOT_DIR")
WEB_URL = "https://monitor.example/"  # where the alerts say the web is (they link to the version there)


def chromium() -> str:
    """Debian's chromium; a missing browser fails the test on CI and skips it elsewhere."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (scripts/setup --dev installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def wait_for_page(url: str, process: subprocess.Popen[str], timeout: float = 60) -> None:
    """Block until `url` answers; fail with the server's output if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"communique web exited {process.returncode}: {process.communicate()[1]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], NewsSite]]:
    """A store filled by three real runs: the original, an edit (2024 → 2025), an added paragraph."""
    folder = tmp_path_factory.mktemp("web-store")
    with NewsSite() as site:
        site.title = HOSTILE_TITLE
        site.extra = [HOSTILE_PARAGRAPH]
        env = service_env(
            folder,
            sources=page_source(site.article_url),
            rules=RULES,
            apprise_url=site.apprise_url,
            COMMUNIQUE_WEB_URL=WEB_URL,
        )
        for version in (1, 3, 4):
            site.set_version(version)
            run_cli(env, "run", "--once")
        site.wait_for_alerts(2, timeout=30)
        yield env, site


@pytest.fixture(scope="module")
def web(filled: tuple[dict[str, str], NewsSite]) -> Iterator[str]:
    """A real `communique web` over the filled store; its base URL."""
    env, _ = filled
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "interface", "web", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_page(base + "/statements", process)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert f"serving http://127.0.0.1:{port}/ (read-only; this machine only, no token)" in err


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        yield launched
        launched.close()


def shoot(page: Page, name: str) -> None:
    """Save a screenshot for the README when COMMUNIQUE_SCREENSHOT_DIR is set."""
    if SCREENSHOTS:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=False)


def test_pages_of_a_real_run_without_javascript(
    browser: Browser, web: str, filled: tuple[dict[str, str], NewsSite]
) -> None:
    """Statement → document → diff → alert → version, by following links with JavaScript off."""
    _, site = filled
    context = browser.new_context(java_script_enabled=False, base_url=web)
    page = context.new_page()
    page.goto("/statements")
    expect(page.locator("h1")).to_have_text("Statements")
    statement_link = page.locator("a.statement-link").first
    statement_href = statement_link.get_attribute("href")
    assert statement_href is not None and statement_href.startswith("/statements/")
    statement_link.click()
    expect(page.locator("table.carriers")).to_contain_text("local-news")
    expect(page.locator("ol.timeline")).to_contain_text("first seen")
    expect(page.locator("ol.timeline")).to_contain_text("edit")
    shoot(page, "web-statement.png")

    page.locator("table.carriers a.document-link").first.click()
    expect(page.locator("a.original")).to_have_attribute("href", site.article_url)
    expect(page.locator("table.versions tbody tr")).to_have_count(3)  # furniture-only change: no version

    page.locator("a.diff-link").first.click()  # version 1 → 2: the edit
    assert re.search(r"/documents/\d+/diff\?old=1&new=2$", page.url)
    expect(page.locator("tr.status-changed del").first).to_have_text("2024")
    expect(page.locator("tr.status-changed ins").first).to_have_text("2025")
    expect(page.locator("tr.status-same del, tr.status-same ins")).to_have_count(0)
    expect(page.locator("tr.status-changed del")).to_have_count(1)  # one word of one paragraph
    if SCREENSHOTS:  # for the README: the edit and the added paragraph, changed paragraphs only
        diff_url = page.url
        page.goto(diff_url.replace("old=1&new=2", "old=1&new=3&changes=only"))
        shoot(page, "web-diff.png")
        page.goto(diff_url)
    page.locator("a", has_text="next change").click()  # version 2 → 3: a paragraph added
    added = page.locator('tr[data-status="added"]')
    expect(added).to_have_count(1)
    expect(added).to_contain_text(site.APPENDED[:60])
    page.locator("a", has_text="inline").click()
    expect(page.locator('p[data-status="added"] ins')).to_contain_text(site.APPENDED[:60])

    page.goto("/alerts")
    alert_links = page.locator("table.alerts a.alert-link")
    expect(alert_links).to_have_count(2)
    alert_links.last.click()  # the oldest: the edit
    expect(page.locator("table.targets")).to_contain_text("delivered")
    expect(page.locator("pre.body")).to_contain_text("[-2024-]{+2025+}")
    page.locator("a.version-of-alert").click()  # → the diff of the version the alert is about
    expect(page.locator("tr.status-changed ins").first).to_have_text("2025")
    # The alert as received links to the same page (COMMUNIQUE_WEB_URL + /versions/ID).
    sent = re.search(re.escape(WEB_URL) + r"(versions/\d+)", site.alerts[0]["message"])
    assert sent is not None, site.alerts[0]["message"]
    page.goto("/" + sent[1])
    expect(page.locator("tr.status-changed ins").first).to_have_text("2025")

    check_lists(page)
    context.close()


def check_lists(page: Page) -> None:
    """The list pages open: documents, sources (with today's fetches), search, a rule's alerts."""
    for path in ("/documents", "/sources", "/search?q=Putin", "/alerts?rule=vn-ru-joint-statement"):
        response = page.goto(path)
        assert response is not None and response.ok, path
    expect(page.locator("table.alerts tbody tr")).to_have_count(2)
    page.goto("/sources")
    expect(page.locator("table.sources")).to_contain_text("local-news")
    expect(page.locator("svg.spark rect.ok").last).to_have_attribute("height", "20")
    page.goto("/search?q=2025")
    expect(page.locator("ol.hits a.hit").first).to_be_visible()


def test_atom_feeds_of_a_real_run_parse(browser: Browser, web: str) -> None:
    context = browser.new_context(base_url=web)
    page = context.new_page()
    page.goto("/statements")
    statement = (page.locator("a.statement-link").first.get_attribute("href") or "").rsplit("/", 1)[-1]
    for path, entries in (
        ("/feeds/alerts.atom", 2),
        ("/feeds/rules/vn-ru-joint-statement.atom", 2),
        (f"/feeds/statements/{statement}.atom", 2),
    ):
        response = page.request.get(path)
        assert response.ok, path
        feed = feedparser.parse(response.body())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.version == "atom10"
        assert len(feed.entries) == entries, path
        assert all(entry.link.startswith(f"{web}/versions/") for entry in feed.entries)
    context.close()


def test_hostile_title_and_paragraph_stay_text(browser: Browser, web: str) -> None:
    """With JavaScript on, a page's `<script>` title and `onerror` paragraph show as text and never run."""
    context = browser.new_context(base_url=web)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    page.goto("/documents")
    link = page.locator("a.document-link").first
    expect(link).to_contain_text("<script>window.pwned = 1</script>")
    link.click()
    expect(page.locator("h1")).to_contain_text("<script>window.pwned = 1</script>")
    assert "<script>" in page.title()
    page.locator("a.version-link").last.click()
    expect(page.locator("article.text")).to_contain_text('<img src="x" onerror="window.pwned = 2">')
    for path in (page.url, "/statements", "/alerts", "/search?q=pwned"):
        page.goto(path)
        assert page.evaluate("typeof window.pwned") == "undefined", path
        assert page.locator("script").count() == 0, path
        assert page.locator("main img").count() == 0, path
    expect(page.locator("ol.hits")).to_contain_text("window.pwned")
    assert dialogs == []
    context.close()


def test_run_serves_the_web_pages_too(browser: Browser, tmp_path: Path) -> None:
    """`communique run --web`: the service polls and the pages answer from the same process."""
    with NewsSite() as site:
        env = service_env(
            tmp_path, sources=page_source(site.article_url), rules=RULES, apprise_url=site.apprise_url
        )
        port = free_port()
        env["COMMUNIQUE_WEB_PORT"] = str(port)
        process = subprocess.Popen(
            [sys.executable, "-m", "interface", "run", "--web"], env=env, stderr=subprocess.PIPE, text=True
        )
        try:
            wait_for_page(f"http://127.0.0.1:{port}/documents", process, timeout=120)
            page = browser.new_page()
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:  # the first poll's version is stored, then shown
                page.goto(f"http://127.0.0.1:{port}/documents")
                if page.locator("a.document-link").count():
                    break
                time.sleep(1)
            expect(page.locator("a.document-link")).to_contain_text("Tuyên bố chung")
            page.close()
        finally:
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert f"serving http://127.0.0.1:{port}/" in err
