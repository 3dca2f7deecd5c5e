"""Sealed values: secrets inside JSON settings (passthrough sections, extra litellm_params).

A sealed value is `{SECRET_MARK: <Fernet token>}` in place of the plaintext, so the
store only ever holds ciphertext; rendering unseals it, listings and the audit redact it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmtui.litellm.import_plan import SECRET_SECTIONS, is_secret_text, looks_secret
from llmtui.secrets.masking import HIDDEN

SECRET_MARK = "__llmtui_secret__"


def seal(box: Any, value: Any) -> dict[str, str]:
    """Wrap a passthrough secret so the store only ever holds its ciphertext."""
    return {SECRET_MARK: box.encrypt({"value": value})}


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {SECRET_MARK}


def unseal(box: Any, value: Any) -> Any:
    if is_sealed(value):
        return box.decrypt(value[SECRET_MARK])["value"]
    if isinstance(value, dict):
        return {k: unseal(box, v) for k, v in value.items()}
    if isinstance(value, list):
        return [unseal(box, v) for v in value]
    return value


def has_sealed(value: Any) -> bool:
    if isinstance(value, dict):
        return is_sealed(value) or any(has_sealed(v) for v in value.values())
    if isinstance(value, list):
        return any(has_sealed(v) for v in value)
    return False


def map_tokens(value: Any, change: Callable[[str], str]) -> Any:
    """The same structure with every sealed token passed through `change` (key rotation)."""
    if is_sealed(value):
        return {SECRET_MARK: change(value[SECRET_MARK])}
    if isinstance(value, dict):
        return {k: map_tokens(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [map_tokens(v, change) for v in value]
    return value


def redact(value: Any) -> Any:
    """What listings and the audit show: sealed values as ••••."""
    if is_sealed(value):
        return HIDDEN
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def seal_secrets(box: Any, value: Any, secret: bool = False) -> Any:
    """Seal every secret-looking text in `value` (by its key, or a URL with a password)."""
    if isinstance(value, dict):
        return {k: seal_secrets(box, v, secret or looks_secret(str(k))) for k, v in value.items()}
    if isinstance(value, list):
        return [seal_secrets(box, v, secret) for v in value]
    return seal(box, value) if is_secret_text(secret, value) else value


def seal_setting(box: Any, section: str, key: str, value: Any) -> Any:
    """A passthrough setting as stored: every value of a secret section is sealed."""
    return seal_secrets(box, value, section in SECRET_SECTIONS or looks_secret(key))
