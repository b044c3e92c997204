"""A throwaway PostgreSQL cluster for tests: initdb in a temporary folder, a free loopback port,
password authentication, and a fresh database for every test that asks.

initdb refuses to run as root (CI runs as root), so then the cluster runs as the unprivileged
`postgres` user that the Debian packages create.
"""

from __future__ import annotations

import itertools
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import psycopg

USER = "communique"
OS_USER = "postgres"  # used when the tests run as root
START_TIMEOUT_S = 30.0


def postgres_bindir() -> Path | None:
    """The folder holding initdb and postgres: on PATH, or the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which("initdb")
    if found is not None:
        return Path(found).resolve().parent
    candidates = [path.parent for path in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    newest = sorted(candidates, key=lambda path: [int(n) for n in re.findall(r"\d+", path.parent.name)])
    return newest[-1] if newest else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PostgresServer:
    """One `postgres` process on a cluster in a temporary folder; stopped and deleted on exit."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.password = f"pw-{secrets.token_hex(8)}"
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="communique-pg-"))
        self._as_user = os.geteuid() == 0
        self._numbers = itertools.count(1)
        self._process: subprocess.Popen[bytes] | None = None

    def url(self, database: str = "postgres") -> str:
        """The URL of a database on this server, password included."""
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Create an empty database; its URL."""
        name = f"test_{next(self._numbers)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def __enter__(self) -> PostgresServer:
        try:
            self._init_cluster()
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGINT)  # fast shutdown: open connections are closed
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _init_cluster(self) -> None:
        if self._as_user:
            try:
                owner = pwd.getpwnam(OS_USER)
            except KeyError:
                raise RuntimeError(
                    f"initdb refuses to run as root and there is no {OS_USER!r} user to run it as"
                ) from None
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        password_file = self.folder / "password"
        password_file.write_text(self.password, encoding="utf-8")
        if self._as_user:
            os.chown(password_file, pwd.getpwnam(OS_USER).pw_uid, -1)
        self._run(
            "initdb", "-D", str(self.folder / "data"), "-U", USER, f"--pwfile={password_file}",
            "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip

    def _start(self) -> None:
        log = (self.folder / "server.log").open("wb")
        self._process = subprocess.Popen(
            [
                str(self.bindir / "postgres"),
                "-D",
                str(self.folder / "data"),
                "-p",
                str(self.port),
                "-k",
                str(self.folder),
                "-c",
                "listen_addresses=127.0.0.1",
                # A throwaway cluster: durability is not wanted, speed is.
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.folder,
            user=OS_USER if self._as_user else None,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                psycopg.connect(self.url(), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"postgres did not start: {self._log_tail()}") from None
                time.sleep(0.1)

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [str(self.bindir / program), *args],
            capture_output=True,
            text=True,
            cwd=self.folder,
            user=OS_USER if self._as_user else None,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stdout}{done.stderr}")

    def _log_tail(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(encoding="utf-8", errors="replace")[-2000:] if path.exists() else ""
