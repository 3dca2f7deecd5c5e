"""Reading a LiteLLM config file: YAML with errors a person can act on (line and column)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from llmtui.errors import InvalidInput

MAX_CONFIG_BYTES = 16 * 1024 * 1024
_Loader = yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader


def parse_yaml(text: str, source: str) -> Any:
    """The document in `text`; a YAML error names the line and column, 1-based."""
    try:
        return yaml.load(text, Loader=_Loader)  # a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise InvalidInput(f"{source} is not valid YAML: {problem}{where}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. a control
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise InvalidInput(
            f"{source} is not valid YAML: {exc.reason} (character {exc.character!r}) "
            f"at line {line}, column {column}"
        ) from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{source} is not valid YAML: {' '.join(str(exc).split())}") from None


def read_config_file(path: Path) -> Any:
    """Read and parse one config file; every way it can be unreadable is one clear line."""
    if not path.exists():
        raise InvalidInput(f"{path} does not exist")
    if path.is_dir():
        raise InvalidInput(f"{path} is a directory, not a config file")
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise InvalidInput(f"{path} is larger than 16 MiB; that is not a LiteLLM config")
        raw = path.read_bytes()
    except PermissionError:
        raise InvalidInput(f"{path} cannot be read (permission denied)") from None
    except OSError as exc:
        raise InvalidInput(f"{path} cannot be read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path} is not UTF-8 text (byte {exc.start + 1})") from None
    if not text.strip():
        raise InvalidInput(f"{path} is empty")
    return parse_yaml(text, str(path))
