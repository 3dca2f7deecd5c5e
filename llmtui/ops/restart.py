"""Run the proxy's restart command: an argv list, never a shell, with a timeout.

Every way it can go is an outcome, not an exception, so apply can report it and roll back.
The command runs in its own process group: on timeout the whole group is killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import IO

OUTPUT_LIMIT = 64 * 1024  # keep the tail: that is where the error is
KILL_GRACE = 3.0  # seconds between SIGTERM and SIGKILL on timeout


class RestartStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"  # ran, exited non-zero
    NOT_FOUND = "not_found"  # the executable is not on PATH
    NOT_EXECUTABLE = "not_executable"
    TIMED_OUT = "timed_out"  # killed after the timeout


@dataclass(frozen=True)
class RestartOutcome:
    argv: list[str]
    status: RestartStatus
    returncode: int | None = None
    output: str = ""
    elapsed: float = 0.0
    timeout: float = 0.0
    executable: str | None = field(default=None)

    @property
    def ok(self) -> bool:
        return self.status is RestartStatus.OK

    @property
    def skipped(self) -> bool:
        """The command never ran: nothing on the host was touched."""
        return self.status in (RestartStatus.NOT_FOUND, RestartStatus.NOT_EXECUTABLE)

    def describe(self) -> str:
        """One line saying what happened."""
        command = shlex.join(self.argv)
        if self.status is RestartStatus.OK:
            return f"`{command}` succeeded in {self.elapsed:.1f} s"
        if self.status is RestartStatus.NOT_FOUND:
            return f"{self.argv[0]!r} is not on PATH, so `{command}` was not run"
        if self.status is RestartStatus.NOT_EXECUTABLE:
            what = self.executable or self.argv[0]
            return f"{what} is not executable, so `{command}` was not run"
        if self.status is RestartStatus.TIMED_OUT:
            return f"`{command}` timed out after {self.timeout:g} s (killed)"
        return f"`{command}` failed with exit code {self.returncode}"


def split_command(command: str) -> list[str]:
    """Split like a shell would, without running one."""
    return shlex.split(command)


async def run_restart(
    argv: list[str], timeout: float, env: dict[str, str] | None = None
) -> RestartOutcome:
    """Run argv; return how it went with its combined output (tail)."""
    if not argv:
        return RestartOutcome(argv, RestartStatus.NOT_FOUND)
    executable = shutil.which(argv[0])
    if executable is None:
        status = RestartStatus.NOT_FOUND
        if os.sep in argv[0] and os.path.exists(argv[0]):
            status = RestartStatus.NOT_EXECUTABLE
        return RestartOutcome(argv, status, executable=argv[0], timeout=timeout)
    started = time.monotonic()
    # Output goes to a temp file, not a pipe: a detached grandchild (a container runtime)
    # may keep a pipe open long after the command exited, and asyncio waits for pipes.
    with tempfile.TemporaryFile() as output:
        try:
            process = await asyncio.create_subprocess_exec(
                executable,
                *argv[1:],
                stdin=asyncio.subprocess.DEVNULL,
                stdout=output,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
                env=env,
            )
        except PermissionError:
            return RestartOutcome(
                argv, RestartStatus.NOT_EXECUTABLE, executable=executable, timeout=timeout
            )
        except OSError as exc:
            return RestartOutcome(
                argv,
                RestartStatus.FAILED,
                output=f"could not start {executable}: {exc.strerror or exc}",
                executable=executable,
                timeout=timeout,
            )
        timed_out = False
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            timed_out = True
            await _kill_group(process)
        finally:
            if process.returncode is None:  # cancelled from outside: leave nothing behind
                await _kill_group(process)
        text = _tail(output)
    elapsed = time.monotonic() - started
    if timed_out:
        status = RestartStatus.TIMED_OUT
    elif process.returncode == 0:
        status = RestartStatus.OK
    else:
        status = RestartStatus.FAILED
    return RestartOutcome(
        argv,
        status,
        returncode=process.returncode,
        output=text,
        elapsed=elapsed,
        timeout=timeout,
        executable=executable,
    )


def _tail(output: IO[bytes]) -> str:
    size = output.seek(0, os.SEEK_END)
    output.seek(max(0, size - OUTPUT_LIMIT))
    return output.read().decode("utf-8", "replace")


async def _kill_group(process: asyncio.subprocess.Process) -> None:
    """SIGTERM the command's process group, then SIGKILL whatever of it is left."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.wait(), KILL_GRACE)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.wait(), KILL_GRACE)
