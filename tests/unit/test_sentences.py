"""Sentence splitting: a table of the cases the sources show, and properties of any split."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from communique.sentences import split_sentences
from communique.text import normalise, paragraphs

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

TABLE = [
    # Plain sentence ends, in the languages of the sources.
    ("Hai bên nhất trí. Nga đánh giá cao.", ["Hai bên nhất trí.", "Nga đánh giá cao."]),
    ("De to sidene ble enige. Vietnam og Russland!", ["De to sidene ble enige.", "Vietnam og Russland!"]),
    ("Стороны договорились. Что дальше? Всё.", ["Стороны договорились.", "Что дальше?", "Все."]),
    ("Is dat zo? Ja. Nee…", ["Is dat zo?", "Ja.", "Nee…"]),
    # Abbreviations stay inside their sentence.
    (
        "TP. Hồ Chí Minh là thành phố lớn. Hai bên nhất trí.",
        ["TP. Hồ Chí Minh là thành phố lớn.", "Hai bên nhất trí."],
    ),
    ("Mr. Smith met Dr. Jones. They agreed.", ["Mr. Smith met Dr. Jones.", "They agreed."]),
    ("năng lượng, giáo dục v.v. Hai bên nhất trí.", ["năng lượng, giáo dục v.v. Hai bên nhất trí."]),
    ("St. Petersburg hosted it. Moscow did not.", ["St. Petersburg hosted it.", "Moscow did not."]),
    ("Dit geldt o.a. Vietnam. Rusland ook.", ["Dit geldt o.a. Vietnam.", "Rusland ook."]),
    ("Det gjelder bl.a. Vietnam. Russland også.", ["Det gjelder bl.a. Vietnam.", "Russland også."]),
    ("В 2024 г. Стороны встретились.", ["В 2024 г. Стороны встретились."]),
    # Initials: "S. M. Mironov", "В. В. Путин".
    (
        'lederen av partiet "Rettferdig Russland", S. M. Mironov. De to sidene møttes.',
        ['lederen av partiet "Rettferdig Russland", S. M. Mironov.', "De to sidene møttes."],
    ),
    ("Приехал В. В. Путин. Переговоры начались.", ["Приехал В. В. Путин.", "Переговоры начались."]),
    # Numbers with dots are no sentence ends, nor is list numbering or an ordinal day.
    (
        "ngày 30.1.1950 với 1.000 học bổng. Hai bên nhất trí.",
        ["ngày 30.1.1950 với 1.000 học bổng.", "Hai bên nhất trí."],
    ),
    (
        "5. Byggende på prestasjonene. De to sidene understreket.",
        ["5. Byggende på prestasjonene.", "De to sidene understreket."],
    ),
    ("II. Quan hệ song phương", ["II. Quan hệ song phương"]),
    (
        "Am 8. Mai 1945 endete der Krieg. Danach kam Frieden.",
        ["Am 8. Mai 1945 endete der Krieg.", "Danach kam Frieden."],
    ),
    ("i Hanoi i 2025. De to sidene", ["i Hanoi i 2025.", "De to sidene"]),
    ("mellom de to landene. 6. De to sidene", ["mellom de to landene.", "6. De to sidene"]),
    # A full stop followed by a lower-case word is no sentence end.
    ("Công nghệ v.v. và năng lượng.", ["Công nghệ v.v. và năng lượng."]),
    # Quotes and brackets after the stop belong to the sentence that ends.
    ('He said "yes." Then he left.', ['He said "yes."', "Then he left."]),
    ("Hai bên cho rằng (TTXVN). Nga đánh giá cao.", ["Hai bên cho rằng (TTXVN).", "Nga đánh giá cao."]),
    # CJK stops need no space; line breaks always end a sentence.
    ("这是第一句。这是第二句！", ["这是第一句。", "这是第二句！"]),
    ("Dòng một\nDòng hai", ["Dòng một", "Dòng hai"]),
    # Every sentence comes back normalised.
    ("«Совместное   заявление» — текст.  Ещё\u00a0один.", ['"Совместное заявление" - текст.', "Еще один."]),
    ("", []),
    ("   ", []),
]


@pytest.mark.parametrize(("paragraph", "expected"), TABLE)
def test_split_sentences_table(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


def test_seed_sentences_are_plausible() -> None:
    """No sentence of the seeds is a lone abbreviation, initial or number, and the counts are stable."""
    counts = {}
    for path in sorted(CORPUS.glob("*.txt")):
        sentences = [s for p in paragraphs(path.read_text(encoding="utf-8")) for s in split_sentences(p)]
        counts[path.name[:3]] = len(sentences)
        for sentence in sentences:
            assert not re.fullmatch(r"[\w.]{1,6}\.", sentence), sentence
    # Counted by reading: 002 has 16 sentences (13 of the statement, title and intro, 3 link lines).
    assert counts["002"] == 16
    assert counts == {"000": 97, "001": 121, "002": 16, "003": 46, "004": 44}


TEXT = st.text(
    alphabet=st.sampled_from(list("aAbBđĐ vTPMrS xyz.!?…,;:\"'()«»-0123456789\u00a0\t\n。ёЁПпبوت؟।क")),
    max_size=120,
)


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        # Arabic has no capitals, and scraped Arabic text often loses the space after a full stop.
        ("أكد الرئيس ضرورة التعاون.واكد لام أهمية الزيارة في 16 يونيو 1994.وقال لام", 3),
        ("هل هذا صحيح؟ نعم", 2),
        ("रूस और वियतनाम ने संयुक्त बयान जारी किया। दोनों देश सहमत हुए।", 2),  # the danda ends a sentence
        ("Growth was 3.5 percent in the U.S.word", 1),  # Latin text keeps its rule: no space, no end
    ],
)
def test_sentences_of_scripts_without_capitals(paragraph: str, expected: int) -> None:
    assert len(split_sentences(paragraph)) == expected


@given(TEXT)
def test_sentences_keep_all_text_in_order(paragraph: str) -> None:
    sentences = split_sentences(paragraph)
    assert re.sub(r"\s", "", "".join(sentences)) == re.sub(r"\s", "", normalise(paragraph))


@given(TEXT)
def test_sentences_are_normalised_and_not_empty(paragraph: str) -> None:
    for sentence in split_sentences(paragraph):
        assert sentence
        assert sentence == sentence.strip()
        assert normalise(sentence) == sentence


@given(TEXT)
def test_a_sentence_splits_into_itself(paragraph: str) -> None:
    for sentence in split_sentences(paragraph):
        assert split_sentences(sentence) == [sentence]
