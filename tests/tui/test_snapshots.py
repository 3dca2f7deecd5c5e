"""SVG snapshots of every screen and dialog at 80×24 and 120×40.

Update after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the SVGs (or run `make screenshots`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.memory_keyring import MemoryKeyring
from tests.support.tui_scenarios import SCENARIOS, SIZES, Scenario, build_app, seed_demo


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("template") / "home"
    home.mkdir(mode=0o700)
    seed_demo(home)
    return home


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_snapshot(
    scenario: Scenario,
    size: tuple[int, int],
    snap_compare,
    template: Path,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
) -> None:
    app = build_app(scenario, template, tmp_path / "home", memory_keyring)
    assert snap_compare(app, terminal_size=size, run_before=scenario.steps)
