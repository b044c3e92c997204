"""Every real page and every mutation of it through the real pipeline, extract and match stages.

Run: .venv/bin/python bench/bad_input.py [--pages N] [--no-huge]
Reads ../shared/fixtures/real-html (beside the checkout), builds the mutations of tests/mutations.py
for each page (truncated, binary, gzip without Content-Encoding, 50 MB, charset declared wrong or
missing, cp1251, NFD, zero-width characters, nested 10,000 deep, empty), stores each as the
crawler's pipeline does and runs the extract and match jobs on the embedded queue over SQLite in a
temporary folder. Prints how many documents were extracted, failed (by the kind of the error stored
on the fetch) or crashed a job, the outcomes that break the rules of tests/integration/
test_bad_input.py, the slowest document and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import collections
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bad_input import EXTRACTED, FAILED, Outcome, Stages, error_kind  # noqa: E402
from tests.mutations import mutants, real_pages  # noqa: E402


def main() -> None:
    """Run the mutations and print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=0, help="only the first N pages (0: all)")
    parser.add_argument("--no-huge", action="store_true", help="leave out the two 50 MB mutations")
    args = parser.parse_args()
    folder = ROOT.parent / "shared" / "fixtures" / "real-html"
    pages = real_pages(folder)[: args.pages or None]
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory() as tmp:
        stages = Stages(Path(tmp))
        # Not counted: the first document loads the language and matching models.
        stages.feed(next(mutants(pages[0], expensive=False)))
        for page in pages:
            outcomes.extend(stages.feed(mutant) for mutant in mutants(page, expensive=not args.no_huge))
    report(outcomes, len(pages), time.perf_counter() - started)


def report(outcomes: list[Outcome], pages: int, seconds: float) -> None:
    """Print the counts."""
    kinds = sorted({o.mutant.kind for o in outcomes})
    extracted = [o for o in outcomes if o.state == EXTRACTED]
    failed = [o for o in outcomes if o.state == FAILED]
    crashed = [o for o in outcomes if o.crashes]
    problems = [(o, p) for o in outcomes if (p := o.problem()) is not None]
    slowest = max(outcomes, key=lambda o: o.seconds)
    print(f"pages {pages}, mutation kinds {len(kinds)}, documents {len(outcomes)} ({seconds:.0f} s)")
    print(f"extracted and matched   {len(extracted)}")
    print(f"failed, error recorded  {len(failed)}")
    for kind, count in collections.Counter(error_kind(o.error) for o in failed).most_common():
        print(f"  {kind:<26} {count}")
    print(f"other state             {len(outcomes) - len(extracted) - len(failed)}")
    print(f"crashes                 {len(crashed)}")
    print(f"rule breaks             {len(problems)}")
    for outcome, problem in problems[:10]:
        print(f"  {outcome.mutant.label}: {problem}")
    print(f"slowest document        {slowest.seconds:.2f} s ({slowest.mutant.label})")
    print(f"peak RSS                {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print("per mutation kind: extracted / failed")
    for kind in kinds:
        mine = [o for o in outcomes if o.mutant.kind == kind]
        ok = sum(o.state == EXTRACTED for o in mine)
        print(f"  {kind:<24} {ok:>4} / {sum(o.state == FAILED for o in mine):>4}")
    for outcome in crashed[:5]:
        print(f"crash in {outcome.mutant.label}:\n{outcome.crashes[0]}")


if __name__ == "__main__":
    main()
