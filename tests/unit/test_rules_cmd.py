"""`communique rules check | schema | test` and `communique notify test`, on rule folders in tmp_path."""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from communique.settings import Settings
from interface.cli import cli
from interface.cli.notify_cmd import TEST_TITLE
from storage.database import open_database
from tests.conftest import ROOT, cli_commands, run_cli
from tests.e2e.site import NewsSite

SEED = ROOT / "corpus" / "004_4c3b450e9087d95b.txt"
RULES = """rules:
  - name: changes
    events: [changed]
    notify: [analysts]
  - name: fresh
    events: [new]
    notify: [ops]
"""


def make_rules(tmp_path: Path, files: dict[str, str]) -> Path:
    """A rules folder with an empty sources.yaml unless `files` gives one."""
    folder = tmp_path / "rules"
    folder.mkdir()
    for name, text in {"sources.yaml": "sources: []\n", **files}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def base_env(tmp_path: Path) -> dict[str, str]:
    """A subprocess environment whose data (and default apprise config) live in tmp_path."""
    return {"PATH": "/usr/bin:/bin", "COMMUNIQUE_DATA_DIR": str(tmp_path / "data")}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """In-process settings pointing into tmp_path; returns the rules folder to fill."""
    monkeypatch.setenv("COMMUNIQUE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COMMUNIQUE_RULES_DIR", str(tmp_path / "rules"))
    monkeypatch.delenv("COMMUNIQUE_APPRISE_CONFIG", raising=False)
    return tmp_path / "rules"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_check_counts_the_rules_of_every_file(tmp_path: Path, env: Path) -> None:
    make_rules(
        tmp_path, {"a.yaml": RULES, "b.yaml": "rules:\n  - {name: other, events: [new], notify: [x]}\n"}
    )
    result = invoke("rules", "check")
    assert result.exit_code == 0, result.output
    assert f"3 rules OK in {env}" in result.output


def test_check_and_the_start_warn_when_there_is_no_apprise_config_at_all(tmp_path: Path) -> None:
    rules = make_rules(tmp_path, {"w.yaml": RULES})
    missing = tmp_path / "data" / "apprise.yml"
    said = f"no apprise config at {missing}: no alert can be sent (tags analysts, ops)"
    checked = run_cli(base_env(tmp_path), "--rules", str(rules), "rules", "check")
    assert "2 rules OK" in checked.stdout
    assert f"warning: {said}" in checked.stderr
    started = run_cli(base_env(tmp_path), "--rules", str(rules), "worker", "--burst")
    assert said in started.stderr


