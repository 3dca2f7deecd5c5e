"""Load YAML the way LiteLLM does (safe_load) and remember where every key and value is.

LiteLLM reads its config with `yaml.safe_load`, so this module accepts exactly that
language; what it adds is a line and column for every path in the document, so the
validator can point at `router_settings.num_retires` in the file, and the duplicate
keys that safe_load silently collapses to the last one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

KeyPath = tuple[Any, ...]  # mapping keys and list indexes from the document root

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class Duplicate:
    path: KeyPath
    at: Position
    first: Position


@dataclass
class Marks:
    """Where each path is written: its key (for mapping entries) and its value."""

    keys: dict[KeyPath, Position] = field(default_factory=dict)
    values: dict[KeyPath, Position] = field(default_factory=dict)
    duplicates: list[Duplicate] = field(default_factory=list)

    def key(self, path: KeyPath) -> Position | None:
        """The key's position, else the value's, else the nearest enclosing entry's."""
        for prefix in _prefixes(path):
            found = self.keys.get(prefix) or self.values.get(prefix)
            if found:
                return found
        return None

    def value(self, path: KeyPath) -> Position | None:
        return self.values.get(path) or self.key(path)


def _prefixes(path: KeyPath) -> Iterator[KeyPath]:
    for end in range(len(path), -1, -1):
        yield path[:end]


class YamlProblem(Exception):
    """The text is not YAML that safe_load accepts; message says why, without quoting it."""

    def __init__(self, message: str, position: Position | None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def load_with_marks(text: str) -> tuple[Any, Marks]:
    """(data, marks) as safe_load would build the data; YamlProblem if it would fail."""
    marks = Marks()
    try:
        loader = _Loader(text)
    except Exception as exc:  # the C reader refuses some str input outright
        raise YamlProblem(_plain(exc), None) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, marks
        _record(loader, node, marks)
        return loader.construct_document(node), marks
    except yaml.MarkedYAMLError as exc:
        raise YamlProblem(_describe(exc), _position(exc)) from None
    except yaml.reader.ReaderError as exc:
        where = _position_of_index(text, exc.position)
        raise YamlProblem(f"{exc.reason} (character #x{exc.character:04x})", where) from None
    except RecursionError:
        raise YamlProblem("the document is nested too deeply to read", None) from None
    except Exception as exc:  # e.g. ValueError for a timestamp such as 2020-13-45
        raise YamlProblem(f"a value cannot be read: {_plain(exc)}", None) from None
    finally:
        loader.dispose()


def _record(loader: yaml.SafeLoader, root: yaml.Node, marks: Marks) -> None:
    """Walk the node tree once (aliases too: a shared node is recorded where first seen)."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, KeyPath]] = [(root, ())]
    marks.values[()] = _mark(root)
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                marks.values.setdefault((*path, index), _mark(item))
                stack.append((item, (*path, index)))
        elif isinstance(node, yaml.MappingNode):
            for key, value_node, key_node in _entries(loader, node, marks, path):
                child = (*path, key)
                marks.keys.setdefault(child, _mark(key_node))
                marks.values.setdefault(child, _mark(value_node))
                stack.append((value_node, child))


def _entries(
    loader: yaml.SafeLoader, node: yaml.MappingNode, marks: Marks, path: KeyPath
) -> Iterator[tuple[Any, yaml.Node, yaml.Node]]:
    """(key, value node, key node): explicit entries first (they win), then merged ones."""
    first_seen: dict[Any, Position] = {}
    merged: list[yaml.MappingNode] = []
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE_TAG:
            merged.extend(_merge_sources(value_node))
            continue
        key = _scalar_key(loader, key_node)
        if key is _UNHASHABLE:
            continue
        at = _mark(key_node)
        if key in first_seen:
            marks.duplicates.append(Duplicate((*path, key), at, first_seen[key]))
        else:
            first_seen[key] = at
        yield key, value_node, key_node
    for source in merged:
        for key_node, value_node in source.value:
            key = _scalar_key(loader, key_node)
            if key is not _UNHASHABLE and key not in first_seen:
                first_seen[key] = _mark(key_node)
                yield key, value_node, key_node


def _merge_sources(node: yaml.Node) -> list[yaml.MappingNode]:
    if isinstance(node, yaml.MappingNode):
        return [node]
    if isinstance(node, yaml.SequenceNode):
        return [n for n in node.value if isinstance(n, yaml.MappingNode)]
    return []


_UNHASHABLE = object()


def _scalar_key(loader: yaml.SafeLoader, key_node: yaml.Node) -> Any:
    if not isinstance(key_node, yaml.ScalarNode):
        return _UNHASHABLE  # construct_document reports it (or builds a tuple key)
    key = loader.construct_object(key_node, deep=True)
    try:
        hash(key)
    except TypeError:
        return _UNHASHABLE
    return key


def _mark(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def _position(exc: yaml.MarkedYAMLError) -> Position | None:
    mark = exc.problem_mark or exc.context_mark
    return Position(mark.line + 1, mark.column + 1) if mark else None


def _describe(exc: yaml.MarkedYAMLError) -> str:
    """problem + context, never the snippet PyYAML quotes (it may hold a key)."""
    problem = exc.problem or exc.context or "invalid YAML"
    if exc.context and exc.problem:
        where = ""
        if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            where = f" at line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
        return f"{problem} ({exc.context}{where})"
    return problem


def _position_of_index(text: str, index: int) -> Position:
    before = text[:index]
    line = before.count("\n") + 1
    return Position(line, index - (before.rfind("\n") + 1) + 1)


def _plain(exc: Exception) -> str:
    """The first line of the error, with anything it quotes from the text elided."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return re.sub(r"'[^']*'", "'…'", text)
