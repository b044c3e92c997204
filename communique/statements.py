"""What kind of text this is (a statement's own text, an article about one, or other) and its parties.

Pure heuristics over match keys (casefolded, punctuation-free): phrase tables per language, kept here
in one place so that adding a language is adding rows. Calibrated on the seeds in corpus/ (tests).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Final

from communique.countries import is_unspaced, mentions
from communique.text import match_key


class Genre(StrEnum):
    """A statement's own text, an article about a statement, or anything else."""

    JOINT_STATEMENT = "joint_statement"
    NEWS = "news"
    OTHER = "other"


# "Joint statement / declaration / communiqué" in the languages of the sources and of the test set;
# no library has this wording. Every language's row has a form found in a real page of tests/realset
# (a test checks it); its other forms are spellings and plurals of that one. A final "*" on a word
# matches its inflections (Russian, Ukrainian, Polish, Czech cases); scripts without spaces are matched
# anywhere. A seventh dev collection looked for forms the table lacked (58 bilateral pages kept of 72):
# 共同コミュニケ, 공동발표문, 공동커뮤니케, 联合新闻声明, संयुक्त घोषणापत्र, الختامي المشترك, "communiqué
# commun", "joint press statement" and the Czech "komuniké" (signed) took it from 40 to 50 of 58 right,
# and named a statement in one more of the 456 dev pages before it (공동발표문 없을 듯, "there will be no
# joint announcement", hence 없을 in NEGATIONS). Measured and left out: 共同発表 (one page a joint
# statement, one the leaders' press remarks), "gemeinsame Mitteilung" (also the EU Commission's joint
# communications), and Vietnamese "ký / thông qua tuyên bố" (signed, adopted), which mended one page and
# named a statement in a dev page whose signing ceremony was cancelled ("tuyên bố" is also "to declare").
STATEMENT_WORDING: Final[dict[str, tuple[str, ...]]] = {
    "vi": ("tuyên bố chung", "thông cáo chung", "thông cáo báo chí chung"),
    "ru": (
        "совместн* заявлени*",
        "совместн* декларац*",
        "совместн* политическ* декларац*",
        "совместн* коммюнике",
        "декларац* о стратегическом партнерств*",
    ),
    "uk": ("спільн* заяв*", "спільн* декларац*"),
    "en": (
        "joint statement*",
        "joint declaration*",
        "joint communique*",
        "joint communiqué*",
        "joint leaders statement*",
        "joint vision statement*",
        "joint press statement*",
    ),
    "fr": (
        "déclaration* conjointe*",
        "déclaration* commune*",
        "communiqué* conjoint*",
        "communiqué commun",
        "communiqués communs",
    ),
    "de": ("gemeinsame* erklärung*", "gemeinsame* kommuniqué*", "gemeinsame* deklaration*"),
    "es": ("declaración conjunta", "declaraciones conjuntas", "comunicado conjunto"),
    "it": ("dichiarazione congiunta", "dichiarazioni congiunte", "comunicato congiunto"),
    "pt": ("declaração conjunta", "declarações conjuntas", "comunicado conjunto"),
    "nl": ("gezamenlijke verklaring*", "gemeenschappelijke verklaring*"),
    "no": (
        "felles uttalelse*",
        "felleserklæring*",
        "felles erklæring*",
        "felleskommunik*",
        "felles kommunik*",
    ),
    "sv": ("gemensam* uttalande*", "gemensam* deklaration*", "gemensam* förklaring*"),
    "da": ("fælles erklæring*", "fælleserklæring*"),
    "pl": ("wspóln* oświadczeni*", "wspóln* deklaracj*", "wspóln* komunikat*"),
    "cs": ("společn* prohlášení", "společn* deklarac*"),
    "zh": (
        "联合声明",
        "聯合聲明",
        "联合公报",
        "聯合公報",
        "联合新闻公报",
        "聯合新聞公報",
        "联合宣言",
        "聯合宣言",
        "建交公报",  # the communiqué two states sign to establish relations
        "建交公報",
        "联合新闻声明",
        "聯合新聞聲明",
        "共同声明",
        "伙伴关系声明",
        "伙伴关系的声明",
    ),
    # 聲: traditional, in mirrors. Adopting a statement (を採択) is joint, as in STATEMENT_ACTS.
    "ja": ("共同声明", "共同聲明", "共同宣言", "共同文書", "共同新聞発表", "声明を採択", "共同コミュニケ"),
    "ko": (
        "공동성명",
        "공동 성명",
        "공동선언",
        "공동 선언",
        "공동보도문",
        "공동 보도문",
        "공동발표문",
        "공동 발표문",
        "공동커뮤니케",
        "공동 커뮤니케",
    ),
    "id": ("pernyataan bersama", "deklarasi bersama", "komunike bersama", "pernyataan pers bersama"),
    "ms": ("kenyataan bersama", "deklarasi bersama"),
    # statement, declaration, co-signed statement; ถ้อยแถลงร่วม heads the Thai MFA's translation of the
    # TH-CN joint statement of 2022 (tenth collection; the form had been seen in a test page before)
    "th": ("แถลงการณ์ร่วม", "ปฏิญญาร่วม", "ร่วมลงนามถ้อยแถลง", "ถ้อยแถลงร่วม"),
    "hi": (
        "संयुक्त बयान",
        "संयुक्त वक्तव्य",
        "संयुक्त घोषणा",
        "संयुक्त घोषणापत्र",
        "संयुक्त विज्ञप्ति",
        "साझा बयान",
        "साझा घोषणापत्र",  # BBC Hindi, 2004: India and Russia signed a joint declaration
    ),
    "ar": (
        "بيان مشترك",
        "البيان المشترك",
        "بيانا مشتركا",
        "إعلان مشترك",
        "الإعلان المشترك",
        "إعلانا مشتركا",
        "الختامي المشترك",  # "البيان الختامي المشترك", "بيانهما الختامي المشترك": the joint final statement
    ),
    "tr": ("ortak bildiri*", "ortak açıklama*", "ortak deklarasyon*"),
    "fa": ("بیانیه مشترک",),
}

