"""Country names in match keys: what CLDR gives, the short forms the press writes, and words that only
look like names."""

from __future__ import annotations

import pytest

from communique.countries import mentions
from communique.text import match_key


def named(text: str) -> dict[str, int]:
    return dict(mentions([match_key(line) for line in text.split("\n")]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # One character per country, side by side (Chinese, Japanese), or at a Korean word's start.
        ("中俄关系不断深化", {"CN": 1, "RU": 1}),
        ("越俄建交75周年", {"VN": 1, "RU": 1}),
        ("6月20日越俄签署联合声明", {"VN": 1, "RU": 1}),  # a day, then the pair
        ("日米首脳会談が行われた", {"JP": 1, "US": 1}),
        ("日・米・豪の首脳が会談した", {"JP": 1, "US": 1, "AU": 1}),
        ("한미 정상회담", {"KR": 1, "US": 1}),
        ("한·중 정상회담", {"KR": 1, "CN": 1}),
        ("남북정상회담", {"KR": 1, "KP": 1}),
        # Short forms of Russian, Ukrainian and English.
        ("Президенты РФ и США подписали заявление", {"RU": 1, "US": 1}),
        ("the U.S. and Japan", {"US": 1, "JP": 1}),
    ],
)
def test_countries_the_press_names_by_short_forms(text: str, expected: dict[str, int]) -> None:
    assert named(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le président russe et le président vietnamien", {"RU": 1, "VN": 1}),
        ("Die deutsch-britische Partnerschaft", {"DE": 1}),
        ("dem chinesischen Präsidenten", {"CN": 1}),
        ("il presidente russo", {"RU": 1}),
        ("القمة الصينية الروسية", {"CN": 1, "RU": 1}),
        ("وقع الرئيسان التركي والأذربيجاني", {"TR": 1, "AZ": 1}),  # masculine: the language's name less ة
        ("रूसी राष्ट्रपति", {"RU": 1}),
        ("rosyjskiego prezydenta", {"RU": 1}),
        ("русского лидера", {"RU": 1}),
        ("o líder norte-coreano", {}),  # Korean names neither Korea: the language of both
    ],
)
def test_a_country_named_by_its_adjective(text: str, expected: dict[str, int]) -> None:
    assert named(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "中美洲国家",  # Central America
        "6月20日中午",  # the 20th, noon
        "会谈中",  # "in the talks"
        "北米と南米の市場です",  # the Americas
        "남미 국가들",  # South America
        "중남미 순방",  # Latin America
        "일러스트 사진합성",  # an illustration
        "La reunión fue larga y las reuniones también",  # a meeting, not Réunion
        "Une réunion. La réunion des ministres",
        "A reunião terminou",
        "После того как",  # "after that", not Togo
        "تم التوقيع على الاتفاق",  # "was signed": no Malta across the space
        "대한 국가",  # no 한국 across the space
        "أردوغان",  # Erdogan, not the Persian for Urdu (Pakistan)
    ],
)
def test_words_that_look_like_names_are_none(text: str) -> None:
    assert named(text) == {}


def test_a_pair_that_starts_a_full_name_counts_the_full_name_only() -> None:
    assert named("在会谈中美国表示") == {"US": 1}  # 中 "in", then 美国
    assert named("북한과 남중국해") == {"KP": 1, "CN": 1}  # 북한 is one name; 남 + 중국
