"""Render time of `communique web` pages over a large SQLite store.

Run: .venv/bin/python -m bench.web_render [--documents 10000] [--versions 50000] [--runs 25] [--quick]

The store is filled with bulk SQL through the storage connection (the storage functions would take
minutes for 50,000 versions): --documents documents over 40 sources, --versions versions spread over
them (every document has at least one), each version matched (one in ten to no statement, the rest
to one of 400 statement groups with a card), one alert per 25 versions; texts are 8 paragraphs drawn
from the shipped corpus with numbers changed between versions; the full-text index is rebuilt once.
Each page is rendered in process through the app (Starlette's TestClient: routing, storage reads,
templates, the middleware), warmed up once, then timed --runs times; the figure is the median wall
time (the process is single-threaded here; CPU time is shown beside it).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from starlette.testclient import TestClient

from bench.harness import ROOT, Figure, Figures, load_average, parser
from communique.identity import Card
from communique.settings import Settings
from communique.text import paragraphs
from interface.web.app import create_app
from storage.corpus import save_statement_card
from storage.database import Database, open_database

TARGET_MS = 100.0  # issue 15: statement list and document page, 10,000 documents, 50,000 versions
SOURCES = 40
STATEMENTS = 400
RELATIONS = ("reprint", "reprint", "excerpt", "translation", "changed", "new", "mention")


def corpus_paragraphs() -> list[str]:
    """Every paragraph of the shipped corpus: the stock the synthetic texts are drawn from."""
    found = [
        p for path in sorted((ROOT / "corpus").glob("*.txt")) for p in paragraphs(path.read_text("utf-8"))
    ]
    return [p for p in found if len(p) > 60]


def fill(db: Database, documents: int, versions: int, rng: random.Random) -> None:
    """Bulk-insert documents, versions, matches, cards and alerts; rebuild the search index."""
    stock = corpus_paragraphs()
    start = time.time() - 90 * 86400
    per_document = [1] * documents
    for _ in range(versions - documents):
        per_document[rng.randrange(documents)] += 1
    version_id = alert_id = 0
    with db.transaction():
        for document_id in range(1, documents + 1):
            seen = start + document_id * 600.0
            db.execute(
                "INSERT INTO documents (id, url, source_id, language, title, published, first_seen, "
                "last_seen) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
                (
                    document_id,
                    f"https://source{document_id % SOURCES}.example/news/{document_id}",
                    f"source-{document_id % SOURCES}",
                    rng.choice(("vi", "ru", "en")),
                    f"Tuyên bố chung, bài {document_id}",
                    seen,
                    seen + per_document[document_id - 1] * 3600.0,
                ),
            )
            text = [rng.choice(stock) for _ in range(8)]
            statement = f"statement-{rng.randrange(STATEMENTS)}" if rng.random() > 0.1 else None
            for seq in range(1, per_document[document_id - 1] + 1):
                version_id += 1
                if seq > 1:  # an edit: a number changed in one paragraph
                    k = rng.randrange(len(text))
                    text[k] = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), text[k], count=1) + " ."
                body = "\n".join(text)
                db.execute(
                    "INSERT INTO versions (id, document_id, seq, text_hash, text, fetch_id, first_seen) "
                    "VALUES (?, ?, ?, ?, ?, NULL, ?)",
                    (version_id, document_id, seq, f"h{version_id}", body, seen + seq * 3600.0),
                )
                relation = "changed" if seq > 1 else rng.choice(RELATIONS)
                db.execute(
                    "INSERT INTO matches (version_id, relation, statement_id, coverage, result, created_at) "
                    "VALUES (?, ?, ?, ?, '{}', ?)",
                    (version_id, relation, statement, rng.random(), seen + seq * 3600.0),
                )
                if version_id % 25 == 0:
                    alert_id += 1
                    db.execute(
                        "INSERT INTO alerts (id, key, rule, version_id, event, tags, title, body_text, "
                        "body_html, statement_group, created_at, delivered_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)",
                        (
                            alert_id,
                            f"k{alert_id}",
                            "vn-ru-joint-statement",
                            version_id,
                            relation,
                            json.dumps(["analysts"]),
                            f"[communique] {relation}: bài {document_id}",
                            body[:500],
                            statement,
                            seen + seq * 3600.0,
                            seen + seq * 3600.0 + 5,
                        ),
                    )
        db.execute("INSERT INTO versions_search (versions_search) VALUES ('rebuild')")
    for n in range(STATEMENTS):
        card = Card(
            f"statement-{n}", adopted=dt.date(2024, 1, 1) + dt.timedelta(days=n), parties=("VN", "RU")
        )
        save_statement_card(db, card, origin="set")


def timed(get: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of `runs` calls, after one warm-up call."""
    get()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        get()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    options = parser(__doc__)
    options.add_argument("--documents", type=int, default=10_000)
    options.add_argument("--versions", type=int, default=50_000)
    options.add_argument("--runs", type=int, default=25)
    args = options.parse_args()
    documents, versions = (1_000, 5_000) if args.quick else (args.documents, args.versions)
    figures = Figures("web_render", args.results)
    print(f"load average at the start: {load_average()}")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=None)
        db = open_database(settings)
        began = time.perf_counter()
        fill(db, documents, versions, random.Random(15))
        size = (Path(tmp) / "communique.sqlite3").stat().st_size
        print(
            f"store: {documents:,} documents, {versions:,} versions, {size / 1e6:.0f} MB, "
            f"filled in {time.perf_counter() - began:.1f} s"
        )
        busiest = db.row(
            "SELECT document_id FROM versions GROUP BY document_id ORDER BY COUNT(*) DESC LIMIT 1"
        )
        assert busiest is not None
        db.close()
        document = int(busiest["document_id"])
        with TestClient(create_app(settings)) as client:

            def page(path: str) -> Callable[[], object]:
                def get() -> object:
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.status_code)
                    return response

                return get

            pages = [
                ("statement list", "/statements", True),
                ("document page", f"/documents/{document}", True),
                ("statement page", "/statements/statement-7", False),
                ("diff page", f"/documents/{document}/diff?old=1&new=2", False),
                ("alerts page", "/alerts", False),
                ("search page", "/search?q=Nga", False),
                ("statement list, API", "/api/statements", False),
            ]
            for name, path, target in pages:
                wall, cpu = timed(page(path), args.runs)
                print(f"{name:22} {path:40} median {wall:7.1f} ms wall, {cpu:7.1f} ms CPU")
                figures.add(
                    Figure(
                        f"{name} ({documents:,} docs, {versions:,} versions)",
                        wall,
                        "ms",
                        at_most=TARGET_MS if target else None,
                    )
                )


if __name__ == "__main__":
    main()
