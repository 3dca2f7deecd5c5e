"""The sections beside model_list: fallback chains, per-error policies, router settings,
the master key, drill mode, and everything else kept as passthrough."""

from __future__ import annotations

import difflib
from typing import Any

from llmtui.errors import InvalidInput
from llmtui.litellm.error_types import ERROR_TYPES
from llmtui.litellm.import_plan import ChainPlan, ImportPlan, Issue, PassthroughPlan, jsonable
from llmtui.litellm.render import FALLBACK_KEYS

DRILL_KEY = "dangerously_allow_mock_testing_request_params"
MAPPING_SECTIONS = ("router_settings", "litellm_settings", "general_settings")
MAX_SECTION_NAME = 40
MAX_KEY_NAME = 200
# policy section -> (plan attribute, LiteLLM field -> llmtui error type)
POLICY_SECTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "retry_policy": ("retries", {e.retry_field: e.id for e in ERROR_TYPES.values()}),
    "allowed_fails_policy": (
        "allowed_fails",
        {e.allowed_fails_field: e.id for e in ERROR_TYPES.values() if e.allowed_fails_field},
    ),
}


def plan_sections(config: dict[Any, Any], plan: ImportPlan) -> None:
    for section, value in config.items():
        if section == "model_list" or value is None:
            continue
        if section in MAPPING_SECTIONS and not isinstance(value, dict):
            raise InvalidInput(f"this is not a LiteLLM config: {section} must be a mapping")
        if section == "router_settings":
            _router(value, plan)
        elif section == "general_settings":
            _general(value, plan)
        elif section == "include":
            plan.not_represented.append(
                Issue("include", "included files are not read; import each of them on its own")
            )
        elif not isinstance(section, str) or len(section) > MAX_SECTION_NAME:
            plan.not_represented.append(Issue(str(section), "not a section name LiteLLM reads"))
        elif not isinstance(value, dict):
            plan.not_represented.append(
                Issue(section, f"a top-level {type(value).__name__}; llmtui keeps mapping sections")
            )
        else:
            _passthrough(section, value, plan)


def _passthrough(section: str, values: dict[Any, Any], plan: ImportPlan) -> None:
    for key, value in values.items():
        if not isinstance(key, str) or not key or len(key) > MAX_KEY_NAME:
            plan.not_represented.append(Issue(f"{section}.{key}", "not a usable setting name"))
            continue
        plan.passthrough.append(PassthroughPlan(section, key, jsonable(value)))


def _general(values: dict[Any, Any], plan: ImportPlan) -> None:
    rest = dict(values)
    if "master_key" in rest:
        master = rest.pop("master_key")
        if master is not None and not (isinstance(master, str) and master):
            plan.not_represented.append(
                Issue("general_settings.master_key", "must be text; not imported")
            )
        else:
            plan.master_key = master
    if isinstance(rest.get(DRILL_KEY), bool):
        plan.drill_mode = rest.pop(DRILL_KEY)
    _passthrough("general_settings", rest, plan)


def _router(values: dict[Any, Any], plan: ImportPlan) -> None:
    rest = dict(values)
    for kind, key in FALLBACK_KEYS.items():
        raw = rest.pop(key, None)
        if raw is not None:
            _chains(raw, kind, f"router_settings.{key}", plan)
    for key, (attribute, error_type_of) in POLICY_SECTIONS.items():
        raw = rest.pop(key, None)
        if raw is None:
            continue
        where = f"router_settings.{key}"
        if not isinstance(raw, dict):
            raise InvalidInput(f"this is not a LiteLLM config: {where} must be a mapping")
        chosen: dict[str, Any] = {}
        for field, value in raw.items():
            error_type = error_type_of.get(field)
            if error_type is None:
                plan.not_represented.append(
                    Issue(f"{where}.{field}", _unknown_field(field, error_type_of))
                )
            else:
                chosen[error_type] = value
        setattr(plan, attribute, chosen)
    _passthrough("router_settings", rest, plan)


def _unknown_field(field: Any, known: dict[str, str]) -> str:
    close = difflib.get_close_matches(str(field), list(known), n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"LiteLLM ignores this unknown field{hint}"


def _chains(raw: Any, kind: str, where: str, plan: ImportPlan) -> None:
    shape = f"this is not a LiteLLM config: {where} must be a list of {{group: [fallbacks]}}"
    if not isinstance(raw, list):
        raise InvalidInput(shape)
    first: dict[str, str] = {}
    for index, item in enumerate(raw):
        here = f"{where}[{index}]"
        if isinstance(item, str):
            plan.not_represented.append(
                Issue(
                    here,
                    f"a bare group ({item!r}) is a fallback for every group; "
                    "llmtui keeps chains per group",
                )
            )
            continue
        if not isinstance(item, dict) or not item:
            raise InvalidInput(shape)
        for position, (group, fallbacks) in enumerate(item.items()):
            if not isinstance(group, str) or not isinstance(fallbacks, list):
                raise InvalidInput(shape)
            if not all(isinstance(f, str) for f in fallbacks):
                raise InvalidInput(f"{here}: fallback group names must be text")
            named = f"{here} ({group})"
            if position > 0:
                reason = "LiteLLM reads only the first group of each mapping; not imported"
            elif group == "*":
                reason = "a fallback chain for every group ('*') has no llmtui equivalent"
            elif group in first:
                reason = f"a second chain for {group!r}; LiteLLM uses the first ({first[group]})"
            else:
                first[group] = named
                if fallbacks:
                    plan.chains.append(ChainPlan(named, group, kind, tuple(fallbacks)))
                continue
            plan.not_represented.append(Issue(named, reason))
