"""`make screenshots`: every snapshot scenario as an SVG in screenshots/ (or as text).

python -m tests.support.screenshots [DIR] [--text] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

import keyring

from tests.support.fake_upstream import closed_port
from tests.support.memory_keyring import MemoryKeyring
from tests.support.tui import screen_text
from tests.support.tui_scenarios import SCENARIOS, SIZES, Scenario, build_app, seed_demo


async def capture(
    scenario: Scenario, size: tuple[int, int], template: Path, work: Path, text: bool
) -> str:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    home = work / f"{scenario.name}-{size[0]}x{size[1]}"
    app = build_app(scenario, template, home, backend)
    async with app.run_test(size=size) as pilot:
        await scenario.steps(pilot)
        await pilot.pause()
        return (
            screen_text(app) if text else app.export_screenshot(title=f"llmtui · {scenario.name}")
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", nargs="?", default="screenshots")
    parser.add_argument("--text", action="store_true", help="print the screens as text")
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args(argv)
    import os

    os.environ["LLMTUI_PROXY_URL"] = f"http://127.0.0.1:{closed_port()}"
    for name in ("LLMTUI_MASTER_KEY", "LLMTUI_PASSPHRASE", "LLMTUI_HOME"):
        os.environ.pop(name, None)
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template"
        template.mkdir(mode=0o700)
        seed_demo(template)
        for scenario in SCENARIOS:
            if args.only and scenario.name not in args.only:
                continue
            for size in SIZES:
                result = asyncio.run(capture(scenario, size, template, Path(tmp), args.text))
                label = f"{scenario.name}-{size[0]}x{size[1]}"
                if args.text:
                    print(f"===== {label}\n{result}")
                else:
                    (out / f"{label}.svg").write_text(result, "utf-8")
                    print(f"wrote {out / label}.svg", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
