"""Providers screen: error paths and the guarded actions (reveal, delete, conflicts)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Select

from llmtui.services.audit import list_entries
from llmtui.services.context import AppContext
from llmtui.services.models import list_models
from llmtui.services.providers import ProviderFields, add_provider, edit_provider, list_providers
from llmtui.tui.screens import providers as providers_screen
from tests.support.fake_upstream import FakeUpstream
from tests.support.tui import screen_text, wait_for, wait_for_text, wait_idle

KEY = "sk-providerscreen-0123456789"


async def seed(home: Path, upstream: FakeUpstream, sync: bool = False) -> None:
    ctx = AppContext.open(home)
    try:
        fields = ProviderFields(
            type="openai", api_base=f"{upstream.url}/v1", secrets={"api_key": KEY}
        )
        await add_provider(ctx, "lab", fields)
        if sync:
            from llmtui.services.models import sync_models

            await sync_models(ctx, "lab")
    finally:
        await ctx.close()


async def stored(home: Path, call):
    ctx = AppContext.open(home)
    try:
        return await call(ctx)
    finally:
        await ctx.close()


async def test_failing_connection_test_shows_the_error(
    make_app, home: Path, upstream: FakeUpstream
) -> None:
    await seed(home, upstream)
    upstream.mode = "401"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "lab")
        await pilot.press("t")
        text = await wait_for_text(pilot, "✖ test failed")
        assert "HTTP 401" in text and "Incorrect API key" in text
        assert "✖ failing" in text
        upstream.mode = "500"
        await pilot.press("s")
        text = await wait_for_text(pilot, "✖ sync failed")
        assert "cannot list models of lab" in text
    views = await stored(home, list_providers)
    assert views[0].status == "failing"


async def test_invalid_form_input_is_shown_inline_and_nothing_is_saved(
    make_app, home: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot)
        await pilot.press("a")
        await wait_for_text(pilot, "Add provider")
        await pilot.press(*"oa", "tab", "tab", *"api.example.com", "tab", *"nope")
        text = await wait_for_text(pilot, "is not an http(s) URL")
        assert "does not look like a OpenAI key" in text
        await pilot.press("ctrl+s")
        text = await wait_for_text(pilot, "nothing was saved")
        assert app.screen.id != "providers-screen"  # the form stays open, input kept
        assert "api.example.com" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.id == "providers-screen")
    assert await stored(home, list_providers) == []


async def test_duplicate_name_is_refused_in_the_form(
    make_app, home: Path, upstream: FakeUpstream
) -> None:
    await seed(home, upstream)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "lab")
        await pilot.press("a")
        await wait_for_text(pilot, "Add provider")
        await pilot.press(*"lab", "tab", "tab", "tab", *"sk-another-123456789", "ctrl+s")
        text = await wait_for_text(pilot, "already exists")
        assert "nothing was saved" in text
    assert len(await stored(home, list_providers)) == 1


async def test_fields_follow_the_type(make_app, home: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot)
        await pilot.press("a")
        await wait_for_text(pilot, "Add provider")
        form = app.screen
        visible = lambda name: form.query_one(f"#row-{name}").display  # noqa: E731
        assert visible("key") and not visible("region") and not visible("api_version")
        form.query_one("#type", Select).value = "azure_openai"
        await pilot.pause()
        assert visible("api_version") and "2024-10-21" in screen_text(app)
        form.query_one("#type", Select).value = "bedrock"
        await pilot.pause()
        assert visible("region") and visible("aws_key_id") and "Secret key" in screen_text(app)
        form.query_one("#type", Select).value = "ollama"
        await pilot.pause()
        assert not visible("key")
        await pilot.press(*"local", "ctrl+s")  # the name field kept the focus
        await wait_for(pilot, lambda: app.screen.id == "providers-screen")
        await wait_for_text(pilot, "localhost:11434")
    (view,) = await stored(home, list_providers)
    assert (view.name, view.type, view.has_key) == ("local", "ollama", False)


async def test_conflict_shows_a_dialog_and_reloads(
    make_app, home: Path, upstream: FakeUpstream
) -> None:
    await seed(home, upstream)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "lab")
        await pilot.press("e")
        await wait_for_text(pilot, "Edit provider lab")
        # Another instance changes the row while the form is open.
        await stored(home, lambda c: edit_provider(c, "lab", ProviderFields(api_base=upstream.url)))
        await pilot.press("end", *"/v2", "ctrl+s")
        text = await wait_for_text(pilot, "Changed elsewhere")
        assert "reload" in text and "Traceback" not in text
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.id == "providers-screen")
        await wait_for_text(pilot, f"{upstream.url.removeprefix('http://')} ")
    (view,) = await stored(home, list_providers)
    assert view.api_base == upstream.url  # the other instance's change survived


async def test_reveal_needs_a_confirm_and_hides_again(
    make_app, home: Path, upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(providers_screen, "REVEAL_SECONDS", 0.5)
    await seed(home, upstream)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_text(pilot, "lab")
        await pilot.press("r")
        await wait_for_text(pilot, "Reveal the key of lab?")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.id == "providers-screen")
        assert KEY not in screen_text(app)
        await pilot.press("r", "y")
        await wait_for_text(pilot, KEY)
        await wait_for(pilot, lambda: KEY not in screen_text(app), timeout=5, what="hidden")
        assert "sk-…789" in screen_text(app)
    actions = [e.action for e in await stored(home, list_entries)]
    assert actions.count("provider.reveal") == 1


async def test_delete_says_how_many_models_go(make_app, home: Path, upstream: FakeUpstream) -> None:
    await seed(home, upstream, sync=True)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "lab")
        await pilot.press("d")
        text = await wait_for_text(pilot, "Remove provider lab?")
        assert "Its 4 models (0 enabled)" in text
        await pilot.press("y")
        await wait_for_text(pilot, "no providers yet")
    assert await stored(home, list_providers) == []
    assert await stored(home, lambda c: list_models(c, enabled=True)) == []
