"""`llmtui config validate`: check any LiteLLM proxy config against the installed LiteLLM.

LiteLLM itself ignores misspelled keys in most sections and never checks that
fallback targets exist; this finds those, with the line and column of each and a
did-you-mean. Which keys exist comes from the installed package (accepted_keys), not
from a list kept here. Nothing in this module imports litellm.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from llmtui.litellm.accepted_keys import AcceptedKeys, KeysUnavailable, accepted_keys
from llmtui.litellm.validate_fallbacks import check_fallbacks
from llmtui.litellm.validate_models import ModelNames, check_model_list
from llmtui.litellm.validate_sections import (
    check_general_settings,
    check_litellm_settings,
    check_router_settings,
    sections_elsewhere,
)
from llmtui.litellm.validate_values import ENV_PREFIX, check_keys, kind_of
from llmtui.litellm.validation_report import ERROR, Collector, Issue, ValidationReport
from llmtui.litellm.yaml_marks import Marks, YamlProblem, load_with_marks

__all__ = ["Issue", "ValidationReport", "validate_data", "validate_text"]

_UNSET: Any = object()


def validate_text(
    text: str,
    *,
    environ: Mapping[str, str] | None = None,
    accepted: AcceptedKeys | None = _UNSET,
) -> ValidationReport:
    """Parse as LiteLLM does (yaml.safe_load), then validate; never raises."""
    try:
        data, marks = load_with_marks(text)
    except YamlProblem as problem:
        where = problem.position
        return ValidationReport(
            [
                Issue(
                    ERROR,
                    "",
                    f"not valid YAML: {problem.message}",
                    where.line if where else None,
                    where.column if where else None,
                )
            ]
        )
    return validate_data(data, environ=environ, marks=marks, accepted=accepted)


def validate_data(
    data: Any,
    *,
    environ: Mapping[str, str] | None = None,
    marks: Marks | None = None,
    accepted: AcceptedKeys | None = _UNSET,
) -> ValidationReport:
    """Validate an already-loaded config; `marks` (from load_with_marks) adds positions.

    `accepted` defaults to what the installed LiteLLM accepts; None skips key checks.
    """
    keys, unavailable = _keys(accepted)
    c = Collector(keys, marks, os.environ if environ is None else environ)
    if unavailable:
        c.warning((), f"unknown keys were not checked: {unavailable}")
    try:
        _check(c, data)
    except RecursionError:
        c.error((), "the config is nested too deeply to check")
    return c.report()


def _keys(accepted: AcceptedKeys | None) -> tuple[AcceptedKeys | None, str | None]:
    if accepted is not _UNSET:
        return accepted, None
    try:
        return accepted_keys(), None
    except KeysUnavailable as exc:
        return None, str(exc)


def _check(c: Collector, data: Any) -> None:
    if data is None:
        c.error((), "the config is empty; the LiteLLM proxy refuses to start with it")
        return
    if not isinstance(data, dict):
        c.error((), f"the config must be a mapping of sections, got {_kind(data)}")
        return
    for duplicate in c.marks.duplicates:
        c.error(
            duplicate.path,
            "duplicate key: LiteLLM keeps only the last one "
            f"(first at line {duplicate.first.line})",
            position=duplicate.at,
        )
    keys = c.keys
    if keys is not None:
        check_keys(
            c,
            (),
            data,
            keys.top_level,
            level=ERROR,
            why="not a section LiteLLM reads; it is ignored",
            elsewhere=sections_elsewhere(keys, "the top level"),
        )
    names = check_model_list(c, keys, data.get("model_list"))
    names.incomplete = _why_incomplete(data)
    _add_aliases(names, data.get("router_settings"))
    if keys is not None:
        check_router_settings(c, keys, data.get("router_settings"))
        check_litellm_settings(c, keys, data.get("litellm_settings"))
        check_general_settings(c, keys, data.get("general_settings"))
    check_fallbacks(c, data, names)
    _check_env_refs(c, data)


def _why_incomplete(data: dict[Any, Any]) -> str | None:
    """Models can also come from included files or the proxy's database."""
    if data.get("include"):
        return "an included file"
    general = data.get("general_settings")
    if isinstance(general, dict) and general.get("store_model_in_db") is True:
        return "the proxy's database (store_model_in_db)"
    return None


def _add_aliases(names: ModelNames, router: Any) -> None:
    if isinstance(router, dict) and isinstance(router.get("model_group_alias"), dict):
        names.aliases |= {a for a in router["model_group_alias"] if isinstance(a, str)}


def _check_env_refs(c: Collector, data: Any) -> None:
    """`os.environ/NAME` is resolved by the proxy at start; an unset one becomes None."""
    seen: set[int] = set()
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict | list):
            if id(value) in seen:
                continue
            seen.add(id(value))
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((child, (*path, key)) for key, child in reversed(list(items)))
        elif isinstance(value, str) and value.startswith(ENV_PREFIX):
            name = value[len(ENV_PREFIX) :]
            if not name:
                c.warning(path, "os.environ/ names no variable")
            elif name not in c.environ:
                c.warning(path, f"environment variable {name} is not set here")


def _kind(value: Any) -> str:
    return {"list": "a list", "str": "a string"}.get(kind_of(value), kind_of(value))
