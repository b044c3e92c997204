"""What kind of text this is (a statement's own text, an article about one, or other) and its parties.

Pure heuristics over match keys (casefolded, punctuation-free): phrase tables per language, kept here
in one place so that adding a language is adding rows. Calibrated on the seeds in corpus/ (tests).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from enum import StrEnum
from typing import Final

from communique.text import match_key


class Genre(StrEnum):
    """A statement's own text, an article about a statement, or anything else."""

    JOINT_STATEMENT = "joint_statement"
    NEWS = "news"
    OTHER = "other"


# "Joint statement" in the languages we meet; any of them makes a text statement-related.
STATEMENT_PHRASES: Final = (
    "tuyên bố chung",
    "совместное заявление",
    "совместного заявления",
    "совместном заявлении",
    "joint statement",
    "joint declaration",
    "déclaration commune",
    "declaration commune",
    "gemeinsame erklärung",
    "gemeinsamen erklärung",
    "felles uttalelse",
    "felleserklæring",
    "felles erklæring",
    "gezamenlijke verklaring",
    "declaración conjunta",
    "联合声明",
)

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

# Country names by ISO code, as match keys (casefolded, accents as written in each language). Vietnamese
# short names that are also common syllables (pháp in "biện pháp", đức in "đạo đức", mỹ in "mỹ thuật")
# appear only in unambiguous forms.
COUNTRIES: Final[dict[str, tuple[str, ...]]] = {
    "VN": ("việt nam", "vietnam", "viet nam", "вьетнам", "вьетнама", "вьетнаму", "вьетнамом", "viêt nam"),
    "RU": (
        "nga",
        "liên bang nga",
        "russia",
        "russian federation",
        "россия",
        "россии",
        "российская федерация",
        "российской федерации",
        "russland",
        "rusland",
        "russie",
        "russische federatie",
        "den russiske føderasjonen",
    ),
    "CN": ("trung quốc", "china", "китай", "китая", "kina", "chine"),
    "US": ("hoa kỳ", "nước mỹ", "united states", "сша", "usa", "de forente stater", "verenigde staten"),
    "IN": ("ấn độ", "india", "индия", "индии", "inde"),
    "JP": ("nhật bản", "japan", "япония", "японии", "japon"),
    "KR": ("hàn quốc", "republic of korea", "south korea", "республика корея", "sør-korea", "zuid-korea"),
    "LA": ("lào", "laos", "лаос", "лаоса"),
    "KH": ("campuchia", "cambodia", "камбоджа", "камбоджи", "kambodsja", "cambodja"),
    "BY": ("belarus", "беларусь", "беларуси", "hviterussland", "wit-rusland"),
    "KZ": ("kazakhstan", "казахстан", "казахстана", "kasakhstan"),
    "UA": ("ukraine", "украина", "украины", "ukraina", "oekraïne"),
    "FR": ("nước pháp", "cộng hòa pháp", "france", "франция", "франции", "frankrike", "frankrijk"),
    "DE": (
        "nước đức",
        "cộng hòa liên bang đức",
        "germany",
        "германия",
        "германии",
        "tyskland",
        "duitsland",
        "allemagne",
    ),
}
_COUNTRY_OF_NAME: Final = {match_key(name): code for code, names in COUNTRIES.items() for name in names}
# Every name in one pattern, longest first: a text is read once, and a name inside a longer one counts
# for the longer one only (Dutch "wit rusland" is Belarus, not Russia).
_COUNTRY_NAMES: Final = re.compile(
    r"\b(?:" + "|".join(map(re.escape, sorted(_COUNTRY_OF_NAME, key=len, reverse=True))) + r")\b"
)

JOINT_STATEMENT_CLAUSE_SHARE = 0.25  # share of paragraphs that are statement clauses
PARTY_SHARE = 0.3  # a party is mentioned at least this share as often as the most mentioned country


_PHRASE_KEYS: Final = tuple(match_key(phrase) for phrase in STATEMENT_PHRASES)


def is_statement_related(paragraphs: Sequence[str]) -> bool:
    """Whether the text names a joint statement in any known language."""
    return names_statement([match_key(p) for p in paragraphs])


def genre(paragraphs: Sequence[str], title: str | None = None) -> Genre:
    """A statement's own text (most paragraphs are statement clauses), an article about one, or other."""
    return genre_of([match_key(p) for p in paragraphs], match_key(title or ""))


def parties(paragraphs: Sequence[str]) -> list[str]:
    """ISO codes of the countries the text is chiefly about (most mentioned first), at most three."""
    return parties_of([match_key(p) for p in paragraphs])


def names_statement(keys: Sequence[str]) -> bool:
    """`is_statement_related` for paragraphs already turned into match keys."""
    joined = " ".join(keys)
    return any(phrase in joined for phrase in _PHRASE_KEYS)


def genre_of(keys: Sequence[str], title_key: str = "") -> Genre:
    """`genre` for paragraphs (and a title) already turned into match keys."""
    keys = [key for key in keys if key]
    if not keys or not names_statement([title_key, *keys]):
        return Genre.OTHER
    clauses = sum(1 for key in keys if STATEMENT_CLAUSES.search(key))
    reported = sum(1 for key in keys if REPORTED_SPEECH.search(key))
    if clauses / len(keys) >= JOINT_STATEMENT_CLAUSE_SHARE and reported < clauses / 3:
        return Genre.JOINT_STATEMENT
    return Genre.NEWS


def parties_of(keys: Sequence[str]) -> list[str]:
    """`parties` for paragraphs already turned into match keys."""
    counts = Counter(dict.fromkeys(COUNTRIES, 0))  # ties go in this order
    counts.update(_COUNTRY_OF_NAME[name] for name in _COUNTRY_NAMES.findall("\n".join(keys)))
    counts = +counts  # countries not mentioned are left out
    if not counts or counts.most_common(1)[0][1] < 2:
        return []
    top = counts.most_common(1)[0][1]
    return [code for code, n in counts.most_common(3) if n >= max(2, PARTY_SHARE * top)]
