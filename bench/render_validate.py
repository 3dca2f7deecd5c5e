"""Render and validate a config of 10,000 deployments and 1,000 fallback chains.

The real `render` (snapshot -> dict), `dump_yaml` and `validate_text` (YAML with
positions, every check, LiteLLM's accepted keys) against `yaml.dump` of the same dict
with the C dumper: the least any tool must spend to write that file. LiteLLM's accepted
keys are loaded once before timing (cached on disk in real use).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import yaml

from bench import Result

PROVIDERS = 50
DEPLOYMENTS = 10_000
GROUPS = 2_500
CHAINS = 1_000
RUNS = 3
TYPES = ("openai", "groq", "mistral", "openrouter", "anthropic")


def snapshot() -> Any:
    from llmtui.litellm.snapshot import DeploymentSnap, PolicySnap, ProviderSnap, Snapshot

    providers = {
        f"p{i:02d}": ProviderSnap(
            f"p{i:02d}",
            TYPES[i % len(TYPES)],
            None,
            secrets={"api_key": f"sk-bench-{i:02d}-0123456789abcdef"},
        )
        for i in range(PROVIDERS)
    }
    names = sorted(providers)
    deployments = [
        DeploymentSnap(
            stable_id=f"{n:032x}",
            provider=names[n % PROVIDERS],
            upstream_model=f"model-{n:05d}",
            group=f"group-{n % GROUPS:04d}",
            input_cost_per_1m=0.1 + (n % 40) * 0.25,
            output_cost_per_1m=0.4 + (n % 40) * 0.75,
            context_window=(8192, 32768, 128000)[n % 3],
            capabilities=("streaming",) if n % 2 else (),
        )
        for n in range(DEPLOYMENTS)
    ]
    chains = {
        (f"group-{g:04d}", "general"): [f"group-{(g + k) % GROUPS:04d}" for k in (1, 2, 3)]
        for g in range(CHAINS)
    }
    policies = [PolicySnap("rate_limit", 3, 5, True), PolicySnap("timeout", 1, 2, True)]
    return Snapshot(
        providers=providers,
        deployments=deployments,
        chains=chains,
        policies=policies,
        router_settings={"num_retries": 2, "timeout": 30},
    )


def _median(fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run() -> list[Result]:
    from llmtui.litellm.render import dump_yaml, render
    from llmtui.litellm.validate import validate_text

    snap = snapshot()
    data = render(snap).data
    text = dump_yaml(data)
    validate_text("model_list: []\n")  # load LiteLLM's accepted keys outside the timing
    report = validate_text(text)
    errors = [i for i in report.issues if i.level == "error"]
    if errors:
        raise RuntimeError(f"the benchmark config does not validate: {errors[0].message}")

    def c_dump() -> str:
        return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, width=4096)

    baseline = _median(c_dump)
    rendered = _median(lambda: dump_yaml(render(snap).data))
    validated = _median(lambda: validate_text(text))
    both = _median(lambda: validate_text(dump_yaml(render(snap).data)))
    size = f"{len(text.encode()) / 1e6:.1f} MB of YAML"
    base = "yaml.dump, C dumper, same dict"
    return [
        Result("render 10k deployments + 1k chains", rendered, base, baseline, size),
        Result("validate that config (text, positions)", validated, base, baseline),
        Result("render + validate", both, base, baseline),
    ]
