"""Text normalisation, comparison keys, fingerprints and page-furniture filtering for statements."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Final

# Every character that str.splitlines() treats as a line break becomes "\n", so splitting on "\n"
# later agrees with what a reader sees as lines.
_LINE_BREAKS: Final = re.compile(r"\r\n|[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")

# Invisible characters that scrapers and CMS editors leave inside words; they would split words
# and change fingerprints without changing the text a reader sees.
_ZERO_WIDTH: Final = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

_TONES: Final = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below

# A Vietnamese syllable start (optional onset) and an oa/oe/uy pair whose second vowel carries the
# tone, in NFD. "qu" is left out on purpose: its u belongs to the onset, so "quý" keeps its tone.
_TONE_ON_SECOND: Final = re.compile(
    rf"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|[bcdđghklmnprstvx])?(o[ae]|uy)([{_TONES}])", re.IGNORECASE
)

# A cheap test for the pair above, without the onset: most texts have none, and the full pattern,
# which tries an onset at every position, is then not run at all.
_PAIR_WITH_TONE: Final = re.compile(rf"[oOuU][aAeEyY][{_TONES}]")

# In composed (NFC) text: what the decomposed pass would change, a toned a/e after o or a toned y
# after u (not after "q": "quý") ending a syllable (not "toàn", "hoàng"), or ё/Ё. Text that is NFC
# already and has none of them (most of it, and all normalised text) skips the NFD/NFC round trip.
_NEEDS_DECOMPOSING: Final = re.compile(
    r"(?:[oO][àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸ]|(?<![qQ])[uU][ỳýỷỹỵỲÝỶỸỴ])(?![^\W\d_])|[ёЁ]"
)

# Cyrillic е/Е followed by its combining marks; the diaeresis among them is what makes ё/Ё.
_CYRILLIC_E: Final = re.compile("([еЕ])([\u0300-\u036f]+)")

# Sites and translators choose typographic quotes and dashes freely; the plain forms are one choice.
# Ukrainian writes its in-word apostrophe as ', ’ or the modifier letter ʼ (CLDR's "Вʼєтнам"): one form.
_QUOTES_AND_DASHES: Final = {
    **dict.fromkeys("“”„«»″", '"'),
    **dict.fromkeys("‘’‚′ʼ", "'"),
    **dict.fromkeys("–—‒―‑−", "-"),
}
_PUNCTUATION: Final = str.maketrans(_QUOTES_AND_DASHES)
_TYPOGRAPHIC: Final = re.compile("[" + "".join(_QUOTES_AND_DASHES) + "]")

# Any whitespace except the line break (NBSP, thin, ideographic, tab...): one plain space. A single
# plain space is left alone (it is most of them, and replacing each one costs).
_INLINE_SPACE: Final = re.compile(r" [^\S\n]+|[^\S\n ][^\S\n]*")


def _continues_word(char: str) -> bool:
    """Whether a character belongs to the same word (a letter, digit or combining mark)."""
    return char.isalnum() or unicodedata.category(char).startswith("M")


def _tone_to_first_vowel(match: re.Match[str]) -> str:
    """Move the tone of an open oa/oe/uy syllable onto its first vowel (old-style placement)."""
    text, start, end = match.string, match.start(), match.end()
    # Only whole syllables: inside a longer word, or with a final consonant ("hoàng") or a further
    # vowel ("khuyên"), the tone already sits where both styles agree.
    if (start > 0 and _continues_word(text[start - 1])) or (end < len(text) and _continues_word(text[end])):
        return match.group(0)
    pair, tone = match.group(1), match.group(2)
    return match.group(0)[: -len(pair) - 1] + pair[0] + tone + pair[1]


def _drop_yo_diaeresis(match: re.Match[str]) -> str:
    """Turn ё into е by dropping the diaeresis; Russian texts write either."""
    return match.group(1) + match.group(2).replace("\u0308", "")


def remove_invisible(text: str) -> str:
    """Drop zero-width characters and soft hyphens (they split words without showing)."""
    return _ZERO_WIDTH.sub("", text)


def normalise(text: str) -> str:
    """Return the canonical form of a text: NFC, one tone placement, plain quotes, dashes and spaces."""
    text = _LINE_BREAKS.sub("\n", text)
    # Removed before composing, so a mark split from its letter by an invisible character rejoins it.
    text = remove_invisible(text)
    if not unicodedata.is_normalized("NFC", text) or _NEEDS_DECOMPOSING.search(text):
        decomposed = unicodedata.normalize("NFD", text)
        if _PAIR_WITH_TONE.search(decomposed):
            decomposed = _TONE_ON_SECOND.sub(_tone_to_first_vowel, decomposed)
        decomposed = _CYRILLIC_E.sub(_drop_yo_diaeresis, decomposed)
        text = unicodedata.normalize("NFC", decomposed)
    if _TYPOGRAPHIC.search(text):
        text = text.translate(_PUNCTUATION)
    text = _INLINE_SPACE.sub(" ", text)
    return "\n".join(line.strip(" ") for line in text.split("\n"))


def _punctuation_or_symbol(char: str) -> bool:
    """What a match key leaves out: punctuation and symbols differ between sites and translations."""
    return unicodedata.category(char)[0] in "PS"


class _PunctuationToSpace(dict[int, str]):
    """A str.translate table, filled lazily: every punctuation or symbol character becomes a space."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        self[code] = " " if _punctuation_or_symbol(char) else char
        return self[code]


