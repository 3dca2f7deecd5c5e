"""A provider's connection: its decrypted secrets, the explicit reveal, the live test."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from llmtui.litellm.provider_types import provider_type
from llmtui.ops.probe import ProbeResult, ProbeTarget, probe_models
from llmtui.services import audit
from llmtui.services import settings as settings_service
from llmtui.services.context import AppContext, now
from llmtui.services.provider_views import ProviderView, load_provider, model_counts, view_of
from llmtui.store.schema import Provider


@dataclass
class TestOutcome:
    provider: ProviderView
    result: ProbeResult

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider.name,
            "ok": self.result.ok,
            "endpoint": self.result.endpoint,
            "latency_ms": self.result.latency_ms,
            "status_code": self.result.status_code,
            "model_count": len(self.result.models) if self.result.ok else None,
            "models": self.result.models,
            "error": self.result.error,
            "attempts": self.result.attempts,
        }


async def provider_secrets(ctx: AppContext, p: Provider) -> dict[str, str]:
    if p.secret_token:
        return (await ctx.box()).decrypt(p.secret_token)
    if p.key_env:
        value = os.environ.get(p.key_env)
        return {"api_key": value} if value else {}
    return {}


async def reveal_secrets(ctx: AppContext, name: str) -> dict[str, str]:
    """An explicit, audited action: the only way a stored key leaves the store."""
    async with ctx.store.read() as session:
        p = await load_provider(session, name)
    secrets = await provider_secrets(ctx, p)
    async with ctx.store.write() as session:
        audit.record(session, "provider.reveal", "provider", name, affects_config=False)
    return secrets


async def test_provider(ctx: AppContext, name: str, quiet: bool = False) -> TestOutcome:
    """Call the real model-list endpoint; the outcome is stored and audited.

    `quiet` (background health) audits only a changed result, so a periodic test
    does not bury the audit log under identical entries.
    """
    async with ctx.store.read() as session:
        p = await load_provider(session, name)
    secrets = await provider_secrets(ctx, p)
    ptype = provider_type(p.type)
    if ptype.key_required and not secrets:
        missing = f"environment variable {p.key_env} is not set" if p.key_env else "no key stored"
        result = ProbeResult(ok=False, endpoint="", error=missing)
    else:
        values = await settings_service.get_all(ctx)
        result = await probe_models(
            ProbeTarget(ptype, p.api_base, secrets, p.api_version, p.region),
            connect_timeout=values["probe_connect_timeout"].value,
            read_timeout=values["probe_read_timeout"].value,
        )
    async with ctx.store.write() as session:
        row = await load_provider(session, name)
        unchanged = row.last_test_at is not None and bool(row.last_test_ok) == result.ok
        row.last_test_at = now()
        row.last_test_ok = result.ok
        row.last_test_latency_ms = result.latency_ms
        row.last_test_model_count = len(result.models) if result.ok else None
        row.last_test_error = result.error
        row.last_test_endpoint = result.endpoint
        await session.flush()
        counts = (await model_counts(session, [row.id])).get(row.id, (0, 0))
        view = view_of(row, counts)
        if not (quiet and unchanged):
            after: dict[str, Any] = {
                "ok": result.ok,
                "latency_ms": result.latency_ms,
                "model_count": view.last_test_model_count,
                "error": result.error,
            }
            if quiet:
                after["background"] = True
            audit.record(
                session, "provider.test", "provider", name, None, after, affects_config=False
            )
    return TestOutcome(view, result)
