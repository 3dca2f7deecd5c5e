"""Models screen: each group's serving status from its latest fallback events."""

from __future__ import annotations

from pathlib import Path

from llmtui.services.context import AppContext
from llmtui.services.models import ModelFields, add_model
from llmtui.services.providers import ProviderFields, add_provider
from tests.support.events import add_events, append_lines, event, recorder_line
from tests.support.tui import screen_text, wait_for, wait_for_text

NOW = 1_795_000_000.0


async def seed(home: Path, with_events: bool) -> None:
    ctx = AppContext.open(home)
    try:
        await add_provider(ctx, "lab", ProviderFields(type="ollama"))
        for group in ("claude-sonnet", "gpt-4o", "gpt-4o-mini", "local-chat"):
            await add_model(ctx, "lab", group, ModelFields(enabled=True))
        if with_events:
            await add_events(
                ctx,
                [
                    event(NOW - 4 * 60, "gpt-4o", "rate_limit", "claude-sonnet", 1, 2, 800.0),
                    event(NOW - 2 * 3600, "gpt-4o-mini", "server_error", "gpt-4o", 1),
                    event(NOW - 60, "gpt-4o-mini", "timeout", "x", 1, source="simulated"),
                ],
            )
    finally:
        await ctx.close()


def row_of(text: str, group: str) -> str:
    return next(line for line in text.splitlines() if f" {group} " in line and "[x]" in line)


async def test_group_status_column_and_detail_line(make_app, home: Path) -> None:
    await seed(home, with_events=True)
    # A request that failed everywhere, written by the proxy's recorder: ingested on load.
    append_lines(
        home / "events",
        recorder_line("r1", "local-chat", NOW - 120, outcome="failed", served_by=None),
    )
    app = make_app(clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.ctx is not None)
        await pilot.press("2")
        text = await wait_for_text(pilot, "Serving")
        assert "▲ fb 1 · 4m" in row_of(text, "gpt-4o")
        assert "✖ failing 2m" in row_of(text, "local-chat")
        # Its latest real event is 2 h old (the newer simulated test does not count).
        assert "● primary" in row_of(text, "gpt-4o-mini")
        assert "—" in row_of(text, "claude-sonnet")
        assert "no fallback recorded" in text  # the cursor is on claude-sonnet
        await pilot.press("j")
        text = await wait_for_text(pilot, "fallback 1 serving (claude-sonnet)")
        assert "rate_limit · 4 min ago · proxy" in text
        await pilot.press("j")
        await wait_for_text(pilot, "last fallback 2 h ago (server_error, proxy)")


async def test_no_events_no_status_column(make_app, home: Path) -> None:
    await seed(home, with_events=False)
    app = make_app(clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.ctx is not None)
        await pilot.press("2")
        await wait_for_text(pilot, "4 of 4")
        await wait_for(pilot, lambda: not any(w.is_running for w in app.workers))
        text = screen_text(app)
        assert "Serving" not in text and "no fallback recorded" not in text