_PUNCTUATION_TO_SPACE: Final = _PunctuationToSpace()


def _bmp_punctuation() -> re.Pattern[str]:
    """One character class of every punctuation or symbol character below U+10000: a regex replaces
    them five times faster than str.translate (which looks every character up), and listing the
    plane's 65,536 characters takes 10 ms once (the whole of Unicode would take 200 ms at every start)."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        if _punctuation_or_symbol(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]")


_BMP_PUNCTUATION: Final = _bmp_punctuation()
_BEYOND_BMP: Final = re.compile("[\U00010000-\U0010ffff]")  # emoji and the like: str.translate


def match_key(paragraph: str) -> str:
    """Return the comparison form of a paragraph: normalised, casefolded, without punctuation."""
    return key_of_normalised(normalise(paragraph))


def key_of_normalised(paragraph: str) -> str:
    """`match_key` of a paragraph that is normalised already (as `paragraphs` returns them)."""
    # Casefolding can leave decomposed or newly composable text ("ß\u0301" -> "ss\u0301"): recompose.
    folded = unicodedata.normalize("NFC", paragraph.casefold())
    if _ARABIC_VARIANTS.search(folded):
        folded = _ARABIC_VARIANTS.sub(_arabic_plain, folded)
    if "(" in folded:
        folded = _PINYIN_GLOSS.sub("", folded)
    # Punctuation and symbols differ between sites and translations of the same sentence.
    if _BEYOND_BMP.search(folded):
        return " ".join(folded.translate(_PUNCTUATION_TO_SPACE).split())
    return " ".join(_BMP_PUNCTUATION.sub(" ", folded).split())


# Arabic is written with or without its short vowels, tanwin and shadda, stretched with the tatweel,
# and alef with or without its hamza ("بيانًا مشتركًا" and "بيانا مشتركا", "إعلان" and "اعلان"):
# a comparison key drops the marks and writes every alef plain.
_ARABIC_VARIANTS: Final = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640\u0622\u0623\u0625\u0671]")
_ARABIC_ALEFS: Final = frozenset("\u0622\u0623\u0625\u0671")


# Mirror sites gloss Chinese characters with their pinyin, tone mark and all, inside the words:
# "聯(lián)合聲明" is "聯合聲明" (real pages of tests/realset: a China News Service and a Xinhua mirror).
_PINYIN_GLOSS: Final = re.compile(r"(?<=[\u3400-\u9fff])\((?=[a-z]*[\u00e0-\u01dc])[a-z\u00e0-\u01dc]{1,7}\)")


def _arabic_plain(match: re.Match[str]) -> str:
    return "\u0627" if match.group() in _ARABIC_ALEFS else ""


def fingerprint(paragraph: str) -> str:
    """Return 16 hex characters identifying a paragraph up to its match key."""
    return key_fingerprint(match_key(paragraph))


def key_fingerprint(key: str) -> str:
    """The fingerprint of a paragraph whose match key is already computed."""
    # "surrogatepass": a lone surrogate (from a JSON escape) must not make fingerprinting fail.
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


# Words that introduce a photo or source credit, in the languages of the seed pages.
_CREDIT: Final = r"(?:foto|photo|ảnh|bron|nguồn|source|kilde)"

# Page furniture, matched against one normalised line. Captions are limited in length so that a
# statement paragraph with a caption glued to it by a bad extraction is kept, not lost.
_NOISE_PATTERNS: Final[list[re.Pattern[str]]] = [
    # Photo caption ending in a parenthesised credit: "... (Foto: Thong Nhat/VNA)", maybe in a table cell.
    re.compile(rf"^(?=.{{1,400}}$).*\({_CREDIT}\s*:[^()]{{1,80}}\)\s*\|?$", re.IGNORECASE),
    # Caption ending in a bare credit after a sentence: "Cuộc hội đàm ngày 10/5. Ảnh: Kremlin".
    re.compile(r"^(?=.{1,300}$)(?:.*[.!?] )?(?:ảnh|foto|photo)\s*:\s*[^.!?:;()]{1,60}$", re.IGNORECASE),
    # Copyright credit under a photo: "© Mikhail Klimentyev / ... / TASS".
    re.compile(r"^©"),
    # Vietnamese image slot: the article title repeated with "ảnh 1", "ảnh 2"...
    re.compile(r"^(?=.{1,300}$).*\bảnh \d{1,2}$", re.IGNORECASE),
    # Markdown image left by the extractor: "![[Foto] ...](https://...)".
    re.compile(r"^!\[.*\]\(\S+\)$"),
    # Image caption in a layout table: "| Russische ambassadeur in Vietnam Gennady Bezdetko |". Only a
    # caption-length line with one cell: trafilatura renders real text in layout tables the same way.
    re.compile(r"^(?=.{1,200}$)\|[^|]*\|$"),
    # Source line: "Link nội dung: https://...", "Bron: https://...", "Nguồn: TTXVN".
    re.compile(r"^(?:link nội dung|nguồn|bron|source|kilde)\s*:\s*\S.{0,300}$", re.IGNORECASE),
    # Agency credit alone in brackets at the end of an article: "(TTXVN/Vietnam+)".
    re.compile(r"^\([^()\s/]+(?:/[^()\s/]+)+\)$"),
    # Comment counter: "Kommentar (0)", "Reactie (0)", "Bình luận (0)", "Comments (3)".
    re.compile(r"^(?:kommentar(?:er)?|reacties?|bình luận|comments?)\s*\(\d+\)$", re.IGNORECASE),
    # A line that is only a URL.
    re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE),
    # Dateline with a clock time and nothing else: "1 THÁNG 12, 05:39", "Thứ Bảy, 10/5/2025 - 05:39".
    re.compile(
        r"^(?:(?:thứ (?:hai|ba|tư|năm|sáu|bảy)|chủ nhật),? )?"
        r"(?:\d{1,2} tháng \d{1,2}(?:,? (?:năm )?\d{4})?|\d{1,2}/\d{1,2}/\d{2,4})"
        r"[ ,-]+\d{1,2}:\d{2}(?: ?\(?gmt ?[+-]\d{1,2}\)?)?$",
        re.IGNORECASE,
    ),
    # Lone byline of initials: "PV". Roman numerals ("II") are section headings, so they stay.
    re.compile(r"^(?![IVXLC]+$)[A-ZĐ]{1,3}$"),
    # No letters at all: "***" separators, page numbers, bare dates and times.
    re.compile(r"^[\W\d_]*$"),
]


def _is_noise_normalised(line: str) -> bool:
    """Whether an already normalised line is page furniture."""
    return any(pattern.search(line) for pattern in _NOISE_PATTERNS)


def is_noise(line: str) -> bool:
    """Return True for a line that is page furniture (caption, credit, counter...), not statement text."""
    return _is_noise_normalised(normalise(line))


def paragraphs(text: str) -> list[str]:
    """Return the normalised non-empty, non-noise lines of a text, in order."""
    return [line for line in normalise(text).split("\n") if line and not _is_noise_normalised(line)]
