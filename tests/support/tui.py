"""Helpers for driving the Textual app in tests: wait for state, read the screen as text."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot


def screen_text(app: App[Any]) -> str:
    """The terminal as plain text, exactly as the user sees it (modals included)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    render = app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True
    )
    console.print(render)
    return console.export_text()


async def wait_for(
    pilot: Pilot[Any], predicate: Callable[[], object], timeout: float = 10.0, what: str = ""
) -> None:
    """Pause until `predicate()` holds; fail with the screen's text if it never does."""
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        try:
            if predicate():
                return
        except Exception:  # the widget may not exist yet
            pass
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out waiting for {what or predicate}\n{screen_text(pilot.app)}"
            )
        await pilot.pause(0.05)


async def wait_for_text(pilot: Pilot[Any], text: str, timeout: float = 10.0) -> str:
    await wait_for(pilot, lambda: text in screen_text(pilot.app), timeout, repr(text))
    return screen_text(pilot.app)


async def wait_idle(pilot: Pilot[Any], timeout: float = 10.0) -> None:
    """Every worker of the app has finished (store opened, lists loaded, status polled)."""
    app = pilot.app

    def idle() -> bool:
        return app.ctx is not None and not any(
            w.is_running for w in app.workers if w.group != "status-loop"
        )

    await wait_for(pilot, idle, timeout, "workers to finish")
    await pilot.pause()
