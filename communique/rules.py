"""Watch rules: which match events alert whom. The schema of rules/*.yaml (all but sources.yaml)."""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from communique.errors import ConfigError
from communique.model import Relation
from communique.rule_filters import (
    Keywords,
    KeywordsField,
    LanguageCode,
    PartyCode,
    Patterns,
    PatternsField,
    SourcePattern,
)
from communique.statements import Genre
from communique.text import match_key, normalise
from communique.yaml_files import load_model, locate


@dataclass(frozen=True)
class Event:
    """What a rule is tested against: the match result of one version of one document."""

    relation: Relation
    source_id: str
    text: str
    genre: Genre | None = None
    parties: Sequence[str] = ()
    language: str | None = None
    coverage: float | None = None  # share of the matched statement present, when one matched
    new_paragraphs: int = 0
    changed_paragraphs: int = 0

    @functools.cached_property
    def key(self) -> str:
        """The text's match key padded with spaces, so that keywords match whole words only."""
        # Computed once per event however many rules look: "joint statement" not in "disjoint …".
        return f" {match_key(self.text)} "

    @functools.cached_property
    def normalised(self) -> str:
        """The normalised text (one paragraph per line) that patterns search."""
        return normalise(self.text)


class Rule(BaseModel):
    """One watch rule: the match events it wants, filters that must all hold, and whom to tell."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    events: list[Relation] = Field(min_length=1, description="match relations that fire this rule")
    sources: list[SourcePattern] = Field(
        default_factory=list,
        description="source ids from sources.yaml or shell globs (`vietnamplus-*`, `*-en`); "
        "empty: every source",
    )
    languages: list[LanguageCode] = Field(
        default_factory=list,
        description="ISO 639-1 codes of the text's main language (vi, ru, en); empty: any",
    )
    genre: list[Genre] = Field(default_factory=list, description="joint_statement | news | other; empty: any")
    parties: list[PartyCode] = Field(
        default_factory=list, description="ISO codes that must all be parties, e.g. [VN, RU]; empty: any"
    )
    keywords: KeywordsField = Field(
        default_factory=Keywords,
        description="whole words or phrases (case, punctuation, accents and Vietnamese tone placement "
        "normalised; a final * matches a word's start: Вьетнам*). A list: any of them. A mapping: "
        "`any` (one of them) and `all` (each group must match; a group lists synonyms, e.g. one phrase "
        "per language); empty: any text",
    )
    patterns: PatternsField = Field(
        default_factory=Patterns,
        description="RE2 regular expressions searched in the normalised text (one paragraph per line, "
        "quotes, dashes and spaces plain), case-insensitive unless `(?-i)`. A list: any of them; a "
        "mapping: `any` (one of them) and `all` (each of them); empty: any text",
    )
    min_new_paragraphs: int = Field(
        default=0,
        ge=0,
        description="at least this many paragraphs new or edited in this version (removed ones do not count)",
    )
    min_coverage: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="at least this share (0 to 1) of the matched known statement present; events without "
        "a matched statement (`new`) then never fire",
    )
    notify: list[str] = Field(min_length=1, description="apprise tags, resolved in the apprise config")
    format: Literal["full", "summary"] = Field(
        default="full", description="full: facts, paragraph summaries and the word diff; summary: no diff"
    )
    digest: Literal["hourly", "daily"] | None = Field(
        default=None, description="collect these alerts into one message per window; none: send at once"
    )

    def fires(self, event: Event) -> bool:
        """Whether this rule wants an alert for this event: its event and every filter it sets hold."""
        # Cheapest first; the text filters run only on events that pass the rest.
        return (
            event.relation in self.events
            and self.wants_source(event.source_id)
            and (not self.languages or event.language in self.languages)
            and (not self.genre or event.genre in self.genre)
            and set(self.parties) <= set(event.parties)
            and event.new_paragraphs + event.changed_paragraphs >= self.min_new_paragraphs
            and (
                self.min_coverage is None
                or (event.coverage is not None and event.coverage >= self.min_coverage)
            )
            and (not self.keywords.is_set() or self.keywords.matches(event.key))
            and (not self.patterns.is_set() or self.patterns.matches(event.normalised))
        )

    def wants_source(self, source_id: str) -> bool:
        """Whether a source id is one of `sources` (or matches one of its globs); any with no sources."""
        return not self.sources or any(fnmatch.fnmatchcase(source_id, pattern) for pattern in self.sources)


class RulesFile(BaseModel):
    """One rules file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[Rule] = Field(default_factory=list)


def load_rules(rules_dir: Path) -> list[Rule]:
    """Every rule of every *.yaml file in rules_dir except sources.yaml, with unique names."""
    rules: list[Rule] = []
    first: dict[str, tuple[Path, int]] = {}
    problems: list[str] = []
    for path in sorted(rules_dir.glob("*.yaml")):
        if path.name == "sources.yaml":
            continue
        for index, rule in enumerate(load_model(path, RulesFile).rules):
            if rule.name in first:
                where, seen = first[rule.name]
                problems.append(
                    f"{locate(path, ('rules', index, 'name'))}: rules.{index}.name: duplicate rule name "
                    f"{rule.name!r}, first used at {locate(where, ('rules', seen, 'name'))}"
                )
            first.setdefault(rule.name, (path, index))
            rules.append(rule)
    if problems:
        raise ConfigError("\n".join(problems))
    return rules


def rules_schema() -> dict[str, Any]:
    """The JSON Schema of a rules file, for editors."""
    schema = RulesFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def unmatched_sources(rules: Iterable[Rule], source_ids: Iterable[str]) -> list[str]:
    """Warnings for `sources` entries of rules that name no configured source (typos, removed sources)."""
    known = list(source_ids)
    return [
        f"rule {rule.name!r}: sources entry {pattern!r} matches no source in sources.yaml"
        for rule in rules
        for pattern in rule.sources
        if not any(fnmatch.fnmatchcase(source_id, pattern) for source_id in known)
    ]
