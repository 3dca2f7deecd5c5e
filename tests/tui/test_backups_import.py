"""Backups restored from the Apply screen, and a LiteLLM config imported from the app."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tests.support.apply_stack import Stack
from tests.support.tui import screen_text, wait_for, wait_for_text, wait_idle
from tests.tui.test_apply import PLAN_TIMEOUT, flat, open_apply, wait_done

SECRET = "sk-importdlg-0123456789abcdef"
CONFIG = f"""\
model_list:
  - model_name: gpt-4o
    litellm_params: {{model: openai/gpt-4o, api_key: {SECRET}}}
  - model_name: gemini-vertex
    litellm_params: {{model: vertex_ai/gemini-1.5-pro, vertex_project: my-project}}
"""


def store_dump(home: Path) -> list[str]:
    """Every row of every table, in SQL: equal dumps mean nothing was written."""
    db = sqlite3.connect(home / "llmtui.db")
    try:
        return list(db.iterdump())
    finally:
        db.close()


async def test_restore_a_backup_after_a_confirm_with_live_steps(make_app, stack: Stack) -> None:
    stack.run_cli.ok("apply", "--yes")
    first = stack.config.read_bytes()
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    stack.run_cli.ok("apply", "--yes")
    second = stack.config.read_bytes()
    assert first != second
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_idle(pilot)
        text = await open_apply(pilot)
        assert "no changes" in text
        await pilot.press("b")
        text = await wait_for_text(pilot, "Backups of the config · 1 backup")
        assert "keeping the last" in text and "#2 success" in text
        await pilot.press("r")
        text = flat(await wait_for_text(pilot, "Restore (y)"))
        assert "Restore litellm-config.yaml.backup." in text
        assert "The proxy then restarts" in text
        await pilot.press("escape")  # cancelling changes nothing
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "BackupsDialog")
        assert stack.config.read_bytes() == second
        await pilot.press("enter", "y")  # enter on the row, then the confirm
        text = await wait_done(pilot)
        for step in ("✔ validate", "✔ back up", "✔ write", "✔ restart", "✔ health"):
            assert step in text, step
        assert "✔ Restored" in text
        assert "Restore backup #" in text
    assert stack.config.read_bytes() == first
    assert len(stack.restarts()) == 3
    assert stack.applies()[-1][0] == "success"


async def test_review_a_backup_shows_its_diff_before_restoring(make_app, stack: Stack) -> None:
    stack.run_cli.ok("apply", "--yes")
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    stack.run_cli.ok("apply", "--yes")
    second = stack.config.read_bytes()
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_idle(pilot)
        await open_apply(pilot)
        await pilot.press("b")
        await wait_for_text(pilot, "1 backup")
        await pilot.press("v")
        await wait_for(pilot, lambda: app.screen.state == "ready", PLAN_TIMEOUT)
        await wait_idle(pilot)
        diff = "\n".join(app.screen.diff.lines)
        assert "-- model_name: mini" in diff or "-  - model_name: mini" in diff
        assert stack.config.read_bytes() == second  # reviewing writes nothing
        await pilot.press("enter")  # a restore still asks
        await wait_for_text(pilot, "Restore (y)")
        await pilot.press("n")
        await wait_idle(pilot)
    assert stack.config.read_bytes() == second


async def open_import(pilot: Any) -> None:
    await pilot.press("i")
    await wait_for_text(pilot, "Import a LiteLLM config")
    await wait_idle(pilot)


async def type_path(pilot: Any, path: str) -> str:
    """Replace the path, press enter (the dry run) and wait for the dialog to settle."""
    app = pilot.app
    field = app.screen.query_one("#import-path")
    field.value = ""
    await pilot.press(*path, "enter")
    await wait_for(pilot, lambda: app.screen.busy is None, 60, "the dry run")
    await wait_idle(pilot, 60)
    return screen_text(app)


async def test_import_dry_run_first_then_import(make_app, home: Path, tmp_path: Path) -> None:
    path = tmp_path / "litellm-config.yaml"
    path.write_text(CONFIG)
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_idle(pilot)
        assert "i  or import an existing litellm-config.yaml" in screen_text(app)
        before = store_dump(home)
        await open_import(pilot)
        text = await type_path(pilot, str(path))
        assert "Dry run: would change the store" in text
        assert "1 added" in text and "▲ not imported: 1 entry" in flat(text)
        assert SECRET not in text
        assert store_dump(home) == before  # a dry run writes nothing
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.busy is None and app.screen.changed, 60)
        text = await wait_for_text(pilot, "✔ Imported")
        assert SECRET not in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: "no providers yet" not in screen_text(app), 10, "reload")
        text = screen_text(app)
        assert "openai" in text and "not applied" in text
    assert SECRET.encode() not in (home / "llmtui.db").read_bytes()


async def test_import_errors_stay_in_the_dialog_and_write_nothing(
    make_app, home: Path, tmp_path: Path
) -> None:
    not_litellm = tmp_path / "compose.yaml"
    not_litellm.write_text("services:\n  litellm:\n    image: litellm\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text("model_list:\n  - model_name: a\n    litellm_params: {model: x\n")
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_idle(pilot)
        before = store_dump(home)
        await open_import(pilot)
        text = flat(await type_path(pilot, str(tmp_path / "missing.yaml")))
        assert "✖" in text and "does not exist" in text and "nothing was written" in text
        text = flat(await type_path(pilot, str(not_litellm)))
        assert "it has no model_list" in text
        text = flat(await type_path(pilot, str(broken)))
        assert "line" in text and "column" in text
        assert app.screen.query_one("#run").disabled  # no import without a good dry run
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.busy is None, 60)
        await wait_idle(pilot)
        await pilot.press("escape")
        await wait_idle(pilot)
    assert store_dump(home) == before
