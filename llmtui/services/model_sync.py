"""Model sync: list a provider's upstream models and upsert them, prefilled from the map.

Prices, context windows and capabilities come from the model map that ships inside the
installed `litellm` package (read as JSON, never by importing litellm).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from llmtui.errors import LlmtuiError
from llmtui.litellm import model_map
from llmtui.litellm.provider_types import provider_type
from llmtui.services import audit
from llmtui.services.context import AppContext, now
from llmtui.services.provider_connection import test_provider
from llmtui.services.provider_views import load_provider
from llmtui.store.schema import Deployment


@dataclass
class SyncReport:
    provider: str
    listed: int
    added: int
    prefilled: int
    unchanged: int
    missing_upstream: list[str]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def prefill(d: Deployment, ptype_id: str) -> bool:
    """Fill empty price/context/capability fields from LiteLLM's model map."""
    facts = model_map.lookup(provider_type(ptype_id), d.upstream_model)
    if facts is None:
        return False
    changed = False
    for attr, value in (
        ("input_cost_per_1m", facts.input_cost_per_1m),
        ("output_cost_per_1m", facts.output_cost_per_1m),
        ("context_window", facts.context_window),
        ("max_output_tokens", facts.max_output_tokens),
    ):
        if getattr(d, attr) is None and value is not None:
            setattr(d, attr, value)
            changed = True
    if not d.capabilities and facts.capabilities:
        d.capabilities = list(facts.capabilities)
        changed = True
    return changed


async def sync_models(ctx: AppContext, provider: str) -> SyncReport:
    """List the provider's models and upsert them (new ones disabled), prefilled from the map."""
    outcome = await test_provider(ctx, provider)
    if not outcome.result.ok:
        raise LlmtuiError(f"cannot list models of {provider}: {outcome.result.error}")
    listed = outcome.result.models
    async with ctx.store.write() as session:
        p = await load_provider(session, provider)
        existing = (
            await session.scalars(select(Deployment).where(Deployment.provider_id == p.id))
        ).all()
        by_model: dict[str, list[Deployment]] = {}
        for d in existing:
            by_model.setdefault(d.upstream_model, []).append(d)
        added = prefilled = unchanged = 0
        ts = now()
        for name in listed:
            if name in by_model:
                if any(prefill(d, p.type) for d in by_model[name]):
                    prefilled += 1
                else:
                    unchanged += 1
                continue
            d = Deployment(
                provider_id=p.id,
                upstream_model=name,
                group_name=name,
                enabled=False,
                capabilities=[],
                extra_params={},
                extra_model_info={},
                stable_id=uuid.uuid4().hex,
                source="sync",
                created_at=ts,
                updated_at=ts,
            )
            prefill(d, p.type)
            session.add(d)
            added += 1
        missing = sorted(set(by_model) - set(listed))
        report = SyncReport(provider, len(listed), added, prefilled, unchanged, missing)
        summary = report.to_json() | {"missing_upstream": len(missing)}
        # New models arrive disabled; only prefilled prices of existing ones change the config.
        audit.record(
            session, "model.sync", "provider", provider, None, summary, affects_config=prefilled > 0
        )
    return report
