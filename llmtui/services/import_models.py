"""Import, part 1: providers matched by identity, deployments by stable id or
(provider, model, group). Runs inside the import's one write transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from llmtui.errors import InvalidInput
from llmtui.litellm.import_plan import ENV_PREFIX, DeploymentPlan, ImportPlan, Issue, ProviderPlan
from llmtui.litellm.importer import normalized_base, unique_name
from llmtui.litellm.provider_types import PROVIDER_TYPES
from llmtui.secrets.cipher import SecretBox
from llmtui.secrets.masking import mask_secret
from llmtui.services import audit
from llmtui.services.context import now
from llmtui.services.import_report import ImportReport
from llmtui.services.models import KNOWN_CAPABILITIES
from llmtui.services.sealing import redact, seal_secrets, unseal
from llmtui.services.validation import (
    check_cost,
    check_env_name,
    check_name,
    check_positive_int,
    check_secret,
    check_text,
    check_url,
)
from llmtui.store.schema import Deployment, Provider

_MODEL_FIELDS = (
    "provider_id",
    "upstream_model",
    "group_name",
    "enabled",
    "input_cost_per_1m",
    "output_cost_per_1m",
    "context_window",
    "max_output_tokens",
    "capabilities",
    "stable_id",
)


def _identity(
    type_id: str, api_base: str | None, version: str | None, region: str | None, key: tuple
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(exact identity, identity ignoring api_version/region): the second finds an edit."""
    base = normalized_base(PROVIDER_TYPES[type_id], api_base)
    return (type_id, base, version, region, key), (type_id, base, key)


def _key_identity(key_env: str | None, secrets: dict[str, str]) -> tuple[str, ...]:
    return ProviderPlan("", "", None, key_env=key_env, secrets=secrets).key_identity()


def provider_form(p: Provider) -> dict[str, Any]:
    """The masked audit form, as llmtui.services.providers writes it."""
    keys = ("name", "type", "api_base", "api_version", "region", "key_mask", "key_env")
    return {k: getattr(p, k) for k in keys} | {"enabled": p.enabled}


def _check_provider(pp: ProviderPlan) -> None:
    if pp.api_base is not None:
        if pp.api_base.startswith(ENV_PREFIX):
            check_env_name(pp.api_base[len(ENV_PREFIX) :])
        else:
            check_url(pp.api_base, "api_base")
    check_text(pp.api_version, "api_version")
    check_text(pp.region, "aws_region_name")
    for name, value in pp.secrets.items():
        check_secret(value, name.replace("_", " "))


async def write_providers(
    session: AsyncSession, box: SecretBox, plan: ImportPlan, report: ImportReport
) -> dict[str, Provider | str]:
    """Plan provider name -> its row, or the reason it was not imported."""
    rows = (await session.scalars(select(Provider).order_by(Provider.id))).all()
    taken = {r.name for r in rows}
    identities = {}
    for r in rows:
        if r.deleted_at is None:
            secrets = box.decrypt(r.secret_token) if r.secret_token else {}
            key = _key_identity(r.key_env, secrets)
            identities[r.id] = _identity(r.type, r.api_base, r.api_version, r.region, key)
    claimed: set[int] = set()
    result: dict[str, Provider | str] = {}
    for pp in plan.providers:
        try:
            _check_provider(pp)
        except InvalidInput as exc:
            result[pp.name] = str(exc)
            continue
        exact, loose = _identity(pp.type, pp.api_base, pp.api_version, pp.region, pp.key_identity())
        free = [r for r in rows if r.id in identities and r.id not in claimed]
        row = next((r for r in free if identities[r.id][0] == exact), None) or next(
            (r for r in free if identities[r.id][1] == loose), None
        )
        if row is None:
            row = _new_provider(session, box, pp, unique_name(pp.name, taken))
            taken.add(row.name)
            report.add("provider", row.name, "added", _describe(row))
            audit.record(session, "provider.add", "provider", row.name, None, provider_form(row))
        else:
            _update_provider(session, row, pp, report)
        claimed.add(row.id)
        result[pp.name] = row
    return result


def _new_provider(session: AsyncSession, box: SecretBox, pp: ProviderPlan, name: str) -> Provider:
    ts = now()
    primary = pp.secrets.get("api_key") or pp.secrets.get("aws_secret_access_key")
    row = Provider(
        name=name,
        type=pp.type,
        api_base=pp.api_base,
        api_version=pp.api_version,
        region=pp.region,
        options={},
        secret_token=box.encrypt(pp.secrets) if pp.secrets else None,
        key_mask=mask_secret(primary) if pp.secrets else None,
        key_env=pp.key_env,
        enabled=True,
        created_at=ts,
        updated_at=ts,
    )
    session.add(row)
    return row


def _update_provider(
    session: AsyncSession, row: Provider, pp: ProviderPlan, report: ImportReport
) -> None:
    before = provider_form(row)
    wanted = {"api_base": pp.api_base, "api_version": pp.api_version, "region": pp.region}
    wanted["enabled"] = True
    if all(getattr(row, k) == v for k, v in wanted.items()):
        report.add("provider", row.name, "unchanged", _describe(row))
        return
    for k, v in wanted.items():
        setattr(row, k, v)
    row.updated_at = now()
    report.add("provider", row.name, "updated", _describe(row))
    audit.record(session, "provider.edit", "provider", row.name, before, provider_form(row))