# A bare noun next to the act that makes a statement joint: signed or adopted by the parties
# ("menyetujui pernyataan mengenai ...", "Декларации, подписанные ..."). "Issued" and "published" are
# left out: a ministry issues a statement alone. Nouns, then verbs; each form is found in a real page of
# tests/realset (a test checks it). On the first 174 dev pages this names a statement in 3 pages more
# (Indonesian and German reports of the June 2024 statement, a Russian one of the RU–KP declarations)
# and in no unrelated page; with the verbs "issued" and "published" too, in 1 page more (tagesschau).
# The Korean and Arabic rows came with the third dev collection: a Korean report of June 2024 (성명을
# 채택), an Arabic page on the 2001 declaration (وقّع ... إعلان) and one on a RU–CN one (التوقيع على
# إعلان); they name a statement in no unrelated page of the 277. "Adopted" in French, Spanish, Italian
# and Portuguese came with the title words: the one Italian report it names more ("hanno adottato una
# dichiarazione ...") had tied on place before and is now told by its title (dev 255 -> 256 of 277).
STATEMENT_ACTS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "en": (("declaration*", "statement*", "communiqué*"), ("signed", "signing", "adopted")),
    "de": (("erklärung*",), ("unterzeichne*", "verabschiede*")),
    "fr": (("déclaration*",), ("signé*", "adopté*")),
    "es": (("declaración", "declaraciones", "comunicado*"), ("firmaron", "firmó", "firmad*", "adoptaron")),
    "it": (("dichiarazion*", "comunicat*"), ("firmat*", "sottoscritt*", "adottat*")),
    "pt": (("declaração", "declarações", "comunicado*"), ("assinad*", "assinaram", "assinar", "adotaram")),
    "ru": (("декларац*", "заявлени*"), ("подписа*", "принят*", "приняли", "принял*")),
    "uk": (("заяви", "заяві"), ("підписа*",)),
    "pl": (("oświadczeni*",), ("podpisa*",)),
    "cs": (("prohlášení", "komuniké"), ("podepsal*",)),
    "id": (("pernyataan", "deklarasi"), ("menandatangani", "ditandatangani", "menyetujui", "mengadopsi")),
    "nl": (("verklaring*", "communiqué*"), ("ondertekend*",)),
    "no": (("uttalelse*", "kommunik*"), ("signert*",)),
    "tr": (("bildiri*", "açıklama*"), ("imzala*",)),
    "ko": (("성명*", "선언*"), ("채택*", "서명*")),
    "ar": (("إعلان",), ("وقّع", "التوقيع")),  # match keys drop the shadda: وقع
    "fa": (("اعلامیه",), ("امضا",)),  # "اعلامیه مشارکت استراتژیک را امضا کردند" (ninth collection)
}
# Words between the noun and the verb: an article and an adjective or two ("signed a strategic
# declaration"), or the other signatory ("ho firmato con il presidente Putin due importanti
# dichiarazioni"). On the 343 dev pages, 6 names a statement in that one Italian page more than 4 and
# in no unrelated page; 8 in none more. Set by one page.
ACT_WINDOW: Final = 6


