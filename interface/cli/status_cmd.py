"""`communique status`: storage counts, sources, pending deliveries, and on Redis the queues, the
workers and the crawler lock. Never prints a password."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click

from communique.redact import mask_url, redact
from communique.settings import Settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def status(as_json: bool) -> None:
    """Show counts, pending deliveries (with their last error), alerts held for a digest or follow-up
    (per rule, with when they are sent), sources (last and next poll, last error, error count) and,
    with Redis, queue lengths, failed jobs, workers and the crawler lock holder.

    \b
    Example:
      communique status --json
    """
    report = build_report(Settings())
    if as_json:
        click.echo(redact(json.dumps(report, indent=2, ensure_ascii=False)))
        return
    print_report(report)


def build_report(settings: Settings) -> dict[str, Any]:
    """Everything `status` shows, as plain data."""
    from storage.database import open_database
    from storage.work import pending_deliveries
    from storage.work import status as storage_status

    db = open_database(settings)
    try:
        report = storage_status(db)
        report["pending_deliveries"] = pending_deliveries(db)
    finally:
        db.close()
    report["redis"] = redis_report(settings.redis_url) if settings.redis_url else None
    return report


def redis_report(url: str) -> dict[str, Any]:
    """Queues, workers and crawler lock; an `error` instead when Redis cannot be reached."""
    from redis import Redis
    from redis.exceptions import RedisError

    from interface.cli.exporters import queue_lengths
    from interface.cli.presence import lock_holder

    redis = Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    report: dict[str, Any] = {"url": mask_url(url)}
    try:
        report["queues"] = queue_lengths(redis)
        report["workers"] = workers(redis)
        report["crawler_lock"] = lock_holder(redis)
    except RedisError as exc:
        report["error"] = f"{type(exc).__name__}: {exc}"
    return report


def workers(redis: Any) -> list[dict[str, Any]]:
    """RQ workers registered in Redis; `alive` when their process still renews its liveness key."""
    from rq import Worker
    from rq.serializers import JSONSerializer

    from workers.queue import WORKER_ALIVE_PREFIX

    found = []
    for worker in Worker.all(connection=redis, serializer=JSONSerializer):
        found.append(
            {
                "name": worker.name,
                "alive": bool(redis.exists(WORKER_ALIVE_PREFIX + worker.name)),
                "state": str(getattr(worker.get_state(), "value", worker.get_state())),
                "current_job": worker.get_current_job_id(),
                "host": worker.hostname,
                "pid": worker.pid,
                "last_heartbeat": worker.last_heartbeat.isoformat() if worker.last_heartbeat else None,
            }
        )
    return sorted(found, key=lambda w: str(w["name"]))


def _when(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def print_report(report: dict[str, Any]) -> None:
    """The human-readable form."""
    counts = ", ".join(f"{k} {v}" for k, v in report["counts"].items())
    click.echo(f"database {report['database']}")
    click.echo(f"{counts}; undelivered alerts {report['undelivered_alerts']}")
    for alert in report["pending_deliveries"]:
        error = alert["last_error"] or "not tried yet"
        click.echo(
            redact(f"  pending alert {alert['id']} ({alert['rule']}, {alert['attempts']} attempts): {error}")
        )
    if report["held"]:
        click.echo(f"held alerts {report['held_alerts']} (sent when their window closes):")
        for bundle in report["held"]:
            click.echo(
                f"  rule {bundle['rule']} ({bundle['kind']}): {bundle['alerts']} alerts, "
                f"sent {_when(bundle['due_at'])}"
            )
    click.echo("sources:")
    for source in report["sources"]:
        state = f"error ×{source['error_count']}: {source['last_error']}" if source["last_error"] else "ok"
        if source["last_polled_at"] is None:
            polls = "not polled yet"
        else:
            polls = f"last poll {_when(source['last_polled_at'])}, next {_when(source['next_poll_at'])}"
        click.echo(redact(f"  {source['id']:<28} {source['kind']:<7} {polls}; {state}"))
    redis = report["redis"]
    if redis is None:
        click.echo("queue: embedded (no COMMUNIQUE_REDIS_URL)")
        return
    click.echo(f"redis {redis['url']}")
    if "error" in redis:
        click.echo(f"  unreachable: {redis['error']}")
        return
    for stage, figures in redis["queues"].items():
        click.echo(f"  queue {stage:<8} " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    lock = redis["crawler_lock"]
    click.echo(
        f"  crawler lock: {lock['holder']} ({lock['ttl']:.0f} s left)" if lock else "  crawler lock: free"
    )
    for worker in redis["workers"]:
        life = "alive" if worker["alive"] else "gone"
        job = f", job {worker['current_job']}" if worker["current_job"] else ""
        click.echo(f"  worker {worker['name']} {life}, {worker['state']}{job}")
