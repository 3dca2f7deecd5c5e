from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from llmtui.store.migrate import prepare_database
from llmtui.tui.app import LlmtuiApp
from tests.support.fake_upstream import closed_port


@pytest.fixture(autouse=True)
def _no_real_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The status line polls a port where nothing listens: "down", quickly and always."""
    monkeypatch.setenv("LLMTUI_PROXY_URL", f"http://127.0.0.1:{closed_port()}")


@pytest.fixture
def make_app(home: Path) -> Callable[..., LlmtuiApp]:
    def make(**kwargs: Any) -> LlmtuiApp:
        prepare_database(home / "llmtui.db")  # what `llmtui` does before the event loop
        kwargs.setdefault("poll_interval", 0)
        return LlmtuiApp(home, **kwargs)

    return make
