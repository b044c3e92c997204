"""Real article pages with churning furniture and real body edits, through the real pipeline and jobs:
precision and recall of the `changed` alerts, versions stored per 1,000 fetches, CPU per fetch.

    python -m bench.churn [--pages N] [--fetches N] [--every N] [--verbose] [--laid-out]
                          [--ad-headlines] [--consent]

Each page of ../shared/fixtures/real-html with a body of `<p>` paragraphs (tests/churn.py) is served
`--fetches` times with fresh furniture; before every `--every`-th request an edit is made (two per
page, kinds rotating over number / append / delete). An alert on the request after an edit is a true
alert; any other alert is false. `--laid-out`, `--ad-headlines` and `--consent` add pages and
furniture of other kinds (tests/churn.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.bad_input import Stages  # noqa: E402
from tests.churn import CHANGED_RULE, EDITS, PageOutcome, load_pages, run_page  # noqa: E402

REAL_HTML = ROOT.parent / "shared" / "fixtures" / "real-html"


def kinds_for(index: int) -> tuple[str, ...]:
    """Two edit kinds per page, rotating so that every kind meets every language."""
    return EDITS[index % 3], EDITS[(index + 1) % 3]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=None)
    parser.add_argument("--fetches", type=int, default=12)
    parser.add_argument("--every", type=int, default=4)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--laid-out", action="store_true", help="also pages whose text is in <br> lines, laid out in <p>"
    )
    parser.add_argument(
        "--ad-headlines", action="store_true", help="the in-article ad slot shows whole headlines as text"
    )
    parser.add_argument(
        "--consent", action="store_true", help="a consent line at the foot on 40%% of requests"
    )
    args = parser.parse_args()
    pages = load_pages(REAL_HTML, args.pages, laid_out=args.laid_out)
    for page in pages:
        page.ad_headlines, page.consent = args.ad_headlines, args.consent
    outcomes: list[PageOutcome] = []
    with tempfile.TemporaryDirectory() as folder:
        stages = Stages(Path(folder), rules_yaml=CHANGED_RULE)
        cpu = time.process_time()
        for index, page in enumerate(pages):
            outcomes.append(run_page(stages, page, kinds_for(index), args.fetches, args.every))
        cpu = time.process_time() - cpu
    report(outcomes, cpu, args.verbose)


def report(outcomes: list[PageOutcome], cpu: float, verbose: bool) -> None:
    fetches = sum(o.fetches for o in outcomes)
    edits = sum(len(o.edits) for o in outcomes)
    true = sum(o.true_alerts for o in outcomes)
    false = sum(o.false_alerts for o in outcomes)
    versions = sum(o.versions for o in outcomes)
    languages = Counter(o.language for o in outcomes)
    print(f"pages {len(outcomes)} in {len(languages)} languages, fetches {fetches}, edits {edits}")
    print(f"precision {true / max(1, true + false):.3f} ({true} true, {false} false alerts)")
    print(f"recall {true / max(1, edits):.3f} ({edits - true} edits missed)")
    print(
        f"versions stored {versions} ({1000 * versions / max(1, fetches):.1f} per 1,000 fetches; "
        f"budget edits + pages = {edits + len(outcomes)})"
    )
    print(f"CPU per fetch {1000 * cpu / max(1, fetches):.1f} ms")
    crashes = sum(len(o.crashes) for o in outcomes)
    if crashes:
        print(f"crashes {crashes}")
    for o in outcomes:
        extra = o.versions - len(o.edits) - 1
        if verbose or o.false_alerts or o.true_alerts < len(o.edits) or extra > 0 or o.crashes:
            print(
                f"  {o.name} [{o.language}] edits at {o.edits} alerts {o.alerts} versions {o.versions}"
                + (f" crashes {len(o.crashes)}" if o.crashes else "")
            )


if __name__ == "__main__":
    main()
