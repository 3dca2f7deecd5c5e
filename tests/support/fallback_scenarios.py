"""The Fallbacks screen's demo store and snapshot scenarios (chains, a grab, the policy
editor, a test timeline), on top of `tui_scenarios.seed_demo`'s providers and models.

Everything is written through the services on a fixed clock; a test's timings, which are
real, are pinned before the frame is taken.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

NOW = 1_795_000_000.0  # tui_scenarios.NOW
MASTER_KEY = "c25hcHNob3Qtc25hcHNob3Qtc25hcHNob3Qtc25hcDA="

# (provider, upstream, group): extra deployments for the chains below.
EXTRA_MODELS = [
    ("bedrock-us", "anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-sonnet"),
    ("groq", "llama-3.1-8b-instant", "fast"),
]
# (group, kind, fallbacks)
CHAINS = [
    ("gpt-4o", "general", ["claude-sonnet", "gpt-4o-mini"]),
    ("gpt-4o", "context_window", ["claude-sonnet"]),
    ("claude-sonnet", "general", ["gpt-4o-mini"]),
    ("local-chat", "general", ["gpt-4o-mini", "claude-sonnet"]),
    ("fast", "general", ["guard"]),  # guard is disabled afterwards: an invalid chain
]
# (group, seconds before NOW, trigger, outcome, served by, position, source)
EVENTS = [
    ("gpt-4o", 240, "rate_limit", "fallback_served", "claude-sonnet", 1, "simulated"),
    ("local-chat", 7200, "connection", "all_failed", None, None, "simulated"),
    ("claude-sonnet", 900, "server_error", "primary_served", "claude-sonnet", 0, "simulated"),
    ("gpt-4o", 180, "rate_limit", "served", "claude-sonnet", 1, "proxy"),
]


def seed_fallbacks(home: Path) -> None:
    """Chains, one invalid chain, tests and live traffic, as if made before NOW."""
    from llmtui.services import audit, context, fallbacks, models, policies, test_history

    ticks = itertools.count()

    def clock() -> float:
        return NOW - 1200 + 7 * next(ticks)

    modules = (audit, context, models, fallbacks, policies, test_history)
    saved = [(m, m.now) for m in modules]
    saved_user = audit.os_user
    os.environ["LLMTUI_MASTER_KEY"] = MASTER_KEY
    try:
        for module in modules:
            module.now = clock  # type: ignore[attr-defined]
        audit.os_user = lambda: "operator"  # type: ignore[assignment]
        # build_app may run inside an event loop (make screenshots): seed on a thread.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, _seed(home)).result()
    finally:
        for module, value in saved:
            module.now = value  # type: ignore[attr-defined]
        audit.os_user = saved_user  # type: ignore[assignment]
        os.environ.pop("LLMTUI_MASTER_KEY", None)


async def _seed(home: Path) -> None:
    from llmtui.services.context import AppContext
    from llmtui.services.fallbacks import set_chain
    from llmtui.services.models import ModelFields, add_model, list_models, set_models_enabled
    from llmtui.services.policies import set_policy, set_router_settings

    ctx = AppContext.open(home)
    try:
        for provider, upstream, group in EXTRA_MODELS:
            await add_model(ctx, provider, upstream, ModelFields(group=group, enabled=True))
        guard = [m.id for m in await list_models(ctx) if m.group == "guard"]
        await set_models_enabled(ctx, guard, True)
        for group, kind, targets in CHAINS:
            await set_chain(ctx, group, targets, kind)
        await set_models_enabled(ctx, guard, False)
        await set_policy(ctx, "timeout", retries=2, allowed_fails=5)
        await set_router_settings(ctx, {"cooldown_time": 30, "timeout": 60})
        await _events(ctx)
    finally:
        await ctx.close()


async def _events(ctx: Any) -> None:
    from llmtui.services.test_history import record_test
    from llmtui.store.schema import FallbackEvent

    async with ctx.store.write() as session:
        for n, (group, ago, trigger, outcome, served, position, source) in enumerate(EVENTS):
            if source == "proxy":
                session.add(
                    FallbackEvent(
                        occurred_at=NOW - ago,
                        group_name=group,
                        trigger=trigger,
                        status_code=429,
                        served_by=served,
                        served_position=position,
                        outcome=outcome,
                        attempts=2,
                        latency_ms=812.0,
                        source=source,
                        detail=None,
                        dedupe_key=f"proxy:demo-{n}",
                    )
                )
                continue
            event = record_test(
                session,
                group=group,
                trigger=trigger,
                outcome=outcome,
                served_by=served,
                served_position=position,
                attempts=4,
                latency_ms=11.0,
                source=source,
                detail={"depth": 1},
            )
            event.occurred_at = NOW - ago


def pin_timings(result: Any) -> Any:
    """A copy of a SimulationResult with fixed times (a frame must not depend on speed)."""
    attempts = []
    for n, attempt in enumerate(result.attempts):
        waited = attempt.waited_configured_s
        if waited is not None:  # LiteLLM adds random jitter: show the low end of its range
            bounds = attempt.waited_range_s
            waited = bounds[0] if bounds is not None else 0.5 * 2 ** max(attempt.retry - 1, 0)
        attempts.append(
            dataclasses.replace(
                attempt,
                ms=2.0 + n % 3,
                waited_configured_s=waited,
                waited_elapsed_s=None if waited is None else 0.0001,
            )
        )
    configured = sum(a.waited_configured_s or 0.0 for a in attempts)
    return dataclasses.replace(
        result, attempts=attempts, total_ms=11.0, configured_wait_s=configured, elapsed_wait_s=0.0
    )


async def _settle(pilot: Pilot[Any]) -> None:
    from tests.support.tui_scenarios import settle

    await settle(pilot)


def fallback_keys(*pressed: str, wait: str = "") -> Any:
    """Open Fallbacks, go to gpt-4o (the fourth group), press keys."""
    from tests.support.tui_scenarios import keys

    return keys("3", "j", "j", "j", *pressed, wait=wait)


async def _timeline(pilot: Pilot[Any]) -> None:
    """A real simulated test of local-chat (rate limit, primary fails), timings pinned.

    local-chat and its first fallback have one deployment each: with two, LiteLLM's
    simple-shuffle picks either first and the frame would change from run to run.
    """
    from tests.support.tui import wait_for, wait_for_text
    from tests.support.tui_scenarios import keys

    await keys("3", "G", wait="local-chat")(pilot)
    await pilot.press("t")
    await wait_for_text(pilot, "Test local-chat")
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen.run is not None, timeout=60, what="the test")
    dialog = pilot.app.screen
    dialog.show_result(dataclasses.replace(dialog.run, result=pin_timings(dialog.run.result)))
    await _settle(pilot)


def fallback_scenarios() -> list[Any]:
    from tests.support.tui_scenarios import Scenario

    return [
        Scenario("fallbacks", fallback_keys(wait="⛓"), home="fallbacks"),
        Scenario(
            "fallbacks_grab",
            fallback_keys("enter", "j", "space", "j", wait="GRAB"),
            home="fallbacks",
        ),
        Scenario("fallbacks_invalid", fallback_keys("k", "enter", wait="guard"), home="fallbacks"),
        Scenario("fallbacks_add", fallback_keys("a", *"mini", wait="of"), home="fallbacks"),
        Scenario("fallbacks_policies", fallback_keys("p", wait="Wait schedule"), home="fallbacks"),
        Scenario("fallbacks_test_setup", fallback_keys("t", wait="Test gpt-4o"), home="fallbacks"),
        Scenario("fallbacks_test_timeline", _timeline, home="fallbacks"),
    ]
