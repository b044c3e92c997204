"""Country names in every language we read, from CLDR (Babel), found in match keys.

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
# (Belgium), "séc" (cheque: Czechia); English "chad", "jersey", "turkey", "man".
COMMON_WORD_NAMES: Final = frozenset(
    {"anh", "pháp", "đức", "ý", "bỉ", "séc", "chad", "jersey", "turkey", "man"}
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
}

MAX_SUFFIX: Final = 3  # inflection letters allowed after a name in spaced scripts
MAX_CYRILLIC_SUFFIX: Final = 5
MIN_PREFIX_NAME: Final = 4  # shorter names must be whole words ("Nga", "Iran" may take "ian": 4)

# Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, kana, Chinese characters)
# and Korean, which glues particles to words; Hebrew and Arabic glue prefixes ("والروسية").
_WITHOUT_SPACES: Final = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
_GLUED_PREFIXES: Final = "\u0590-\u05ff\u0600-\u06ff"
_UNSPACED: Final = re.compile(f"[{_WITHOUT_SPACES}{_GLUED_PREFIXES}]")
_NO_WORD_SPACES: Final = re.compile(f"[{_WITHOUT_SPACES}]")


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
                   sorted(NAMES_BEYOND_CLDR.items()), MIN_PREFIX_NAME, _BUILD_VERSION))  # fmt: skip
    digest = hashlib.blake2b(recipe.encode("utf-8"), digest_size=8).hexdigest()
    return cache_path(f"country-names-{digest}.json")


_BUILD_VERSION: Final = 6  # raise when _build_tables (or match_key) changes what it makes


def _build_tables() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The tables of `_tables`, from CLDR."""
    words: dict[str, str] = {}
    stems: dict[str, str] = {}
    anywhere: dict[str, str] = {}
    for locale in LOCALES:
        for code, name in Locale.parse(locale).territories.items():
            if code not in COUNTRY_CODES:
                continue
            key = match_key(name)
            if not key or key in COMMON_WORD_NAMES:
                continue
            kind = _script_class(key)
            if kind == "anywhere":
                anywhere.setdefault(key.replace(" ", ""), code)
                continue
            words.setdefault(key, code)
            if locale != "vi" and len(key) >= MIN_PREFIX_NAME:
                cyrillic_vowel = kind == "cyrillic" and key[-1] in "аяеиоуыюь" and len(key) > MIN_PREFIX_NAME
                stems.setdefault(key[:-1] if cyrillic_vowel else key, code)
    for name, code in NAMES_BEYOND_CLDR.items():
        key = match_key(name)
        if _script_class(key) == "anywhere":
            anywhere[key.replace(" ", "")] = code
            continue
        words[key] = code
        stems.setdefault(key, code)
    return words, stems, anywhere


def mentions(keys: Iterable[str]) -> Counter[str]:
    """How often each country (ISO 3166 code) is named in these match keys."""
    words, stems, anywhere, pattern = _tables()
    firsts = _first_words()
    heads = _stem_heads()
    counts: Counter[str] = Counter()
    for key in keys:
        if is_unspaced(key):
            counts.update(anywhere[name] for name in pattern.findall(key.replace(" ", "")))
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
