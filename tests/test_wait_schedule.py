"""The wait schedule llmtui shows is LiteLLM's own: checked against the installed litellm."""

from __future__ import annotations

import itertools
import json
import os
import random
from types import ModuleType
from typing import Any

import httpx
import pytest

from llmtui.litellm.wait_schedule import (
    POLICY_FIELDS,
    Backoff,
    backoff_range,
    retries_for,
    schedule,
    schedule_for_config,
    sleep_range,
)

JUST_UNDER_ONE = 1.0 - 1e-12


@pytest.fixture(scope="module")
def litellm() -> ModuleType:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    return litellm


def _with_random(monkeypatch: pytest.MonkeyPatch, litellm: ModuleType, value: float) -> None:
    """Pin LiteLLM's jitter draw (random.random) to one end of its range."""
    monkeypatch.setattr(litellm.utils.random, "random", lambda: value)


HEADERS: list[httpx.Headers | None] = [
    None,
    httpx.Headers({"retry-after": "3"}),
    httpx.Headers({"retry-after": "60"}),
    httpx.Headers({"retry-after": "0"}),
    httpx.Headers({"retry-after": "61"}),
    httpx.Headers({"retry-after": "soon"}),
]


def _header_value(headers: httpx.Headers | None) -> int | None:
    if headers is None:
        return None
    try:
        return int(headers["retry-after"])
    except ValueError:
        return None


CASES = [
    (max_retries, remaining, min_timeout, headers)
    for max_retries in range(0, 9)
    for remaining in range(0, max_retries + 1)
    for min_timeout in (0, 0.3, 1, 3, 5, 10)
    for headers in HEADERS
]


