"""Problems found in curated files, reported as `path:line: message` the way compilers do."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

# libyaml's parser where it is installed: start-up parses every curated file, and the pure
# Python parser made that most of a second.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CuratedLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """Safe loading, but dates stay text so pydantic reports a bad one with its line."""


CuratedLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """The data and the node tree (for line numbers) of one YAML document, parsed once."""
    loader = CuratedLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str
    level: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        try:
            shown = os.path.relpath(self.path)
        except ValueError:
            shown = str(self.path)
        prefix = "warning: " if self.level == "warning" else ""
        return f"{shown}:{self.line}: {prefix}{self.message}"


def node_line(node: yaml.Node | None, loc: tuple[Any, ...], offset: int = 0) -> int:
    """1-based line of the YAML node at `loc` (keys and list indexes), or of its nearest parent."""
    line = (node.start_mark.line + 1 + offset) if node is not None else 1 + offset
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            key = next((k for k, _ in node.value if k.value == part), None)
            if key is None or match is None:
                return line
            line = key.start_mark.line + 1 + offset
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1 + offset
        else:
            return line
    return line


def validation_problems(
    exc: ValidationError, path: Path, node: yaml.Node | None, offset: int = 0, prefix: tuple = ()
) -> list[Problem]:
    """One problem per pydantic error, placed on the line of the offending YAML value."""
    problems = []
    for err in exc.errors():
        loc = prefix + tuple(err["loc"])
        where = ".".join(str(p) for p in loc) or "file"
        problems.append(Problem(path, node_line(node, loc, offset), f"{where}: {err['msg']}"))
    return problems


def load_yaml(path: Path) -> tuple[Any, yaml.Node | None, list[Problem]]:
    """Parse a YAML file keeping the node tree for line numbers."""
    try:
        data, node = parse_yaml(path.read_text(encoding="utf-8"))
        return data, node, []
    except (OSError, UnicodeDecodeError) as exc:
        return None, None, [Problem(path, 1, f"cannot read: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return None, None, [Problem(path, line, f"invalid YAML: {getattr(exc, 'problem', exc)}")]
