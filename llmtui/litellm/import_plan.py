"""What an import intends to write: the plain result of reading a LiteLLM config.

The planner (llmtui.litellm.importer) builds it without touching the store; the
import service matches it against the store, checks llmtui's own rules and writes it.
Plaintext keys live here only in memory, never in a repr.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

ENV_PREFIX = "os.environ/"
# Keys whose text values are secrets: kept sealed in the store, never as plaintext.
_SECRET_KEY = re.compile(
    r"(^|_)key$|^master_key$|^database_url$|secret|token|password|passwd|credential",
    re.IGNORECASE,
)
_URL_WITH_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://[^/@\s]*:[^/@\s]+@")
SECRET_SECTIONS = frozenset({"environment_variables"})


def looks_secret(key: str) -> bool:
    """master_key, database_url, *_key, *secret*, *token*, *password*, *credential*;
    not prices or counts (input_cost_per_token, max_tokens)."""
    lowered = key.lower()
    if "cost" in lowered or lowered.endswith("tokens"):
        return False
    return bool(_SECRET_KEY.search(key))


def is_secret_text(key_is_secret: bool, value: Any) -> bool:
    """A text value to seal: under a secret-looking key, or a URL carrying a password."""
    if not isinstance(value, str) or not value or value.startswith(ENV_PREFIX):
        return False
    return key_is_secret or bool(_URL_WITH_PASSWORD.match(value))


def jsonable(value: Any) -> Any:
    """YAML can hold dates and non-text keys; the store keeps JSON."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Issue:
    """Something the import could not represent (or changed), and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"

    def to_json(self) -> dict[str, str]:
        return {"where": self.where, "reason": self.reason}


@dataclass
class ProviderPlan:
    name: str  # readable and unique within the file; the service may still rename it
    type: str
    api_base: str | None
    api_version: str | None = None
    region: str | None = None
    key_env: str | None = None  # api_key: os.environ/<key_env>
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    where: str = ""  # the first model_list entry that uses it

    def key_identity(self) -> tuple[str, ...]:
        if self.key_env:
            return ("env", self.key_env)
        if self.secrets:
            return ("inline", *(f"{k}={v}" for k, v in sorted(self.secrets.items())))
        return ("none",)


@dataclass
class DeploymentPlan:
    where: str
    provider: str  # ProviderPlan.name
    upstream_model: str
    group: str
    stable_id: str | None = None
    input_cost_per_1m: float | None = None
    output_cost_per_1m: float | None = None
    context_window: int | None = None
    max_output_tokens: int | None = None
    capabilities: list[str] = field(default_factory=list)
    # Kept verbatim; secret-looking inline values are sealed by the service.
    extra_params: dict[str, Any] = field(default_factory=dict, repr=False)
    extra_model_info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChainPlan:
    where: str
    group: str
    kind: str
    fallbacks: tuple[str, ...]


@dataclass(frozen=True)
class PassthroughPlan:
    """One key of a section llmtui keeps as written (secrets sealed by the service)."""

    section: str
    key: str
    value: Any = field(repr=False)


@dataclass
class ImportPlan:
    providers: list[ProviderPlan] = field(default_factory=list)
    deployments: list[DeploymentPlan] = field(default_factory=list)
    chains: list[ChainPlan] = field(default_factory=list)
    # error type id -> value as written; None when the file has no such policy section.
    retries: dict[str, Any] | None = None
    allowed_fails: dict[str, Any] | None = None
    passthrough: list[PassthroughPlan] = field(default_factory=list)
    # general_settings.master_key as written (None: absent); the service decides its home.
    master_key: Any = field(default=None, repr=False)
    drill_mode: bool | None = None  # None: the file does not say
    not_represented: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)

    def provider(self, name: str) -> ProviderPlan:
        return next(p for p in self.providers if p.name == name)
