"""Providers: add, edit, soft-delete, list.

The connection test and the key reveal live in provider_connection.py, the shared view in
provider_views.py; both are re-exported here for the front ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from llmtui.errors import AlreadyExists, ConflictError, InvalidInput
from llmtui.litellm.provider_types import ProviderType, provider_type
from llmtui.secrets.cipher import SecretBox
from llmtui.secrets.masking import mask_secret
from llmtui.services import audit
from llmtui.services.context import AppContext, now
from llmtui.services.provider_connection import (
    TestOutcome,
    provider_secrets,
    reveal_secrets,
    test_provider,
)
from llmtui.services.provider_views import (
    STALE_AFTER_S,
    ProviderView,
    load_provider,
    model_counts,
    status_of,
    view_of,
)
from llmtui.services.validation import (
    check_env_name,
    check_name,
    check_secret,
    check_text,
    check_url,
)
from llmtui.store.schema import Deployment, Provider

__all__ = [
    "STALE_AFTER_S",
    "UNSET",
    "ProviderFields",
    "ProviderView",
    "RemoveOutcome",
    "TestOutcome",
    "add_provider",
    "edit_provider",
    "get_provider",
    "list_providers",
    "provider_secrets",
    "remove_provider",
    "reveal_secrets",
    "status_of",
    "test_provider",
]

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


@dataclass
class RemoveOutcome:
    provider: ProviderView
    models_disabled: int


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
            before = view_of(p).audit_form() | {"deleted": True}
            p.deleted_at, p.enabled, p.updated_at = None, True, ts
            p.secret_token = p.key_mask = p.key_env = None
            p.last_test_at = p.last_test_ok = p.last_test_error = None
        _apply_fields(p, fields, box, creating=True)
        session.add(p)
        await session.flush()
        view = view_of(p)
        audit.record(session, "provider.add", "provider", name, before, view.audit_form())
    return view


async def edit_provider(
    ctx: AppContext, name: str, fields: ProviderFields, expected_version: int | None = None
) -> ProviderView:
    box = await _box_for(ctx, fields)
    async with ctx.store.write() as session:
        p = await load_provider(session, name)
        _check_version(p, expected_version)
        before = view_of(p).audit_form()
        if fields.new_name is not UNSET and fields.new_name != name:
            check_name(fields.new_name, "provider name")
            clash = await session.scalar(select(Provider).where(Provider.name == fields.new_name))
            if clash is not None:
                raise AlreadyExists(f"a provider named {fields.new_name!r} already exists")
            p.name = fields.new_name
        _apply_fields(p, fields, box, creating=False)
        p.updated_at = now()
        await session.flush()
        counts = (await model_counts(session, [p.id])).get(p.id, (0, 0))
        view = view_of(p, counts)
        if view.audit_form() != before:
            audit.record(session, "provider.edit", "provider", p.name, before, view.audit_form())
    return view


async def remove_provider(
    ctx: AppContext, name: str, expected_version: int | None = None
) -> RemoveOutcome:
    """Soft delete: the row stays for history; its models are disabled."""
    async with ctx.store.write() as session:
        p = await load_provider(session, name)
        _check_version(p, expected_version)
        before = view_of(p).audit_form()
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
        view = view_of(p)
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
        counts = await model_counts(session, [p.id for p in rows])
    return [view_of(p, counts.get(p.id, (0, 0))) for p in rows]


async def get_provider(ctx: AppContext, name: str) -> ProviderView:
    async with ctx.store.read() as session:
        p = await load_provider(session, name)
        counts = await model_counts(session, [p.id])
    return view_of(p, counts.get(p.id, (0, 0)))
