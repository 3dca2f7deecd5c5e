"""LiteLLM loaded on demand: once, quietly, offline; and warmed up off the UI thread.

Importing litellm costs seconds, so nothing imports it at start-up. The first `load()`
sets LITELLM_LOCAL_MODEL_COST_MAP (else it fetches its cost map over the network),
silences LiteLLM's loggers (they write to stderr, which would tear a TUI), and registers
the two in-process pieces the simulator needs: the `llmtui-sim` provider and the
timeline logger.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from types import ModuleType
from typing import Any

from llmtui.litellm.timeline import CURRENT_ATTEMPT

SIM_PROVIDER = "llmtui-sim"
LITELLM_LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy")
# Failures the simulated provider raises (LiteLLM's mock_response cannot express them).
HANDLER_FAILURES = ("timeout", "connection", "content_policy")

_load_lock = threading.Lock()
_litellm: ModuleType | None = None
_warm = threading.Event()
_warm_seconds: float | None = None


def load() -> ModuleType:
    """The litellm module, imported and prepared on first use (thread-safe)."""
    global _litellm
    with _load_lock:
        if _litellm is None:
            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            import litellm

            quiet(litellm)
            _register_sim_provider(litellm)
            litellm.logging_callback_manager.add_litellm_callback(_timeline_logger(litellm))
            _litellm = litellm
    return _litellm


def quiet(litellm: ModuleType) -> None:
    """No LiteLLM output on stderr: a TUI owns the terminal."""
    litellm.suppress_debug_info = True
    litellm.set_verbose = False
    for name in LITELLM_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.CRITICAL + 1)
        logger.propagate = False


def is_loaded() -> bool:
    return _litellm is not None


def is_warm() -> bool:
    return _warm.is_set()


def warm_seconds() -> float | None:
    """How long the warm-up took (None until it has run)."""
    return _warm_seconds


def warm_up() -> float:
    """Import litellm and run one tiny Router call, so the first real test is fast.

    Blocking (seconds when cold): call it from a worker thread. Returns the time taken;
    later calls return at once.
    """
    global _warm_seconds
    if _warm.is_set():
        return 0.0
    started = time.perf_counter()
    from llmtui.litellm.simulate import simulate

    config = {
        "model_list": [
            {
                "model_name": name,
                "litellm_params": {"model": f"openai/{name}"},
                "model_info": {"id": name},
            }
            for name in ("warm-up", "warm-up-fallback")
        ],
        "router_settings": {
            "num_retries": 1,
            "fallbacks": [{"warm-up": ["warm-up-fallback"]}],
        },
    }
    # Both failure paths (a mock_response string, the sim provider), a retry and a fallback.
    simulate(config, "warm-up", "rate_limit", depth=1)
    simulate(config, "warm-up", "timeout", depth=1)
    _warm_seconds = time.perf_counter() - started
    _warm.set()
    return _warm_seconds


def warm_up_in_background() -> threading.Thread:
    """Start `warm_up` in a daemon thread (it never blocks the process from exiting)."""
    thread = threading.Thread(target=_warm_up_quietly, name="llmtui-litellm-warm-up", daemon=True)
    thread.start()
    return thread


def _warm_up_quietly() -> None:
    try:
        warm_up()
    except Exception:  # a failed warm-up only means the first test is slower
        logging.getLogger(__name__).exception("LiteLLM warm-up failed")


def _register_sim_provider(litellm: ModuleType) -> None:
    """`llmtui-sim/<failure>` deployments raise that failure as LiteLLM's own exception."""

    class SimulatedProvider(litellm.CustomLLM):  # type: ignore[name-defined,misc]
        async def acompletion(self, *args: Any, **kwargs: Any) -> Any:
            raise simulated_error(litellm, str(kwargs.get("model") or "")) from None

        def completion(self, *args: Any, **kwargs: Any) -> Any:
            raise simulated_error(litellm, str(kwargs.get("model") or "")) from None

    providers = [p for p in litellm.custom_provider_map if p.get("provider") != SIM_PROVIDER]
    providers.append({"provider": SIM_PROVIDER, "custom_handler": SimulatedProvider()})
    litellm.custom_provider_map = providers
    litellm.utils.custom_llm_setup()


def simulated_error(litellm: ModuleType, model: str) -> Exception:
    """A fresh exception of the class LiteLLM maps that failure to."""
    failure = model.rsplit("/", 1)[-1]
    common = {"llm_provider": SIM_PROVIDER, "model": model}
    if failure == "timeout":
        return litellm.Timeout(message="simulated timeout (llmtui)", **common)
    if failure == "connection":
        return litellm.APIConnectionError(message="simulated connection failure (llmtui)", **common)
    if failure == "content_policy":
        return litellm.ContentPolicyViolationError(
            message="simulated content policy violation (llmtui)", **common
        )
    return litellm.APIError(
        status_code=500, message=f"llmtui-sim has no failure {failure!r}", **common
    )


def _timeline_logger(litellm: ModuleType) -> Any:
    """One process-wide CustomLogger; it writes to whichever test's attempt is current."""

    from litellm.integrations.custom_logger import CustomLogger

    class TimelineLogger(CustomLogger):  # type: ignore[misc]
        async def async_log_failure_event(
            self, kwargs: dict, response_obj: Any, start_time: Any, end_time: Any
        ) -> None:
            self._record(kwargs)

        async def async_log_success_event(
            self, kwargs: dict, response_obj: Any, start_time: Any, end_time: Any
        ) -> None:
            self._record(kwargs)

        @staticmethod
        def _record(kwargs: dict) -> None:
            attempt = CURRENT_ATTEMPT.get()
            if attempt is None:
                return
            params = kwargs.get("litellm_params") or {}
            deployment_id = (params.get("model_info") or {}).get("id")
            if deployment_id and attempt.deployment_id is None:
                attempt.deployment_id = str(deployment_id)

    return TimelineLogger()
