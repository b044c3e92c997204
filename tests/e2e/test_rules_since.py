"""End to end: `communique rules test --since` on the database the real crawler and workers filled,
showing the alert the pipeline actually sent, and sending nothing itself."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.site import NewsSite
from tests.e2e.test_pipeline import build_environment, communique, poll

pytestmark = pytest.mark.e2e


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as news:
        yield news


def test_rules_test_since_replays_the_stored_versions(site: NewsSite, tmp_path: Path) -> None:
    environment = build_environment(tmp_path, site, None)
    site.set_version(1)
    poll(environment)  # an excerpt of a known statement: no alert
    site.set_version(3)
    poll(environment)  # one number edited: one alert
    sent = site.wait_for_alerts(1, timeout=10)
    before = json.loads(communique(environment, "status", "--json"))["counts"]

    output = communique(environment, "rules", "test", "--since", "1h")

    first, second = output.split("\n\n== ")[:2]
    assert first.startswith(f"== {site.article_url} (version 1, local-news, ")
    assert first.split("\n")[0].endswith(": excerpt [stored match]")
    assert "no rule fires (1 rules)" in first
    assert second.split("\n")[0].endswith(": changed [stored match]")
    assert "rule vn-ru-joint-statement fires → analysts" in second
    assert f"title: {sent[0]['title']}" in second  # the alert the pipeline sent
    assert "[-2024-]{+2025+}" in second
    assert output.rstrip().split("\n")[-1].startswith("2 versions first seen since ")
    assert json.loads(communique(environment, "status", "--json"))["counts"] == before
    assert len(site.alerts) == 1
