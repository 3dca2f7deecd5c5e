"""A store of realistic size for the TUI benchmarks: 50 providers, 10,000 models.

Providers go through the service (keys encrypted as in real use); models are bulk
inserted, since adding 10,000 one transaction at a time would measure the seeding.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

PROVIDER_TYPES = ("openai", "groq", "mistral", "openrouter", "ollama")
KEYS = {
    "openai": "sk-bench0000000000000000000000",
    "groq": "gsk_bench000000000000000",
    "mistral": "benchbenchbenchbenchbench0",
    "openrouter": "sk-or-bench0000000000000",
}
CAPABILITIES = (["streaming"], ["streaming", "function_calling"], ["vision"], [])


def master_key() -> str:
    """A fixed key so the benchmark's child processes can open the same store."""
    return "YmVuY2gtYmVuY2gtYmVuY2gtYmVuY2gtYmVuY2gtMDA="


def seed(home: Path, providers: int = 50, models: int = 10_000) -> Path:
    os.environ["LLMTUI_MASTER_KEY"] = master_key()
    asyncio.run(_seed(home, providers, models))
    return home


async def _seed(home: Path, providers: int, models: int) -> None:
    from sqlalchemy import insert

    from llmtui.services.context import AppContext, now
    from llmtui.services.providers import ProviderFields, add_provider, list_providers
    from llmtui.store.schema import Deployment

    ctx = AppContext.open(home)
    try:
        for i in range(providers):
            ptype = PROVIDER_TYPES[i % len(PROVIDER_TYPES)]
            fields = ProviderFields(type=ptype)
            if ptype in KEYS:
                fields.secrets = {"api_key": KEYS[ptype] + f"{i:02d}"}
            await add_provider(ctx, f"{ptype}-{i:02d}", fields)
        ids = [p.id for p in await list_providers(ctx)]
        ts = now()
        rows = [
            {
                "provider_id": ids[n % len(ids)],
                "upstream_model": f"model-{n:05d}-{('gpt', 'llama', 'mixtral', 'qwen')[n % 4]}",
                "group_name": f"group-{n % 2500:04d}",
                "enabled": n % 7 == 0,
                "input_cost_per_1m": round(0.1 + (n % 40) * 0.25, 2),
                "output_cost_per_1m": round(0.4 + (n % 40) * 0.75, 2),
                "context_window": (8192, 32768, 128000, 200000)[n % 4],
                "capabilities": CAPABILITIES[n % len(CAPABILITIES)],
                "extra_params": {},
                "extra_model_info": {},
                "stable_id": uuid.UUID(int=n).hex,
                "source": "sync",
                "created_at": ts,
                "updated_at": ts,
            }
            for n in range(models)
        ]
        async with ctx.store.write() as session:
            await session.execute(insert(Deployment), rows)
    finally:
        await ctx.close()
