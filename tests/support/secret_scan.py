"""Suite-wide secrets scan: every key the tests stored, searched for in every file they left.

While the suite runs, `SecretRegistry.watch` records (in-process, by wrapping three real
functions) every plaintext secret llmtui encrypts, every home it opens and every file its
atomic writer produces. At session end `scan` reads every file under those homes, every
file llmtui wrote and its backups, the snapshots and the screenshots: a key may appear
only in a file llmtui wrote (the inline-mode config, an env file) or a backup of one, and
those must be 0600. Every file in a home must be private (no group/other bits) and every
home llmtui created 0700. Subprocess runs are covered through the homes the `home`
fixture registers and the keys tests register by hand.
"""

from __future__ import annotations

import contextlib
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from llmtui.ops.backups import MARKER
from llmtui.services.recorder import EVENTS_FILE

MIN_KEY = 12  # shorter "secrets" (test placeholders like "x") would match everywhere
SKIP_SUFFIXES = (".pyc",)


@dataclass
class SecretRegistry:
    keys: set[str] = field(default_factory=set)
    homes: set[Path] = field(default_factory=set)
    created_homes: set[Path] = field(default_factory=set)
    written: set[Path] = field(default_factory=set)
    images: list[Path] = field(default_factory=list)

    def add_keys(self, values: Iterable[Any]) -> None:
        for value in values:
            if isinstance(value, str) and len(value) >= MIN_KEY:
                self.keys.add(value)

    def add_home(self, home: Path) -> None:
        self.homes.add(Path(home).resolve())

    @contextlib.contextmanager
    def watch(self) -> Iterator[None]:
        """Record secrets, homes and written files for the whole session."""
        from llmtui.ops import files
        from llmtui.secrets.cipher import SecretBox
        from llmtui.services import apply, context

        encrypt, ensure_home = SecretBox.encrypt, context.ensure_home
        write = files.atomic_write_bytes

        def recording_encrypt(box: SecretBox, secrets: dict[str, str]) -> str:
            self.add_keys(secrets.values())
            return encrypt(box, secrets)

        def recording_ensure_home(home: Path) -> Path:
            existed = Path(home).exists()
            path = ensure_home(home)
            self.add_home(path)
            if not existed:
                self.created_homes.add(path.resolve())
            return path

        def recording_write(path: Path, data: bytes, mode: int = 0o600) -> None:
            write(path, data, mode)
            self.written.add(Path(path).resolve())

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(SecretBox, "encrypt", recording_encrypt)
            mp.setattr(context, "ensure_home", recording_ensure_home)
            mp.setattr(files, "atomic_write_bytes", recording_write)
            mp.setattr(apply, "atomic_write_bytes", recording_write)
            yield

    def may_hold_keys(self, path: Path) -> bool:
        """llmtui's own secret-bearing outputs: a file it wrote, or a backup of one."""
        if path in self.written:
            return True
        name, _, _ = path.name.partition(MARKER)
        return MARKER in path.name and path.with_name(name) in self.written

    def files(self) -> set[Path]:
        found: set[Path] = set()
        for home in self.homes:
            if home.is_dir():
                found.update(p.resolve() for p in home.rglob("*") if p.is_file())
        for path in self.written:
            if path.is_file():
                found.add(path)
            if path.parent.is_dir():
                found.update(p.resolve() for p in path.parent.glob(f"{path.name}{MARKER}*"))
        return {p for p in found if not p.name.endswith(SKIP_SUFFIXES)}

    def scan(self) -> list[str]:
        """Every problem found, one sentence each; empty when nothing leaked."""
        problems: list[str] = []
        keys = [k.encode() for k in sorted(self.keys)]
        for path in sorted(self.files()):
            problems += self._check_file(path, keys)
        for image in self.images:
            text = image.read_bytes()
            problems += [f"a test key is visible in {image}" for k in keys if k in text][:1]
        for home in sorted(self.created_homes):
            if home.is_dir() and stat.S_IMODE(home.stat().st_mode) != 0o700:
                problems.append(f"home {home} is {oct(stat.S_IMODE(home.stat().st_mode))}")
        return problems

    def _check_file(self, path: Path, keys: list[bytes]) -> list[str]:
        try:
            data, mode = path.read_bytes(), stat.S_IMODE(path.stat().st_mode)
        except OSError:
            return []  # removed or made unreadable by the test that owns it
        problems: list[str] = []
        in_home = any(path.is_relative_to(home) for home in self.homes)
        leaked = next((k for k in keys if k in data), None)
        # Outside a home only key-bearing files must be private (a public cache may be 0644).
        # The proxy's events file is 0644 on purpose (a container running as root writes it
        # for the host user to read); it holds no key (checked below) and the home is 0700.
        private = in_home and not path.name.startswith(EVENTS_FILE)
        if (private or leaked is not None) and mode & 0o077:
            problems.append(f"{path} is {oct(mode)}, readable by others")
        if leaked is not None and not self.may_hold_keys(path):
            problems.append(f"a plaintext key ({leaked[:6].decode()}…) is in {path}")
        return problems


REGISTRY = SecretRegistry()
