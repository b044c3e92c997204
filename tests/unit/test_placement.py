"""Where a paragraph sits in the page: inside the element that holds the article, or elsewhere."""

from __future__ import annotations

import lxml.html
import pytest

from workers.placement import outside_article

BODY = [
    "The council voted on Tuesday to extend the night bus service to the northern districts.",
    "The extension will cost about two million a year and start in the spring, the office said.",
    "Residents of the districts had asked for the service for years, the mayor told reporters.",
]
NOTICE = "We use cookies to give you the best experience on our site and to show you relevant ads."
HEADLINE = "Storm closes the harbour road for a second day as crews clear fallen trees and debris"


def page(article: str, before: str = "", after: str = "") -> str:
    return (
        "<html><head><title>Night buses</title></head><body><nav>Home · News · Sport</nav>"
        f"{before}<div class='story'><h1>Night buses</h1>{article}</div>{after}</body></html>"
    )


def paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def outside(html: str, text: list[str], kept: set[int], added: set[int]) -> set[int]:
    return outside_article(lxml.html.document_fromstring(html), text, kept, added)


@pytest.mark.parametrize(
    ("html", "text", "judged_outside"),
    [
        # a notice at the foot of the page
        (page(paragraphs(BODY), after=f"<div class='consent'><p>{NOTICE}</p></div>"), [*BODY, NOTICE], {3}),
        # a banner before the article
        (page(paragraphs(BODY), before=f"<div class='banner'>{NOTICE}</div>"), [NOTICE, *BODY], {0}),
        # a paragraph appended to the article
        (page(paragraphs([*BODY, NOTICE])), [*BODY, NOTICE], set()),
        # inserted in its middle, inside a box of its own: still inside the article
        (page(paragraphs(BODY[:2]) + f"<div><p>{NOTICE}</p></div>" + paragraphs(BODY[2:])), None, set()),
        # an article that is one paragraph of lines, and a paragraph added after it
        (page("<p>" + "<br>".join(BODY) + f"</p><p>{NOTICE}</p>"), [*BODY, NOTICE], set()),
    ],
)
def test_an_added_paragraph_is_outside_only_when_the_article_element_does_not_hold_it(
    html: str, text: list[str] | None, judged_outside: set[int]
) -> None:
    text = text or [*BODY[:2], NOTICE, *BODY[2:]]
    added = {text.index(NOTICE)}
    assert outside(html, text, set(range(len(text))) - added, added) == judged_outside


def test_a_text_found_twice_is_judged_where_the_text_has_it() -> None:
    # The headline is a "read also" link inside the article and, at the foot, a notice's text; the
    # extracted text has it last, after the article's last paragraph: the notice.
    html = page(
        paragraphs(BODY[:1]) + f"<p class='read-also'><a href='/n'>{HEADLINE}</a></p>" + paragraphs(BODY[1:]),
        after=f"<div class='notice'><p>{HEADLINE}</p></div>",
    )
    assert outside(html, [*BODY, HEADLINE], {0, 1, 2}, {3}) == {3}
    assert outside(html, [BODY[0], HEADLINE, *BODY[1:]], {0, 2, 3}, {1}) == set()


def test_nothing_is_judged_without_two_kept_paragraphs_found_once_or_where_the_page_lacks_it() -> None:
    html = page(paragraphs(BODY), after=f"<aside><p>{NOTICE}</p><p>{BODY[1]}</p><p>{BODY[2]}</p></aside>")
    assert outside(html, [*BODY, NOTICE], {0, 1, 2}, {3}) == set()  # BODY[1:] twice: one anchor
    missing = "A paragraph the page does not have at all, as the extractor gave it to us."
    assert outside(page(paragraphs(BODY)), [*BODY, missing], {0, 1, 2}, {3}) == set()  # not found


def test_inline_markup_and_spacing_do_not_hide_a_paragraph() -> None:
    split = (
        "The council <b>voted</b> on Tues<i>day</i> to extend the night bus service to the northern\n"
        "   districts."
    )
    html = page(f"<p>{split}</p>" + paragraphs(BODY[1:]), after=f"<footer><p>{NOTICE}</p></footer>")
    assert outside(html, [*BODY, NOTICE], {0, 1, 2}, {3}) == {3}
