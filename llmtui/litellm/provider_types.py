"""The provider catalogue: one row per provider type, no if-chains elsewhere.

Each row says how LiteLLM addresses the provider (model prefix, which params it
needs), how to recognise a key, and how to list its models for a connection test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProviderType:
    id: str
    label: str
    litellm_prefix: str
    default_api_base: str | None
    models_path: str | None
    # How the model list is authenticated: bearer, x-api-key, api-key, x-goog-api-key,
    # aws-sigv4 or none.
    models_auth: str
    # Shape of the model-list answer: openai (data[].id), anthropic (data[].id),
    # ollama (models[].name), gemini (models[].name), list ([].id), replicate (results[]).
    models_shape: str
    key_required: bool = True
    key_pattern: str | None = None
    key_hint: str = ""
    api_base_required: bool = False
    needs_api_version: bool = False
    default_api_version: str | None = None
    needs_region: bool = False
    secret_fields: tuple[str, ...] = ("api_key",)
    models_headers: dict[str, str] = field(default_factory=dict)
    models_query: dict[str, str] = field(default_factory=dict)
    # `litellm_provider` values in LiteLLM's model map that describe this type's models.
    model_map_providers: tuple[str, ...] = ()
    local: bool = False
    # In the rendered config the upstream name is a deployment name (Azure).
    deployment_names: bool = False

    def key_problem(self, key: str) -> str | None:
        if self.key_pattern and not re.fullmatch(self.key_pattern, key):
            return f"that does not look like a {self.label} key: it should {self.key_hint}"
        return None


_OPENAI_LIKE = {"models_path": "/models", "models_auth": "bearer", "models_shape": "openai"}

PROVIDER_TYPES: dict[str, ProviderType] = {
    t.id: t
    for t in (
        ProviderType(
            id="openai",
            label="OpenAI",
            litellm_prefix="openai",
            default_api_base="https://api.openai.com/v1",
            key_pattern=r"sk-[A-Za-z0-9_\-]{8,}",
            key_hint="start with sk-",
            model_map_providers=("openai", "text-completion-openai"),
            **_OPENAI_LIKE,
        ),
        ProviderType(
            id="anthropic",
            label="Anthropic",
            litellm_prefix="anthropic",
            default_api_base="https://api.anthropic.com",
            models_path="/v1/models",
            models_auth="x-api-key",
            models_shape="anthropic",
            models_headers={"anthropic-version": "2023-06-01"},
            key_pattern=r"sk-ant-[A-Za-z0-9_\-]{8,}",
            key_hint="start with sk-ant-",
            model_map_providers=("anthropic",),
        ),
        ProviderType(
            id="azure_openai",
            label="Azure OpenAI",
            litellm_prefix="azure",
            default_api_base=None,
            api_base_required=True,
            models_path="/openai/models",
            models_auth="api-key",
            models_shape="openai",
            needs_api_version=True,
            default_api_version="2024-10-21",
            key_pattern=r"[A-Za-z0-9]{20,}",
            key_hint="be 20 or more letters and digits",
            model_map_providers=("azure",),
            deployment_names=True,
        ),
        ProviderType(
            id="bedrock",
            label="AWS Bedrock",
            litellm_prefix="bedrock",
            default_api_base=None,
            models_path="/foundation-models",
            models_auth="aws-sigv4",
            models_shape="bedrock",
            needs_region=True,
            secret_fields=("aws_access_key_id", "aws_secret_access_key"),
            key_pattern=r"[A-Za-z0-9/+=]{30,}",
            key_hint="be 30 or more characters (the secret access key)",
            model_map_providers=("bedrock", "bedrock_converse"),
        ),
        ProviderType(
            id="gemini",
            label="Google Gemini",
            litellm_prefix="gemini",
            default_api_base="https://generativelanguage.googleapis.com/v1beta",
            models_path="/models",
            models_auth="x-goog-api-key",
            models_shape="gemini",
            key_pattern=r"AIza[A-Za-z0-9_\-]{20,}",
            key_hint="start with AIza",
            model_map_providers=("gemini",),
        ),
        ProviderType(
            id="groq",
            label="Groq",
            litellm_prefix="groq",
            default_api_base="https://api.groq.com/openai/v1",
            key_pattern=r"gsk_[A-Za-z0-9]{8,}",
            key_hint="start with gsk_",
            model_map_providers=("groq",),
            **_OPENAI_LIKE,
        ),
        ProviderType(
            id="mistral",
            label="Mistral",
            litellm_prefix="mistral",
            default_api_base="https://api.mistral.ai/v1",
            key_pattern=r"[A-Za-z0-9]{20,}",
            key_hint="be 20 or more letters and digits",
            model_map_providers=("mistral",),
            **_OPENAI_LIKE,
        ),
        ProviderType(
            id="openrouter",
            label="OpenRouter",
            litellm_prefix="openrouter",
            default_api_base="https://openrouter.ai/api/v1",
            key_pattern=r"sk-or-[A-Za-z0-9_\-]{8,}",
            key_hint="start with sk-or-",
            model_map_providers=("openrouter",),
            **_OPENAI_LIKE,
        ),
        ProviderType(
            id="together_ai",
            label="Together AI",
            litellm_prefix="together_ai",
            default_api_base="https://api.together.xyz/v1",
            models_path="/models",
            models_auth="bearer",
            models_shape="list",
            key_pattern=r"[A-Za-z0-9_\-]{20,}",
            key_hint="be 20 or more characters",
            model_map_providers=("together_ai",),
        ),
        ProviderType(
            id="replicate",
            label="Replicate",
            litellm_prefix="replicate",
            default_api_base="https://api.replicate.com/v1",
            models_path="/models",
            models_auth="bearer",
            models_shape="replicate",
            key_pattern=r"r8_[A-Za-z0-9]{8,}",
            key_hint="start with r8_",
            model_map_providers=("replicate",),
        ),
        ProviderType(
            id="ollama",
            label="Ollama",
            litellm_prefix="ollama_chat",
            default_api_base="http://localhost:11434",
            models_path="/api/tags",
            models_auth="none",
            models_shape="ollama",
            key_required=False,
            model_map_providers=("ollama",),
            local=True,
        ),
        ProviderType(
            id="vllm",
            label="vLLM",
            litellm_prefix="hosted_vllm",
            default_api_base="http://localhost:8000/v1",
            key_required=False,
            model_map_providers=(),
            local=True,
            **_OPENAI_LIKE,
        ),
        ProviderType(
            id="llamacpp",
            label="llama.cpp server",
            litellm_prefix="openai",
            default_api_base="http://localhost:8080/v1",
            key_required=False,
            local=True,
            **_OPENAI_LIKE,
        ),
        ProviderType(
            id="openai_compatible",
            label="OpenAI-compatible",
            litellm_prefix="openai",
            default_api_base=None,
            api_base_required=True,
            key_required=False,
            **_OPENAI_LIKE,
        ),
    )
}


def provider_type(type_id: str) -> ProviderType:
    from llmtui.errors import InvalidInput

    try:
        return PROVIDER_TYPES[type_id]
    except KeyError:
        known = ", ".join(PROVIDER_TYPES)
        raise InvalidInput(f"unknown provider type {type_id!r}; known types: {known}") from None
