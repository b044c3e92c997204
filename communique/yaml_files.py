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


# The shipped rules, sources and cards files are 4.5 KB at most and nest 4 levels deep. A 10 MB rules
# file took 152 s and 1 GB to check (one of 1 MB, 21,301 rules, takes 6.0 s and 310 MB), and YAML
# nested 20,000 deep overflowed the parser's recursion: larger or deeper files are refused unparsed.
MAX_BYTES = 1_000_000
MAX_DEPTH = 40
_OPEN = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSE = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when PyYAML was built with it


def load_model(path: Path, model: type[M]) -> M:
    """Parse `path` safely and validate it as `model`, raising ConfigError with file:line: field."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError(f"{path}: {size:,} bytes; a configuration file may have {MAX_BYTES:,}")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    try:
        _check_depth(path, text)
        node, data = _parse(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise ConfigError(f"{path}:{line}: invalid YAML: {exc.problem or exc}") from exc
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        problems = [_describe(path, node, err) for err in exc.errors()]
        raise ConfigError("\n".join(problems)) from exc


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (for lines) and its data, parsed once (`rules check` of a 1 MB file
    of 21,301 rules: 6.0 s, against 26.8 s scanning and parsing it twice in Python)."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _check_depth(path: Path, text: str) -> None:
    """ConfigError past MAX_DEPTH, read from the token stream (no recursion; libyaml's scanner when
    PyYAML has it: 0.6 s for a 1 MB file against 3.4 s in Python)."""
    depth = 0
    for token in yaml.scan(text, Loader=_LOADER):
        if isinstance(token, _OPEN):
            depth += 1
            if depth > MAX_DEPTH:
                line = token.start_mark.line + 1
                raise ConfigError(f"{path}:{line}: nested more than {MAX_DEPTH} levels deep")
        elif isinstance(token, _CLOSE):
            depth -= 1


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
