"""Bad input through the real stages: every real page and its mutations are stored by the crawler's
pipeline, then extracted and matched by the job functions on the embedded queue over real SQLite.

No job may raise (but TransientError); every document ends extracted with sane text or failed with
a clear error stored on its fetch. Every page gets the cheap mutations; every mutation runs over a
few pages (bench/bad_input.py runs all of them over all pages and prints the counts).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from communique.model import FetchState
from tests.bad_input import EXTRACTED, Outcome, Stages, error_kind
from tests.mutations import HUGE_BYTES, Mutant, Page, mutants, real_pages
from workers.extraction import MAX_PAGE_BYTES, MAX_TEXT_CHARS

# A Russian page that declares no charset, a Korean one whose <meta> says euc-kr but is UTF-8, and a
# German one: every mutation runs over these.
EVERY_KIND_PAGES = [
    "ukrinform.ru__1716561772.html",
    "m.daejonilbo.com__1538026996.html",
    "die-partei.net.luebeck.html",
]
LANGUAGES = {EVERY_KIND_PAGES[0]: "ru", EVERY_KIND_PAGES[1]: "ko", EVERY_KIND_PAGES[2]: "de"}
CHEAP_KINDS = {"declared-cp1251-header", "binary", "empty"}
# Mutations that change how the bytes are declared or written, not the text a reader sees.
SAME_TEXT_KINDS = {
    "declared-cp1251",
    "declared-cp1251-header",
    "charset-missing",
    "nfd",
    "zero-width",
    "cp1251",
    "cp1251-undeclared",
    "cp1251-declared-utf8",
}


@pytest.fixture(scope="module")
def pages(real_html: Path) -> dict[str, Page]:
    return {page.name: page for page in real_pages(real_html)}


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> Stages:
    return Stages(tmp_path_factory.mktemp("bad-input"))


def assert_clean(outcome: Outcome) -> None:
    """No crash; extracted with sane, matched text, or failed with an error of a known kind."""
    assert not outcome.crashes, f"{outcome.mutant.label}: a job crashed:\n{outcome.crashes[0]}"
    problem = outcome.problem()
    assert problem is None, f"{outcome.mutant.label}: {problem}"


def cheap(pages: dict[str, Page]) -> Iterator[Mutant]:
    for page in pages.values():
        yield from (mutant for mutant in mutants(page, expensive=False) if mutant.kind in CHEAP_KINDS)


def test_every_page_with_the_cheap_mutations(pages: dict[str, Page], stages: Stages) -> None:
    outcomes = [stages.feed(mutant) for mutant in cheap(pages)]
    assert len(outcomes) == len(CHEAP_KINDS) * len(pages) >= 3 * 120
    for outcome in outcomes:
        assert_clean(outcome)
    # A UTF-8 page whose server claims windows-1251 is read as UTF-8: no mojibake, so it extracts
    # as well as the page itself does (all but the anti-bot stubs and script-only pages).
    mislabelled = [o for o in outcomes if o.mutant.kind == "declared-cp1251-header"]
    assert sum(o.state == EXTRACTED for o in mislabelled) >= len(pages) - 5
    assert all("Ð" not in (o.text or "") for o in mislabelled)


@pytest.mark.parametrize("name", EVERY_KIND_PAGES)
def test_every_mutation_of_a_page(pages: dict[str, Page], stages: Stages, name: str) -> None:
    outcomes = {outcome.mutant.kind: outcome for outcome in map(stages.feed, mutants(pages[name], False))}
    for outcome in outcomes.values():
        assert_clean(outcome)
    original = outcomes["original"]
    assert original.state == EXTRACTED
    for kind in SAME_TEXT_KINDS & outcomes.keys():
        assert outcomes[kind].text == original.text, f"{kind}: text differs from the original's"
        assert outcomes[kind].language == original.language, f"{kind}: another language identified"
    assert original.language == LANGUAGES[name]
    for kind in ("nested", "nested-unclosed"):
        assert error_kind(outcomes[kind].error) == "nested too deep"


def test_fifty_megabytes_are_refused_before_storage(pages: dict[str, Page], stages: Stages) -> None:
    for mutant in mutants(pages[EVERY_KIND_PAGES[0]]):
        if mutant.kind.startswith("huge"):
            assert len(mutant.body) >= HUGE_BYTES
            outcome = stages.feed(mutant)
            assert_clean(outcome)
            assert outcome.error == f"too large: {len(mutant.body):,} bytes > limit {MAX_PAGE_BYTES:,}"
            assert stages.db.row("SELECT 1 FROM snapshots WHERE size > ?", (MAX_PAGE_BYTES,)) is None


def test_extract_refuses_a_stored_body_over_the_limit_before_parsing(
    pages: dict[str, Page], tmp_path: Path
) -> None:
    # A snapshot stored by a crawler with a higher limit (or none): extraction has its own cap.
    unlimited = Stages(tmp_path, max_page_bytes=0)
    mutant = next(m for m in mutants(pages[EVERY_KIND_PAGES[2]]) if m.kind == "huge-text-node")
    outcome = unlimited.feed(mutant)
    assert_clean(outcome)
    assert outcome.state == FetchState.FAILED
    assert outcome.error == f"too large: {len(mutant.body):,} bytes > limit {MAX_PAGE_BYTES:,}"


def test_text_handed_to_matching_is_capped(stages: Stages) -> None:
    # Distinct paragraphs, 20% more text than the cap: matching gets the first MAX_TEXT_CHARS
    # characters only (whole paragraphs). A 10 MB page of such text is extracted in about 6 s.
    paragraph = "The weather service expects rain in the north and sunshine along the coast. " * 4
    paragraphs = "".join(
        f"<p>{n} {paragraph}</p>\n" for n in range(6 * MAX_TEXT_CHARS // 5 // len(paragraph))
    )
    body = f"<html><body><article>{paragraphs}</article></body></html>".encode()
    outcome = stages.feed(Mutant("synthetic", "long-text", body, honest_charset=True))
    assert_clean(outcome)
    assert outcome.text is not None
    assert MAX_TEXT_CHARS - len(paragraph) - 10 < len(outcome.text) <= MAX_TEXT_CHARS


def test_extract_holds_to_the_configured_page_limit(pages: dict[str, Page], tmp_path: Path) -> None:
    stages = Stages(tmp_path, max_page_bytes=0)  # stored by a crawler without a limit
    body = pages[EVERY_KIND_PAGES[2]].body
    limit = len(body) - 1
    stages.context.settings = stages.settings.model_copy(update={"max_page_bytes": limit})
    outcome = stages.feed(Mutant("synthetic", "original", body, honest_charset=True))
    assert not outcome.crashes
    assert outcome.error == f"too large: {len(body):,} bytes > limit {limit:,}"
    source = stages.db.row("SELECT last_error, error_count FROM sources")
    assert source is not None and source["error_count"] == 1  # a counted error of its source
    assert (
        str(source["last_error"]).startswith("no text extracted from http")
        and "too large" in source["last_error"]
    )


def test_a_snapshot_lost_before_extraction_fails_its_fetch_once(
    pages: dict[str, Page], tmp_path: Path
) -> None:
    stages = Stages(tmp_path)
    # The body is gone before the extract job reads it (retention keeps waiting fetches' bodies, but
    # a database restored without them, or edited by hand, has none): retrying cannot help.
    stages.db.execute(
        "CREATE TRIGGER lose AFTER INSERT ON fetches "
        "BEGIN UPDATE fetches SET content_hash = NULL WHERE id = NEW.id; END"
    )
    outcome = stages.feed(Mutant("synthetic", "original", pages[EVERY_KIND_PAGES[2]].body))
    assert not outcome.crashes
    assert outcome.state == FetchState.FAILED
    assert outcome.error is not None and "is gone" in outcome.error
