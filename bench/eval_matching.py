"""How the matching engine does on labelled pages: the real public pages of tests/realset (`dev` and
`test` apart) and the unit-level set built from the seeds (tests/devset.py).

Run: .venv/bin/python -m bench.eval_matching [--verbose] [--only real|seeds]
Targets on the real pages' `test` half (issue 13): ≥ 95 % correct overall and for every label, no
known-statement page `new`, ≥ 90 % for every language with 5+ pages. A page is correct when its
relation is its label and, for a copy or mention of a known statement, the statement is the right one.
On the seeds' set (issue 3): ≥ 95 % correct; no copy of a known statement `new`; every edit found.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict

from bench.harness import REAL_HTML, Figure, Figures, parser
from communique.errors import PermanentError
from communique.model import Relation
from communique.statements import Genre
from communique.text import paragraphs
from tests.conftest import extract_like_the_crawler
from tests.devset import SEED_IDS, Case, cases, seed_index
from tests.realset import KNOWN, pages
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
    options = parser(__doc__)  # --quick changes nothing: the sets are what they are
    options.add_argument("--verbose", action="store_true", help="print every case")
    options.add_argument("--only", choices=["real", "seeds"], help="run one of the two sets")
    options.add_argument("--split", choices=["dev", "test"], help="one half of the real pages only")
    args = options.parse_args()
    figures = Figures("eval_matching", args.results)
    index = seed_index()
    if args.only != "seeds":
        for split in [args.split] if args.split else ["dev", "test"]:
            real_pages(index, split, figures, verbose=args.verbose)
    if args.only != "real":
        seed_cases(index, figures, verbose=args.verbose)


def real_pages(index: CorpusIndex, split: str, figures: Figures, *, verbose: bool) -> None:
    """Accuracy per label and language, the confusion matrix and the known pages called new."""
    labelled = pages(split)
    started = time.process_time()
    truth: Counter[tuple[str, str]] = Counter()
    by_language: dict[str, list[bool]] = defaultdict(list)
    by_label: dict[str, list[bool]] = defaultdict(list)
    known_as_new, parties_missed = [], []
    for page in labelled:
        result = relate(index, paragraphs(page.text), published=page.published)
        got = str(result.relation)
        right = got == page.label and (page.label not in KNOWN or result.statement_id == page.statement)
        truth[(page.label, got)] += 1
        by_language[page.language].append(right)
        by_label[page.label].append(right)
        if page.label in KNOWN and got == "new":
            known_as_new.append(page.url)
        if page.label == "new" and not set(page.parties) <= set(result.parties):
            parties_missed.append(f"{page.url} {result.parties} != {list(page.parties)}")
        if verbose or not right:
            mark = "ok " if right else "BAD"
            print(
                f"  {mark} [{page.language}] {page.url[:90]:<90} "
                f"want {page.label}/{(page.statement or '-')[:3]} "
                f"got {got}/{(result.statement_id or '-')[:3]} {result.evidence}"
            )
    cpu = time.process_time() - started
    correct = sum(right for rights in by_label.values() for right in rights)
    print(f"\n== real pages, {split}: {len(labelled)} pages in {len(by_language)} languages")
    print(f"correct: {correct}/{len(labelled)} = {correct / len(labelled):.1%}; CPU {cpu:.1f} s")
    target = 95.0 if split == "test" else None
    figures.add(
        Figure(f"matching: real pages ({split}) correct", 100 * correct / len(labelled), "%", at_least=target)
    )
    for name, groups, floor in (("label", by_label, 95.0), ("language", by_language, 90.0)):
        print(f"{name:<12} {'correct':>8} {'pages':>6}")
        for key in sorted(groups):
            rights = groups[key]
            print(f"{key:<12} {sum(rights) / len(rights):>8.0%} {len(rights):>6}")
            if split == "test" and (name == "label" or len(rights) >= 5):
                figures.add(
                    Figure(
                        f"matching: test {name} {key}", 100 * sum(rights) / len(rights), "%", at_least=floor
                    )
                )
    labels = sorted({want for want, _ in truth} | {got for _, got in truth})
    print("confusion (rows: label, columns: engine)")
    print(f"{'':<12}" + "".join(f"{label[:11]:>12}" for label in labels))
    for want in labels:
        print(f"{want:<12}" + "".join(f"{truth[(want, got)]:>12}" for got in labels))
    print(f"known-statement pages called new: {len(known_as_new)} {known_as_new}")
    print(f"new pages whose parties were not found: {len(parties_missed)}")
    for line in parties_missed if verbose else []:
        print("   ", line)
    figures.add(
        Figure(
            f"matching: known pages called new ({split})",
            len(known_as_new),
            "pages",
            at_most=0 if split == "test" else None,
        )
    )


def seed_cases(index: CorpusIndex, figures: Figures, *, verbose: bool) -> None:
    """The unit-level set made from the seeds: precision and recall per relation, edits found."""
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
        if verbose or case.expected != result.relation:
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
