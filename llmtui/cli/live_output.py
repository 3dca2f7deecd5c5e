"""Printing a live drill: the timeline rebuilt from the proxy's headers, and how each
attempt is known (injected / reported / inferred)."""

from __future__ import annotations

import shutil
import sys
from typing import Any

import click

from llmtui.cli.output import table

DEPLOYMENT_WIDTH = 28
ERROR_WIDTH = 30
MAX_WRAP = 100
EVIDENCE = {"injected": "injected", "reported": "proxy says", "inferred": "inferred"}


def echo_wrapped(text: str, err: bool = False) -> None:
    """Wrapped at word boundaries on a terminal (80 columns split words); one line in a pipe."""
    stream = sys.stderr if err else sys.stdout
    if stream.isatty():
        width = min(shutil.get_terminal_size().columns, MAX_WRAP) - 1
        text = click.wrap_text(text, width=width, subsequent_indent="  ")
    click.echo(text, err=err)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _row(attempt: Any) -> list[str]:
    result = "✔ served" if attempt.ok else f"✖ {_cut(attempt.error_type or 'failed', ERROR_WIDTH)}"
    return [
        str(attempt.index),
        attempt.group,
        _cut(attempt.deployment or "—", DEPLOYMENT_WIDTH),
        result,
        EVIDENCE.get(attempt.evidence, attempt.evidence),
    ]


def summary(result: Any) -> str:
    head = result.served_label
    return f"{head} · {result.total_ms:.0f} ms through the proxy (HTTP {result.http_status})"


def print_live(result: Any) -> None:
    click.echo(f"Test {result.group} · {result.failure} · depth {result.depth_label} · live")
    kind = f" ({result.chain_kind})" if result.chain_kind else " (no fallbacks for this failure)"
    click.echo(f"chain{kind}: {' → '.join(result.chain)}")
    injected = ", ".join(result.injected) if result.injected else "nothing"
    click.echo(f"injected: {injected}")
    table(["#", "GROUP", "DEPLOYMENT", "RESULT", "HOW KNOWN"], [_row(a) for a in result.attempts])
    echo_wrapped(summary(result))
    request = result.headers.get("x-litellm-call-id")
    if request:
        click.echo(f"request id: {request}")
    if result.response is not None:
        echo_wrapped(f'"{result.response}"')
    elif result.error:
        echo_wrapped(f"error: {result.error}")
    for error in result.fallback_errors:
        echo_wrapped(f"reported fallback error: {error.get('error')}")
    for note in result.notes:
        echo_wrapped(f"note: {note}", err=True)
