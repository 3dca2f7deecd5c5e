"""Atomic, private file writes: temp file (0600 from creation) + fsync + rename."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from pathlib import Path

from llmtui.errors import LlmtuiError
from llmtui.ops.faults import crash_point


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Readers see the old file or the new one, whole; never a mix."""
    directory = path.parent
    if not directory.is_dir():
        raise LlmtuiError(f"cannot write {path}: directory {directory} does not exist")
    tmp = directory / f".{path.name}.tmp-{os.getpid()}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            crash_point(f"write:{path.name}")
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        fsync_directory(directory)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise LlmtuiError(describe_os_error(exc, path)) from exc


def atomic_write_text(path: Path, text: str, mode: int = 0o600) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def read_bytes_if_exists(path: Path) -> bytes | None:
    """The file's bytes, or None when there is no file (an error if it cannot be read)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise LlmtuiError(f"{path} is a directory, not a file") from None
    except OSError as exc:
        raise LlmtuiError(f"cannot read {path}: {exc.strerror or exc}") from exc


def remove_file(path: Path) -> None:
    """Remove a file we wrote (durably); a file already gone is fine."""
    try:
        path.unlink()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise LlmtuiError(f"cannot remove {path}: {exc.strerror or exc}") from exc
    fsync_directory(path.parent)


def directory_write_problem(path: Path) -> str | None:
    """Why a file cannot be created beside `path`, found by trying (root ignores modes)."""
    directory = path.parent
    if not directory.is_dir():
        return f"cannot write {path}: directory {directory} does not exist"
    probe = directory / f".{path.name}.probe-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return None
    except OSError as exc:
        return describe_os_error(exc, path)
    os.close(fd)
    with contextlib.suppress(OSError):
        probe.unlink()
    return None


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str | None:
    try:
        return sha256_bytes(path.read_bytes())
    except FileNotFoundError:
        return None


def describe_os_error(exc: OSError, path: Path) -> str:
    """One clear line for the errors operators actually hit."""
    if exc.errno == errno.ENOSPC:
        return f"cannot write {path}: the disk is full; nothing was changed"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write {path}: permission denied or read-only file system"
    if exc.errno == errno.ENOENT:
        return f"cannot write {path}: its directory does not exist"
    return f"cannot write {path}: {exc.strerror or exc}"


def fsync_directory(directory: Path) -> None:
    """Make a rename or unlink in `directory` durable (best effort where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
