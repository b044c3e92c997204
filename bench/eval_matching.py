"""Precision and recall per relation of the matching engine on the labelled dev set (tests/devset.py).

Run: .venv/bin/python -m bench.eval_matching [--verbose]
Targets (issue 3): ≥ 95 % correct relation; no reprint, excerpt or translation of a known statement
classed `new`; every edited or added paragraph found.
"""

from __future__ import annotations

import time
from collections import Counter

from bench.harness import REAL_HTML, Figure, Figures, parser
from communique.errors import PermanentError
from communique.model import Relation
from communique.statements import Genre
from tests.conftest import extract_like_the_crawler
from tests.devset import SEED_IDS, Case, cases, seed_index
from workers.corpus_index import CorpusIndex
from workers.engine import MatchResult, relate

REAL_PAGES = REAL_HTML / "trafilatura"


def run(index: CorpusIndex, case: Case) -> MatchResult:
    """The engine's answer for one case."""
    if case.html is not None:
        try:
            article = extract_like_the_crawler(case.html)
        except PermanentError:  # no main text: the pipeline records the page as failed, never a match
            return MatchResult(Relation.UNRELATED, Genre.OTHER, [], None)
        return relate(index, article.text.split("\n"), title=article.title, exclude=case.hidden)
    return relate(index, case.paragraphs, exclude=case.hidden)


def edits_found(case: Case, result: MatchResult) -> bool:
    """Whether every paragraph the case edited is reported changed or added."""
    reported = {change["paragraph"] - 1 for change in result.changes}
    return set(case.edited) <= reported


def main() -> None:
    options = parser(__doc__)  # --quick changes nothing: the dev set is what it is
    options.add_argument("--verbose", action="store_true", help="print every case")
    args = options.parse_args()
    figures = Figures("eval_matching", args.results)
    index = seed_index()
    groups = {text.id[:3]: text.statement_id for text in index.texts.values()}
    print("statement groups found on import:", {k: v[:3] for k, v in groups.items()})
    pages = sorted(REAL_PAGES.glob("*.html")) if REAL_PAGES.is_dir() else []
    truth: Counter[tuple[str, str]] = Counter()
    missed_edits, known_as_new, wrong_statement = [], [], []
    started = time.process_time()
    all_cases = cases(pages)
    for case in all_cases:
        result = run(index, case)
        truth[(case.expected, result.relation)] += 1
        if case.edited and not edits_found(case, result):
            missed_edits.append(case.name)
        if (
            case.expected in (Relation.REPRINT, Relation.EXCERPT, Relation.TRANSLATION)
            and result.relation is Relation.NEW
        ):
            known_as_new.append(case.name)
        if case.statement_of and result.statement_id != groups[case.statement_of]:
            wrong_statement.append(f"{case.name}: {result.statement_id}")
        if args.verbose or case.expected != result.relation:
            mark = "ok " if case.expected == result.relation else "BAD"
            got = f"got {result.relation} cov={result.coverage}"
            print(f"  {mark} {case.name:<60} expected {case.expected:<11} {got}")
    cpu = time.process_time() - started
    correct = sum(n for (want, got), n in truth.items() if want == got)
    print(
        f"\n{len(all_cases)} cases, {correct} correct: {correct / len(all_cases):.1%} (target ≥ 95 %); "
        f"CPU {cpu:.1f} s, {1000 * cpu / len(all_cases):.0f} ms per case"
    )
    figures.add(Figure("matching: dev set cases correct", 100 * correct / len(all_cases), "%", at_least=95.0))
    figures.add(Figure("matching: CPU per dev set case", 1000 * cpu / len(all_cases), "ms"))
    print(f"{'relation':<12} {'precision':>9} {'recall':>7} {'cases':>6}")
    for relation in Relation:
        expected = sum(n for (want, _), n in truth.items() if want == relation)
        predicted = sum(n for (_, got), n in truth.items() if got == relation)
        hit = truth[(relation, relation)]
        if expected or predicted:
            precision = f"{hit / predicted:.2f}" if predicted else "-"
            recall = f"{hit / expected:.2f}" if expected else "-"
            print(f"{relation:<12} {precision:>9} {recall:>7} {expected:>6}")
    print(f"known statement texts classed new: {len(known_as_new)} {known_as_new}")
    print(f"cases with an edited paragraph not found: {len(missed_edits)} {missed_edits}")
    print(f"cases naming the wrong statement group: {len(wrong_statement)} {wrong_statement}")
    print("seed ids:", SEED_IDS)


if __name__ == "__main__":
    main()
