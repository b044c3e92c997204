"""Tests for workers.diff: word diffs, paragraph alignment and alert rendering."""

from __future__ import annotations

import itertools
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from communique.model import ParagraphStatus
from workers.diff import (
    MAX_TOKENS,
    Aligned,
    Op,
    _code_point,
    align,
    render_html,
    render_text,
    summary,
    tokenize,
    word_diff,
)

CORPUS = Path(__file__).parents[2] / "corpus" / "001_cfe805069be26ee0.txt"

SAME, CHANGED, ADDED, REMOVED = (
    ParagraphStatus.SAME,
    ParagraphStatus.CHANGED,
    ParagraphStatus.ADDED,
    ParagraphStatus.REMOVED,
)

VI_OLD = "Hai bên nhất trí mở rộng hợp tác năng lượng đến năm 2030, theo Hiệp ước năm 1994."
VI_NEW = "Hai bên nhất trí mở rộng hợp tác năng lượng đến năm 2035, theo Hiệp ước năm 1994."


def changes(ops: list[tuple[Op, str]]) -> list[tuple[Op, str]]:
    """Only the "-" and "+" parts of a diff."""
    return [(op, text) for op, text in ops if op != "="]


def rebuilt(ops: list[tuple[Op, str]]) -> tuple[str, str]:
    """The old and new texts a diff describes."""
    return (
        "".join(t for op, t in ops if op != "+"),
        "".join(t for op, t in ops if op != "-"),
    )


def statuses(aligned: list[Aligned]) -> list[str]:
    """The status of each entry, as plain strings."""
    return [str(a.status) for a in aligned]


# --- word_diff -------------------------------------------------------------------------------


def test_vietnamese_number_edit_is_exactly_that_change() -> None:
    assert unicodedata.is_normalized("NFC", VI_OLD)
    ops = word_diff(VI_OLD, VI_NEW)
    assert changes(ops) == [("-", "2030"), ("+", "2035")]
    assert ops == [
        ("=", "Hai bên nhất trí mở rộng hợp tác năng lượng đến năm "),
        ("-", "2030"),
        ("+", "2035"),
        ("=", ", theo Hiệp ước năm 1994."),
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("", "", []),
        ("Việt Nam", "Việt Nam", [("=", "Việt Nam")]),
        ("", "Nga.", [("+", "Nga.")]),
        ("Nga.", "", [("-", "Nga.")]),
        # A word appended before the full stop does not rewrite the word before it.
        (
            "Hà Nội, Moskva.",
            "Hà Nội, Moskva và Sankt-Peterburg.",
            [("=", "Hà Nội, Moskva"), ("+", " và Sankt-Peterburg"), ("=", ".")],
        ),
        # NFC Vietnamese: the whole word with its diacritics is one unit.
        (
            "theo Hiệp ước năm 1994",
            "theo Hiệp định năm 1994",
            [("=", "theo Hiệp "), ("-", "ước"), ("+", "định"), ("=", " năm 1994")],
        ),
        (
            "Россия и Вьетнам подписали",
            "Россия и Вьетнам одобрили",
            [("=", "Россия и Вьетнам "), ("-", "подписали"), ("+", "одобрили")],
        ),
        ("a  b", "a b", [("=", "a"), ("-", "  "), ("+", " "), ("=", "b")]),
    ],
)
def test_word_diff_table(old: str, new: str, expected: list[tuple[Op, str]]) -> None:
    assert word_diff(old, new) == expected


def test_nfd_vietnamese_word_is_one_token() -> None:
    word = unicodedata.normalize("NFD", "Việt")
    assert len(word) > len("Việt")  # really decomposed
    assert tokenize(f"{word} Nam.") == [word, " ", "Nam", "."]


def test_nfd_vietnamese_edit_keeps_whole_words() -> None:
    old = unicodedata.normalize("NFD", "quan hệ hữu nghị")
    new = unicodedata.normalize("NFD", "quan hệ hợp tác")
    nfd = unicodedata.normalize
    assert changes(word_diff(old, new)) == [("-", nfd("NFD", "hữu nghị")), ("+", nfd("NFD", "hợp tác"))]


