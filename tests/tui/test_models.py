"""Models screen: toggle, bulk selection, edit modal, provider filter, conflicts."""

from __future__ import annotations

from pathlib import Path

from llmtui.services.context import AppContext
from llmtui.services.models import ModelFields, add_model, edit_model, list_models
from llmtui.services.providers import ProviderFields, add_provider
from tests.support.tui import screen_text, wait_for, wait_for_text


async def seed(home: Path) -> None:
    ctx = AppContext.open(home)
    try:
        await add_provider(ctx, "local", ProviderFields(type="ollama"))
        await add_provider(ctx, "other", ProviderFields(type="vllm"))
        for name in ("alpha", "beta", "gamma"):
            await add_model(ctx, "local", name, ModelFields(enabled=False))
        await add_model(ctx, "other", "delta", ModelFields(enabled=False))
    finally:
        await ctx.close()


async def models(home: Path, **filters):
    ctx = AppContext.open(home)
    try:
        return {m.upstream_model: m for m in await list_models(ctx, **filters)}
    finally:
        await ctx.close()


async def test_toggle_select_all_and_bulk(make_app, home: Path) -> None:
    await seed(home)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.ctx is not None)
        await pilot.press("2")
        await wait_for_text(pilot, "4 of 4")
        await pilot.press("space")  # alpha
        await wait_for(pilot, lambda: app.screen.table.rows[0].enabled, what="alpha on")
        assert (await models(home))["alpha"].enabled
        await pilot.press("slash", *"local", "enter")
        await wait_for_text(pilot, "3 of 4")
        await pilot.press("ctrl+a")
        await wait_for_text(pilot, "3 selected")
        await pilot.press("E")
        await wait_for(pilot, lambda: all(m.enabled for m in app.screen.table.rows))
        found = await models(home)
        assert [n for n, m in found.items() if m.enabled] == ["alpha", "beta", "gamma"]
        await pilot.press("ctrl+a", "D")  # select again, disable
        await wait_for(pilot, lambda: not any(m.enabled for m in app.screen.table.rows))
        assert not any(m.enabled for m in (await models(home)).values())


async def test_edit_modal_validates_and_saves(make_app, home: Path) -> None:
    await seed(home)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.ctx is not None)
        await pilot.press("2")
        await wait_for_text(pilot, "4 of 4")
        await pilot.press("e")
        await wait_for_text(pilot, "Edit local/alpha")
        await pilot.press("tab", "tab", *"abc")  # input cost
        await wait_for_text(pilot, "input cost must be a number")
        await pilot.press("ctrl+s")
        await wait_for_text(pilot, "nothing was saved")
        assert (await models(home))["alpha"].input_cost_per_1m is None
        await pilot.press("backspace", "backspace", "backspace", *"2.5", "tab", *"10", "tab")
        await pilot.press(*"128000", "shift+tab", "shift+tab", "shift+tab", "shift+tab")
        await pilot.press("ctrl+u", *"chat")  # the group name
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.id == "models-screen")
        text = await wait_for_text(pilot, "chat")
        assert "2.50" in text and "10.00" in text and "128k" in text
    alpha = (await models(home))["alpha"]
    assert (alpha.group, alpha.input_cost_per_1m, alpha.output_cost_per_1m) == ("chat", 2.5, 10.0)
    assert alpha.context_window == 128000


async def test_toggle_conflict_and_provider_filter(make_app, home: Path) -> None:
    await seed(home)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "local")
        await pilot.press("j", "enter")  # "other" → its models
        await wait_for_text(pilot, "provider: other")
        text = await wait_for_text(pilot, "1 of 1")
        assert "delta" in text and "alpha" not in text
        ctx = AppContext.open(home)
        try:
            (delta,) = [m for m in await list_models(ctx) if m.upstream_model == "delta"]
            await edit_model(ctx, delta.id, ModelFields(group="renamed"))
        finally:
            await ctx.close()
        await pilot.press("space")
        await wait_for_text(pilot, "Changed elsewhere")
        await pilot.press("enter")
        await wait_for_text(pilot, "renamed")
        assert not (await models(home))["delta"].enabled
        await pilot.press("p")
        await wait_for_text(pilot, "Show the models of")
        await pilot.press("home", "enter")  # "all providers" is first
        await wait_for_text(pilot, "4 of 4")
        assert "provider: all" in screen_text(app)
