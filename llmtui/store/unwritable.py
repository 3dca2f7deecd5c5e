"""Why SQLite cannot write the store, in words an operator can act on.

SQLite says only "unable to open database file" or "attempt to write a readonly
database"; in WAL mode even a read needs the -shm file, so a read-only home fails
every command. Trying to create a file beside the store tells which case it is.
"""

from __future__ import annotations

from pathlib import Path

from llmtui.ops.files import directory_write_problem


def explain_unwritable(db_path: Path, sqlite_text: str) -> str:
    problem = directory_write_problem(db_path)
    if problem is not None:
        why = problem.split(": ", 1)[-1]
        return f"the store {db_path} cannot be written ({why}); nothing was changed"
    return f"the store {db_path} is read-only ({sqlite_text}); nothing was changed"
