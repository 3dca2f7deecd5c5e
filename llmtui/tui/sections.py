"""The app's top-level screens: one registration each gives a mode, a key, a tab and a
palette command.

To add a screen (Fallbacks, Metrics ...), append one `Section`; its module is
imported the first time the user opens it, so start-up does not pay for it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from textual.screen import Screen


@dataclass(frozen=True)
class Section:
    mode: str
    key: str
    title: str
    screen: str
    """"package.module:ClassName", imported on first visit."""
    help: str
    footer: bool = False
    """Show its key in every footer (Apply: one key from everywhere)."""

    def load(self) -> Screen:
        module_name, _, class_name = self.screen.partition(":")
        screen_class = getattr(importlib.import_module(module_name), class_name)
        return screen_class()


SECTIONS: tuple[Section, ...] = (
    Section(
        "providers",
        "1",
        "Providers",
        "llmtui.tui.screens.providers:ProvidersScreen",
        "Providers, their keys and connection status",
    ),
    Section(
        "models",
        "2",
        "Models",
        "llmtui.tui.screens.models:ModelsScreen",
        "Enable, filter and edit models of every provider",
    ),
    Section(
        "fallbacks",
        "3",
        "Fallbacks",
        "llmtui.tui.screens.fallbacks:FallbacksScreen",
        "Fallback chains, retry policies and fallback tests",
    ),
    Section(
        "metrics",
        "4",
        "Metrics",
        "llmtui.tui.screens.metrics:MetricsScreen",
        "Fallbacks per group over 24h / 7d / 30d, with charts and CSV export",
    ),
    Section(
        "audit",
        "5",
        "Audit",
        "llmtui.tui.screens.audit:AuditScreen",
        "Every change, newest first",
    ),
    Section(
        "apply",
        "A",
        "Apply",
        "llmtui.tui.screens.apply:ApplyScreen",
        "Review the diff, write the config, restart the proxy; backups",
        footer=True,
    ),
)

HOME_SECTION = "providers"


def section(mode: str) -> Section:
    return next(s for s in SECTIONS if s.mode == mode)
