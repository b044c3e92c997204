"""`communique corpus …`: the known statements the matcher compares against."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from communique.settings import Settings

if TYPE_CHECKING:
    from communique.card_file import CardFields
    from communique.identity import Card


@click.group()
def corpus() -> None:
    """Add, list and show the known statement texts.

    \b
    Example:
      communique corpus list
    """


@corpus.command("add")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--statement", help="Put the texts in this statement group instead of letting the engine link them."
)
@click.option("--lang", "language", help="ISO 639-1 language of the texts (default: detected).")
@click.option(
    "--date", "adopted", type=click.DateTime(formats=["%Y-%m-%d"]), help="Day the statement was adopted."
)
@click.option("--parties", help="ISO country codes of its parties, comma-separated: VN,RU.")
@click.option("--title", help="Its title (in the language of --lang, or of the text).")
@click.option("--place", help="Where it was adopted.")
@click.option("--signatory", "signatories", multiple=True, help="Who signed it (repeat for each).")
def add(
    *,
    paths: tuple[Path, ...],
    statement: str | None,
    language: str | None,
    adopted: dt.datetime | None,
    parties: str | None,
    title: str | None,
    place: str | None,
    signatories: tuple[str, ...],
) -> None:
    """Add UTF-8 text files (id = file name without extension) to the corpus, and set or correct the
    card of their statement (what identifies it when a page names it without copying it).

    Each text joins the statement group of the known text it reprints, excerpts, translates or
    edits; otherwise it starts a group of its own, whose card is derived from the text (its two most
    named countries, the date it gives most often, its first line as title). --date, --parties,
    --title, --place and --signatory set those fields instead, also for texts already known.

    \b
    Example:
      communique corpus add statement-2025-05.txt --lang vi
      communique corpus add statement-2025-05.txt --date 2025-05-10 --parties VN,RU --place Moscow
    """
    from interface.cli.corpus_setup import open_with_corpus
    from storage.corpus import corpus_groups
    from workers.corpus import import_texts, set_card

    options = {"adopted": adopted, "parties": parties, "place": place, "signatories": signatories}
    fields = _card_fields(options, title, language)
    db = open_with_corpus(Settings())
    added = import_texts(db, list(paths), statement=statement, language=language)
    for doc_id, group in added:
        click.echo(f"added {doc_id} to statement {group}")
    known = len(paths) - len(added)
    if known:
        click.echo(f"{known} text(s) were already in the corpus")
    if fields is None:
        return
    groups = corpus_groups(db)
    for group in sorted({groups[path.stem] for path in paths if path.stem in groups}):
        click.echo(f"statement {group}: {_describe(set_card(db, group, fields))}")


def _card_fields(options: dict[str, Any], title: str | None, language: str | None) -> CardFields | None:
    """The card fields the options set, validated; None when none is set."""
    from pydantic import ValidationError

    from communique.card_file import CardFields
    from communique.language import detect_language

    fields = {name: value for name, value in options.items() if value}
    if "adopted" in fields:
        fields["adopted"] = fields["adopted"].date()
    if "parties" in fields:
        fields["parties"] = [code.strip() for code in fields["parties"].split(",") if code.strip()]
    if title:
        fields["titles"] = {language or detect_language(title) or "und": title}
    if not fields:
        return None
    try:
        return CardFields.model_validate(fields)
    except ValidationError as exc:  # a party code that is not ISO
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise click.BadParameter(f"{where}: {problem['msg']}") from exc


def _describe(card: Card) -> str:
    """A card in one line."""
    parts = [
        f"adopted {card.adopted.isoformat() if card.adopted else '?'}",
        f"parties {', '.join(card.parties) or '?'}",
    ]
    if card.place:
        parts.append(f"in {card.place}")
    if card.signatories:
        parts.append(f"signed by {', '.join(card.signatories)}")
    parts += [f"title ({lang}) {title}" for lang, title in sorted(card.titles.items())]
    return "; ".join(parts) + ("" if card.kind == "statement" else f" [{card.kind}]")


@corpus.command("list")
def list_texts() -> None:
    """List the known texts: id, statement group, language, paragraphs, origin.

    \b
    Example:
      communique corpus list
    """
    from interface.cli.corpus_setup import open_with_corpus
    from storage.corpus import corpus_texts

    click.echo(f"{'id':<28} {'statement':<28} {'lang':<4} {'paras':>5}  origin")
    for row in corpus_texts(open_with_corpus(Settings())):
        paragraphs = str(row["text"]).count("\n") + 1
        language = row["language"] or "?"
        click.echo(
            f"{row['id']:<28} {row['statement_id']:<28} {language:<4} {paragraphs:>5}  {row['origin']}"
        )


@corpus.command("show")
@click.argument("doc_id")
def show(doc_id: str) -> None:
    """Show one known text with its statement group and paragraphs.

    \b
    Example:
      communique corpus show 002_e951e8d45d85cfe3
    """
    from interface.cli.corpus_setup import open_with_corpus
    from storage.corpus import corpus_document, statement_card

    db = open_with_corpus(Settings())
    row = corpus_document(db, doc_id)
    if row is None:
        raise click.ClickException(f"no known text {doc_id!r} (see `communique corpus list`)")
    click.echo(
        f"{row['id']}  statement {row['statement_id']}  language {row['language']}  origin {row['origin']}"
    )
    card = statement_card(db, row["statement_id"])
    click.echo(f"card: {_describe(card) if card else 'none'}")
    for number, paragraph in enumerate(str(row["text"]).split("\n"), start=1):
        click.echo(f"¶{number} {paragraph}")
