"""`llmtui doctor`: what this installation is using, and what needs attention."""

from __future__ import annotations

import asyncio
import shlex
import shutil
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from llmtui import __version__
from llmtui.errors import LlmtuiError
from llmtui.secrets.keysource import KeySource, keyring_backend_name, keyring_problem
from llmtui.services import settings as settings_service
from llmtui.services.context import AppContext


@dataclass
class DoctorReport:
    version: str
    home: str
    db_path: str
    schema_revision: str
    keyring_backend: str
    keyring_problem: str | None
    key_source: str
    key_status: str
    config_path: str
    restart_cmd: str
    docker_on_path: str | None
    proxy_url: str
    proxy_status: str
    interrupted_applies: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


async def _proxy_status(url: str) -> str:
    try:
        async with httpx.AsyncClient(timeout=httpx.Timeout(3.0, connect=2.0)) as client:
            response = await client.get(url.rstrip("/") + "/health/liveliness")
        return "alive" if response.status_code == 200 else f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        return f"unreachable ({type(exc).__name__})"


async def run(ctx: AppContext) -> DoctorReport:
    values = await settings_service.get_all(ctx)
    warnings: list[str] = []
    backend = await asyncio.to_thread(keyring_backend_name)
    problem = await asyncio.to_thread(keyring_problem)
    source = ctx.keystore.source()
    try:
        await ctx.box()
        key_status = "ok"
    except LlmtuiError as exc:
        key_status = f"error: {exc}"
        warnings.append(f"master key: {exc}")
    if source is KeySource.PLAINTEXT_FILE:
        warnings.append(
            f"the master key is in a PLAINTEXT file ({ctx.keystore.plaintext_path}); "
            "anyone who can read it can decrypt every stored key"
        )
    elif source is KeySource.PASSPHRASE_FILE:
        warnings.append("the master key is in a passphrase file, not the OS keyring")
    elif source is KeySource.ENV:
        warnings.append("the master key comes from LLMTUI_MASTER_KEY, not the OS keyring")
    restart = values["restart_cmd"].value
    argv0 = shlex.split(restart)[0]
    found = shutil.which(argv0)
    if found is None:
        warnings.append(f"{argv0!r} (the restart command) is not on PATH; apply will not restart")
    from llmtui.services.recovery import find_interrupted

    interrupted = [i.description for i in await find_interrupted(ctx)]
    warnings += [f"{d}: run `llmtui recover`" for d in interrupted]
    proxy_url = values["proxy_url"].value
    proxy_status = await _proxy_status(proxy_url)
    if proxy_status != "alive":
        warnings.append(f"the proxy at {proxy_url} is {proxy_status}")
    return DoctorReport(
        version=__version__,
        home=str(ctx.home),
        db_path=str(ctx.store.db_path),
        schema_revision=ctx.schema_revision,
        keyring_backend=backend,
        keyring_problem=problem,
        key_source=source.value,
        key_status=key_status,
        config_path=values["config_path"].value,
        restart_cmd=restart,
        docker_on_path=found,
        proxy_url=proxy_url,
        proxy_status=proxy_status,
        interrupted_applies=interrupted,
        warnings=warnings,
    )
