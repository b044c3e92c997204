"""`communique match`: how one page or text relates to the known statements."""

from __future__ import annotations

import datetime as dt
import json
import sys
import urllib.request
from pathlib import Path
from typing import Any

import click

from communique.settings import Settings

MAX_INPUT_BYTES = 20 * 1024 * 1024


@click.command()
@click.argument("sources", metavar="PATH|URL|-...", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print each result as one JSON object per line.")
@click.option(
    "--published",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day the pages came out (a page's own date, when extraction finds one, wins).",
)
def match(sources: tuple[str, ...], as_json: bool, published: dt.datetime | None) -> None:
    """Match HTML pages or texts against the corpus and print how each relates to it.

    HTML (a file, a URL, or standard input) is extracted with trafilatura first; plain text is split
    into paragraphs as it is. Many inputs are judged in one process, in order; with --json each
    result is one line. The known texts' sentence vectors are read from storage (and stored when
    computed), so only the pages themselves are embedded.

    \b
    Example:
      communique match page.html --json
      communique match --json pages/*.html > results.jsonl
    """
    from interface.cli.corpus_setup import open_with_corpus
    from workers.corpus_index import CorpusCache
    from workers.engine import relate

    settings = Settings()
    db = open_with_corpus(settings)
    cache = CorpusCache()
    failed = 0
    for source in sources:
        try:
            kept, title, date = _article(source, settings.user_agent)
        except click.ClickException as exc:
            failed += 1
            click.echo(f"{source}: {exc.format_message()}", err=True)
            if as_json:
                click.echo(json.dumps({"input": source, "error": exc.format_message()}, ensure_ascii=False))
            continue
        day = date or (published.date() if published else None)
        result = relate(cache.get(db), kept, title=title, published=day).to_json()
        if as_json:
            click.echo(json.dumps({"input": source, **result}, ensure_ascii=False))
        else:
            click.echo((f"== {source}\n" if len(sources) > 1 else "") + _summary(result))
    cache.get(db)  # stores the known sentences' vectors this run computed, for the next one
    if failed:
        raise SystemExit(1)


def _article(source: str, user_agent: str) -> tuple[list[str], str | None, dt.date | None]:
    """The paragraphs, title and publication day of one input."""
    from communique.errors import PermanentError
    from communique.text import paragraphs
    from workers.extraction import decode_html, extract_article, looks_like_html

    body, content_type = _read(source, user_agent)
    if looks_like_html(body) or (content_type and "html" in content_type):
        _, encoding = decode_html(body, content_type)
        try:
            article = extract_article(body, encoding, source if "://" in source else "file:///input")
        except PermanentError as exc:
            raise click.ClickException(str(exc)) from exc
        kept, title, day = article.text.split("\n"), article.title, _day(article.published)
    else:
        kept, title, day = paragraphs(body.decode("utf-8", errors="replace")), None, None
    if not kept or kept == [""]:
        raise click.ClickException("no text found in the input")
    return kept, title, day


def _day(published: str | None) -> dt.date | None:
    """The date trafilatura found in a page (YYYY-MM-DD...), if any."""
    try:
        return dt.date.fromisoformat(published[:10]) if published else None
    except ValueError:
        return None


def _read(source: str, user_agent: str) -> tuple[bytes, str | None]:
    """The input's bytes (capped) and its Content-Type if it came over HTTP."""
    if source == "-":
        return sys.stdin.buffer.read(MAX_INPUT_BYTES), None
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(source, headers={"User-Agent": user_agent})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.read(MAX_INPUT_BYTES), response.headers.get("Content-Type")
        except OSError as exc:
            raise click.ClickException(f"cannot fetch {source}: {exc}") from exc
    path = Path(source)
    if not path.is_file():
        raise click.ClickException(f"no such file: {source}")
    with path.open("rb") as handle:
        return handle.read(MAX_INPUT_BYTES), None


def _summary(result: dict[str, Any]) -> str:
    """A few lines for people: relation, statement and coverage, then the paragraphs that differ."""
    coverage = f" (coverage {result['coverage']:.0%})" if result.get("coverage") is not None else ""
    lines = [
        f"relation: {result['relation']}",
        f"statement: {result['statement_id'] or '-'}{coverage}",
        f"genre: {result['genre']}; parties: {', '.join(result['parties']) or '-'}",
        f"language: {result['language']}",
    ]
    counts: dict[str, int] = {}
    for paragraph in result["paragraphs"]:
        counts[paragraph["status"]] = counts.get(paragraph["status"], 0) + 1
    lines.append("paragraphs: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    lines.extend(f"¶{c['paragraph']} {c['status']}: {c['summary']}" for c in result["changes"])
    return "\n".join(lines)
