"""The systemd units in deploy/ run our real commands, restart, read secrets from a file only."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from communique.settings import Settings
from tests.conftest import ROOT, cli_commands

DEPLOY = ROOT / "deploy"
# A database or Redis URL, credentials in any URL, or a password or token.
SECRET = re.compile(r"(redis|postgres|postgresql)://|://[^/ ]*@|password|secret|token", re.IGNORECASE)
UNITS = ["communique-crawler.service", "communique-worker@.service", "communique-web.service"]


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


@pytest.mark.parametrize("name", UNITS)
def test_unit_runs_a_real_command_restarts_and_keeps_secrets_out(name: str) -> None:
    service = unit(name)["Service"]
    argv = shlex.split(service["ExecStart"])
    assert argv[0].endswith("/communique")
    assert argv[1] in cli_commands(), f"{name} runs unknown command {argv[1]!r}"
    assert service["Restart"] in {"always", "on-failure"}
    assert service["EnvironmentFile"].startswith("/etc/")
    assert service["KillSignal"] == "SIGTERM"
    settings = [line for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    for line in settings:
        assert not SECRET.search(line), line
        if line.startswith("Environment="):
            variable = line.removeprefix("Environment=").split("=", 1)[0]
            assert variable.removeprefix("COMMUNIQUE_").lower() in Settings.model_fields


def test_env_example_names_only_real_settings() -> None:
    for line in (DEPLOY / "communique.env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            variable = line.split("=", 1)[0]
            assert variable.removeprefix("COMMUNIQUE_").lower() in Settings.model_fields, variable


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (the parse test above still runs)")
    executable = Path(sys.executable).parent / "communique"
    env_file = tmp_path / "communique.env"
    env_file.write_text("COMMUNIQUE_REDIS_URL=redis://localhost:6379/0\n", encoding="utf-8")
    paths = []
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        text = text.replace("/opt/communique/.venv/bin/communique", str(executable))
        text = text.replace("/etc/communique/communique.env", str(env_file))
        path = tmp_path / name.replace("@.", "@1.")  # verify a template through one instance
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    done = subprocess.run(
        [analyze, "verify", "--man=no", *paths], capture_output=True, text=True, timeout=60, check=False
    )
    ours = [line for line in done.stderr.splitlines() if "communique" in line]
    assert done.returncode == 0 and not ours, done.stderr
