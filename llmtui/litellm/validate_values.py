"""Checks shared by every section: unknown keys (with did-you-mean) and value types."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from llmtui.litellm.accepted_keys import TypeRule
from llmtui.litellm.validation_report import ERROR, Collector, suggest
from llmtui.litellm.yaml_marks import KeyPath

ENV_PREFIX = "os.environ/"

_KIND_WORDS = {
    "null": "null",
    "bool": "true/false",
    "int": "an integer",
    "float": "a number",
    "str": "a string",
    "list": "a list",
    "dict": "a mapping",
    "other": "a date or other special YAML value",
}


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    for kind, python_type in (
        ("bool", bool),
        ("int", int),
        ("float", float),
        ("str", str),
        ("list", list),
        ("dict", dict),
    ):
        if isinstance(value, python_type):
            return kind
    return "other"


def is_env_ref(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(ENV_PREFIX)


def describe_rule(rule: TypeRule) -> str:
    kinds = set(rule.kinds)
    if {"int", "float"} <= kinds:
        kinds.discard("int")
    words = [_KIND_WORDS.get(k, k) for k in sorted(kinds, key=_kind_order)]
    if rule.values:
        words.insert(0, "one of " + ", ".join(str(v) for v in rule.values))
    return " or ".join(words) if words else "a value LiteLLM accepts"


def _kind_order(kind: str) -> int:
    order = ["bool", "int", "float", "str", "list", "dict", "null"]
    return order.index(kind) if kind in order else len(order)


def admits(rule: TypeRule, value: Any) -> bool:
    kind = kind_of(value)
    if kind in rule.kinds:
        return True
    return any(type(value) is type(allowed) and value == allowed for allowed in rule.values)


def check_type(c: Collector, path: KeyPath, value: Any, rule: TypeRule, level: str = ERROR) -> bool:
    """True when the value fits; `os.environ/` references are resolved later, so they pass."""
    if not rule.checks_anything or is_env_ref(value) or admits(rule, value):
        return True
    if isinstance(value, str) and rule.values:
        # The value itself is not repeated: whatever was typed there may be a secret.
        choices = [str(v) for v in rule.values if isinstance(v, str)]
        c.add(
            level,
            path,
            f"not one of: {', '.join(choices)}",
            suggestion=suggest(value, choices),
        )
        return False
    c.add(level, path, f"expected {describe_rule(rule)}, got {_KIND_WORDS[kind_of(value)]}")
    return False


def check_non_negative(c: Collector, path: KeyPath, value: Any) -> None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        c.error(path, "must not be negative")


def check_keys(
    c: Collector,
    path: KeyPath,
    mapping: Mapping[Any, Any],
    accepted: Iterable[str],
    *,
    level: str,
    why: str,
    elsewhere: Mapping[str, Iterable[str]] | None = None,
) -> list[Any]:
    """Report keys outside `accepted`; returns the known keys present, in order.

    `elsewhere` names other sections: a key that belongs there is reported as misplaced.
    """
    accepted_set = accepted if isinstance(accepted, set | frozenset) else set(accepted)
    known = []
    for key in mapping:
        if isinstance(key, str) and key in accepted_set:
            known.append(key)
            continue
        child = (*path, key)
        if not isinstance(key, str):
            c.add(level, child, "keys must be strings", at_key=True)
            continue
        home = next(
            (section for section, keys in (elsewhere or {}).items() if key in keys),
            None,
        )
        if home is not None:
            c.add(
                level,
                child,
                f"not read from here; LiteLLM reads {key} from {home}",
                at_key=True,
                suggestion=f"{home}.{key}",
            )
            continue
        c.add(level, child, why, at_key=True, suggestion=suggest(key, accepted_set))
    return known


def require_mapping(c: Collector, path: KeyPath, value: Any, what: str) -> bool:
    """Sections and nested settings must be mappings (null means empty, as in LiteLLM)."""
    if value is None or isinstance(value, dict):
        return True
    c.error(path, f"{what} must be a mapping, got {_KIND_WORDS[kind_of(value)]}")
    return False
