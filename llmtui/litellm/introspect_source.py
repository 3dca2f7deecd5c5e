"""Keys LiteLLM reads from a config section, found by reading its source with `ast`.

Some accepted keys exist only as code: `general_settings.get("x")` calls spread
through the proxy, the `if key == "cache": ... elif key == ...` branches of
`load_config`. This finds the string keys read from dicts with given variable names.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path


class _KeyReads(ast.NodeVisitor):
    """String keys read from dicts named in `receivers`: .get("k"), ["k"], "k" in d,
    and `key == "k"` inside `for key, value in d.items()`."""

    def __init__(self, receivers: frozenset[str], constants: dict[str, str]) -> None:
        self.receivers = receivers
        self.constants = constants
        self.keys: set[str] = set()
        self.loop_keys: set[str] = set()  # loop variables over a receiver's keys, in scope
        self.literal_loops: dict[str, list[str]] = {}  # for name in ("a", "b"), in scope

    def _is_receiver(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.receivers
        if isinstance(node, ast.Attribute):
            return node.attr in self.receivers
        return False

    def _strings(self, node: ast.AST) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.Name):
            if node.id in self.constants:
                return [self.constants[node.id]]
            return self.literal_loops.get(node.id, [])
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return [s for e in node.elts for s in self._strings(e)]
        return []

    def _receiver_loop_key(self, target: ast.AST, iterable: ast.AST) -> str | None:
        """`key` in `for key, value in litellm_settings.items()`."""
        source = iterable
        if (
            isinstance(iterable, ast.Call)
            and isinstance(iterable.func, ast.Attribute)
            and iterable.func.attr in ("items", "keys")
        ):
            source = iterable.func.value
        if not self._is_receiver(source):
            return None
        key = target.elts[0] if isinstance(target, ast.Tuple) and target.elts else target
        return key.id if isinstance(key, ast.Name) else None

    def _literal_loop(self, target: ast.AST, iterable: ast.AST) -> tuple[str, list[str]] | None:
        """`key` in `for key in ("a", "b")`: a later `settings.get(key)` reads both."""
        if isinstance(target, ast.Name) and isinstance(iterable, ast.Tuple | ast.List | ast.Set):
            strings = self._strings(iterable)
            if strings:
                return target.id, strings
        return None

    def _visit_scoped(self, node: ast.AST, loops: list[tuple[ast.AST, ast.AST]]) -> None:
        """Visit `node` with its loop variables known, and forget them afterwards."""
        added_keys: list[str] = []
        saved = dict(self.literal_loops)
        for target, iterable in loops:
            key = self._receiver_loop_key(target, iterable)
            if key and key not in self.loop_keys:
                self.loop_keys.add(key)
                added_keys.append(key)
            literal = self._literal_loop(target, iterable)
            if literal:
                self.literal_loops[literal[0]] = literal[1]
        self.generic_visit(node)
        self.loop_keys.difference_update(added_keys)
        self.literal_loops = saved

    def visit_For(self, node: ast.For) -> None:
        self._visit_scoped(node, [(node.target, node.iter)])

    def _visit_comprehension(self, node: ast.AST) -> None:
        generators: list[ast.comprehension] = getattr(node, "generators", [])
        self._visit_scoped(node, [(g.target, g.iter) for g in generators])

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _visit_comprehension

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("get", "pop", "setdefault")
            and self._is_receiver(func.value)
            and node.args
        ):
            self.keys.update(self._strings(node.args[0]))
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if self._is_receiver(node.value):
            self.keys.update(self._strings(node.slice))
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=False):
            if isinstance(op, ast.In | ast.NotIn) and self._is_receiver(right):
                self.keys.update(self._strings(left))
            if (
                isinstance(op, ast.Eq | ast.In)
                and isinstance(left, ast.Name)
                and left.id in self.loop_keys
            ):
                self.keys.update(self._strings(right))
            left = right
        self.generic_visit(node)


def _module_constants(tree: ast.Module) -> dict[str, str]:
    """NAME = "text" at module level, so `config.get(INCLUDE_KEY)` is understood."""
    out: dict[str, str] = {}
    for node in tree.body:
        target, value = None, None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        if (
            isinstance(target, ast.Name)
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            out[target.id] = value.value
    return out


def scan_keys(files: Iterable[Path], receivers: dict[str, frozenset[str]]) -> dict[str, set[str]]:
    """For each named set of receivers, the keys read from them; every file parsed once."""
    found: dict[str, set[str]] = {section: set() for section in receivers}
    for path in files:
        try:
            source = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        wanted = {
            section: names
            for section, names in receivers.items()
            if any(name in source for name in names)
        }
        if not wanted:
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        constants = _module_constants(tree)
        for section, names in wanted.items():
            visitor = _KeyReads(names, constants)
            visitor.visit(tree)
            found[section] |= {k for k in visitor.keys if k.isidentifier()}
    return found