def test_backoff_bounds_equal_calculate_retry_after_at_both_jitter_extremes(
    litellm: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(CASES) > 1500
    for draw, bound in ((0.0, 0), (JUST_UNDER_ONE, 1)):
        _with_random(monkeypatch, litellm, draw)
        for max_retries, remaining, min_timeout, headers in CASES:
            real = litellm.calculate_retry_after(
                remaining_retries=remaining,
                max_retries=max_retries,
                response_headers=headers,
                min_timeout=min_timeout,
            )
            ours = backoff_range(remaining, max_retries, min_timeout, _header_value(headers))
            assert real == pytest.approx(ours[bound], abs=1e-9), (
                max_retries,
                remaining,
                min_timeout,
                headers,
            )


def test_random_jitter_always_falls_inside_the_range(litellm: ModuleType) -> None:
    rng = random.Random(5)
    for _ in range(3000):
        max_retries, remaining, min_timeout, headers = rng.choice(CASES)
        real = litellm.calculate_retry_after(
            remaining_retries=remaining,
            max_retries=max_retries,
            response_headers=headers,
            min_timeout=min_timeout,
        )
        low, high = backoff_range(remaining, max_retries, min_timeout, _header_value(headers))
        assert low <= real < high


def test_router_sleep_is_zero_only_while_a_sibling_is_healthy(
    litellm: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = litellm.RateLimitError(message="m", llm_provider="openai", model="x")
    for retry_after in (0, 2, 9):
        router = litellm.Router(model_list=[], retry_after=retry_after)
        for num_retries, healthy, every in itertools.product(
            range(0, 5), (None, 0, 1, 2), (None, 1, 2, 3)
        ):
            for remaining in range(0, num_retries + 1):
                ours = sleep_range(
                    remaining,
                    num_retries,
                    retry_after,
                    healthy,
                    every,
                )
                for draw, bound in ((0.0, 0), (JUST_UNDER_ONE, 1)):
                    _with_random(monkeypatch, litellm, draw)
                    real = router._time_to_sleep_before_retry(
                        e=error,
                        remaining_retries=remaining,
                        num_retries=num_retries,
                        healthy_deployments=None if healthy is None else [{}] * healthy,
                        all_deployments=None if every is None else [{}] * every,
                    )
                    assert real == pytest.approx(ours[bound], abs=1e-9)


def _exception(litellm: ModuleType, failure: str) -> Exception:
    names = {
        "rate_limit": "RateLimitError",
        "timeout": "Timeout",
        "server_error": "InternalServerError",
        "service_unavailable": "ServiceUnavailableError",
        "content_policy": "ContentPolicyViolationError",
        "context_window": "ContextWindowExceededError",
        "bad_request": "BadRequestError",
        "auth": "AuthenticationError",
        "not_found": "NotFoundError",
        "connection": "APIConnectionError",
        "default": "BadGatewayError",
    }
    return getattr(litellm, names[failure])(message="m", llm_provider="openai", model="x")


def test_retry_counts_follow_litellm_retry_policy_lookup(litellm: ModuleType) -> None:
    from litellm.router_utils.get_retry_from_policy import get_num_retries_from_retry_policy

    fields = sorted({f for chain in POLICY_FIELDS.values() for f in chain} | {"DefaultRetries"})
    rng = random.Random(7)
    for _ in range(300):
        policy: dict[str, Any] = {
            f: rng.choice([None, None, 0, 1, 2, 5]) for f in fields if rng.random() < 0.6
        }
        for failure in POLICY_FIELDS:
            real = get_num_retries_from_retry_policy(_exception(litellm, failure), policy)
            ours, from_policy = retries_for(failure, policy, num_retries=4)
            if real is None:
                assert not from_policy and ours == 4
            else:
                assert from_policy and ours == real, (failure, policy)


def test_schedule_text_counts_the_wait_after_the_last_retry() -> None:
    three = schedule("rate_limit", {"RateLimitErrorRetries": 3, "DefaultRetries": 3})
    assert [(w.low, w.high) for w in three.waits] == [(0.5, 1.25), (1, 1.75), (2, 2.75), (4, 4.75)]
    assert three.describe() == (
        "retry 1 after 0.5–1.25 s, retry 2 after 1–1.75 s, retry 3 after 2–2.75 s, "
        "then 4–4.75 s before falling back; at most 10.5 s in all"
    )
    no_retries = schedule("content_policy", {"DefaultRetries": 3, "BadRequestErrorRetries": 0})
    assert no_retries.waits == () and no_retries.retries == 0
    slow = schedule("timeout", {"DefaultRetries": 2}, retry_after=3)
    assert [w.low for w in slow.waits] == [3, 3, 3]
    capped = schedule("server_error", None, num_retries=6, backoff=Backoff(jitter=0))
    assert [w.high for w in capped.waits] == [0.5, 1, 2, 4, 8, 8, 8]


def test_schedule_for_a_rendered_config_notes_immediate_retries() -> None:
    config = {
        "model_list": [
            {"model_name": "gpt-4o", "litellm_params": {"model": "openai/gpt-4o"}},
            {"model_name": "gpt-4o", "litellm_params": {"model": "azure/gpt-4o"}},
            {"model_name": "claude", "litellm_params": {"model": "anthropic/claude"}},
        ],
        "router_settings": {
            "num_retries": 3,
            "retry_policy": {"TimeoutErrorRetries": 1, "DefaultRetries": 3},
            "model_group_retry_policy": {"claude": {"DefaultRetries": 0}},
        },
    }
    gpt = schedule_for_config(config, "gpt-4o", "timeout")
    assert gpt.retries == 1 and gpt.deployments_in_group == 2
    assert "retry is immediate while another of them is healthy" in gpt.describe()
    assert schedule_for_config(config, "claude", "timeout").describe() == (
        "no retries: falls back at once"
    )


def test_trigger_list_shows_the_schedule_of_the_stored_settings(run_cli) -> None:
    run_cli.ok("provider", "add", "lab", "--type", "ollama")
    run_cli.ok("provider", "add", "lab2", "--type", "ollama", "--api-base", "http://10.0.0.2:11434")
    run_cli.ok("model", "add", "lab", "llama3", "--group", "local")
    run_cli.ok("model", "add", "lab2", "llama3", "--group", "local")
    run_cli.ok("trigger", "set", "rate_limit", "--retries", "1")
    run_cli.ok("trigger", "set", "timeout", "--disable")
    run_cli.ok("router", "set", "--retry-after", "2")
    rows = {r["error_type"]: r for r in json.loads(run_cli.ok("trigger", "list", "--json").stdout)}
    rate = rows["rate_limit"]["wait_schedule"]
    assert [(w["low"], w["high"]) for w in rate["waits"]] == [(2, 2.75), (2, 2.75)]
    assert rate["total_high_s"] == 5.5 and rate["immediate_note"] is None
    assert rows["timeout"]["wait_schedule"]["waits"] == []  # disabled: no retries
    assert rows["server_error"]["wait_schedule"]["total_low_s"] == 2 + 2 + 2 + 4
    text = run_cli.ok("trigger", "list", "--group", "local").stdout
    assert "rate_limit waits: retry 1 after 2–2.75 s, then 2–2.75 s before falling back" in text
    assert "the group has 2 deployments" in text
