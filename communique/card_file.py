"""The statement cards a person sets: `corpus/cards.yaml` and `communique corpus add --date ...`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from communique.identity import Card
from communique.rule_filters import PartyCode
from communique.yaml_files import load_model


class CardFields(BaseModel):
    """What a person states about a statement; fields left out are derived from its texts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["statement", "article"] | None = None
    adopted: dt.date | None = None
    parties: list[PartyCode] = Field(default_factory=list)
    place: str | None = None
    signatories: list[str] = Field(default_factory=list)
    # its title by language; a list where the press of a language writes it in several ways
    titles: dict[str, str | list[str]] = Field(default_factory=dict)
    # other forms of the place's and signatories' names: {"Hanoi": ["Hà Nội", "Ханой", "河内"]}
    names: dict[str, list[str]] = Field(default_factory=dict)
    # the other corpus texts of this statement (its translations, excerpts): they join its group as
    # they are, without being matched (in cards.yaml only; a text matched costs embedding it)
    texts: list[str] = Field(default_factory=list)

    def card(self, statement_id: str, derived: Card | None = None) -> Card:
        """The card of a statement group: these fields, and the derived ones where these are empty."""
        base = derived or Card(statement_id)
        return Card(
            statement_id,
            adopted=self.adopted or base.adopted,
            parties=tuple(self.parties) or base.parties,
            place=self.place or base.place,
            titles={**base.titles, **{lang: _lines(title) for lang, title in self.titles.items()}},
            signatories=tuple(self.signatories) or base.signatories,
            kind=self.kind or base.kind,
            names={**base.names, **{name: tuple(forms) for name, forms in self.names.items()}},
        )


def _lines(title: str | list[str]) -> str:
    """A card keeps one title per language: several wordings are its lines."""
    return title if isinstance(title, str) else "\n".join(title)


class CardsFile(RootModel[dict[str, CardFields]]):
    """corpus/cards.yaml: card fields by the id of a corpus text of the statement group."""


def load_cards(path: Path) -> dict[str, CardFields]:
    """The cards set in a YAML file (file:line: field on errors); none when there is no file."""
    if not path.is_file():
        return {}
    return load_model(path, CardsFile).root
