"""What is an edit of a page's text and what is furniture (workers/changes.py)."""

from __future__ import annotations

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
