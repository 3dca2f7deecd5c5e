"""Snapshot scenarios of the Apply screen, the backups list and the import dialog.

The plan and the diff are real (the seeded store rendered and validated against a file
on disk). The running, success and rolled-back frames replay step events and a result
with pinned times into the screen, since real step durations differ on every run; the
real runs are walked in tests/tui/test_apply.py.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.support.tui import wait_for, wait_for_text

# A fixed place, so the paths on screen are the same on every machine and run.
SNAP_DIR = Path("/tmp/llmtui-snapshot")
CONFIG = SNAP_DIR / "litellm-config.yaml"
RESTART = "/usr/bin/env docker restart litellm"
OLD_CONFIG = """\
model_list:
- model_name: gpt-4o
  litellm_params:
    model: openai/gpt-4o
    api_key: os.environ/OPENAI_API_KEY
litellm_settings:
  drop_params: true
"""
# (id, seconds before NOW, outcome, file name stamp)
BACKUPS = [
    (3, 1800, "success", "2026-11-18T10-36-40"),
    (2, 7200, "rolled_back", "2026-11-18T09-06-40"),
    (1, 86400 * 2, "success", "2026-11-16T11-06-40"),
]


def prepare_apply_home(home: Path, now: float) -> None:
    """The seeded store pointed at a config on disk, with a restart command and backups."""
    SNAP_DIR.mkdir(exist_ok=True)
    if not CONFIG.exists() or CONFIG.read_text() != OLD_CONFIG:
        CONFIG.write_text(OLD_CONFIG)
    conn = sqlite3.connect(home / "llmtui.db")
    try:
        for key, value in (("config_path", str(CONFIG)), ("restart_cmd", RESTART)):
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value, updated_at, version) "
                "VALUES (?, ?, ?, 1)",
                (key, json.dumps(value), now - 4000),
            )
        # Deployment ids are random at seeding; the diff shows them.
        conn.execute("UPDATE models SET stable_id = printf('%032x', id * 48879)")
        for apply_id, ago, outcome, stamp in BACKUPS:
            backup = SNAP_DIR / f"litellm-config.yaml.backup.{stamp}"
            if not backup.exists():
                backup.write_text(OLD_CONFIG)
            conn.execute(
                "INSERT INTO applies (id, started_at, finished_at, config_path, outcome, step)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (apply_id, now - ago, now - ago + 3, str(CONFIG), outcome, "health"),
            )
            conn.execute(
                "INSERT INTO backups (id, created_at, config_path, backup_path, sha256, size,"
                " apply_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (apply_id, now - ago, str(CONFIG), str(backup), "0" * 64, 142, apply_id),
            )
        conn.commit()
    finally:
        conn.close()


async def open_apply(pilot: Pilot[Any]) -> Any:
    from tests.support.tui_scenarios import settle

    await settle(pilot)
    await pilot.press("A")
    app = pilot.app
    await wait_for(
        pilot,
        lambda: app.screen.id == "apply-screen" and app.screen.state == "ready",
        120,
        "the apply plan",
    )
    await settle(pilot)
    return app.screen


def _freeze(screen: Any) -> None:
    """No spinner frames or clock ticks from here on."""
    screen.ticker.pause()
    screen.frame = 0
    screen.monotonic = lambda: 1000.0


def _replay(screen: Any, events: list[tuple[str, str, str, float]]) -> None:
    from llmtui.services.apply_steps import StepEvent

    _freeze(screen)
    screen._set_state("running")
    screen.ticker.pause()
    for step, status, detail, elapsed in events:
        screen.events[step] = StepEvent(step, status, detail, elapsed)
    screen.started = 1000.0 - 1.6
    screen._show_steps()


FIRST_STEPS = [
    ("validate", "ok", "", 0.3),
    ("backup", "ok", str(SNAP_DIR / "litellm-config.yaml.backup.2026-11-18T11-06-40"), 0.0),
    ("write", "ok", str(CONFIG), 0.0),
]


async def apply_running(pilot: Pilot[Any]) -> None:
    screen = await open_apply(pilot)
    _replay(screen, [*FIRST_STEPS, ("restart", "running", RESTART, 0.0)])
    await pilot.pause(0.1)


async def apply_success(pilot: Pilot[Any]) -> None:
    from llmtui.services.apply_steps import ApplyResult, Outcome

    screen = await open_apply(pilot)
    _replay(
        screen,
        [
            *FIRST_STEPS,
            ("restart", "ok", RESTART, 1.2),
            ("health", "ok", "http://127.0.0.1:4000", 6.4),
        ],
    )
    result = ApplyResult(
        Outcome.SUCCESS,
        "the proxy restarted and is healthy",
        "health",
        backups=[SNAP_DIR / "litellm-config.yaml.backup.2026-11-18T11-06-40"],
        elapsed=7.9,
    )
    _finish(screen, result)
    await pilot.pause(0.1)


async def apply_rolled_back(pilot: Pilot[Any]) -> None:
    from llmtui.services.apply_steps import ApplyResult, Outcome

    screen = await open_apply(pilot)
    health = "HTTP 503 from /health/readiness after 30 s: model group gpt-4o has no healthy"
    _replay(
        screen,
        [
            *FIRST_STEPS,
            ("restart", "ok", RESTART, 1.1),
            ("health", "failed", health, 30.0),
            ("rollback", "ok", "restoring the previous file", 0.0),
            ("rollback_restart", "ok", RESTART, 1.0),
            ("rollback_health", "ok", "http://127.0.0.1:4000", 5.8),
        ],
    )
    result = ApplyResult(
        Outcome.ROLLED_BACK,
        "the proxy did not become healthy; the previous config is back and the proxy is "
        "healthy again",
        "rollback_health",
        backups=[SNAP_DIR / "litellm-config.yaml.backup.2026-11-18T11-06-40"],
        restart_output="litellm\nLiteLLM: Proxy initialized with Config, Set models:\n"
        "    gpt-4o\n    claude-sonnet\nERROR: api_key for azure-eu: sk-…c2 rejected",
        health_error=health,
        elapsed=38.2,
    )
    _finish(screen, result)
    await pilot.pause(0.1)


def _finish(screen: Any, result: Any) -> None:
    """What the screen does with run_apply's result, without telling the app a change."""
    from llmtui.tui.widgets import apply_text

    screen.result = result
    screen._set_state("done")
    screen.ticker.pause()
    screen._show_steps()
    screen.query_one("#apply-result-text").update(apply_text.result_text(result, False))
    screen.query_one("#apply-result").focus()


async def backups_list(pilot: Pilot[Any]) -> None:
    from tests.support.tui_scenarios import settle

    await open_apply(pilot)
    await pilot.press("b")
    await wait_for_text(pilot, "3 backups")
    await settle(pilot)


async def backup_restore_confirm(pilot: Pilot[Any]) -> None:
    from tests.support.tui_scenarios import settle

    await backups_list(pilot)
    await pilot.press("j", "r")
    await wait_for_text(pilot, "Restore (y)")
    await settle(pilot)


async def import_dry_run(pilot: Pilot[Any]) -> None:
    """The dry run of the old config on disk against the seeded store."""
    from tests.support.tui_scenarios import settle

    await settle(pilot)
    await pilot.press("i")
    await wait_for_text(pilot, "Import a LiteLLM config")
    await wait_for(pilot, lambda: pilot.app.screen.query_one("#import-path").value, 10)
    await pilot.press("enter")
    await wait_for_text(pilot, "Dry run", 60)
    await settle(pilot)
