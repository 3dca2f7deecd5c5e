"""Fallbacks screen: keyboard drag, shift-move, picker add/remove, a refused cycle, conflicts.

Every change is checked against the stored order through the real service and SQLite.
"""

from __future__ import annotations

from pathlib import Path

from llmtui.services.audit import list_entries
from llmtui.services.context import AppContext
from llmtui.services.fallbacks import overview, set_chain
from llmtui.services.models import ModelFields, add_model
from llmtui.services.providers import ProviderFields, add_provider
from tests.support.tui import screen_text, wait_for, wait_idle
from tests.support.tui import wait_for_text as _wait_for_text


async def wait_for_text(pilot, text: str) -> str:
    return await _wait_for_text(pilot, text, timeout=40)


# group → provider (alpha and gamma share "local"; the others run on "other")
GROUPS = {"alpha": "local", "beta": "other", "delta": "other", "gamma": "local"}


async def seed(home: Path, chains: dict[str, list[str]]) -> None:
    ctx = AppContext.open(home)
    try:
        await add_provider(ctx, "local", ProviderFields(type="ollama"))
        await add_provider(ctx, "other", ProviderFields(type="vllm"))
        for group, provider in GROUPS.items():
            await add_model(ctx, provider, f"{group}-model", ModelFields(group=group, enabled=True))
        for group, fallbacks in chains.items():
            await set_chain(ctx, group, fallbacks)
    finally:
        await ctx.close()


async def stored(home: Path, group: str, kind: str = "general") -> list[str]:
    ctx = AppContext.open(home)
    try:
        views = {g.name: g for g in await overview(ctx)}
        return views[group].chains[kind].fallbacks
    finally:
        await ctx.close()


async def open_chain(pilot, app, group_index: int = 0) -> None:
    await wait_for(pilot, lambda: app.ctx is not None)
    await pilot.press("3")
    await wait_for(pilot, lambda: getattr(app.screen, "loaded", False), what="fallbacks")
    for _ in range(group_index):
        await pilot.press("j")
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen.focused is app.screen.chain_list, what="chain")


async def settled(pilot, app) -> None:
    """Every check and save has finished (generous: the test machine may be busy)."""
    await wait_idle(pilot, timeout=40)
    busy = lambda: not any(e.busy for e in app.screen.edits.values())  # noqa: E731
    await wait_for(pilot, busy, timeout=40, what="checks")


async def test_keyboard_drag_grab_move_drop_cancel_and_shift(make_app, home: Path) -> None:
    await seed(home, {"alpha": ["beta", "delta", "gamma"]})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_chain(pilot, app)
        await pilot.press("j", "space")  # grab fallback 1 (beta)
        text = await wait_for_text(pilot, "GRAB")
        assert "» 1 beta" in text.replace("│", " ")
        assert "space Drop" in text and "esc Cancel" in text  # the footer shows the grab keys
        await pilot.press("j", "down")  # to the end
        await wait_for_text(pilot, "» 3 beta")
        assert await stored(home, "alpha") == ["beta", "delta", "gamma"]  # not before the drop
        await wait_for(pilot, lambda: app.pending is not None, timeout=40)
        pending = app.pending
        await pilot.press("space")
        await settled(pilot, app)
        assert await stored(home, "alpha") == ["delta", "gamma", "beta"]
        assert "GRAB" not in screen_text(app)
        # audited, and counted as not applied on the status line
        await wait_for(pilot, lambda: app.pending == pending + 1, timeout=40, what="pending")
        entries = await list_entries(app.ctx, entity_type="fallback_chain")
        assert entries[0].action == "fallback.set"
        assert entries[0].after == {"fallbacks": ["delta", "gamma", "beta"]}

        await pilot.press("space", "k", "k")  # grab beta again, move it up twice …
        await wait_for_text(pilot, "» 1 beta")
        await pilot.press("escape")  # … and put it back
        await wait_for(pilot, lambda: "GRAB" not in screen_text(app))
        await settled(pilot, app)
        assert app.screen.chain_list.cursor_row.name == "beta"
        assert await stored(home, "alpha") == ["delta", "gamma", "beta"]

        await pilot.press("shift+up")  # one step, no grab
        await settled(pilot, app)
        assert await stored(home, "alpha") == ["delta", "beta", "gamma"]
        await pilot.press("shift+down", "shift+down")  # clamped at the end
        await settled(pilot, app)
        assert await stored(home, "alpha") == ["delta", "gamma", "beta"]
        assert "saved" in screen_text(app)


