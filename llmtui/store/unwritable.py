"""Why SQLite cannot write the store, in words an operator can act on.

SQLite says only "unable to open database file", "attempt to write a readonly
database" or "disk I/O error"; in WAL mode even a read needs the -shm file, so a
read-only home or a full disk fails every command. Looking at the directory (can a
file be created beside the store? is any space left?) tells which case it is.
"""

from __future__ import annotations

import os
from pathlib import Path

from llmtui.ops.files import directory_write_problem

FULL = "database or disk is full"


def disk_is_full(path: Path) -> bool:
    try:
        stats = os.statvfs(path.parent)
    except OSError:
        return False
    return stats.f_bavail == 0 or (stats.f_files > 0 and stats.f_favail == 0)


def explain_unwritable(db_path: Path, sqlite_text: str) -> str | None:
    """One sentence for a store that cannot be written, or None when that is not the cause."""
    if FULL in sqlite_text or disk_is_full(db_path):
        return f"the disk holding {db_path} is full; nothing was changed"
    problem = directory_write_problem(db_path)
    if problem is not None:
        why = problem.split(": ", 1)[-1]
        return f"the store {db_path} cannot be written ({why}); nothing was changed"
    if "readonly" in sqlite_text or "read-only" in sqlite_text:
        return f"the store {db_path} is read-only ({sqlite_text}); nothing was changed"
    return None
