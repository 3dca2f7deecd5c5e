"""A fallback test in-process: LiteLLM's own Router over the rendered config.

No network, no keys, no cost. Every deployment keeps its group, id and routing
parameters but loses its provider, keys and base URL: serving deployments answer with
a deployment-level `mock_response` text; failing ones raise the chosen failure, through
LiteLLM's own mock strings where it has them ("litellm.RateLimitError", ...) and through
the in-process `llmtui-sim` provider otherwise (timeout, connection, content policy).
Retry waits are what LiteLLM computes; by default they are recorded and skipped.

`simulate` is blocking and runs its own event loop: call it from a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import threading
import time
from collections.abc import Mapping
from typing import Any

from llmtui.errors import InvalidInput, LlmtuiError
from llmtui.litellm import runtime
from llmtui.litellm.timeline import CURRENT_ATTEMPT, Recorder, SimulationResult, short_error
from llmtui.litellm.wait_schedule import sleep_range

FAILURES = (
    "rate_limit",
    "timeout",
    "server_error",
    "connection",
    "content_policy",
    "context_window",
)
# LiteLLM raises these itself for a deployment-level mock_response string.
NATIVE_MOCKS = {
    "rate_limit": "litellm.RateLimitError",
    "server_error": "litellm.InternalServerError",
    "context_window": "litellm.ContextWindowExceededError",
}
# Which chain LiteLLM walks for a failure, when the router has one of that kind.
FAILURE_CHAIN_KIND = {"context_window": "context_window", "content_policy": "content_policy"}
CHAIN_SETTING = {
    "general": "fallbacks",
    "context_window": "context_window_fallbacks",
    "content_policy": "content_policy_fallbacks",
}
# litellm_params that change how the Router picks or retries a deployment; everything
# else (keys, bases, regions, credentials) is dropped.
ROUTING_PARAMS = ("order", "weight", "rpm", "tpm", "max_parallel_requests", "num_retries")
# router_settings the simulated Router takes; others (redis, alerting ...) are reported.
ROUTER_KEYS = (
    "routing_strategy",
    "num_retries",
    "timeout",
    "retry_after",
    "cooldown_time",
    "allowed_fails",
    "allowed_fails_policy",
    "retry_policy",
    "model_group_retry_policy",
    "fallbacks",
    "context_window_fallbacks",
    "content_policy_fallbacks",
    "default_fallbacks",
    "max_fallbacks",
    "disable_cooldowns",
    "enable_pre_call_checks",
)
PROMPT = "llmtui fallback test: reply with one word."
LOGGING_FLUSH_TIMEOUT = 2.0

_run_lock = threading.Lock()  # LiteLLM's logging worker is process-wide


def reply_text(group: str, model: str | None) -> str:
    return f"pong from {group} ({model})"


def check_failure(failure: str) -> str:
    if failure not in FAILURES:
        raise InvalidInput(f"unknown failure {failure!r}; choose one of {', '.join(FAILURES)}")
    return failure


def effective_chain(router: Any, group: str, failure: str) -> tuple[str | None, list[str]]:
    """(kind, [group, fb1, ...]) as LiteLLM's Router picks the fallbacks for this failure.

    A context-window (content-policy) failure uses that kind of fallbacks when the router
    has any; if it has some but none for this group, LiteLLM does not fall back at all.
    """
    from litellm.router_utils.fallback_event_handlers import get_fallback_model_group

    special = FAILURE_CHAIN_KIND.get(failure)
    if special is not None:
        fallbacks = getattr(router, CHAIN_SETTING[special])
        if fallbacks is not None:
            found, _ = get_fallback_model_group(fallbacks=fallbacks, model_group=group)
            return (special if found else None), [group, *_names(found)]
    if router.fallbacks:
        found, _ = get_fallback_model_group(fallbacks=router.fallbacks, model_group=group)
        if found:
            return "general", [group, *_names(found)]
    return None, [group]


def _names(fallbacks: Any) -> list[str]:
    return [f for f in fallbacks or [] if isinstance(f, str)]


def _sim_model_list(
    config: Mapping[str, Any], failing: set[str] | None, failure: str
) -> tuple[list[dict[str, Any]], dict[str, tuple[str, str]]]:
    """Deployments with mocks in place of providers; and id -> (group, litellm model)."""
    model_list: list[dict[str, Any]] = []
    deployments: dict[str, tuple[str, str]] = {}
    for number, entry in enumerate(config.get("model_list") or []):
        group = str(entry["model_name"])
        params = entry.get("litellm_params") or {}
        info = dict(entry.get("model_info") or {})
        deployment_id = str(info.get("id") or f"{group}#{number}")
        info["id"] = deployment_id
        deployments[deployment_id] = (group, str(params.get("model")))
        sim: dict[str, Any] = {k: params[k] for k in ROUTING_PARAMS if k in params}
        if failing is None or group in failing:
            sim["model"] = f"{runtime.SIM_PROVIDER}/{failure}"
            if failure in NATIVE_MOCKS:
                sim["mock_response"] = NATIVE_MOCKS[failure]
        else:
            sim["model"] = f"{runtime.SIM_PROVIDER}/serve"
            sim["mock_response"] = reply_text(group, params.get("model"))
        model_list.append({"model_name": group, "litellm_params": sim, "model_info": info})
    return model_list, deployments


def _router_settings(config: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    given = config.get("router_settings") or {}
    used = {k: v for k, v in given.items() if k in ROUTER_KEYS and v is not None}
    return used, sorted(k for k in given if k not in ROUTER_KEYS)


def simulate(
    config: Mapping[str, Any],
    group: str,
    failure: str,
    depth: int | None = 1,
    compress_waits: bool = True,
) -> SimulationResult:
    """Run one request for `group` in which the first `depth` chain members fail.

    depth None makes every deployment fail. Blocking: runs its own event loop.
    """
    check_failure(failure)
    if depth is not None and depth < 1:
        raise InvalidInput("depth must be 1 or more, or 'all'")
    groups = {str(m["model_name"]) for m in config.get("model_list") or []}
    if group not in groups:
        raise InvalidInput(f"{group!r} has no enabled deployment in the rendered config")
    litellm = runtime.load()
    settings, ignored = _router_settings(config)
    with _run_lock:
        probe = _router(litellm, [], settings)
        kind, chain = effective_chain(probe, group, failure)
        if depth is not None and depth > len(chain):
            raise InvalidInput(
                f"depth {depth} reaches past the end of {group}'s chain for {failure} "
                f"({' → '.join(chain)}); use a depth up to {len(chain)} or 'all'"
            )
        failing = None if depth is None else set(chain[:depth])
        model_list, deployments = _sim_model_list(config, failing, failure)
        router = _router(litellm, model_list, settings)
        recorder = Recorder(deployments)
        _instrument(router, recorder, compress_waits)
        response, error, seconds = asyncio.run(_drive(router, group))
    result = SimulationResult(
        group=group,
        failure=failure,
        depth=depth,
        chain_kind=kind,
        chain=chain,
        attempts=recorder.attempts,
        total_ms=seconds * 1000,
        configured_wait_s=sum(w.configured for w in recorder.waits),
        elapsed_wait_s=sum(a.waited_elapsed_s or 0.0 for a in recorder.attempts),
        waits_compressed=compress_waits,
        ignored_settings=ignored,
    )
    _conclude(result, recorder, response, error)
    return result


def _router(litellm: Any, model_list: list[dict[str, Any]], settings: dict[str, Any]) -> Any:
    try:
        # Router mutates its fallbacks (default_fallbacks is appended): a fresh copy each.
        return litellm.Router(model_list=model_list, **copy.deepcopy(settings))
    except Exception as exc:
        raise LlmtuiError(
            f"LiteLLM cannot build a router from this config: {short_error(exc)}"
        ) from exc


def _conclude(
    result: SimulationResult, recorder: Recorder, response: Any, error: Exception | None
) -> None:
    """Outcome, who served (position among the groups tried: 0 is the primary), and why not."""
    order: list[str] = []
    for attempt in recorder.attempts:
        recorder.identify(attempt, None)
        if attempt.group not in order:
            order.append(attempt.group)
    served = next((a for a in reversed(recorder.attempts) if a.ok), None)
    if error is not None or served is None:
        result.outcome = "all_failed"
        result.error = short_error(error) if error is not None else "no attempt succeeded"
        result.error_type = type(error).__name__ if error is not None else None
        return
    result.served_by = served.answered_by
    if served.answered_by not in order:
        order.append(served.answered_by)
    result.served_position = order.index(served.answered_by)
    result.served_deployment = served.deployment
    result.outcome = "primary_served" if result.served_position == 0 else "fallback_served"
    result.response = _text(response)


def _text(response: Any) -> str | None:
    try:
        return str(response.choices[0].message.content)
    except (AttributeError, IndexError, TypeError):
        return None


def _instrument(router: Any, recorder: Recorder, compress_waits: bool) -> None:
    """Wrap the two Router methods every attempt and every wait pass through."""
    make_call = router.make_call
    time_to_sleep = router._time_to_sleep_before_retry

    async def recorded_make_call(original_function: Any, *args: Any, **kwargs: Any) -> Any:
        attempt = recorder.begin(str(kwargs.get("model") or "?"))
        token = CURRENT_ATTEMPT.set(attempt)
        try:
            response = await make_call(original_function, *args, **kwargs)
        except Exception as exc:
            recorder.fail(attempt, exc)
            raise
        finally:
            CURRENT_ATTEMPT.reset(token)
        hidden = getattr(response, "_hidden_params", None) or {}
        recorder.succeed(attempt, hidden.get("model_id"))
        return response

    def recorded_sleep(
        e: Exception,
        remaining_retries: int,
        num_retries: int,
        healthy_deployments: list | None = None,
        all_deployments: list | None = None,
    ) -> float:
        configured = time_to_sleep(
            e=e,
            remaining_retries=remaining_retries,
            num_retries=num_retries,
            healthy_deployments=healthy_deployments,
            all_deployments=all_deployments,
        )
        bounds = sleep_range(
            remaining_retries,
            num_retries,
            router.retry_after or 0,
            None if healthy_deployments is None else len(healthy_deployments),
            None if all_deployments is None else len(all_deployments),
        )
        recorder.wait(float(configured), bounds)
        return 0.0 if compress_waits else configured

    router.make_call = recorded_make_call
    router._time_to_sleep_before_retry = recorded_sleep


async def _drive(router: Any, group: str) -> tuple[Any, Exception | None, float]:
    started = time.perf_counter()
    response: Any = None
    error: Exception | None = None
    try:
        response = await router.acompletion(
            model=group, messages=[{"role": "user", "content": PROMPT}]
        )
    except Exception as exc:
        error = exc
    seconds = time.perf_counter() - started
    await _drain_logging()
    return response, error, seconds


async def _drain_logging() -> None:
    """Let LiteLLM's success logging finish, then stop its worker before the loop closes."""
    from litellm.litellm_core_utils.logging_worker import GLOBAL_LOGGING_WORKER

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(GLOBAL_LOGGING_WORKER.flush(), LOGGING_FLUSH_TIMEOUT)
    await GLOBAL_LOGGING_WORKER.stop()
