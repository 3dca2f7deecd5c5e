"""The command line: the scripting contract over the same services as the TUI.

Exit 0 on success, 1 on a failed operation, 2 on bad usage; errors are one line on stderr.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from llmtui import __version__
from llmtui.errors import LlmtuiError

T = TypeVar("T")


class CliError(click.ClickException):
    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class LlmtuiGroup(click.Group):
    """Turns our errors into one clear line and the contract's exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LlmtuiError as exc:
            raise CliError(str(exc), exc.exit_code) from exc
        except click.UsageError as exc:
            # One line, not click's usage block: scripts read stderr.
            where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            raise CliError(exc.format_message() + where, 2) from exc


class CliState:
    def __init__(self, home: str | None) -> None:
        self.home = home

    def open(self) -> Any:
        from llmtui.services.context import AppContext

        return AppContext.open(self.home, passphrase=_prompt_passphrase)

    def run(self, use_case: Callable[[Any], Awaitable[T]], ctx: Any = None) -> T:
        """Migrate synchronously, then run one use case on a fresh event loop."""
        ctx = ctx or self.open()

        async def go() -> T:
            try:
                return await use_case(ctx)
            finally:
                await ctx.close()

        return asyncio.run(go())


def _prompt_passphrase() -> str:
    return click.prompt("Passphrase for the llmtui master key", hide_input=True, err=True)


pass_state = click.make_pass_decorator(CliState)


@click.group(
    cls=LlmtuiGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    envvar="LLMTUI_HOME",
    help="Directory holding the store and keys (env LLMTUI_HOME).",
)
@click.version_option(__version__, "--version", prog_name="llmtui")
@click.pass_context
def cli(ctx: click.Context, home: str | None) -> None:
    """Manage a LiteLLM proxy: providers, keys, models, fallbacks, config and apply.

    With no command, opens the terminal app.
    """
    os.umask(0o077)
    ctx.obj = CliState(home)
    if ctx.invoked_subcommand is None:
        from llmtui.tui.launch import run

        ctx.exit(run(home))


def main() -> None:
    cli.main(prog_name="llmtui")


def _register() -> None:
    """Every module of this package that defines COMMANDS contributes its commands."""
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            cli.add_command(command)


_register()
