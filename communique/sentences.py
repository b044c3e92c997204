"""Sentence splitting for Vietnamese, Russian, English, Norwegian, Dutch and similar texts, and for scripts
without capitals (Arabic, Hindi)."""

from __future__ import annotations

import re
from typing import Final

from communique.text import normalise

# Abbreviations that end in a full stop inside a sentence, casefolded and without that last stop.
# Vietnamese, Russian, English, Norwegian, Dutch, German and French: the languages of the sources.
_ABBREVIATIONS: Final = frozenset(
    # Vietnamese: city, doctor, professor, master, page, number, etc.
    {"tp", "ts", "ths", "gs", "pgs", "bs", "tr", "v.v", "vv", "st", "q", "p"}
    # Russian: year(s), city, street, named after, thousand, million, billion, and so on
    | {"г", "гг", "т.е", "т.д", "т.п", "т.к", "им", "ул", "тыс", "млн", "млрд", "руб", "др", "пр", "см", "ст"}
    | {"англ", "рус", "проф", "акад", "ген", "вице", "с.м"}
    # English
    | {"mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "rev", "hon", "sen", "rep"}
    | {"jr", "sr", "no", "nos", "vol", "fig", "approx", "etc", "vs", "e.g", "i.e", "inc", "ltd", "co", "corp"}
    | {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k"}
    # Norwegian
    | {"bl.a", "f.eks", "osv", "mv", "nr", "ca", "jf", "dvs", "evt", "ev", "kl", "mill", "mrd", "pst", "o.l"}
    # Dutch
    | {"bijv", "o.a", "d.w.z", "dhr", "mevr", "mw", "drs", "ir", "ing", "mr", "blz", "enz", "zgn", "t.a.v"}
    # German and French
    | {"z.b", "u.a", "bzw", "usw", "ggf", "vgl", "s", "m", "mme", "mlle", "env", "cf", "av", "bd"}
)

# Month names that follow an ordinal day with a full stop ("8. Mai 1945"); capitalised in German.
_MONTHS: Final = frozenset(
    {"januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober"}
    | {"november", "dezember", "mars", "desember", "jänner"}
)

# A sentence end: terminal punctuation (Arabic "؟", Devanagari "।" too), closing quotes or brackets,
# then a space; scraped caseless scripts often lose that space ("العدالة.واكد"). CJK stops need none.
_CANDIDATE: Final = re.compile(r"(?P<stops>[.!?…؟।]+)[\"')\]»]*(?P<space>\s*)|[。！？]+")

# The word before a full stop, with any opening punctuation stripped.
_LAST_WORD: Final = re.compile(r"[(\"'\[]*([^\s(\"'\[]*)$")

# What may open a sentence: optional quotes, brackets or a dash, then a capital letter or a digit.
_OPENING: Final = re.compile(r"[\"'(\[«-]*\s?(\w)")

# Numbering at the start of a paragraph ("5.", "II.", "a)") is part of the first sentence.
_ENUMERATOR: Final = re.compile(r"\d{1,3}|[IVXLC]{1,5}|[A-Za-z]")

# Dotted short forms not in the list: "v.v", "d.w.z", "т.е", "U.S".
_DOTTED: Final = re.compile(r"[^\W\d_]{1,3}(?:\.[^\W\d_]{1,3})+")


def _caseless(char: str) -> bool:
    """A letter of a script without capitals (Arabic, Devanagari, Thai...): any of them opens a sentence."""
    return char.isalpha() and char.lower() == char.upper()


def _is_abbreviation(word: str, following: str) -> bool:
    """Whether a full stop after this word belongs to the word rather than ending a sentence."""
    if word.casefold() in _ABBREVIATIONS or _DOTTED.fullmatch(word):
        return True
    # An initial: "S. M. Mironov", "В. В. Путин".
    if len(word) == 1 and word.isalpha() and word.isupper():
        return True
    # An ordinal day before a month: "8. Mai 1945" (German capitalises its months).
    return word.isdigit() and len(word) <= 2 and following.casefold() in _MONTHS


def _opens_sentence(first: str, last: str, candidate: re.Match[str]) -> bool:
    """Whether the letter after a stop can open a sentence: a capital, a digit, a letter of a caseless
    script. Without a space after the stop ("3.5", "U.S", "word.Word") only a caseless letter, after a
    caseless letter or a digit ("في 16 يونيو 1994.وقال")."""
    if not candidate.group("space") and not (_caseless(first) and (_caseless(last) or last.isdigit())):
        return False
    return first.isupper() or first.isdigit() or _caseless(first)


def _splits_here(text: str, start: int, candidate: re.Match[str]) -> bool:
    """Whether the sentence that began at start ends with this candidate punctuation."""
    stops = candidate.group("stops")
    if stops is None:  # a CJK full stop
        return True
    opening = _OPENING.match(text, candidate.end())
    if opening is None or not _opens_sentence(opening.group(1), text[candidate.start() - 1], candidate):
        return False
    if stops != ".":  # "!", "?", an ellipsis
        return True
    before = text[start : candidate.start()].strip()
    match = _LAST_WORD.search(before)
    word = match.group(1) if match else ""
    if before == word and _ENUMERATOR.fullmatch(word):
        return False
    following = text[opening.start(1) :].split(" ", 1)[0]
    return not (word and _is_abbreviation(word, following))


def _split_line(line: str) -> list[str]:
    """Split one line of normalised text into its sentences."""
    sentences, start = [], 0
    for candidate in _CANDIDATE.finditer(line):
        if _splits_here(line, start, candidate):
            sentences.append(line[start : candidate.end()].strip())
            start = candidate.end()
    sentences.append(line[start:].strip())
    return [sentence for sentence in sentences if sentence]


def split_sentences(paragraph: str) -> list[str]:
    """Return the normalised sentences of a paragraph, in order; abbreviations and numbers stay whole."""
    return [sentence for line in normalise(paragraph).split("\n") for sentence in _split_line(line)]