def test_check_reports_every_error_of_every_file_and_exits_2(tmp_path: Path) -> None:
    rules = make_rules(
        tmp_path,
        {
            "sources.yaml": "sources:\n  - id: x\n    kind: page\n    url: ftp://nope\n",
            "a.yaml": "rules:\n  - name: a\n    events: [new, nope]\n    notify: [t]\n",
            "b.yaml": "rules:\n  - name: b\n    events: [new]\n    notfy: [t]\n",
            "c.yaml": "rules: [\n",
        },
    )
    done = run_cli(base_env(tmp_path), "--rules", str(rules), "rules", "check", ok=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{rules / 'sources.yaml'}:4: sources.0.url:" in done.stderr
    assert f"{rules / 'a.yaml'}:3: rules.0.events.1: Input should be" in done.stderr
    assert f"{rules / 'b.yaml'}:4: rules.0.notfy: Extra inputs are not permitted" in done.stderr
    assert f"{rules / 'b.yaml'}:2: rules.0.notify: Field required" in done.stderr
    assert f"{rules / 'c.yaml'}:2: invalid YAML" in done.stderr
    assert "rules OK" not in done.stdout
    assert "Traceback" not in done.stderr


def test_check_finds_a_rule_name_used_in_two_files(tmp_path: Path, env: Path) -> None:
    again = "rules:\n  - {name: y, events: [new], notify: [t]}\n" + RULES.removeprefix("rules:\n")
    make_rules(tmp_path, {"a.yaml": RULES, "b.yaml": again})
    result = invoke("rules", "check")
    assert result.exit_code == 2, result.output
    assert f"{env / 'b.yaml'}:3: rules.1.name: duplicate rule name 'changes'" in result.output
    assert f"first used at {env / 'a.yaml'}:2" in result.output


def test_check_warns_of_tags_missing_from_the_apprise_config_without_printing_urls(tmp_path: Path) -> None:
    rules = make_rules(tmp_path, {"w.yaml": RULES})
    config = tmp_path / "apprise.yml"
    config.write_text(
        "urls:\n"
        "  - json://user:topsecret@127.0.0.1:9/alerts:\n      tag: Analysts\n"
        "  - bogus://user:othersecret@host/x:\n      tag: ops\n",
        encoding="utf-8",
    )
    env = {**base_env(tmp_path), "COMMUNIQUE_APPRISE_CONFIG": str(config)}
    done = run_cli(env, "--rules", str(rules), "rules", "check")
    output = done.stdout + done.stderr
    assert "2 rules OK" in done.stdout
    # "ops" is only on a URL apprise cannot use; "analysts" matches "Analysts" (apprise ignores case).
    assert "warning: rule 'fresh' notifies tag 'ops'" in done.stderr
    assert "'analysts'" not in done.stderr
    for secret in ("topsecret", "othersecret", "127.0.0.1", "bogus", "user:"):
        assert secret not in output


def test_schema_describes_the_rules_file(env: Path) -> None:
    result = invoke("rules", "schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["additionalProperties"] is False
    rule = schema["$defs"]["Rule"]
    assert set(rule["required"]) == {"name", "events", "notify"}
    assert rule["additionalProperties"] is False
    assert "changed" in schema["$defs"]["Relation"]["enum"]


def test_dry_run_shows_the_rules_that_fire_and_the_alert_and_stores_nothing(
    tmp_path: Path, env: Path
) -> None:
    copies = "  - {name: copies, events: [reprint], notify: [archive], format: summary, digest: daily}\n"
    make_rules(tmp_path, {"w.yaml": RULES + copies})
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    paragraphs = SEED.read_text(encoding="utf-8").split("\n")
    edited = [p.replace("2030", "2031") for p in paragraphs]
    assert edited != paragraphs
    page = tmp_path / "page.html"
    body = "".join(f"<p>{html.escape(p)}</p>" for p in edited if p.strip())
    head = "<html><head><title>Tin Nga</title></head><body><nav>Menu</nav>"
    page.write_text(f"{head}<article>{body}</article></body></html>", encoding="utf-8")
    run_env = {**base_env(tmp_path), "COMMUNIQUE_RULES_DIR": str(env), "COMMUNIQUE_CORPUS_DIR": str(corpus)}
    out = run_cli(run_env, "rules", "test", str(page), str(SEED), "--source", "tass-ru").stdout
    changed, reprint = out.split(f"== {SEED}: ")
    assert f"== {page}: changed" in changed
    assert "-- rule changes fires → analysts; full; sent now" in changed
    assert "fresh" not in changed and "copies" not in changed
    assert "title: [communique] changed: Tin Nga" in changed
    for line in ("Event: changed", f"URL: {page.as_uri()}", "Source: tass-ru", "¶3 changed: 2030 → 2031"):
        assert line in changed
    assert reprint.startswith("reprint\n-- rule copies fires → archive; summary; held for the digest ")
    assert "digest:copies:daily:" in reprint and "¶" not in reprint  # a summary: no paragraphs
    db = open_database(Settings(data_dir=tmp_path / "data"))
    for table in ("documents", "versions", "matches", "alerts", "deliveries"):
        row = db.row(f"SELECT count(*) AS n FROM {table}")
        assert row is not None and row["n"] == 0, table


def apprise_config(tmp_path: Path, site: NewsSite) -> Path:
    config = tmp_path / "apprise.yml"
    config.write_text(f"urls:\n  - {site.apprise_url}:\n      tag: analysts\n", encoding="utf-8")
    return config


def test_notify_test_sends_to_the_tag(tmp_path: Path, env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with NewsSite() as site:
        monkeypatch.setenv("COMMUNIQUE_APPRISE_CONFIG", str(apprise_config(tmp_path, site)))
        result = invoke("notify", "test", "analysts")
        assert result.exit_code == 0, result.output
        assert "sent to analysts" in result.output
        assert [alert["title"] for alert in site.alerts] == [TEST_TITLE]
        assert "analysts" in site.alerts[0]["message"]


@pytest.mark.parametrize(
    "case",
    [("analysts", True, "failed"), ("ops", False, "no notification")],
    ids=["target-fails", "no-target"],
)
def test_notify_test_exits_1_when_nothing_gets_through(
    tmp_path: Path, env: Path, monkeypatch: pytest.MonkeyPatch, case: tuple[str, bool, str]
) -> None:
    tag, failing, why = case
    with NewsSite() as site:
        site.fail_alerts = failing
        monkeypatch.setenv("COMMUNIQUE_APPRISE_CONFIG", str(apprise_config(tmp_path, site)))
        result = invoke("notify", "test", tag)
        assert result.exit_code == 1, result.output
        assert why in result.output
        assert "sent to" not in result.output
        assert site.alerts == []


def test_notify_test_without_an_apprise_config_exits_1(tmp_path: Path, env: Path) -> None:
    result = invoke("notify", "test", "analysts")
    assert result.exit_code == 1
    assert f"{tmp_path / 'data' / 'apprise.yml'} does not exist" in result.output


@pytest.mark.parametrize("group", ["rules", "notify"])
def test_every_subcommand_has_an_example_of_itself(group: str) -> None:
    commands = getattr(cli_commands()[group], "commands", {})
    assert commands
    for name in commands:
        result = invoke(group, name, "--help")
        assert result.exit_code == 0, result.output
        assert f"communique {group} {name}" in result.output.split("Example:")[1], (group, name)
