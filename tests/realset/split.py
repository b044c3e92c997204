"""Merge the collected page files into pages.jsonl and split them once into dev and test.

Run once (`python -m tests.realset.split GROUP.jsonl ...`): pages are grouped by (label, language),
shuffled with a fixed seed, and alternately dealt to dev and test, so both halves hold every label
and language in the same proportions. Re-running it on the same files gives the same split.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

from tests.realset import PAGES

SEED = 20261206
FIELDS = ("url", "language", "published", "kind", "label", "statement", "parties", "note", "text")


def main(paths: list[Path]) -> None:
    rows = []
    seen: set[str] = set()
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["url"] in seen or not row["text"].strip():
                continue
            seen.add(row["url"])
            rows.append({field: row[field] for field in FIELDS})
    strata: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: str(r["url"])):
        strata[(str(row["label"]), str(row["language"]))].append(row)
    rng = random.Random(SEED)
    turn = 0
    for key in sorted(strata):
        group = strata[key]
        rng.shuffle(group)
        for row in group:
            row["split"] = "dev" if turn % 2 == 0 else "test"
            turn += 1
    ordered = sorted(rows, key=lambda r: (str(r["split"]), str(r["language"]), str(r["url"])))
    PAGES.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ordered), encoding="utf-8")
    print(f"{len(ordered)} pages: {sum(r['split'] == 'dev' for r in ordered)} dev")


if __name__ == "__main__":
    main([Path(arg) for arg in sys.argv[1:]])
