"""The main path, walked with the keyboard as a new user would."""

from __future__ import annotations

from pathlib import Path

from llmtui.services.audit import list_entries
from llmtui.services.context import AppContext
from llmtui.services.models import list_models
from tests.support.fake_upstream import FakeUpstream
from tests.support.tui import screen_text, wait_for, wait_for_text, wait_idle

KEY = "sk-flowtest-0123456789abcdef"


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def test_first_run_to_enabled_models_and_audit(
    make_app, home: Path, upstream: FakeUpstream
) -> None:
    upstream.expected_key = KEY
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot)
        text = screen_text(app)
        assert "No providers yet" in text and "add your first provider" in text

        await pilot.press("a")
        await wait_for_text(pilot, "Add provider")
        await type_text(pilot, "lab")
        await pilot.press("tab", "tab")  # type select stays OpenAI
        await type_text(pilot, f"{upstream.url}/v1")
        await pilot.press("tab")
        await type_text(pilot, KEY)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.id == "providers-screen", what="form closed")
        text = await wait_for_text(pilot, "lab")
        assert "sk-…def" in text and KEY not in text
        assert "○ never" in text

        await pilot.press("t")
        text = await wait_for_text(pilot, "✔ test ok")
        assert "● connected" in text and "4 models" in text

        await pilot.press("s")
        text = await wait_for_text(pilot, "✔ synced")
        assert "4 new (disabled)" in text

        await pilot.press("2")
        await wait_for_text(pilot, "4 of 4")
        await pilot.press("slash")
        await type_text(pilot, "gpt-4o")
        text = await wait_for_text(pilot, "2 of 4")
        assert "text-embedding" not in text
        await pilot.press("enter", "v", "v")
        await wait_for_text(pilot, "2 selected")
        await pilot.press("E")
        await wait_for_text(pilot, "3 changes not applied")
        await wait_idle(pilot)

        await pilot.press("5")
        text = await wait_for_text(pilot, "model.enable")
        assert "provider.add" in screen_text(app) or "provider.test" in text

    ctx = AppContext.open(home)
    try:
        enabled = {m.upstream_model for m in await list_models(ctx, enabled=True)}
        actions = [e.action for e in await list_entries(ctx)]
    finally:
        await ctx.close()
    assert enabled == {"gpt-4o", "gpt-4o-mini"}
    assert actions[:2] == ["model.enable", "model.enable"]
    assert {"model.sync", "provider.test", "provider.add"} <= set(actions)
