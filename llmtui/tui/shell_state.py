"""What the status line shows, as plain values the app owns and screens watch."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProxyIndicator:
    """The proxy's health as the status line shows it."""

    state: str  # checking / healthy / unhealthy / down / unknown
    detail: str = ""

    @property
    def glyph(self) -> str:
        return {"healthy": "●", "unhealthy": "▲", "down": "✖"}.get(self.state, "○")

    @property
    def tone(self) -> str:
        return {"healthy": "ok", "unhealthy": "warn", "down": "error"}.get(self.state, "muted")


@dataclass(frozen=True)
class KeyNotice:
    """Where the master key comes from, when that deserves a warning line."""

    text: str = ""
    severity: str = "warning"  # warning / error
