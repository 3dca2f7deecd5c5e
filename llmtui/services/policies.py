"""Per-error retry / allowed-fails policies and the router settings they sit beside.

LiteLLM's retry_policy and allowed_fails_policy are keyed by exception class; llmtui
names them by the error a user sees. A disabled trigger is written as 0 retries
(LiteLLM cannot skip fallbacks per error, but it can skip the retries).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from llmtui.errors import ConflictError, InvalidInput
from llmtui.litellm.error_types import ERROR_TYPES, ErrorType
from llmtui.services import audit
from llmtui.services.context import AppContext, now
from llmtui.store.schema import ProxySetting, RetryPolicy

MAX_RETRIES = 10
MAX_ALLOWED_FAILS = 1000


@dataclass(frozen=True)
class RouterSettingDef:
    key: str
    kind: type
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""


ROUTING_STRATEGIES = (
    "simple-shuffle",
    "least-busy",
    "usage-based-routing",
    "latency-based-routing",
    "cost-based-routing",
    "usage-based-routing-v2",
)

ROUTER_SETTINGS: dict[str, RouterSettingDef] = {
    d.key: d
    for d in (
        RouterSettingDef(
            "routing_strategy",
            str,
            "simple-shuffle",
            choices=ROUTING_STRATEGIES,
            help="how a deployment of a group is picked",
        ),
        RouterSettingDef(
            "num_retries",
            int,
            3,
            0,
            MAX_RETRIES,
            help="retries for errors with no policy of their own",
        ),
        RouterSettingDef("timeout", float, None, 0.1, 3600, help="seconds before a call times out"),
        RouterSettingDef(
            "cooldown_time", float, None, 0, 86400, help="seconds a failing deployment is benched"
        ),
        RouterSettingDef(
            "allowed_fails",
            int,
            None,
            0,
            MAX_ALLOWED_FAILS,
            help="failures per minute before a deployment cools down",
        ),
        RouterSettingDef(
            "retry_after", float, None, 0, 3600, help="minimum seconds to wait before a retry"
        ),
    )
}


@dataclass(frozen=True)
class PolicyView:
    error_type: str
    label: str
    retries: int | None
    allowed_fails: int | None
    enabled: bool
    customised: bool
    version: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def error_type(name: str) -> ErrorType:
    try:
        return ERROR_TYPES[name]
    except KeyError:
        raise InvalidInput(
            f"unknown error type {name!r}; known: {', '.join(ERROR_TYPES)}"
        ) from None


def _check_count(value: int | None, what: str, maximum: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise InvalidInput(f"{what} must be a whole number from 0 to {maximum} (got {value})")
    return value


def _view(et: ErrorType, row: RetryPolicy | None) -> PolicyView:
    if row is None:
        return PolicyView(et.id, et.label, et.default_retries, None, True, False, 0)
    return PolicyView(
        et.id, et.label, row.retries, row.allowed_fails, row.enabled, True, row.version
    )


async def list_policies(ctx: AppContext) -> list[PolicyView]:
    async with ctx.store.read() as session:
        rows = {r.error_type: r for r in (await session.scalars(select(RetryPolicy))).all()}
    return [_view(et, rows.get(et.id)) for et in ERROR_TYPES.values()]


UNCHANGED: Any = object()


async def set_policy(
    ctx: AppContext,
    name: str,
    retries: int | None = UNCHANGED,
    allowed_fails: int | None = UNCHANGED,
    enabled: bool = UNCHANGED,
    expected_version: int | None = None,
) -> PolicyView:
    et = error_type(name)
    if retries is not UNCHANGED:
        _check_count(retries, "retries", MAX_RETRIES)
    if allowed_fails is not UNCHANGED:
        if et.allowed_fails_field is None and allowed_fails is not None:
            raise InvalidInput("LiteLLM has no allowed-fails setting for 'default'")
        _check_count(allowed_fails, "allowed fails", MAX_ALLOWED_FAILS)
    async with ctx.store.write() as session:
        row = await session.get(RetryPolicy, et.id)
        before = _view(et, row)
        if expected_version is not None and before.version != expected_version:
            raise ConflictError(
                f"the {et.id} policy was changed elsewhere since you opened it; reload"
            )
        if row is None:
            row = RetryPolicy(
                error_type=et.id,
                retries=et.default_retries,
                allowed_fails=None,
                enabled=True,
                updated_at=now(),
            )
            session.add(row)
        if retries is not UNCHANGED:
            row.retries = retries
        if allowed_fails is not UNCHANGED:
            row.allowed_fails = allowed_fails
        if enabled is not UNCHANGED:
            row.enabled = bool(enabled)
        row.updated_at = now()
        await session.flush()
        after = _view(et, row)
        audit.record(
            session, "trigger.set", "policy", et.id, _policy_audit(before), _policy_audit(after)
        )
    return after


def _policy_audit(view: PolicyView) -> dict[str, Any]:
    return {"retries": view.retries, "allowed_fails": view.allowed_fails, "enabled": view.enabled}


async def reset_policies(ctx: AppContext, expected_versions: dict[str, int] | None = None) -> int:
    """Back to defaults: customised rows are removed (one audit entry each).

    `expected_versions` (error type -> version read, 0 = default) refuses the reset if any
    policy changed since it was shown.
    """
    async with ctx.store.write() as session:
        rows = (await session.scalars(select(RetryPolicy))).all()
        stored = {r.error_type: r.version for r in rows}
        for name, expected in (expected_versions or {}).items():
            if stored.get(name, 0) != expected:
                raise ConflictError(
                    f"the {name} policy was changed elsewhere since you opened it; reload"
                )
        for row in rows:
            before = _policy_audit(_view(ERROR_TYPES[row.error_type], row))
            await session.delete(row)
            default = _policy_audit(_view(ERROR_TYPES[row.error_type], None))
            audit.record(session, "trigger.reset", "policy", row.error_type, before, default)
        return len(rows)


# -- router settings ---------------------------------------------------------


def router_setting(key: str) -> RouterSettingDef:
    try:
        return ROUTER_SETTINGS[key]
    except KeyError:
        raise InvalidInput(
            f"unknown router setting {key!r}; known: {', '.join(ROUTER_SETTINGS)}"
        ) from None


def convert_router_value(key: str, raw: Any) -> Any:
    definition = router_setting(key)
    if raw is None:
        return None
    if definition.choices:
        if raw not in definition.choices:
            raise InvalidInput(f"{key} must be one of {', '.join(definition.choices)}")
        return raw
    try:
        value = definition.kind(raw)
    except (TypeError, ValueError):
        raise InvalidInput(f"{key} must be a number (got {raw!r})") from None
    if definition.kind is int and isinstance(raw, float) and raw != int(raw):
        raise InvalidInput(f"{key} must be a whole number (got {raw})")
    if definition.minimum is not None and value < definition.minimum:
        raise InvalidInput(f"{key} must be at least {definition.minimum:g} (got {value})")
    if definition.maximum is not None and value > definition.maximum:
        raise InvalidInput(f"{key} must be at most {definition.maximum:g} (got {value})")
    return value


@dataclass(frozen=True)
class RouterSettingsState:
    """Effective values and the version each was read at (0 = at its default, no row)."""

    values: dict[str, Any]
    versions: dict[str, int]


async def router_settings_state(ctx: AppContext) -> RouterSettingsState:
    async with ctx.store.read() as session:
        rows = (
            await session.scalars(
                select(ProxySetting).where(ProxySetting.section == "router_settings")
            )
        ).all()
    stored = {r.key: r for r in rows}
    return RouterSettingsState(
        values={
            k: stored[k].value if k in stored else d.default for k, d in ROUTER_SETTINGS.items()
        },
        versions={k: stored[k].version if k in stored else 0 for k in ROUTER_SETTINGS},
    )


async def get_router_settings(ctx: AppContext) -> dict[str, Any]:
    """Effective values of the settings llmtui manages (stored or default)."""
    return (await router_settings_state(ctx)).values


async def set_router_settings(
    ctx: AppContext, values: dict[str, Any], expected_versions: dict[str, int] | None = None
) -> dict[str, Any]:
    """Set several router settings at once; None restores the default.

    `expected_versions` (from router_settings_state) refuses the whole save when any of
    those settings changed since they were read, so another instance's edit is not lost.
    """
    converted = {k: convert_router_value(k, v) for k, v in values.items()}
    async with ctx.store.write() as session:
        for key, expected in (expected_versions or {}).items():
            router_setting(key)
            row = await session.get(ProxySetting, ("router_settings", key))
            if (row.version if row is not None else 0) != expected:
                raise ConflictError(
                    f"the router setting {key} was changed elsewhere since you opened it; reload"
                )
        for key, value in converted.items():
            row = await session.get(ProxySetting, ("router_settings", key))
            before = row.value if row is not None else ROUTER_SETTINGS[key].default
            if value is None or value == ROUTER_SETTINGS[key].default:
                if row is not None:
                    await session.delete(row)
            elif row is None:
                session.add(
                    ProxySetting(section="router_settings", key=key, value=value, updated_at=now())
                )
            else:
                row.value = value
                row.updated_at = now()
            after = ROUTER_SETTINGS[key].default if value is None else value
            if before != after:
                audit.record(session, "router.set", "router_setting", key, before, after)
    return await get_router_settings(ctx)
