"""The waits LiteLLM will really apply with the stored policies and router settings."""

from __future__ import annotations

from llmtui.litellm.error_types import ERROR_TYPES
from llmtui.litellm.wait_schedule import WaitSchedule, schedule_for_config
from llmtui.services.config import render_config
from llmtui.services.context import AppContext

# The policy error types, plus the simulated failures that have no policy of their own.
SCHEDULED_FAILURES = (*ERROR_TYPES, "connection", "context_window")


async def wait_schedules(ctx: AppContext, group: str | None = None) -> dict[str, WaitSchedule]:
    """Per failure, from the config an apply would write (no secrets needed).

    With a group, its deployment count and any per-group retry policy are taken into
    account; without one, the schedule is for a single-deployment group (the worst case).
    """
    rendered = await render_config(ctx, with_secrets=False)
    data = rendered.rendered.data
    return {f: schedule_for_config(data, group or "", f) for f in SCHEDULED_FAILURES}
