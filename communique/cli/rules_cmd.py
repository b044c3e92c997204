"""`communique rules …`: check the watch rules, export their schema, dry-run them on pages."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from communique.errors import ConfigError, PermanentError
from communique.rules import Rule, RulesFile, load_rules, rules_schema
from communique.settings import Settings
from communique.sources import load_sources
from communique.yaml_files import load_model

if TYPE_CHECKING:
    from workers.corpus_index import CorpusIndex


@click.group()
def rules() -> None:
    """Check the watch rules, print their JSON Schema, or dry-run them on pages.

    \b
    Example:
      communique rules check
    """


@rules.command("check")
def check() -> None:
    """Validate sources.yaml and every rules file; every error names file, line and field.

    Exits 2 when a file has errors. Also warns about `notify` tags that no target in the apprise
    config file carries (the config's URLs are never printed).

    \b
    Example:
      communique rules check
    """
    settings = Settings()
    loaded, problems = _validate(settings.rules_dir)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        sys.exit(2)
    for warning in _unknown_tags(loaded, settings.apprise_config_path):
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{len(loaded)} rules OK in {settings.rules_dir}")


@rules.command("schema")
def schema() -> None:
    """Print the JSON Schema of a rules file (rules/*.yaml), for editors.

    \b
    Example:
      communique rules schema > rules.schema.json
    """
    click.echo(json.dumps(rules_schema(), indent=2, ensure_ascii=False))


@rules.command("test")
@click.argument("sources", nargs=-1, required=True, metavar="PATH|URL|-...")
@click.option("--source", "source_id", default="dry-run", show_default=True, help="Source id to pretend.")
def test(sources: tuple[str, ...], source_id: str) -> None:
    """Dry run: show which rules fire on each page or text, and the exact alert they would send.

    Each input is extracted and matched against the corpus like `communique match`; nothing is
    stored and nothing is sent.

    \b
    Example:
      communique rules test page.html statement.txt --source vneconomy-world
    """
    from communique.cli.service import open_with_corpus
    from workers.corpus_index import load

    settings = Settings()
    watch = load_rules(settings.rules_dir)
    index = load(open_with_corpus(settings))
    for number, source in enumerate(sources):
        if number:
            click.echo("")
        _dry_run(source, source_id, settings, index, watch)


def _dry_run(source: str, source_id: str, settings: Settings, index: CorpusIndex, watch: list[Rule]) -> None:
    """Print the relation of one input, each rule that fires, and the alert it would send."""
    from storage.database import Row
    from workers.alerting import alerts_for
    from workers.engine import relate

    text, title, url = _extract(source, settings)
    result = relate(index, text.split("\n"), title=title)
    # alerts_for reads a version row by key; a dict with those keys stands in for the stored row.
    fired = alerts_for(result, cast(Row, _version(text, title, url, source_id)), watch)
    click.echo(f"== {source}: {result.relation}")
    if not fired:
        click.echo(f"no rule fires ({len(watch)} rules)")
        return
    for alert in fired:
        click.echo(f"rule {alert.rule} fires → {', '.join(alert.tags)}")
    # Every rule that fires sends the same rendered alert, to its own tags.
    click.echo(f"title: {fired[0].title}")
    click.echo(fired[0].body_text)


def _extract(source: str, settings: Settings) -> tuple[str, str | None, str]:
    """Paragraphs (joined by newlines), title and URL of an input, read as `communique match` does."""
    from communique.cli.match_cmd import _read
    from communique.text import paragraphs
    from workers.extraction import decode_html, extract_article, looks_like_html

    body, content_type = _read(source, settings.user_agent)
    url = source if "://" in source else ("stdin:" if source == "-" else Path(source).resolve().as_uri())
    if looks_like_html(body) or (content_type and "html" in content_type):
        _, encoding = decode_html(body, content_type)
        try:
            article = extract_article(body, encoding, url)
        except PermanentError as exc:
            raise click.ClickException(f"{source}: {exc}") from exc
        return article.text, article.title, url
    kept = paragraphs(body.decode("utf-8", errors="replace"))
    if not kept:
        raise click.ClickException(f"{source}: no text found")
    return "\n".join(kept), None, url


def _validate(rules_dir: Path) -> tuple[list[Rule], list[str]]:
    """The rules, or every problem of sources.yaml and of each rules file as `file:line: field: …`."""
    problems: list[str] = []
    try:
        load_sources(rules_dir)
    except ConfigError as exc:
        problems.extend(str(exc).splitlines())
    for path in sorted(rules_dir.glob("*.yaml")):
        if path.name == "sources.yaml":
            continue
        try:
            load_model(path, RulesFile)
        except ConfigError as exc:
            problems.extend(str(exc).splitlines())
    if problems:
        return [], problems
    try:
        # Each file is valid; what is left to find is across files (duplicate rule names).
        return load_rules(rules_dir), []
    except ConfigError as exc:
        return [], str(exc).splitlines()


def _unknown_tags(loaded: list[Rule], config_path: Path) -> list[str]:
    """Warnings for rule tags that no target in the apprise config has (none if there is no config)."""
    if not config_path.exists():
        return []
    import apprise

    # apprise logs unparseable URLs half-masked; a check must not print any part of a secret.
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
        for rule in loaded
        for tag in rule.notify
        if tag.lower() not in known
    ]


def _version(text: str, title: str | None, url: str, source_id: str) -> dict[str, Any]:
    """A version row as storage would hold it, for an input that is not stored."""
    return {
        "id": 0,
        "document_id": 0,
        "seq": 1,
        "source_id": source_id,
        "text": text,
        "title": title,
        "url": url,
        "first_seen": time.time(),
    }
