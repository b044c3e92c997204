"""What every benchmark shares: its figures (and the targets they are held to), process CPU and memory
read from /proc, a throwaway redis-server, and a data folder with the shipped corpus already imported.

Benchmarks print figures; none is a test. `run_all` runs each script in its own process with
`--results FILE` and gathers the figures written there into one table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python bench/x.py` as well as `python -m bench.x`
    sys.path.insert(0, str(ROOT))

from communique.settings import Settings  # noqa: E402
from storage.database import open_database  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from workers.corpus import import_corpus_folder  # noqa: E402

SHARED = ROOT.parent / "shared"
REAL_HTML = SHARED / "fixtures" / "real-html"


@dataclass(frozen=True)
class Figure:
    """One measured figure; with a target, whether it is met (`at_most` or `at_least` the bound)."""

    name: str
    value: float
    unit: str
    at_most: float | None = None
    at_least: float | None = None

    @property
    def met(self) -> bool | None:
        """True or False against the target; None when the figure has no target."""
        if self.at_most is not None:
            return self.value <= self.at_most
        if self.at_least is not None:
            return self.value >= self.at_least
        return None

    @property
    def target(self) -> str:
        """The target as text ("≤ 60 ms"), or "—"."""
        if self.at_most is not None:
            return f"≤ {self.at_most:g} {self.unit}"
        if self.at_least is not None:
            return f"≥ {self.at_least:g} {self.unit}"
        return "—"


class Figures:
    """The figures one benchmark reports; written as JSON when run with --results."""

    def __init__(self, script: str, path: Path | None) -> None:
        self.script = script
        self.path = path
        self.items: list[Figure] = []

    def add(self, figure: Figure) -> None:
        """Record a figure (and save, so a later failure keeps what was measured)."""
        self.items.append(figure)
        if self.path is not None:
            rows = [{"script": self.script, **asdict(item)} for item in self.items]
            self.path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


def parser(doc: str | None) -> argparse.ArgumentParser:
    """The options every benchmark takes: --quick (small sizes) and --results FILE (JSON figures)."""
    found = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    found.add_argument("--quick", action="store_true", help="small sizes, for a quick look")
    found.add_argument("--results", type=Path, default=None, help="write the figures as JSON here")
    return found


def load_average() -> str:
    """The 1-minute load average: how busy the shared machine was."""
    return Path("/proc/loadavg").read_text().split()[0]


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU of a process so far (whole process, all threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int | str = "self") -> int:
    """The resident set size of a process (VmRSS), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def wait_child(process: subprocess.Popen[bytes]) -> float:
    """Wait for a child process to end; its user + system CPU seconds (from wait4, exact)."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def redis_server() -> Iterator[tuple[str, int]]:
    """A throwaway redis-server on a free loopback port, no persistence; its URL and pid."""
    exe = shutil.which("redis-server")
    if exe is None:
        raise SystemExit("redis-server is needed (scripts/setup --dev installs it)")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as folder:
        args = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        proc = subprocess.Popen([*args, "--dir", folder], stdout=subprocess.DEVNULL)
        url = f"redis://127.0.0.1:{port}/0"
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    Redis.from_url(url).ping()
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            yield url, proc.pid
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def corpus_database(data_dir: Path) -> None:
    """Put a database with the shipped corpus imported into data_dir.

    The first import links the seeds to their statement groups with the cross-lingual stage (about
    30 s of CPU); it is done once per corpus and code version and copied from a cache in the system's
    temporary folder, so that benchmarks measure steady work, not the first run.
    """
    cached = Path(tempfile.gettempdir()) / f"communique-bench-corpus-{_corpus_stamp()}.sqlite3"
    if not cached.exists():
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp), corpus_dir=ROOT / "corpus")
            db = open_database(settings)
            started = time.process_time()
            import_corpus_folder(db, settings.corpus_dir)
            print(f"(corpus imported once for the benchmarks: {time.process_time() - started:.1f} s CPU)")
            db.close()
            partial = cached.with_suffix(".partial")
            _copy_database(settings.database_path, partial)
            partial.replace(cached)
    settings = Settings(data_dir=data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    _copy_database(cached, settings.database_path)


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy of an SQLite database (WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _corpus_stamp() -> str:
    """Changes with the corpus files and with the code that decides how they are imported."""
    digest = hashlib.blake2b(digest_size=8)
    for folder, pattern in (("corpus", "*.txt"), ("storage/migrations", "*.sql"), ("workers", "*.py")):
        for path in sorted((ROOT / folder).glob(pattern)):
            digest.update(path.name.encode() + path.read_bytes())
    for path in sorted((ROOT / "communique").glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()
