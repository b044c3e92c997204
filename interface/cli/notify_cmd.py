"""`communique notify …`: try the notification targets of the apprise config file."""

from __future__ import annotations

import html
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

    Each target gets the message in its format (HTML for email, Markdown for chat, text otherwise).
    The config file is COMMUNIQUE_APPRISE_CONFIG (default data/apprise.yml); exits 1 when the
    notification did not get through to every target.

    \b
    Example:
      communique notify test analysts
    """
    from workers.delivery import send
    from workers.render import Message

    body = TEST_BODY.format(tag=tag)
    message = Message(TEST_TITLE, body, body, f"<p>{html.escape(body)}</p>")
    try:
        send(Settings().apprise_config_path, [tag], message)
    except TransientError as exc:
        click.echo(f"not sent: {exc}", err=True)
        sys.exit(1)
    click.echo(f"sent to {tag}")
