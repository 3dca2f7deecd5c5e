"""Background health: providers flip from never tested to connected / failing on their
own, one round at a time, while the keyboard keeps working."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmtui.services.audit import list_entries
from llmtui.services.context import AppContext
from llmtui.services.providers import ProviderFields, add_provider
from tests.support.fake_upstream import FakeUpstream, closed_port
from tests.support.tui import screen_text, wait_for

KEY = "sk-background-health-0123456789"


@pytest.fixture
def slow() -> Iterator[FakeUpstream]:
    server = FakeUpstream(name="slow", mode="hang", hang_seconds=3).start()
    yield server
    server.stop()


async def seed(home: Path, upstream: FakeUpstream, slow: FakeUpstream) -> None:
    ctx = AppContext.open(home)
    try:
        fields = ProviderFields(
            type="openai", api_base=f"{upstream.url}/v1", secrets={"api_key": KEY}
        )
        await add_provider(ctx, "good", fields)
        dead = f"http://127.0.0.1:{closed_port()}"
        await add_provider(ctx, "dead", ProviderFields(type="ollama", api_base=dead))
        await add_provider(ctx, "slow", ProviderFields(type="ollama", api_base=slow.url))
    finally:
        await ctx.close()


def statuses(app) -> dict[str, str]:
    return {v.name: app.screen.status(v) for v in app.screen.providers}


async def test_status_colours_update_in_the_background(
    make_app,
    home: Path,
    upstream: FakeUpstream,
    slow: FakeUpstream,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await seed(home, upstream, slow)
    monkeypatch.setenv("LLMTUI_HEALTH_INTERVAL", "1")
    monkeypatch.setenv("LLMTUI_PROBE_READ_TIMEOUT", "2")
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.providers) == 3, what="the list")
        assert set(statuses(app).values()) == {"never"}  # the first round has not run yet

        most = 0

        async def until(predicate, timeout: float = 20.0) -> None:
            nonlocal most
            deadline = time.monotonic() + timeout
            while not predicate():
                rounds = [w for w in app.workers if w.group == "provider-health" and w.is_running]
                most = max(most, len(rounds))
                assert time.monotonic() < deadline, screen_text(app)
                await pilot.pause(0.02)

        # Nobody presses t: the round tests dead, good, then slow (one at a time).
        await until(lambda: statuses(app).get("good") == "connected")
        assert statuses(app)["dead"] == "failing" and statuses(app)["slow"] == "never"
        text = screen_text(app)
        assert "● connected" in text and "✖ failing" in text
        assert "3 providers · auto-test every 1 s" in text

        # slow's upstream takes seconds to answer; the keyboard does not wait for it.
        assert app.health is not None and app.health.running
        started = time.monotonic()
        await pilot.press("2")
        await until(lambda: app.screen.id == "models-screen", timeout=5)
        await pilot.press("1")
        await until(lambda: app.screen.id == "providers-screen", timeout=5)
        assert time.monotonic() - started < 1.5
        assert app.health.running  # still the same round

        await until(lambda: statuses(app).get("slow") == "failing")
        await until(lambda: app.health.rounds >= 2)  # later rounds follow on their own
        assert most == 1  # never two rounds at once, although each outlasts the interval
        app.health.stop()
        await until(lambda: not app.health.running)

    ctx = AppContext.open(home)
    try:
        tests = [e for e in await list_entries(ctx) if e.action == "provider.test"]
    finally:
        await ctx.close()
    # Two rounds or more, but one audit entry per provider: nothing changed after the first.
    assert sorted(e.entity_name for e in tests) == ["dead", "good", "slow"]


async def test_a_slow_proxy_delays_polls_instead_of_restarting_them(
    make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each poll outlasts the poll interval: a poll that restarted the running one would
    never finish, and the status line would say "checking" forever."""

    def slow_health(stage: str) -> int:
        time.sleep(0.4)
        return 200

    proxy = FakeUpstream(name="proxy", health=slow_health).start()
    try:
        monkeypatch.setenv("LLMTUI_PROXY_URL", proxy.url)
        app = make_app(poll_interval=0.1)
        async with app.run_test(size=(80, 24)) as pilot:
            most = 0
            deadline = time.monotonic() + 10
            while app.proxy.state != "healthy":
                polls = [w for w in app.workers if w.group == "status" and w.is_running]
                most = max(most, len(polls))
                assert time.monotonic() < deadline, f"still {app.proxy.state}"
                await pilot.pause(0.02)
            assert most == 1
    finally:
        proxy.stop()
