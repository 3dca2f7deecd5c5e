"""Printing a live drill: the timeline rebuilt from the proxy's headers, and how each
attempt is known (injected / reported / inferred)."""

from __future__ import annotations

from typing import Any

import click

from llmtui.cli.output import table

DEPLOYMENT_WIDTH = 28
ERROR_WIDTH = 30
EVIDENCE = {"injected": "injected", "reported": "proxy says", "inferred": "inferred"}


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
    if result.outcome == "all_failed":
        head = f"all failed: {result.error_type}"
    elif result.served_position == 0:
        head = f"served by {result.served_by} (primary)"
    else:
        head = f"served by {result.served_by} (fallback {result.served_position})"
    request = result.headers.get("x-litellm-call-id")
    tail = f" · request {request}" if request else ""
    return f"{head} · {result.total_ms:.0f} ms through the proxy (HTTP {result.http_status}){tail}"


def print_live(result: Any) -> None:
    click.echo(f"Test {result.group} · {result.failure} · depth {result.depth_label} · live")
    kind = f" ({result.chain_kind})" if result.chain_kind else " (no fallbacks for this failure)"
    click.echo(f"chain{kind}: {' → '.join(result.chain)}")
    injected = ", ".join(result.injected) if result.injected else "nothing"
    click.echo(f"injected: {injected}")
    table(["#", "GROUP", "DEPLOYMENT", "RESULT", "HOW KNOWN"], [_row(a) for a in result.attempts])
    click.echo(summary(result))
    if result.response is not None:
        click.echo(f'"{result.response}"')
    elif result.error:
        click.echo(f"error: {result.error}")
    for error in result.fallback_errors:
        click.echo(f"reported fallback error: {error.get('error')}")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
