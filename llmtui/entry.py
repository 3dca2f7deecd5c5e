"""The `llmtui` executable: the bare command opens the app without loading the CLI.

Only `llmtui`, `llmtui --home DIR` and `llmtui --home=DIR` take the fast path; anything
else (commands, --help, --version, mistakes) goes to the click CLI, which also opens
the app when given no command.
"""

from __future__ import annotations

import os
import sys

_CLI = object()


def tui_home(args: list[str]) -> str | object | None:
    """The home for the app, or _CLI when the arguments are for the command line."""
    if not args:
        return os.environ.get("LLMTUI_HOME") or None
    if len(args) == 2 and args[0] == "--home" and args[1] and not args[1].startswith("-"):
        return args[1]
    if len(args) == 1 and args[0].startswith("--home=") and len(args[0]) > len("--home="):
        return args[0].removeprefix("--home=")
    return _CLI


def main() -> None:
    home = tui_home(sys.argv[1:])
    if home is _CLI:
        from llmtui.cli import main as cli_main

        cli_main()
        return
    os.umask(0o077)
    from llmtui.tui.launch import run

    raise SystemExit(run(home))  # type: ignore[arg-type]
