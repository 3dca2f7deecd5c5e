"""Which catalogue provider type a LiteLLM deployment belongs to: the inverse of litellm_prefix.

A known prefix is read directly. Anything else (no prefix, `custom_llm_provider`, a
prefix llmtui has no type for) is resolved the way LiteLLM resolves it, by LiteLLM's own
`get_llm_provider`, imported only then (it costs seconds).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from llmtui.litellm.provider_types import PROVIDER_TYPES

# LiteLLM provider -> catalogue type. `openai` is decided by api_base (see below).
LITELLM_PROVIDER_TYPES: dict[str, str] = {
    t.litellm_prefix: t.id for t in PROVIDER_TYPES.values() if t.litellm_prefix != "openai"
} | {"ollama": "ollama"}
OPENAI_HOSTS = frozenset({"api.openai.com"})

# (model, custom_llm_provider, api_base) -> (LiteLLM provider, model without prefix) or None.
Resolver = Callable[[str, str | None, str | None], tuple[str, str] | None]


@dataclass(frozen=True)
class Resolved:
    type: str
    upstream_model: str
    litellm_provider: str


@functools.lru_cache(maxsize=1024)
def resolve_with_litellm(
    model: str, custom_llm_provider: str | None, api_base: str | None
) -> tuple[str, str] | None:
    """LiteLLM's answer, or None where LiteLLM itself could not route the model."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    quiet = litellm.suppress_debug_info
    litellm.suppress_debug_info = True  # else it prints a banner on stdout for unknown models
    try:
        upstream, provider, _, _ = litellm.get_llm_provider(
            model=model, custom_llm_provider=custom_llm_provider, api_base=api_base
        )
    except Exception:  # LiteLLM raises assorted errors for "no provider"
        return None
    finally:
        litellm.suppress_debug_info = quiet
    return (provider, upstream) if provider else None


def _is_openai_itself(api_base: str | None) -> bool:
    if api_base is None:
        return True
    try:
        return (urlsplit(api_base).hostname or "") in OPENAI_HOSTS
    except ValueError:
        return False


def provider_of(
    model: str,
    custom_llm_provider: str | None,
    api_base: str | None,
    resolve: Resolver = resolve_with_litellm,
) -> Resolved | str:
    """The catalogue type and upstream name, or the reason there is none."""
    prefix, slash, rest = model.partition("/")
    if custom_llm_provider:
        found: tuple[str, str] | None = (
            custom_llm_provider,
            rest if prefix == custom_llm_provider and slash else model,
        )
    elif slash and rest and (prefix in LITELLM_PROVIDER_TYPES or prefix == "openai"):
        found = (prefix, rest)
    else:
        found = resolve(model, None, api_base)
        if found is None:
            return f"LiteLLM cannot tell which provider serves {model!r} (add a provider prefix)"
    litellm_provider, upstream = found
    if not upstream:
        return f"{model!r} names no model after the provider prefix"
    if litellm_provider == "openai":
        type_id = "openai" if _is_openai_itself(api_base) else "openai_compatible"
        return Resolved(type_id, upstream, litellm_provider)
    type_id = LITELLM_PROVIDER_TYPES.get(litellm_provider)
    if type_id is None:
        known = ", ".join(sorted({*LITELLM_PROVIDER_TYPES, "openai"}))
        return (
            f"llmtui has no provider type for LiteLLM's {litellm_provider!r} models "
            f"(it supports {known})"
        )
    return Resolved(type_id, upstream, litellm_provider)
