"""Statement identity: cards, the clues a page gives, and which known statement (if any) fits them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from communique.card_file import load_cards
from communique.errors import ConfigError
from communique.identity import Card, TextDate, clues, derive_card, fit, identify, text_dates
from communique.names import city_forms
from communique.statements import is_statement_related
from communique.text import match_key, paragraphs

JUNE_2024 = Card(
    "june-2024",
    dt.date(2024, 6, 20),
    ("VN", "RU"),
    "Hanoi",
    {"en": "Joint Statement on deepening the comprehensive strategic partnership"},
    ("Nguyen Phu Trong", "To Lam", "Vladimir Putin"),
)
NOVEMBER_2021 = Card(
    "november-2021",
    dt.date(2021, 11, 30),
    ("VN", "RU"),
    "Moscow",
    {"en": "Joint Statement on the vision of the comprehensive strategic partnership until 2030"},
    ("Nguyen Xuan Phuc", "Vladimir Putin"),
)
MAY_2025 = Card(
    "may-2025",
    dt.date(2025, 5, 10),
    ("VN", "RU"),
    "Moscow",
    {"en": "Joint Statement on the major orientations of the comprehensive strategic partnership"},
    ("To Lam", "Vladimir Putin"),
)
CARDS = [JUNE_2024, NOVEMBER_2021]


def page(text: str, language: str = "en", published: dt.date | None = None) -> object:
    """The clues of a text, with its sentences naming a statement as the engine finds them."""
    lines = paragraphs(text)
    naming = [line for line in lines if is_statement_related([line])]
    return clues([match_key(line) for line in lines], text, language, published, naming)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("MOSCOW, June 20. /TASS/. Russia and Vietnam issued", "en", TextDate(None, 6, 20)),
        ("Hà Nội, ngày 20 tháng 6 năm 2024", "vi", TextDate(2024, 6, 20)),
        ("2024年6月20日，双方发表联合声明", "zh", TextDate(2024, 6, 20)),
        ("20 มิถุนายน 2567", "th", TextDate(2024, 6, 20)),  # Buddhist era
        ("in May 2025 the sides", "en", TextDate(2025, 5, None)),
        ("지난 6월 19일과 20일 양일간 방문", "ko", TextDate(None, 6, 19)),  # a particle glued to the day
        ("dirilis pada Minggu (11/5/2025), menyusul", "id", TextDate(2025, 5, 11)),  # day first, not 5 Nov
        ("Ngày 10/5/2025 tại Moskva", "vi", TextDate(2025, 5, 10)),
    ],
)
def test_dates_are_read_in_many_languages_with_what_they_leave_out(
    text: str, language: str, expected: TextDate
) -> None:
    assert text_dates(text, language) == [expected]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("les 19 et 20 juin", "fr", [TextDate(None, 6, 19)]),  # June, no year (not 2020)
        ("Den 15. januar publiserte departementet", "no", [TextDate(None, 1, 15)]),  # not January 1
        ("俄罗斯总统普京去年6月访问越南", "zh", []),  # a month alone has no day
        ("on Thursday the sides met, yesterday they signed", "en", []),  # relative: no date given
        ("共同声明では、75年間にわたる関係の成果を振り返り", "ja", []),  # a span of years, no day
        ("越俄战略伙伴关系20年来发展历程的一大亮点", "zh", []),
        ("そして2030年までの両国間の協力", "ja", []),  # "until 2030" read as 1 January of the year 3831
    ],
)
def test_what_a_text_does_not_write_is_not_read_into_it(
    text: str, language: str, expected: list[TextDate]
) -> None:
    assert text_dates(text, language) == expected


def test_a_report_published_days_after_a_statement_fits_its_card() -> None:
    report = page(
        "Russia and Vietnam have issued a joint statement after talks in Hanoi.\nVietnam and Russia agreed.",
        published=dt.date(2024, 6, 21),
    )
    found, _ = identify(CARDS, report)
    assert found is not None and found.card is JUNE_2024
    assert "published" in found.evidence


def test_a_page_published_before_a_statement_cannot_be_about_it() -> None:
    report = page("Russia and Vietnam issued a joint statement.", published=dt.date(2012, 7, 28))
    assert {f.veto for f in identify(CARDS, report)[1]} == {"published before the statement"}


def test_the_parties_must_both_be_named() -> None:
    report = page("China and Vietnam issued a joint statement in Hanoi on June 20, 2024.")
    assert fit(JUNE_2024, report).veto == "parties"


def test_the_sentence_naming_a_statement_can_point_to_another_one() -> None:
    other_day = page("Vietnam and Russia signed a joint statement on 15 January.\nRussia, Vietnam.")
    other_year = page("Russia and Vietnam signed a joint statement in 2012 in Sochi.\nRussia, Vietnam.")
    assert fit(JUNE_2024, other_day).veto == "names a statement of another day"
    assert fit(JUNE_2024, other_year).veto == "names a statement of another year"


def test_a_number_of_the_title_and_a_signatory_of_its_own_identify_a_statement() -> None:
    text = (
        "President Nguyen Xuan Phuc said Vietnam and Russia agreed on a joint vision statement "
        "until 2030.\nRussia and Vietnam."
    )
    found, fits = identify(CARDS, page(text))
    assert found is not None and found.card is NOVEMBER_2021
    assert set(found.evidence) == {"title", "signatory"}
    # Putin signed both: naming him tells the two apart no more than naming no one.
    assert "signatory" not in next(f for f in fits if f.card is JUNE_2024).evidence


def test_a_title_number_counts_only_in_the_sentences_that_name_a_statement() -> None:
    # A report of another statement whose power plants are to run "until 2030" (a real German page).
    text = (
        "Russia and Vietnam issued a joint statement on Tuesday.\n"
        "Vietnam and Russia want to cooperate closely in power generation until 2030."
    )
    found, fits = identify(CARDS, page(text))
    assert found is None
    assert "title" not in next(f for f in fits if f.card is NOVEMBER_2021).evidence


def test_a_title_number_is_found_glued_to_the_letters_of_its_script() -> None:
    text = "ロシアとベトナムの2030年までのビジョンに関する共同声明の実現。\nロシア ベトナム"
    found, _ = identify(CARDS, page(text, "ja"))
    assert found is not None and found.card is NOVEMBER_2021 and found.evidence == ("title",)


def test_a_year_to_come_in_the_naming_sentence_points_to_no_other_statement() -> None:
    text = (
        "Vietnam and Russia, which mark 75 years of ties in 2025, issued a joint statement in Hanoi.\n"
        "Russia and Vietnam."
    )
    report = page(text, published=dt.date(2024, 6, 25))
    found, _ = identify(CARDS, report)
    assert found is not None and found.card is JUNE_2024  # not vetoed as "a statement of 2025"
    # A year to come that a known title carries still names that statement ("until 2030").
    vision = page(
        "Russia and Vietnam work on the joint statement until 2030.", published=dt.date(2024, 6, 25)
    )
    assert fit(JUNE_2024, vision, titled=frozenset({"2030"})).veto == "names a statement of another year"


def test_one_party_named_only_by_a_signatory_still_counts() -> None:
    signatory = page(
        "Il capo del Cremlino Vladimir Putin in Vietnam: prevista una joint statement a Hanoi.", "it"
    )
    assert fit(JUNE_2024, signatory).veto is None
    # Not when the page names another country: that may be the other party.
    other = page("Il capo del Cremlino Vladimir Putin in Cina e Vietnam: una joint statement a Hanoi.", "it")
    assert fit(JUNE_2024, other).veto == "parties"


def test_two_statements_that_fit_as_well_identify_neither() -> None:
    text = "Russia and Vietnam recalled the joint statement.\nVietnam and Russia, 2021 and 2024."
    assert identify(CARDS, page(text))[0] is None


def test_a_card_is_derived_from_a_statements_own_text() -> None:
    text = [
        "Tuyên bố chung Việt Nam - Lào",
        "Hà Nội, ngày 10 tháng 1 năm 2026",
        "Hai bên khẳng định quan hệ đặc biệt giữa Việt Nam và Lào, ký ngày 10 tháng 1 năm 2026.",
        "Lào và Việt Nam nhất trí tăng cường hợp tác.",
    ]
    card = derive_card("vn-la", text, [match_key(line) for line in text], "vi")
    assert card.adopted == dt.date(2026, 1, 10)
    assert set(card.parties) == {"VN", "LA"}
    assert card.titles == {"vi": "Tuyên bố chung Việt Nam - Lào"}


def test_the_shipped_cards_load_and_a_bad_one_names_its_line(tmp_path: Path) -> None:
    shipped = load_cards(Path(__file__).resolve().parents[2] / "corpus" / "cards.yaml")
    assert shipped["001_cfe805069be26ee0"].adopted == dt.date(2024, 6, 20)
    bad = tmp_path / "cards.yaml"
    bad.write_text("a:\n  adopted: 2024-06-20\n  parties: [VN, XX]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cards.yaml:3: a.parties.1: .*ISO 3166"):
        load_cards(bad)


HANOI_FORMS = Card(
    "june-2024-named",
    dt.date(2024, 6, 20),
    ("VN", "RU"),
    "Hanoi",
    signatories=("To Lam", "Vladimir Putin"),
    names={"Hanoi": ("Hà Nội", "Ханой", "ハノイ", "هانوي")},
)
MOSCOW_2025 = Card("may-2025", dt.date(2025, 5, 10), ("VN", "RU"), "Moscow", signatories=("To Lam",))


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Путин и То Лам в Ханое приняли совместное заявление России и Вьетнама.", "ru"),
        ("プーチン氏はハノイでベトナムと会談し、ロシアとベトナムは共同声明を発表した。", "ja"),
        ("وقعت روسيا وفيتنام في هانوي بيان مشترك بين روسيا وفيتنام", "ar"),
        ("Nga và Việt Nam ra tuyên bố chung tại Hà Nội; Nga, Việt Nam", "vi"),
        ("Putin ha fatto tappa a Hanoi: dichiarazione congiunta di Russia e Vietnam.", "it"),
    ],
)
def test_the_place_of_a_statement_is_found_in_the_script_of_the_page(text: str, language: str) -> None:
    found, fits = identify([HANOI_FORMS, MOSCOW_2025], page(text, language))
    assert found is not None and found.card is HANOI_FORMS, fits
    assert found.evidence == ("place",)


def test_a_place_named_in_another_script_without_its_form_on_the_card_is_no_evidence() -> None:
    bare = Card("bare", dt.date(2024, 6, 20), ("VN", "RU"), "Hanoi")
    clue = page("Путин в Ханое: совместное заявление России и Вьетнама.", "ru")
    assert fit(bare, clue).evidence == ()


def test_a_time_zone_city_has_its_cldr_names_in_every_locale() -> None:
    forms = city_forms("Moscow")
    assert {"Москва", "Moskau", "莫斯科", "موسكو", "モスクワ"} <= set(forms)
    clue = page("Путин и То Лам в Москве: совместное заявление России и Вьетнама.", "ru")
    assert fit(MOSCOW_2025, clue).evidence == ("place",)
    assert city_forms("Hanoi") == ()  # no time zone of its own: the card gives its forms


def test_title_words_tie_a_report_to_a_statement_but_not_a_statement_text_to_another() -> None:
    may_2025 = Card(
        "may-2025",
        dt.date(2025, 5, 10),
        ("VN", "RU"),
        titles={"en": "Joint Statement on the main directions of the partnership in the new period"},
    )
    text = "Vietnam and Russia adopted a joint statement on the main directions of ties in the new period."
    report = page(f"{text}\nRussia and Vietnam.")
    found, _ = identify([*CARDS, may_2025], report)
    assert found is not None and found.card is may_2025 and found.evidence == ("title words",)
    # The same words in a statement's own text: that text names itself, maybe a new statement.
    assert identify([*CARDS, may_2025], report, report=False)[0] is None


def test_a_signatory_of_some_known_statements_breaks_a_tie_on_place() -> None:
    # A report of May 2025 (Moscow, To Lam) names the place of November 2021 too: To Lam signed June 2024
    # and May 2025, not November 2021, so he tells the two Moscow statements apart.
    may_2025 = Card(
        "may-2025", dt.date(2025, 5, 10), ("VN", "RU"), "Moscow", {}, ("To Lam", "Vladimir Putin")
    )
    cards = [JUNE_2024, NOVEMBER_2021, may_2025]
    report = page("After To Lam's visit to Moscow, Vietnam and Russia issued a joint statement.")
    found, fits = identify(cards, report)
    assert found is not None and found.card is may_2025, fits
    assert found.evidence == ("shared signatory", "place")


def test_a_title_number_in_the_naming_sentences_outweighs_the_years_of_other_statements() -> None:
    text = (
        "Joint Statement on 2030 Vision for Development of Vietnam - Russia relations\n"
        "Since the joint declaration on the Strategic Partnership in 2001, Vietnam and Russia grew closer."
    )
    assert fit(NOVEMBER_2021, page(text), titled=frozenset({"2030"})).veto is None


def test_the_place_in_the_naming_sentence_outweighs_a_capital_named_for_its_government() -> None:
    report = page(
        "Vladimir Putin and To Lam signed a joint declaration in Moscow on the partnership.\n"
        "The declaration also welcomed Hanoi's position on Ukraine, Russia and Vietnam said."
    )
    found, fits = identify([JUNE_2024, MAY_2025], report)
    assert found is not None and found.card is MAY_2025, fits  # Hanoi gives June 2024 no place


def test_a_tie_is_broken_by_the_known_place_the_page_names_most() -> None:
    report = page(
        "Vladimir Putin, visiting Hanoi, met To Lam at the presidential palace in Hanoi.\n"
        "The joint communique stresses trust between Russia and Vietnam.\n"
        "Hanoi also hopes to push cooperation in defence with Moscow."
    )
    found, fits = identify([JUNE_2024, MAY_2025], report)
    assert found is not None and found.card is JUNE_2024, fits
    # Named as often, the places leave the tie: the page does not say which statement it is.
    even = page(
        "Vladimir Putin met To Lam in Hanoi.\n"
        "The joint communique stresses trust between Russia and Vietnam.\n"
        "Moscow values the ties."
    )
    assert identify([JUNE_2024, MAY_2025], even)[0] is None