def test_more_tokens_than_the_bmp_private_area_use_plane_15() -> None:
    words = [f"w{i}" for i in range(7000)]  # with the space token: past the 6,400 BMP characters
    new_words = words.copy()
    new_words[6900] = "changed"
    ops = word_diff(" ".join(words), " ".join(new_words))
    assert changes(ops) == [("-", "w6900"), ("+", "changed")]


def test_token_characters_are_distinct_private_use_characters() -> None:
    chars = [_code_point(i) for i in range(MAX_TOKENS)]
    assert len(set(chars)) == MAX_TOKENS
    assert {unicodedata.category(c) for c in chars} == {"Co"}
    assert ord(chars[6400]) == 0xF0000  # plane 15 follows the BMP area
    with pytest.raises(ValueError, match="too many to diff"):
        _code_point(MAX_TOKENS)


def test_too_many_distinct_tokens_is_a_clear_error() -> None:
    text = " ".join(f"w{i}" for i in range(MAX_TOKENS))  # plus the space token: one too many
    with pytest.raises(ValueError, match="too many to diff"):
        word_diff(text, "")


VOCABULARY = [
    "Việt",
    "Nam",
    "Nga",
    "năm",
    "2030",
    "2035",
    "hợp",
    "tác",
    unicodedata.normalize("NFD", "hữu nghị"),
    "Россия",
    "и",
    "Вьетнам",
    "ё",
    ",",
    ".",
    "«",
    "»",
    "-",
    " ",
    " ",
    "  ",
    "\n",
    "\t",
    "\u0301",
    "\ue000",  # a private-use character in the input must not confuse the encoding
]
texts = st.one_of(st.text(), st.lists(st.sampled_from(VOCABULARY), max_size=40).map("".join))


@given(texts, texts)
def test_diff_rebuilds_both_texts(old: str, new: str) -> None:
    ops = word_diff(old, new)
    assert rebuilt(ops) == (old, new)
    assert all(text for _, text in ops)
    # Merged: no two neighbouring ops of the same kind, and each change is "-" then "+".
    assert all(a[0] != b[0] and (a[0], b[0]) != ("+", "-") for a, b in itertools.pairwise(ops))


@given(texts)
def test_tokens_concatenate_back(text: str) -> None:
    assert "".join(tokenize(text)) == text


@given(texts)
def test_text_diffed_with_itself_is_all_equal(text: str) -> None:
    assert changes(word_diff(text, text)) == []


# --- align -----------------------------------------------------------------------------------

PARAS = [
    "Hai bên nhất trí mở rộng hợp tác năng lượng.",
    "Phía Nga ủng hộ lập trường của Việt Nam.",
    "Tuyên bố chung được ký tại Hà Nội.",
    "Россия и Вьетнам подписали соглашение.",
]


def test_identical_versions_are_all_same() -> None:
    assert statuses(align(PARAS, PARAS)) == ["same"] * 4


def test_appended_paragraph_is_added() -> None:
    new = [*PARAS, "Đoạn văn mới hoàn toàn khác biệt."]
    aligned = align(PARAS, new)
    assert statuses(aligned) == ["same"] * 4 + ["added"]
    assert aligned[-1] == Aligned(None, 4, ADDED)


def test_removed_paragraph_is_removed_where_it_was() -> None:
    new = [PARAS[0], PARAS[2], PARAS[3]]
    assert align(PARAS, new) == [
        Aligned(0, 0, SAME),
        Aligned(1, None, REMOVED),
        Aligned(2, 1, SAME),
        Aligned(3, 2, SAME),
    ]


