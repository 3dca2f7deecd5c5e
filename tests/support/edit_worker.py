"""A second llmtui instance in its own OS process, for the concurrent-edit tests.

`python -m tests.support.edit_worker HOME TAG` opens the store, reads the version of the
provider `up`, the model `up/gpt-4o`, the general chain of `chat`, the rate_limit policy,
the router setting num_retries and the setting health_timeout, prints `READY`, waits for
`go` on stdin, then saves each one against the version it read (values derived from TAG)
and prints one JSON line per save: {"entity", "ok", "error", "type"}.

Commands `hold SECONDS` (instead of `go`) run a long write transaction instead: it
changes every model's display name in one transaction, prints `HOLDING` and commits
after SECONDS (or when stdin says `commit`).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from llmtui.errors import LlmtuiError
from llmtui.services import fallbacks, models, policies, providers, settings
from llmtui.services.context import AppContext


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def _read_versions(ctx: AppContext) -> dict[str, Any]:
    provider = await providers.get_provider(ctx, "up")
    model = next(m for m in await models.list_models(ctx) if m.upstream_model == "gpt-4o")
    chain = next(g for g in await fallbacks.overview(ctx) if g.name == "chat")
    policy = next(p for p in await policies.list_policies(ctx) if p.error_type == "rate_limit")
    router = await policies.router_settings_state(ctx)
    setting = (await settings.get_all(ctx))["health_timeout"]
    return {
        "provider": provider.version,
        "model": (model.id, model.version),
        "chain": chain.chains["general"].version,
        "policy": policy.version,
        "router": router.versions["num_retries"],
        "setting": setting.version,
    }


def _saves(ctx: AppContext, read: dict[str, Any], tag: int) -> list[tuple[str, Callable]]:
    model_id, model_version = read["model"]
    return [
        (
            "provider",
            lambda: providers.edit_provider(
                ctx,
                "up",
                providers.ProviderFields(api_base=f"http://127.0.0.1:{9000 + tag}/v1"),
                expected_version=read["provider"],
            ),
        ),
        (
            "model",
            lambda: models.edit_model(
                ctx,
                model_id,
                models.ModelFields(display_name=f"edited by {tag}"),
                expected_version=model_version,
            ),
        ),
        (
            "chain",
            lambda: fallbacks.set_chain(
                ctx,
                "chat",
                ["fb1", "fb2"] if tag == 1 else ["fb2", "fb1"],
                expected_version=read["chain"],
            ),
        ),
        (
            "policy",
            lambda: policies.set_policy(
                ctx, "rate_limit", retries=tag, expected_version=read["policy"]
            ),
        ),
        (
            "router",
            lambda: policies.set_router_settings(
                ctx, {"num_retries": 5 + tag}, expected_versions={"num_retries": read["router"]}
            ),
        ),
        (
            "setting",
            lambda: settings.set_value(
                ctx, "health_timeout", 30 + tag, expected_version=read["setting"]
            ),
        ),
    ]


async def _save_all(ctx: AppContext, tag: int, read: dict[str, Any]) -> None:
    for entity, save in _saves(ctx, read, tag):
        call: Callable[[], Awaitable[Any]] = save
        try:
            await call()
        except LlmtuiError as exc:
            _say(
                json.dumps(
                    {"entity": entity, "ok": False, "error": str(exc), "type": type(exc).__name__}
                )
            )
        else:
            _say(json.dumps({"entity": entity, "ok": True}))


async def _hold(ctx: AppContext, seconds: float) -> None:
    from sqlalchemy import select

    from llmtui.store.schema import Deployment

    async with ctx.store.write() as session:
        for d in (await session.scalars(select(Deployment))).all():
            d.display_name = "held"
        await session.flush()
        _say("HOLDING")
        line = await asyncio.wait_for(asyncio.to_thread(sys.stdin.readline), seconds)
        if line.strip() != "commit":
            raise SystemExit(3)
    _say("COMMITTED")


async def main(home: str, tag: int) -> None:
    ctx = AppContext.open(home)
    try:
        read = await _read_versions(ctx)
        _say("READY " + json.dumps(read))
        command = (await asyncio.to_thread(sys.stdin.readline)).split()
        if command[:1] == ["go"]:
            await _save_all(ctx, tag, read)
        elif command[:1] == ["hold"]:
            await _hold(ctx, float(command[1]))
        _say("DONE")
    finally:
        await ctx.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
