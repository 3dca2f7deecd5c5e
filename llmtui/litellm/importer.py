"""LiteLLM config dict -> import plan: the inverse of render, pure (no store, no files).

Deployments sharing provider type, api_base, api_version/region and key become one
provider, named after the type and the host (`openai`, `azure-contoso`,
`ollama-10-0-0-5`). Whatever fits no llmtui field is kept verbatim (extra params,
passthrough sections); whatever cannot be kept is listed with its reason. A file that
is not a LiteLLM config at all is refused with InvalidInput naming the place.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from llmtui.errors import InvalidInput
from llmtui.litellm.import_plan import (
    ENV_PREFIX,
    DeploymentPlan,
    ImportPlan,
    Issue,
    ProviderPlan,
    jsonable,
)
from llmtui.litellm.import_sections import plan_sections
from llmtui.litellm.model_map import CAPABILITY_FLAGS
from llmtui.litellm.provider_of import Resolved, Resolver, provider_of, resolve_with_litellm
from llmtui.litellm.provider_types import PROVIDER_TYPES, ProviderType
from llmtui.litellm.render import per_million, per_token

MAX_STABLE_ID = 64
MAX_COST_PER_1M = 1_000_000
MAX_TOKENS = 100_000_000
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def plan_import(
    config: Any,
    environ: Mapping[str, str] | None = None,
    resolve: Resolver = resolve_with_litellm,
) -> ImportPlan:
    """The plan for `config`. With `environ`, `os.environ/` keys are resolved from it."""
    if not isinstance(config, dict):
        raise InvalidInput("this is not a LiteLLM config: expected a mapping with a model_list")
    model_list = config.get("model_list")
    if model_list is None:
        raise InvalidInput("this is not a LiteLLM config: it has no model_list")
    if not isinstance(model_list, list):
        raise InvalidInput("this is not a LiteLLM config: model_list must be a list")
    plan = ImportPlan()
    planner = _ModelPlanner(plan, environ, resolve)
    for index, entry in enumerate(model_list):
        planner.add(index, entry)
    plan_sections(config, plan)
    if plan.retries is None:
        plan.notes.append(
            Issue(
                "router_settings.retry_policy",
                "not in the file; llmtui keeps writing its per-error retries (llmtui trigger list)",
            )
        )
    return plan


def unique_name(stem: str, taken: set[str]) -> str:
    candidate, n = stem, 2
    while candidate in taken:
        candidate, n = f"{stem}-{n}", n + 1
    return candidate


def _type_stem(ptype: ProviderType) -> str:
    return re.sub(r"_(openai|ai)$", "", ptype.id).replace("_", "-")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def host_hint(ptype: ProviderType, api_base: str | None, region: str | None) -> str:
    """The part of a name that tells two providers of one type apart."""
    if ptype.needs_region and region:
        return _slug(region)
    if not api_base or normalized_base(ptype, api_base) == normalized_base(ptype, None):
        return ""
    if api_base.startswith(ENV_PREFIX):
        return _slug(api_base[len(ENV_PREFIX) :])
    try:
        host = urlsplit(api_base).hostname or ""
    except ValueError:
        return ""
    try:
        ipaddress.ip_address(host)
        return _slug(host)
    except ValueError:
        pass
    labels = [label for label in host.split(".") if label]
    while len(labels) > 1 and labels[0] in ("api", "www"):
        labels.pop(0)
    return _slug(labels[0]) if labels else ""


def normalized_base(ptype: ProviderType, api_base: str | None) -> str:
    """api_base for identity: the type's default when unset, no trailing slash."""
    return (api_base or ptype.default_api_base or "").rstrip("/")


