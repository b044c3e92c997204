"""`communique sources …`: validate and probe the configured sources."""

from __future__ import annotations

import click


@click.group()
def sources() -> None:
    """Check the sources in sources.yaml.

    \b
    Example:
      communique sources check
    """
