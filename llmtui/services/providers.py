"""Providers: add, edit, soft-delete, list, test the connection, reveal the key."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from llmtui.errors import AlreadyExists, ConflictError, InvalidInput, NotFound
from llmtui.litellm.provider_types import ProviderType, provider_type
from llmtui.ops.probe import ProbeResult, ProbeTarget, probe_models
from llmtui.secrets.cipher import SecretBox
from llmtui.secrets.masking import mask_secret
from llmtui.services import audit
from llmtui.services import settings as settings_service
from llmtui.services.context import AppContext, now
from llmtui.services.validation import (
    check_env_name,
    check_name,
    check_secret,
    check_text,
    check_url,
)
from llmtui.store.schema import Deployment, Provider

STALE_AFTER_S = 3600.0
UNSET: Any = object()


@dataclass
class ProviderFields:
    """What a user may set; UNSET leaves a field as it is (edit)."""

    type: str = UNSET
    api_base: str | None = UNSET
    api_version: str | None = UNSET
    region: str | None = UNSET
    secrets: dict[str, str] | None = UNSET
    key_env: str | None = UNSET
    enabled: bool = UNSET
    new_name: str = UNSET


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


@dataclass
class RemoveOutcome:
    provider: ProviderView
    models_disabled: int


def status_of(p: Provider, at: float | None = None) -> str:
    """connected / stale / failing / never, as the providers list colours them."""
    if p.last_test_at is None:
        return "never"
    if not p.last_test_ok:
        return "failing"
    if (at or time.time()) - p.last_test_at > STALE_AFTER_S:
        return "stale"
    return "connected"


def _view(p: Provider, counts: tuple[int, int] = (0, 0)) -> ProviderView:
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


async def _counts(session: AsyncSession, provider_ids: list[int]) -> dict[int, tuple[int, int]]:
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


async def _load(session: AsyncSession, name: str, include_deleted: bool = False) -> Provider:
    provider = await session.scalar(select(Provider).where(Provider.name == name))
    if provider is None or (provider.deleted_at is not None and not include_deleted):
        raise NotFound(f"no provider named {name!r}")
    return provider


def _check_version(p: Provider, expected: int | None) -> None:
    if expected is not None and p.version != expected:
        raise ConflictError(
            f"provider {p.name!r} was changed elsewhere since you opened it; reload and try again"
        )


def _validate_secrets(ptype: ProviderType, secrets: dict[str, str]) -> dict[str, str]:
    cleaned = {k: check_secret(v.strip(), k.replace("_", " ")) for k, v in secrets.items() if v}
    unknown = set(cleaned) - set(ptype.secret_fields)
    if unknown:
        raise InvalidInput(f"{ptype.label} takes no {', '.join(sorted(unknown))}")
    primary = ptype.secret_fields[-1] if ptype.id == "bedrock" else "api_key"
    key = cleaned.get(primary)
    if key:
        problem = ptype.key_problem(key)
        if problem:
            raise InvalidInput(problem)
    if ptype.id == "bedrock" and key and not cleaned.get("aws_access_key_id"):
        raise InvalidInput("Bedrock needs an AWS access key id as well as the secret key")
    return cleaned


def _primary_secret(secrets: dict[str, str]) -> str | None:
    return secrets.get("api_key") or secrets.get("aws_secret_access_key")


async def _box_for(ctx: AppContext, fields: ProviderFields) -> SecretBox | None:
    """Resolve the key before the write transaction: first use may itself write."""
    if fields.secrets is not UNSET or fields.type is not UNSET:
        return await ctx.box()
    return None


def _apply_fields(
    p: Provider, fields: ProviderFields, box: SecretBox | None, creating: bool
) -> None:
    """Validate and copy fields onto the row; secrets are encrypted here."""
    if fields.type is not UNSET:
        p.type = provider_type(fields.type).id
    ptype = provider_type(p.type)
    if fields.api_base is not UNSET:
        p.api_base = check_url(fields.api_base) if fields.api_base else None
    if fields.api_version is not UNSET:
        p.api_version = check_text(fields.api_version or None, "API version")
    if fields.region is not UNSET:
        p.region = check_text(fields.region or None, "region")
    if fields.enabled is not UNSET:
        p.enabled = bool(fields.enabled)
    if fields.key_env is not UNSET:
        p.key_env = check_env_name(fields.key_env) if fields.key_env else None
        if p.key_env:
            p.secret_token, p.key_mask = None, None
    if fields.secrets is not UNSET and fields.secrets is not None:
        cleaned = _validate_secrets(ptype, fields.secrets)
        if cleaned:
            assert box is not None
            p.secret_token = box.encrypt(cleaned)
            p.key_mask = mask_secret(_primary_secret(cleaned))
            p.key_env = None
    elif fields.type is not UNSET and p.secret_token and not creating:
        assert box is not None
        _validate_secrets(ptype, box.decrypt(p.secret_token))

    if ptype.api_base_required and not p.api_base:
        raise InvalidInput(f"{ptype.label} needs --api-base (for example https://host/...)")
    if ptype.needs_api_version and not p.api_version:
        p.api_version = ptype.default_api_version
    if ptype.needs_region and not p.region:
        raise InvalidInput(f"{ptype.label} needs --region (for example us-east-1)")
    if not ptype.needs_api_version:
        p.api_version = None
    if not ptype.needs_region:
        p.region = None
    if ptype.key_required and not (p.secret_token or p.key_env):
        raise InvalidInput(
            f"{ptype.label} needs an API key: pass --key-stdin, --key-env VAR or --key-ref VAR"
        )


async def add_provider(ctx: AppContext, name: str, fields: ProviderFields) -> ProviderView:
    check_name(name, "provider name")
    if fields.type is UNSET:
        raise InvalidInput("a provider needs a type")
    provider_type(fields.type)
    box = await _box_for(ctx, fields)
    async with ctx.store.write() as session:
        existing = await session.scalar(select(Provider).where(Provider.name == name))
        if existing is not None and existing.deleted_at is None:
            raise AlreadyExists(f"a provider named {name!r} already exists")
        ts = now()
        if existing is None:
            p = Provider(name=name, options={}, enabled=True, created_at=ts, updated_at=ts)
            before = None
        else:  # re-adding a removed provider brings it back with the new settings
            p = existing
            before = _view(p).audit_form() | {"deleted": True}
            p.deleted_at, p.enabled, p.updated_at = None, True, ts
            p.secret_token = p.key_mask = p.key_env = None
            p.last_test_at = p.last_test_ok = p.last_test_error = None
        _apply_fields(p, fields, box, creating=True)
        session.add(p)
        await session.flush()
        view = _view(p)
        audit.record(session, "provider.add", "provider", name, before, view.audit_form())
    return view


async def edit_provider(
    ctx: AppContext, name: str, fields: ProviderFields, expected_version: int | None = None
) -> ProviderView:
    box = await _box_for(ctx, fields)
    async with ctx.store.write() as session:
        p = await _load(session, name)
        _check_version(p, expected_version)
        before = _view(p).audit_form()
        if fields.new_name is not UNSET and fields.new_name != name:
            check_name(fields.new_name, "provider name")
            clash = await session.scalar(select(Provider).where(Provider.name == fields.new_name))
            if clash is not None:
                raise AlreadyExists(f"a provider named {fields.new_name!r} already exists")
            p.name = fields.new_name
        _apply_fields(p, fields, box, creating=False)
        p.updated_at = now()
        await session.flush()
        counts = (await _counts(session, [p.id])).get(p.id, (0, 0))
        view = _view(p, counts)
        if view.audit_form() != before:
            audit.record(session, "provider.edit", "provider", p.name, before, view.audit_form())
    return view


async def remove_provider(
    ctx: AppContext, name: str, expected_version: int | None = None
) -> RemoveOutcome:
    """Soft delete: the row stays for history; its models are disabled."""
    async with ctx.store.write() as session:
        p = await _load(session, name)
        _check_version(p, expected_version)
        before = _view(p).audit_form()
        result = await session.execute(
            update(Deployment)
            .where(Deployment.provider_id == p.id, Deployment.enabled.is_(True))
            .values(enabled=False, updated_at=now(), version=Deployment.version + 1)
            .execution_options(synchronize_session=False)
        )
        p.deleted_at = now()
        p.enabled = False
        p.updated_at = now()
        await session.flush()
        view = _view(p)
        disabled = int(result.rowcount or 0)
        audit.record(
            session,
            "provider.remove",
            "provider",
            name,
            before,
            {"deleted": True, "models_disabled": disabled},
        )
    return RemoveOutcome(view, disabled)


async def list_providers(ctx: AppContext, include_deleted: bool = False) -> list[ProviderView]:
    query = select(Provider).order_by(Provider.name)
    if not include_deleted:
        query = query.where(Provider.deleted_at.is_(None))
    async with ctx.store.read() as session:
        rows = (await session.scalars(query)).all()
        counts = await _counts(session, [p.id for p in rows])
    return [_view(p, counts.get(p.id, (0, 0))) for p in rows]


async def get_provider(ctx: AppContext, name: str) -> ProviderView:
    async with ctx.store.read() as session:
        p = await _load(session, name)
        counts = await _counts(session, [p.id])
    return _view(p, counts.get(p.id, (0, 0)))


async def provider_secrets(ctx: AppContext, p: Provider) -> dict[str, str]:
    if p.secret_token:
        return (await ctx.box()).decrypt(p.secret_token)
    if p.key_env:
        import os

        value = os.environ.get(p.key_env)
        return {"api_key": value} if value else {}
    return {}


async def reveal_secrets(ctx: AppContext, name: str) -> dict[str, str]:
    """An explicit, audited action: the only way a stored key leaves the store."""
    async with ctx.store.read() as session:
        p = await _load(session, name)
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
        p = await _load(session, name)
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
        row = await _load(session, name)
        unchanged = row.last_test_at is not None and bool(row.last_test_ok) == result.ok
        row.last_test_at = now()
        row.last_test_ok = result.ok
        row.last_test_latency_ms = result.latency_ms
        row.last_test_model_count = len(result.models) if result.ok else None
        row.last_test_error = result.error
        row.last_test_endpoint = result.endpoint
        await session.flush()
        counts = (await _counts(session, [row.id])).get(row.id, (0, 0))
        view = _view(row, counts)
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
