"""Fernet encryption of secret fields, and the fingerprint that ties a key to a store."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from llmtui.errors import MasterKeyError

_FINGERPRINT_LABEL = b"llmtui master key fingerprint v1"


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def check_key(key: str) -> str:
    """Refuse anything that is not a Fernet key before it reaches the store."""
    try:
        Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise MasterKeyError(
            "the master key is malformed (expected 32 url-safe base64-encoded bytes)"
        ) from exc
    return key


def fingerprint(key: str) -> str:
    """A keyed hash: identifies the key without revealing it."""
    digest = hmac.new(key.encode("ascii"), _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()
    return digest[:32]


class SecretBox:
    """Encrypts a dict of secret fields into one token, and back."""

    def __init__(self, key: str) -> None:
        self.key = check_key(key)
        self._fernet = Fernet(key.encode("ascii"))
        self.fingerprint = fingerprint(key)

    def encrypt(self, secrets: dict[str, str]) -> str:
        payload = json.dumps(secrets, sort_keys=True).encode("utf-8")
        return self._fernet.encrypt(payload).decode("ascii")

    def decrypt(self, token: str) -> dict[str, Any]:
        try:
            return json.loads(self._fernet.decrypt(token.encode("ascii")))
        except InvalidToken as exc:
            raise MasterKeyError(
                "a stored secret cannot be decrypted with this master key"
            ) from exc
