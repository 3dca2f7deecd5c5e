"""The command palette (ctrl+p): sections, app commands, and per-provider actions.

To add a command, append a `PaletteCommand` to `PALETTE_COMMANDS`; its action string runs
on the app (e.g. "section('providers')" or "on_section('providers', 'add_provider')").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from llmtui.tui.sections import SECTIONS


@dataclass(frozen=True)
class PaletteCommand:
    title: str
    help: str
    action: str


PALETTE_COMMANDS: list[PaletteCommand] = [
    *(PaletteCommand(f"Go to {s.title}", s.help, f"section('{s.mode}')") for s in SECTIONS),
    PaletteCommand(
        "Add provider",
        "Add an OpenAI, Anthropic, Azure, Bedrock, local ... provider",
        "on_section('providers', 'add_provider')",
    ),
    PaletteCommand(
        "Export fallback metrics (CSV)",
        "The Metrics screen's range and filters as a CSV file under the home's exports/",
        "on_section('metrics', 'export_csv')",
    ),
    PaletteCommand(
        "Import config",
        "Read an existing litellm-config.yaml into the store (dry run first)",
        "import_config",
    ),
    PaletteCommand(
        "Backups",
        "Config backups kept by apply; restore one",
        "on_section('apply', 'show_backups')",
    ),
    PaletteCommand("Toggle theme", "Switch between the dark and the light theme", "toggle_theme"),
    PaletteCommand("Help", "Every key of the current screen", "help"),
    PaletteCommand(
        "Set up master key storage",
        "Keep the master key in a passphrase file or a plaintext file",
        "key_setup",
    ),
]

# Per provider: (title prefix, screen method, help)
PROVIDER_COMMANDS = (
    ("Test provider", "test_provider", "Call the provider's model list and time it"),
    ("Sync models", "sync_provider", "Fetch the provider's models into the store"),
)


class LlmtuiCommands(Provider):
    """Posting-style: static commands plus one test/sync command per provider."""

    async def startup(self) -> None:
        self.provider_names: list[str] = []
        app: Any = self.app
        if app.ctx is None:
            return
        from llmtui.errors import LlmtuiError
        from llmtui.services.providers import list_providers

        try:
            self.provider_names = [p.name for p in await list_providers(app.ctx)]
        except LlmtuiError:
            self.provider_names = []

    def _commands(self) -> list[tuple[str, str, Any]]:
        app: Any = self.app
        found = [(c.title, c.help, partial(app.run_action, c.action)) for c in PALETTE_COMMANDS]
        for title, method, help_text in PROVIDER_COMMANDS:
            for name in self.provider_names:
                found.append(
                    (
                        f"{title} {name}",
                        help_text,
                        partial(app.action_on_section, "providers", method, name),
                    )
                )
        return found

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
