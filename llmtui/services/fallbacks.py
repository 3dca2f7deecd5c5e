"""Fallback chains per model group and kind: show, set (validated), clear."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from llmtui.errors import ConflictError, InvalidInput
from llmtui.services import audit
from llmtui.services.chain_rules import (
    KIND_LABELS,
    KINDS,
    Finding,
    GroupInfo,
    check_chain,
    check_kind,
    errors,
)
from llmtui.services.context import AppContext, now
from llmtui.services.test_history import LastTest, load_last_tests
from llmtui.services.validation import check_name
from llmtui.store.schema import Deployment, FallbackChain, FallbackEntry, Provider


@dataclass
class ChainView:
    group: str
    kind: str
    fallbacks: list[str]
    version: int
    findings: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["findings"] = [asdict(f) for f in self.findings]
        return data


@dataclass
class GroupView:
    name: str
    deployments: int
    enabled_deployments: int
    providers: list[str]
    chains: dict[str, ChainView]
    last_test: LastTest | None = None

    @property
    def has_chain(self) -> bool:
        return any(c.fallbacks for c in self.chains.values())

    @property
    def invalid(self) -> bool:
        return any(errors(c.findings) for c in self.chains.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.name,
            "deployments": self.deployments,
            "enabled_deployments": self.enabled_deployments,
            "providers": self.providers,
            "chains": {k: c.to_json() for k, c in self.chains.items()},
            "last_test": self.last_test.to_json() if self.last_test else None,
        }


async def load_groups(session: AsyncSession) -> dict[str, GroupInfo]:
    rows = await session.execute(
        select(Deployment.group_name, Deployment.enabled, Provider.name, Provider.enabled)
        .join(Provider, Provider.id == Deployment.provider_id)
        .where(Provider.deleted_at.is_(None))
    )
    groups: dict[str, GroupInfo] = {}
    for group, enabled, provider, provider_enabled in rows:
        info = groups.setdefault(group, GroupInfo(group))
        info.deployments += 1
        if enabled and provider_enabled:
            info.enabled_deployments += 1
            info.providers.add(provider)
    return groups


async def load_chains(session: AsyncSession) -> dict[tuple[str, str], tuple[list[str], int]]:
    chains = (await session.scalars(select(FallbackChain))).all()
    entries = (
        await session.execute(
            select(FallbackEntry.chain_id, FallbackEntry.fallback_group).order_by(
                FallbackEntry.chain_id, FallbackEntry.position
            )
        )
    ).all()
    by_chain: dict[int, list[str]] = {}
    for chain_id, target in entries:
        by_chain.setdefault(chain_id, []).append(target)
    return {(c.group_name, c.kind): (by_chain.get(c.id, []), c.version) for c in chains}


def _plain(
    chains: dict[tuple[str, str], tuple[list[str], int]],
) -> dict[tuple[str, str], list[str]]:
    return {key: fallbacks for key, (fallbacks, _) in chains.items() if fallbacks}


async def overview(ctx: AppContext) -> list[GroupView]:
    """Every model group with its chains and what is wrong with them."""
    async with ctx.store.read() as session:
        groups = await load_groups(session)
        chains = await load_chains(session)
        tests = await load_last_tests(session)
    plain = _plain(chains)
    names = sorted(set(groups) | {g for g, _ in chains})
    result = []
    for name in names:
        info = groups.get(name, GroupInfo(name))
        views = {}
        for kind in KINDS:
            fallbacks, version = chains.get((name, kind), ([], 0))
            findings = check_chain(name, kind, fallbacks, groups, plain) if fallbacks else []
            views[kind] = ChainView(name, kind, fallbacks, version, findings)
        result.append(
            GroupView(
                name,
                info.deployments,
                info.enabled_deployments,
                sorted(info.providers),
                views,
                tests.get(name),
            )
        )
    return result


async def preview(ctx: AppContext, group: str, kind: str, fallbacks: list[str]) -> list[Finding]:
    """What set_chain would say, without saving (the TUI explains as you edit)."""
    check_kind(kind)
    async with ctx.store.read() as session:
        groups = await load_groups(session)
        chains = _plain(await load_chains(session))
    return check_chain(group, kind, fallbacks, groups, chains)


def _check_version(
    chains: dict[tuple[str, str], tuple[list[str], int]],
    group: str,
    kind: str,
    expected: int | None,
) -> list[str]:
    """The chain as stored now, refused if it is not the version the caller read (0 = none)."""
    current, version = chains.get((group, kind), ([], 0))
    if expected is not None and version != expected:
        raise ConflictError(
            f"the {KIND_LABELS[kind]} chain of {group!r} was changed elsewhere since you "
            "opened it; reload and try again"
        )
    return current


async def set_chain(
    ctx: AppContext,
    group: str,
    fallbacks: list[str],
    kind: str = "general",
    expected_version: int | None = None,
) -> ChainView:
    """Replace the chain; refused with every reason if it is invalid."""
    check_kind(kind)
    check_name(group, "group name")
    for target in fallbacks:
        check_name(target, "fallback group")
    async with ctx.store.write() as session:
        groups = await load_groups(session)
        chains = await load_chains(session)
        current = _check_version(chains, group, kind, expected_version)
        findings = check_chain(group, kind, fallbacks, groups, _plain(chains))
        problems = errors(findings)
        if problems:
            raise InvalidInput("; ".join(f.message for f in problems))
        row = await session.scalar(
            select(FallbackChain).where(
                FallbackChain.group_name == group, FallbackChain.kind == kind
            )
        )
        ts = now()
        if row is None:
            row = FallbackChain(group_name=group, kind=kind, created_at=ts, updated_at=ts)
            session.add(row)
        else:
            row.updated_at = ts  # bumps the version even when only the order changed
            await session.execute(delete(FallbackEntry).where(FallbackEntry.chain_id == row.id))
        await session.flush()
        session.add_all(
            FallbackEntry(chain_id=row.id, position=position, fallback_group=target)
            for position, target in enumerate(fallbacks)
        )
        await session.flush()
        if current != fallbacks:
            audit.record(
                session,
                "fallback.set",
                "fallback_chain",
                f"{group} ({kind})",
                {"fallbacks": current},
                {"fallbacks": fallbacks},
            )
        return ChainView(group, kind, list(fallbacks), row.version, findings)


async def clear_chain(
    ctx: AppContext, group: str, kind: str | None = None, expected_version: int | None = None
) -> int:
    """Remove the group's chain of one kind (or all kinds); returns how many were removed.

    `expected_version` (one kind only) refuses to clear a chain changed since it was read.
    """
    kinds = [check_kind(kind)] if kind else list(KINDS)
    async with ctx.store.write() as session:
        chains = await load_chains(session)
        if kind:
            _check_version(chains, group, kind, expected_version)
        rows = (
            await session.scalars(
                select(FallbackChain).where(
                    FallbackChain.group_name == group, FallbackChain.kind.in_(kinds)
                )
            )
        ).all()
        for row in rows:
            before = chains.get((group, row.kind), ([], 0))[0]
            await session.delete(row)  # through the ORM: its version is remembered
            audit.record(
                session,
                "fallback.clear",
                "fallback_chain",
                f"{group} ({row.kind})",
                {"fallbacks": before},
                None,
            )
        return len(rows)