def _form_pattern(phrase: str) -> str:
    """The pattern of a phrase of the tables: match keys, a final "*" on a word taking its inflections."""
    if "*" not in phrase:
        return match_key(phrase)
    return " ".join(
        match_key(word.rstrip("*")) + (r"\w*" if word.endswith("*") else "") for word in phrase.split()
    )


def phrase_pattern(phrase: str) -> str:
    """The pattern that finds a phrase of STATEMENT_WORDING (or a form of STATEMENT_ACTS) in match keys."""
    key = _form_pattern(phrase)
    if is_unspaced(key):
        return key
    return r"(?<!\w)" + key + r"(?!\w)"


def _acts_pattern() -> str:
    nouns = "|".join(_form_pattern(n) for found, _ in STATEMENT_ACTS.values() for n in found)
    verbs = "|".join(_form_pattern(v) for _, found in STATEMENT_ACTS.values() for v in found)
    gap = rf"(?: \S+){{0,{ACT_WINDOW}}} "
    return rf"(?<!\w)(?:(?:{nouns}){gap}(?:{verbs})|(?:{verbs}){gap}(?:{nouns}))(?!\w)"


_PHRASES: Final = "|".join(phrase_pattern(p) for phrases in STATEMENT_WORDING.values() for p in phrases)
_WORDING: Final = re.compile(f"{_PHRASES}|(?P<act>{_acts_pattern()})")  # `act`: signing or adopting
_PHRASE: Final = re.compile(_PHRASES)

# Words that say no statement was made: a negation just before the wording ("ended without a joint
# statement", "không có tuyên bố chung", "没有发表联合声明") or a negated act just after it ("공동성명을
# 채택하지 못한", "共同声明の発表は見送られ", "совместного заявления ... не было принято"). Before, then
# after; a final "*" takes inflections; every form is in a real page of tests/realset (a test checks
# it). Only what negates the statement's being made: "the joint statement did not mention Ukraine"
# names one, so a negation after the wording counts only as a negated act.
NEGATIONS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "en": (("no", "not", "without", "failed", "unable", "absence of", "lack of"), ()),
    "ru": (("без", "не", "отсутстви*"), ("не было принят*",)),
    "vi": (("không",), ()),
    "fr": (("sans", "aucun*", "au lieu d", "pas"), ()),  # pas: "n'ont pas fait de déclaration commune"
    "de": (("kein*", "scheiter* an"), ()),
    "es": (("sin", "no"), ()),
    "it": (("non",), ()),
    "pt": (("sem", "não"), ()),
    "id": (("tidak",), ()),
    "ar": (("دون",), ()),
    "ko": ((), ("않*", "못한", "없이", "없었*", "없을*", "실패*")),
    "zh": (("没有", "沒有", "未能", "未发布", "未有", "無", "代替", "不会", "不會", "不大可能"), ()),
    "ja": (
        (),
        ("見送*", "ずに", "できず", "できませんでした", "出ない", "まとまらなかった", "せず", "されない"),
    ),
}
# English "unable", "absence of", "lack of", Russian "отсутствие", Chinese 不会 / 不大可能 (will not, is
# unlikely to) and Japanese せず / されない came with the seventh collection: of the 25 dev pages still
# called a new statement although they say none was made, they stand within reach of the wording in 6
# (and unname all 6), and in no page that names a statement (dev 458 -> 464 of 514).
# Words between a negation and the wording: "không có [một] tuyên bố chung" (2 before), "공동성명이나
# 선언문을 채택하지 않기로" (3 after). Of the 43 real pages that say no statement was made, with each
# occurrence alone 1 word discounted every naming in 20, 2 in 24, 3 in 26; once the whole page counts
# (names_statement), 1 to 3 words leave 33 pages unnamed, and 4 leaves 34 but unnames 1 of the 24
# pages that name one beside a negation and 2 dev pages that name one. Characters, in Chinese and
# Japanese: "未能發表會後共同宣言" (4 before), "共同声明をまとめることができませんでした" (8 after); 4 to 12
# give the same 33.
NEGATION_WORDS: Final = 3
NEGATION_CHARACTERS: Final = 8
# "Not only ... but a joint statement" names one.
_NOT_ONLY: Final = ("only", "solo", "sólo", "só", "seulement", "nur", "только", "chỉ", "hanya")


