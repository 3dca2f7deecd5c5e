"""The one fault-injection hook: `LLMTUI_CRASH_AT=<point>` SIGKILLs the process there.

The crash tests (tests/test_crash_apply.py) use it to stop `llmtui apply` at an exact
point that no slow restart command or health server can reach: between two local file
operations. Unset, as in every normal run, it costs one environment lookup.

Points: `backup` (a backup's temp copy written, not yet linked into place),
`after_backup` (backups written and recorded, nothing else touched),
`write:<file name>` (that file's temp copy written, not yet renamed into place),
`after_write` (every file in place, the proxy not yet restarted).
"""

from __future__ import annotations

import os
import signal

ENV = "LLMTUI_CRASH_AT"


def crash_point(name: str) -> None:
    """Die here, like a power cut or `kill -9`, when LLMTUI_CRASH_AT names this point."""
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