def test_one_edit_among_twenty_identical_paragraphs() -> None:
    old = ["Hai bên nhất trí mở rộng hợp tác đến năm 2030."] * 20
    new = old.copy()
    new[7] = "Hai bên nhất trí mở rộng hợp tác đến năm 2035."
    aligned = align(old, new)
    assert [a for a in aligned if a.status != SAME] == [Aligned(7, 7, CHANGED)]
    assert len(aligned) == 20


def test_dissimilar_replacement_is_removed_then_added() -> None:
    new = [PARAS[0], "Một nội dung hoàn toàn khác.", PARAS[2], PARAS[3]]
    assert align(PARAS, new)[1:3] == [Aligned(1, None, REMOVED), Aligned(None, 1, ADDED)]


def test_moved_paragraph_is_removed_and_added() -> None:
    new = [PARAS[1], PARAS[2], PARAS[3], PARAS[0]]
    assert align(PARAS, new) == [
        Aligned(0, None, REMOVED),
        Aligned(1, 0, SAME),
        Aligned(2, 1, SAME),
        Aligned(3, 2, SAME),
        Aligned(None, 3, ADDED),
    ]


def test_best_pair_wins_in_a_gap() -> None:
    old = ["a b c d e", "a b c d f"]
    new = ["a b c d f g"]  # 4/7 like the first, 5/6 like the second
    assert align(old, new) == [Aligned(0, None, REMOVED), Aligned(1, 0, CHANGED)]
    assert align(old[::-1], new) == [Aligned(0, 0, CHANGED), Aligned(1, None, REMOVED)]


def test_pairs_never_cross() -> None:
    old = ["a b c d e f g h i j", "k l m n"]
    new = ["k l m x", "a b c d e f g h i z"]  # both similar, but pairing both would cross
    assert align(old, new) == [
        Aligned(None, 0, ADDED),
        Aligned(0, 1, CHANGED),
        Aligned(1, None, REMOVED),
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ([], [], []),
        ([], ["a"], [Aligned(None, 0, ADDED)]),
        (["a"], [], [Aligned(0, None, REMOVED)]),
    ],
)
def test_empty_inputs(old: list[str], new: list[str], expected: list[Aligned]) -> None:
    assert align(old, new) == expected


def test_key_decides_what_is_same() -> None:
    new = [p.upper() for p in PARAS]
    assert statuses(align(PARAS, new)) == ["changed"] * 4
    assert statuses(align(PARAS, new, key=str.casefold)) == ["same"] * 4


PARAGRAPH_POOL = [*PARAS, "Hai bên nhất trí mở rộng hợp tác năng lượng và dầu khí.", "", "—"]
documents = st.one_of(
    st.lists(st.sampled_from(PARAGRAPH_POOL), max_size=12),
    st.lists(st.text(max_size=20), max_size=8),
)


@given(documents)
def test_align_with_itself_is_all_same(doc: list[str]) -> None:
    assert align(doc, doc) == [Aligned(i, i, SAME) for i in range(len(doc))]


@given(documents, documents)
def test_every_index_appears_once_in_order(old: list[str], new: list[str]) -> None:
    aligned = align(old, new)
    old_seen = [a.old_index for a in aligned if a.old_index is not None]
    new_seen = [a.new_index for a in aligned if a.new_index is not None]
    # Exactly once each, and in document order (so removed ones sit where they were).
    assert old_seen == list(range(len(old)))
    assert new_seen == list(range(len(new)))
    for a in aligned:
        expected = {
            SAME: a.old_index is not None and a.new_index is not None,
            CHANGED: a.old_index is not None and a.new_index is not None,
            ADDED: a.old_index is None and a.new_index is not None,
            REMOVED: a.old_index is not None and a.new_index is None,
        }[a.status]
        assert expected
        if a.status == SAME:
            assert a.old_index is not None and a.new_index is not None
            assert old[a.old_index] == new[a.new_index]


# --- rendering -------------------------------------------------------------------------------


