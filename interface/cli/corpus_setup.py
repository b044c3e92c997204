"""Storage with the corpus folder imported: what every command that matches needs first.

Apart from the service wiring so that `match` and `corpus` do not import Redis, RQ and Scrapy.
"""

from __future__ import annotations

from communique.settings import Settings
from storage.database import Database, open_database
from workers.corpus import import_corpus_folder


def open_with_corpus(settings: Settings) -> Database:
    """Open (and migrate) storage and import the corpus folder's texts that storage does not hold yet
    (logged one by one: the first start embeds the shipped texts, seconds each)."""
    db = open_database(settings)
    import_corpus_folder(db, settings.corpus_dir)
    return db
