"""Words of a text in every script, so that sizes mean the same in Chinese as in English.

Splitting on spaces makes a 120-character Chinese, Japanese or Thai paragraph one or two "words".
ICU's word boundaries (Unicode UAX #29, with ICU's dictionaries for scripts written without spaces:
Chinese, Japanese, Thai, Lao, Khmer, Burmese) give the words a reader counts: "中俄两国元首签署联合声明"
is 中俄 / 两国 / 元首 / 签署 / 联合 / 声明, and "The two sides agreed" is the same four words as
`str.split` finds. Segments without a letter or digit (spaces, punctuation) are not words.
"""

from __future__ import annotations

from icu4py.breakers import WordBreaker

# The root locale: ICU picks the dictionary by script, whatever the locale.
_LOCALE = "root"


def words(text: str) -> list[str]:
    """The words of `text`, in order."""
    return [segment for segment in WordBreaker(text, _LOCALE) if _is_word(segment)]


def word_count(text: str) -> int:
    """How many words `text` has."""
    return len(words(text))


def _is_word(segment: str) -> bool:
    # Most segments are plain words or one space; the rest ("l'accord", "1,000.5", "—") are looked into.
    return segment.isalnum() or (not segment.isspace() and any(char.isalnum() for char in segment))
