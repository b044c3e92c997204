"""Language-independent anchors: a table of the forms the sources use, and properties."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from communique.anchors import anchors
from communique.text import normalise

TABLE = [
    # One date, written as each language of the sources writes it.
    ("30/1/1950", {"1950-01-30"}),
    ("30.01.1950", {"1950-01-30"}),
    ("30. januar 1950", {"1950-01-30"}),
    ("30 januari 1950", {"1950-01-30"}),
    ("January 30, 1950", {"1950-01-30"}),
    ("ngày 30 tháng 1 năm 1950", {"1950-01-30"}),
    ("30 января 1950 года", {"1950-01-30"}),
    ("30 de enero de 1950", {"1950-01-30"}),
    ("1950-01-30", {"1950-01-30"}),
    ("ngày 19-20/6/2024", {"19", "2024-06-20"}),
    # Month and year; day and month without a year.
    ("i mars 2001", {"2001-03"}),
    ("tháng 3 năm 2024", {"2024-03"}),
    ("Cuộc hội đàm ngày 10/5", {"--05-10"}),
    ("fra 8. til 11. mai", {"--05-11"}),
    # Numbers lose their thousands separators; decimals get a point; percentages a sign.
    ("1.000 beurzen", {"1000"}),
    ("1,000 scholarships", {"1000"}),
    ("1 000 học bổng", {"1000"}),
    ("2.500.000 người", {"2500000"}),
    ("met een factor 4,2 en 14,5", {"4.2", "14.5"}),
    ("25% og 30 prosent", {"25%", "30%"}),
    ("tăng 15 phần trăm", {"15%"}),
    ("80-årsjubileet, de 80e verjaardag", {"80"}),
    ("Agenda 2030 og perioden 2021-2025", {"2030", "2021", "2025"}),
    # One digit is as often a word ("five", "năm"), so it is no anchor; list numbering neither.
    ("5 quốc gia", set()),
    ("5. Byggende på prestasjonene de siste 75 årene", {"75"}),
    # Acronyms, Latin and Cyrillic (mapped through a small table), with a genitive "s".
    ("UNCLOS, ASEAN, EAEU, APEC, BRICS og WTO", {"UNCLOS", "ASEAN", "EAEU", "APEC", "BRICS", "WTO"}),
    ("ЕАЭС, АСЕАН и ООН", {"EAEU", "ASEAN", "UN"}),
    ("ASEANs sentrale rolle", {"ASEAN"}),
    ("FNs havrettskonvensjon", {"UN"}),
    ("kapittel II", set()),
    # A heading in capitals has no acronyms.
    ("HAI BÊN NHẤT TRÍ TĂNG CƯỜNG HỢP TÁC", set()),
    # Latin-script names, casefolded and without diacritics.
    ("Russlands president Vladimir Putin", {"vladimir", "putin"}),
    (
        "Tổng Bí thư Tô Lâm và Tổng thống Nga Vladimir Putin",
        {"tong", "bi", "to", "lam", "nga", "vladimir", "putin"},
    ),
    ("monumentet over president Ho Chi Minh", {"ho", "chi", "minh"}),
    ("cùng Chủ tịch Hồ Chí Minh", {"chu", "ho", "chi", "minh"}),
    ("Đà Nẵng", {"da", "nang"}),
    # A sentence's single capitalised first word is no name; Cyrillic names are not Latin.
    ("Putin sa ja.", set()),
    ("Владимир Путин", set()),
    ("", set()),
]


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_anchors_table(text: str, expected: set[str]) -> None:
    assert anchors(text) == expected


def test_translations_share_their_anchors() -> None:
    """Seed 000 (Norwegian) and 002 (Vietnamese) write the same sentence; their anchors agree."""
    norwegian = (
        "De to sidene la vekt på samarbeid innen internasjonal informasjonssikkerhet, inkludert avtalen "
        "mellom regjeringen i Den sosialistiske republikken Vietnam og regjeringen i Den russiske "
        "føderasjon, undertegnet 6. september 2018."
    )
    vietnamese = (
        "Hai bên nhấn mạnh hợp tác trong lĩnh vực an ninh thông tin quốc tế, trong đó có Hiệp định giữa "
        "Chính phủ nước Cộng hòa Xã hội Chủ nghĩa Việt Nam và Chính phủ Liên bang Nga ký ngày 6/9/2018."
    )
    assert "2018-09-06" in anchors(norwegian) & anchors(vietnamese)


TEXT = st.text(
    alphabet=st.sampled_from(list("aAóÓ ĐđnNgGàÀ.,/-%0123456789\u00a0\u200b«»ёЁЕАЭС\n\tUNCLOS")), max_size=80
)


@given(TEXT)
def test_anchors_are_invariant_under_normalise(text: str) -> None:
    assert anchors(normalise(text)) == anchors(text)


@given(st.integers(min_value=1000, max_value=999_999_999))
def test_thousands_separators_do_not_matter(number: int) -> None:
    written = f"{number:,}"
    forms = {written, written.replace(",", "."), written.replace(",", " "), str(number)}
    assert {anchors(f"khoảng {form} người") for form in forms} == {frozenset({str(number)})}


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2099, 12, 31)))
def test_a_date_has_one_anchor_in_every_language(date: datetime.date) -> None:
    norwegian = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
                 "oktober", "november", "desember"][date.month - 1]  # fmt: skip
    russian = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
               "октября", "ноября", "декабря"][date.month - 1]  # fmt: skip
    forms = [
        f"{date.day}/{date.month}/{date.year}",
        f"{date.day:02d}.{date.month:02d}.{date.year}",
        f"{date.day}. {norwegian} {date.year}",
        f"ngày {date.day} tháng {date.month} năm {date.year}",
        f"{date.day} {russian} {date.year} года",
        date.isoformat(),
    ]
    assert {anchors(form) for form in forms} == {frozenset({date.isoformat()})}
