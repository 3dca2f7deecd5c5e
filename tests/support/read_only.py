"""A directory nobody can create files in, even root (tests here often run as root).

Non-root: mode 0500. Root ignores modes, so the immutable attribute (`chattr +i`) is
used instead; where neither works the test is skipped, saying why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def read_only_dir(directory: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        directory.chmod(0o500)
        try:
            yield directory
        finally:
            directory.chmod(0o700)
        return
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("running as root without chattr: cannot make a read-only directory")
    done = subprocess.run([chattr, "+i", str(directory)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not supported here: {done.stderr.strip()}")
    try:
        yield directory
    finally:
        subprocess.run([chattr, "-i", str(directory)], check=True)
