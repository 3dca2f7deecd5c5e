"""Store -> snapshot -> rendered config; and the diff against the file on disk."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from llmtui.litellm.render import RenderedConfig, env_file_text, render
from llmtui.litellm.snapshot import DeploymentSnap, PolicySnap, ProviderSnap, Snapshot
from llmtui.services import settings as settings_service
from llmtui.services.chain_rules import Finding, check_chain
from llmtui.services.context import AppContext
from llmtui.services.fallbacks import load_chains, load_groups
from llmtui.services.policies import ROUTER_SETTINGS
from llmtui.services.recorder import RECORDER_CALLBACK
from llmtui.services.sealing import SECRET_MARK as SECRET_MARK  # re-exported
from llmtui.services.sealing import has_sealed, redact, unseal
from llmtui.services.sealing import seal as seal  # re-exported
from llmtui.store.schema import Deployment, Provider, ProxySetting, RetryPolicy


@dataclass
class RenderResult:
    rendered: RenderedConfig
    text: str
    env_text: str | None
    chain_findings: list[tuple[str, str, Finding]] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [
            f"{group} ({kind}): {f.message}"
            for group, kind, f in self.chain_findings
            if f.level == "error"
        ]

    @property
    def warnings(self) -> list[str]:
        return [
            f"{group} ({kind}): {f.message}"
            for group, kind, f in self.chain_findings
            if f.level == "warning"
        ]


async def load_snapshot(ctx: AppContext, with_secrets: bool = True) -> Snapshot:
    """Everything the renderer needs; secrets decrypted only when asked for."""
    values = await settings_service.get_all(ctx)
    async with ctx.store.read() as session:
        providers = (
            await session.scalars(
                select(Provider).where(Provider.deleted_at.is_(None), Provider.enabled.is_(True))
            )
        ).all()
        rows = (
            await session.execute(
                select(Deployment, Provider.name)
                .join(Provider, Provider.id == Deployment.provider_id)
                .where(
                    Deployment.enabled.is_(True),
                    Provider.deleted_at.is_(None),
                    Provider.enabled.is_(True),
                )
            )
        ).all()
        chains = await load_chains(session)
        policies = (await session.scalars(select(RetryPolicy))).all()
        settings_rows = (await session.scalars(select(ProxySetting))).all()
    needs_box = with_secrets and (
        any(p.secret_token for p in providers)
        or any(has_sealed(s.value) for s in settings_rows)
        or any(has_sealed(d.extra_params) or has_sealed(d.extra_model_info) for d, _ in rows)
    )
    box = await ctx.box() if needs_box else None

    def opened(value: Any) -> Any:
        """Sealed values become plaintext only for a real render; otherwise they read ••••."""
        return unseal(box, value) if with_secrets else redact(value)

    snapshot = Snapshot(
        secrets_mode=values["secrets_mode"].value,
        drill_mode=bool(values["drill_mode"].value),
        proxy_master_key=values["proxy_key"].value if with_secrets else None,
    )
    if values["recorder_enabled"].value:
        snapshot.callbacks.append(RECORDER_CALLBACK)
    for p in providers:
        secrets = box.decrypt(p.secret_token) if (box and p.secret_token) else {}
        if not with_secrets and p.secret_token:
            secrets = dict.fromkeys(_secret_names(p.type), "<redacted>")
        snapshot.providers[p.name] = ProviderSnap(
            p.name, p.type, p.api_base, p.api_version, p.region, secrets, p.key_env
        )
    for d, provider_name in rows:
        snapshot.deployments.append(
            DeploymentSnap(
                stable_id=d.stable_id,
                provider=provider_name,
                upstream_model=d.upstream_model,
                group=d.group_name,
                input_cost_per_1m=d.input_cost_per_1m,
                output_cost_per_1m=d.output_cost_per_1m,
                context_window=d.context_window,
                max_output_tokens=d.max_output_tokens,
                capabilities=tuple(d.capabilities or ()),
                extra_params=opened(dict(d.extra_params or {})),
                extra_model_info=opened(dict(d.extra_model_info or {})),
            )
        )
    snapshot.chains = {key: fb for key, (fb, _) in chains.items() if fb}
    from llmtui.litellm.error_types import ERROR_TYPES

    stored = {p.error_type: p for p in policies}
    for et in ERROR_TYPES.values():
        row = stored.get(et.id)
        snapshot.policies.append(
            PolicySnap(et.id, et.default_retries, None, True)
            if row is None
            else PolicySnap(et.id, row.retries, row.allowed_fails, row.enabled)
        )
    for s in settings_rows:
        value = opened(s.value)
        if s.section == "router_settings" and s.key in ROUTER_SETTINGS:
            snapshot.router_settings[s.key] = value
        else:
            snapshot.passthrough.setdefault(s.section, {})[s.key] = value
    for key, definition in ROUTER_SETTINGS.items():
        snapshot.router_settings.setdefault(key, definition.default)
    _drop_imported_recorder(snapshot)
    return snapshot


def _drop_imported_recorder(snapshot: Snapshot) -> None:
    """The recorder callback follows the setting, even if an imported config listed it."""
    section = snapshot.passthrough.get("litellm_settings", {})
    listed = section.get("callbacks")
    if isinstance(listed, list) and RECORDER_CALLBACK in listed:
        kept = [c for c in listed if c != RECORDER_CALLBACK]
        if kept:
            section["callbacks"] = kept
        else:
            del section["callbacks"]


def _secret_names(type_id: str) -> tuple[str, ...]:
    from llmtui.litellm.provider_types import PROVIDER_TYPES

    return PROVIDER_TYPES[type_id].secret_fields


async def render_config(ctx: AppContext, with_secrets: bool = True) -> RenderResult:
    snapshot = await load_snapshot(ctx, with_secrets=with_secrets)
    async with ctx.store.read() as session:
        groups = await load_groups(session)
    findings = [
        (group, kind, finding)
        for (group, kind), fallbacks in sorted(snapshot.chains.items())
        for finding in check_chain(group, kind, fallbacks, groups, snapshot.chains)
    ]
    rendered = render(snapshot)
    env_text = env_file_text(rendered.env) if snapshot.secrets_mode == "env" else None
    return RenderResult(rendered, rendered.to_yaml(), env_text, findings)


async def config_path(ctx: AppContext) -> Path:
    return Path(await settings_service.get(ctx, "config_path"))


def env_path_for(config: Path) -> Path:
    """The env file sits beside the config: litellm-config.yaml -> litellm-config.env."""
    return config.with_suffix(".env")


def unified_diff(old: str | None, new: str, path: str) -> str:
    return "".join(
        difflib.unified_diff(
            (old or "").splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"{path} (on disk)" if old is not None else "/dev/null",
            tofile=f"{path} (from llmtui)",
        )
    )
