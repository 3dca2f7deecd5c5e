"""The app offers to finish or roll back an apply a crash interrupted (a real SIGKILL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmtui.services.recovery import find_interrupted
from tests.support.apply_stack import Stack
from tests.support.crash import build_crash_stack, crash_apply, store_is_intact
from tests.support.fake_upstream import FakeUpstream
from tests.support.tui import screen_text, wait_for, wait_for_text, wait_idle

pytestmark = pytest.mark.slow


@pytest.fixture
def crashed(
    run_cli, home: Path, tmp_path: Path, upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> tuple[Stack, bytes]:
    stack = build_crash_stack(run_cli, home, tmp_path, upstream, monkeypatch)
    old = stack.config.read_bytes()
    crash_apply(stack, "after_write")
    assert stack.config.read_bytes() != old
    return stack, old


async def test_rollback_from_the_start_dialog(make_app, crashed) -> None:
    stack, old = crashed
    restarts = len(stack.restarts())
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        text = await wait_for_text(pilot, "Interrupted apply")
        assert "stopped at step 'write'" in text and "NEW file" in text
        assert "Roll back: put backup #1 back and restart the proxy" in text
        assert "Finish (f)" in text and "Roll back (r)" in text and "Later (esc)" in text
        await pilot.press("r")
        text = await wait_for_text(pilot, "Success:", timeout=30)
        assert "Close (esc)" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Interrupted apply" not in screen_text(app))
    assert stack.config.read_bytes() == old
    assert len(stack.restarts()) == restarts + 1
    store_is_intact(stack)
    assert stack.applies()[-2][0] == "interrupted"


async def test_later_leaves_it_reported(make_app, crashed, ctx) -> None:
    stack, _ = crashed
    on_disk = stack.config.read_bytes()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "Interrupted apply")
        await pilot.press("escape")
        await wait_idle(pilot)
        assert "Interrupted apply" not in screen_text(app)
    assert stack.config.read_bytes() == on_disk
    assert [i.step for i in await find_interrupted(ctx)] == ["write"]


async def test_no_dialog_without_an_interrupted_apply(make_app, run_cli) -> None:
    run_cli.ok("provider", "add", "lab", "--type", "ollama")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "lab")
        await wait_idle(pilot)
        assert "Interrupted apply" not in screen_text(app)
