"""Timestamped 0600 backups beside the file they protect.

`litellm-config.yaml.backup.2026-11-23T10-02-11` (UTC); a second backup within the same
second gets `-2`, `-3` ... Created with O_EXCL so two writers never share a name, and
fsynced before apply touches the original.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from llmtui.errors import LlmtuiError
from llmtui.ops.files import describe_os_error, fsync_directory, sha256_bytes

MARKER = ".backup."
STAMP_FORMAT = "%Y-%m-%dT%H-%M-%S"
MAX_SAME_SECOND = 1000


@dataclass(frozen=True)
class BackupFile:
    path: Path
    sha256: str
    size: int


def backup_stem(original: Path, at: float) -> str:
    stamp = datetime.fromtimestamp(at, UTC).strftime(STAMP_FORMAT)
    return f"{original.name}{MARKER}{stamp}"


def create_backup(original: Path, data: bytes, at: float, mode: int = 0o600) -> BackupFile:
    """Write `data` (the original's current bytes) to a new, never-reused backup name."""
    stem = backup_stem(original, at)
    for n in range(1, MAX_SAME_SECOND + 1):
        path = original.parent / (stem if n == 1 else f"{stem}-{n}")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:
            continue
        except OSError as exc:
            raise LlmtuiError(describe_os_error(exc, path)) from exc
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.chmod(path, mode)
        except OSError as exc:
            with contextlib.suppress(OSError):
                path.unlink()
            raise LlmtuiError(describe_os_error(exc, path)) from exc
        fsync_directory(path.parent)
        return BackupFile(path, sha256_bytes(data), len(data))
    raise LlmtuiError(f"cannot back up {original}: too many backups within one second")


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
