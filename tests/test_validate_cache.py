"""The accepted-keys cache: built once per LiteLLM version, then read without litellm."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from llmtui.litellm import accepted_keys
from llmtui.litellm.introspect_source import scan_keys
from llmtui.litellm.validate import validate_text

# A fresh interpreter: load the keys, validate a config, report what happened.
PROBE = """
import json, sys, time
start = time.monotonic()
from llmtui.litellm import accepted_keys
from llmtui.litellm.validate import validate_text
loaded = accepted_keys.load()
report = validate_text("router_settings:\\n  num_retires: 2\\n")
print(json.dumps({
    "source": loaded.source,
    "seconds": time.monotonic() - start,
    "litellm_imported": "litellm" in sys.modules,
    "suggestion": report.issues[0].suggestion,
}))
"""


def _probe(cache_dir: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**os.environ, "LLMTUI_CACHE_DIR": str(cache_dir)},
        capture_output=True,
        text=True,
        timeout=400,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.slow
def test_corrupt_cache_is_rebuilt_and_then_read_without_importing_litellm(
    tmp_path: Path,
) -> None:
    path = accepted_keys.cache_path(accepted_keys.installed_litellm_version())
    cache = tmp_path / "cache"
    cache.mkdir()
    corrupt = cache / path.name
    corrupt.write_text('{"schema": 1, "top_level": [tru')

    first = _probe(cache)
    assert first["source"] == "built" and first["suggestion"] == "num_retries"
    data = json.loads(corrupt.read_text())
    assert data["litellm_version"] == accepted_keys.installed_litellm_version()
    assert "num_retries" in data["router_settings"]

    second = _probe(cache)
    assert second == {**second, "source": "cache", "litellm_imported": False}
    assert second["suggestion"] == "num_retries"
    assert second["seconds"] < first["seconds"] / 3


def test_stale_or_foreign_cache_files_are_ignored(tmp_path: Path) -> None:
    real = accepted_keys.load()  # the session's cache (built at most once per run)
    version = real.keys.litellm_version
    data = json.loads(real.path.read_text())
    assert accepted_keys.read_cache(real.path, version) == real.keys

    def variant(name: str, content: str) -> Path:
        target = tmp_path / name
        target.write_text(content)
        return target

    older_schema = variant("schema.json", json.dumps({**data, "schema": data["schema"] - 1}))
    other_version = variant("version.json", json.dumps({**data, "litellm_version": "0.0.1"}))
    wrong_shape = variant("shape.json", json.dumps({**data, "router_settings": ["num_retries"]}))
    not_json = variant("garbage.json", "\x00\x01 not json")
    for stale in (older_schema, other_version, wrong_shape, not_json, tmp_path / "missing"):
        assert accepted_keys.read_cache(stale, version) is None, stale.name


def test_cache_location_follows_llmtui_cache_dir(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LLMTUI_CACHE_DIR", str(tmp_path))
    path = accepted_keys.cache_path("1.2.3+local/x")
    assert path.parent == tmp_path and path.name == "litellm-keys-1.2.3+local_x.json"


def test_when_litellm_cannot_be_read_the_other_checks_still_run(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("LLMTUI_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "executable", "/bin/false")
    report = validate_text(
        "model_list:\n  - model_name: a\n    litellm_params: {model: openai/a}\n"
        "router_settings:\n  num_retires: 2\n  fallbacks: [{a: [b]}]\n",
        environ={},
    )
    assert [i.path for i in report.errors] == ["router_settings.fallbacks[0].a[0]"]
    assert "unknown keys were not checked" in report.warnings[0].message
    assert not list(tmp_path.iterdir())


def test_source_scan_finds_reads_in_scope_only(tmp_path: Path) -> None:
    source = tmp_path / "proxy.py"
    source.write_text(
        "KEY = 'from_constant'\n"
        "def load(general_settings, litellm_settings, other):\n"
        "    general_settings.get('plain_get')\n"
        "    general_settings['subscript']\n"
        "    if 'membership' in general_settings: pass\n"
        "    general_settings.get(KEY)\n"
        "    any(general_settings.get(k) for k in ('loop_a', 'loop_b'))\n"
        "    for key, value in litellm_settings.items():\n"
        "        if key == 'branch': pass\n"
        "        elif key in {'set_a', 'set_b'}: pass\n"
        "    for key in other:\n"
        "        if key == 'not_a_setting': pass\n"
        "    other.get('unrelated')\n"
    )
    found = scan_keys(
        [source],
        {
            "general": frozenset({"general_settings"}),
            "litellm": frozenset({"litellm_settings"}),
        },
    )
    assert found == {
        "general": {"plain_get", "subscript", "membership", "from_constant", "loop_a", "loop_b"},
        "litellm": {"branch", "set_a", "set_b"},
    }
