"""Names of people and places (a statement's signatories and place) found in a page, in any script.

A card gives each name in one form and, where the press writes it otherwise, its other forms
("Hanoi": "Hà Nội", "Ханой", "河内", "ハノイ"); a place that is a time-zone city also gets CLDR's name
of it in every locale we read ("Moscow": "Moskau", "Москва", "莫斯科", "موسكو"). Forms are found the
way country names are (communique/countries.py): anywhere in scripts written without spaces, else at
word starts with a few letters of inflection ("Ханое", "Путина", "Moskaus").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Final

from communique.anchors import plain_name
from communique.countries import LOCALES, MAX_CYRILLIC_SUFFIX, MAX_SUFFIX, is_unspaced
from communique.text import match_key

_CYRILLIC_VOWELS: Final = "аяеиоуыюь"


@functools.cache
def city_forms(place: str) -> tuple[str, ...]:
    """CLDR's names of a city in every locale we read, when it names a time zone (else none)."""
    from babel import Locale  # noqa: PLC0415  (0.1 s: only pages that name a statement need it)
    from babel.core import get_global  # noqa: PLC0415

    wanted = match_key(place)
    # English names a city by its zone id ("Europe/Moscow") unless CLDR spells it otherwise.
    english = Locale.parse("en").time_zones
    zones = [
        zone
        for zone in get_global("zone_territories")
        if wanted == match_key(english.get(zone, {}).get("city") or zone.rsplit("/", 1)[-1].replace("_", " "))
    ]
    forms: list[str] = []
    for locale in LOCALES:
        cities = Locale.parse(locale).time_zones
        forms.extend(cities.get(zone, {}).get("city", "") for zone in zones)
    return tuple(dict.fromkeys(form for form in forms if form))


def name_pattern(forms: Iterable[str]) -> re.Pattern[str] | None:
    """One regex finding any of these forms in `plain_text` of a page's match keys (None when no
    form is usable). Diacritics are left out on both sides: "Tô Lâm", "To Lam" and "Tô Lam" meet."""
    keys = (plain_name(match_key(form)) for form in forms)
    parts = sorted({_form_pattern(key) for key in keys if key}, key=len, reverse=True)
    return re.compile("|".join(parts)) if parts else None


def _form_pattern(key: str) -> str:
    if is_unspaced(key):
        return r"\s?".join(map(re.escape, key.replace(" ", "")))  # spaces come and go in these scripts
    words = key.split()
    last = words[-1]
    cyrillic = "\u0400" <= last[0] <= "\u04ff"
    if cyrillic and last[-1] in _CYRILLIC_VOWELS and len(last) > 4:
        last = last[:-1]  # "москва" → "москв": москве, москвы
    suffix = MAX_CYRILLIC_SUFFIX if cyrillic else MAX_SUFFIX
    body = r"\s".join(map(re.escape, [*words[:-1], last]))
    return rf"(?<!\w){body}\w{{0,{suffix}}}(?!\w)"


def plain_text(keys: Iterable[str]) -> str:
    """A page's match keys as `name_pattern` searches them."""
    return plain_name("\n".join(keys))
