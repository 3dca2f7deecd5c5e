"""What a live fallback drill can inject through a running LiteLLM proxy, and the request.

The proxy accepts LiteLLM's request-level mock testing parameters only when its config
sets `general_settings.dangerously_allow_mock_testing_request_params: true` (llmtui's
drill mode). Each parameter fails a request in its own way; measured with the real
LiteLLM 1.106.2 proxy:

- `mock_testing_fallbacks`: a mock InternalServerError for the requested group, raised
  before its retries; the fallbacks are real calls.
- `mock_testing_context_fallbacks` / `mock_testing_content_policy_fallbacks`: the same
  with ContextWindowExceededError / ContentPolicyViolationError (their own chains).
- `mock_timeout` + a request `timeout`: each try of the requested group sleeps the timeout
  and raises Timeout; the same timeout then bounds the real fallback calls.
- `mock_testing_rate_limit_error`: a mock RateLimitError on the FIRST try of EVERY group
  the request reaches (LiteLLM hands the parameter on to each fallback); configured
  rate-limit retries go to the real upstreams.
- Nothing fails a connection, and nothing fails a chain part of the way down.

Pure: no network, no litellm import.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from llmtui.errors import InvalidInput

DRILL_MODE_KEY = "dangerously_allow_mock_testing_request_params"
DRILL_TAG = "llmtui_drill"  # equal to proxy_recorder.DRILL_TAG: the recorder marks the request
TIMEOUT_DRILL_SECONDS = 3.0
MAX_TOKENS = 16
PROMPT = "llmtui live fallback drill: reply with one word."
CHAIN_SETTING = {
    "general": "fallbacks",
    "context_window": "context_window_fallbacks",
    "content_policy": "content_policy_fallbacks",
}
FAILURE_CHAIN_KIND = {"context_window": "context_window", "content_policy": "content_policy"}


@dataclass(frozen=True)
class Injection:
    failure: str
    params: dict[str, Any]
    depth: int | None  # chain members it fails: 1 (the requested group) or None (every one)
    error_type: str  # the exception LiteLLM raises for it
    how: str  # one sentence for the operator

    @property
    def param_names(self) -> list[str]:
        return [k for k in self.params if k != "timeout"]


INJECTIONS: dict[str, Injection] = {
    i.failure: i
    for i in (
        Injection(
            "server_error",
            {"mock_testing_fallbacks": True},
            1,
            "InternalServerError",
            "LiteLLM fails the primary with a mock InternalServerError before any retry; "
            "the fallbacks are real calls",
        ),
        Injection(
            "context_window",
            {"mock_testing_context_fallbacks": True},
            1,
            "ContextWindowExceededError",
            "LiteLLM fails the primary with a mock ContextWindowExceededError; the "
            "fallbacks are real calls",
        ),
        Injection(
            "content_policy",
            {"mock_testing_content_policy_fallbacks": True},
            1,
            "ContentPolicyViolationError",
            "LiteLLM fails the primary with a mock ContentPolicyViolationError; the "
            "fallbacks are real calls",
        ),
        Injection(
            "timeout",
            {"mock_timeout": True, "timeout": TIMEOUT_DRILL_SECONDS},
            1,
            "Timeout",
            f"each try of the primary waits {TIMEOUT_DRILL_SECONDS:g} s and times out; the "
            f"real fallback calls get the same {TIMEOUT_DRILL_SECONDS:g} s timeout",
        ),
        Injection(
            "rate_limit",
            {"mock_testing_rate_limit_error": True},
            None,
            "RateLimitError",
            "LiteLLM fails the first try of every group in the chain with a mock "
            "RateLimitError (it hands the parameter on to each fallback)",
        ),
    )
}
NOT_INJECTABLE = {
    "connection": "LiteLLM has no request parameter that fakes a connection failure",
}


def depth_text(depth: int | None) -> str:
    return "all" if depth is None else str(depth)


def injection_for(failure: str, depth: int | None) -> Injection:
    """The injection for this failure and depth, or a clear refusal saying what can be done."""
    if failure in NOT_INJECTABLE:
        raise InvalidInput(
            f"a live drill cannot inject {failure}: {NOT_INJECTABLE[failure]}; "
            "run it simulated, or pass --no-inject to send an ordinary request"
        )
    injection = INJECTIONS[failure]
    if depth != injection.depth:
        reach = "only the primary" if injection.depth == 1 else "every group of the chain"
        raise InvalidInput(
            f"a live drill injects {failure} at depth {depth_text(injection.depth)} only "
            f"({reach}: {injection.how}); use --depth {depth_text(injection.depth)}, run "
            f"depth {depth_text(depth)} simulated, or pass --no-inject"
        )
    return injection


def drill_mode_enabled(config: Mapping[str, Any]) -> bool:
    general = config.get("general_settings")
    return isinstance(general, Mapping) and general.get(DRILL_MODE_KEY) is True


def config_groups(config: Mapping[str, Any]) -> set[str]:
    entries = config.get("model_list")
    if not isinstance(entries, list):
        return set()
    return {str(e["model_name"]) for e in entries if isinstance(e, Mapping) and "model_name" in e}


def _lookup(fallbacks: Any, group: str) -> list[str] | None:
    """LiteLLM's lookup: the group's own entry, else a generic `*` entry."""
    if not isinstance(fallbacks, list) or not fallbacks:
        return None
    generic = None
    for entry in fallbacks:
        if not isinstance(entry, Mapping):
            continue
        if group in entry:
            return [str(f) for f in entry[group] or [] if isinstance(f, str)]
        if "*" in entry and generic is None:
            generic = [str(f) for f in entry["*"] or [] if isinstance(f, str)]
    return generic


def chain_for(config: Mapping[str, Any], group: str, failure: str) -> tuple[str | None, list[str]]:
    """(kind, [group, fb1, ...]) as the proxy's router picks the fallbacks for this failure.

    A context-window (content-policy) failure uses that kind of chain whenever the router
    has any such chain; if it has some but none for this group, LiteLLM does not fall back.
    """
    router = config.get("router_settings")
    router = router if isinstance(router, Mapping) else {}
    special = FAILURE_CHAIN_KIND.get(failure)
    if special is not None:
        fallbacks = router.get(CHAIN_SETTING[special])
        if isinstance(fallbacks, list) and fallbacks:
            found = _lookup(fallbacks, group)
            return (special if found else None), [group, *(found or [])]
    found = _lookup(router.get("fallbacks"), group)
    if found:
        return "general", [group, *found]
    return None, [group]


def rate_limit_retries(config: Mapping[str, Any]) -> int | None:
    """The retries LiteLLM makes after a RateLimitError, when the config says."""
    router = config.get("router_settings")
    if not isinstance(router, Mapping):
        return None
    policy = router.get("retry_policy")
    if isinstance(policy, Mapping) and isinstance(policy.get("RateLimitErrorRetries"), int):
        return int(policy["RateLimitErrorRetries"])
    retries = router.get("num_retries")
    return retries if isinstance(retries, int) else None


def new_drill_id() -> str:
    return "drill-" + secrets.token_hex(8)


def request_body(group: str, injection: Injection | None, drill_id: str) -> dict[str, Any]:
    """One small chat completion, tagged so the recorder knows it is a drill."""
    body: dict[str, Any] = {
        "model": group,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": MAX_TOKENS,
        "metadata": {DRILL_TAG: drill_id},
        # Kept by the proxy only when general_settings.expose_fallback_errors_to_caller is
        # on; then x-litellm-fallback-errors lists the errors of the groups that failed.
        "include_fallback_errors": True,
    }
    if injection is not None:
        body.update(injection.params)
    return body
