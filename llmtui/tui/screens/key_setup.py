"""Where the master key lives when the OS keyring cannot hold it, and unlocking a key file."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from llmtui.errors import LlmtuiError, MasterKeyError
from llmtui.tui.jobs import ServiceRunner
from llmtui.tui.widgets.steady_input import SteadyInput

MIN_PASSPHRASE = 8


class KeySetupDialog(ServiceRunner, ModalScreen[bool]):
    """The keyring is unusable: choose a key file explicitly, never fall back silently."""

    BINDINGS = [Binding("escape", "later", "Not now", id="keysetup.later")]

    def __init__(self, problem: str | None = None) -> None:
        super().__init__()
        self.problem = problem

    def compose(self) -> ComposeResult:
        why = self.problem or "the OS keyring cannot hold it"
        with Vertical(id="key-setup", classes="dialog"):
            yield Label("Where should the master key live?", classes="dialog-title")
            yield Static(
                "llmtui encrypts your API keys with a master key, normally kept in the OS "
                f"keyring. Here {why}. Keep it in a file in the llmtui home instead:",
                classes="dialog-body",
            )
            yield OptionList(
                Option("Passphrase-protected key file (scrypt) — recommended", id="passphrase"),
                Option(
                    "PLAINTEXT key file (0600) — anyone who can read it can decrypt your keys",
                    id="plaintext",
                ),
                Option("Not now — providers without keys only; asks again next start", id="later"),
                id="key-options",
            )
            yield Label("enter choose · esc not now", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        from llmtui.tui.screens.dialogs import ConfirmDialog

        choice = event.option.id
        if choice == "passphrase":
            self.app.push_screen(PassphraseDialog(create=True), self._passphrase_done)
        elif choice == "plaintext":
            app: Any = self.app
            path = app.ctx.keystore.plaintext_path
            dialog = ConfirmDialog(
                "Store the master key in PLAINTEXT?",
                f"The key goes to {path} (mode 0600). Anyone who can read that file — a backup, "
                "another admin, malware — can decrypt every API key in this store. A status "
                "line will keep saying so.",
                "Store in plaintext",
                danger=True,
            )
            self.app.push_screen(dialog, self._plaintext_confirmed)
        else:
            self.action_later()

    def _passphrase_done(self, done: bool | None) -> None:
        if done:
            self.dismiss(True)

    def _plaintext_confirmed(self, ok: bool | None) -> None:
        from llmtui.secrets.keysource import KeySource
        from llmtui.services.keys import move_key

        if ok:
            self.run_service(
                "storing the master key",
                lambda ctx: move_key(ctx, KeySource.PLAINTEXT_FILE),
                lambda _: self._stored("a PLAINTEXT key file"),
            )

    def _stored(self, where: str) -> None:
        self.notify(f"the master key is now kept in {where}", title="Master key")
        self.dismiss(True)

    def action_later(self) -> None:
        self.notify(
            "no master key storage chosen: saving keys will fail until you choose "
            "(ctrl+p → Set up master key storage)",
            severity="warning",
            timeout=8,
        )
        self.dismiss(False)


class PassphraseDialog(ServiceRunner, ModalScreen[bool]):
    """create: choose a passphrase (twice) for a new key file; else unlock the existing one."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="passphrase.cancel")]

    def __init__(self, create: bool) -> None:
        super().__init__()
        self.create = create
        self.busy = False

    def compose(self) -> ComposeResult:
        title = "Choose a passphrase" if self.create else "Unlock the master key"
        body = (
            "The master key will be kept in a file encrypted with this passphrase. You will "
            "type it each time llmtui starts (or set LLMTUI_PASSPHRASE). It cannot be recovered."
            if self.create
            else "This store's master key is in a passphrase-protected file."
        )
        with Vertical(id="passphrase", classes="dialog"):
            yield Label(title, classes="dialog-title")
            yield Static(body, classes="dialog-body")
            with Horizontal(classes="form-row"):
                yield Label("Passphrase", classes="form-label")
                yield SteadyInput(password=True, id="first", compact=True)
            if self.create:
                with Horizontal(classes="form-row"):
                    yield Label("Again", classes="form-label")
                    yield SteadyInput(password=True, id="second", compact=True)
            yield Label("", id="passphrase-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    "Save" if self.create else "Unlock", id="ok", variant="primary", compact=True
                )
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#first", Input).focus()

    def _error(self, message: str) -> None:
        label = self.query_one("#passphrase-error", Label)
        label.update(f"✖ {message}" if message else "")
        label.display = bool(message)

    def problem(self) -> str:
        first = self.query_one("#first", Input).value
        if not self.create:
            return "" if first else "type the passphrase"
        second = self.query_one("#second", Input).value
        if len(first) < MIN_PASSPHRASE:
            return f"use at least {MIN_PASSPHRASE} characters"
        if first != second:
            return "the two passphrases differ"
        return ""

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.create and self.query_one("#second", Input).value:
            self._error(self.problem())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "first" and self.create:
            self.query_one("#second", Input).focus()
        else:
            self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.submit() if event.button.id == "ok" else self.action_cancel()

    def submit(self) -> None:
        if self.busy:
            return
        if problem := self.problem():
            self._error(problem)
            return
        passphrase = self.query_one("#first", Input).value
        self.busy = True
        self._error("")
        self.query_one("#ok", Button).label = "Working…"
        self.run_service(
            "saving the key" if self.create else "unlocking",
            lambda ctx: self._apply(ctx, passphrase),
            lambda _: self.dismiss(True),
            on_error=self._refused,
        )

    async def _apply(self, ctx: Any, passphrase: str) -> None:
        from llmtui.secrets.keysource import KeySource
        from llmtui.services.keys import move_key

        ctx.keystore.set_passphrase(passphrase)
        if self.create:
            await move_key(ctx, KeySource.PASSPHRASE_FILE)
        else:
            ctx.forget_key()
            await ctx.box()

    def _refused(self, error: LlmtuiError) -> bool:
        self.busy = False
        self.query_one("#ok", Button).label = "Save" if self.create else "Unlock"
        if isinstance(error, MasterKeyError) or not self.create:
            wrong = not self.create and str(error).startswith("wrong passphrase")
            self._error("wrong passphrase, try again" if wrong else str(error))
            self.query_one("#first", Input).value = ""
            self.query_one("#first", Input).focus()
            return True
        return False

    def action_cancel(self) -> None:
        self.dismiss(False)
