"""Real article pages with churning furniture through the real pipeline and jobs (tests/churn.py):
every body edit alerted once, in scripts written without spaces too; nothing else alerted or stored.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from communique.words import word_count
from tests.bad_input import Stages
from tests.churn import CHANGED_RULE, ChurnPage, load_pages, page_of_paragraphs, run_page
from tests.conftest import extract_like_the_crawler
from tests.mutations import real_pages
from workers.changes import ADDED_MIN_WORDS

CHINESE = "xinhuanet.com.c_1125597921.html"
JAPANESE = "blog.goo.ne.jp__1651753632.html"
THAI = "auto-door16814.ttblogs.com__1799801548.html"  # its text is in <br> lines: laid out again
FLIP_FLOP = "arabic.sputniknews.com__1550981615.html"  # an ad line switches trafilatura's extractor
FURNITURE_VERSIONS = "clarin.com.albertofernandez.html"  # an ad line moves inside the article text
NOTICE_KEPT = "yjc.ir__1602557452.html"  # trafilatura keeps the cookie notice at the page's foot
SHORT = "ansa.it__1671960661.html"  # one short paragraph in <br> lines: laid out again, 5 lines


@pytest.fixture(scope="module")
def pages(real_html: Path) -> dict[str, ChurnPage]:
    found = {page.name: page for page in load_pages(real_html)}
    found[THAI] = thai_page(real_html)
    found[SHORT] = short_page(real_html)
    return found


def thai_page(real_html: Path) -> ChurnPage:
    """The Thai page's paragraphs that spaces cut into fewer than ADDED_MIN_WORDS pieces although
    they hold more words: the case a whitespace count misses."""
    real = next(page for page in real_pages(real_html) if page.name == THAI)
    text = extract_like_the_crawler(real.body, real.url).text.split("\n")
    short = [p for p in text if len(p.split()) < ADDED_MIN_WORDS <= word_count(p)]
    return page_of_paragraphs(THAI, "th", text[0], short)


def short_page(real_html: Path) -> ChurnPage:
    """The short article, its lines laid out one <p> each (as `bench.churn --laid-out` does)."""
    real = next(page for page in real_pages(real_html) if page.name == SHORT)
    article = extract_like_the_crawler(real.body, real.url)
    lines = article.text.split("\n")
    return page_of_paragraphs(f"{SHORT}-laid-out", "it", article.title or lines[0], lines)


@pytest.mark.parametrize("name", [CHINESE, JAPANESE, THAI])
@pytest.mark.parametrize("kinds", [("append",), ("delete",)])
def test_a_paragraph_appended_or_deleted_in_a_script_without_spaces_alerts_once(
    tmp_path: Path, pages: dict[str, ChurnPage], name: str, kinds: tuple[str, ...]
) -> None:
    stages = Stages(tmp_path, rules_yaml=CHANGED_RULE)
    outcome = run_page(stages, pages[name], kinds, fetches=5, every=3)
    assert not outcome.crashes
    assert outcome.edits == [3]
    assert outcome.alerts == {3: 1}


def test_a_page_whose_furniture_switches_trafilaturas_extractor_gives_one_text(
    tmp_path: Path, pages: dict[str, ChurnPage]
) -> None:
    stages = Stages(tmp_path, rules_yaml=CHANGED_RULE)
    outcome = run_page(stages, pages[FLIP_FLOP], (), fetches=8, every=8)
    assert outcome.alerts == {}
    assert outcome.versions == 1


def test_text_changed_by_furniture_only_is_no_new_version(
    tmp_path: Path, pages: dict[str, ChurnPage]
) -> None:
    stages = Stages(tmp_path, rules_yaml=CHANGED_RULE)
    outcome = run_page(stages, pages[FURNITURE_VERSIONS], ("number",), fetches=8, every=4)
    assert outcome.alerts == {4: 1}
    assert outcome.versions == 2  # the first text and the edit


def test_a_notice_at_the_foot_of_the_page_is_no_edit_from_its_first_showing(
    tmp_path: Path, pages: dict[str, ChurnPage]
) -> None:
    # Request 3 is the first to show the notice, which the extracted text ends with: a paragraph
    # of 12 words added, but outside the element that holds the article.
    stages = Stages(tmp_path, rules_yaml=CHANGED_RULE)
    outcome = run_page(stages, pages[NOTICE_KEPT], ("append", "delete"), fetches=12, every=4)
    assert outcome.alerts == {4: 1, 8: 1}
    assert outcome.versions == 3


def test_furniture_in_the_first_version_is_no_edit_when_it_goes(
    tmp_path: Path, pages: dict[str, ChurnPage]
) -> None:
    # First seen on request 3, with the notice; from request 5 it is gone (no earlier version to say
    # that it comes and goes): it was outside the article in the page the version came from.
    stages = Stages(tmp_path, rules_yaml=CHANGED_RULE)
    outcome = run_page(stages, pages[NOTICE_KEPT], (), fetches=6, every=12, first=3)
    assert outcome.alerts == {}
    assert outcome.versions == 1


def test_a_page_first_seen_in_trafilaturas_long_form_gives_no_alert_when_it_settles(
    tmp_path: Path, pages: dict[str, ChurnPage]
) -> None:
    # On request 1 the cascade takes the long form (article, comment rules, "most read"); from
    # request 2 the page keeps the main extractor's article: those paragraphs go, from outside it.
    stages = Stages(tmp_path, rules_yaml=CHANGED_RULE)
    outcome = run_page(stages, pages[FLIP_FLOP], (), fetches=8, every=12, first=1)
    assert outcome.alerts == {}
    assert outcome.versions == 1


def test_a_short_article_an_edit_takes_under_trafilaturas_minimum_keeps_its_text(
    tmp_path: Path, pages: dict[str, ChurnPage]
) -> None:
    # After the deletion the text is under 250 characters, where trafilatura's rescue would glue the
    # lines to the counters and ad line between them, in a paragraph that differs on every request.
    stages = Stages(tmp_path, rules_yaml=CHANGED_RULE)
    outcome = run_page(stages, pages[SHORT], ("delete", "number"), fetches=12, every=4)
    assert outcome.edits == [4, 8]
    assert outcome.alerts == {4: 1, 8: 1}
    assert outcome.versions == 3
