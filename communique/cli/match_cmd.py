"""`communique match`: how one page or text relates to the known statements."""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path
from typing import Any

import click

from communique.settings import Settings

MAX_INPUT_BYTES = 20 * 1024 * 1024


@click.command()
@click.argument("source", metavar="PATH|URL|-")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
def match(source: str, as_json: bool) -> None:
    """Match an HTML page or a text against the corpus and print the relation.

    HTML (a file, a URL, or standard input) is extracted with trafilatura first; plain text is split
    into paragraphs as it is.

    \b
    Example:
      communique match page.html --json
    """
    from communique.cli.service import open_with_corpus
    from communique.text import paragraphs
    from workers.corpus_index import load
    from workers.engine import relate
    from workers.extraction import decode_html, extract_article, looks_like_html

    settings = Settings()
    body, content_type = _read(source, settings.user_agent)
    title = None
    if looks_like_html(body) or (content_type and "html" in content_type):
        _, encoding = decode_html(body, content_type)
        article = extract_article(body, encoding, source if "://" in source else "file:///input")
        kept, title = article.text.split("\n"), article.title
    else:
        kept = paragraphs(body.decode("utf-8", errors="replace"))
    if not kept:
        raise click.ClickException("no text found in the input")
    result = relate(load(open_with_corpus(settings)), kept, title=title).to_json()
    click.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else _summary(result))


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
