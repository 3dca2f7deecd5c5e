"""`t` on the Fallbacks screen: choose a failure and how far down the chain it reaches, run,
and read the attempt timeline. Never frozen: LiteLLM loads (or is warmed) in a thread while
a spinner counts the seconds.

`m` switches between the simulated test and a live drill through the running proxy; a live
drill is checked first (drill mode applied, proxy key set) and sent only after a confirm
that says it may cost money.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from llmtui.errors import ConflictError, LlmtuiError, MasterKeyError
from llmtui.tui.jobs import ServiceRunner
from llmtui.tui.widgets.provider_detail import SPINNER
from llmtui.tui.widgets.timeline import COLUMNS, attempt_cells, detail_text, served_text
from llmtui.tui.widgets.virtual_table import VirtualTable

if TYPE_CHECKING:
    from llmtui.litellm.timeline import Attempt
    from llmtui.services.fallback_test import FallbackTestRun

# Same order and names as `llmtui test-fallback --failure` (llmtui.litellm.simulate.FAILURES).
FAILURES = (
    ("rate_limit", "rate limit (429)"),
    ("timeout", "timeout"),
    ("server_error", "server error (500)"),
    ("connection", "connection refused"),
    ("content_policy", "content policy"),
    ("context_window", "context window exceeded"),
)
DEPTHS = (
    ("1", "primary only fails"),
    ("2", "primary and fallback 1 fail"),
    ("all", "everything fails"),
)
Runner = Callable[[Any, str, str, int | None], Awaitable["FallbackTestRun"]]


async def _simulated(ctx: Any, group: str, failure: str, depth: int | None) -> FallbackTestRun:
    from llmtui.services.fallback_test import run_simulated

    return await run_simulated(ctx, group, failure, depth, compress_waits=True)


async def _live(ctx: Any, group: str, failure: str, depth: int | None) -> FallbackTestRun:
    from llmtui.services.live_test import run_live

    return await run_live(ctx, group, failure, depth)


# mode -> (label, what it costs, runner)
TEST_MODES: dict[str, tuple[str, str, Runner]] = {
    "simulated": (
        "simulated",
        "LiteLLM's own router in-process, from the config an apply would write: "
        "no network, no keys, no cost; retry waits are recorded, not slept",
        _simulated,
    ),
    "live": (
        "live",
        "one real request through the running proxy, failure injected by LiteLLM's mock "
        "parameters (needs drill mode applied and proxy_key); real fallbacks may cost money",
        _live,
    ),
}


class FallbackTestDialog(ServiceRunner, ModalScreen[bool]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="test.close"),
        Binding("enter", "run", "Run", id="test.run", priority=True),
        Binding("r", "again", "Again", id="test.again", tooltip="Run the same test again"),
        Binding("c", "change", "Change", id="test.change", tooltip="Choose another failure"),
        Binding(
            "m", "mode", "Mode", id="test.mode", tooltip="Simulated or live (through the proxy)"
        ),
        Binding("j", "move(1)", "Down", show=False),
        Binding("k", "move(-1)", "Up", show=False),
        Binding("left,h", "app.focus_previous", "Previous list", show=False),
        Binding("right,l", "app.focus_next", "Next list", show=False),
    ]

    def __init__(
        self, group: str, on_tested: Callable[[], None] | None = None, mode: str = "simulated"
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.group = group
        self.mode = mode
        self.on_tested = on_tested
        self.phase = "setup"  # setup / running / result
        self.run: FallbackTestRun | None = None
        self.tested = False
        self.started = 0.0
        self._spinner: Timer | None = None
        self._frame = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="fallback-test", classes="dialog"):
            yield Label(self._title(), id="test-title", classes="dialog-title")
            with Horizontal(id="test-setup"):
                with Vertical(classes="test-choice"):
                    yield Label("Failure", classes="test-choice-label")
                    yield OptionList(*(Option(t, id=v) for v, t in FAILURES), id="test-failure")
                with Vertical(classes="test-choice"):
                    yield Label("How far it reaches", classes="test-choice-label")
                    yield OptionList(*(Option(t, id=v) for v, t in DEPTHS), id="test-depth")
            yield Static(TEST_MODES[self.mode][1], id="test-about", classes="dialog-hint")
            yield VirtualTable(COLUMNS, empty_text="", id="test-timeline")
            yield Static("", id="test-summary")
            yield Static("", id="test-detail")
            yield Label("", id="test-error", classes="field-error")
            yield Label("", id="test-hint", classes="dialog-hint")

    def on_mount(self) -> None:
        for list_id in ("#test-failure", "#test-depth"):
            self.query_one(list_id, OptionList).highlighted = 0
        self._show_phase("setup")

    # -- phases -------------------------------------------------------------------

    def _title(self) -> str:
        if self.phase == "setup":
            return f"Test {self.group} · {self.mode}"
        depth = self.depth if self.depth != "all" else "all"
        return f"Test {self.group} · {self.failure} · depth {depth} · {self.mode}"

    def _show_phase(self, phase: str) -> None:
        self.phase = phase
        setup = phase == "setup"
        self.query_one("#test-setup").display = setup
        self.query_one("#test-about").display = setup
        for part in ("#test-timeline", "#test-summary", "#test-detail"):
            self.query_one(part).display = phase == "result"
        self.query_one("#test-title", Label).update(self._title())
        hints = {
            "setup": "enter run · m simulated/live · tab/←/→ switch list · esc close",
            "running": "esc stops waiting (the test is then not recorded)",
            "result": "r run again · c change the failure · j/k attempts · esc close",
        }
        self.query_one("#test-hint", Label).update(hints[phase])
        if setup:
            self.query_one("#test-failure", OptionList).focus()
        elif phase == "result":
            self.query_one("#test-timeline", VirtualTable).focus()
        self.refresh_bindings()

    @property
    def failure(self) -> str:
        return self._choice("#test-failure", FAILURES)

    @property
    def depth(self) -> str:
        return self._choice("#test-depth", DEPTHS)

    def _choice(self, list_id: str, options: tuple[tuple[str, str], ...]) -> str:
        index = self.query_one(list_id, OptionList).highlighted or 0
        return options[index][0]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("run", "move", "mode") or action.startswith("focus_"):
            return self.phase == "setup"
        if action in ("again", "change"):
            return self.phase == "result"
        return True

    # -- running ------------------------------------------------------------------

    def action_again(self) -> None:
        self.action_run()

    def action_mode(self) -> None:
        modes = list(TEST_MODES)
        self.mode = modes[(modes.index(self.mode) + 1) % len(modes)]
        self.query_one("#test-title", Label).update(self._title())
        self.query_one("#test-about", Static).update(TEST_MODES[self.mode][1])
        self._error("")

    def action_run(self) -> None:
        if self.phase == "running":
            return
        from llmtui.services.fallback_test import parse_depth

        failure, depth = self.failure, parse_depth(self.depth)
        if self.mode != "live":
            self._start(failure, depth)
            return
        from llmtui.services.live_test import plan_live

        group = self.group
        self._error("")
        self.run_service(
            f"checking a live drill of {group}",
            lambda ctx: plan_live(ctx, group, failure, depth),
            lambda plan: self._confirm_live(plan.describe(), failure, depth),
            on_error=self._refused,
            group="fallback-test",
        )

    def _confirm_live(self, description: str, failure: str, depth: int | None) -> None:
        from llmtui.tui.screens.dialogs import ConfirmDialog

        dialog = ConfirmDialog("Send a live drill?", description, "Send", danger=True)
        self.app.push_screen(dialog, lambda ok: self._start(failure, depth) if ok else None)

    def _refused(self, error: LlmtuiError) -> bool:
        if isinstance(error, ConflictError | MasterKeyError):
            return False
        self._error(str(error))
        return True

    def _start(self, failure: str, depth: int | None) -> None:
        runner = TEST_MODES[self.mode][2]
        group = self.group
        self._error("")
        self.started = time.monotonic()
        self._show_phase("running")
        self._spinner = self.set_interval(0.1, self._tick)
        self._tick()
        self.run_service(
            f"testing {group}",
            lambda ctx: runner(ctx, group, failure, depth),
            self.show_result,
            on_error=self._failed,
            group="fallback-test",
        )

    def _tick(self) -> None:
        from llmtui.litellm import runtime

        self._frame += 1
        spin = SPINNER[self._frame % len(SPINNER)]
        elapsed = time.monotonic() - self.started
        if self.mode == "live":
            doing = "waiting for the proxy"
        else:
            doing = "running the test" if runtime.is_loaded() else "loading LiteLLM"
        self.query_one("#test-error", Label).display = False
        self.query_one("#test-hint", Label).update(
            f"{spin} {doing}… {elapsed:.0f} s · esc stops waiting (not recorded)"
        )

    def _stop_spinner(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()
            self._spinner = None

    def show_result(self, run: FallbackTestRun) -> None:
        self._stop_spinner()
        self.run = run
        self.tested = True
        result = run.result
        table: VirtualTable[Attempt] = self.query_one("#test-timeline", VirtualTable)
        table.set_rows(result.attempts, key=lambda a: a.index, cells=attempt_cells)
        self.query_one("#test-summary", Static).update(served_text(result))
        self._show_phase("result")
        self._detail()
        if self.on_tested is not None:
            self.on_tested()

    def _detail(self) -> None:
        if self.run is None:
            return
        table: VirtualTable[Attempt] = self.query_one("#test-timeline", VirtualTable)
        text = detail_text(self.run.result, table.cursor_row)
        self.query_one("#test-detail", Static).update(text)

    def on_virtual_table_cursor_moved(self, event: VirtualTable.CursorMoved) -> None:
        self._detail()

    def _failed(self, error: LlmtuiError) -> bool:
        self._stop_spinner()
        self._show_phase("setup")
        return self._refused(error)

    def _error(self, message: str) -> None:
        label = self.query_one("#test-error", Label)
        label.update(f"✖ {message}" if message else "")
        label.display = bool(message)

    # -- keys ---------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        focused = self.focused
        if isinstance(focused, OptionList):
            focused.action_cursor_down() if step > 0 else focused.action_cursor_up()

    def action_change(self) -> None:
        self._show_phase("setup")

    def action_close(self) -> None:
        self._stop_spinner()
        self.dismiss(self.tested)