# Languages of NEGATIONS whose words are not parted by spaces: their reach is counted in characters.
_WITHOUT_WORD_SPACES: Final = frozenset({"zh", "ja"})


@functools.cache
def _negation_patterns(language: str | None) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    """The negations of a page's language (of every language of NEGATIONS when it is not known):
    Portuguese "no comunicado conjunto" is "in the joint communiqué", not the English "no"."""
    rows = NEGATIONS if language is None else {language: NEGATIONS[language]} if language in NEGATIONS else {}
    if not rows:
        return None

    def forms(side: int, spaced: bool) -> str:
        found = [
            _form_pattern(form)
            for name, pair in rows.items()
            if (name not in _WITHOUT_WORD_SPACES) == spaced
            for form in pair[side]
        ]
        return "|".join(found) or r"(?!)"  # no form: a pattern that never matches

    words, chars, only = NEGATION_WORDS, NEGATION_CHARACTERS, "|".join(_NOT_ONLY)
    spaced = rf"(?<!\w)(?:{forms(0, True)})(?! (?:{only})(?!\w))(?: \S+){{0,{words}}} "
    before = rf"(?:{spaced}|(?:{forms(0, False)})\S{{0,{chars}}})$"
    after = rf"^(?:\S*(?: \S+){{0,{words}}} (?:{forms(1, True)})(?!\w)|\S{{0,{chars}}}(?:{forms(1, False)}))"
    return re.compile(before), re.compile(after)


_NEGATION_REACH: Final = 120  # characters either side where a negation is looked for


def _negated(key: str, span: tuple[int, int], lines: tuple[int, int], language: str | None) -> bool:
    """Whether the wording at key[span] says that no statement was made; a negation is looked for only
    in the lines (key[lines]) the wording is on: a menu item or a sentence of the line before is none."""
    patterns = _negation_patterns(language)
    if patterns is None:
        return False
    (start, end), (first, last), (before, after) = span, lines, patterns
    return (
        before.search(key[max(first, start - _NEGATION_REACH) : start]) is not None
        or after.search(key[end : min(last, end + _NEGATION_REACH)]) is not None
    )


def wording_spans(key: str) -> list[tuple[int, int]]:
    """Where a match key says "joint statement" in any language of STATEMENT_WORDING."""
    return [match.span() for match in _PHRASE.finditer(key)]


# Clauses a statement is made of: the parties as subject, or the clause verbs statements open with.
STATEMENT_CLAUSES: Final = re.compile(
    r"^(?:\d+ )?(?:hai bên|các bên|phía (?:việt nam|nga)|khẳng định|nhất trí|tiếp tục|ủng hộ|nhấn mạnh"
    r"|hoan nghênh|bày tỏ|tái khẳng định|cho rằng|thúc đẩy|tăng cường|phản đối|kêu gọi"
    r"|стороны|российская сторона|вьетнамская сторона|the sides|both sides|the parties|the two sides"
    r"|de to (?:sidene|partene|landene)|begge (?:sider|parter)|partene|beide (?:partijen|zijden|landen)"
    r"|de partijen|les deux parties|les parties|beide seiten|die seiten)\b"
)

