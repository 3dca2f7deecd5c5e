"""Two llmtui instances on one store: no lost update, and readers never see a half-done write.

The instances are real OS processes (tests/support/edit_worker.py) or separate
AppContexts (separate engines and connections) on the same SQLite file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import func, insert, select

from llmtui.errors import ConflictError, StoreError
from llmtui.services import fallbacks, models, policies, providers, settings
from llmtui.services.context import AppContext, now
from llmtui.store.schema import Deployment

ROOT = Path(__file__).resolve().parent.parent
ENTITIES = ["provider", "model", "chain", "policy", "router", "setting"]


@pytest.fixture
def seeded(run_cli, home: Path) -> Path:
    run_cli.ok("provider", "add", "up", "--type", "ollama", "--api-base", "http://127.0.0.1:9/v1")
    for model, group in (("gpt-4o", "chat"), ("m1", "fb1"), ("m2", "fb2")):
        run_cli.ok("model", "add", "up", model, "--group", group)
    run_cli.ok("fallback", "set", "chat", "fb1")
    run_cli.ok("trigger", "set", "rate_limit", "--retries", "4")
    return home


class Worker:
    """One edit_worker process; lines are read with a deadline so a hang fails the test."""

    def __init__(self, home: Path, tag: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.edit_worker", str(home), str(tag)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_child_env(),
        )

    def line(self, timeout: float = 60.0) -> str:
        out: IO[str] = self.proc.stdout  # type: ignore[assignment]
        deadline = time.monotonic() + timeout
        os.set_blocking(out.fileno(), True)
        import select as sel

        while time.monotonic() < deadline:
            ready, _, _ = sel.select([out], [], [], 0.2)
            if ready:
                text = out.readline()
                if not text:
                    raise AssertionError(f"worker exited: {self.proc.stderr.read()}")  # type: ignore[union-attr]
                return text.strip()
        raise AssertionError("worker did not answer in time")

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def results(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        while (line := self.line()) != "DONE":
            entry = json.loads(line)
            found[entry["entity"]] = entry
        return found

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    return env


@pytest.mark.slow
def test_two_processes_second_save_is_refused_and_nothing_is_lost(seeded: Path, run_cli) -> None:
    first, second = Worker(seeded, 1), Worker(seeded, 2)
    try:
        read_1 = json.loads(first.line().removeprefix("READY "))
        read_2 = json.loads(second.line().removeprefix("READY "))
        assert read_1 == read_2  # both read the same versions
        first.send("go")
        won = first.results()
        second.send("go")
        lost = second.results()
    finally:
        first.close()
        second.close()
    assert set(won) == set(lost) == set(ENTITIES)
    assert all(r["ok"] for r in won.values()), won
    for entity, result in lost.items():
        assert not result["ok"] and result["type"] == "ConflictError", (entity, result)
        assert "changed elsewhere" in result["error"] and "reload" in result["error"]
    # The first instance's edits are all there, the second's none.
    (provider,) = json.loads(run_cli.ok("provider", "list", "--json").output)
    assert provider["api_base"] == "http://127.0.0.1:9001/v1"
    rows = json.loads(run_cli.ok("model", "list", "--json").output)
    assert next(m for m in rows if m["upstream_model"] == "gpt-4o")["display_name"] == "edited by 1"
    (chat,) = json.loads(run_cli.ok("fallback", "show", "chat", "--json").output)
    assert chat["chains"]["general"]["fallbacks"] == ["fb1", "fb2"]
    triggers = json.loads(run_cli.ok("trigger", "list", "--json").output)
    assert next(t for t in triggers if t["error_type"] == "rate_limit")["retries"] == 1
    rendered = run_cli.ok("config", "render").output
    assert "num_retries: 6" in rendered
    values = json.loads(run_cli.ok("settings", "list", "--json").output)
    assert values["health_timeout"]["value"] == 31
    audit = json.loads(run_cli.ok("audit", "--json", "--limit", "100").output)
    assert "edited by 2" not in json.dumps(audit)


async def _two(home: Path) -> tuple[AppContext, AppContext]:
    return AppContext.open(home), AppContext.open(home)


async def test_a_version_is_never_reused_after_reset_or_clear(seeded: Path) -> None:
    """Read, another instance resets then re-customises: the old version must not match."""
    a, b = await _two(seeded)
    try:
        policy = next(p for p in await policies.list_policies(a) if p.error_type == "rate_limit")
        chain = next(g for g in await fallbacks.overview(a) if g.name == "chat")
        chain_version = chain.chains["general"].version
        router = await policies.router_settings_state(a)
        await policies.set_router_settings(b, {"num_retries": 7})
        router = await policies.router_settings_state(a)
        await settings.set_value(b, "backup_keep", 5)
        setting = (await settings.get_all(a))["backup_keep"]

        await policies.reset_policies(b)
        await policies.set_policy(b, "rate_limit", retries=2)
        await fallbacks.clear_chain(b, "chat")
        await fallbacks.set_chain(b, "chat", ["fb2"])
        await policies.set_router_settings(b, {"num_retries": None})
        await policies.set_router_settings(b, {"num_retries": 8})
        await settings.unset(b, "backup_keep")
        await settings.set_value(b, "backup_keep", 6)

        with pytest.raises(ConflictError, match="changed elsewhere"):
            await policies.set_policy(a, "rate_limit", retries=9, expected_version=policy.version)
        with pytest.raises(ConflictError, match="changed elsewhere"):
            await fallbacks.set_chain(a, "chat", ["fb1"], expected_version=chain_version)
        with pytest.raises(ConflictError, match="changed elsewhere"):
            await policies.set_router_settings(
                a, {"num_retries": 9}, expected_versions=router.versions
            )
        with pytest.raises(ConflictError, match="changed elsewhere"):
            await settings.set_value(a, "backup_keep", 9, expected_version=setting.version)
        assert (await policies.get_router_settings(a))["num_retries"] == 8
        assert (await settings.get_all(a))["backup_keep"].value == 6
        assert next(g for g in await fallbacks.overview(a) if g.name == "chat").chains[
            "general"
        ].fallbacks == ["fb2"]
    finally:
        await a.close()
        await b.close()


async def test_clear_and_reset_check_the_version_they_were_shown(seeded: Path) -> None:
    a, b = await _two(seeded)
    try:
        chain = next(g for g in await fallbacks.overview(a) if g.name == "chat")
        shown = {p.error_type: p.version for p in await policies.list_policies(a)}
        await fallbacks.set_chain(b, "chat", ["fb2", "fb1"])
        await policies.set_policy(b, "timeout", retries=1)
        with pytest.raises(ConflictError):
            await fallbacks.clear_chain(
                a, "chat", "general", expected_version=chain.chains["general"].version
            )
        with pytest.raises(ConflictError):
            await policies.reset_policies(a, expected_versions=shown)
        assert len([p for p in await policies.list_policies(a) if p.customised]) == 2
    finally:
        await a.close()
        await b.close()


async def _bulk_models(ctx: AppContext, n: int) -> None:
    provider = await providers.get_provider(ctx, "up")
    ts = now()
    rows = [
        {
            "provider_id": provider.id,
            "upstream_model": f"bulk-{i:05d}",
            "group_name": f"bulk-{i % 50}",
            "enabled": False,
            "capabilities": [],
            "extra_params": {},
            "extra_model_info": {},
            "stable_id": f"bulk{i:028d}",
            "source": "sync",
            "created_at": ts,
            "updated_at": ts,
        }
        for i in range(n)
    ]
    async with ctx.store.write() as session:
        await session.execute(insert(Deployment), rows)


async def _held(ctx: AppContext) -> tuple[int, int]:
    async with ctx.store.read() as session:
        held = await session.scalar(select(func.count()).where(Deployment.display_name == "held"))
        total = await session.scalar(select(func.count()).select_from(Deployment))
    return int(held or 0), int(total or 0)


@pytest.mark.slow
async def test_a_long_write_in_another_process_never_shows_half_done(seeded: Path) -> None:
    reader = AppContext.open(seeded, busy_timeout=0.3)
    try:
        await _bulk_models(reader, 4000)  # enough changed pages to spill into the WAL
        writer = Worker(seeded, 3)
        try:
            writer.line()  # READY
            writer.send("hold 60")
            assert writer.line() == "HOLDING"
            # Every read sees the old state, whole.
            assert await _held(reader) == (0, 4003)
            listing = await models.list_models(reader)
            assert len(listing) == 4003 and {m.display_name for m in listing} == {None}
            # A write from here waits, then fails clearly; nothing of it is kept.
            with pytest.raises(StoreError, match="locked by another llmtui"):
                await settings.set_value(reader, "backup_keep", 3)
            # A read transaction that spans the other's commit keeps its snapshot.
            async with reader.store.read() as session:
                before = await session.scalar(
                    select(func.count()).where(Deployment.display_name == "held")
                )
                writer.send("commit")
                assert writer.line() == "COMMITTED"
                during = await session.scalar(
                    select(func.count()).where(Deployment.display_name == "held")
                )
            assert before == during == 0
            assert writer.line() == "DONE"
        finally:
            writer.close()
        assert await _held(reader) == (4003, 4003)
        assert (await settings.get_all(reader))["backup_keep"].origin == "default"
    finally:
        await reader.close()
