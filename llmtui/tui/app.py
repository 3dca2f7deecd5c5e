"""The shell: sections as modes, the status line's state, the store opened after first paint.

Import cost matters here: this module and the first screen import only Textual and small
llmtui modules. SQLAlchemy (the store), keyring and httpx load in workers after the first
frame; `litellm` is only warmed in a thread a few seconds after it (for fallback tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.signal import Signal
from textual.widget import AwaitMount

from llmtui.errors import LlmtuiError
from llmtui.tui.background import BackgroundHealth, ProviderChecked
from llmtui.tui.commands import LlmtuiCommands
from llmtui.tui.jobs import APPLY_GROUP
from llmtui.tui.sections import HOME_SECTION, SECTIONS, Section
from llmtui.tui.shell_messages import StatusPolled, StoreFailed, StoreOpened
from llmtui.tui.shell_state import KeyNotice, ProxyIndicator

if TYPE_CHECKING:
    from llmtui.secrets.keysource import KeySource
    from llmtui.services.context import AppContext

EXIT_AFTER_FIRST_PAINT = "LLMTUI_EXIT_AFTER_FIRST_PAINT"
HERE = Path(__file__).resolve().parent
DARK, LIGHT = "textual-dark", "textual-light"


def _section_bindings() -> list[Binding]:
    return [
        Binding(
            s.key,
            f"app.section('{s.mode}')",
            s.title,
            show=s.footer,
            id=f"app.section.{s.mode}",
            tooltip=s.help,
        )
        for s in SECTIONS
    ]


class LlmtuiApp(App[None]):
    TITLE = "llmtui"
    # Every stylesheet loads at start (a few ms): a screen's own CSS_PATH would make Textual
    # re-style the whole app the first time that screen opens.
    CSS_PATH = [
        HERE / "app.tcss",
        HERE / "widgets" / "widgets.tcss",
        *sorted((HERE / "screens").glob("*.tcss")),
    ]
    COMMANDS = App.COMMANDS | {LlmtuiCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = [
        *_section_bindings(),
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Every key of this screen"),
        Binding("ctrl+q", "quit", "Quit", show=False, id="app.quit", priority=True),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False, id="app.theme"),
    ]

    pending: reactive[int | None] = reactive(None)
    proxy: reactive[ProxyIndicator] = reactive(ProxyIndicator("checking"))
    key_notice: reactive[KeyNotice] = reactive(KeyNotice())

    def __init__(
        self,
        home: Path,
        *,
        clock: Callable[[], float] = time.time,
        poll_interval: float = 15.0,
        warm_up_after: float | None = None,
    ) -> None:
        super().__init__()
        self.home = home
        self.clock = clock
        self.poll_interval = poll_interval
        # Seconds after first paint before LiteLLM is warmed in a thread (None: only on
        # demand); late enough that first paint and the first screens stay fast.
        self.warm_up_after = warm_up_after
        self._warm_thread: threading.Thread | None = None
        self.ctx: AppContext | None = None
        self.key_source: KeySource | None = None
        self.keyring_problem: str | None = None
        self.store_ready = Signal[None](self, "store-ready")
        self.data_changed = Signal[str](self, "data-changed")
        self.provider_checked = Signal[str](self, "provider-checked")
        self.health: BackgroundHealth | None = None
        self.previous_mode = HOME_SECTION
        self._exit_after_paint = os.environ.get(EXIT_AFTER_FIRST_PAINT) == "1"

    # -- start-up -----------------------------------------------------------

    def on_mount(self) -> None:
        for s in SECTIONS:
            self.add_mode(s.mode, partial(self._section_screen, s))
        self.switch_mode(HOME_SECTION)

    def switch_mode(self, mode: str) -> AwaitMount:
        """Remember where we came from, so a screen's esc can go back there."""
        if mode != self.current_mode and any(s.mode == self.current_mode for s in SECTIONS):
            self.previous_mode = self.current_mode
        return super().switch_mode(mode)

    def _section_screen(self, section: Section) -> Screen[None]:
        screen = section.load()
        # A new mode screen makes Textual re-parse and re-apply the whole stylesheet
        # (~0.2 s here) unless it looks up to date; its widgets get styled as they mount.
        screen._css_update_count = self._css_update_count
        return screen

    def on_ready(self) -> None:
        """First frame is on screen: now pay for the store."""
        if self._exit_after_paint:
            self.exit()
            return
        self.open_store()
        if self.warm_up_after is not None:
            self.set_timer(self.warm_up_after, self.warm_up_litellm)

    def warm_up_litellm(self) -> None:
        """Import and exercise LiteLLM in a daemon thread, so the first fallback test is quick."""
        from llmtui.litellm import runtime

        if not runtime.is_warm() and self._warm_thread is None:
            self._warm_thread = runtime.warm_up_in_background()

    @work(thread=True, exclusive=True, group="store", exit_on_error=False)
    def open_store(self) -> None:
        try:
            from llmtui.secrets.keysource import KeySource, keyring_problem
            from llmtui.services.context import AppContext

            ctx = AppContext.open(self.home)
            source = ctx.keystore.source()
            problem = keyring_problem() if source is KeySource.KEYRING else None
        except LlmtuiError as exc:
            self.post_message(StoreFailed(exc))
            return
        except Exception as exc:
            self.post_message(StoreFailed(LlmtuiError(f"cannot open the store: {exc}")))
            return
        self.post_message(StoreOpened(ctx, source, problem))

    def on_store_opened(self, message: StoreOpened) -> None:
        from llmtui.secrets.keysource import KeySource

        self.ctx = message.ctx
        self.key_source = message.source
        self.keyring_problem = message.keyring_problem
        self.update_key_notice()
        if message.source is KeySource.PASSPHRASE_FILE and not os.environ.get("LLMTUI_PASSPHRASE"):
            self.action_unlock()
        elif message.keyring_problem:
            self.action_key_setup()
        self.store_ready.publish(None)
        from llmtui.tui.recovery import offer_recovery

        offer_recovery(self)  # a crash mid-apply is offered to finish or roll back
        self.poll_status()
        if self.poll_interval > 0:
            self.set_interval(self.poll_interval, self._poll_tick, name="status-poll")
        self.health = BackgroundHealth(self)
        self.health.start()

    def on_store_failed(self, message: StoreFailed) -> None:
        from llmtui.tui.screens.dialogs import MessageDialog

        self.push_screen(
            MessageDialog("Cannot open the store", str(message.error), button="Quit"),
            lambda _: self.exit(return_code=1),
        )

    def update_key_notice(self) -> None:
        """Warn whenever the key is not in the OS keyring; say so loudly for plaintext."""
        from llmtui.secrets.keysource import KeySource

        assert self.ctx is not None
        source = self.ctx.keystore.source()
        self.key_source = source
        if source is KeySource.PLAINTEXT_FILE:
            notice = KeyNotice("master key in a PLAINTEXT file (0600), not the OS keyring", "error")
        elif source is KeySource.PASSPHRASE_FILE:
            # Unlocked on first use; LLMTUI_PASSPHRASE unlocks it without asking.
            ready = self.ctx.unlocked or os.environ.get("LLMTUI_PASSPHRASE")
            locked = "" if ready else " (locked)"
            notice = KeyNotice(f"master key in a passphrase file, not the OS keyring{locked}")
        elif source is KeySource.ENV:
            notice = KeyNotice("master key from LLMTUI_MASTER_KEY, not the OS keyring")
        elif self.keyring_problem:
            notice = KeyNotice(f"no usable keyring: {self.keyring_problem}", "error")
        else:
            notice = KeyNotice()
        self.key_notice = notice

    # -- background status ----------------------------------------------------

    def poll_status(self) -> None:
        ctx = self.ctx
        if ctx is None:
            return

        async def job() -> None:
            from llmtui.services import audit, proxy_status

            try:
                pending: int | None = await audit.pending_changes(ctx)
            except LlmtuiError:
                pending = None
            try:
                health = await proxy_status.check(ctx)
                proxy = ProxyIndicator(health.state, health.detail)
            except LlmtuiError as exc:
                proxy = ProxyIndicator("unknown", str(exc))
            self.post_message(StatusPolled(proxy, pending))

        self.run_worker(job, group="status", exclusive=True, exit_on_error=False)

    def _poll_tick(self) -> None:
        """A slow proxy answer delays the next poll; polls never queue up behind it."""
        if not any(w.group == "status" and w.is_running for w in self.workers):
            self.poll_status()

    def on_provider_checked(self, message: ProviderChecked) -> None:
        """A background test landed: the Providers screen repaints its status colours."""
        self.provider_checked.publish(message.outcome.provider.name)

    def refresh_pending(self) -> None:
        """After a change: recount what is not applied (the proxy check rides along)."""
        self.poll_status()

    def on_status_polled(self, message: StatusPolled) -> None:
        if message.proxy is not None:
            self.proxy = message.proxy
        self.pending = message.pending

    def changed(self, what: str) -> None:
        """A screen changed the store: other screens reload when shown, the count updates."""
        self.data_changed.publish(what)
        self.refresh_pending()

    # -- actions --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("section", "help") and isinstance(self.screen, ModalScreen):
            return False
        # The Apply key is in every footer but its own.
        here = action == "section" and parameters == (self.current_mode,)
        return not (here and any(s.footer and s.mode == self.current_mode for s in SECTIONS))

    def action_section(self, mode: str) -> None:
        self.switch_mode(mode)

    def action_help(self) -> None:
        from llmtui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def action_back(self) -> None:
        """Back to the section we came from (esc on the Apply screen)."""
        self.switch_mode(self.previous_mode)

    def action_import_config(self) -> None:
        from llmtui.tui.screens.import_config import ImportDialog

        if self.ctx is None:
            self.notify("still opening the store, one moment…", severity="warning")
            return
        if not self.screen.query("ImportDialog"):
            self.push_screen(ImportDialog(), self._imported)

    def _imported(self, changed: bool | None) -> None:
        """The screen under the dialog counted as shown, so it did not go stale: reload it."""
        from llmtui.tui.screens.base import SectionScreen

        if changed and isinstance(self.screen, SectionScreen):
            self.screen._reload()

    @property
    def apply_running(self) -> bool:
        return any(w.group == APPLY_GROUP and w.is_running for w in self.workers)

    async def action_quit(self) -> None:
        """Quitting mid-apply would interrupt it (the old file is put back): ask first."""
        from llmtui.tui.screens.dialogs import QuitDialog

        if not self.apply_running or isinstance(self.screen, QuitDialog):
            self.exit()  # a second ctrl+q in the question means it
            return
        dialog = QuitDialog(
            "An apply is running",
            "Quitting now interrupts it: the previous config is put back, and the proxy may "
            "need a restart by hand. Quit anyway?",
            "Quit",
            danger=True,
        )
        self.push_screen(dialog, lambda ok: self.exit() if ok else None)

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        from llmtui.tui.widgets.steady_input import SteadyCommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(SteadyCommandPalette(id="--command-palette"))

    def action_unlock(self) -> None:
        from llmtui.tui.screens.key_setup import PassphraseDialog

        if self.ctx is not None and not self.screen.query("PassphraseDialog"):
            self.push_screen(PassphraseDialog(create=False), lambda _: self.update_key_notice())

    def action_key_setup(self) -> None:
        from llmtui.tui.screens.key_setup import KeySetupDialog

        if self.ctx is not None:
            dialog = KeySetupDialog(self.keyring_problem)
            self.push_screen(dialog, lambda _: self.update_key_notice())

    async def action_on_section(self, mode: str, method: str, *args: Any) -> None:
        """Palette commands: open a section, then ask its screen to act."""
        await self.switch_mode(mode)
        getattr(self.screen, method)(*args)

    # -- errors -----------------------------------------------------------------

    def show_error(self, error: LlmtuiError, on_reload: Callable[[], None] | None = None) -> None:
        """One place decides how an error reaches the user; never a traceback."""
        from llmtui.errors import ConflictError, MasterKeyError, PassphraseRequired
        from llmtui.tui.screens.dialogs import MessageDialog

        if isinstance(error, PassphraseRequired):
            self.action_unlock()
        elif isinstance(error, ConflictError):
            dialog = MessageDialog("Changed elsewhere", str(error), button="Reload")

            def reload(_: object) -> None:
                if on_reload is not None:
                    on_reload()  # its return value (e.g. a dismiss) must not be awaited here

            self.push_screen(dialog, reload)
        elif isinstance(error, MasterKeyError):
            self.push_screen(MessageDialog("Master key", str(error)))
        else:
            self.notify(str(error), title="Failed", severity="error", timeout=10)

    async def on_unmount(self) -> None:
        """Stop workers while the store is still open, then close it.

        A worker cancelled after the engine is disposed can wait forever for a SQLite
        connection thread that is gone (seen as a hung event-loop teardown under load).
        """
        workers = list(self.workers)
        self.workers.cancel_all()

        async def ended(worker: Any) -> None:
            with contextlib.suppress(Exception):  # cancelled, failed or never started
                await worker.wait()

        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*map(ended, workers)), timeout=5)
        if self.ctx is not None:
            await self.ctx.close()
