"""The Apply screen, walked with the keyboard: review, confirm, live steps, the outcome.

The restart command is a real executable (tests/support/restart_recorder.py) and the
"proxy" a real HTTP server on loopback whose health follows the config on disk.
"""

from __future__ import annotations

import hashlib
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from llmtui.services.audit import list_entries
from llmtui.services.context import AppContext
from tests.support.apply_stack import KEY, Stack, build_stack
from tests.support.fake_upstream import FakeUpstream
from tests.support.tui import screen_text, wait_for, wait_for_text, wait_idle

FLOW_KEY = "sk-applyflow-0123456789abcdef"
PLAN_TIMEOUT = 90  # the first validation of a session extracts LiteLLM's keys


def flat(text: str) -> str:
    """Screen text with wrapped lines joined, for sentences that may wrap."""
    return " ".join(text.split())


def toasts(app: Any) -> str:
    """The notifications on screen (over other text, so not readable from the screen)."""
    return " ".join(f"{n.title}: {n.message}" for n in app._notifications)


async def wait_toast(pilot: Any, text: str, timeout: float = 10) -> None:
    await wait_for(pilot, lambda: text in toasts(pilot.app), timeout, f"a toast {text!r}")


async def open_apply(pilot: Any) -> str:
    """Press A and wait for the plan (or its failure) to be on screen."""
    app = pilot.app
    await pilot.press("A")
    await wait_for(
        pilot,
        lambda: app.screen.id == "apply-screen" and app.screen.state not in ("planning",),
        PLAN_TIMEOUT,
        "the apply plan",
    )
    await wait_idle(pilot)
    return await wait_for_text(pilot, "esc Back")  # painted


async def wait_done(pilot: Any, timeout: float = 30) -> str:
    app = pilot.app
    await wait_for(pilot, lambda: app.screen.state == "done", timeout, "the apply to finish")
    await wait_idle(pilot)
    return screen_text(app)


async def test_add_test_sync_enable_apply_then_audit(
    make_app, home: Path, run_cli, tmp_path: Path, upstream: FakeUpstream, monkeypatch
) -> None:
    stack = build_stack(run_cli, home, tmp_path, upstream, monkeypatch, seed=False)
    upstream.expected_key = FLOW_KEY
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_idle(pilot)
        assert "import an existing litellm-config.yaml" in screen_text(app)
        assert "A Apply" in screen_text(app)  # one key from everywhere, in the footer

        await pilot.press("a")
        await wait_for_text(pilot, "Add provider")
        await pilot.press(*"lab", "tab", "tab", *f"{upstream.url}/v1", "tab", *FLOW_KEY)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.id == "providers-screen", what="form closed")
        await pilot.press("t")
        await wait_for_text(pilot, "✔ test ok")
        await pilot.press("s")
        await wait_for_text(pilot, "✔ synced")
        await pilot.press("2")
        await wait_for_text(pilot, "4 of 4")
        await pilot.press("slash", *"gpt-4o", "enter", "v", "v", "E")
        await wait_for_text(pilot, "3 changes not applied")

        text = await open_apply(pilot)
        assert "✔ valid" in text and "lines" in text and "new file" in text
        assert "/proxy/litellm-config.yaml" in text  # a long path is cut on the left
        assert f"restart {sys.executable}" in text
        diff = "\n".join(app.screen.diff.lines)
        assert "+model_list:" in diff and "model: openai/gpt-4o-mini" in diff
        assert "api_key: sk-…def" in diff and FLOW_KEY not in diff + text
        assert not stack.config.exists()

        await pilot.press("enter")
        text = await wait_done(pilot)
        for step in ("✔ validate", "– back up", "✔ write", "✔ restart", "✔ health"):
            assert step in text, step
        # The widget, not the screen: a toast may cover part of the result at 80×24.
        result = str(app.screen.query_one("#apply-result-text").render())
        assert "✔ Applied" in result and "the proxy restarted and is healthy" in result, result
        assert FLOW_KEY not in text + result
        assert FLOW_KEY in stack.config.read_text()  # inline secrets mode: the file has it
        assert stat.S_IMODE(stack.config.stat().st_mode) == 0o600
        (restart,) = stack.restarts()
        assert restart["sha256"] == hashlib.sha256(stack.config.read_bytes()).hexdigest()
        await wait_for_text(pilot, "all applied")

        await pilot.press("5")
        text = await wait_for_text(pilot, "apply")
        assert "model.enable" in text
    ctx = AppContext.open(home)
    try:
        actions = [e.action for e in await list_entries(ctx)]
    finally:
        await ctx.close()
    assert actions[0] == "apply" and actions[1:3] == ["model.enable", "model.enable"]


