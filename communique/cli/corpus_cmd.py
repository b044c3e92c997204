"""`communique corpus …`: the known statements the matcher compares against."""

from __future__ import annotations

import click


@click.group()
def corpus() -> None:
    """Add, list and show the known statement texts.

    \b
    Example:
      communique corpus list
    """