async def test_cycle_through_the_picker_is_refused_and_explained(make_app, home: Path) -> None:
    await seed(home, {"alpha": ["beta"]})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_chain(pilot, app, group_index=1)  # beta
        await pilot.press("a")
        await wait_for_text(pilot, "Add a general fallback to beta")
        await pilot.press(*"alp", "enter")
        await settled(pilot, app)
        text = await wait_for_text(pilot, "cycle")
        assert "this would make a cycle: beta → alpha → beta" in text
        assert "not saved" in text
        assert await stored(home, "beta") == []
        await pilot.press("x")  # removing the marked entry makes it valid (and empty) again
        await settled(pilot, app)
        assert "cycle" not in screen_text(app)
        assert await stored(home, "beta") == []
        await pilot.press("a", *"alp", "enter")  # again, then u undoes it
        await settled(pilot, app)
        await wait_for_text(pilot, "not saved")
        await pilot.press("u")
        await settled(pilot, app)
        assert "cycle" not in screen_text(app)
        assert app.screen.edit().entries == [] and await stored(home, "beta") == []


async def test_picker_adds_and_x_removes(make_app, home: Path) -> None:
    await seed(home, {})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_chain(pilot, app)  # alpha
        await pilot.press("a")
        await wait_for_text(pilot, "Add a general fallback to alpha")
        await pilot.press(*"zzz")
        await wait_for_text(pilot, "no group matches")
        await pilot.press("enter")
        await wait_for_text(pilot, "no group matches the filter")
        await pilot.press("backspace", "backspace", "backspace", *"alpha", "enter")
        await wait_for_text(pilot, "alpha is this group")
        await pilot.press("ctrl+u", *"del", "enter")
        await settled(pilot, app)
        assert await stored(home, "alpha") == ["delta"]
        await pilot.press("a")
        await wait_for_text(pilot, "Add a general fallback")
        await pilot.press(*"gam", "enter")
        await settled(pilot, app)
        assert await stored(home, "alpha") == ["delta", "gamma"]
        # alpha and gamma both run on "local", delta on "other": no warning yet
        assert "same provider" not in screen_text(app)
        await pilot.press("k", "x")  # remove delta: alpha → gamma, both on "local"
        await settled(pilot, app)
        assert await stored(home, "alpha") == ["gamma"]
        text = await wait_for_text(pilot, "same provider")
        assert "every member of this chain runs on local" in text


async def test_other_kinds_are_separate_chains(make_app, home: Path) -> None:
    await seed(home, {"alpha": ["beta"]})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_chain(pilot, app)
        await pilot.press("right_square_bracket")
        await wait_for_text(pilot, "no context window fallbacks")
        await pilot.press("a")
        await wait_for_text(pilot, "Add a context window fallback to alpha")
        await pilot.press(*"delta", "enter")
        await settled(pilot, app)
        assert await stored(home, "alpha", "context_window") == ["delta"]
        assert await stored(home, "alpha") == ["beta"]


async def test_a_change_made_elsewhere_shows_the_conflict(make_app, home: Path) -> None:
    await seed(home, {"alpha": ["beta", "delta"]})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_chain(pilot, app)
        await set_chain(app.ctx, "alpha", ["delta"])  # another instance
        await pilot.press("j", "shift+down")
        await wait_for_text(pilot, "hanged elsewhere")
        assert await stored(home, "alpha") == ["delta"]
