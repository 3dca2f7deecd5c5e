"""Where llmtui keeps its state: one home directory per store."""

from __future__ import annotations

import os
from pathlib import Path

DB_FILENAME = "llmtui.db"


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--home beats LLMTUI_HOME beats the platform's user data directory."""
    chosen = explicit or os.environ.get("LLMTUI_HOME")
    if chosen:
        return Path(chosen).expanduser().resolve()
    from platformdirs import user_data_dir

    return Path(user_data_dir("llmtui", appauthor=False)).resolve()


def ensure_home(home: Path) -> Path:
    """Create the home (0700) so every file inside starts private."""
    try:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        from llmtui.errors import LlmtuiError
        from llmtui.ops.files import describe_os_error

        raise LlmtuiError(
            describe_os_error(exc, home).replace("cannot write", "cannot create the home", 1)
        ) from exc
    return home


def db_path(home: Path) -> Path:
    return home / DB_FILENAME
