"""The command line: every command documents itself with an example; compose uses real commands."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from communique.model import FetchState
from communique.settings import Settings
from interface.cli import cli, main
from storage.corpus import corpus_groups, corpus_size, corpus_stamp, statement_card
from storage.database import open_database
from storage.fetches import Fetch, fetch_row, record_fetch
from tests.conftest import ROOT, cli_commands, run_cli
from tests.realset import pages
from workers.corpus import import_corpus_folder, import_texts


def test_every_command_has_help_with_an_example() -> None:
    runner = CliRunner()
    assert cli_commands(), "no commands registered"
    for name in cli_commands():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert "Example:" in result.output, f"`communique {name} --help` shows no example"
        assert f"communique {name}" in result.output.split("Example:")[1]


def test_docker_compose_is_valid_and_runs_our_commands() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    ours = {name: svc for name, svc in compose["services"].items() if svc.get("build") == "."}
    assert {"crawler", "worker"} <= set(ours)
    for name, service in ours.items():
        command = service["command"][0]
        assert command in cli_commands(), f"service {name} runs unknown command {command!r}"
        assert service["environment"]["COMMUNIQUE_REDIS_URL"].startswith("redis://")
    assert "--appendonly" in compose["services"]["redis"]["command"]


def test_docker_compose_stores_in_postgres_with_the_password_from_the_environment() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    postgres = compose["services"]["postgres"]
    assert "pg_isready" in postgres["healthcheck"]["test"]
    volume = next(v for v in postgres["volumes"] if v.endswith(":/var/lib/postgresql/data"))
    assert volume.split(":")[0] in compose["volumes"]
    server = postgres["environment"]
    assert server["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD")  # from the environment or .env
    for name in ("crawler", "worker"):
        service = compose["services"][name]
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        url = service["environment"]["COMMUNIQUE_DATABASE_URL"]
        match = re.fullmatch(r"postgresql://(\w+):(\$\{POSTGRES_PASSWORD[^}]*\})@postgres:5432/(\w+)", url)
        assert match is not None, url
        assert (match[1], match[2], match[3]) == (
            server["POSTGRES_USER"],
            server["POSTGRES_PASSWORD"],
            server["POSTGRES_DB"],
        )


def test_the_image_runs_unprivileged_checks_its_health_and_takes_no_secret_in() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    port = re.search(r"COMMUNIQUE_METRICS_PORT=(\d+)", dockerfile)
    health = re.search(r"^HEALTHCHECK .*\n?.*CMD (.*)$", dockerfile, re.MULTILINE)
    assert port is not None and health is not None and f"127.0.0.1:{port[1]}/metrics" in health[1]
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {"data/", ".env", "**/apprise.yml", ".venv/", ".git"} <= set(ignored)


def test_a_build_writes_its_scratch_files_outside_the_checkout() -> None:
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["distutils"]["build"]
    assert not Path(build["build_base"]).resolve().is_relative_to(ROOT.resolve())


def test_compose_needs_a_database_password_and_gives_workers_the_systemd_stop_time() -> None:
    compose_text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert ":-" not in compose_text  # no silent default password
    compose = yaml.safe_load(compose_text)
    assert compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith(
        "${POSTGRES_PASSWORD:?"
    )
    for service, unit in (
        ("worker", "communique-worker@.service"),
        ("crawler", "communique-crawler.service"),
    ):
        stop = re.search(
            r"^TimeoutStopSec=(\d+)$", (ROOT / "deploy" / unit).read_text(encoding="utf-8"), re.M
        )
        assert stop is not None and compose["services"][service]["stop_grace_period"] == f"{stop[1]}s"
    assert "docker compose cp apprise.yml crawler:/data/apprise.yml" in compose_text


def test_status_on_an_empty_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMUNIQUE_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["status", "--json"])
    assert result.exit_code == 0, result.output
    assert '"undelivered_alerts": 0' in result.output


def test_a_config_error_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "sources.yaml").write_text("sources:\n  - id: x\n    kind: page\n    url: ftp://nope\n")
    done = subprocess.run(
        [sys.executable, "-m", "interface", "--rules", str(rules), "run", "--once"],
        env={"PATH": "/usr/bin:/bin", "COMMUNIQUE_DATA_DIR": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert f"{rules / 'sources.yaml'}:4: sources.0.url:" in done.stderr
    assert "Traceback" not in done.stderr


def test_worker_burst_without_redis_finishes_unfinished_work(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "sources.yaml").write_text("sources: []\n")
    settings = Settings(data_dir=tmp_path / "data", rules_dir=rules, corpus_dir=tmp_path / "no-corpus")
    page = b"<html><body><article><h1>Tin</h1>" + b"<p>Hai ben nhat tri tang cuong hop tac kinh te.</p>" * 5
    fetch_id = record_fetch(
        open_database(settings),
        Fetch("s", "https://example.org/a", 200, FetchState.FETCHED, content_hash="h1"),
        body=page + b"</article></body></html>",
        encoding="utf-8",
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "COMMUNIQUE_DATA_DIR": str(settings.data_dir),
        "COMMUNIQUE_RULES_DIR": str(rules),
        "COMMUNIQUE_CORPUS_DIR": str(settings.corpus_dir),
    }
    done = run_cli(env, "worker", "--burst")
    assert "ran 1 jobs" in done.stdout  # extract, which matches the new version in the same job
    db = open_database(settings)
    row = fetch_row(db, fetch_id)
    assert row is not None and row["state"] == FetchState.EXTRACTED
    assert [tuple(r) for r in db.rows("SELECT relation FROM matches")] == [("unrelated",)]


def test_match_prints_the_relation_of_a_text_and_of_a_page(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "COMMUNIQUE_DATA_DIR": str(tmp_path / "data"),
        "COMMUNIQUE_CORPUS_DIR": str(ROOT / "corpus"),
    }
    seed = ROOT / "corpus" / "004_4c3b450e9087d95b.txt"
    result = json.loads(run_cli(env, "match", str(seed), "--json").stdout)
    assert {"relation", "statement_id", "coverage", "genre", "parties", "paragraphs"} <= set(result)
    assert (result["relation"], result["statement_id"], result["coverage"]) == ("reprint", seed.stem, 1.0)
    assert result["genre"] == "news"
    paragraphs = seed.read_text(encoding="utf-8").split("\n")
    edited = [p.replace("2030", "2031") if "2030" in p else p for p in paragraphs]
    assert edited != paragraphs
    page = tmp_path / "page.html"
    body = "".join(f"<p>{html.escape(p)}</p>" for p in edited if p.strip())
    page.write_text(f"<html><body><nav>Menu</nav><article>{body}</article></body></html>", encoding="utf-8")
    summary = run_cli(env, "match", str(page)).stdout
    assert "relation: changed" in summary
    assert "2030 → 2031" in summary


def test_match_judges_many_inputs_in_order_and_reuses_the_stored_vectors(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "COMMUNIQUE_DATA_DIR": str(tmp_path / "data"),
        "COMMUNIQUE_CORPUS_DIR": str(ROOT / "corpus"),
    }
    german = tmp_path / "de.txt"  # the opening of the German full text of the June 2024 statement
    german.write_text(
        next(p.text for p in pages("dev") if p.url.endswith("/de/toan-van-tuyen-bo-chung-viet-nam-nga")),
        encoding="utf-8",
    )
    seed = ROOT / "corpus" / "004_4c3b450e9087d95b.txt"
    missing = tmp_path / "missing.txt"
    done = run_cli(env, "match", "--json", str(seed), str(missing), str(german), ok=False)
    assert done.returncode == 1  # one input could not be read; the others were judged
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["input"] for line in lines] == [str(seed), str(missing), str(german)]
    assert lines[0]["relation"] == "reprint" and "no such file" in lines[1]["error"]
    assert (lines[2]["relation"], lines[2]["statement_id"]) == ("translation", "001_cfe805069be26ee0")
    assert lines[2]["evidence"]
    db = open_database(Settings(data_dir=tmp_path / "data"))
    stored = db.row("SELECT COUNT(*) AS n FROM corpus_vectors")
    assert stored is not None and stored["n"] > 100  # the known sentences embedded once, kept
    db.close()


def test_an_import_stopped_halfway_is_finished_on_the_next_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in sorted((ROOT / "corpus").glob("*")):
        (folder / path.name).write_bytes(path.read_bytes())
    db = open_database(Settings(data_dir=tmp_path / "data"))
    first = sorted(folder.glob("*.txt"))[:2]
    import_texts(db, first)  # as if Ctrl-C came after two texts
    assert corpus_size(db) == 2
    caplog.clear()
    with caplog.at_level("INFO", logger="workers.corpus"):
        assert import_corpus_folder(db, folder) == 3
    assert corpus_size(db) == 5
    progress = [r.getMessage() for r in caplog.records if "s CPU" in r.getMessage()]
    assert [line.split()[1] for line in progress] == ["3/5", "4/5", "5/5"]
    card = statement_card(db, corpus_groups(db)["004_4c3b450e9087d95b"])
    assert card is not None and card.adopted == dt.date(2021, 11, 30)  # corpus/cards.yaml applied
    stamp = corpus_stamp(db)
    assert import_corpus_folder(db, folder) == 0  # nothing left to do
    assert corpus_stamp(db) == stamp  # and nothing written: workers keep their cards
    db.close()


def test_texts_that_cards_yaml_declares_join_their_statement_without_being_matched(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    seed = ROOT / "corpus" / "004_4c3b450e9087d95b.txt"
    (folder / "vision-2030.txt").write_bytes(seed.read_bytes())
    # A text the engine would not link (another statement's text), declared one of this statement's.
    (folder / "vision-2030-ru.txt").write_bytes((ROOT / "corpus" / "003_024cb3686d4085ed.txt").read_bytes())
    (folder / "other.txt").write_text("Joint statement of Viet Nam and Laos.\nThe two sides agreed.\n")
    (folder / "cards.yaml").write_text("vision-2030:\n  texts: [vision-2030-ru]\n  adopted: 2021-11-30\n")
    db = open_database(Settings(data_dir=tmp_path / "data"))
    assert import_corpus_folder(db, folder) == 3
    groups = corpus_groups(db)
    assert groups == {"vision-2030": "vision-2030", "vision-2030-ru": "vision-2030", "other": "other"}
    db.close()


def test_corpus_add_sets_the_card_of_a_statement(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "COMMUNIQUE_DATA_DIR": str(tmp_path / "data"),
        "COMMUNIQUE_CORPUS_DIR": str(tmp_path / "no-corpus"),
    }
    text = tmp_path / "vn-la.txt"
    text.write_text(
        "Tuyên bố chung Việt Nam - Lào\nHai bên khẳng định quan hệ đặc biệt giữa Việt Nam và Lào.\n",
        encoding="utf-8",
    )
    out = run_cli(env, "corpus", "add", str(text), "--date", "2026-01-10", "--parties", "VN,LA").stdout
    assert "adopted 2026-01-10; parties VN, LA" in out
    assert "card: adopted 2026-01-10" in run_cli(env, "corpus", "show", "vn-la").stdout
    refused = run_cli(env, "corpus", "add", str(text), "--parties", "VN,XX", ok=False)
    assert refused.returncode == 2 and "XX" in refused.stderr


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("3", "3")])
def test_one_openmp_thread_per_process_unless_the_user_sets_it(
    given: str | None, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if given is None:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OMP_NUM_THREADS", given)
    monkeypatch.setattr(sys, "argv", ["communique", "--help"])
    with pytest.raises(SystemExit):
        main()
    assert os.environ["OMP_NUM_THREADS"] == expected
