"""A stored key never appears in plaintext: not in the DB, its WAL, the audit or any listing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.support.fake_upstream import FakeUpstream

KEY = "sk-LEAKCHECK-9f8e7d6c5b4a3928171615"
ROTATED = "sk-LEAKCHECK-ROTATED-0a1b2c3d4e5f6071"


def test_key_is_in_no_file_and_no_output(run_cli, home: Path, upstream: FakeUpstream) -> None:
    upstream.expected_key = KEY
    run_cli.ok("provider", "list")
    # Hold a reader open so SQLite keeps its WAL file for us to search.
    holder = sqlite3.connect(home / "llmtui.db")
    outputs: list[str] = []
    try:
        holder.execute("SELECT count(*) FROM sqlite_master").fetchone()
        base = f"{upstream.url}/v1"
        steps = [
            (["provider", "add", "oa", "--type", "openai", "--api-base", base, "--key-stdin"], KEY),
            (["provider", "list"], None),
            (["provider", "list", "--json"], None),
            (["provider", "test", "oa"], None),
            (["provider", "test", "oa", "--json"], None),
            (["model", "sync", "oa"], None),
            (["model", "list", "--json"], None),
            (["provider", "edit", "oa", "--key-stdin"], ROTATED),
            (["settings", "set", "proxy_key", "-"], KEY + "\n"),
            (["settings", "list"], None),
            (["settings", "list", "--json"], None),
            (["key", "rotate"], None),
            (["audit"], None),
            (["audit", "--json", "--limit", "1000"], None),
            (["doctor", "--json"], None),
            (["provider", "test", "oa"], None),
        ]
        for args, stdin in steps:
            result = run_cli(*args, input=stdin)
            outputs.append(result.output)
        wal = Path(str(home / "llmtui.db") + "-wal")
        assert wal.exists() and wal.stat().st_size > 0
        files = [p for p in home.iterdir() if p.is_file()]
        for path in files:
            data = path.read_bytes()
            for secret in (KEY, ROTATED):
                assert secret.encode() not in data, f"{secret} found in {path.name}"
                assert secret[4:-4].encode() not in data, f"part of {secret} found in {path.name}"
    finally:
        holder.close()
    joined = "\n".join(outputs)
    assert "sk-…615" in joined  # the masked form is what people see
    for secret in (KEY, ROTATED):
        assert secret not in joined


async def test_a_secret_setting_can_come_from_stdin(run_cli, ctx) -> None:
    from llmtui.services.settings import get_all

    run_cli.ok("settings", "set", "proxy_key", "-", input=f"{KEY}\n")
    assert (await get_all(ctx))["proxy_key"].value == KEY
