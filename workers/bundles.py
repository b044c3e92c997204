"""Grouped messages: when a digest window or a follow-up window closes, one alert lists its items.

Run by the service's sweep (every 30 s, and on start). The alert made of a bundle is stored like any
other and delivered by the notify job, with the same per-target records and retries.
"""

from __future__ import annotations

import hashlib
import json
import logging

from storage import alerts
from storage.alerts import NewAlert
from storage.database import Database, Row, now
from workers.render import Carrier, Message, render_bundle, when

log = logging.getLogger(__name__)


def close_due(db: Database, at: float | None = None) -> list[int]:
    """Make one alert of each bundle whose window closed by `at` (default: now); returns their ids."""
    moment = now() if at is None else at
    made = []
    for bundle in alerts.due_bundles(db, moment):
        items = alerts.held_items(db, bundle)
        if not items:
            continue
        message = _follow_up(db, bundle, items) if items[0]["kind"] == "follow-up" else _digest(bundle, items)
        keys = [str(item["key"]) for item in items]
        # The same items give the same key, so two sweeps cannot send one window twice; items held
        # after a window was sent (a match finishing late) make a second, smaller message.
        fingerprint = hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:12]
        tags = sorted({tag for item in items for tag in json.loads(item["tags"])})
        alert = NewAlert(
            key=f"{bundle}:{fingerprint}",
            rule=str(items[0]["rule"]),
            version_id=int(items[0]["version_id"]),  # the item that opened the window
            event=str(items[0]["kind"]),
            tags=tags,
            title=message.title,
            body_text=message.text,
            body_html=message.html,
            body_markdown=message.markdown,
        )
        alert_id = alerts.send_bundle(db, keys, alert, moment)
        if alert_id is not None:
            log.info("%s closed: %d items in alert %d", bundle, len(items), alert_id)
            made.append(alert_id)
    return made


def _carrier(item: Row) -> Carrier:
    return Carrier(
        item["source_id"],
        item["url"],
        item["title"],
        item["event"],
        item["coverage"],
        float(item["first_seen"]),
        item["statement_id"],
    )


def _digest(bundle: str, items: list[Row]) -> Message:
    """The digest of one rule's window: every page it held, earliest first."""
    _, rule, period, start = bundle.split(":")
    label = when(float(start))
    title = f"[communique] {period} digest, {rule}: {len(items)} page(s) from {label}"
    intro = f"{len(items)} page(s) carrying known statements, {period} window from {label} (rule {rule}):"
    return render_bundle(title, intro, [_carrier(item) for item in items])


def _follow_up(db: Database, bundle: str, items: list[Row]) -> Message:
    """The follow-up of a first alert: the other sources that carried the same statement since."""
    first = alerts.alert(db, int(bundle.split(":")[1]))
    about = str(first["title"]).removeprefix("[communique] ") if first is not None else bundle
    since = when(float(first["created_at"])) if first is not None else "the first alert"
    title = f"[communique] follow-up: {len(items)} more source(s) carry {about}"
    intro = f"Also carried by {len(items)} more source(s) since the alert of {since} ({about}):"
    return render_bundle(title, intro, [_carrier(item) for item in items])
