"""Watch rules: which match events alert whom. The schema of rules/*.yaml (all but sources.yaml)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from communique.errors import ConfigError
from communique.model import Relation
from communique.statements import Genre
from communique.text import match_key
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


class Rule(BaseModel):
    """One watch rule: events on documents whose text has one of the keywords go to the tags."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    events: list[Relation] = Field(min_length=1, description="match relations that fire this rule")
    keywords: list[str] = Field(
        default_factory=list,
        description="any of these whole words or phrases must occur (case, punctuation, accents "
        "normalised); empty: any text",
    )
    sources: list[str] = Field(default_factory=list, description="source ids; empty: every source")
    genre: list[Genre] = Field(default_factory=list, description="joint_statement | news | other; empty: any")
    parties: list[str] = Field(
        default_factory=list, description="ISO codes that must all be parties, e.g. [VN, RU]; empty: any"
    )
    notify: list[str] = Field(min_length=1, description="apprise tags, resolved in the apprise config")
    format: Literal["full", "summary"] = Field(
        default="full", description="full: facts, paragraph summaries and the word diff; summary: no diff"
    )
    digest: Literal["hourly", "daily"] | None = Field(
        default=None, description="collect these alerts into one message per window; none: send at once"
    )

    def fires(self, event: Event) -> bool:
        """Whether this rule wants an alert for this event."""
        if event.relation not in self.events or (self.sources and event.source_id not in self.sources):
            return False
        if self.genre and event.genre not in self.genre:
            return False
        if not set(self.parties) <= set(event.parties):
            return False
        if not self.keywords:
            return True
        # Padded with spaces so that keywords match whole words: "joint statement" not in "disjoint".
        key = f" {match_key(event.text)} "
        return any(f" {match_key(word)} " in key for word in self.keywords)

    @field_validator("keywords")
    @classmethod
    def _keywords_have_words(cls, keywords: list[str]) -> list[str]:
        empty = [word for word in keywords if not match_key(word)]
        if empty:
            raise ValueError(f"keywords without letters or digits match every text: {empty}")
        return keywords


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
