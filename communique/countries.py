"""Country names (and adjectives) in every language we read, from CLDR (Babel), found in match keys.

Names are matched three ways, by how the script separates words:
- scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Burmese), and
  those that glue particles or clitics to a name (Korean "러시아와", Arabic "وروسيا", Persian,
  Hebrew): anywhere in the text;
- Vietnamese, which writes one syllable per word: whole words only ("nga" is Russia, "ngay" is not);
- other spaced scripts: at a word start, followed by at most `MAX_SUFFIX` letters of inflection
  ("Russlands", "Вьетнама", "Russian"); Cyrillic names also lose a final vowel first ("Россия" →
  "Росси": России, Россией, Российская).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import babel
from babel import Locale
from babel.core import get_global
from babel.languages import get_official_languages, get_territory_language_info

from communique.cache import cache_path, replacing
from communique.text import match_key

# The CLDR locales whose names are looked for: the languages of the sources and of the test set.
LOCALES: Final = (
    "vi", "ru", "uk", "en", "fr", "de", "es", "it", "pt", "nl", "nb", "nn", "sv", "da", "pl", "cs",
    "zh", "zh_Hant", "ja", "ko", "id", "ms", "th", "hi", "ar", "tr", "fa", "km", "lo", "my", "bg", "ro",
)  # fmt: skip

# CLDR territory codes that are not countries (continents, unions, placeholders, uninhabited).
_NOT_COUNTRIES: Final = frozenset(
    [
        "AC",
        "AQ",
        "BV",
        "CP",
        "CQ",
        "DG",
        "EA",
        "EU",
        "EZ",
        "GS",
        "HM",
        "IC",
        "IO",
        "QO",
        "TA",
        "TF",
        "UM",
        "UN",
        "XA",
        "XB",
        "ZZ",
    ]
)

# CLDR names that are also everyday words of their language, so that a text would "mention" the
# country in every other sentence: Vietnamese "anh" (you, brother: United Kingdom), "pháp" (biện
# pháp, measure: France), "đức" (đạo đức, ethics: Germany), "ý" (ý kiến, opinion: Italy), "bỉ"
# (Belgium), "séc" (cheque: Czechia); English "chad", "jersey", "turkey", "man"; Réunion, which is
# the word for a meeting in Spanish, Portuguese and French ("reunión", "reunião", "la réunion": 31
# times in 21 dev pages of tests/realset, never the island) and "reunion" in English and Turkish;
# Russian "того" ("of that": Togo, 4 times in 4 dev pages).
# Of the languages' names read as adjectives: Persian "اردو" (Urdu, for Pakistan) is also "camp" and
# the start of "اردوغان", Erdogan (3 times in a dev page), Burmese "ချက်" (Czech) a common syllable.
COMMON_WORD_NAMES: Final = frozenset(
    {"anh", "pháp", "đức", "ý", "bỉ", "séc", "chad", "jersey", "turkey", "man"}
    | {"reunión", "reunião", "réunion", "la réunion", "reunion", "того"}
    | {"اردو", "ချက်"}
)

# Every country code (CLDR's territories less the codes above).
COUNTRY_CODES: Final = frozenset(
    code
    for code in Locale.parse("en").territories
    if isinstance(code, str) and len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
)

# Names CLDR does not give but the press writes: Dutch and German still call Belarus "Wit-Rusland"
# and "Weißrussland" (whose "Rusland" would otherwise count for Russia); Vietnam's own English
# outlets (VNA, Nhan Dan, the government portal) and the UN write "Viet Nam".
NAMES_BEYOND_CLDR: Final = {
    "wit-rusland": "BY",
    "weißrussland": "BY",
    "witrusland": "BY",
    "viet nam": "VN",
    # Korean CLDR gives the states' full names (대한민국, 조선민주주의인민공화국); the press writes these.
    "한국": "KR",
    "북한": "KP",
    # Short forms CLDR lacks, in dev pages of tests/realset: Russian and Ukrainian "США" (8 pages)
    # and "РФ" (10), English "U.S." (match key "u s", 7). The Vietnamese press's "Mỹ" (8) is left
    # out: it is also "beautiful" in "mỹ thuật", "thẩm mỹ", and the Americas in "châu Mỹ".
    "сша": "US",
    "рф": "RU",
    "u s": "US",
}

MAX_SUFFIX: Final = 3  # inflection letters allowed after a name in spaced scripts
MAX_CYRILLIC_SUFFIX: Final = 5
MIN_PREFIX_NAME: Final = 4  # shorter names must be whole words ("Nga", "Iran" may take "ian": 4)

# Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, kana, Chinese characters)
# and Korean, which glues particles to words; Hebrew and Arabic glue prefixes ("والروسية").
_SPACELESS: Final = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff"
_WITHOUT_SPACES: Final = _SPACELESS + "\uac00-\ud7af"
_GLUED_PREFIXES: Final = "\u0590-\u05ff\u0600-\u06ff"
_UNSPACED: Final = re.compile(f"[{_WITHOUT_SPACES}{_GLUED_PREFIXES}]")
_NO_WORD_SPACES: Final = re.compile(f"[{_WITHOUT_SPACES}]")
# A space between two letters of a script without word spaces is a layout's ("ベトナム 社会主義共和国");
# elsewhere it parts words, and a name is not found across it: with every space dropped, the Arabic
# "تم التوقيع" read as Persian "مالت" (Malta) in 11 places of 5 dev pages, and Korean "대한 국가" as 한국.
_LAYOUT_SPACE: Final = re.compile(f"(?<=[{_SPACELESS}]) (?=[{_SPACELESS}])")


def name_spans(text: str) -> list[tuple[int, int]]:
    """Where a text written without spaces names a country ("ベトナム社会主義共和国とロシア連邦")."""
    return [match.span() for match in _tables()[3].finditer(text)]


def is_unspaced(text: str) -> bool:
    """Whether a text has letters of a script whose names are found anywhere, not at word starts."""
    return _UNSPACED.search(text) is not None


def has_no_word_spaces(text: str) -> bool:
    """Whether a text has letters of a script that does not part its words with spaces (or glues
    particles to them, as Korean does): its words cannot be told apart by spaces."""
    return _NO_WORD_SPACES.search(text) is not None


def _script_class(name: str) -> str:
    if is_unspaced(name):
        return "anywhere"
    if any("CYRILLIC" in unicodedata.name(char, "") for char in name):
        return "cyrillic"
    return "word"


@functools.cache
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str], re.Pattern[str]]:
    """Whole-word names, word-start stems, names found anywhere (and their pattern); match keys.

    Reading CLDR's data for 32 locales takes a second, which every `communique match` would pay: the
    tables are kept in the user's cache folder, named after what they are built from.
    """
    cache = _cache_file()
    try:
        words, stems, anywhere = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        words, stems, anywhere = _build_tables()
        try:
            with replacing(cache) as handle:
                handle.write(json.dumps([words, stems, anywhere], ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass  # a read-only home: built again next time
    return words, stems, anywhere, re.compile(_trie_pattern(list(anywhere)))


def _trie_pattern(names: list[str]) -> str:
    """One regex of these names as a trie, longest match first: an alternation of 2,000 literals
    made every scanned character try each of them (0.2 s over the 348 real pages; a trie, one)."""
    trie: dict[str, Any] = {}
    for name in names:
        node = trie
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}  # a name ends here
    return _node_pattern(trie)


def _node_pattern(node: dict[str, Any]) -> str:
    ends = "" in node
    branches = [re.escape(char) + _node_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    group = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{group})?" if ends else group


def _cache_file() -> Path:
    recipe = repr((babel.__version__, LOCALES, sorted(COUNTRY_CODES), sorted(COMMON_WORD_NAMES),
                   sorted(NAMES_BEYOND_CLDR.items()), MIN_PREFIX_NAME, MAX_OFFICIAL, sorted(_NOT_ADJECTIVES),
                   _BUILD_VERSION))  # fmt: skip
    digest = hashlib.blake2b(recipe.encode("utf-8"), digest_size=8).hexdigest()
    return cache_path(f"country-names-{digest}.json")


_BUILD_VERSION: Final = 9  # raise when _build_tables (or match_key) changes what it makes


def _build_tables() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The tables of `_tables`, from CLDR: the countries' names, then their languages' names."""
    words: dict[str, str] = {}
    stems: dict[str, str] = {}
    anywhere: dict[str, str] = {}

    def add(key: str, code: str, locale: str, *, adjective: bool = False) -> None:
        if not key or key in COMMON_WORD_NAMES:
            return
        kind = _script_class(key)
        if kind == "anywhere":
            anywhere.setdefault(_LAYOUT_SPACE.sub("", key), code)
            return
        words.setdefault(key, code)
        if locale == "vi" or len(key) < MIN_PREFIX_NAME:
            return
        stem = key
        if kind == "cyrillic":  # "Россия" → "Росси" (России, Российская); "русский" → "русск" (русского)
            stem = _CYRILLIC_ADJECTIVE.sub("", key) if adjective else _CYRILLIC_VOWEL.sub("", key)
        stems.setdefault(stem if len(stem) >= MIN_PREFIX_NAME else key, code)

    for locale in LOCALES:
        for code, name in Locale.parse(locale).territories.items():
            if code in COUNTRY_CODES:
                add(match_key(name), code, locale)
    for locale in LOCALES:
        languages = Locale.parse(locale).languages
        for language, code in _national_languages().items():
            key = match_key(languages.get(language, ""))
            if key not in words and key not in anywhere:  # "Rusia" is both in Indonesian
                add(key, code, locale, adjective=True)
                if key.endswith(_ARABIC_FEMININE):  # "الروسية" → "الروسي": "الرئيس الروسي"
                    add(key.removesuffix("ة"), code, locale, adjective=True)
    for name, code in NAMES_BEYOND_CLDR.items():  # the press's own forms outrank CLDR's
        key = match_key(name)
        if _script_class(key) == "anywhere":
            anywhere[_LAYOUT_SPACE.sub("", key)] = code
        else:
            words[key] = code
            stems.setdefault(key, code)
    return words, stems, anywhere


