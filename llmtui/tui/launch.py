"""`llmtui` with no command: migrate first (no event loop yet), then run the app."""

from __future__ import annotations

import sys

from llmtui.errors import LlmtuiError

WARM_UP_AFTER = 3.0  # seconds after first paint: LiteLLM warms while the user looks around


def run(home: str | None) -> int:
    from llmtui.home import db_path, ensure_home, resolve_home
    from llmtui.store.migrate import prepare_database

    try:
        resolved = ensure_home(resolve_home(home))
        prepare_database(db_path(resolved))
    except LlmtuiError as exc:
        print(f"llmtui: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        print(f"llmtui: cannot use the home directory: {exc}", file=sys.stderr)
        return 1
    from llmtui.tui.app import LlmtuiApp

    app = LlmtuiApp(resolved, warm_up_after=WARM_UP_AFTER)
    app.run()
    return app.return_code or 0
