"""Test a group's fallbacks without touching a provider: simulate, store, report.

The simulation runs LiteLLM's Router over exactly the config an apply would write
(rendered without secrets: the simulated router never needs a key), in a worker thread
so that neither LiteLLM's import nor the run blocks the caller's event loop.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import select

from llmtui.errors import InvalidInput, LlmtuiError, NotFound
from llmtui.litellm.simulate import check_failure, simulate
from llmtui.litellm.timeline import SimulationResult
from llmtui.services.config import render_config
from llmtui.services.context import AppContext
from llmtui.services.fallbacks import load_groups
from llmtui.services.test_history import LastTest, load_last_tests, store_result
from llmtui.store.schema import FallbackChain

DEPTHS = ("1", "2", "all")


@dataclass(frozen=True)
class FallbackTestRun:
    result: SimulationResult
    event_id: int


def parse_depth(value: str | int | None) -> int | None:
    """'all' (or None) -> None: every deployment fails; otherwise a chain length >= 1."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "all"):
        return None
    try:
        depth = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(
            f"depth must be a number of chain members or 'all' (got {value!r})"
        ) from None
    if depth < 1:
        raise InvalidInput(f"depth must be at least 1 (got {depth})")
    return depth


async def _check_group(ctx: AppContext, group: str) -> None:
    async with ctx.store.read() as session:
        groups = await load_groups(session)
        has_chain = await session.scalar(
            select(FallbackChain.id).where(FallbackChain.group_name == group).limit(1)
        )
    info = groups.get(group)
    if info is None and has_chain is None:
        raise NotFound(f"no model group named {group!r}")
    if info is None or info.enabled_deployments == 0:
        raise LlmtuiError(f"{group!r} has no enabled deployment, so there is nothing to test")


async def run_simulated(
    ctx: AppContext,
    group: str,
    failure: str,
    depth: int | None = 1,
    compress_waits: bool = True,
) -> FallbackTestRun:
    """Simulate `failure` reaching `depth` members down `group`'s chain; store the event."""
    check_failure(failure)
    await _check_group(ctx, group)
    rendered = await render_config(ctx, with_secrets=False)
    result = await asyncio.to_thread(
        simulate, rendered.rendered.data, group, failure, depth, compress_waits
    )
    async with ctx.store.write() as session:
        event_id = await store_result(session, result)
    return FallbackTestRun(result, event_id)


async def last_tests(ctx: AppContext) -> dict[str, LastTest]:
    async with ctx.store.read() as session:
        return await load_last_tests(session)


async def last_test(ctx: AppContext, group: str) -> LastTest | None:
    return (await last_tests(ctx)).get(group)
