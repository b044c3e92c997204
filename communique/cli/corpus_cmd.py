"""`communique corpus …`: the known statements the matcher compares against."""

from __future__ import annotations

from pathlib import Path

import click

from communique.settings import Settings


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
def add(paths: tuple[Path, ...], statement: str | None, language: str | None) -> None:
    """Add UTF-8 text files (id = file name without extension) to the corpus.

    Each text joins the statement group of the known text it reprints, excerpts, translates or
    edits; otherwise it starts a group of its own.

    \b
    Example:
      communique corpus add statement-2025-05.txt --lang vi
    """
    from communique.cli.service import open_with_corpus
    from workers.corpus import import_texts

    db = open_with_corpus(Settings())
    added = import_texts(db, list(paths), statement=statement, language=language)
    for doc_id, group in added:
        click.echo(f"added {doc_id} to statement {group}")
    known = len(paths) - len(added)
    if known:
        click.echo(f"{known} text(s) were already in the corpus")


@corpus.command("list")
def list_texts() -> None:
    """List the known texts: id, statement group, language, paragraphs, origin.

    \b
    Example:
      communique corpus list
    """
    from communique.cli.service import open_with_corpus
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
    from communique.cli.service import open_with_corpus
    from storage.corpus import corpus_document

    row = corpus_document(open_with_corpus(Settings()), doc_id)
    if row is None:
        raise click.ClickException(f"no known text {doc_id!r} (see `communique corpus list`)")
    click.echo(
        f"{row['id']}  statement {row['statement_id']}  language {row['language']}  origin {row['origin']}"
    )
    for number, paragraph in enumerate(str(row["text"]).split("\n"), start=1):
        click.echo(f"¶{number} {paragraph}")
