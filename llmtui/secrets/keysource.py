"""Where the master key lives: environment, passphrase file, plaintext file, or OS keyring.

Order: LLMTUI_MASTER_KEY, then a key file the user explicitly chose for this home,
then the OS keyring (one entry per home). A keyring backend that is not a real secret
store is refused, never used silently.

A source may hold several keys while a rotation is in flight (new key first); the
store's fingerprint says which one is current.
"""

from __future__ import annotations

import base64
import contextlib
import enum
import json
import os
import secrets as pysecrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from llmtui.errors import MasterKeyError, PassphraseRequired
from llmtui.ops.files import atomic_write_text
from llmtui.secrets.cipher import check_key

KEYRING_SERVICE = "llmtui"
PASSPHRASE_FILE = "master-key.scrypt"
PLAINTEXT_FILE = "master-key.plaintext"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1

_INSECURE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


class KeySource(enum.StrEnum):
    ENV = "env"
    KEYRING = "keyring"
    PASSPHRASE_FILE = "passphrase-file"
    PLAINTEXT_FILE = "plaintext-file"


@dataclass(frozen=True)
class LoadedKeys:
    keys: list[str]
    source: KeySource
    detail: str


def keyring_username(home: Path) -> str:
    return f"master-key:{home}"


def keyring_backend_name() -> str:
    import keyring

    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def keyring_problem() -> str | None:
    """Why the current keyring backend cannot hold our key, or None if it can."""
    import keyring
    from keyring.backends.chainer import ChainerBackend

    backend = keyring.get_keyring()
    members = backend.backends if isinstance(backend, ChainerBackend) else [backend]
    if not members:
        return "no OS keyring backend is available"
    for member in members:
        module = type(member).__module__
        name = type(member).__qualname__
        if module.startswith(_INSECURE_MODULES) or "plaintext" in name.lower():
            return f"the keyring backend {module}.{name} is not a secure secret store"
    return None


