"""Import, part 2: fallback chains, per-error policies, router settings, passthrough
sections, the proxy master key and drill mode. Runs inside the import's one transaction.

What the file states wins; what it does not mention stays as the store has it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from llmtui.errors import InvalidInput
from llmtui.litellm.error_types import ERROR_TYPES, ErrorType
from llmtui.litellm.import_plan import ENV_PREFIX, ImportPlan, Issue
from llmtui.litellm.import_sections import DRILL_KEY
from llmtui.litellm.render import DEFAULT_MASTER_KEY_REF
from llmtui.secrets.cipher import SecretBox
from llmtui.secrets.masking import mask_secret
from llmtui.services import audit
from llmtui.services.chain_rules import check_chain, errors
from llmtui.services.context import now
from llmtui.services.fallbacks import load_chains, load_groups
from llmtui.services.import_report import ImportReport
from llmtui.services.policies import (
    MAX_ALLOWED_FAILS,
    MAX_RETRIES,
    ROUTER_SETTINGS,
    convert_router_value,
)
from llmtui.services.sealing import redact, seal_setting, unseal
from llmtui.services.validation import check_name
from llmtui.store.schema import FallbackChain, FallbackEntry, ProxySetting, RetryPolicy, Setting

ChainKey = tuple[str, str]


async def write_chains(session: AsyncSession, plan: ImportPlan, report: ImportReport) -> None:
    """Each chain is checked against the state the whole file intends, so order does not matter."""
    await session.flush()
    groups = await load_groups(session)
    stored = {key: fb for key, (fb, _) in (await load_chains(session)).items() if fb}
    intended = dict(stored) | {(c.group, c.kind): list(c.fallbacks) for c in plan.chains}
    for chain in plan.chains:
        key, fallbacks = (chain.group, chain.kind), list(chain.fallbacks)
        name = f"{chain.group} ({chain.kind})"
        try:
            for group in (chain.group, *fallbacks):
                check_name(group, "group name")
        except InvalidInput as exc:
            problems = [str(exc)]
        else:
            problems = [f.message for f in errors(check_chain(*key, fallbacks, groups, intended))]
        if problems:
            plan.not_represented.append(Issue(chain.where, "; ".join(problems)))
            intended.pop(key)
            if key in stored:
                intended[key] = stored[key]
            continue
        described = " → ".join([chain.group, *fallbacks])
        if stored.get(key) == fallbacks:
            report.add("chain", name, "unchanged", described)
            continue
        await _replace_chain(session, chain.group, chain.kind, fallbacks)
        report.add("chain", name, "updated" if key in stored else "added", described)
        audit.record(
            session,
            "fallback.set",
            "fallback_chain",
            name,
            {"fallbacks": stored.get(key, [])},
            {"fallbacks": fallbacks},
        )


async def _replace_chain(
    session: AsyncSession, group: str, kind: str, fallbacks: list[str]
) -> None:
    row = await session.scalar(
        select(FallbackChain).where(FallbackChain.group_name == group, FallbackChain.kind == kind)
    )
    ts = now()
    if row is None:
        row = FallbackChain(group_name=group, kind=kind, created_at=ts, updated_at=ts)
        session.add(row)
    else:
        row.updated_at = ts
        await session.execute(delete(FallbackEntry).where(FallbackEntry.chain_id == row.id))
    await session.flush()
    session.add_all(
        FallbackEntry(chain_id=row.id, position=i, fallback_group=target)
        for i, target in enumerate(fallbacks)
    )


def _effective(et: ErrorType, row: RetryPolicy | None) -> tuple[int | None, int | None]:
    """(retries, allowed fails) as render writes them for this row."""
    if row is None:
        return et.default_retries, None
    if not row.enabled:
        return 0, None
    return row.retries, row.allowed_fails


def _count(value: Any, maximum: int) -> bool:
    if value is None:
        return True
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= maximum


async def write_policies(session: AsyncSession, plan: ImportPlan, report: ImportReport) -> None:
    if plan.retries is None and plan.allowed_fails is None:
        return
    rows = {r.error_type: r for r in (await session.scalars(select(RetryPolicy))).all()}
    for et in ERROR_TYPES.values():
        row = rows.get(et.id)
        current = _effective(et, row)
        retries, allowed = current
        for given, maximum, field in (
            (plan.retries, MAX_RETRIES, et.retry_field),
            (plan.allowed_fails, MAX_ALLOWED_FAILS, et.allowed_fails_field),
        ):
            if given is None:
                continue
            value = given.get(et.id)
            if not _count(value, maximum):
                plan.not_represented.append(
                    Issue(f"router_settings.{field}", f"must be 0 to {maximum} (got {value!r})")
                )
                continue
            if field == et.retry_field:
                retries = value
            else:
                allowed = value
        if (retries, allowed) == current:
            report.add("policy", et.id, "unchanged", _policy_text(retries, allowed))
            continue
        if row is None:
            row = RetryPolicy(error_type=et.id, updated_at=now())
            session.add(row)
        row.retries, row.allowed_fails, row.enabled = retries, allowed, True
        row.updated_at = now()
        report.add("policy", et.id, "updated", _policy_text(retries, allowed))
        audit.record(
            session,
            "trigger.set",
            "policy",
            et.id,
            {"retries": current[0], "allowed_fails": current[1]},
            {"retries": retries, "allowed_fails": allowed, "enabled": True},
        )


def _policy_text(retries: int | None, allowed: int | None) -> str:
    shown = "router default" if retries is None else str(retries)
    return f"retries {shown}, allowed fails {'router default' if allowed is None else allowed}"


async def write_settings(
    session: AsyncSession, box: SecretBox, plan: ImportPlan, report: ImportReport
) -> None:
    """Router settings, passthrough keys, the master key and drill mode."""
    entries = [(p.section, p.key, p.value) for p in plan.passthrough]
    master = plan.master_key
    if isinstance(master, str):
        inline = not master.startswith(ENV_PREFIX)
        if inline:
            await _secret_setting(session, box, "proxy_key", master, report)
        if inline or master == DEFAULT_MASTER_KEY_REF:
            await _drop_passthrough(session, "general_settings", "master_key", report)
        else:
            entries.append(("general_settings", "master_key", master))
    if plan.drill_mode is not None:
        await _plain_setting(session, "drill_mode", plan.drill_mode, False, report)
        await _drop_passthrough(session, "general_settings", DRILL_KEY, report)
    for section, key, value in entries:
        if section == "router_settings" and key in ROUTER_SETTINGS:
            await _router_setting(session, key, value, plan, report)
        else:
            await _passthrough(session, box, section, key, value, report)


async def _router_setting(
    session: AsyncSession, key: str, raw: Any, plan: ImportPlan, report: ImportReport
) -> None:
    try:
        value = convert_router_value(key, raw)
    except InvalidInput as exc:
        plan.not_represented.append(Issue(f"router_settings.{key}", str(exc)))
        return
    default = ROUTER_SETTINGS[key].default
    row = await session.get(ProxySetting, ("router_settings", key))
    current = row.value if row is not None else default
    if current == value:
        report.add("router_setting", key, "unchanged", str(value))
        return
    if value == default:
        if row is not None:
            await session.delete(row)
    elif row is None:
        session.add(ProxySetting(section="router_settings", key=key, value=value, updated_at=now()))
    else:
        row.value, row.updated_at = value, now()
    report.add("router_setting", key, "updated", str(value))
    audit.record(session, "router.set", "router_setting", key, current, value)


async def _passthrough(
    session: AsyncSession, box: SecretBox, section: str, key: str, value: Any, report: ImportReport
) -> None:
    name = f"{section}.{key}"
    row = await session.get(ProxySetting, (section, key))
    if row is not None and unseal(box, row.value) == value:
        report.add("passthrough", name, "unchanged")
        return
    stored = seal_setting(box, section, key, value)
    before = redact(row.value) if row is not None else None
    if row is None:
        session.add(ProxySetting(section=section, key=key, value=stored, updated_at=now()))
    else:
        row.value, row.updated_at = stored, now()
    report.add("passthrough", name, "added" if row is None else "updated")
    audit.record(session, "passthrough.set", "proxy_setting", name, before, redact(stored))


async def _drop_passthrough(
    session: AsyncSession, section: str, key: str, report: ImportReport
) -> None:
    """A key llmtui now manages itself must not shadow it as passthrough."""
    row = await session.get(ProxySetting, (section, key))
    if row is None:
        return
    before = redact(row.value)
    await session.delete(row)
    report.add("passthrough", f"{section}.{key}", "removed", "managed by llmtui now")
    audit.record(session, "passthrough.remove", "proxy_setting", f"{section}.{key}", before, None)


async def _secret_setting(
    session: AsyncSession, box: SecretBox, key: str, value: str, report: ImportReport
) -> None:
    """Stored the way llmtui.services.settings stores secret settings: a Fernet token."""
    row = await session.get(Setting, key)
    current = row.value if row is not None else None
    if isinstance(current, dict) and "token" in current:
        current = box.decrypt(current["token"])["value"]
    if current == value:
        report.add("setting", key, "unchanged", mask_secret(value) or "")
        return
    stored = {"token": box.encrypt({"value": value})}
    if row is None:
        session.add(Setting(key=key, value=stored, updated_at=now()))
    else:
        row.value, row.updated_at = stored, now()
    report.add("setting", key, "updated", mask_secret(value) or "")
    before = "••••" if current is not None else None
    audit.record(session, "setting.set", "setting", key, before, mask_secret(value))


async def _plain_setting(
    session: AsyncSession, key: str, value: Any, default: Any, report: ImportReport
) -> None:
    row = await session.get(Setting, key)
    current = row.value if row is not None else default
    if current == value:
        report.add("setting", key, "unchanged", str(value))
        return
    if row is None:
        session.add(Setting(key=key, value=value, updated_at=now()))
    else:
        row.value, row.updated_at = value, now()
    report.add("setting", key, "updated", str(value))
    audit.record(session, "setting.set", "setting", key, current, value)
