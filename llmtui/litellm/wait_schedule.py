"""The waits LiteLLM really applies between retries, and how many retries it makes.

LiteLLM's backoff is not configurable per error: `Router._time_to_sleep_before_retry`
returns 0 while another healthy deployment of the group exists, otherwise
`litellm.calculate_retry_after`: an upstream `retry-after` header of 1-60 s is obeyed,
else `min(max(0.5 * 2**n, retry_after), 8)`, plus up to 0.75 s of jitter.

`Router.async_function_with_retries` sleeps before each retry and once more after the
last retry fails, before it gives up on the group and falls back: with 3 retries that is
four waits (n = 0, 1, 2, 3), not three. This module mirrors that without importing
litellm, so the policy screen can show it instantly; tests check it against LiteLLM.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

# litellm/constants.py defaults; the proxy reads INITIAL_RETRY_DELAY, MAX_RETRY_DELAY
# and JITTER from its environment, so they are parameters here.
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
JITTER = 0.75
# calculate_retry_after obeys a retry-after header only in (0, 60] seconds.
MAX_HEADER_RETRY_AFTER = 60
# openai.DEFAULT_MAX_RETRIES: what a Router uses when num_retries is not set anywhere.
ROUTER_DEFAULT_NUM_RETRIES = 2

# RetryPolicy fields LiteLLM consults for each failure, most specific exception class first
# (litellm/router_utils/get_retry_from_policy.py walks the exception's MRO); when none is
# set it uses DefaultRetries.
POLICY_FIELDS: dict[str, tuple[str, ...]] = {
    "rate_limit": ("RateLimitErrorRetries",),
    "timeout": ("TimeoutErrorRetries",),
    "server_error": ("InternalServerErrorRetries",),
    "service_unavailable": ("ServiceUnavailableErrorRetries",),
    "content_policy": ("ContentPolicyViolationErrorRetries", "BadRequestErrorRetries"),
    "context_window": ("BadRequestErrorRetries",),
    "bad_request": ("BadRequestErrorRetries",),
    "auth": ("AuthenticationErrorRetries",),
    "not_found": ("NotFoundErrorRetries",),
    "connection": (),
    "default": (),
}


@dataclass(frozen=True)
class Backoff:
    """LiteLLM's constants; override them where the proxy's environment does."""

    initial: float = INITIAL_RETRY_DELAY
    maximum: float = MAX_RETRY_DELAY
    jitter: float = JITTER


DEFAULT_BACKOFF = Backoff()


def backoff_range(
    remaining_retries: int,
    max_retries: int,
    min_timeout: float = 0,
    header_retry_after: int | None = None,
    backoff: Backoff = DEFAULT_BACKOFF,
) -> tuple[float, float]:
    """Bounds of `litellm.calculate_retry_after` (jitter is in [0, backoff.jitter))."""
    if header_retry_after is not None and 0 < header_retry_after <= MAX_HEADER_RETRY_AFTER:
        return float(header_retry_after), header_retry_after + backoff.jitter
    attempt = max_retries - remaining_retries
    base = min(max(backoff.initial * 2.0**attempt, min_timeout), backoff.maximum)
    return base, base + backoff.jitter


def sleep_range(
    remaining_retries: int,
    num_retries: int,
    retry_after: float = 0,
    healthy_deployments: int | None = None,
    all_deployments: int | None = None,
    header_retry_after: int | None = None,
    backoff: Backoff = DEFAULT_BACKOFF,
) -> tuple[float, float]:
    """Bounds of `Router._time_to_sleep_before_retry`: immediate while a sibling is healthy."""
    single = all_deployments is not None and all_deployments == 1
    if not single and healthy_deployments:
        return 0.0, 0.0
    return backoff_range(
        remaining_retries, num_retries, retry_after or 0, header_retry_after, backoff
    )


def retries_for(
    failure: str,
    retry_policy: Mapping[str, Any] | None,
    num_retries: int | None,
) -> tuple[int, bool]:
    """(retries, from_policy) as `async_function_with_retries` decides them.

    Without a retry policy LiteLLM also consults `should_retry_this_error`, which may skip
    retries (e.g. a rate limit when fallbacks exist and no other deployment is healthy);
    llmtui always writes a retry_policy, so that path is only reported, not modelled.
    """
    if failure not in POLICY_FIELDS:
        raise ValueError(f"unknown failure type {failure!r}")
    if retry_policy:
        for name in (*POLICY_FIELDS[failure], "DefaultRetries"):
            value = retry_policy.get(name)
            if value is not None:
                return int(value), True
    return (ROUTER_DEFAULT_NUM_RETRIES if num_retries is None else int(num_retries)), False


@dataclass(frozen=True)
class Wait:
    """One sleep: `before` is 'retry N' or 'fallback' (after the last retry failed)."""

    before: str
    low: float
    high: float


@dataclass(frozen=True)
class WaitSchedule:
    failure: str
    retries: int
    from_policy: bool
    waits: tuple[Wait, ...]
    deployments_in_group: int

    @property
    def total_low(self) -> float:
        return sum(w.low for w in self.waits)

    @property
    def total_high(self) -> float:
        return sum(w.high for w in self.waits)

    @property
    def immediate_note(self) -> str | None:
        if self.deployments_in_group > 1 and self.retries:
            return (
                f"the group has {self.deployments_in_group} deployments, so a retry is "
                "immediate while another of them is healthy (not cooling down)"
            )
        return None

    def describe(self) -> str:
        """One line: 'retry 1 after 0.5–1.25 s, ..., then 4–4.75 s before falling back; ...'."""
        if not self.waits:
            return "no retries: falls back at once"
        parts = [
            f"{w.before} after {_s(w.low)}–{_s(w.high)} s"
            if w.before != "fallback"
            else f"then {_s(w.low)}–{_s(w.high)} s before falling back"
            for w in self.waits
        ]
        text = ", ".join(parts) + f"; at most {_s(self.total_high)} s in all"
        note = self.immediate_note
        return f"{text}; {note}" if note else text

    def to_json(self) -> dict[str, Any]:
        return {
            "failure": self.failure,
            "retries": self.retries,
            "from_policy": self.from_policy,
            "waits": [asdict(w) for w in self.waits],
            "total_low_s": round(self.total_low, 3),
            "total_high_s": round(self.total_high, 3),
            "deployments_in_group": self.deployments_in_group,
            "immediate_note": self.immediate_note,
            "text": self.describe(),
        }


def _s(seconds: float) -> str:
    return f"{seconds:.2f}".rstrip("0").rstrip(".")


def schedule(
    failure: str,
    retry_policy: Mapping[str, Any] | None = None,
    num_retries: int | None = None,
    retry_after: float | None = 0,
    deployments_in_group: int = 1,
    header_retry_after: int | None = None,
    backoff: Backoff = DEFAULT_BACKOFF,
) -> WaitSchedule:
    """Worst case for one group: every deployment of it failing (so none is healthy)."""
    retries, from_policy = retries_for(failure, retry_policy, num_retries)
    waits = []
    if retries > 0:
        # First sleep: remaining == retries; after retry k fails: remaining == retries - k.
        for done in range(retries + 1):
            low, high = backoff_range(
                retries - done, retries, retry_after or 0, header_retry_after, backoff
            )
            before = f"retry {done + 1}" if done < retries else "fallback"
            waits.append(Wait(before, round(low, 6), round(high, 6)))
    return WaitSchedule(failure, retries, from_policy, tuple(waits), deployments_in_group)


def schedule_for_config(
    config: Mapping[str, Any], group: str, failure: str, backoff: Backoff = DEFAULT_BACKOFF
) -> WaitSchedule:
    """The schedule for `group` under a rendered litellm config (router_settings)."""
    router = config.get("router_settings") or {}
    policy = router.get("retry_policy")
    per_group = router.get("model_group_retry_policy") or {}
    if isinstance(per_group, Mapping) and group in per_group:
        policy = per_group[group]
    deployments = sum(1 for m in config.get("model_list") or [] if m.get("model_name") == group)
    return schedule(
        failure,
        policy,
        router.get("num_retries"),
        router.get("retry_after"),
        deployments_in_group=max(deployments, 1),
        backoff=backoff,
    )