def _describe(p: Provider) -> str:
    key = f"key {p.key_mask}" if p.key_mask else (f"key env:{p.key_env}" if p.key_env else "no key")
    base = p.api_base or PROVIDER_TYPES[p.type].default_api_base
    return ", ".join(part for part in (p.type, base, p.region, key) if part)


async def write_deployments(
    session: AsyncSession,
    box: SecretBox,
    plan: ImportPlan,
    providers: dict[str, Provider | str],
    report: ImportReport,
) -> None:
    await session.flush()  # new providers get their ids
    rows = (await session.scalars(select(Deployment))).all()
    by_id = {d.stable_id: d for d in rows}
    by_key = {(d.provider_id, d.upstream_model, d.group_name): d for d in rows}
    names = dict((await session.execute(select(Provider.id, Provider.name))).all())
    for dp in plan.deployments:
        provider = providers[dp.provider]
        if isinstance(provider, str):
            plan.not_represented.append(Issue(dp.where, provider))
            continue
        try:
            wanted = _wanted(dp, provider)
        except InvalidInput as exc:
            plan.not_represented.append(Issue(dp.where, str(exc)))
            continue
        key = (provider.id, dp.upstream_model, dp.group)
        row = by_id.get(dp.stable_id) if dp.stable_id else None
        clash = by_key.get(key)
        if row is None:
            row = clash
        elif clash is not None and clash is not row:
            other = f"{names[clash.provider_id]}/{clash.upstream_model}"
            plan.not_represented.append(
                Issue(dp.where, f"id {dp.stable_id} belongs to another model than {other}")
            )
            continue
        label = f"{provider.name}/{dp.upstream_model}"
        if row is None:
            row = _new_deployment(session, box, dp, wanted)
            report.add("model", label, "added", f"group {dp.group}")
            audit.record(session, "model.add", "model", label, None, _model_form(row, names))
        else:
            by_key.pop((row.provider_id, row.upstream_model, row.group_name), None)
            _update_deployment(session, box, row, dp, wanted, label, names, report)
        by_id[row.stable_id] = row
        by_key[key] = row


def _wanted(dp: DeploymentPlan, provider: Provider) -> dict[str, Any]:
    return {
        "provider_id": provider.id,
        "upstream_model": check_name(dp.upstream_model, "model name"),
        "group_name": check_name(dp.group, "group name"),
        "enabled": True,
        "input_cost_per_1m": check_cost(dp.input_cost_per_1m, "input cost"),
        "output_cost_per_1m": check_cost(dp.output_cost_per_1m, "output cost"),
        "context_window": check_positive_int(dp.context_window, "context window"),
        "max_output_tokens": check_positive_int(dp.max_output_tokens, "max output tokens"),
        "capabilities": [c for c in KNOWN_CAPABILITIES if c in dp.capabilities],
    }


def _new_deployment(
    session: AsyncSession, box: SecretBox, dp: DeploymentPlan, wanted: dict[str, Any]
) -> Deployment:
    ts = now()
    row = Deployment(
        **wanted,
        stable_id=dp.stable_id or uuid.uuid4().hex,
        extra_params=seal_secrets(box, dp.extra_params),
        extra_model_info=seal_secrets(box, dp.extra_model_info),
        source="import",
        created_at=ts,
        updated_at=ts,
    )
    session.add(row)
    return row


def _update_deployment(
    session: AsyncSession,
    box: SecretBox,
    row: Deployment,
    dp: DeploymentPlan,
    wanted: dict[str, Any],
    label: str,
    names: dict[int, str],
    report: ImportReport,
) -> None:
    # The file cannot say "streaming" (LiteLLM has no flag for it): keep what the store knows.
    kept = [
        c
        for c in KNOWN_CAPABILITIES
        if c in wanted["capabilities"] or (c == "streaming" and c in (row.capabilities or []))
    ]
    wanted = wanted | {"capabilities": kept, "stable_id": dp.stable_id or row.stable_id}
    same_extras = (
        unseal(box, row.extra_params or {}) == dp.extra_params
        and unseal(box, row.extra_model_info or {}) == dp.extra_model_info
    )
    if same_extras and all(getattr(row, k) == wanted[k] for k in _MODEL_FIELDS):
        report.add("model", label, "unchanged", f"group {dp.group}")
        return
    before = _model_form(row, names)
    for k in _MODEL_FIELDS:
        setattr(row, k, wanted[k])
    if not same_extras:
        row.extra_params = seal_secrets(box, dp.extra_params)
        row.extra_model_info = seal_secrets(box, dp.extra_model_info)
    row.updated_at = now()
    report.add("model", label, "updated", f"group {dp.group}")
    audit.record(session, "model.edit", "model", label, before, _model_form(row, names))


def _model_form(d: Deployment, names: dict[int, str]) -> dict[str, Any]:
    form = {k: getattr(d, k) for k in _MODEL_FIELDS if k not in ("provider_id", "stable_id")}
    form["provider"] = names.get(d.provider_id, str(d.provider_id))
    form["extra_params"] = redact(d.extra_params or {})
    form["extra_model_info"] = redact(d.extra_model_info or {})
    return form