_ARABIC_FEMININE: Final = "ية"  # a language's Arabic name is the feminine adjective
_CYRILLIC_VOWEL: Final = re.compile("(?<=.{4})[аяеиоуыюь]$")
_CYRILLIC_ADJECTIVE: Final = re.compile("(?:[иыо]й|ая|а)$")

# A country's adjective is, in most languages, the name of its language: French "russe", German
# "russisch", Italian "russo", Arabic "الروسية", Hindi "रूसी" (the press writes "le président russe",
# "deutsch-britische", "القمة الصينية الروسية" without naming the country). A language names the
# country CLDR gives as its likely one ("ru" → RU) when it is that country's main language and official
# in at most MAX_OFFICIAL countries: English, French, Arabic, Spanish and Portuguese name no one
# country. Korean is left out: it is the main language of both Koreas, and "norte-coreano",
# "nord-coréen" came out as South Korea (2 dev pages). On the dev pages of tests/realset the parties
# of new statements were found in 163 of 197 pages (151 before; 159 before the Arabic masculine).
MAX_OFFICIAL: Final = 6
_NOT_ADJECTIVES: Final = frozenset({"ko"})


@functools.cache
def _national_languages() -> dict[str, str]:
    """Each language that names one country by its adjective, and that country."""
    likely = get_global("likely_subtags")
    official = {code: {name.split("_")[0] for name in get_official_languages(code, de_facto=True)}
                for code in COUNTRY_CODES}  # fmt: skip
    countries = Counter(language for languages in official.values() for language in languages)
    found: dict[str, str] = {}
    for code in sorted(COUNTRY_CODES):
        spoken = get_territory_language_info(code)
        if not spoken:
            continue
        main = max(spoken, key=lambda name: float(spoken[name].get("population_percent") or 0)).split("_")[0]
        if (
            main in official[code]
            and main not in _NOT_ADJECTIVES
            and countries[main] <= MAX_OFFICIAL
            and likely.get(main, "").split("_")[-1] == code
        ):
            found[main] = code
    return found


