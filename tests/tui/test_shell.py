"""The shell: section keys, help, palette, status line (proxy health, pending changes), theme."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette

from llmtui.services.context import AppContext
from llmtui.services.providers import ProviderFields, add_provider
from llmtui.tui.screens.help import binding_rows
from tests.support.fake_upstream import FakeUpstream
from tests.support.tui import screen_text, wait_for, wait_for_text


class Health:
    """A proxy stand-in that only answers /health/liveliness with a chosen status."""

    def __init__(self) -> None:
        self.status = 200
        health = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                code = health.status if self.path == "/health/liveliness" else 404
                self.send_response(code)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def health() -> Iterator[Health]:
    server = Health()
    yield server
    server.server.shutdown()
    server.server.server_close()


async def test_status_line_follows_proxy_and_pending_changes(
    make_app, home: Path, health: Health, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMTUI_PROXY_URL", health.url)
    app = make_app(poll_interval=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await wait_for_text(pilot, "● healthy")
        assert "all applied" in text
        health.status = 503
        await wait_for_text(pilot, "▲ unhealthy")
        ctx = AppContext.open(home)
        try:
            await add_provider(ctx, "elsewhere", ProviderFields(type="ollama"))
        finally:
            await ctx.close()
        # A change made by another instance shows up at the next poll.
        await wait_for_text(pilot, "1 change not applied")


async def test_section_keys_help_and_theme(make_app, home: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.ctx is not None)
        for key, screen_id in (("2", "models"), ("5", "audit"), ("1", "providers")):
            await pilot.press(key)
            await wait_for(pilot, lambda s=screen_id: app.screen.id == f"{s}-screen")
        expected = {(r.keys, r.action) for r in binding_rows(app.screen)}
        await pilot.press("question_mark")
        await wait_for_text(pilot, "Keys · Providers")
        help_screen = app.screen
        listed = {(r.keys, r.action) for r in help_screen.rows}
        assert listed == expected
        for needed in ("a", "t", "s", "r", "d", "j/↓", "1", "2", "5"):
            assert any(keys.split("/")[0] == needed.split("/")[0] for keys, _ in listed), needed
        await pilot.press("2")  # section keys do nothing under a dialog
        assert app.screen is help_screen
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.id == "providers-screen")
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: app.theme == "textual-light")


async def test_palette_runs_provider_commands(make_app, home: Path, upstream: FakeUpstream) -> None:
    ctx = AppContext.open(home)
    try:
        fields = ProviderFields(type="openai_compatible", api_base=f"{upstream.url}/v1")
        await add_provider(ctx, "lab", fields)
    finally:
        await ctx.close()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "lab")
        await pilot.press("5")
        await wait_for(pilot, lambda: app.screen.id == "audit-screen")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: CommandPalette.is_open(app))
        await pilot.press(*"sync models lab")
        await wait_for_text(pilot, "Sync models lab")
        await pilot.press("enter")
        text = await wait_for_text(pilot, "✔ synced")
        assert app.screen.id == "providers-screen" and "4 new (disabled)" in text
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: CommandPalette.is_open(app))
        await pilot.press(*"add provider")
        await wait_for_text(pilot, "Add an OpenAI")  # the hit's help line
        await pilot.press("enter")
        await wait_for_text(pilot, "a short unique name")
        assert "Traceback" not in screen_text(app)
        await pilot.press("escape", "ctrl+p")
        await wait_for(pilot, lambda: CommandPalette.is_open(app))
        await pilot.press(*"go to audit")
        await wait_for_text(pilot, "Every change, newest first")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.id == "audit-screen", what="audit screen")
