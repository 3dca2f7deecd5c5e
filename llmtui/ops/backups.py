"""Timestamped 0600 backups beside the file they protect.

`litellm-config.yaml.backup.2026-11-23T10-02-11` (UTC); a second backup within the same
second gets `-2`, `-3` ... Written whole to a temp file and linked into place (never a
partial backup, never a shared name), fsynced before apply touches the original.
"""

from __future__ import annotations

import contextlib
import errno
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from llmtui.errors import LlmtuiError
from llmtui.ops.faults import crash_point
from llmtui.ops.files import describe_os_error, fsync_directory, sha256_bytes

MARKER = ".backup."
STAMP_FORMAT = "%Y-%m-%dT%H-%M-%S"
MAX_SAME_SECOND = 1000
NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS}


@dataclass(frozen=True)
class BackupFile:
    path: Path
    sha256: str
    size: int


def backup_stem(original: Path, at: float) -> str:
    stamp = datetime.fromtimestamp(at, UTC).strftime(STAMP_FORMAT)
    return f"{original.name}{MARKER}{stamp}"


def create_backup(original: Path, data: bytes, at: float, mode: int = 0o600) -> BackupFile:
    """Write `data` (the original's current bytes) to a new, never-reused backup name.

    The bytes go to a temp file first (fsynced), which is then hard-linked to the first
    free name: a crash never leaves a partial file under a backup's name, and two
    writers never share one. Temp files of a dead apply are removed by recovery.
    """
    stem = backup_stem(original, at)
    tmp = original.parent / f".{stem}.tmp-{os.getpid()}"
    path = original.parent / stem
    try:
        _write_private(tmp, data, mode)
        crash_point("backup")
        path = _link_to_free_name(tmp, original.parent, stem)
    except OSError as exc:
        raise LlmtuiError(describe_os_error(exc, path)) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    fsync_directory(path.parent)
    return BackupFile(path, sha256_bytes(data), len(data))


def _write_private(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(path, mode)


def _link_to_free_name(tmp: Path, directory: Path, stem: str) -> Path:
    for n in range(1, MAX_SAME_SECOND + 1):
        path = directory / (stem if n == 1 else f"{stem}-{n}")
        try:
            os.link(tmp, path)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in NO_HARD_LINKS:
                raise
            if path.exists():  # a file system without hard links: one apply at a time
                continue
            os.rename(tmp, path)
        return path
    raise LlmtuiError(f"cannot back up into {directory}: too many backups within one second")


def read_backup(path: Path, expected_sha256: str) -> bytes:
    """The backup's bytes, refused if the file is gone or no longer what we wrote."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LlmtuiError(f"the backup file {path} no longer exists") from None
    except OSError as exc:
        raise LlmtuiError(f"cannot read the backup {path}: {exc.strerror or exc}") from exc
    if sha256_bytes(data) != expected_sha256:
        raise LlmtuiError(
            f"the backup {path} was changed since it was written (checksum mismatch); "
            "refusing to restore it"
        )
    return data


def remove_backup(path: Path) -> bool:
    """Delete one rotated-out backup; False if it was already gone."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise LlmtuiError(f"cannot remove the old backup {path}: {exc.strerror or exc}") from exc
    return True
