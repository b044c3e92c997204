"""Load a YAML file into a pydantic model; every error names the file, the line and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from communique.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


class FieldError(ValueError):
    """A validator's complaint about one field at `loc` below the model that raises it."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


def load_model(path: Path, model: type[M]) -> M:
    """Parse `path` safely and validate it as `model`, raising ConfigError with file:line: field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise ConfigError(f"{path}:{line}: invalid YAML: {exc.problem or exc}") from exc
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        problems = [_describe(path, node, err) for err in exc.errors()]
        raise ConfigError("\n".join(problems)) from exc


def _describe(path: Path, root: yaml.Node | None, err: Any) -> str:
    """One line for one validation error: where it is in the file and what is wrong."""
    # A model validator can only fail the whole model; a FieldError says which field it meant.
    loc = tuple(err["loc"]) + tuple(getattr(err.get("ctx", {}).get("error"), "loc", ()))
    loc, message = _without_union_tags(root, loc), err["msg"]
    if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        # A tagged union (`kind: feed`) fails at the mapping; the fault is in its tag field.
        loc += (str(err["ctx"]["discriminator"]).strip("'"),)
        if err["type"] == "union_tag_not_found":
            message = "Field required"
    field = ".".join(str(part) for part in loc) or "(top level)"
    return f"{path}:{_line_of(root, loc)}: {field}: {message}"


def _without_union_tags(root: yaml.Node | None, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the tag pydantic puts in the location of a tagged union's member (`sources.0.feed.url`).

    A location part that is no key of its mapping but one of the mapping's values is such a tag.
    """
    kept: list[Any] = []
    node = root
    for part in loc:
        child = _child(node, part) if node is not None else None
        is_tag = (
            child is None
            and isinstance(node, yaml.MappingNode)
            and any(isinstance(value, yaml.ScalarNode) and value.value == part for _, value in node.value)
        )
        if is_tag:
            continue
        kept.append(part)
        node = child[1] if child is not None else None
    return tuple(kept)


def locate(path: Path, loc: tuple[Any, ...]) -> str:
    """`path:line` of the field at `loc` in a YAML file already loaded without error."""
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    return f"{path}:{_line_of(root, loc)}"


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the deepest YAML node that `loc` reaches (1 for an empty file)."""
    if node is None:
        return 1
    line = node.start_mark.line + 1
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        # A field is where its key is written, even when its value starts on a later line.
        marker, node = child
        line = marker.start_mark.line + 1
    return line


def _child(node: yaml.Node, part: Any) -> tuple[yaml.Node, yaml.Node] | None:
    """(where it is written, the node) for a mapping's key or a sequence's index, if there is one."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return key, value
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item: yaml.Node = node.value[part]
        return item, item
    return None
