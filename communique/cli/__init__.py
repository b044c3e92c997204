"""The `communique` command line: the service, the crawler, the workers and their status."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Any

import click

from communique import redact
from communique.errors import ConfigError
from communique.settings import Settings


def main() -> None:
    """Entry point: run the command group, turning configuration errors into a clear message."""
    try:
        cli(standalone_mode=True)
    except ConfigError as exc:
        click.echo(f"configuration error:\n{exc}", err=True)
        sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    if rules_dir is not None:
        # Exported so that worker processes forked by RQ read the same folder.
        os.environ["COMMUNIQUE_RULES_DIR"] = str(rules_dir)
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
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
def run(once: bool) -> None:
    """Run the service: poll sources when due, extract, match, and send alerts.

    Without COMMUNIQUE_REDIS_URL everything runs in this process; with it, this process polls and
    queues work for `communique worker` processes.

    \b
    Example:
      communique run --once
    """
    _crawl_and_work(Settings(), once, ())


@cli.command()
@click.option("--once", is_flag=True, help="Poll each source once and exit.")
@click.option("--source", "source_ids", multiple=True, help="Only this source id (repeatable).")
def crawl(once: bool, source_ids: tuple[str, ...]) -> None:
    """Poll sources and queue what they return for extraction.

    Without Redis there is no other process to do the work, so the jobs run here too.

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
    from communique.cli import service

    settings = Settings()
    if settings.redis_url:
        service.run_rq_worker(settings, burst)
        return
    if not burst:
        raise click.UsageError("set COMMUNIQUE_REDIS_URL to run workers, or use --burst")
    from workers.queue import EmbeddedQueue

    svc = service.prepare(settings)
    assert isinstance(svc.queue, EmbeddedQueue)  # no Redis URL: the embedded queue
    service.requeue_unfinished(svc.db, svc.queue)
    click.echo(f"ran {svc.queue.drain()} jobs")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def status(as_json: bool) -> None:
    """Show sources (last poll, last error, error count), counts and undelivered alerts.

    \b
    Example:
      communique status --json
    """
    from storage.database import open_database
    from storage.work import status as read_status

    db = open_database(Settings())
    try:
        report = read_status(db)
    finally:
        db.close()
    if as_json:
        click.echo(redact.redact(json.dumps(report, indent=2, ensure_ascii=False)))
        return
    _print_status(report)


def _crawl_and_work(settings: Settings, once: bool, source_ids: tuple[str, ...]) -> None:
    from communique.cli import service
    from crawler.process import crawl as run_crawler
    from workers.queue import EmbeddedQueue

    svc = service.prepare(settings, source_ids)
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


def _print_status(report: dict[str, Any]) -> None:
    counts = ", ".join(f"{k} {v}" for k, v in report["counts"].items())
    click.echo(f"database {report['database']}")
    click.echo(f"{counts}; undelivered alerts {report['undelivered_alerts']}")
    for source in report["sources"]:
        state = f"error ×{source['error_count']}: {source['last_error']}" if source["last_error"] else "ok"
        click.echo(redact.redact(f"  {source['id']:<28} {source['kind']:<5} {state}"))


def _register() -> None:
    """Attach the command groups that live in their own modules."""
    from communique.cli.corpus_cmd import corpus
    from communique.cli.match_cmd import match
    from communique.cli.notify_cmd import notify
    from communique.cli.rules_cmd import rules
    from communique.cli.sources_cmd import sources

    cli.add_command(corpus)
    cli.add_command(match)
    cli.add_command(notify)
    cli.add_command(rules)
    cli.add_command(sources)


_register()
