"""Audit screen: newest first, filter by entity type, each entry in full."""

from __future__ import annotations

from pathlib import Path

from llmtui.services.context import AppContext
from llmtui.services.models import ModelFields, add_model
from llmtui.services.providers import ProviderFields, add_provider, edit_provider
from tests.support.tui import screen_text, wait_for, wait_for_text


async def test_filter_and_detail(make_app, home: Path) -> None:
    ctx = AppContext.open(home)
    try:
        await add_provider(ctx, "local", ProviderFields(type="ollama"))
        await add_model(ctx, "local", "llama3", ModelFields(group="chat"))
        await edit_provider(ctx, "local", ProviderFields(api_base="http://10.0.0.5:11434"))
    finally:
        await ctx.close()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.ctx is not None)
        await pilot.press("5")
        text = await wait_for_text(pilot, "3 newest first")
        rows = [r.action for r in app.screen.table.rows]
        assert rows == ["provider.edit", "model.add", "provider.add"]
        assert "api_base:" in text  # the edit's summary: what changed
        await pilot.press("enter")
        text = await wait_for_text(pilot, "esc close")
        assert "~ api_base:" in text and "10.0.0.5:11434" in text
        assert "localhost:11434" in text  # the value before
        await pilot.press("escape", "f")
        await wait_for_text(pilot, "Show changes of")
        await pilot.press("j", "enter")  # "model" (sorted after "all entities")
        text = await wait_for_text(pilot, "entity: model")
        assert [r.action for r in app.screen.table.rows] == ["model.add"]
        assert "provider.add" not in screen_text(app)
