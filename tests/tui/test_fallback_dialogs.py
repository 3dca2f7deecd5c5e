"""Fallbacks screen dialogs: policies (edit, inline refusal, router settings, reset) with the
wait schedule, and a real simulated fallback test whose result updates the group's status."""

from __future__ import annotations

from pathlib import Path

from llmtui.litellm import runtime
from llmtui.services.context import AppContext
from llmtui.services.fallback_test import last_tests
from llmtui.services.policies import get_router_settings, list_policies
from tests.support.tui import screen_text, wait_for
from tests.tui.test_fallbacks import seed, settled, wait_for_text


async def policies(home: Path) -> dict:
    ctx = AppContext.open(home)
    try:
        return {p.error_type: p for p in await list_policies(ctx)}
    finally:
        await ctx.close()


async def router(home: Path) -> dict:
    ctx = AppContext.open(home)
    try:
        return await get_router_settings(ctx)
    finally:
        await ctx.close()


async def open_screen(pilot, app) -> None:
    await wait_for(pilot, lambda: app.ctx is not None)
    await pilot.press("3")
    await wait_for(pilot, lambda: getattr(app.screen, "loaded", False), what="fallbacks")


async def test_policies_edit_refuse_router_and_reset(make_app, home: Path) -> None:
    await seed(home, {"alpha": ["beta"]})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, app)
        await pilot.press("p")
        text = await wait_for_text(pilot, "Wait schedule")
        assert "Rate limit: 3 retries" in text  # LiteLLM's default, with its real waits
        assert "retry 1 after 0.5–1.25 s" in text
        await pilot.press("enter")
        await wait_for_text(pilot, "Rate limit errors")
        await pilot.press("backspace", *"11")
        await wait_for_text(pilot, "retries must be a whole number from 0 to 10")
        await pilot.press("ctrl+s")
        await wait_for_text(pilot, "nothing was saved")
        assert not (await policies(home))["rate_limit"].customised
        await pilot.press("backspace", "backspace", "5", "ctrl+s")
        text = await wait_for_text(pilot, "Rate limit: 5 retries")
        assert "retry 5 after" in text
        assert (await policies(home))["rate_limit"].retries == 5

        await pilot.press("l", "j", "j")  # router: routing_strategy, num_retries, timeout
        assert app.screen.router_table.cursor_row.key == "timeout"
        await pilot.press("enter")
        await wait_for_text(pilot, "router_settings.timeout")
        await pilot.press(*"-1", "ctrl+s")
        await wait_for_text(pilot, "nothing was saved")
        assert (await router(home)).get("timeout") is None
        await pilot.press("backspace", "backspace", *"45", "ctrl+s")
        await settled_modal(pilot, app)
        assert (await router(home))["timeout"] == 45

        await pilot.press("h", "R")
        await wait_for_text(pilot, "Reset every retry policy?")
        await pilot.press("y")
        await wait_for_text(pilot, "Rate limit: 3 retries")
        assert not (await policies(home))["rate_limit"].customised
        assert (await router(home))["timeout"] == 45  # router settings stay
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.id == "fallbacks-screen")


async def settled_modal(pilot, app) -> None:
    await wait_for(pilot, lambda: type(app.screen).__name__ == "PoliciesScreen", timeout=40)
    await wait_for(pilot, lambda: not any(w.is_running for w in app.screen.workers), timeout=40)


async def test_simulated_test_shows_the_timeline_and_updates_the_status(
    make_app, home: Path
) -> None:
    await seed(home, {"alpha": ["beta", "delta"]})
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_screen(pilot, app)
        assert "never tested" in screen_text(app)
        await pilot.press("t")
        await wait_for_text(pilot, "Test alpha · simulated")
        await pilot.press("j")  # timeout, primary only
        cold = not runtime.is_loaded()
        await pilot.press("enter")
        if cold:  # the first test loads LiteLLM (seconds): progress, not a frozen screen
            await wait_for_text(pilot, "loading LiteLLM…")
        await wait_for(
            pilot, lambda: app.screen.run is not None, timeout=120, what="the test result"
        )
        text = await wait_for_text(pilot, "served by beta (fallback 1)")
        assert "Test alpha · timeout · depth 1 · simulated" in text
        assert "Waited (cfg)" in text and "production waits" in text
        result = app.screen.run.result
        assert [a.ok for a in result.attempts][-1] is True
        assert result.attempts[0].group == "alpha" and not result.attempts[0].ok
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.id == "fallbacks-screen")
        await settled(pilot, app)
        text = await wait_for_text(pilot, "fallback 1 served (beta)")
        assert "last test" in text and "timeout →" in text
    ctx = AppContext.open(home)
    try:
        test = (await last_tests(ctx))["alpha"]
    finally:
        await ctx.close()
    assert (test.trigger, test.outcome, test.served_by) == ("timeout", "fallback_served", "beta")


async def test_live_mode_is_checked_before_anything_is_sent(make_app, home: Path) -> None:
    await seed(home, {"alpha": ["beta", "delta"]})
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_screen(pilot, app)
        await pilot.press("t")
        await wait_for_text(pilot, "Test alpha · simulated")
        await pilot.press("m")
        text = await wait_for_text(pilot, "Test alpha · live")
        assert "may cost money" in text
        await pilot.press("enter")  # nothing applied yet: refused before any confirm
        text = await wait_for_text(pilot, "no config has been applied")
        assert type(app.screen).__name__ == "FallbackTestDialog" and app.screen.run is None
        await pilot.press("m")
        await wait_for_text(pilot, "Test alpha · simulated")
    ctx = AppContext.open(home)
    try:
        assert "alpha" not in await last_tests(ctx)
    finally:
        await ctx.close()


async def test_litellm_is_warmed_in_a_thread_after_first_paint(make_app, home: Path) -> None:
    """`llmtui` sets warm_up_after; the UI keeps answering keys while the thread works."""
    await seed(home, {"alpha": ["beta"]})
    was_warm = runtime.is_warm()  # another test in this process may have warmed it
    app = make_app(warm_up_after=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")  # the screen loads while LiteLLM warms
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False), timeout=40)
        if was_warm:
            await pilot.pause(0.5)
            assert app._warm_thread is None  # nothing left to warm
            return
        await wait_for(pilot, lambda: app._warm_thread is not None, timeout=20, what="warm-up")
        app._warm_thread.join(timeout=180)
        assert runtime.is_warm()


async def test_live_traffic_status_from_proxy_events(make_app, home: Path) -> None:
    """A fresh proxy event (what the recorder ingests) shows as the group's live status."""
    from llmtui.store.schema import FallbackEvent

    await seed(home, {"alpha": ["beta"]})
    ctx = AppContext.open(home)
    try:
        async with ctx.store.write() as session:
            session.add(
                FallbackEvent(
                    occurred_at=1_000_000.0 - 120,
                    group_name="alpha",
                    trigger="rate_limit",
                    status_code=429,
                    served_by="beta",
                    served_position=1,
                    outcome="served",
                    attempts=2,
                    latency_ms=800.0,
                    source="proxy",
                    detail=None,
                    dedupe_key="proxy:live-1",
                )
            )
    finally:
        await ctx.close()
    app = make_app(clock=lambda: 1_000_000.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, app)
        text = await wait_for_text(pilot, "live traffic")
        assert "live traffic: fallback 1 serving (beta) · rate_limit, 2 min ago" in text
