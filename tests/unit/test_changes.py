"""What is an edit of a page's text and what is furniture (workers/changes.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import pytest

from workers.changes import edits_previous

NOTICE = "Our newsletter brings you the day's most important stories every morning, free of charge."
BODY = [
    "The council voted on Tuesday to extend the night bus service to the northern districts of the city.",
    "The extension will cost about two million a year and start in the spring, the transport office said.",
]


@pytest.mark.parametrize(
    ("previous", "new", "earlier", "edited"),
    [
        (BODY, [*BODY, NOTICE], [], True),  # a long paragraph first seen: an edit, for all one knows
        (BODY, [*BODY, NOTICE], [[*BODY, NOTICE]], False),  # it comes back
        ([*BODY, NOTICE], BODY, [BODY], False),  # it goes again: an earlier version lacked it
        ([*BODY, NOTICE], [BODY[0], NOTICE], [BODY], True),  # a paragraph every version had is gone
        (BODY, [BODY[1], BODY[0]], [], False),  # moved
        (BODY, [BODY[0], BODY[1].replace("two", "three")], [BODY], True),  # rewritten
    ],
)
def test_edits_previous_tells_edits_from_paragraphs_that_come_and_go(
    previous: list[str], new: list[str], earlier: list[list[str]], edited: bool
) -> None:
    assert edits_previous(previous, new, lambda: earlier) is edited


def test_a_paragraph_added_or_removed_outside_the_article_is_no_edit_from_its_first_showing() -> None:
    # What the pages say (workers.placement) is given here: the notice sits outside the article.
    def notice_outside(text: Sequence[str], shared: Collection[int], others: Collection[int]) -> set[int]:
        assert {text[i] for i in shared} == set(BODY)  # placed by the paragraphs both texts have
        return {i for i in others if text[i] == NOTICE}

    assert not edits_previous(BODY, [*BODY, NOTICE], outside_new=notice_outside)
    assert not edits_previous([*BODY, NOTICE], BODY, outside_previous=notice_outside)
    # Inside the article it is an edit, and so is it where no page tells (the defaults).
    assert edits_previous(BODY, [*BODY, NOTICE], outside_previous=notice_outside)
    assert edits_previous([*BODY, NOTICE], BODY, outside_new=notice_outside)


def test_a_rewritten_paragraph_is_an_edit_without_looking_at_the_pages() -> None:
    def unasked(text: Sequence[str], shared: Collection[int], others: Collection[int]) -> set[int]:
        raise AssertionError("the pages were parsed for a text with a rewritten paragraph")

    rewritten = [BODY[0], BODY[1].replace("two", "three"), NOTICE]
    assert edits_previous(BODY, rewritten, outside_new=unasked, outside_previous=unasked)