class KeyStore:
    """Reads and writes the master key(s) of one home in the chosen source."""

    def __init__(
        self,
        home: Path,
        passphrase: Callable[[], str] | None = None,
        environ: dict[str, str] | None = None,
    ) -> None:
        self.home = home
        self._passphrase_prompt = passphrase
        self._environ = os.environ if environ is None else environ
        self._passphrase: str | None = None

    @property
    def passphrase_path(self) -> Path:
        return self.home / PASSPHRASE_FILE

    @property
    def plaintext_path(self) -> Path:
        return self.home / PLAINTEXT_FILE

    def set_passphrase(self, passphrase: str) -> None:
        self._passphrase = passphrase

    def source(self) -> KeySource:
        if self._environ.get("LLMTUI_MASTER_KEY"):
            return KeySource.ENV
        if self.passphrase_path.exists():
            return KeySource.PASSPHRASE_FILE
        if self.plaintext_path.exists():
            return KeySource.PLAINTEXT_FILE
        return KeySource.KEYRING

    def load(self) -> LoadedKeys | None:
        """The stored keys, or None if this home has none yet."""
        source = self.source()
        if source is KeySource.ENV:
            key = check_key(self._environ["LLMTUI_MASTER_KEY"].strip())
            return LoadedKeys([key], source, "LLMTUI_MASTER_KEY")
        if source is KeySource.PASSPHRASE_FILE:
            return LoadedKeys(self._read_passphrase_file(), source, str(self.passphrase_path))
        if source is KeySource.PLAINTEXT_FILE:
            return LoadedKeys(self._read_plaintext_file(), source, str(self.plaintext_path))
        problem = keyring_problem()
        if problem:
            raise MasterKeyError(
                f"{problem}; choose a key file with `llmtui key setup --passphrase-file` "
                "or `llmtui key setup --plaintext-file`, or set LLMTUI_MASTER_KEY"
            )
        import keyring

        stored = keyring.get_password(KEYRING_SERVICE, keyring_username(self.home))
        if not stored:
            return None
        keys = [check_key(k) for k in stored.split()]
        return LoadedKeys(keys, source, keyring_backend_name())

    def save(self, keys: list[str], source: KeySource | None = None) -> None:
        """Write keys (current first) to `source`, default the current one."""
        target = source or self.source()
        for key in keys:
            check_key(key)
        if target is KeySource.ENV:
            raise MasterKeyError(
                "the master key comes from LLMTUI_MASTER_KEY; llmtui cannot change it there"
            )
        if target is KeySource.PASSPHRASE_FILE:
            self._write_passphrase_file(keys)
        elif target is KeySource.PLAINTEXT_FILE:
            payload = {
                "warning": "PLAINTEXT master key: anyone who can read this file can decrypt "
                "every API key in this llmtui store.",
                "keys": keys,
            }
            atomic_write_text(self.plaintext_path, json.dumps(payload, indent=2) + "\n")
        else:
            problem = keyring_problem()
            if problem:
                raise MasterKeyError(problem)
            import keyring

            keyring.set_password(KEYRING_SERVICE, keyring_username(self.home), " ".join(keys))

    def forget_other_sources(self, keep: KeySource) -> None:
        """After moving the key, remove it from where it used to be."""
        if keep is not KeySource.PASSPHRASE_FILE:
            self.passphrase_path.unlink(missing_ok=True)
        if keep is not KeySource.PLAINTEXT_FILE:
            self.plaintext_path.unlink(missing_ok=True)
        if keep is not KeySource.KEYRING and keyring_problem() is None:
            import keyring
            from keyring.errors import PasswordDeleteError

            with contextlib.suppress(PasswordDeleteError):
                keyring.delete_password(KEYRING_SERVICE, keyring_username(self.home))

    # -- passphrase file -------------------------------------------------

    def _get_passphrase(self) -> str:
        if self._passphrase is not None:
            return self._passphrase
        from_env = self._environ.get("LLMTUI_PASSPHRASE")
        if from_env:
            return from_env
        if self._passphrase_prompt is None:
            raise PassphraseRequired(
                f"the master key in {self.passphrase_path} is passphrase-protected; "
                "set LLMTUI_PASSPHRASE or enter the passphrase"
            )
        self._passphrase = self._passphrase_prompt()
        return self._passphrase

    def _derive(self, salt: bytes, n: int, r: int, p: int) -> bytes:
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        kdf = Scrypt(salt=salt, length=32, n=n, r=r, p=p)
        return base64.urlsafe_b64encode(kdf.derive(self._get_passphrase().encode("utf-8")))

    def _write_passphrase_file(self, keys: list[str]) -> None:
        from cryptography.fernet import Fernet

        salt = pysecrets.token_bytes(16)
        wrapping = Fernet(self._derive(salt, SCRYPT_N, SCRYPT_R, SCRYPT_P))
        payload = {
            "kdf": "scrypt",
            "n": SCRYPT_N,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "salt": base64.b64encode(salt).decode("ascii"),
            "keys": wrapping.encrypt(" ".join(keys).encode("ascii")).decode("ascii"),
        }
        atomic_write_text(self.passphrase_path, json.dumps(payload, indent=2) + "\n")

    def _read_passphrase_file(self) -> list[str]:
        from cryptography.fernet import Fernet, InvalidToken

        try:
            payload = json.loads(self.passphrase_path.read_text("utf-8"))
            salt = base64.b64decode(payload["salt"])
            derived = self._derive(salt, int(payload["n"]), int(payload["r"]), int(payload["p"]))
            token = payload["keys"].encode("ascii")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise MasterKeyError(f"cannot read the key file {self.passphrase_path}: {exc}") from exc
        try:
            plain = Fernet(derived).decrypt(token).decode("ascii")
        except InvalidToken as exc:
            self._passphrase = None
            raise MasterKeyError(f"wrong passphrase for {self.passphrase_path}") from exc
        return [check_key(k) for k in plain.split()]

    def _read_plaintext_file(self) -> list[str]:
        try:
            payload = json.loads(self.plaintext_path.read_text("utf-8"))
            return [check_key(k) for k in payload["keys"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise MasterKeyError(f"cannot read the key file {self.plaintext_path}: {exc}") from exc
