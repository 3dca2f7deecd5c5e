"""No snapshot or screenshot shows a plaintext key; the masked forms are what appear."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.tui_scenarios import PROVIDERS, SECRET_MARK

ROOT = Path(__file__).resolve().parents[2]
# Anything shaped like a real key: sk-/gsk_/AKIA… followed by many key characters.
KEY_SHAPED = re.compile(r"(sk-|sk-ant-|gsk_|AKIA|AIza|r8_)[A-Za-z0-9_\-]{10,}")


def image_files() -> list[Path]:
    return sorted(
        [*(ROOT / "tests").rglob("__snapshots__/**/*.svg"), *(ROOT / "screenshots").glob("*.svg")]
    )


def test_snapshots_exist_and_show_only_masked_keys() -> None:
    files = image_files()
    assert len(files) >= 40, "snapshots missing: run the snapshot tests with --snapshot-update"
    secrets = [v for _, f in PROVIDERS for v in f.get("secrets", {}).values()]
    seen_masked = False
    for path in files:
        text = path.read_text("utf-8")
        assert SECRET_MARK not in text, f"a seeded key is visible in {path.name}"
        for secret in secrets:
            assert secret not in text and secret[3:-3] not in text, path.name
        assert not KEY_SHAPED.search(text), f"key-shaped text in {path.name}"
        seen_masked = seen_masked or "sk-…x7Q" in text.replace("&#160;", " ")
    assert seen_masked  # the masked form is what people see
