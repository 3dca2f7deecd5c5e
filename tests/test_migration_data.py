"""Migrations keep data: every earlier revision with a realistic store upgrades to head
with every row intact, and downgrade → upgrade is lossless where the migration allows.

Where it does not: downgrading 0002 drops the rollup tables, which are derived data (the
upgrade counts them again from fallback_events, to the same rows); downgrading 0001 drops
every table, so `base` keeps nothing.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from llmtui.secrets.cipher import SecretBox, fingerprint, generate_key
from llmtui.services import metrics
from llmtui.services.context import FINGERPRINT_KEY, AppContext
from llmtui.services.providers import get_provider
from llmtui.store import migrate

NOW = 1_795_000_000.0  # fixed "now" for the metrics windows
KEY = "sk-MIGRATION-0123456789abcdefXYZ"
DERIVED = {"fallback_rollup_outcome", "fallback_rollup_trigger"}


def revisions() -> list[str]:
    """Every revision, oldest first."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrate.migrations_dir()))
    script = ScriptDirectory.from_config(cfg)
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in a stable order (the alembic_version row aside)."""
    db = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' "
                "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
            )
        ]
        return {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        db.close()


def seed_0001(path: Path, master_key: str, events: int = 3000) -> None:
    """A store as llmtui at revision 0001 would have left it (raw SQL, that schema)."""
    box = SecretBox(master_key)
    rng = random.Random(7)
    db = sqlite3.connect(path)
    with db:
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            (FINGERPRINT_KEY, fingerprint(master_key)),
        )
        db.execute("INSERT INTO meta (key, value) VALUES ('ingest_position', '{\"offset\": 12}')")
        db.executemany(
            "INSERT INTO providers (id, name, type, api_base, options, secret_token, key_mask, "
            "enabled, deleted_at, last_test_at, last_test_ok, last_test_latency_ms, created_at, "
            "updated_at, version) VALUES (?, ?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (1, "openai-main", "openai", None, box.encrypt({"api_key": KEY}), "sk-…XYZ",
                 1, None, NOW - 300, 1, 312.5, NOW - 9e5, NOW - 300, 4),
                (2, "lab", "ollama", "http://10.0.0.2:11434", None, None,
                 1, None, None, None, None, NOW - 8e5, NOW - 8e5, 1),
                (3, "gone", "groq", None, box.encrypt({"api_key": "gsk_gone0123456789"}),
                 "gsk…789", 0, NOW - 1e5, None, None, None, NOW - 7e5, NOW - 1e5, 2),
            ],
        )  # fmt: skip
        models = [
            (1, 1, "gpt-4o", "gpt-4o", 1, 2.5, 10.0, 128000, '["streaming", "vision"]'),
            (2, 1, "gpt-4o-mini", "mini", 1, 0.15, 0.6, 128000, '["streaming"]'),
            (3, 2, "llama3.1:8b", "local", 1, None, None, 8192, "[]"),
            (4, 3, "llama-3.1-70b", "fast", 0, 0.59, 0.79, 131072, "[]"),
        ]
        db.executemany(
            "INSERT INTO models (id, provider_id, upstream_model, group_name, enabled, "
            "input_cost_per_1m, output_cost_per_1m, context_window, capabilities, extra_params, "
            "extra_model_info, stable_id, source, created_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '{\"timeout\": 30}', '{}', ?, 'manual', ?, ?, 2)",
            [(*m, f"{m[0]:032x}", NOW - 5e5, NOW - 4e5) for m in models],
        )
        db.execute(
            "INSERT INTO fallback_chains (id, group_name, kind, created_at, updated_at, version) "
            "VALUES (1, 'gpt-4o', 'general', ?, ?, 3), (2, 'gpt-4o', 'context_window', ?, ?, 1)",
            (NOW - 4e5, NOW - 3e5, NOW - 4e5, NOW - 4e5),
        )
        db.executemany(
            "INSERT INTO fallback_entries (chain_id, position, fallback_group) VALUES (?, ?, ?)",
            [(1, 0, "mini"), (1, 1, "local"), (2, 0, "local")],
        )
        db.execute(
            "INSERT INTO retry_policies VALUES ('rate_limit', 5, 100, 1, ?, 2), "
            "('timeout', 0, NULL, 0, ?, 1)",
            (NOW - 2e5, NOW - 2e5),
        )
        db.execute(
            "INSERT INTO proxy_settings VALUES ('router_settings', 'num_retries', '4', ?, 1), "
            "('litellm_settings', 'drop_params', 'true', ?, 1)",
            (NOW - 2e5, NOW - 2e5),
        )
        db.execute(
            "INSERT INTO settings VALUES ('backup_keep', '7', ?, 1), ('proxy_key', ?, ?, 1)",
            (NOW - 2e5, json.dumps({"token": box.encrypt({"value": "sk-proxy-master-0123"})}),
             NOW - 2e5),
        )  # fmt: skip
        db.executemany(
            "INSERT INTO audit_log (at, os_user, action, entity_type, entity_name, before, "
            "after, affects_config) VALUES (?, 'ops', ?, 'provider', ?, NULL, ?, 1)",
            [(NOW - 9e5 + i, "provider.add", f"p{i}", json.dumps({"n": i})) for i in range(50)],
        )
        db.execute(
            "INSERT INTO applies (id, started_at, finished_at, config_path, new_sha256, "
            "outcome, step, restart_argv, message, audit_high_water, pid) VALUES "
            "(1, ?, ?, '/etc/litellm/litellm-config.yaml', ?, 'success', 'health', "
            '\'["docker", "restart", "litellm"]\', \'ok\', 50, 4242)',
            (NOW - 1e5, NOW - 1e5 + 9, "ab" * 32),
        )
        db.execute(
            "INSERT INTO backups (created_at, config_path, backup_path, sha256, size, apply_id) "
            "VALUES (?, '/etc/litellm/litellm-config.yaml', "
            "'/etc/litellm/litellm-config.yaml.backup.2026-11-18T01-00-00', ?, 812, 1)",
            (NOW - 1e5, "cd" * 32),
        )
        rows = []
        for i in range(events):
            outcome = "served" if rng.random() < 0.8 else "failed"
            rows.append(
                (
                    NOW - rng.uniform(0, 40 * 86400),  # some fall outside the 30-day window
                    rng.choice(["gpt-4o", "mini", "local"]),
                    rng.choice(["rate_limit", "timeout", "server_error", "connection"]),
                    rng.choice([429, 500, None]),
                    rng.choice(["mini", "local"]) if outcome == "served" else None,
                    1 if outcome == "served" else None,
                    outcome,
                    rng.randint(1, 5),
                    rng.uniform(50, 4000) if outcome == "served" else None,
                    rng.choice(["proxy", "simulated", "live"]),
                    json.dumps({"hops": i % 3}),
                    f"proxy:req-{i}",
                )
            )
        db.executemany(
            "INSERT INTO fallback_events (occurred_at, group_name, trigger, status_code, "
            "served_by, served_position, outcome, attempts, latency_ms, source, detail, "
            "dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    db.close()


def expected_rollups(path: Path) -> tuple[list[tuple], list[tuple]]:
    """The rollup rows 0002 must hold, computed here in Python from the events."""
    db = sqlite3.connect(path)
    events = db.execute(
        "SELECT occurred_at, source, group_name, outcome, served_by, attempts, latency_ms, "
        "trigger FROM fallback_events"
    ).fetchall()
    db.close()
    outcome: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0.0])
    trigger: dict[tuple, list] = defaultdict(lambda: [0, 0.0])
    for at, source, group, result, served_by, attempts, latency, trig in events:
        for grain in (3600, 86400):
            bucket = int(at / grain) * grain
            o = outcome[(grain, bucket, source, group, result, served_by or "")]
            o[0] += 1
            o[1] += attempts
            o[2] += latency is not None
            o[3] = max(o[3], at)
            t = trigger[(grain, bucket, source, group, trig)]
            t[0] += 1
            t[1] = max(t[1], at)
    return (
        sorted(((*k, *v) for k, v in outcome.items()), key=repr),
        sorted(((*k, *v) for k, v in trigger.items()), key=repr),
    )


@pytest.fixture
def master_key(monkeypatch: pytest.MonkeyPatch) -> str:
    key = generate_key()
    monkeypatch.setenv("LLMTUI_MASTER_KEY", key)
    return key


@pytest.mark.parametrize("start", revisions()[:-1])
async def test_upgrade_from_every_earlier_revision_keeps_the_data(
    tmp_path: Path, master_key: str, start: str
) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    path = home / "llmtui.db"
    migrate.ensure_db_file(path)
    migrate.upgrade(path, "0001")
    seed_0001(path, master_key)
    migrate.upgrade(path, start)
    before = dump(path)

    ctx = AppContext.open(home)  # what every start does: upgrade to head
    try:
        assert ctx.schema_revision == migrate.HEAD_REVISION
        after = dump(path)
        for table, rows in before.items():
            assert after[table] == rows, f"{table} changed in the upgrade"
        outcome, trigger = expected_rollups(path)
        assert after["fallback_rollup_outcome"] == outcome
        assert after["fallback_rollup_trigger"] == trigger

        # The upgraded store works: secrets decrypt, metrics agree with the raw events.
        assert (await get_provider(ctx, "openai-main")).key_mask == "sk-…XYZ"
        box = await ctx.box()
        assert box.decrypt(before["providers"][0][7])["api_key"] == KEY
        report = await metrics.compute(ctx, "30d", now=NOW)
        in_window = [
            r for r in before["fallback_events"] if r[1] >= NOW - 30 * 86400 and r[1] <= NOW
        ]
        assert report.triggers == len(in_window)
        assert dict(Counter(r[2] for r in in_window)) == {
            g.group: g.triggers for g in report.groups
        }
        assert report.by_trigger == dict(Counter(r[3] for r in in_window))
    finally:
        await ctx.close()

    # The triggers 0002 installed keep counting new events.
    db = sqlite3.connect(path)
    with db:
        db.execute(
            "INSERT INTO fallback_events (occurred_at, group_name, trigger, outcome, attempts, "
            "source) VALUES (?, 'new-group', 'timeout', 'failed', 2, 'proxy')",
            (NOW,),
        )
    counted = db.execute(
        "SELECT sum(events) FROM fallback_rollup_trigger WHERE group_name = 'new-group'"
    ).fetchone()
    db.close()
    assert counted == (2,)  # hourly and daily


def test_downgrade_then_upgrade_is_lossless(tmp_path: Path, master_key: str) -> None:
    path = tmp_path / "llmtui.db"
    migrate.ensure_db_file(path)
    migrate.upgrade(path, "0001")
    seed_0001(path, master_key)
    migrate.upgrade(path)
    at_head = dump(path)
    for target in reversed(revisions()[:-1]):
        migrate.downgrade(path, target)
        assert migrate.current_revision(path) == target
        down = dump(path)
        # Only derived tables go; every stored row of the others is still there.
        assert set(at_head) - set(down) <= DERIVED
        for table, rows in down.items():
            assert rows == at_head[table], f"{table} changed in the downgrade to {target}"
        migrate.upgrade(path)
        assert dump(path) == at_head, f"downgrade to {target} and back lost something"


def test_downgrade_to_base_keeps_nothing(tmp_path: Path, master_key: str) -> None:
    """Stated, not hidden: below 0001 there is no schema to keep data in."""
    path = tmp_path / "llmtui.db"
    migrate.ensure_db_file(path)
    migrate.upgrade(path, "0001")
    seed_0001(path, master_key, events=10)
    migrate.downgrade(path, "base")
    assert dump(path) == {}


def test_a_store_built_by_the_services_survives_downgrade_and_upgrade(
    run_cli, home: Path, master_key: str
) -> None:
    run_cli.ok("provider", "add", "oa", "--type", "openai", "--key-stdin", input=KEY)
    run_cli.ok("provider", "add", "lab", "--type", "ollama")
    run_cli.ok("model", "add", "oa", "gpt-4o")
    run_cli.ok("model", "add", "lab", "llama3", "--group", "local")
    run_cli.ok("fallback", "set", "gpt-4o", "local")
    run_cli.ok("fallback", "clear", "gpt-4o")  # leaves a remembered chain version in meta
    run_cli.ok("fallback", "set", "gpt-4o", "local")
    run_cli.ok("trigger", "set", "rate_limit", "--retries", "2", "--allowed-fails", "9")
    run_cli.ok("settings", "set", "backup_keep", "4")
    run_cli.ok("settings", "set", "proxy_key", "sk-proxy-MIGRATION-0123456789")
    path = home / "llmtui.db"
    db = sqlite3.connect(path)
    with db:  # events inserted at head go through the rollup triggers
        db.executemany(
            "INSERT INTO fallback_events (occurred_at, group_name, trigger, outcome, attempts, "
            "latency_ms, source, served_by) VALUES (?, 'gpt-4o', ?, ?, 2, ?, 'proxy', ?)",
            [
                (NOW - i * 977.0, ("timeout", "rate_limit")[i % 2],
                 ("served", "failed")[i % 3 == 0], None if i % 3 == 0 else 100.0 + i,
                 None if i % 3 == 0 else "local")
                for i in range(500)
            ],
        )  # fmt: skip
        db.execute("DELETE FROM fallback_events WHERE id % 7 = 0")  # the delete trigger too
    db.close()
    at_head = dump(path)
    migrate.downgrade(path, revisions()[0])
    migrate.upgrade(path)
    assert dump(path) == at_head
    config = run_cli.ok("config", "render").output
    assert "model_name: gpt-4o" in config and "allowed_fails" in config.lower()
