"""Language-independent anchors of a text: numbers, dates, acronyms and Latin-script names."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final

from communique.text import normalise

# Month names in the languages of the sources, casefolded: Norwegian, Dutch, English, German,
# French, Spanish, and Russian in the genitive that dates use ("30 января 1950 года").
_MONTH_NAMES: Final = (
    ("januar", "januari", "january", "janvier", "enero", "января", "jänner"),
    ("februar", "februari", "february", "février", "febrero", "февраля"),
    ("mars", "maart", "march", "märz", "marzo", "марта"),
    ("april", "avril", "abril", "апреля"),
    ("mai", "mei", "may", "mayo", "мая"),
    ("juni", "june", "juin", "junio", "июня"),
    ("juli", "july", "juillet", "julio", "июля"),
    ("august", "augustus", "août", "agosto", "августа"),
    ("september", "septembre", "septiembre", "сентября"),
    ("oktober", "october", "octobre", "octubre", "октября"),
    ("november", "novembre", "noviembre", "ноября"),
    ("desember", "december", "dezember", "décembre", "diciembre", "декабря"),
)
_MONTH: Final = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names}
_MONTH_ALTERNATIVES: Final = "|".join(sorted(_MONTH, key=len, reverse=True))
_MONTH_INITIALS: Final = "".join(sorted({name[0] for name in _MONTH}))

_YEAR: Final = r"(?P<year>1[5-9]\d\d|20\d\d)"
# Each pattern opens with a lookahead of the characters it can start with, so that the regex engine
# skips other positions quickly (this halves the time of the month-name patterns).
_DATE_PATTERNS: Final = (
    # 30/1/1950, 30.01.1950, 30-1-1950 (day first, as in Vietnam, Russia and Europe).
    re.compile(
        rf"(?=\d)(?<![\d.,/])(?P<day>\d{{1,2}})(?P<sep>[./-])(?P<month>\d{{1,2}})(?P=sep){_YEAR}(?!\d)"
    ),
    # 1950-01-30.
    re.compile(rf"(?=\d)(?<![\d.,/-]){_YEAR}-(?P<month>\d\d)-(?P<day>\d\d)(?!\d)"),
    # ngày 30 tháng 1 năm 1950; ngày 30 tháng 1; tháng 1 năm 1950.
    re.compile(
        rf"(?=[\dnt])(?:(?:ngày )?(?P<day>\d{{1,2}}) )?tháng (?P<month>\d{{1,2}})(?:,? năm {_YEAR})?(?!\d)"
    ),
    # Vietnamese day and month without a year: "ngày 10/5".
    re.compile(r"ngày (?P<day>\d{1,2})/(?P<month>\d{1,2})(?![\d/])"),
    # January 30, 1950.
    re.compile(rf"(?P<name>{_MONTH_ALTERNATIVES}) (?P<day>\d{{1,2}}),? {_YEAR}(?!\d)"),
    # 30. januar 1950, 30 января 1950 года, 30 de enero de 1950, mars 2001, 11. mai.
    re.compile(
        rf"(?=[\d{_MONTH_INITIALS}])(?:(?<![\d.,])(?P<day>\d{{1,2}})\.? (?:de )?)?"
        rf"(?P<name>{_MONTH_ALTERNATIVES})(?!\w)"
        rf"(?: (?:de )?{_YEAR}(?!\d))?"
    ),
)

# Digits with thousands separators (1.000, 1,000, 1 000) and an optional decimal part (4,2 or 4.2).
_NUMBER: Final = re.compile(
    r"(?<![\w.,])(?P<int>\d{1,3}(?:(?P<sep>[., ])\d{3}(?!\d))(?:(?P=sep)\d{3}(?!\d))*|\d+)"
    r"(?:[.,](?P<frac>\d+)(?![.,]?\d))?"
    r"(?P<percent> ?(?:%|procent|prosent|percent|per cent|phần trăm|процент\w*|pour cent|prozent)(?!\w))?"
)

# List numbering at the start of a text ("5. Byggende ..."), which translations renumber or drop.
_ENUMERATION: Final = re.compile(r"^\s*\d{1,3}[.)] (?!(?:de )?(?:" + _MONTH_ALTERNATIVES + r")(?!\w))")

# ASCII capitals, maybe with a genitive or plural "s": "UNCLOS", "ASEANs".
_LATIN_ACRONYM: Final = re.compile(r"(?<!\w)([A-Z]{2,8})s?(?!\w)")
_CYRILLIC_ACRONYM: Final = re.compile(r"(?<!\w)([А-ЯЁ]{2,8})(?!\w)")

# Acronyms that name the same thing in another language or script.
_ACRONYMS: Final = {
    "ЕАЭС": "EAEU", "АСЕАН": "ASEAN", "АТЭС": "APEC", "БРИКС": "BRICS", "ВТО": "WTO", "ООН": "UN",
    "ШОС": "SCO", "СНГ": "CIS", "ЕС": "EU", "НАТО": "NATO", "МАГАТЭ": "IAEA", "ЮНЕСКО": "UNESCO",
    "ВОЗ": "WHO", "МВФ": "IMF", "ТАСС": "TASS", "СССР": "USSR", "США": "USA", "КНР": "PRC",
    "EAWU": "EAEU", "EAEC": "EAEU", "EEU": "EAEU", "EAES": "EAEU", "FN": "UN", "ONU": "UN", "UNO": "UN",
    "LHQ": "UN", "NATO": "NATO", "OTAN": "NATO", "VS": "USA", "USA": "USA", "ASEM": "ASEM",
}  # fmt: skip

# A word as written between spaces, with its surrounding punctuation apart: ("«Putin», ...).
_TOKEN: Final = re.compile(r"(\W*)(.*?)(\W*)", re.DOTALL)
_WORD: Final = re.compile(r"[^\W\d_]{4,}")
_WORD_CHARACTER: Final = re.compile(r"\w")
_ROMAN: Final = re.compile(r"[IVXLC]+")


def _split_token(token: str) -> tuple[str, str, str]:
    """Leading punctuation, word, trailing punctuation."""
    match = _TOKEN.fullmatch(token)
    return (match.group(1), match.group(2), match.group(3)) if match else ("", token, "")


@functools.lru_cache(maxsize=16384)
def _is_latin_name(word: str) -> bool:
    """A capitalised word in Latin script, not written all in capitals."""
    return (
        word[:1].isupper()
        and not word.isupper()
        and word.isalpha()
        and all(unicodedata.name(char, "").startswith("LATIN") for char in word)
    )


@functools.lru_cache(maxsize=16384)
def plain_name(word: str) -> str:
    """A name casefolded and without diacritics ("Đà" → "da")."""
    bare = unicodedata.normalize("NFD", word.replace("Đ", "D").replace("đ", "d"))
    return "".join(char for char in bare if not unicodedata.combining(char)).casefold()


def _shouting(text: str) -> bool:
    """Whether a text has words in capitals that are no acronyms: "NHẤT", "ЗАЯВЛЕНИЕ" (not "ЕАЭС")."""
    return any(
        word.isupper() and not word.isascii() and word not in _ACRONYMS
        and (len(word) > 5 or not "А" <= word[0] <= "Я")
        for word in _WORD.findall(text)
    )  # fmt: skip


def _date(match: re.Match[str]) -> str | None:
    """The ISO form of a matched date: YYYY-MM-DD, YYYY-MM, or --MM-DD without a year."""
    parts = match.groupdict()
    month = _MONTH[parts["name"]] if parts.get("name") else int(parts["month"])
    day = int(parts["day"]) if parts.get("day") else None
    year = parts.get("year")
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31) or (day is None and year is None):
        return None
    if day is None:
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def _numbers(text: str) -> set[str]:
    """Numbers without thousands separators, decimals with a point, percentages with "%"."""
    found = set()
    for match in _NUMBER.finditer(text):
        digits = re.sub(r"\D", "", match.group("int")).lstrip("0") or "0"
        value = f"{digits}.{match.group('frac')}" if match.group("frac") else digits
        if match.group("percent"):
            found.add(value + "%")
        elif len(value) > 1:  # one digit is written as a word as often as not ("five", "năm")
            found.add(value)
    return found


def _names(text: str) -> set[str]:
    """Capitalised Latin-script words, casefolded and without diacritics, except a sentence's first.

    A sentence's first word counts when the next one is capitalised too ("Vladimir Putin ..."),
    which loses the few sentences that open with a one-word name.
    """
    found: set[str] = set()
    tokens = text.split()
    sentence_start = True
    for index, token in enumerate(tokens):
        # Only a token opening with a capital, or with punctuation ("«Putin»"), can hold a name.
        if token[0].isupper() or not token[0].isalnum():
            _lead, word, trail = _split_token(token)
            parts = word.split("-")
            if all(_is_latin_name(part) for part in parts) and (
                not sentence_start or (not trail and _next_is_name(tokens, index))
            ):
                found.update(plain_name(part) for part in parts)
        # A sentence ends after ".", "!", "?" or ":", and a token of punctuation alone ("–") too.
        last = token[-1]
        sentence_start = last in ".!?:" or (not last.isalnum() and not _WORD_CHARACTER.search(token))
    return found


def _next_is_name(tokens: list[str], index: int) -> bool:
    following = _split_token(tokens[index + 1])[1] if index + 1 < len(tokens) else ""
    return _is_latin_name(following.split("-")[0])


def anchors(text: str) -> frozenset[str]:
    """Numbers, ISO dates, acronyms and names of a text, comparable across languages."""
    return anchors_of_normalised(normalise(text))


def anchors_of_normalised(text: str) -> frozenset[str]:
    """`anchors` of a text that is normalised already (as `paragraphs` returns them)."""
    text = _ENUMERATION.sub("", text)
    found: set[str] = set()
    folded = text.casefold()
    for pattern in _DATE_PATTERNS:
        spans = []
        for match in pattern.finditer(folded):
            date = _date(match)
            if date:
                found.add(date)
            spans.append(match.span())
        # Blanked out so that a day, month or year is not counted again as a number ("tháng 12").
        folded = _blank(folded, spans)
    found |= _numbers(folded)
    # A heading in capitals ("HAI BÊN NHẤT TRÍ") would make acronyms of its plain words.
    if not _shouting(text):
        for match in (*_LATIN_ACRONYM.finditer(text), *_CYRILLIC_ACRONYM.finditer(text)):
            if not _ROMAN.fullmatch(match.group(1)):
                found.add(_ACRONYMS.get(match.group(1), match.group(1)))
    found |= _names(text)
    return frozenset(found)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with these (ordered, disjoint) spans replaced by spaces."""
    if not spans:
        return text
    pieces, at = [], 0
    for start, end in spans:
        pieces += [text[at:start], " " * (end - start)]
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def distinctive(found: frozenset[str]) -> frozenset[str]:
    """The anchors rare enough to suggest that two texts are related: not numbers below 100 (days,
    counts, list numbers: every long article has a dozen of them) nor words of two letters."""
    return frozenset(a for a in found if len(a) > 2 and not (a.isdigit() and int(a) < 100))