# Reported speech: an article *about* a statement quotes or paraphrases it.
REPORTED_SPEECH: Final = re.compile(
    r"\b(?:tuyên bố (?:cho biết|nêu rõ|khẳng định|viết)|theo tuyên bố|văn kiện (?:nhấn mạnh|cho biết)"
    r"|tài liệu cho biết|говорится в (?:заявлении|документе)|отмечается в"
    r"|according to the (?:statement|document)"
    r"|the statement (?:said|says|reads|noted)|ifølge (?:uttalelsen|erklæringen)|volgens de verklaring"
    r"|tass|ria novosti|interfax)\b"
)

JOINT_STATEMENT_CLAUSE_SHARE = 0.25  # share of paragraphs that are statement clauses
# A party is named at least this share as often as the most named country, and a text has two parties
# at most. On the real pages' dev half (tests/realset) the parties of new statements were missed on 15
# of 55 pages with a share of 0.3, at least 2 mentions and 3 parties, on 10 with 0.2, 1 and 2 (on 7
# once Russian adjectives counted, countries.MAX_CYRILLIC_SUFFIX); parties that are none fell from 6
# to 3 on the pages of statements.
PARTY_SHARE = 0.2
MAX_PARTIES = 2


def is_statement_related(paragraphs: Sequence[str], language: str | None = None) -> bool:
    """Whether the text names a joint statement in any known language (its wording, or a bare noun
    next to signing or adopting), and does not say that none was made (in its `language`)."""
    return names_statement([match_key(p) for p in paragraphs], language)


def genre(paragraphs: Sequence[str], title: str | None = None, language: str | None = None) -> Genre:
    """A statement's own text (most paragraphs are statement clauses), an article about one, or other."""
    return genre_of([match_key(p) for p in paragraphs], match_key(title or ""), language)


def parties(paragraphs: Sequence[str]) -> list[str]:
    """ISO codes of the countries the text is chiefly about (most mentioned first), at most two."""
    return parties_of([match_key(p) for p in paragraphs])


def names_statement(keys: Sequence[str], language: str | None = None) -> bool:
    """`is_statement_related` for paragraphs already turned into match keys.

    A text that says a statement was not made ("ended without a joint statement") names none, even
    where it speaks of that statement again ("the joint statement had been expected"), unless it also
    says one was signed or adopted (STATEMENT_ACTS, not negated).
    """
    # Joined: page layouts break lines inside a phrase ("pernyataan" / "bersama").
    joined = " ".join(keys)
    starts = list(itertools.accumulate((len(key) + 1 for key in keys), initial=0))  # and one past the end
    named = negated = False
    for found in _WORDING.finditer(joined):
        first = starts[bisect.bisect_right(starts, found.start()) - 1]
        last = starts[bisect.bisect_left(starts, found.end() + 1)] - 1
        if _negated(joined, found.span(), (first, last), language):
            negated = True
        elif found.group("act") is not None:
            return True  # signed or adopted
        else:
            named = True
    return named and not negated


def genre_of(keys: Sequence[str], title_key: str = "", language: str | None = None) -> Genre:
    """`genre` for paragraphs (and a title) already turned into match keys."""
    keys = [key for key in keys if key]
    if not keys or not names_statement([title_key, *keys], language):
        return Genre.OTHER
    clauses = sum(1 for key in keys if STATEMENT_CLAUSES.search(key))
    reported = sum(1 for key in keys if REPORTED_SPEECH.search(key))
    if clauses / len(keys) >= JOINT_STATEMENT_CLAUSE_SHARE and reported < clauses / 3:
        return Genre.JOINT_STATEMENT
    return Genre.NEWS


def parties_of(keys: Sequence[str]) -> list[str]:
    """`parties` for paragraphs already turned into match keys."""
    counts = mentions(keys)
    if not counts or counts.most_common(1)[0][1] < 2:
        return []
    top = counts.most_common(1)[0][1]
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [code for code, n in ranked[:MAX_PARTIES] if n >= max(1, PARTY_SHARE * top)]
