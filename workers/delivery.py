"""Sending alerts through apprise, one target at a time; the secret URLs stay in the apprise config file.

Each target matching the rule's tags gets the body in its own format (HTML for email, Markdown for chat
services, plain text for the rest) and has its own delivery record, keyed by a name that holds no
secret. A retry sends only to the targets not reached yet, so nobody receives an alert twice.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import apprise
from apprise.plugins.custom_form import NotifyForm
from apprise.plugins.custom_json import NotifyJSON
from apprise.plugins.custom_xml import NotifyXML
from apprise.plugins.email import NotifyEmail
from apprise.url import URLBase

from communique.errors import PermanentError, TransientError
from communique.redact import redact, url_secrets
from communique.rules import Rule
from storage import alerts
from storage.database import Database, now
from workers.render import Message

log = logging.getLogger(__name__)

# A worker sending to a target holds it this long; one that died mid-send is replaced after it (or
# sooner, when the sweeper finds its worker gone).
CLAIM_SECONDS = 600.0
# How long a delivery made is retried to be recorded: well within the claim (nobody sends it
# meanwhile) and within RQ's job timeout (180 s by default), which would cut the job short.
RECORD_PATIENCE = 60.0
# Webhook targets that take headers of our choosing: each post carries the alert's id as a header.
_HEADER_TARGETS = (NotifyJSON, NotifyForm, NotifyXML)
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Target:
    """One apprise service from the config file, named without its secrets."""

    key: str  # scheme and a hash of the URL with its secrets masked: "mailto:3f2a…"
    service: Any  # apprise's NotifyBase (apprise is untyped)

    @property
    def body_format(self) -> apprise.NotifyFormat:
        """The format we send: HTML to email, text where the target wants text, Markdown otherwise."""
        wanted = self.service.resolve_format(None)  # the service's default, or the URL's ?format=
        if wanted == apprise.NotifyFormat.TEXT:
            return apprise.NotifyFormat.TEXT
        if wanted == apprise.NotifyFormat.HTML and isinstance(self.service, NotifyEmail):
            return apprise.NotifyFormat.HTML
        # Chat services take Markdown; one that only takes HTML gets it converted by apprise, which
        # is safer than our email HTML (tables) that most chat services reject.
        return apprise.NotifyFormat.MARKDOWN


def body_for(message: Message, body_format: apprise.NotifyFormat) -> str:
    """The body of a message in one format."""
    if body_format == apprise.NotifyFormat.HTML:
        return message.html
    if body_format == apprise.NotifyFormat.MARKDOWN:
        return message.markdown
    return message.text


def target_key(service: Any) -> str:
    """A stable name for a target that reveals nothing secret (passwords and tokens are masked)."""
    masked = str(service.url(privacy=True))
    digest = hashlib.sha256(masked.encode("utf-8")).hexdigest()[:16]
    return f"{masked.split('://', 1)[0]}:{digest}"


def targets(config_path: Path, tags: list[str]) -> list[Target]:
    """The targets in the apprise config with one of `tags`; TransientError when there are none."""
    if not config_path.exists():
        raise TransientError(f"apprise config {config_path} does not exist")
    config = apprise.AppriseConfig()
    if not config.add(str(config_path)):
        raise TransientError(f"apprise config {config_path} could not be read")
    notifier = apprise.Apprise()
    notifier.add(config)
    found: dict[str, Target] = {}
    for service in notifier.find(tag=tags):
        key = target_key(service)
        found.setdefault(key, Target(key, service))  # the same URL listed twice is one target
    if not found:
        raise TransientError(f"no notification target in {config_path} has any of the tags {tags}")
    return list(found.values())


def alert_uid(key: str) -> str:
    """The id a receiver sees for an alert: the same on every attempt and from every worker."""
    return "communique-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def tags_without_targets(config_path: Path, rules: list[Rule]) -> list[str]:
    """Why the alerts of some rules cannot be sent: no apprise config at all, or a tag no target has
    (apprise compares tags without case). Nothing of a target's URL is said: apprise's own log of a
    URL it cannot parse is silenced meanwhile, as it prints part of the secret."""
    wanted = {tag.lower() for rule in rules for tag in rule.notify}
    if not wanted:
        return []
    if not config_path.exists():
        tags = ", ".join(sorted(wanted))
        return [f"no apprise config at {config_path}: no alert can be sent (tags {tags})"]
    apprise_log = logging.getLogger("apprise")
    level = apprise_log.level
    apprise_log.setLevel(logging.CRITICAL + 1)
    try:
        config = apprise.AppriseConfig()
        config.add(str(config_path))
        known = {str(tag).lower() for service in config.services() for tag in service.tags}
    finally:
        apprise_log.setLevel(level)
    return [
        f"rule {rule.name!r} notifies tag {tag!r}, which no target in {config_path} has"
        for rule in rules
        for tag in rule.notify
        if tag.lower() not in known
    ]


def send_to(
    target: Target, message: Message, *, uid: str | None = None, timeout: float | None = None
) -> None:
    """Send one message to one target; TransientError when it did not get through.

    `uid` (the alert's id) ends the body and, for webhooks, is the Idempotency-Key header, so that a
    receiver can drop a repeat; `timeout` is how long the target has to answer, unless its URL says.
    """
    body_format = target.body_format
    body = body_for(message, body_format)
    if not body.strip():
        raise PermanentError(f"refusing to send an empty message: {message.title!r}")
    service = target.service
    if uid is not None:
        body += _id_line(uid, body_format)
        if isinstance(service, _HEADER_TARGETS):
            service.headers[IDEMPOTENCY_HEADER] = uid
    if timeout is not None and service.socket_read_timeout == URLBase.socket_read_timeout:
        service.socket_read_timeout = timeout
    said = _ApprisesWarnings()
    apprise_log = logging.getLogger("apprise")
    apprise_log.addHandler(said)
    try:
        ok = target.service.notify(body=body, title=message.title, body_format=body_format)
    except Exception as exc:  # a plugin's own failure is this target's failure, not the job's
        # Only the type: a plugin's message may quote its URL, secrets included.
        raise TransientError(f"{target.key}: {type(exc).__name__}") from exc
    finally:
        apprise_log.removeHandler(said)
    if not ok:
        # apprise returns False and logs why (the HTTP status, a refused connection, the server's
        # answer); its words, with every part of the target URL that may be secret masked.
        reason = redact(said.lines[-1], url_secrets(service.url(privacy=False))) if said.lines else ""
        raise TransientError(f"{target.key}: delivery failed{': ' + reason if reason else ''}")


class _ApprisesWarnings(logging.Handler):
    """The warnings apprise logs on this thread (other threads may be sending meanwhile)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.lines.append(record.getMessage())


def _id_line(uid: str, body_format: apprise.NotifyFormat) -> str:
    if body_format == apprise.NotifyFormat.HTML:
        return f'<p style="color:#888;font-size:small">Alert id: {uid}</p>'
    return f"\n\nAlert id: {uid}"


def send(config_path: Path, tags: list[str], message: Message) -> None:
    """Send to every target with one of `tags`, without records (`notify test`); raise if any failed."""
    failed = []
    for target in targets(config_path, tags):
        try:
            send_to(target, message)
        except TransientError as exc:
            failed.append(str(exc))
    if failed:
        raise TransientError("; ".join(failed))


def record_sent(db: Database, alert_id: int, key: str, patience: float = RECORD_PATIENCE) -> None:
    """Record a delivery that was made, waiting out a busy or unreachable database meanwhile: left
    unrecorded, it would be sent again once the claim expires."""
    pause, deadline = 0.2, time.monotonic() + patience
    while True:
        try:
            alerts.record_attempt(db, alert_id, key, ok=True)
            return
        except TransientError as exc:
            if time.monotonic() + pause > deadline:
                raise
            log.warning("alert %d sent to %s but not recorded yet, retrying: %s", alert_id, key, exc)
            time.sleep(pause)
            pause = min(pause * 2, 10.0)


def deliver(
    db: Database,
    alert_id: int,
    config_path: Path,
    tags: list[str],
    message: Message,
    *,
    timeout: float | None = None,
) -> None:
    """Deliver a stored alert to each of its targets not reached yet, recording every attempt.

    The alert is delivered once every target is; TransientError names the targets still to reach.
    Each target gets it at least once: a target that took it but answered after `timeout` gets it
    again on the retry, with the same alert id.
    """
    row = alerts.alert(db, alert_id)
    uid = alert_uid(row["key"]) if row is not None else None
    failed: list[str] = []
    for target in targets(config_path, tags):
        if alerts.target_delivered(db, alert_id, target.key):
            continue
        if not alerts.claim_target(db, alert_id, target.key, until=now() + CLAIM_SECONDS):
            failed.append(f"{target.key}: being sent by another worker")
            continue
        try:
            send_to(target, message, uid=uid, timeout=timeout)
        except TransientError as exc:
            alerts.record_attempt(db, alert_id, target.key, ok=False, error=str(exc))
            log.warning("alert %d not delivered to %s: %s", alert_id, target.key, exc)
            failed.append(str(exc))
            continue
        record_sent(db, alert_id, target.key)
        log.info("alert %d delivered to %s", alert_id, target.key, extra={"alert_id": alert_id})
    if failed:
        raise TransientError(f"alert {alert_id} not delivered to every target: {'; '.join(failed)}")
    alerts.mark_delivered(db, alert_id)
