"""`communique sources …`: validate and probe the configured sources."""

from __future__ import annotations

import sys

import click

from communique.settings import Settings
from communique.sources import load_sources


@click.group()
def sources() -> None:
    """Check the sources in sources.yaml.

    \b
    Example:
      communique sources check
    """


@sources.command()
@click.option("--no-probe", is_flag=True, help="Only validate sources.yaml; fetch nothing.")
def check(no_probe: bool) -> None:
    """Validate sources.yaml, then fetch each source once and show its status and the items it lists.

    Exits 2 when sources.yaml is invalid (naming file, line and field) and 1 when a source fails.
    Nothing is stored.

    \b
    Example:
      communique sources check --no-probe
    """
    settings = Settings()
    configured = load_sources(settings.rules_dir)
    if no_probe:
        click.echo(f"{'source':<28} {'kind':<8} {'every':>6}  url")
        for source in configured:
            click.echo(f"{source.id:<28} {source.kind:<8} {source.interval:>5}s  {source.url}")
        click.echo(f"{len(configured)} sources valid in {settings.rules_dir / 'sources.yaml'}")
        return
    from crawler.probe import probe  # Scrapy loads only for a probe

    results = probe(settings, configured)
    click.echo(f"{'source':<28} {'kind':<8} {'status':>6} {'items':>5} {'more':>4}  url / error")
    for result in results:
        status = str(result.status) if result.status is not None else "-"
        detail = f"{result.url}" + (f"  ERROR {result.error}" if result.error else "")
        counts = f"{status:>6} {result.items:>5} {result.more:>4}"
        click.echo(f"{result.source.id:<28} {result.source.kind:<8} {counts}  {detail}")
    failed = sum(1 for result in results if result.error)
    click.echo(f"{len(results)} sources probed, {failed} failing")
    if failed:
        sys.exit(1)
