"""The text filters of a watch rule: keywords and regular expressions, and the codes rules name.

Regular expressions run on RE2 (google-re2), which matches in time linear in the text whatever the
pattern, so a bad pattern in a rule file cannot hang a worker (`(a+)+$` is as fast as `a+$`).
"""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any, Final

import re2
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

from communique.countries import COUNTRY_CODES
from communique.text import match_key, normalise

# ISO 639-1: every two-letter language code.
_ISO_639_1_CODES: Final = """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv
    dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig
    ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh
    mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru
    rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug
    uk ur uz ve vi vo wa wo xh yi yo za zh zu"""
ISO_639_1: Final = frozenset(_ISO_639_1_CODES.split())

MAX_PATTERN_CHARS: Final = 1000


def _language_code(code: str) -> str:
    if code not in ISO_639_1:
        hint = f" (write {code.lower()!r})" if code.lower() in ISO_639_1 else ""
        raise ValueError(f"{code!r} is not an ISO 639-1 language code such as vi, ru, en{hint}")
    return code


def _party_code(code: str) -> str:
    if code not in COUNTRY_CODES:
        hint = f" (write {code.upper()!r})" if code.upper() in COUNTRY_CODES else ""
        raise ValueError(f"{code!r} is not an ISO 3166 country code such as VN, RU, CN{hint}")
    return code


_SOURCE_GLOB_CHARS: Final = r"[a-z0-9*?\[\]!._-]+"  # a source id's characters and fnmatch's


def _source_pattern(pattern: str) -> str:
    if not re.fullmatch(_SOURCE_GLOB_CHARS, pattern):
        raise ValueError(
            f"{pattern!r} is neither a source id (lowercase letters, digits, '.', '_', '-') nor a glob of "
            "ids (with *, ? or [...])"
        )
    return pattern


def _has_words(phrase: str) -> str:
    if not match_key(phrase):
        raise ValueError(f"a keyword without letters or digits matches every text: {phrase!r}")
    if "*" in phrase.rstrip()[:-1]:
        raise ValueError(f"'*' only ends a keyword (its last word's prefix, as in Вьетнам*): {phrase!r}")
    return phrase


@functools.lru_cache(maxsize=1024)
def compiled(pattern: str) -> Any:
    """The RE2 program of a rule pattern: normalised like the text, case-insensitive unless `(?-i)`."""
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # the error is raised (and reported as file:line: field) instead
    return re2.compile(normalise(pattern), options)


def _compiles(pattern: str) -> str:
    try:
        compiled(pattern)
    except re2.error as exc:
        raw = exc.args[0] if exc.args else exc
        reason = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise ValueError(f"invalid regular expression (RE2 syntax): {reason}") from None
    return pattern


SourcePattern = Annotated[
    str, AfterValidator(_source_pattern), Field(json_schema_extra={"pattern": f"^{_SOURCE_GLOB_CHARS}$"})
]
LanguageCode = Annotated[str, AfterValidator(_language_code), Field(pattern=r"^[a-z]{2}$")]
PartyCode = Annotated[
    str, AfterValidator(_party_code), Field(json_schema_extra={"enum": sorted(COUNTRY_CODES)})
]
Phrase = Annotated[str, AfterValidator(_has_words)]
Pattern = Annotated[str, Field(min_length=1, max_length=MAX_PATTERN_CHARS), AfterValidator(_compiles)]
# A group of `all`: synonyms (one is enough), usually the same word in each language; a lone string is
# a group of one.
Group = Annotated[
    list[Phrase],
    BeforeValidator(
        lambda value: [value] if isinstance(value, str) else value, json_schema_input_type=str | list[str]
    ),
    Field(min_length=1),
]


@functools.lru_cache(maxsize=4096)
def _phrase_key(phrase: str) -> str:
    """What to look for in a padded text key: the whole words, or with a final `*` a word's start."""
    # Whole words, so that "joint statement" is not found in "disjoint statements"; "Вьетнам*" is also
    # found in "Вьетнама", "Вьетнаму" (Russian and other inflected languages).
    return f" {match_key(phrase)}" + ("" if phrase.rstrip().endswith("*") else " ")


class Keywords(BaseModel):
    """Words or phrases the text must contain: one of `any` (if given) and one of each group of `all`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    any: list[Phrase] = Field(default_factory=list, description="at least one of these; empty: no condition")
    all: list[Group] = Field(
        default_factory=list,
        description="each group must match; a group is a list of synonyms (any one of them, e.g. the "
        "phrase in each language) or one phrase",
    )

    def is_set(self) -> bool:
        """Whether there is any condition at all."""
        return bool(self.any or self.all)

    def matches(self, key: str) -> bool:
        """Whether a text, as ` {match_key(text)} ` (padded so phrases match whole words), qualifies."""
        if self.any and not _has_any(self.any, key):
            return False
        return all(_has_any(group, key) for group in self.all)


def _has_any(phrases: list[str], key: str) -> bool:
    return any(_phrase_key(phrase) in key for phrase in phrases)


class Patterns(BaseModel):
    """Regular expressions (RE2) the text must match: one of `any` (if given) and each of `all`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    any: list[Pattern] = Field(default_factory=list, description="at least one of these must match")
    all: list[Pattern] = Field(default_factory=list, description="every one of these must match")

    def is_set(self) -> bool:
        """Whether there is any condition at all."""
        return bool(self.any or self.all)

    def matches(self, text: str) -> bool:
        """Whether the normalised text (`communique.text.normalise`) qualifies."""
        if self.any and not any(compiled(pattern).search(text) for pattern in self.any):
            return False
        return all(compiled(pattern).search(text) for pattern in self.all)


def _list_or_mapping(model: type[Keywords] | type[Patterns], item: Any) -> WrapValidator:
    """Accept a plain list as `{any: list}`, keeping error locations as written (`keywords.1`)."""
    as_list = TypeAdapter(list[item])

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if isinstance(value, dict | model):
            return handler(value)
        # A ValidationError raised here is reported at this field's location plus its own (the index).
        return model(any=as_list.validate_python(value))

    return WrapValidator(validate, json_schema_input_type=list[item] | model)


KeywordsField = Annotated[Keywords, _list_or_mapping(Keywords, Phrase)]
PatternsField = Annotated[Patterns, _list_or_mapping(Patterns, Pattern)]
