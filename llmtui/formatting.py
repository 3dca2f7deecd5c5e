"""Human formats shared by the CLI and the TUI (pure functions, no IO)."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def ago(ts: float | None, at: float | None = None) -> str:
    if ts is None:
        return "never"
    delta = max(0.0, (at or time.time()) - ts)
    if delta < 60:
        return "just now"
    if delta < 3600:
        return f"{int(delta // 60)} min ago"
    if delta < 86400:
        return f"{int(delta // 3600)} h ago"
    return f"{int(delta // 86400)} d ago"


def timestamp(ts: float | None) -> str:
    if ts is None:
        return "—"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def tokens(n: int | None) -> str:
    if n is None:
        return "—"
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000:
        return f"{n / 1000:g}k" if n % 1000 == 0 else f"{n / 1000:.1f}k"
    return str(n)


def cost(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}" if value >= 0.01 or value == 0 else f"{value:.4g}"


def millis(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} ms" if value < 10_000 else f"{value / 1000:.1f} s"
