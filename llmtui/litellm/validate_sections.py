"""router_settings, its per-error policies, litellm_settings and general_settings.

LiteLLM drops unknown router_settings keys with a log line, `setattr`s unknown
litellm_settings keys onto the module where nothing reads them, ignores unknown
general_settings keys and policy fields: all silent in practice, so all errors here.
"""

from __future__ import annotations

from typing import Any

from llmtui.litellm.accepted_keys import AcceptedKeys, TypeRule
from llmtui.litellm.validate_values import (
    check_keys,
    check_non_negative,
    check_type,
    require_mapping,
)
from llmtui.litellm.validation_report import ERROR, Collector

FALLBACK_KEYS = (
    "fallbacks",
    "context_window_fallbacks",
    "content_policy_fallbacks",
    "default_fallbacks",
)
# Checked by their own rules (validate_fallbacks / below), not by annotation alone.
_OWN_RULES = {
    *FALLBACK_KEYS,
    "retry_policy",
    "allowed_fails_policy",
    "model_group_retry_policy",
    "model_group_alias",
}
# Counts and durations: a negative one is never meant.
NON_NEGATIVE = frozenset(
    {
        "num_retries",
        "max_fallbacks",
        "allowed_fails",
        "cooldown_time",
        "retry_after",
        "timeout",
        "stream_timeout",
        "request_timeout",
    }
)


def sections_elsewhere(keys: AcceptedKeys, exclude: str) -> dict[str, frozenset[str]]:
    """Where else a key could belong, for 'it belongs in X' messages (router first)."""
    router = frozenset(keys.router_settings) - keys.router_managed_outside_config
    sections = {
        "router_settings": router,
        "general_settings": frozenset(keys.general_settings),
        "litellm_settings": keys.litellm_settings,
        "the top level": keys.top_level,
    }
    sections.pop(exclude, None)
    return sections


def check_router_settings(c: Collector, keys: AcceptedKeys, value: Any) -> None:
    path = ("router_settings",)
    if not require_mapping(c, path, value, "router_settings") or not value:
        return
    accepted = frozenset(keys.router_settings) - keys.router_managed_outside_config
    for key in value:
        if key in keys.router_managed_outside_config:
            c.error(
                (*path, key),
                "the proxy sets this itself and ignores it in router_settings",
                at_key=True,
            )
    rest = {k: v for k, v in value.items() if k not in keys.router_managed_outside_config}
    known = check_keys(
        c,
        path,
        rest,
        accepted,
        level=ERROR,
        why="not a Router setting; LiteLLM ignores it",
        elsewhere=sections_elsewhere(keys, "router_settings"),
    )
    for key in known:
        if key not in _OWN_RULES:
            _check_setting(c, (*path, key), value[key], keys.router_settings[key])
    if "retry_policy" in value:
        check_policy(
            c, (*path, "retry_policy"), value["retry_policy"], keys.retry_policy, "RetryPolicy"
        )
    if "allowed_fails_policy" in value:
        check_policy(
            c,
            (*path, "allowed_fails_policy"),
            value["allowed_fails_policy"],
            keys.allowed_fails_policy,
            "AllowedFailsPolicy",
        )
    per_group = value.get("model_group_retry_policy")
    group_path = (*path, "model_group_retry_policy")
    if require_mapping(c, group_path, per_group, "model_group_retry_policy") and per_group:
        for group, policy in per_group.items():
            check_policy(c, (*group_path, group), policy, keys.retry_policy, "RetryPolicy")


def _check_setting(c: Collector, path: tuple[Any, ...], value: Any, rule: TypeRule) -> None:
    if check_type(c, path, value, rule) and path[-1] in NON_NEGATIVE:
        check_non_negative(c, path, value)


def check_policy(
    c: Collector, path: tuple[Any, ...], value: Any, fields: dict[str, TypeRule], model: str
) -> None:
    """Per-error counts: known field names, whole numbers, 0 or more."""
    if not require_mapping(c, path, value, path[-1]) or not value:
        return
    known = check_keys(
        c,
        path,
        value,
        fields,
        level=ERROR,
        why=f"not a {model} field; LiteLLM ignores it",
    )
    for key in known:
        count = value[key]
        if count is None:
            continue
        if isinstance(count, bool) or not isinstance(count, int):
            c.error((*path, key), "must be a whole number (0 or more)")
        elif count < 0:
            c.error((*path, key), "must not be negative")


def check_litellm_settings(c: Collector, keys: AcceptedKeys, value: Any) -> None:
    path = ("litellm_settings",)
    if not require_mapping(c, path, value, "litellm_settings") or not value:
        return
    known = check_keys(
        c,
        path,
        value,
        keys.litellm_settings,
        level=ERROR,
        why="not a LiteLLM setting; the proxy sets it but nothing reads it",
        elsewhere=sections_elsewhere(keys, "litellm_settings"),
    )
    for key in known:
        rule = keys.litellm_settings_types.get(key)
        if rule is not None and key not in _OWN_RULES:
            _check_setting(c, (*path, key), value[key], rule)
        elif key in NON_NEGATIVE:
            check_non_negative(c, (*path, key), value[key])


def check_general_settings(c: Collector, keys: AcceptedKeys, value: Any) -> None:
    path = ("general_settings",)
    if not require_mapping(c, path, value, "general_settings") or not value:
        return
    known = check_keys(
        c,
        path,
        value,
        keys.general_settings,
        level=ERROR,
        why="not a proxy setting; LiteLLM ignores it",
        elsewhere=sections_elsewhere(keys, "general_settings"),
    )
    for key in known:
        check_type(c, (*path, key), value[key], keys.general_settings[key])
