"""Genre and parties on the real seeds and on unrelated real pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from communique.errors import PermanentError
from communique.statements import Genre, genre, is_statement_related, parties
from communique.text import paragraphs
from tests.conftest import ROOT, extract_like_the_crawler

SEEDS = {
    path.name[:3]: paragraphs(path.read_text(encoding="utf-8")) for path in (ROOT / "corpus").glob("*.txt")
}


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        ("000", Genre.JOINT_STATEMENT),  # Norwegian machine translation of the full May 2025 text
        ("001", Genre.JOINT_STATEMENT),  # full Vietnamese text, June 2024
        ("002", Genre.JOINT_STATEMENT),  # Vietnamese excerpt, May 2025
        ("003", Genre.NEWS),  # ambassador's interview mentioning the joint statement
        ("004", Genre.NEWS),  # TASS coverage: reported speech about the Nov 2021 statement
    ],
)
def test_genre_of_the_seeds(seed: str, expected: Genre) -> None:
    assert genre(SEEDS[seed]) is expected


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_parties_of_the_seeds_are_vietnam_and_russia(seed: str) -> None:
    assert sorted(parties(SEEDS[seed])) == ["RU", "VN"]


@pytest.mark.parametrize(
    "phrase",
    [
        "Tuyên bố chung",
        "Совместное заявление",
        "Joint Statement",
        "Déclaration commune",
        "Gemeinsame Erklärung",
    ],
)
def test_statement_phrases_in_five_languages(phrase: str) -> None:
    assert is_statement_related([f"Text: {phrase.upper()} of the two countries."])
    assert not is_statement_related(["A statement was made jointly by nobody in particular."])


@pytest.mark.parametrize(
    "sentence",
    [  # each as a real page of tests/realset words it
        "中日两国发表联合宣言如下",  # zh: a joint declaration
        "日越共同新聞発表",  # ja: a joint press statement
        "シンガポールで共同文書に署名した",  # ja: signed a joint document
        "남북 고위급회담 공동보도문을 채택했다",  # ko: adopted a joint press release
        "두 정상은 '판문점 선언'에 서명했다",  # ko: signed a declaration
        "ทั้งสองฝ่ายลงนามปฏิญญาร่วมว่าด้วยความเป็นหุ้นส่วน",  # th: signed a joint declaration
        "兩國元首簽署了聯(lián)合聲明",  # zh with a mirror's pinyin gloss
        "两国元首会晤联合新闻声明",  # zh: a joint press statement
        "中日両国は共同コミュニケを発表した",  # ja: a joint communiqué
        "남북 외교장관 공동발표문",  # ko: a joint announcement
        "북미 공동커뮤니케 발표",  # ko: a joint communiqué
        "बातचीत के बाद संयुक्त घोषणापत्र जारी किया गया",  # hi: a joint declaration
        "وأكد الرئيسان في بيانهما الختامي المشترك",  # ar: their joint final statement
        "Le communiqué commun des deux chefs d'État",  # fr
        "The following joint press statement was issued today.",  # en
        "ถ้อยแถลงร่วม ระหว่างราชอาณาจักรไทยกับสาธารณรัฐประชาชนจีน",  # th: a joint statement
        "दोनों देशों ने एक साझा घोषणापत्र पर भी हस्ताक्षर किए हैं",  # hi: a joint declaration
        "Pernyataan Pers Bersama Presiden RI dan Perdana Menteri Malaysia",  # id: a joint press statement
    ],
)
def test_statement_wording_found_in_real_pages(sentence: str) -> None:
    assert is_statement_related([sentence])


@pytest.mark.parametrize(
    "sentence",
    [
        "Kedua pemimpin menyetujui pernyataan mengenai kemitraan strategis.",  # id: approved a statement
        "Путин напомнил, что Декларации, подписанные в 2000 году, определили приоритеты.",
        "The two presidents signed a strategic declaration in the capital.",
        "Oggi ho firmato con il presidente Putin due importanti dichiarazioni.",  # a signatory between
        "Nixon podepsal s premiérem Čou En-lajem Šanghajské komuniké.",  # cs: signed a communiqué
        "در سال ۲۰۰۱ دو کشور اعلامیه مشارکت استراتژیک را امضا کردند",  # fa: signed a declaration
    ],
)
def test_a_bare_statement_noun_next_to_signing_or_adopting_names_a_statement(sentence: str) -> None:
    assert is_statement_related([sentence])


@pytest.mark.parametrize(
    "sentence",
    [
        "The Kremlin issued a statement on the talks.",  # a statement one side issues alone
        "The minister signed the visitors' book, and later he made a brief statement.",  # too far apart
        "Die Erklärung des Ministers war kurz.",  # a noun alone
    ],
)
def test_a_statement_noun_without_signing_or_adopting_names_none(sentence: str) -> None:
    assert not is_statement_related([sentence])


@pytest.mark.parametrize(
    "sentence",
    [  # each as a real page of tests/realset words it
        "The East Asia Summit ended on Sunday without a joint statement.",
        "Hội nghị thượng đỉnh kết thúc mà không có một tuyên bố chung nào.",
        "Переговоры завершились без совместного заявления.",
        "Les discussions se sont terminées sans déclaration commune.",
        "由于为非正式会晤, 双方会后也没有发表联合声明。",
        "G20農相会合 共同声明採択できず",
        "트럼프·시진핑 정상회담, 공동성명 없이 끝났다",
        "Russland und USA scheitern an gemeinsamer Erklärung",
        "Les dirigeants n'ont pas publié de déclaration conjointe.",
        "한미정상 공동발표문 없을 듯",
        "Absence of joint statement dampens prospects for improved ties",
        "The summit was unable to deliver a joint statement.",
        "Отсутствие совместного заявления является демонстрацией кризиса.",
        "李大维称美中不会发表联合公报",
        "韓日首脳、共同宣言発表せず記者会見のみ行う",
    ],
)
def test_a_statement_said_not_to_be_made_names_none(sentence: str) -> None:
    assert not is_statement_related([sentence])


@pytest.mark.parametrize(
    "sentence",
    [
        "The joint statement did not mention Ukraine.",  # a negation of what it says
        "They not only signed a joint statement but also eleven agreements.",
        "Они не только подписали совместное заявление, но и договоры.",
        "The summit ended without a joint statement, unlike in 2019, when they adopted a joint statement.",
    ],
)
def test_a_negation_of_something_else_leaves_the_statement_named(sentence: str) -> None:
    assert is_statement_related([sentence])


def test_a_page_that_says_no_statement_was_made_names_none_where_it_speaks_of_it_again() -> None:
    page = ["The summit ended without a joint statement.", "A joint statement had been expected on trade."]
    assert not is_statement_related(page)
    # unless it says one was signed or adopted
    assert is_statement_related([*page, "A year ago the two leaders signed a joint statement on trade."])


def test_negations_are_those_of_the_pages_language() -> None:
    # Portuguese "no" is "in the": the page cites the joint communiqué.
    text = ["Programas para viajantes baseados no comunicado conjunto entre os presidentes."]
    assert is_statement_related(text, "pt")
    assert not is_statement_related(["The talks ended with no joint communiqué."], "en")


def test_a_negation_on_the_line_before_leaves_the_statement_named() -> None:
    # A menu item, or the last sentence of the paragraph before: not a negation of the statement.
    assert is_statement_related(
        ["Asked whether the talks had failed, he said no.", "Joint statement of the two"]
    )
    assert not is_statement_related(["Asked about the talks, he said they ended without a joint statement."])


def test_an_article_without_a_statement_phrase_is_other() -> None:
    text = ["Hai bên nhất trí tăng cường hợp tác kinh tế.", "Hai bên khẳng định quan hệ hữu nghị."]
    assert genre(text) is Genre.OTHER
    assert genre(text, title="Tuyên bố chung Việt Nam - Lào") is Genre.JOINT_STATEMENT


def test_a_country_named_inside_another_ones_name_is_not_mentioned() -> None:
    # Chinese writes India 印度 inside Indonesia 印度尼西亚, with no space to tell them apart.
    text = ["印度尼西亚和越南签署联合声明。", "印度尼西亚和越南是伙伴。"]
    assert parties(text) == ["ID", "VN"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Inflected forms: Russian cases, German genitive, English adjective.
        ("Визит в Россию. Президент России и премьер Вьетнама. Россией и Вьетнамом.", ["RU", "VN"]),
        ("Russlands Präsident in Vietnam. Russland und Vietnams Partei.", ["RU", "VN"]),
        # Particles glued to the name (Korean), clitics (Arabic), a script without spaces (Thai).
        ("러시아와 베트남은 공동성명을 발표했다. 러시아는 베트남에", ["RU", "VN"]),
        ("وقعت روسيا وفيتنام بيانا مشتركا. لروسيا وفيتنام", ["RU", "VN"]),
        ("รัสเซียและเวียดนามออกแถลงการณ์ร่วม รัสเซียเวียดนาม", ["RU", "VN"]),
        ("रूस और वियतनाम ने संयुक्त बयान जारी किया। रूस वियतनाम", ["RU", "VN"]),
        # Korean press names the two Koreas as 한국 and 북한, not as CLDR's full state names.
        ("윤 대통령은 한국과 베트남 관계를 강조했다. 베트남은 한국의 북한 문제", ["KR", "VN"]),
        # Ukrainian in-word apostrophe typed as ' or ’, where CLDR writes the modifier letter ʼ.
        ("Прем'єр-міністр В'єтнаму та Китаю. В’єтнам і Китай. Вʼєтнам", ["VN", "CN"]),
    ],
)
def test_country_names_come_from_cldr_in_every_script(text: str, expected: list[str]) -> None:
    assert parties([text]) == expected


def test_ambiguous_vietnamese_syllables_are_not_countries() -> None:
    text = ["Các biện pháp pháp luật về đạo đức và mỹ thuật được thảo luận ở Việt Nam và Việt Nam."]
    assert parties(text) == ["VN"]


def test_unrelated_real_pages_are_other(real_html: Path) -> None:
    checked = 0
    for page in sorted(real_html.glob("trafilatura/*.html"))[:30]:
        body = page.read_bytes()
        try:
            article = extract_like_the_crawler(body)
        except PermanentError:
            continue
        assert genre(article.text.split("\n"), article.title) is Genre.OTHER, page.name
        checked += 1
    assert checked >= 25