async def test_validation_errors_refuse_with_the_reason(make_app, stack: Stack) -> None:
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    stack.run_cli.ok("fallback", "set", "chat", "mini")
    stack.run_cli.ok("model", "disable", "mini")
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_idle(pilot)
        text = await open_apply(pilot)
        assert "✖ invalid · 1 error" in text and "no enabled deployment" in flat(text)
        await pilot.press("enter")
        await wait_toast(pilot, "refusing to apply: 1 validation error")
        assert app.screen.state == "ready"
        await pilot.press("w")  # write-only is refused the same way
        await wait_idle(pilot)
    assert not stack.config.exists() and stack.restarts() == [] and stack.applies() == []


async def test_unhealthy_proxy_rolls_back_to_the_old_file_byte_for_byte(
    make_app, stack: Stack
) -> None:
    stack.run_cli.ok("apply", "--yes")
    stack.config.write_bytes(stack.config.read_bytes() + b"# a hand edit kept verbatim\n")
    before = stack.config.read_bytes()
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "broken")
    stack.restart_with("--say", "litellm")
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_idle(pilot)
        text = await open_apply(pilot)
        assert "backup → litellm-config.yaml.backup." in text
        await pilot.press("enter")
        text = await wait_done(pilot)
        assert "✖ health" in text and "✔ roll back" in text and "✔ health (old file)" in text
        assert "✖ Rolled back" in text and "healthy again" in text
        assert "health error  HTTP 503" in text
        result = app.screen.query_one("#apply-result-text").render()
        assert "restart output" in str(result) and "│ litellm" in str(result)
    assert stack.config.read_bytes() == before
    assert stack.applies()[-1][:2] == ("rolled_back", "rollback_health")


async def test_failing_restart_rolls_back_and_shows_its_output(make_app, stack: Stack) -> None:
    stack.run_cli.ok("apply", "--yes")
    before = stack.config.read_bytes()
    stack.restart_with("--exit", "3", "--on", "2", "--say", f"daemon refused key {KEY}")
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    app = make_app()
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await wait_idle(pilot)
        await open_apply(pilot)
        await pilot.press("enter")
        text = await wait_done(pilot)
        assert "✖ restart" in text and "exit code 3" in text
        assert "✖ Rolled back" in text and "restart output" in text
        assert "│ daemon refused key sk-…XYZ" in text and KEY not in text
        assert "5 changes not applied" not in text
    assert stack.config.read_bytes() == before


async def test_without_docker_on_path_the_file_is_written_and_restart_skipped(
    make_app, stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LLMTUI_RESTART_CMD")  # the default: docker restart litellm
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_idle(pilot)
        text = await open_apply(pilot)
        assert "restart skipped ('docker' is not on PATH)" in text
        await pilot.press("enter")
        text = await wait_done(pilot)
        assert "– restart" in text and "▲ Written, restart skipped" in text
        assert "restart the proxy yourself" in text
    assert stack.config.exists()
    assert stack.applies() == [("written_not_restarted", "restart", None, None)]


async def test_write_only_then_nothing_left_to_apply(make_app, stack: Stack) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_idle(pilot)
        await open_apply(pilot)
        await pilot.press("w")
        text = await wait_done(pilot)
        assert "▲ Written, restart skipped" in text and "--no-restart" in text
        assert stack.config.exists() and stack.restarts() == []
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.state == "ready", PLAN_TIMEOUT)
        text = screen_text(app)
        assert "no changes: the file on disk is up to date" in text
        assert "the file on disk already matches" in text
        await pilot.press("enter")
        await wait_toast(pilot, "nothing to apply")
    assert len(stack.applies()) == 1


async def test_apply_key_from_every_screen_and_esc_goes_back(make_app, stack: Stack) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_idle(pilot)
        for key, screen_id in (("2", "models"), ("5", "audit"), ("1", "providers")):
            await pilot.press(key)
            await wait_for(pilot, lambda s=screen_id: app.screen.id == f"{s}-screen")
            assert "A Apply" in screen_text(app)
            await open_apply(pilot)
            footer = (await wait_for_text(pilot, "esc Back")).splitlines()[-1]
            assert "esc Back" in footer and "A Apply" not in footer  # its own key is hidden
            await pilot.press("escape")
            await wait_for(pilot, lambda s=screen_id: app.screen.id == f"{s}-screen")


async def test_a_running_apply_survives_leaving_and_quitting_asks(make_app, stack: Stack) -> None:
    stack.restart_with("--sleep", "2")
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_idle(pilot)
        await open_apply(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "restart" in app.screen.events, what="restart running")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.id == "providers-screen")
        await pilot.press("ctrl+q")
        await wait_for_text(pilot, "An apply is running")
        await pilot.press("n")
        await wait_toast(pilot, "apply: success", timeout=30)  # told, wherever we are
        await pilot.press("A")
        await wait_for(pilot, lambda: app.screen.id == "apply-screen")
        text = screen_text(app)
        assert "✔ Applied" in text  # the result waits for us; no new plan replaced it
    assert stack.applies()[-1][0] == "success"
