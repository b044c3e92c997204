"""What `communique match` and the first start cost, as a new user meets them: each step is the real
command in its own process, its CPU read from the kernel (user + system, the process and its threads).

Run: .venv/bin/python -m bench.match_cli [--pages N]
Prints: the first start's import of the shipped corpus; `match` of one ~2,000-character page in another
language than its known statement, first (the known sentences' vectors computed and stored) and
again (read from storage: target ≤ 2 s CPU); N real pages judged in one `match` call (target for 200:
≤ 5 minutes on the 2-core machine).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import ROOT, Figure, Figures, parser
from tests.realset import pages

GERMAN = "vietnam.vn/de/toan-van-tuyen-bo-chung-viet-nam-nga"  # opening of the June 2024 full text


def run(env: dict[str, str], *args: str) -> tuple[float, float, str]:
    """CPU seconds and wall seconds of one command, and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "interface", *args], env=env, capture_output=True, text=True, check=False
    )
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"communique {' '.join(args)} failed: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, done.stdout


def main() -> None:
    options = parser(__doc__)
    options.add_argument("--pages", type=int, default=200, help="real pages judged in one call")
    args = options.parse_args()
    figures = Figures("match_cli", args.results)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {
            **os.environ,
            "COMMUNIQUE_DATA_DIR": str(folder / "data"),
            "COMMUNIQUE_CORPUS_DIR": str(ROOT / "corpus"),
        }
        cpu, wall, _ = run(env, "corpus", "list")
        print(f"first start, importing the 5 shipped texts: {cpu:.1f} s CPU, {wall:.1f} s wall")
        figures.add(Figure("first start: corpus import CPU", cpu, "s"))

        german = next(p for p in pages() if GERMAN in p.url)
        page = folder / "de.txt"
        page.write_text(german.text, encoding="utf-8")
        print(f"page: {GERMAN} ({len(german.text):,} characters, {german.language})")
        for when in ("first", "again"):
            cpu, wall, out = run(env, "match", "--json", str(page))
            relation = out.split('"relation": "', 1)[1].split('"', 1)[0] if '"relation"' in out else "?"
            print(f"match of one page, {when}: {cpu:.2f} s CPU, {wall:.2f} s wall ({relation})")
            figures.add(
                Figure(f"match one page ({when}) CPU", cpu, "s", at_most=2.0 if when == "again" else None)
            )

        chosen = pages()[: args.pages]
        paths = []
        for number, labelled in enumerate(chosen):
            path = folder / f"page{number:03d}.txt"
            path.write_text(labelled.text, encoding="utf-8")
            paths.append(str(path))
        cpu, wall, out = run(env, "match", "--json", *paths)
        judged = len(out.splitlines())
        print(f"{judged} pages in one match call: {cpu:.1f} s CPU, {wall:.1f} s wall ({wall / 60:.2f} min)")
        figures.add(Figure(f"match {judged} pages in one call, wall", wall / 60, "min", at_most=5.0))


if __name__ == "__main__":
    main()
