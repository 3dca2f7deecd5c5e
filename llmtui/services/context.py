"""Everything a use case needs: the home, the store, and (lazily) the master key.

The key is resolved only when a secret is read or written, so listings, audit and
metrics work even where the keyring is locked.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from llmtui.errors import MasterKeyError
from llmtui.home import db_path, ensure_home, resolve_home
from llmtui.secrets.cipher import SecretBox, fingerprint, generate_key
from llmtui.secrets.keysource import KeySource, KeyStore, LoadedKeys
from llmtui.store.engine import Store
from llmtui.store.migrate import prepare_database
from llmtui.store.schema import Meta

FINGERPRINT_KEY = "master_key_fingerprint"


@dataclass
class AppContext:
    home: Path
    store: Store
    keystore: KeyStore
    schema_revision: str
    _box: SecretBox | None = field(default=None, repr=False)
    key_source: KeySource | None = None

    @classmethod
    def open(
        cls,
        home: str | Path | None = None,
        *,
        passphrase: Callable[[], str] | None = None,
        busy_timeout: float = 5.0,
    ) -> AppContext:
        """Synchronous on purpose: migrations run before any event loop starts."""
        resolved = ensure_home(resolve_home(home))
        path = db_path(resolved)
        revision = prepare_database(path)
        return cls(
            home=resolved,
            store=Store(path, busy_timeout=busy_timeout),
            keystore=KeyStore(resolved, passphrase=passphrase),
            schema_revision=revision,
        )

    async def close(self) -> None:
        await self.store.close()

    @property
    def unlocked(self) -> bool:
        return self._box is not None

    async def box(self) -> SecretBox:
        """The store's master key, checked against its fingerprint; created on first use."""
        if self._box is None:
            self._box = await self._resolve_box()
        return self._box

    def forget_key(self) -> None:
        self._box = None

    async def stored_fingerprint(self) -> str | None:
        async with self.store.read() as session:
            return await session.scalar(select(Meta.value).where(Meta.key == FINGERPRINT_KEY))

    async def _resolve_box(self) -> SecretBox:
        loaded: LoadedKeys | None = await asyncio.to_thread(self.keystore.load)
        if loaded is None:
            return await self._create_first_key()
        self.key_source = loaded.source
        stored = await self.stored_fingerprint()
        if stored is None:
            async with self.store.write() as session:
                if await session.get(Meta, FINGERPRINT_KEY) is None:
                    session.add(Meta(key=FINGERPRINT_KEY, value=fingerprint(loaded.keys[0])))
            stored = await self.stored_fingerprint()
        for key in loaded.keys:
            if fingerprint(key) == stored:
                return SecretBox(key)
        raise MasterKeyError(
            f"the master key from {loaded.source.value} ({loaded.detail}) does not belong to "
            f"the store in {self.home}; nothing was changed. Use the key this store was created "
            "with (LLMTUI_MASTER_KEY or its keyring entry)"
        )

    async def _create_first_key(self) -> SecretBox:
        key = generate_key()
        async with self.store.write() as session:
            existing = await session.get(Meta, FINGERPRINT_KEY)
            if existing is not None:
                raise MasterKeyError(
                    f"this store has a master key, but none was found in the "
                    f"{self.keystore.source().value} for {self.home}; set LLMTUI_MASTER_KEY "
                    "to the store's key or restore the keyring entry"
                )
            session.add(Meta(key=FINGERPRINT_KEY, value=fingerprint(key)))
            # Saved inside the transaction: if the keyring refuses, the fingerprint is not kept.
            await asyncio.to_thread(self.keystore.save, [key], KeySource.KEYRING)
        self.key_source = KeySource.KEYRING
        return SecretBox(key)


def now() -> float:
    return time.time()
