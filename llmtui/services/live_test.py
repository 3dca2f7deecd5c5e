"""Live fallback drills: one real request through the running proxy, stored as a test.

`plan_live` checks everything that can be checked without sending (drill mode in the
applied config, the group, the proxy key, what LiteLLM can inject) and says what the
drill will do, for the confirmation a costly request needs; `run_live` sends it, builds
the timeline from the proxy's answer and stores a fallback event with source `live`.
The request's metadata carries `llmtui_drill`, so the proxy-side recorder marks it and
ingest does not count it a second time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from llmtui.errors import LlmtuiError, NotFound
from llmtui.litellm import live_drill, live_timeline
from llmtui.litellm.live_drill import Injection
from llmtui.litellm.simulate import check_failure
from llmtui.ops.proxy_request import post_chat
from llmtui.secrets.masking import scrub
from llmtui.services import settings as settings_service
from llmtui.services.context import AppContext
from llmtui.services.fallback_test import FallbackTestRun
from llmtui.services.test_history import store_result

REQUEST_TIMEOUT = 180.0
MOCK_REFUSED = "Mock testing request params are disabled"


@dataclass(frozen=True)
class LivePlan:
    """What a live drill will send, and to where; holds no secret."""

    group: str
    failure: str
    depth: int | None
    injection: Injection | None
    chain_kind: str | None
    chain: list[str]
    proxy_url: str
    config_path: Path
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """Two sentences for the confirmation prompt or dialog."""
        if self.injection is not None:
            what = f"inject {self.failure} ({self.injection.how})"
        else:
            what = "inject nothing (an ordinary request)"
        return (
            f"Send one real request for {self.group} through {self.proxy_url} and {what}; "
            f"chain: {' → '.join(self.chain)}. The fallbacks are real provider calls and "
            "may cost money."
        )


def _read_config(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LlmtuiError(
            f"no config has been applied at {path} yet: turn drill mode on and run `llmtui apply`"
        ) from None
    except OSError as exc:
        raise LlmtuiError(f"cannot read the applied config at {path}: {exc.strerror}") from None
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        raise LlmtuiError(f"the applied config at {path} is not valid YAML") from None
    if not isinstance(data, dict):
        raise LlmtuiError(f"the applied config at {path} is not a LiteLLM config")
    return data


async def plan_live(
    ctx: AppContext, group: str, failure: str, depth: int | None = 1, inject: bool = True
) -> LivePlan:
    """Check that a live drill can run and say what it will do; sends nothing."""
    check_failure(failure)
    values = await settings_service.get_all(ctx)
    path = Path(values["config_path"].value)
    config = await asyncio.to_thread(_read_config, path)
    if not live_drill.drill_mode_enabled(config):
        if values["drill_mode"].value:
            raise LlmtuiError(
                f"drill mode is on but not applied: {path} lacks general_settings."
                f"{live_drill.DRILL_MODE_KEY}; run `llmtui apply` first"
            )
        raise LlmtuiError(
            "live drills need drill mode: `llmtui settings set drill_mode true`, then "
            "`llmtui apply` (any caller with a proxy key can then inject failures; "
            "turn it off again afterwards)"
        )
    if group not in live_drill.config_groups(config):
        raise NotFound(f"{group!r} is not a model group in the applied config at {path}")
    if not values["proxy_key"].value:
        raise LlmtuiError(
            "live drills authenticate with the proxy's master key: set it with "
            "`llmtui settings set proxy_key KEY` or LLMTUI_PROXY_KEY"
        )
    injection = live_drill.injection_for(failure, depth) if inject else None
    kind, chain = live_drill.chain_for(config, group, failure)
    notes: list[str] = []
    if len(chain) == 1:
        notes.append(f"{group} has no fallback for {failure} in the applied config")
    retries = live_drill.rate_limit_retries(config)
    if injection is not None and injection.failure == "rate_limit" and retries:
        notes.append(
            f"rate-limit retries ({retries}) go to the real upstreams, so a group can "
            "still serve after its mock 429"
        )
    if injection is None:
        notes.append("nothing is injected: the timeline shows what the upstreams do now")
    return LivePlan(
        group, failure, depth, injection, kind, chain, values["proxy_url"].value, path, notes
    )


async def run_live(
    ctx: AppContext,
    group: str,
    failure: str,
    depth: int | None = 1,
    *,
    inject: bool = True,
    timeout: float = REQUEST_TIMEOUT,
) -> FallbackTestRun:
    """Send the drill, build its timeline from the proxy's answer, store it (source live)."""
    plan = await plan_live(ctx, group, failure, depth, inject)
    key = str(await settings_service.get(ctx, "proxy_key"))
    drill_id = live_drill.new_drill_id()
    body = live_drill.request_body(group, plan.injection, drill_id)
    answer = await post_chat(plan.proxy_url, key, body, timeout)
    _refuse_unusable(plan, answer)
    result = live_timeline.build(
        group=group,
        failure=failure,
        depth=depth,
        chain_kind=plan.chain_kind,
        chain=plan.chain,
        injection=plan.injection,
        answer=answer,
        proxy_url=plan.proxy_url,
        drill_id=drill_id,
    )
    result.notes[:0] = plan.notes
    _scrub(result, key)
    async with ctx.store.write() as session:
        event_id = await store_result(session, result)
    return FallbackTestRun(result, event_id)


def _refuse_unusable(plan: LivePlan, answer: live_timeline.ProxyAnswer) -> None:
    """Answers that say nothing about the chain: no event is stored for them."""
    message = live_timeline.error_message(answer.body)
    if answer.status in (401, 403):
        raise LlmtuiError(
            f"the proxy at {plan.proxy_url} refused the key (HTTP {answer.status}): set "
            "proxy_key to the proxy's master key"
        )
    if answer.status == 400 and MOCK_REFUSED in message:
        raise LlmtuiError(
            f"the proxy at {plan.proxy_url} refuses mock testing parameters: it is not "
            f"running the applied config with drill mode; restart it (`llmtui apply`)"
        )
    if not any(name.startswith("x-litellm-") for name in answer.headers):
        raise LlmtuiError(
            f"the server at {plan.proxy_url} answered HTTP {answer.status} without any "
            "x-litellm header: is proxy_url a LiteLLM proxy?"
        )


def _scrub(result: live_timeline.LiveResult, key: str) -> None:
    """The proxy may echo what it was sent; the key never reaches output or the store."""
    if result.error:
        result.error = scrub(result.error, [key])
    if result.response:
        result.response = scrub(result.response, [key])
    for attempt in result.attempts:
        if attempt.error:
            attempt.error = scrub(attempt.error, [key])
    for error in result.fallback_errors:
        error["error"] = scrub(str(error.get("error") or ""), [key])
