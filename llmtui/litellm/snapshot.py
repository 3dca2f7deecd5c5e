"""A plain, decrypted picture of the store: the renderer's only input.

Built by llmtui.services.config from the store; rendering it is a pure function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ProviderSnap:
    name: str
    type: str
    api_base: str | None  # as the user set it; None means the type's default
    api_version: str | None = None
    region: str | None = None
    secrets: dict[str, str] = field(default_factory=dict)
    key_env: str | None = None  # render os.environ/<key_env> instead of a key


@dataclass(frozen=True)
class DeploymentSnap:
    stable_id: str
    provider: str
    upstream_model: str
    group: str
    input_cost_per_1m: float | None = None
    output_cost_per_1m: float | None = None
    context_window: int | None = None
    max_output_tokens: int | None = None
    capabilities: tuple[str, ...] = ()
    extra_params: dict[str, Any] = field(default_factory=dict)
    extra_model_info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PolicySnap:
    error_type: str
    retries: int | None
    allowed_fails: int | None
    enabled: bool


@dataclass
class Snapshot:
    providers: dict[str, ProviderSnap] = field(default_factory=dict)
    deployments: list[DeploymentSnap] = field(default_factory=list)  # enabled ones only
    chains: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    policies: list[PolicySnap] = field(default_factory=list)
    router_settings: dict[str, Any] = field(default_factory=dict)
    # Keys llmtui does not manage, kept from imports: section -> key -> value.
    passthrough: dict[str, dict[str, Any]] = field(default_factory=dict)
    secrets_mode: str = "inline"  # inline or env
    proxy_master_key: str | None = None
    drill_mode: bool = False
    callbacks: list[str] = field(default_factory=list)
