"""The local news site behaves the way the end-to-end tests rely on."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator

import apprise
import pytest
import trafilatura

from tests.e2e.site import ALERT_PATH, ARTICLE_PATH, MOST_READ_POOL, RELATED, NewsSite

# apprise 2.2.0 imports the stdlib imghdr (deprecated) when it loads its plugins; not our warning to fix.
APPRISE_IMGHDR = pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning")
FURNITURE_WORDS = ("lượt xem", "Đã xem", "Quảng cáo", "Giấy phép", "Bản quyền", "Đọc nhiều", "Tin liên quan")


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
    return body


def squash(text: str) -> str:
    """Collapse whitespace runs (the corpus has no-break spaces; trafilatura normalises them)."""
    return " ".join(text.split())


def extract(site: NewsSite, version: int) -> list[str]:
    """Serve `version`, fetch it once and return trafilatura's text as lines."""
    site.set_version(version)
    text = trafilatura.extract(fetch(site.article_url), url=site.article_url, favor_precision=False)
    assert text is not None
    lines: list[str] = text.split("\n")
    return lines


def test_furniture_churns_on_every_request(site: NewsSite) -> None:
    first, second = fetch(site.article_url), fetch(site.article_url)
    assert first != second
    tokens = [re.findall(rb'name="csrf-token" content="([^"]+)"', page) for page in (first, second)]
    assert len(tokens[0]) == 1
    assert tokens[0] != tokens[1]
    clocks = [re.findall(rb'class="clock">([^<]+)<', page) for page in (first, second)]
    assert clocks[0] != clocks[1]


def test_extraction_is_stable_across_fetches_and_layouts(site: NewsSite) -> None:
    v1a, v1b, v2 = extract(site, 1), extract(site, 1), extract(site, 2)
    assert v1a == v1b
    assert v1a == v2
    assert v1a == [squash(p) for p in site.paragraphs(1)]
    text = "\n".join(v1a)
    for furniture in (*MOST_READ_POOL, *RELATED, *FURNITURE_WORDS):
        assert furniture not in text
    assert re.search(r"\d+ lượt xem|Đã xem: \d+", text) is None


def test_metadata_has_the_fixed_publication_date(site: NewsSite) -> None:
    doc = trafilatura.bare_extraction(fetch(site.article_url), url=site.article_url, with_metadata=True)
    assert doc is not None
    assert doc.date == "2024-06-20"
    assert doc.title == "Toàn văn Tuyên bố chung Việt Nam - Liên bang Nga"


def test_v3_edits_one_paragraph_and_v4_appends_one(site: NewsSite) -> None:
    v2, v3, v4 = extract(site, 2), extract(site, 3), extract(site, 4)
    assert len(v3) == len(v2)
    changed = [(before, after) for before, after in zip(v2, v3, strict=True) if before != after]
    assert changed == [(squash(site.EDITED_FROM), squash(site.EDITED_TO))]
    assert "năm 2024" in site.EDITED_FROM
    assert site.EDITED_FROM.replace("năm 2024", "năm 2025") == site.EDITED_TO
    assert v4 == [*v3, squash(site.APPENDED)]


def test_set_version_rejects_unknown_versions(site: NewsSite) -> None:
    with pytest.raises(ValueError, match=r"1\.\.4"):
        site.set_version(5)


def test_page_headers_robots_404_and_hits(site: NewsSite) -> None:
    with urllib.request.urlopen(site.article_url, timeout=10) as response:
        assert response.headers.get_content_charset() == "utf-8"
        assert response.headers["ETag"] is None
        assert response.headers["Last-Modified"] is None
        page = response.read().decode("utf-8")
    assert '<meta charset="utf-8">' in page
    assert '<meta property="article:published_time" content="2024-06-20' in page
    assert fetch(site.base_url + "/robots.txt") == b"User-agent: *\nAllow: /\n"
    with pytest.raises(urllib.error.HTTPError) as missing:
        fetch(site.base_url + "/news/other-post9.vnp")
    missing.value.close()  # an HTTPError holds the response open
    assert missing.value.code == 404
    fetch(site.article_url)
    assert site.hits == {ARTICLE_PATH: 2, "/robots.txt": 1, "/news/other-post9.vnp": 1}


@APPRISE_IMGHDR
def test_alert_sink_records_an_apprise_notification(site: NewsSite) -> None:
    notifier = apprise.Apprise()
    assert notifier.add(site.apprise_url)
    # apprise 2.2.0 returns an AppriseResult, truthy only when every service succeeded
    with notifier.notify(title="t", body="b") as result:
        assert result
        assert result.success_count == 1
    alerts = site.wait_for_alerts(1, timeout=5)
    assert len(alerts) == 1
    assert alerts[0]["title"] == "t"
    assert alerts[0]["message"] == "b"
    assert site.hits[ALERT_PATH] == 1


@APPRISE_IMGHDR
def test_alert_sink_can_fail_on_purpose(site: NewsSite) -> None:
    site.fail_alerts = True
    notifier = apprise.Apprise()
    assert notifier.add(site.apprise_url)
    with notifier.notify(title="t", body="b") as result:
        assert not result
        assert result.failed_count == 1
    assert site.alerts == []
    assert site.hits[ALERT_PATH] == 1
    with pytest.raises(TimeoutError):
        site.wait_for_alerts(1, timeout=0.1)
