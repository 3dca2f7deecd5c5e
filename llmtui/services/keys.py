"""Master-key lifecycle: choose where it lives, rotate it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from llmtui.errors import MasterKeyError
from llmtui.secrets.cipher import SecretBox, fingerprint, generate_key
from llmtui.secrets.keysource import KeySource
from llmtui.services import audit
from llmtui.services.context import FINGERPRINT_KEY, AppContext
from llmtui.services.sealing import has_sealed, map_tokens
from llmtui.store.schema import Deployment, Meta, Provider, ProxySetting, Setting


@dataclass
class RotateReport:
    secrets_reencrypted: int
    source: str
    old_fingerprint: str
    new_fingerprint: str


async def rotate(ctx: AppContext) -> RotateReport:
    """Re-encrypt every secret under a new key in one transaction.

    The key source briefly holds [new, old]; whichever commit point a crash hits, the
    store's fingerprint matches one key in the source.
    """
    old = await ctx.box()
    source = ctx.keystore.source()
    if source is KeySource.ENV:
        raise MasterKeyError(
            "the master key comes from LLMTUI_MASTER_KEY; rotate with a keyring or key file, "
            "or re-run with the new key after `llmtui key setup`"
        )
    new_key = generate_key()
    await asyncio.to_thread(ctx.keystore.save, [new_key, old.key], source)
    rotator = MultiFernet([Fernet(new_key.encode()), Fernet(old.key.encode())])
    count = 0
    try:
        async with ctx.store.write() as session:
            for p in (await session.scalars(select(Provider))).all():
                if p.secret_token:
                    p.secret_token = rotator.rotate(p.secret_token.encode()).decode()
                    count += 1
            for s in (await session.scalars(select(Setting))).all():
                if isinstance(s.value, dict) and "token" in s.value:
                    s.value = {"token": rotator.rotate(s.value["token"].encode()).decode()}
                    count += 1
            count += await _rotate_sealed(session, rotator)
            meta = await session.get(Meta, FINGERPRINT_KEY)
            meta.value = fingerprint(new_key)
            audit.record(
                session,
                "key.rotate",
                "master_key",
                source.value,
                {"fingerprint": old.fingerprint},
                {"fingerprint": fingerprint(new_key), "secrets": count},
                affects_config=False,
            )
    except BaseException:
        await asyncio.to_thread(ctx.keystore.save, [old.key], source)
        raise
    await asyncio.to_thread(ctx.keystore.save, [new_key], source)
    ctx._box = SecretBox(new_key)
    return RotateReport(count, source.value, old.fingerprint, fingerprint(new_key))


async def _rotate_sealed(session: AsyncSession, rotator: MultiFernet) -> int:
    """Sealed values inside passthrough settings and deployments' extra params."""
    count = 0

    def rotate_token(token: str) -> str:
        nonlocal count
        count += 1
        return rotator.rotate(token.encode()).decode()

    for row in (await session.scalars(select(ProxySetting))).all():
        if has_sealed(row.value):
            row.value = map_tokens(row.value, rotate_token)
    for d in (await session.scalars(select(Deployment))).all():
        if has_sealed(d.extra_params):
            d.extra_params = map_tokens(d.extra_params, rotate_token)
        if has_sealed(d.extra_model_info):
            d.extra_model_info = map_tokens(d.extra_model_info, rotate_token)
    return count


async def move_key(ctx: AppContext, target: KeySource) -> str:
    """Put the store's key (or a new one, for a new store) into `target`."""
    box = await _current_or_new(ctx, target)
    await asyncio.to_thread(ctx.keystore.save, [box.key], target)
    await asyncio.to_thread(ctx.keystore.forget_other_sources, target)
    async with ctx.store.write() as session:
        audit.record(
            session,
            "key.setup",
            "master_key",
            target.value,
            None,
            {"source": target.value},
            affects_config=False,
        )
    ctx._box = box
    return box.fingerprint


async def _current_or_new(ctx: AppContext, target: KeySource) -> SecretBox:
    stored = await ctx.stored_fingerprint()
    if stored is None:
        key = generate_key()
        async with ctx.store.write() as session:
            session.add(Meta(key=FINGERPRINT_KEY, value=fingerprint(key)))
            # Inside the transaction: no fingerprint is kept for a key that was not saved.
            await asyncio.to_thread(ctx.keystore.save, [key], target)
        return SecretBox(key)
    try:
        return await ctx.box()
    except MasterKeyError as exc:
        raise MasterKeyError(
            f"cannot move the master key to {target.value}: {exc}. "
            "Set LLMTUI_MASTER_KEY to the store's key for this one command"
        ) from exc
