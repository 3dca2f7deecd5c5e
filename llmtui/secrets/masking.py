"""The only forms in which a secret may be shown without an explicit reveal."""

from __future__ import annotations

from collections.abc import Iterable

HIDDEN = "••••"


def mask_secret(value: str | None) -> str | None:
    """First 3 and last 3 characters, as the original spec asked; short keys show nothing."""
    if not value:
        return None
    if len(value) < 12:
        return HIDDEN
    return f"{value[:3]}…{value[-3:]}"


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of each secret in text (error bodies may echo keys)."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, mask_secret(secret) or HIDDEN)
    return text
