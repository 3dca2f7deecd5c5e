"""Checks at the service boundary: whatever the front end, bad values never reach the store."""

from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

from llmtui.errors import InvalidInput

MAX_NAME_LENGTH = 200
MAX_TEXT_LENGTH = 2000
# C0 and C1 controls, NUL, and the Unicode line/paragraph separators YAML breaks lines on.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_name(value: str, what: str, max_length: int = MAX_NAME_LENGTH) -> str:
    """Names may hold any printable text (YAML quoting is the renderer's job), within limits."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} must not be empty")
    if len(value) > max_length:
        raise InvalidInput(f"{what} is too long ({len(value)} characters, at most {max_length})")
    if _CONTROL.search(value):
        raise InvalidInput(f"{what} must not contain control characters or NUL bytes")
    return value


def check_text(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    return check_name(value, what, MAX_TEXT_LENGTH)


def check_url(value: str, what: str = "base URL") -> str:
    check_text(value, what)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{what} {value!r} is not an http(s) URL like https://host/path")
    try:
        _ = parts.port
    except ValueError:
        raise InvalidInput(f"{what} {value!r} has an invalid port") from None
    if any(c.isspace() for c in value):
        raise InvalidInput(f"{what} {value!r} must not contain spaces")
    return value.rstrip("/")


def check_env_name(value: str) -> str:
    if not _ENV_NAME.fullmatch(value or ""):
        raise InvalidInput(f"{value!r} is not a valid environment variable name")
    return value


def check_cost(value: float | None, what: str) -> float | None:
    if value is None:
        return None
    if not isinstance(value, int | float) or math.isnan(value) or math.isinf(value):
        raise InvalidInput(f"{what} must be a number")
    if value < 0:
        raise InvalidInput(f"{what} must not be negative (got {value})")
    if value > 1_000_000:
        raise InvalidInput(f"{what} of {value} USD per 1M tokens is implausibly high")
    # Micro-dollar precision keeps per-1M -> per-token -> per-1M round trips exact.
    return round(float(value), 6)


def check_positive_int(value: int | None, what: str, maximum: int = 100_000_000) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInput(f"{what} must be a whole number greater than 0 (got {value})")
    if value > maximum:
        raise InvalidInput(f"{what} must be at most {maximum} (got {value})")
    return value


def check_secret(value: str, what: str = "API key") -> str:
    if _CONTROL.search(value) or any(c.isspace() for c in value):
        raise InvalidInput(f"the {what} must not contain spaces or control characters")
    if len(value) > 4096:
        raise InvalidInput(f"the {what} is too long")
    return value
