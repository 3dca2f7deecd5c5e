"""Errors that reach the user as one clear line; `exit_code` follows the CLI contract."""

from __future__ import annotations


class LlmtuiError(Exception):
    """An operation failed for a reason the user can act on (exit 1)."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(LlmtuiError):
    """The user gave a value we refuse (exit 2, like a usage error)."""

    exit_code = 2


class NotFound(LlmtuiError):
    """A named provider, model, group, backup ... does not exist."""


class AlreadyExists(LlmtuiError):
    """A name is taken."""


class ConflictError(LlmtuiError):
    """The row changed in another instance since it was read."""


class StoreError(LlmtuiError):
    """The SQLite store cannot be opened, is locked, or is not ours."""


class MasterKeyError(LlmtuiError):
    """No usable master key, or one that does not belong to this store."""


class PassphraseRequired(MasterKeyError):
    """The key file is passphrase-protected and no passphrase was given."""
