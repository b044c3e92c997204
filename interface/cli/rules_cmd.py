"""`communique rules …`: check the watch rules, export their schema, dry-run them on pages."""

from __future__ import annotations

import json
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from communique.errors import ConfigError, PermanentError
from communique.model import Relation
from communique.rules import Rule, RulesFile, load_rules, rules_schema, unmatched_sources
from communique.settings import Settings
from communique.sources import load_sources
from communique.statements import Genre
from communique.yaml_files import load_model
from workers.delivery import tags_without_targets

if TYPE_CHECKING:
    from storage.database import Database, Row
    from workers.corpus_index import CorpusIndex
    from workers.engine import MatchResult


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

    Exits 2 when a file has errors. Also warns about `sources` entries (ids or globs) that name no
    source in sources.yaml, languages the detector never assigns, `min_coverage` on rules that only
    want `new` events (which match no known statement), a missing apprise config file, and `notify`
    tags that no target in it carries (the config's URLs are never printed).

    \b
    Example:
      communique rules check
    """
    settings = Settings()
    loaded, source_ids, problems = _validate(settings.rules_dir)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        sys.exit(2)
    warnings = [
        *unmatched_sources(loaded, source_ids),
        *_never_firing(loaded),
        *tags_without_targets(settings.apprise_config_path, loaded),
    ]
    for warning in warnings:
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
@click.argument("sources", nargs=-1, metavar="[PATH|URL|-]...")
@click.option("--source", "source_id", default="dry-run", show_default=True, help="Source id to pretend.")
@click.option(
    "--since",
    metavar="WHEN",
    help="Instead of inputs: the stored versions first seen since WHEN (2025-05-10, "
    "2025-05-10T08:00+07:00 (UTC without a zone), or 30m, 12h, 2d, 1w ago).",
)
def test(sources: tuple[str, ...], source_id: str, since: str | None) -> None:
    """Dry run: show which rules fire on each page or text, and the exact alert they would send.

    Each input is extracted and matched against the corpus like `communique match`. With --since,
    the versions stored since then are tested instead, with the match result stored for each (or
    matched now, against its previous version, when it has none yet). Nothing is stored or sent.

    \b
    Example:
      communique rules test page.html statement.txt --source vneconomy-world
      communique rules test --since 2d
    """
    from interface.cli.corpus_setup import open_with_corpus
    from workers.corpus_index import load

    if bool(sources) == bool(since):
        raise click.UsageError("give either inputs (PATH, URL or -) or --since, not both")
    settings = Settings()
    watch = load_rules(settings.rules_dir)
    if since:
        _dry_run_stored(parse_since(since, time.time()), settings, watch)
        return
    db = open_with_corpus(settings)
    index = load(db)
    for number, source in enumerate(sources):
        if number:
            click.echo("")
        _dry_run(db, index, source, source_id=source_id, settings=settings, watch=watch)


def _dry_run(
    db: Database, index: CorpusIndex, source: str, *, source_id: str, settings: Settings, watch: list[Rule]
) -> None:
    """Print the relation of one input, each rule that fires, and the alert it would send."""
    from workers.engine import relate

    text, title, url = _extract(source, settings)
    result = relate(index, text.split("\n"), title=title)
    # alerts_for reads a version row by key; a dict with those keys stands in for the stored row.
    _show(
        db, f"{source}: {result.relation}", result, cast("Row", _version(text, title, url, source_id)), watch
    )


def _dry_run_stored(since: float, settings: Settings, watch: list[Rule]) -> None:
    """Print, for each version stored since `since`, the rules that fire and the alerts they would send."""
    from storage import documents
    from storage.database import open_database
    from workers.corpus_index import load
    from workers.engine import relate

    db = open_database(settings)
    found = documents.versions_since(db, since)
    index = None
    for number, version in enumerate(found):
        result = _stored_result(version["match_result"])
        how = "stored match"
        if result is None:
            # Not matched yet (or stored by an older engine): match it now, as the match job would.
            index = index or load(db)
            previous = documents.previous_version(db, version["document_id"], version["seq"])
            before = previous["text"].split("\n") if previous else None
            result = relate(index, version["text"].split("\n"), title=version["title"], previous=before)
            how = "matched now"
        if number:
            click.echo("")
        seen = datetime.fromtimestamp(float(version["first_seen"]), UTC).strftime("%Y-%m-%d %H:%M UTC")
        label = (
            f"{version['url']} (version {version['seq']}, {version['source_id']}, {seen}): {result.relation}"
        )
        _show(db, f"{label} [{how}]", result, version, watch)
    when = datetime.fromtimestamp(since, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    click.echo(f"{'' if not found else chr(10)}{len(found)} versions first seen since {when}")


def _show(db: Database, label: str, result: MatchResult, version: Row, watch: list[Rule]) -> None:
    """Print one input's relation and, for each rule that fires, where its alert goes, whether it
    is sent now or held (digest, follow-up), and the exact alert in the rule's format."""
    from workers.alerting import alerts_for, plan, provenance_of

    fired = alerts_for(result, version, watch, provenance_of(db, result, version))
    click.echo(f"== {label}")
    if not fired:
        click.echo(f"no rule fires ({len(watch)} rules)")
        return
    rules = {rule.name: rule for rule in watch}
    for alert in fired:
        rule = rules[alert.rule]
        decided = plan(db, alert, rule, version, time.time())
        click.echo(
            f"-- rule {alert.rule} fires → {', '.join(alert.tags)}; {rule.format}; {decided.describe()}"
        )
        click.echo(f"title: {alert.title}")
        click.echo(alert.body_text)


def _stored_result(stored: str | None) -> MatchResult | None:
    """A match result as the match job stored it, or None if there is none or it no longer fits."""
    from workers.engine import MatchResult, ParagraphResult

    if stored is None:
        return None
    try:
        data = json.loads(stored)
        paragraphs = [ParagraphResult(**paragraph) for paragraph in data.pop("paragraphs")]
        data |= {"relation": Relation(data["relation"]), "genre": Genre(data["genre"])}
        return MatchResult(**data, paragraphs=paragraphs)
    except (ValueError, KeyError, TypeError):
        return None


SINCE_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(value: str, now: float) -> float:
    """Seconds since the epoch for `--since`: an ISO date or date-time (UTC unless it says), or `2d` ago."""
    relative = re.fullmatch(r"(\d+)\s*([mhdw])", value.strip())
    if relative:
        return now - int(relative.group(1)) * SINCE_UNITS[relative.group(2)]
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: expected a date (2025-05-10), a date-time (2025-05-10T08:00+07:00) or an age "
            "(30m, 12h, 2d, 1w)",
            param_hint="--since",
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _extract(source: str, settings: Settings) -> tuple[str, str | None, str]:
    """Paragraphs (joined by newlines), title and URL of an input, read as `communique match` does."""
    from communique.text import paragraphs
    from interface.cli.match_cmd import _read
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


def _validate(rules_dir: Path) -> tuple[list[Rule], list[str], list[str]]:
    """Rules and source ids, or every problem of sources.yaml and each rules file (`file:line: field: …`)."""
    problems: list[str] = []
    source_ids: list[str] = []
    try:
        source_ids = [source.id for source in load_sources(rules_dir)]
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
        return [], source_ids, problems
    try:
        # Each file is valid; what is left to find is across files (duplicate rule names).
        return load_rules(rules_dir), source_ids, []
    except ConfigError as exc:
        return [], source_ids, str(exc).splitlines()


def _never_firing(loaded: list[Rule]) -> list[str]:
    """Warnings for filters that valid rules set but no event can ever satisfy."""
    from communique.language import model_languages

    known = model_languages()
    warnings = [
        f"rule {rule.name!r}: language {code!r} is never detected (the detector knows "
        f"{', '.join(sorted(known))})"
        for rule in loaded
        for code in rule.languages
        if code not in known
    ]
    warnings += [
        f"rule {rule.name!r}: min_coverage never holds for `new` events, the only ones it wants"
        for rule in loaded
        if rule.min_coverage is not None and set(rule.events) == {Relation.NEW}
    ]
    return warnings


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
