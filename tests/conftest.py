"""Shared fixtures: a real redis-server per session (flushed per test), a real PostgreSQL cluster per
session (a new database per test), storage settings for each database, and a free port finder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click
import pytest
from redis import Redis
from scrapy.http import HtmlResponse

from communique.model import Stage
from communique.settings import Settings
from interface.cli import cli
from tests.postgres_server import PostgresServer, postgres_bindir
from workers.extraction import Article, extract_article

ROOT = Path(__file__).resolve().parent.parent


def need_binary(name: str) -> str:
    """The path of a server binary; a missing one fails the run under CI=true and skips elsewhere."""
    path = shutil.which(name)
    if path is None:
        missing(name)
    return path


def missing(name: str) -> NoReturn:
    """A server the tests need is not installed: a failure under CI=true, a skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is not installed; CI must install it (scripts/setup --dev)")
    pytest.skip(f"{name} is not installed (scripts/setup --dev installs it)")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_redis(folder: Path, password: str | None = None) -> Iterator[str]:
    """A real redis-server on a free loopback port (no persistence), until the block ends; its URL."""
    port = free_port()
    args = [
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(folder),
    ]
    if password:
        args += ["--requirepass", password]
    proc = subprocess.Popen([need_binary("redis-server"), *args], stdout=subprocess.DEVNULL)
    url = f"redis://{f':{password}@' if password else ''}127.0.0.1:{port}/0"
    client, deadline = Redis.from_url(url), time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except Exception:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.05)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free loopback port for the whole session."""
    with running_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The session's Redis, flushed for this test."""
    Redis.from_url(redis_server).flushall()
    return redis_server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster (initdb in a temporary folder) for the whole session."""
    bindir = postgres_bindir()
    if bindir is None:
        missing("PostgreSQL (initdb, postgres)")
    with PostgresServer(bindir) as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A new, empty database on the session's PostgreSQL, for this test."""
    return postgres_server.new_database()


@pytest.fixture(params=["sqlite", "postgres"])
def storage_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings naming a fresh database of each kind: SQLite in tmp_path, then PostgreSQL."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    return Settings(data_dir=tmp_path, database_url=url)


@pytest.fixture(scope="session")
def real_html() -> Path:
    """../shared/fixtures/real-html: real news pages with labels (beside the checkout, as in CI)."""
    folder = ROOT.parent / "shared" / "fixtures" / "real-html"
    if not folder.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{folder} is missing; CI runs with shared/ beside the checkout")
        pytest.skip(f"{folder} is missing")
    return folder


def extract_like_the_crawler(body: bytes, url: str = "https://example.org/page") -> Article:
    """Extract a page as the pipeline does: Scrapy picks the encoding, then extract_article."""
    return extract_article(body, HtmlResponse(url=url, body=body).encoding, url)


def run_cli(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """The real command line in its own process; with `ok`, fail with its output unless it succeeds."""
    done = subprocess.run(
        [sys.executable, "-m", "interface", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if ok:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


class RecordingQueue:
    """A job queue that remembers what it was given."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Stage, int]] = []

    def enqueue(self, stage: Stage, item_id: int) -> None:
        """Remember one job."""
        self.jobs.append((stage, item_id))


def cli_commands() -> dict[str, click.Command]:
    """Every `communique` command by name (the group imports most of them only when one runs)."""
    context = click.Context(cli)
    found = {name: cli.get_command(context, name) for name in cli.list_commands(context)}
    return {name: command for name, command in found.items() if command is not None}