# Chinese, Japanese and Korean name two countries with a character each ("中俄关系", "越俄建交", "日米首脳",
# "한미 정상회담", "한·베트남" → "한 베트남"), which CLDR does not give. The characters each language
# writes so in the dev pages of tests/realset: zh 中俄 33 times, 越俄 31, 中美 22, 中越 12, 中日 12,
# 俄越 10, 美中 6, 俄日 5, 俄朝 3, 中澳 1; ja 日米 27, 中露 10, 日韓 7, 韓日 7, 日越 6, 日露 6, 越露 3,
# 日米豪印 1; ko 남북 16, 한일 11, 한미 7, 한중 7, 한·베 2, 북남 2, 한·러 1, 러중 1, 러·베 1, 남북미 1.
# One counts only beside another ("中" alone is "in", "日" a day, "한" one), and in Korean only at a
# word's start and not in the words below.
PAIRED_SHORT_NAMES: Final[dict[str, dict[str, str]]] = {
    "zh": {"中": "CN", "俄": "RU", "越": "VN", "美": "US", "日": "JP", "朝": "KP", "澳": "AU"},
    "ja": {"日": "JP", "米": "US", "中": "CN", "露": "RU", "韓": "KR", "越": "VN", "豪": "AU", "印": "IN"},
    "ko": {"한": "KR", "남": "KR", "북": "KP", "미": "US", "중": "CN", "일": "JP", "러": "RU", "베": "VN"},
}
# Korean words that start like a pair: the Americas (남미, 중미, 중남미) and 일러스트 (2 dev pages).
_NOT_KOREAN_PAIRS: Final = ("남미", "중미", "중남미", "일러")
_KANA: Final = re.compile("[\u3040-\u30ff]")
_HANGUL: Final = re.compile("[\uac00-\ud7af]")


