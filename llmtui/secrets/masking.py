"""The only forms in which a secret may be shown without an explicit reveal."""

from __future__ import annotations

import re
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


_SECRET_KEY = re.compile(
    r"(api_key|secret|secret_key|password|passwd|master_key|salt_key|database_url|"
    r"access_key_id|(^|_)(auth_|access_|bearer_|refresh_)?token)$",
    re.IGNORECASE,
)
_YAML_PAIR = re.compile(
    r"^(?P<head>[+ -]?[ \t]*(?:-[ \t]+)?(?P<key>[A-Za-z0-9_.\-]+|\"[^\"]*\"|'[^']*')[ \t]*:[ \t]+)"
    r"(?P<value>[^#\s][^\n]*?)[ \t]*$",
    re.MULTILINE,
)


def mask_config_text(text: str) -> str:
    """Mask the values of secret-looking keys in YAML text (diffs, previews).

    `os.environ/` references are not secrets and stay readable.
    """

    def replace(match: re.Match[str]) -> str:
        key = match.group("key").strip("\"'")
        value = match.group("value")
        if (
            not _SECRET_KEY.search(key)
            or "cost" in key
            or value.startswith(("os.environ/", "'os.environ/"))
        ):
            return match.group(0)
        bare = value.strip("\"'")
        return match.group("head") + (mask_secret(bare) or HIDDEN)

    return _YAML_PAIR.sub(replace, text)