def test_render_text_marks_each_kind_of_change() -> None:
    old = [PARAS[0], VI_OLD, PARAS[1], PARAS[2]]
    new = [VI_NEW, PARAS[2], "Đoạn văn mới."]
    text = render_text(old, new, align(old, new))
    # Numbers count in the new version, and in the old one for removed paragraphs.
    assert text == (
        "¶1 (removed):\n"
        f"[-{PARAS[0]}-]\n"
        "\n"
        "¶1 (changed):\n"
        "Hai bên nhất trí mở rộng hợp tác năng lượng đến năm [-2030-]{+2035+}, theo Hiệp ước năm 1994.\n"
        "\n"
        "¶3 (removed):\n"
        f"[-{PARAS[1]}-]\n"
        "\n"
        "¶3 (added):\n"
        "{+Đoạn văn mới.+}"
    )


def test_render_text_of_identical_versions_is_empty() -> None:
    assert render_text(PARAS, PARAS, align(PARAS, PARAS)) == ""
    assert render_html(PARAS, PARAS, align(PARAS, PARAS)) == ""


def test_render_html_escapes_and_styles() -> None:
    old = ["Tuyên bố <b>chung</b> năm 2030."]
    new = ["Tuyên bố <b>chung</b> năm 2035 <script>alert(1)</script>."]
    page = render_html(old, new, align(old, new))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;chung&lt;/b&gt;" in page
    assert '<del style="background:#fdd;text-decoration:line-through">2030</del>' in page
    assert '<ins style="background:#dfd;text-decoration:none">2035' in page
    assert "¶1 (changed):" in page


def test_render_html_added_and_removed() -> None:
    old = ["Một & hai"]
    new = ["Ba > bốn"]
    page = render_html(old, new, align(old, new))
    assert "¶1 (removed):" in page
    assert "¶1 (added):" in page
    assert ">Một &amp; hai</del>" in page
    assert ">Ba &gt; bốn</ins>" in page


# --- summary ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (VI_OLD, VI_NEW, "2030 → 2035"),
        ("Hợp tác năng lượng.", "Hợp tác năng lượng và dầu khí.", "+ 'và dầu khí'"),
        ("Hợp tác năng lượng và dầu khí.", "Hợp tác năng lượng.", "- 'và dầu khí'"),
        ("Việt Nam", "Việt Nam", ""),
    ],
)
def test_summary(old: str, new: str, expected: str) -> None:
    assert summary(old, new) == expected


def test_summary_clips_both_sides_of_a_replacement() -> None:
    old = "Mở đầu " + " ".join(["hợp tác toàn diện"] * 5) + "."
    new = "Mở đầu " + " ".join(["quan hệ đối tác chiến lược"] * 5) + "."
    line = summary(old, new, width=40)
    assert len(line) <= 40
    left, right = line.split(" → ")
    assert left.startswith("hợp tác") and left.endswith("…")
    assert right.startswith("quan hệ") and right.endswith("…")


def test_summary_is_one_line_within_width() -> None:
    added = " ".join(["hợp tác toàn diện"] * 20) + "\nvà hơn nữa"
    line = summary("Mở đầu.", f"Mở đầu {added}.", width=40)
    assert len(line) <= 40
    assert "\n" not in line
    assert line.startswith("+ 'hợp tác toàn diện")
    assert line.endswith("…'")


# --- a whole statement -----------------------------------------------------------------------


def test_whole_statement_with_one_edited_paragraph() -> None:
    old = CORPUS.read_text(encoding="utf-8").split("\n\n")
    assert len("\n\n".join(old).encode()) > 30_000
    target = next(i for i, p in enumerate(old) if "năm 2012" in p and i > 10)
    new = old.copy()
    new[target] = old[target].replace("năm 2012", "năm 2013")
    assert new[target] != old[target]

    aligned = align(old, new)
    edited = [a for a in aligned if a.status != SAME]
    assert edited == [Aligned(target, target, CHANGED)]
    assert len(aligned) == len(old)
    assert changes(word_diff(old[target], new[target])) == [("-", "2012"), ("+", "2013")]
    assert render_text(old, new, aligned).startswith(f"¶{target + 1} (changed):\n")
