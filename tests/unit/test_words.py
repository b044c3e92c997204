"""Word counts in every script (ICU word boundaries)."""

from __future__ import annotations

import pytest

from communique.words import word_count, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中俄两国元首签署联合声明", ["中俄", "两国", "元首", "签署", "联合", "声明"]),
        ("日本とロシアは共同声明に署名", ["日本", "と", "ロシア", "は", "共同", "声明", "に", "署名"]),
        ("ประเทศไทยและรัสเซีย", ["ประเทศไทย", "และ", "รัสเซีย"]),
        ("Hai bên nhất trí, năm 2024.", ["Hai", "bên", "nhất", "trí", "năm", "2024"]),
        ("l'accord — 1,000.5", ["l'accord", "1,000.5"]),
    ],
)
def test_words_are_those_a_reader_counts(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_a_chinese_paragraph_has_as_many_words_as_its_english_translation_roughly() -> None:
    chinese = "双方同意在能源、交通、农业和教育领域加强合作，并于今年底前签署新的协议。"
    english = (
        "The two sides agreed to strengthen cooperation in energy, transport, agriculture and education."
    )
    assert len(chinese.split()) == 1
    assert word_count(chinese) >= 0.8 * word_count(english)


def test_text_with_spaces_counts_as_split_does() -> None:
    text = "The two sides agreed to sign a new agreement before the end of the year"
    assert word_count(text) == len(text.split())
