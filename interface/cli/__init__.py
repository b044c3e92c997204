"""The `communique` command line: the service, the crawler, the workers and their status."""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from communique import redact
from communique.errors import ConfigError, TransientError
from communique.settings import Settings

if TYPE_CHECKING:
    from interface.cli.presence import CrawlerLock

EXIT_UNAVAILABLE = 75  # sysexits EX_TEMPFAIL: a server is down; systemd and scripts may retry


def main() -> None:
    """Entry point: run the command group, turning configuration errors and unavailable servers into
    a clear message rather than a traceback."""
    # One OpenMP thread per process (the embedding model, numpy) unless the user says otherwise: work
    # scales by processes (RQ workers), and a second thread mostly spins. `communique match` of a
    # 1,960-character German page: 2.37 s CPU / 1.70 s wall with one thread per core (2 here), 1.65 s
    # CPU / 1.77 s wall with one (three runs each, 2026-12-06). Set before either library loads.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        cli(standalone_mode=True)
    except ConfigError as exc:
        click.echo(f"configuration error:\n{exc}", err=True)
        sys.exit(2)
    except TransientError as exc:
        click.echo(f"unavailable, try again later:\n{exc}", err=True)
        sys.exit(EXIT_UNAVAILABLE)


class LazyGroup(click.Group):
    """A command group whose commands in other modules are imported when one of them runs (click's
    "lazily loading subcommands"): `communique match` need not load apprise and the rule schema for
    commands it does not run (0.2 s of the 2 s it costs)."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy  # command name -> "module:attribute"

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module, attribute = self.lazy[cmd_name].split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    lazy={
        "corpus": "interface.cli.corpus_cmd:corpus",
        "match": "interface.cli.match_cmd:match",
        "notify": "interface.cli.notify_cmd:notify",
        "rules": "interface.cli.rules_cmd:rules",
        "sources": "interface.cli.sources_cmd:sources",
        "status": "interface.cli.status_cmd:status",
        "web": "interface.cli.web_cmd:web",
    },
)
@click.option(
    "--rules",
    "rules_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder with sources.yaml and the watch rules (env COMMUNIQUE_RULES_DIR; default ./rules).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
def cli(rules_dir: Path | None, verbose: bool) -> None:
    """Watch official and press sites for new or changed official statements, and alert people.

    \b
    Example:
      communique run            # poll, match and alert in one process
    """
    from interface.cli.logs import configure

    if rules_dir is not None:
        # Exported so that worker processes forked by RQ read the same folder.
        os.environ["COMMUNIQUE_RULES_DIR"] = str(rules_dir)
    configure(verbose, os.environ.get("COMMUNIQUE_LOG_FORMAT", "text"))
    redact.install(_secrets())


def _secrets() -> set[str]:
    """What must never be logged: passwords in the service URLs, tokens in the apprise config."""
    try:
        settings = Settings()
    except ValueError:
        return set()  # the command reports the bad setting itself
    found = redact.config_secrets(settings.apprise_config_path)
    for url in (settings.redis_url, settings.database_url, settings.proxy_url):
        found |= redact.url_secrets(url or "")
    return found


@cli.command()
@click.option("--once", is_flag=True, help="Poll every source once, finish the work, and exit.")
@click.option(
    "--web",
    "with_web",
    is_flag=True,
    help="Serve the web pages too (as `communique web`, on COMMUNIQUE_WEB_PORT).",
)
def run(once: bool, with_web: bool) -> None:
    """Run the service: poll sources when due, extract, match, and send alerts.

    Without COMMUNIQUE_REDIS_URL everything runs in this process; with it, this process polls and
    queues work for `communique worker` processes, holding the crawler lock in Redis: a second one
    waits and takes over when the first stops or dies (within COMMUNIQUE_LOCK_TTL seconds).

    \b
    Example:
      communique run --once
      communique run --web      # and read what it found at http://127.0.0.1:8650/
    """
    settings = Settings()
    if not with_web:
        _crawl_and_work(settings, once, ())
        return
    from interface.web.serve import serve_in_thread

    web, thread = serve_in_thread(settings)
    try:
        _crawl_and_work(settings, once, ())
    finally:
        web.should_exit = True
        thread.join(timeout=10)


@cli.command()
@click.option("--once", is_flag=True, help="Poll each source once and exit.")
@click.option("--source", "source_ids", multiple=True, help="Only this source id (repeatable).")
def crawl(once: bool, source_ids: tuple[str, ...]) -> None:
    """Poll sources and queue what they return for extraction.

    Without Redis there is no other process to do the work, so the jobs run here too. With Redis only
    one crawler polls: a second one waits for the lock and takes over when the first dies; with
    --once it exits with status 3 instead of waiting.

    \b
    Example:
      communique crawl --once --source vneconomy-world
    """
    _crawl_and_work(Settings(), once, source_ids)


@cli.command()
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
def worker(burst: bool) -> None:
    """Run queued jobs (extract → match → notify) from Redis.

    Without COMMUNIQUE_REDIS_URL, `--burst` finishes the work storage shows as unfinished.

    \b
    Example:
      COMMUNIQUE_REDIS_URL=redis://localhost:6379/0 communique worker
    """
    from interface.cli import service

    settings = Settings()
    service.exit_on_sigterm()
    if settings.redis_url:
        _serve_metrics(settings, system=False)
        service.run_rq_worker(settings, burst)
        return
    if not burst:
        raise click.UsageError("set COMMUNIQUE_REDIS_URL to run workers, or use --burst")
    from workers.queue import EmbeddedQueue

    svc = service.prepare(settings)
    assert isinstance(svc.queue, EmbeddedQueue)  # no Redis URL: the embedded queue
    service.requeue_unfinished(svc.db, svc.queue)
    click.echo(f"ran {svc.queue.drain()} jobs")


def _crawl_and_work(settings: Settings, once: bool, source_ids: tuple[str, ...]) -> None:
    from interface.cli.service import exit_on_sigterm

    exit_on_sigterm()
    lock = _crawler_lock(settings, once)
    try:
        _poll(settings, once, source_ids)
    finally:
        if lock is not None:
            lock.release()
    if lock is not None and lock.lost:
        click.echo("stopped: another crawler took the crawler lock", err=True)
        sys.exit(1)


def _poll(settings: Settings, once: bool, source_ids: tuple[str, ...]) -> None:
    from crawler.process import crawl as run_crawler
    from interface.cli import service
    from workers.queue import EmbeddedQueue

    svc = service.prepare(settings, source_ids)
    _serve_metrics(settings, system=True)
    service.requeue_unfinished(svc.db, svc.queue)
    embedded = svc.queue if isinstance(svc.queue, EmbeddedQueue) else None
    if once:
        run_crawler(settings, svc.queue, svc.sources, once=True)
        if embedded is not None:
            embedded.drain()
        return
    stop = threading.Event()
    service.start_sweeper(settings, svc.queue, stop)
    if embedded is not None:
        embedded.start()
    try:
        run_crawler(settings, svc.queue, svc.sources, once=False)
    finally:
        stop.set()
        if embedded is not None:
            embedded.stop()


def _crawler_lock(settings: Settings, once: bool) -> CrawlerLock | None:
    """With Redis, hold the crawler lock (waiting for it; --once exits 3 when it is taken)."""
    if not settings.redis_url:
        return None
    from redis import Redis

    from interface.cli.presence import CrawlerLock, lock_holder

    redis = Redis.from_url(settings.redis_url)
    lock = CrawlerLock(redis, settings.lock_ttl)
    if not lock.wait(threading.Event(), once):  # SIGTERM while waiting: exit_on_sigterm
        click.echo(f"another crawler holds the crawler lock ({lock_holder(redis)}); not polling", err=True)
        sys.exit(3)
    # Losing the lock stops the crawl as SIGTERM does (gracefully); the command then exits 1.
    lock.keep(on_lost=lambda: os.kill(os.getpid(), signal.SIGTERM))
    return lock


def _serve_metrics(settings: Settings, system: bool) -> None:
    """Serve Prometheus metrics when COMMUNIQUE_METRICS_PORT is set; `system`: also what storage and
    Redis hold (from the crawler only, so that those figures are not counted once per worker)."""
    if settings.metrics_port is None:
        return
    from prometheus_client.registry import Collector

    from communique import metrics
    from interface.cli.exporters import QueueCollector, StorageCollector

    collectors: list[Collector] = []
    if system:
        collectors.append(StorageCollector(settings))
        if settings.redis_url:
            collectors.append(QueueCollector(settings.redis_url))
    try:
        metrics.serve(settings.metrics_port, settings.metrics_host, collectors)
    except OSError as exc:
        raise ConfigError(
            f"COMMUNIQUE_METRICS_PORT: cannot serve metrics on {settings.metrics_host}:"
            f"{settings.metrics_port}: {exc}"
        ) from exc
