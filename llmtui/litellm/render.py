"""Snapshot -> LiteLLM config dict, deterministically ordered so diffs mean something.

Costs are stored per 1M tokens and written per token; keys are inline (0600 file) or
`os.environ/` references whose values go to a separate env file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from llmtui.litellm.error_types import ERROR_TYPES
from llmtui.litellm.model_map import CAPABILITY_FLAGS
from llmtui.litellm.provider_types import PROVIDER_TYPES
from llmtui.litellm.snapshot import DeploymentSnap, ProviderSnap, Snapshot

HEADER = (
    "# Written by llmtui. Edit it with llmtui (or import your changes with\n"
    "# `llmtui config import`): the next apply overwrites hand edits.\n"
)
DEFAULT_MASTER_KEY_REF = "os.environ/LITELLM_MASTER_KEY"
FALLBACK_KEYS = {
    "general": "fallbacks",
    "context_window": "context_window_fallbacks",
    "content_policy": "content_policy_fallbacks",
}
_FLAG_OF_CAPABILITY = {name: flag for flag, name in CAPABILITY_FLAGS.items()}
# Secret litellm_params per catalogue secret field.
_SECRET_PARAM = {
    "api_key": "api_key",
    "aws_access_key_id": "aws_access_key_id",
    "aws_secret_access_key": "aws_secret_access_key",
}


@dataclass
class RenderedConfig:
    data: dict[str, Any]
    env: dict[str, str] = field(default_factory=dict)  # for the container's env file

    def to_yaml(self) -> str:
        return HEADER + dump_yaml(self.data)


def per_token(per_million: float | None) -> float | None:
    """Exact decimal shift, then the nearest float: no 2.4999999e-06 noise."""
    if per_million is None:
        return None
    return float(Decimal(repr(float(per_million))).scaleb(-6))


def per_million(per_tok: float | int | None) -> float | None:
    if per_tok is None:
        return None
    return round(float(Decimal(repr(float(per_tok))).scaleb(6)), 6)


def env_var_name(kind: str, provider: str, taken: set[str]) -> str:
    """LLMTUI_<KIND>_<PROVIDER>, upper-cased, unique among `taken`."""
    stem = re.sub(r"[^A-Z0-9]+", "_", provider.upper()).strip("_") or "PROVIDER"
    name = f"LLMTUI_{kind}_{stem}"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _secret_refs(snapshot: Snapshot) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """(provider, field) -> value to write, and the env file entries (env mode)."""
    refs: dict[tuple[str, str], str] = {}
    env: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(snapshot.providers):
        provider = snapshot.providers[name]
        if provider.key_env:
            refs[(name, "api_key")] = f"os.environ/{provider.key_env}"
            continue
        for secret_field in sorted(provider.secrets):
            value = provider.secrets[secret_field]
            if snapshot.secrets_mode == "env":
                var = env_var_name(secret_field.upper(), name, taken)
                env[var] = value
                refs[(name, secret_field)] = f"os.environ/{var}"
            else:
                refs[(name, secret_field)] = value
    return refs, env


def _litellm_params(
    d: DeploymentSnap, provider: ProviderSnap, refs: dict[tuple[str, str], str]
) -> dict[str, Any]:
    ptype = PROVIDER_TYPES[provider.type]
    params: dict[str, Any] = {"model": f"{ptype.litellm_prefix}/{d.upstream_model}"}
    api_base = provider.api_base or (ptype.default_api_base if ptype.local else None)
    if api_base:
        params["api_base"] = api_base
    if ptype.needs_api_version and provider.api_version:
        params["api_version"] = provider.api_version
    if ptype.needs_region and provider.region:
        params["aws_region_name"] = provider.region
    for secret_field in ("api_key", "aws_access_key_id", "aws_secret_access_key"):
        value = refs.get((provider.name, secret_field))
        if value is not None:
            params[_SECRET_PARAM[secret_field]] = value
    if d.input_cost_per_1m is not None:
        params["input_cost_per_token"] = per_token(d.input_cost_per_1m)
    if d.output_cost_per_1m is not None:
        params["output_cost_per_token"] = per_token(d.output_cost_per_1m)
    for key in sorted(d.extra_params):
        params.setdefault(key, d.extra_params[key])
    return params


def _model_info(d: DeploymentSnap) -> dict[str, Any]:
    info: dict[str, Any] = {"id": d.stable_id}
    if d.context_window is not None:
        info["max_input_tokens"] = d.context_window
    if d.max_output_tokens is not None:
        info["max_output_tokens"] = d.max_output_tokens
    for capability in sorted(d.capabilities):
        flag = _FLAG_OF_CAPABILITY.get(capability)
        if flag:
            info[flag] = True
    for key in sorted(d.extra_model_info):
        info.setdefault(key, d.extra_model_info[key])
    return info


def _policies(snapshot: Snapshot) -> tuple[dict[str, int], dict[str, int]]:
    retry: dict[str, int] = {}
    allowed: dict[str, int] = {}
    for policy in sorted(snapshot.policies, key=lambda p: p.error_type):
        et = ERROR_TYPES[policy.error_type]
        retries = policy.retries if policy.enabled else 0
        if retries is not None:
            retry[et.retry_field] = retries
        if policy.enabled and policy.allowed_fails is not None and et.allowed_fails_field:
            allowed[et.allowed_fails_field] = policy.allowed_fails
    return retry, allowed


def entry_order(entry: dict[str, Any]) -> tuple[str, str, str, str]:
    """Sorted by what is written, not by llmtui's provider names: an imported store
    (whose providers got new names) renders the same file."""
    params = entry["litellm_params"]
    return (
        entry["model_name"],
        params["model"],
        str(params.get("api_base", "")),
        entry["model_info"]["id"],
    )


def render(snapshot: Snapshot) -> RenderedConfig:
    refs, env = _secret_refs(snapshot)
    model_list = sorted(
        (
            {
                "model_name": d.group,
                "litellm_params": _litellm_params(d, snapshot.providers[d.provider], refs),
                "model_info": _model_info(d),
            }
            for d in snapshot.deployments
        ),
        key=entry_order,
    )
    router: dict[str, Any] = {}
    for key in sorted(snapshot.router_settings):
        if snapshot.router_settings[key] is not None:
            router[key] = snapshot.router_settings[key]
    for kind, config_key in FALLBACK_KEYS.items():
        chains = sorted((g, fb) for (g, k), fb in snapshot.chains.items() if k == kind and fb)
        if chains:
            router[config_key] = [{group: list(fallbacks)} for group, fallbacks in chains]
    retry, allowed = _policies(snapshot)
    if retry:
        router["retry_policy"] = retry
    if allowed:
        router["allowed_fails_policy"] = allowed
    passthrough = snapshot.passthrough
    for key in sorted(passthrough.get("router_settings", {})):
        router.setdefault(key, passthrough["router_settings"][key])

    litellm_settings = {
        k: passthrough["litellm_settings"][k]
        for k in sorted(passthrough.get("litellm_settings", {}))
    }
    if snapshot.callbacks:
        existing = litellm_settings.get("callbacks") or []
        existing = existing if isinstance(existing, list) else [existing]
        litellm_settings["callbacks"] = [
            *existing,
            *(c for c in snapshot.callbacks if c not in existing),
        ]

    general: dict[str, Any] = {}
    given = passthrough.get("general_settings", {})
    master = given.get("master_key")
    if snapshot.proxy_master_key and not (
        isinstance(master, str) and master.startswith("os.environ/")
    ):
        if snapshot.secrets_mode == "env":
            env["LITELLM_MASTER_KEY"] = snapshot.proxy_master_key
            master = DEFAULT_MASTER_KEY_REF
        else:
            master = snapshot.proxy_master_key
    general["master_key"] = master or DEFAULT_MASTER_KEY_REF
    for key in sorted(given):
        general.setdefault(key, given[key])
    if snapshot.drill_mode:
        general["dangerously_allow_mock_testing_request_params"] = True

    data: dict[str, Any] = {"model_list": model_list}
    if router:
        data["router_settings"] = router
    if litellm_settings:
        data["litellm_settings"] = litellm_settings
    data["general_settings"] = general
    for section in sorted(passthrough):
        if section not in ("router_settings", "litellm_settings", "general_settings"):
            data[section] = passthrough[section]
    return RenderedConfig(data, env)


class _Dumper(yaml.CSafeDumper if hasattr(yaml, "CSafeDumper") else yaml.SafeDumper):  # type: ignore[misc]
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=4096,
    )


def env_file_text(env: dict[str, str]) -> str:
    """docker --env-file format: NAME=value, one per line, no quoting."""
    lines = ["# Written by llmtui: secrets for the LiteLLM container (keep 0600)."]
    lines += [f"{name}={env[name]}" for name in sorted(env)]
    return "\n".join(lines) + "\n"
