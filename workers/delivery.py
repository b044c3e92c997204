"""Sending an alert through apprise; the secret URLs stay in the apprise config file."""

from __future__ import annotations

from pathlib import Path

import apprise
from apprise.result import AppriseResultStatus

from communique.errors import TransientError


def send(config_path: Path, tags: list[str], title: str, body: str) -> None:
    """Deliver to every apprise target with one of `tags`; TransientError when it did not get through.

    A PARTIAL result (some targets reached, some not) is retried whole for now, so the targets that
    were reached may receive the alert twice; per-target delivery records are the rules issue's work.
    """
    if not config_path.exists():
        raise TransientError(f"apprise config {config_path} does not exist")
    config = apprise.AppriseConfig()
    if not config.add(str(config_path)):
        raise TransientError(f"apprise config {config_path} could not be read")
    notifier = apprise.Apprise()
    notifier.add(config)
    with notifier.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT, tag=tags) as result:
        status = result.status
    if status == AppriseResultStatus.NOMATCH:
        raise TransientError(f"no notification target in {config_path} has any of the tags {tags}")
    if status != AppriseResultStatus.SUCCESS:
        raise TransientError(f"delivery to the targets tagged {tags} failed: {status.name}")
