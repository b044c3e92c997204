"""Every benchmark in one run, then one table of the figures: target, measured, met or not.

Run: .venv/bin/python -m bench.run_all [--quick] [--only NAME,...]
Each benchmark runs in its own process (so one's memory, threads and caches do not colour the next),
printing its own figures as it goes; they are gathered at the end. A full run takes about a quarter
of an hour, the lexical stage's 1,000,000-paragraph corpus (about 1 GB) included; --quick runs small sizes
(a few minutes). Figures are wall or CPU time as labelled; CPU (process time) is the robust one on a
shared machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import ROOT, Figure, load_average, parser

BENCHMARKS = (
    "poll_cost",
    "idle_poll",
    "change_to_alert",
    "throughput",
    "worker_memory",
    "lexical_scale",
    "crosslingual",
    "eval_matching",
    "web_render",
)
FULL_SIZES = "1000,10000,100000,1000000"


def run(name: str, quick: bool, results: Path) -> tuple[float, int]:
    """Run one benchmark in its own process; its wall seconds and exit status."""
    command = [sys.executable, "-m", f"bench.{name}", "--results", str(results)]
    if quick:
        command.append("--quick")
    elif name == "lexical_scale":
        command += ["--sizes", FULL_SIZES]
    print(f"\n=== {name} ({' '.join(command[2:])}) ===", flush=True)
    start = time.perf_counter()
    status = subprocess.run(command, cwd=ROOT, check=False).returncode
    return time.perf_counter() - start, status


def table(figures: list[tuple[str, Figure]]) -> list[str]:
    """The final table, as lines of Markdown."""
    lines = ["| benchmark | figure | target | measured | met |", "|---|---|---|---|---|"]
    for script, figure in figures:
        met = {True: "met", False: "NOT MET", None: ""}[figure.met]
        lines.append(f"| {script} | {figure.name} | {figure.target} | {shown(figure)} | {met} |")
    return lines


def shown(figure: Figure) -> str:
    """A measured value with sensible precision."""
    value = figure.value
    digits = 3 if abs(value) < 1 else 2 if abs(value) < 10 else 1 if abs(value) < 1000 else 0
    return f"{value:,.{digits}f} {figure.unit}"


def main() -> None:
    options = parser(__doc__)
    options.add_argument("--only", default=None, help="comma-separated benchmark names")
    args = options.parse_args()
    chosen = args.only.split(",") if args.only else list(BENCHMARKS)
    print(f"load average at the start: {load_average()} (the machine's cores are shared with other work)")
    gathered: list[tuple[str, Figure]] = []
    failed: list[str] = []
    walls: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in chosen:
            results = Path(tmp) / f"{name}.json"
            walls[name], status = run(name, args.quick, results)
            if status:
                failed.append(name)
            if results.exists():
                for row in json.loads(results.read_text(encoding="utf-8")):
                    script = row.pop("script")
                    gathered.append((script, Figure(**row)))
    print("\n=== summary ===")
    print(f"load average at the end: {load_average()}; wall time per benchmark: ", end="")
    print(", ".join(f"{name} {seconds:.0f} s" for name, seconds in walls.items()))
    lines = table(gathered)
    if args.results is not None:
        args.results.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    missed = [f"{script}: {figure.name}" for script, figure in gathered if figure.met is False]
    print(f"\n{sum(f.met is True for _, f in gathered)} targets met, {len(missed)} not met")
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
