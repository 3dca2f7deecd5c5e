"""Background health: a connection test of every enabled provider, one at a time.

The TUI runs a round every `health_interval` seconds (0 = off). Tests run one after the
other so a round costs one upstream call at a time; results are stored like a manual
test, but audited only when a provider's result changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from llmtui.errors import MasterKeyError, NotFound
from llmtui.services import settings as settings_service
from llmtui.services.context import AppContext
from llmtui.services.providers import TestOutcome, list_providers, test_provider

OnTested = Callable[[TestOutcome], Awaitable[None] | None]


@dataclass
class HealthRound:
    tested: list[str] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)
    blocked: str | None = None
    """Why the round stopped early (the master key is locked or missing)."""


async def interval(ctx: AppContext) -> float:
    """Seconds between rounds; 0 means off. Read without the master key."""
    return float(await settings_service.get_plain(ctx, "health_interval") or 0)


async def run_round(ctx: AppContext, on_tested: OnTested | None = None) -> HealthRound:
    """Test each enabled provider in turn; `on_tested` sees each outcome as it lands."""
    result = HealthRound()
    names = [p.name for p in await list_providers(ctx) if p.enabled]
    for name in names:
        try:
            outcome = await test_provider(ctx, name, quiet=True)
        except NotFound:
            continue  # removed while the round ran
        except MasterKeyError as exc:  # locked or unreadable: nobody to ask in the background
            result.blocked = str(exc)
            break
        result.tested.append(name)
        if not outcome.result.ok:
            result.failing.append(name)
        if on_tested is not None:
            done = on_tested(outcome)
            if done is not None:
                await done
    return result