class _ModelPlanner:
    def __init__(
        self, plan: ImportPlan, environ: Mapping[str, str] | None, resolve: Resolver
    ) -> None:
        self.plan = plan
        self.environ = environ
        self.resolve = resolve
        self.by_identity: dict[tuple[Any, ...], ProviderPlan] = {}
        self.seen_ids: dict[str, str] = {}
        self.seen_deployments: dict[tuple[str, str, str], str] = {}

    def add(self, index: int, entry: Any) -> None:
        where = f"model_list[{index}]"
        if not isinstance(entry, dict):
            raise InvalidInput(f"{where} must be a mapping with model_name and litellm_params")
        group = entry.get("model_name")
        if not isinstance(group, str) or not group:
            raise InvalidInput(f"{where}.model_name must be text")
        params = entry.get("litellm_params")
        if not isinstance(params, dict):
            raise InvalidInput(f"{where}.litellm_params must be a mapping")
        model = params.get("model")
        if not isinstance(model, str) or not model:
            raise InvalidInput(f"{where}.litellm_params.model must be text")
        info = entry.get("model_info") or {}
        if not isinstance(info, dict):
            raise InvalidInput(f"{where}.model_info must be a mapping")
        where = f"{where} ({group})"
        params, info = jsonable(dict(params)), jsonable(dict(info))
        params.pop("model")
        custom = params.pop("custom_llm_provider", None)
        api_base = params.pop("api_base", None)
        for key, value in (("custom_llm_provider", custom), ("api_base", api_base)):
            if value is not None and not isinstance(value, str):
                raise InvalidInput(f"{where}: litellm_params.{key} must be text")
        resolved = provider_of(model, custom or None, api_base or None, self.resolve)
        if isinstance(resolved, str):
            self.plan.not_represented.append(Issue(where, resolved))
            return
        if resolved.litellm_provider == "ollama":
            self.plan.notes.append(
                Issue(
                    where,
                    f"ollama/{resolved.upstream_model} will be written as ollama_chat/ "
                    "(llmtui uses Ollama's chat endpoint)",
                )
            )
        provider = self._provider(where, resolved, api_base or None, params)
        self._deployment(where, provider, resolved, group, params, info)

    def _provider(
        self, where: str, resolved: Resolved, api_base: str | None, params: dict[str, Any]
    ) -> ProviderPlan:
        ptype = PROVIDER_TYPES[resolved.type]
        api_version = params.pop("api_version", None) if ptype.needs_api_version else None
        region = params.pop("aws_region_name", None) if ptype.needs_region else None
        for key, value in (("api_version", api_version), ("aws_region_name", region)):
            if value is not None and not isinstance(value, str):
                raise InvalidInput(f"{where}: litellm_params.{key} must be text")
        secrets: dict[str, str] = {}
        key_env: str | None = None
        for secret_field in ptype.secret_fields:
            value = params.pop(secret_field, None)
            if value is None:
                continue
            if not isinstance(value, str) or not value.strip():
                raise InvalidInput(f"{where}: litellm_params.{secret_field} must be text")
            var = value[len(ENV_PREFIX) :] if value.startswith(ENV_PREFIX) else None
            if var is None:
                secrets[secret_field] = value
            elif self.environ is not None:
                resolved_value = self.environ.get(var)
                if not resolved_value:
                    raise InvalidInput(
                        f"environment variable {var} ({where}: {secret_field}) is not set; "
                        "set it or import without --resolve-env"
                    )
                secrets[secret_field] = resolved_value
            elif secret_field == "api_key" and _ENV_NAME.fullmatch(var):
                key_env = var
            else:  # a reference llmtui has no slot for stays on the deployment, as written
                params[secret_field] = value
        env_refs = tuple(sorted((k, v) for k, v in params.items() if k in ptype.secret_fields))
        candidate = ProviderPlan(
            name="",
            type=ptype.id,
            api_base=api_base,
            api_version=api_version,
            region=region,
            key_env=key_env,
            secrets=secrets,
            where=where,
        )
        identity = (
            ptype.id,
            normalized_base(ptype, api_base),
            api_version,
            region,
            candidate.key_identity(),
            env_refs,
        )
        existing = self.by_identity.get(identity)
        if existing is not None:
            return existing
        stem = _type_stem(ptype)
        hint = host_hint(ptype, api_base, region)
        taken = {p.name for p in self.plan.providers}
        candidate.name = unique_name(f"{stem}-{hint}" if hint else stem, taken)
        if ptype.key_required and not (secrets or key_env or env_refs):
            self.plan.notes.append(
                Issue(
                    where,
                    f"no key in the file: LiteLLM will use its own environment "
                    f"variable for {ptype.label}",
                )
            )
        self.by_identity[identity] = candidate
        self.plan.providers.append(candidate)
        return candidate

    def _deployment(
        self,
        where: str,
        provider: ProviderPlan,
        resolved: Resolved,
        group: str,
        params: dict[str, Any],
        info: dict[str, Any],
    ) -> None:
        key = (provider.name, resolved.upstream_model, group)
        if key in self.seen_deployments:
            self.plan.not_represented.append(
                Issue(
                    where,
                    f"the same model on the same provider as {self.seen_deployments[key]}"
                    "; llmtui keeps one deployment per model, provider and group",
                )
            )
            return
        self.seen_deployments[key] = where
        d = DeploymentPlan(where, provider.name, resolved.upstream_model, group)
        d.stable_id = self._stable_id(where, info.pop("id", None))
        d.input_cost_per_1m = self._cost(where, params, "input_cost_per_token")
        d.output_cost_per_1m = self._cost(where, params, "output_cost_per_token")
        d.context_window = _take_count(info, "max_input_tokens")
        d.max_output_tokens = _take_count(info, "max_output_tokens")
        for flag, capability in CAPABILITY_FLAGS.items():
            if info.get(flag) is True:
                info.pop(flag)
                d.capabilities.append(capability)
        d.extra_params, d.extra_model_info = params, info
        self.plan.deployments.append(d)

    def _stable_id(self, where: str, raw: Any) -> str | None:
        if raw is None:
            return None
        text = str(raw) if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
        if not text or len(text) > MAX_STABLE_ID or not text.isprintable():
            self.plan.notes.append(
                Issue(where, f"model_info.id {raw!r} is not a usable id; a new one is assigned")
            )
            return None
        if text in self.seen_ids:
            self.plan.notes.append(
                Issue(
                    where,
                    f"model_info.id {text!r} is also used by {self.seen_ids[text]}; "
                    "a new id is assigned",
                )
            )
            return None
        self.seen_ids[text] = where
        return text

    def _cost(self, where: str, params: dict[str, Any], key: str) -> float | None:
        raw = params.get(key)
        if raw is None:
            params.pop(key, None)
            return None
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            self.plan.notes.append(Issue(where, f"{key} {raw!r} is not a number; kept as written"))
            return None
        value = per_million(raw)
        assert value is not None
        if not 0 <= value <= MAX_COST_PER_1M:
            self.plan.notes.append(Issue(where, f"{key} {raw!r} is out of range; kept as written"))
            return None
        params.pop(key)
        if per_token(value) != float(raw):
            self.plan.notes.append(
                Issue(where, f"{key} {raw!r} rounded to {value:g} USD per 1M tokens")
            )
        return value


def _take_count(info: dict[str, Any], key: str) -> int | None:
    """A positive whole number moves to its column; anything else stays in model_info."""
    raw = info.get(key)
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 < raw <= MAX_TOKENS:
        info.pop(key)
        return raw
    return None
