"""How a provider row is shown: the masked view, its status, and its model counts.

Shared by the provider use cases (providers.py) and the connection test (provider_connection.py).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from llmtui.errors import NotFound
from llmtui.litellm.provider_types import provider_type
from llmtui.store.schema import Deployment, Provider

STALE_AFTER_S = 3600.0


@dataclass(frozen=True)
class ProviderView:
    id: int
    name: str
    type: str
    api_base: str | None
    api_version: str | None
    region: str | None
    key_mask: str | None
    key_env: str | None
    has_key: bool
    enabled: bool
    deleted: bool
    status: str
    last_test_at: float | None
    last_test_ok: bool | None
    last_test_latency_ms: float | None
    last_test_model_count: int | None
    last_test_error: str | None
    last_test_endpoint: str | None
    model_count: int
    enabled_model_count: int
    version: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def audit_form(self) -> dict[str, Any]:
        """The masked, stable part of a provider for before/after in the audit log."""
        keys = ("name", "type", "api_base", "api_version", "region", "key_mask", "key_env")
        return {k: getattr(self, k) for k in keys} | {"enabled": self.enabled}


def status_of(p: Provider, at: float | None = None) -> str:
    """connected / stale / failing / never, as the providers list colours them."""
    if p.last_test_at is None:
        return "never"
    if not p.last_test_ok:
        return "failing"
    if (at or time.time()) - p.last_test_at > STALE_AFTER_S:
        return "stale"
    return "connected"


def view_of(p: Provider, counts: tuple[int, int] = (0, 0)) -> ProviderView:
    ptype = provider_type(p.type)
    return ProviderView(
        id=p.id,
        name=p.name,
        type=p.type,
        api_base=p.api_base or ptype.default_api_base,
        api_version=p.api_version,
        region=p.region,
        key_mask=p.key_mask,
        key_env=p.key_env,
        has_key=bool(p.secret_token or p.key_env),
        enabled=p.enabled,
        deleted=p.deleted_at is not None,
        status=status_of(p),
        last_test_at=p.last_test_at,
        last_test_ok=p.last_test_ok,
        last_test_latency_ms=p.last_test_latency_ms,
        last_test_model_count=p.last_test_model_count,
        last_test_error=p.last_test_error,
        last_test_endpoint=p.last_test_endpoint,
        model_count=counts[0],
        enabled_model_count=counts[1],
        version=p.version,
    )


async def model_counts(
    session: AsyncSession, provider_ids: list[int]
) -> dict[int, tuple[int, int]]:
    if not provider_ids:
        return {}
    rows = await session.execute(
        select(
            Deployment.provider_id,
            func.count(),
            func.sum(case((Deployment.enabled.is_(True), 1), else_=0)),
        )
        .where(Deployment.provider_id.in_(provider_ids))
        .group_by(Deployment.provider_id)
    )
    return {pid: (int(total), int(enabled or 0)) for pid, total, enabled in rows}


async def load_provider(
    session: AsyncSession, name: str, include_deleted: bool = False
) -> Provider:
    provider = await session.scalar(select(Provider).where(Provider.name == name))
    if provider is None or (provider.deleted_at is not None and not include_deleted):
        raise NotFound(f"no provider named {name!r}")
    return provider
