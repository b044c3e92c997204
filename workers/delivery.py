"""Sending an alert through apprise; the secret URLs stay in the apprise config file."""

from __future__ import annotations

from pathlib import Path

import apprise

from communique.errors import TransientError


def send(config_path: Path, tags: list[str], title: str, body: str) -> None:
    """Deliver to every apprise target with one of `tags`; TransientError when it did not get through."""
    if not config_path.exists():
        raise TransientError(f"apprise config {config_path} does not exist")
    config = apprise.AppriseConfig()
    if not config.add(str(config_path)):
        raise TransientError(f"apprise config {config_path} could not be read")
    notifier = apprise.Apprise()
    notifier.add(config)
    delivered = notifier.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT, tag=tags)
    if delivered is None:
        raise TransientError(f"no notification target in {config_path} has any of the tags {tags}")
    if not delivered:
        raise TransientError(f"delivery to the targets tagged {tags} failed")
