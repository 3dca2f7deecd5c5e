"""Models (LiteLLM deployments): add, list, enable/disable, edit.

Sync from the provider lives in model_sync.py (re-exported here for the front ends).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from llmtui.errors import AlreadyExists, ConflictError, InvalidInput, LlmtuiError, NotFound
from llmtui.litellm import model_map
from llmtui.services import audit
from llmtui.services import providers as provider_service
from llmtui.services.context import AppContext, now
from llmtui.services.model_sync import SyncReport, prefill, sync_models
from llmtui.services.provider_views import load_provider
from llmtui.services.validation import (
    check_cost,
    check_name,
    check_positive_int,
    check_text,
)
from llmtui.store.schema import Deployment, Provider

UNSET: Any = provider_service.UNSET
KNOWN_CAPABILITIES = ("streaming", *model_map.CAPABILITY_FLAGS.values())

__all__ = [
    "KNOWN_CAPABILITIES",
    "UNSET",
    "ModelFields",
    "ModelView",
    "SyncReport",
    "add_model",
    "edit_model",
    "get_model",
    "list_models",
    "set_groups_enabled",
    "set_models_enabled",
    "sync_models",
]


@dataclass(frozen=True)
class ModelView:
    id: int
    provider: str
    provider_type: str
    upstream_model: str
    group: str
    display_name: str | None
    enabled: bool
    input_cost_per_1m: float | None
    output_cost_per_1m: float | None
    context_window: int | None
    max_output_tokens: int | None
    capabilities: list[str]
    source: str
    stable_id: str
    version: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def audit_form(self) -> dict[str, Any]:
        data = self.to_json()
        for key in ("id", "version", "stable_id"):
            data.pop(key)
        return data


@dataclass
class ModelFields:
    group: str = UNSET
    display_name: str | None = UNSET
    enabled: bool = UNSET
    input_cost_per_1m: float | None = UNSET
    output_cost_per_1m: float | None = UNSET
    context_window: int | None = UNSET
    max_output_tokens: int | None = UNSET
    capabilities: list[str] = UNSET


_COLUMNS = (
    Deployment.id,
    Provider.name,
    Provider.type,
    Deployment.upstream_model,
    Deployment.group_name,
    Deployment.display_name,
    Deployment.enabled,
    Deployment.input_cost_per_1m,
    Deployment.output_cost_per_1m,
    Deployment.context_window,
    Deployment.max_output_tokens,
    Deployment.capabilities,
    Deployment.source,
    Deployment.stable_id,
    Deployment.version,
)


def _row_view(row: Any) -> ModelView:
    return ModelView(*row[:11], list(row[11] or []), *row[12:])


def _orm_view(d: Deployment, p: Provider) -> ModelView:
    return ModelView(
        id=d.id,
        provider=p.name,
        provider_type=p.type,
        upstream_model=d.upstream_model,
        group=d.group_name,
        display_name=d.display_name,
        enabled=d.enabled,
        input_cost_per_1m=d.input_cost_per_1m,
        output_cost_per_1m=d.output_cost_per_1m,
        context_window=d.context_window,
        max_output_tokens=d.max_output_tokens,
        capabilities=list(d.capabilities or []),
        source=d.source,
        stable_id=d.stable_id,
        version=d.version,
    )


def _check_capabilities(values: list[str]) -> list[str]:
    unknown = sorted(set(values) - set(KNOWN_CAPABILITIES))
    if unknown:
        raise InvalidInput(
            f"unknown capability {', '.join(unknown)}; known: {', '.join(KNOWN_CAPABILITIES)}"
        )
    return [c for c in KNOWN_CAPABILITIES if c in values]


def _apply_fields(d: Deployment, fields: ModelFields) -> None:
    if fields.group is not UNSET:
        d.group_name = check_name(fields.group, "group name")
    if fields.display_name is not UNSET:
        d.display_name = check_text(fields.display_name or None, "display name")
    if fields.enabled is not UNSET:
        d.enabled = bool(fields.enabled)
    if fields.input_cost_per_1m is not UNSET:
        d.input_cost_per_1m = check_cost(fields.input_cost_per_1m, "input cost")
    if fields.output_cost_per_1m is not UNSET:
        d.output_cost_per_1m = check_cost(fields.output_cost_per_1m, "output cost")
    if fields.context_window is not UNSET:
        d.context_window = check_positive_int(fields.context_window, "context window")
    if fields.max_output_tokens is not UNSET:
        d.max_output_tokens = check_positive_int(fields.max_output_tokens, "max output tokens")
    if fields.capabilities is not UNSET:
        d.capabilities = _check_capabilities(list(fields.capabilities or []))


async def add_model(
    ctx: AppContext, provider: str, upstream_model: str, fields: ModelFields
) -> ModelView:
    check_name(upstream_model, "model name")
    async with ctx.store.write() as session:
        p = await load_provider(session, provider)
        group = upstream_model if fields.group is UNSET else fields.group
        clash = await session.scalar(
            select(Deployment.id).where(
                Deployment.provider_id == p.id,
                Deployment.upstream_model == upstream_model,
                Deployment.group_name == group,
            )
        )
        if clash is not None:
            raise AlreadyExists(f"{provider} already serves {upstream_model!r} in group {group!r}")
        ts = now()
        d = Deployment(
            provider_id=p.id,
            upstream_model=upstream_model,
            group_name=group,
            enabled=True,
            capabilities=[],
            extra_params={},
            extra_model_info={},
            stable_id=uuid.uuid4().hex,
            source="manual",
            created_at=ts,
            updated_at=ts,
        )
        if fields.group is UNSET:
            fields.group = group
        _apply_fields(d, fields)
        prefill(d, p.type)
        session.add(d)
        await session.flush()
        view = _orm_view(d, p)
        audit.record(session, "model.add", "model", _label(view), None, view.audit_form())
    return view


def _label(view: ModelView) -> str:
    return f"{view.provider}/{view.upstream_model}"


async def list_models(
    ctx: AppContext,
    provider: str | None = None,
    enabled: bool | None = None,
    group: str | None = None,
) -> list[ModelView]:
    """Rows straight from one joined SELECT: cheap enough for 10,000 models."""
    query = (
        select(*_COLUMNS)
        .join(Provider, Provider.id == Deployment.provider_id)
        .where(Provider.deleted_at.is_(None))
        .order_by(Deployment.group_name, Provider.name, Deployment.upstream_model)
    )
    async with ctx.store.read() as session:
        if provider is not None:
            await load_provider(session, provider)
            query = query.where(Provider.name == provider)
        if enabled is not None:
            query = query.where(Deployment.enabled.is_(enabled))
        if group is not None:
            query = query.where(Deployment.group_name == group)
        rows = (await session.execute(query)).all()
    return [_row_view(r) for r in rows]


async def get_model(ctx: AppContext, model_id: int) -> ModelView:
    async with ctx.store.read() as session:
        d = await session.get(Deployment, model_id)
        if d is None:
            raise NotFound(f"no model with id {model_id}")
        p = await session.get(Provider, d.provider_id)
        return _orm_view(d, p)


async def set_groups_enabled(
    ctx: AppContext, groups: list[str], enabled: bool, provider: str | None = None
) -> int:
    """Enable/disable every deployment of the named groups; unknown names change nothing."""
    if not groups:
        raise InvalidInput("name at least one model group")
    async with ctx.store.write() as session:
        query = (
            select(Deployment, Provider)
            .join(Provider, Provider.id == Deployment.provider_id)
            .where(Deployment.group_name.in_(groups), Provider.deleted_at.is_(None))
        )
        if provider is not None:
            await load_provider(session, provider)
            query = query.where(Provider.name == provider)
        rows = (await session.execute(query)).all()
        found = {d.group_name for d, _ in rows}
        missing = [g for g in groups if g not in found]
        if missing:
            where = f" on {provider}" if provider else ""
            raise NotFound(f"no model group named {', '.join(map(repr, missing))}{where}")
        return _set_enabled_rows(session, rows, enabled)


async def set_models_enabled(
    ctx: AppContext,
    model_ids: list[int],
    enabled: bool,
    expected_versions: dict[int, int] | None = None,
) -> int:
    """Bulk toggle by id (the Models screen's selection)."""
    async with ctx.store.write() as session:
        rows = (
            await session.execute(
                select(Deployment, Provider)
                .join(Provider, Provider.id == Deployment.provider_id)
                .where(Deployment.id.in_(model_ids))
            )
        ).all()
        if len(rows) != len(set(model_ids)):
            raise NotFound("some selected models no longer exist; reload")
        for d, p in rows:
            if p.deleted_at is not None and enabled:
                raise LlmtuiError(f"provider {p.name!r} is removed; its models cannot be enabled")
            if expected_versions and expected_versions.get(d.id, d.version) != d.version:
                raise ConflictError(
                    f"model {p.name}/{d.upstream_model} was changed elsewhere; reload"
                )
        return _set_enabled_rows(session, rows, enabled)


def _set_enabled_rows(session: AsyncSession, rows: list[Any], enabled: bool) -> int:
    changed = 0
    ts = now()
    for d, p in rows:
        if d.enabled != enabled:
            if enabled and not p.enabled:
                raise LlmtuiError(f"provider {p.name!r} is disabled; enable it first")
            d.enabled = enabled
            d.updated_at = ts
            changed += 1
            audit.record(
                session,
                "model.enable" if enabled else "model.disable",
                "model",
                f"{p.name}/{d.upstream_model}",
                {"group": d.group_name, "enabled": not enabled},
                {"group": d.group_name, "enabled": enabled},
            )
    return changed


async def edit_model(
    ctx: AppContext, model_id: int, fields: ModelFields, expected_version: int | None = None
) -> ModelView:
    async with ctx.store.write() as session:
        d = await session.get(Deployment, model_id)
        if d is None:
            raise NotFound(f"no model with id {model_id}")
        p = await session.get(Provider, d.provider_id)
        if expected_version is not None and d.version != expected_version:
            raise ConflictError(
                f"model {p.name}/{d.upstream_model} was changed elsewhere since you opened it; "
                "reload and try again"
            )
        before = _orm_view(d, p).audit_form()
        _apply_fields(d, fields)
        d.updated_at = now()
        await session.flush()
        view = _orm_view(d, p)
        if view.audit_form() != before:
            audit.record(session, "model.edit", "model", _label(view), before, view.audit_form())
    return view
