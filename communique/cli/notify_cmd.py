"""`communique notify …`: try the notification targets of the apprise config file."""

from __future__ import annotations

import sys

import click

from communique.errors import TransientError
from communique.settings import Settings

TEST_TITLE = "[communique] test notification"
TEST_BODY = "This is a test from `communique notify test`: alerts for the tag {tag} reach this target."


@click.group()
def notify() -> None:
    """Check that alerts reach the people behind an apprise tag.

    \b
    Example:
      communique notify test analysts
    """


@notify.command("test")
@click.argument("tag")
def test(tag: str) -> None:
    """Send a short test notification to every target with TAG in the apprise config file.

    The config file is COMMUNIQUE_APPRISE_CONFIG (default data/apprise.yml); exits 1 when the
    notification did not get through.

    \b
    Example:
      communique notify test analysts
    """
    from workers.delivery import send

    try:
        send(Settings().apprise_config_path, [tag], TEST_TITLE, TEST_BODY.format(tag=tag))
    except TransientError as exc:
        click.echo(f"not sent: {exc}", err=True)
        sys.exit(1)
    click.echo(f"sent to {tag}")