def mentions(keys: Iterable[str]) -> Counter[str]:
    """How often each country (ISO 3166 code) is named in these match keys."""
    words, stems, anywhere, pattern = _tables()
    firsts = _first_words()
    heads = _stem_heads()
    counts: Counter[str] = Counter()
    keys = list(keys)
    han = "ja" if any(_KANA.search(key) for key in keys) else "zh"
    for key in keys:
        if is_unspaced(key):
            joined = _LAYOUT_SPACE.sub("", key)
            counts.update(anywhere[name] for name in pattern.findall(joined))
            counts.update(_paired(joined, han, pattern))
            if _HANGUL.search(key):
                counts.update(_paired(key, "ko", pattern))
        tokens = key.split()
        i = 0
        while i < len(tokens):
            token = tokens[i]
            # Most words start no name: two set look-ups tell, before any longer search.
            if token not in firsts and token[:_HEAD] not in heads:
                i += 1
                continue
            size, code = _name_at(tokens, i, firsts.get(token, 0), words, stems)
            if code is not None:
                counts[code] += 1
            i += size
    return counts


def _paired(text: str, language: str, names: re.Pattern[str]) -> list[str]:
    """The countries named by a character each in runs of two or more ("中俄", "日米豪印", "한미")."""
    short = PAIRED_SHORT_NAMES[language]
    chars = "".join(short)
    if language == "ko":  # "한·미" is "한 미" in match keys; a run starts a word
        text = re.sub(f"(?<![^ ])([{chars}]) (?=[{chars}](?![^ ]))", r"\1", text)
        runs = re.finditer(f"(?<![^ ])[{chars}]{{2,}}", text)
    else:
        runs = re.finditer(f"[{chars}]{{2,}}", text)
    found = []
    for run in runs:
        start, end = run.span()
        if names.match(text, start) or (language == "ko" and text.startswith(_NOT_KOREAN_PAIRS, start)):
            continue  # "북한", "남미"
        if text[start - 1 : start].isdigit() or text[start - 1 : start] in ("南", "北"):
            start += 1  # "20日中午": the 20th, then noon; "北米", "南米": the Americas
        while end > start and (names.match(text, end - 1) or text.startswith("洲", end)):
            end -= 1  # "中美国", "한베트남": the last one starts a full name; "中美洲": Central America
        codes = [short[char] for char in text[start:end]]
        if len(codes) >= 2 and len(set(codes)) == len(codes):
            found.extend(codes)
    return found


_HEAD: Final = MIN_PREFIX_NAME - 1  # the shortest stem a word may start with


@functools.cache
def _stem_heads() -> frozenset[str]:
    """The first letters of every stem: a word that starts otherwise is no inflected name."""
    return frozenset(stem[:_HEAD] for stem in _tables()[1])


@functools.cache
def _first_words() -> dict[str, int]:
    """The first word of every whole-word name, with the most words of a name it starts."""
    firsts: dict[str, int] = {}
    for name in _tables()[0]:
        first, size = name.split()[0], len(name.split())
        firsts[first] = max(firsts.get(first, 0), size)
    return firsts


def _name_at(
    tokens: list[str], i: int, longest: int, words: dict[str, str], stems: dict[str, str]
) -> tuple[int, str | None]:
    """The longest name starting at token i, maybe inflected: (tokens it takes, country or None)."""
    for size in range(min(longest, len(tokens) - i), 0, -1):
        code = words.get(" ".join(tokens[i : i + size]))
        if code is not None:
            return size, code
    return 1, _stem_of(tokens[i], stems)


def _stem_of(word: str, stems: dict[str, str]) -> str | None:
    """The country whose name (or Cyrillic stem) is this word less at most MAX_SUFFIX letters (or
    MAX_CYRILLIC_SUFFIX: Russian adjectives, "российской", "вьетнамских", carry longer endings)."""
    longest = MAX_CYRILLIC_SUFFIX if "\u0400" <= word[0] <= "\u04ff" else MAX_SUFFIX
    for cut in range(1, min(longest, len(word) - MIN_PREFIX_NAME + 1) + 1):
        code = stems.get(word[:-cut])
        if code is not None:
            return code
    return None
