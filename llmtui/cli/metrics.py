"""`llmtui metrics`, `llmtui recorder status|enable|disable|ingest`."""

from __future__ import annotations

from typing import Any

import click

from llmtui.cli import CliError, CliState, pass_state
from llmtui.cli.output import emit_json, table
from llmtui.formatting import ago, millis, timestamp

RANGE_CHOICES = ("24h", "7d", "30d")  # equal to llmtui.services.metrics.RANGES (tested)
SOURCE_CHOICES = ("proxy", "simulated", "live")
SPARKS = "▁▂▃▄▅▆▇█"


def _percent(rate: float | None) -> str | None:
    return None if rate is None else f"{rate * 100:.1f}%"


def _spark(rates: list[float | None]) -> str:
    """Success rate per bucket; `·` where nothing triggered."""
    return "".join(
        "·" if r is None else SPARKS[min(len(SPARKS) - 1, int(r * len(SPARKS)))] for r in rates
    )


def _bars(counts: dict[str, int], total: int) -> str:
    return "  ".join(f"{name} {n} ({n * 100 / total:.0f}%)" for name, n in counts.items())


@click.command("metrics")
@click.option("--since", type=click.Choice(RANGE_CHOICES), default="24h", show_default=True)
@click.option("--group", help="Only this model group.")
@click.option(
    "--source",
    "sources",
    type=click.Choice(SOURCE_CHOICES),
    multiple=True,
    help="Only events from this source (repeatable; default: all).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--csv", "as_csv", is_flag=True, help="One CSV row per group.")
@click.option("--no-ingest", is_flag=True, help="Skip reading new lines from the recorder.")
@pass_state
def metrics_cmd(
    state: CliState,
    since: str,
    group: str | None,
    sources: tuple[str, ...],
    as_json: bool,
    as_csv: bool,
    no_ingest: bool,
) -> None:
    """Fallback metrics per group: triggers, success after fallback, latency, trends.

    New lines from the proxy's recorder are ingested first.
    """
    if as_json and as_csv:
        raise CliError("choose one of --json and --csv", 2)
    from llmtui.errors import LlmtuiError
    from llmtui.services.ingest import ingest
    from llmtui.services.metrics import compute
    from llmtui.services.recorder import recorder_config

    async def use_case(ctx: Any) -> tuple[Any, Any, Any, str | None]:
        ingested, problem = None, None
        if not no_ingest:
            try:
                ingested = await ingest(ctx)
            except LlmtuiError as exc:  # metrics of what is stored are still worth showing
                problem = str(exc)
        report = await compute(ctx, since, group, sources or None)
        return report, ingested, await recorder_config(ctx), problem

    report, ingested, recorder, problem = state.run(use_case)
    if problem:
        click.echo(f"warning: {problem}", err=True)
    if ingested is not None and (ingested.inserted or ingested.garbage or ingested.missed):
        note = f"ingested {ingested.inserted} new event{'s' if ingested.inserted != 1 else ''}"
        if ingested.garbage:
            note += f"; skipped {ingested.garbage} unreadable line(s)"
        if ingested.missed:
            note += "; the events file rotated more than once since the last run (lines lost)"
        click.echo(note, err=True)
    if as_json:
        emit_json(report.to_json())
        return
    if as_csv:
        click.echo(report.to_csv(), nl=False)
        return
    _show(report, recorder.enabled)


def _show(report: Any, recorder_enabled: bool) -> None:
    scope = f"group {report.group}" if report.group else "all groups"
    click.echo(
        f"Fallbacks in the last {report.range} (since {timestamp(report.since)}) · {scope} · "
        f"sources: {', '.join(report.sources)}"
    )
    if not report.groups:
        click.echo("no fallback events in this range")
        if not recorder_enabled:
            click.echo(
                "the proxy recorder is off: `llmtui recorder enable`, add the mounts it "
                "prints, then `llmtui apply`"
            )
        return
    click.echo(
        f"{report.triggers} requests needed a fallback · {report.fallbacks} fallbacks tried · "
        f"{_percent(report.success_rate)} served after fallback"
    )
    click.echo()
    table(
        ["GROUP", "TRIGGERS", "FALLBACKS", "SUCCESS", "TOP TRIGGER", "LAST", "P50", "P95"],
        [
            [
                g.group,
                g.triggers,
                g.fallbacks,
                _percent(g.success_rate),
                g.top_trigger,
                ago(g.last_triggered, report.until),
                millis(g.p50_ms),
                millis(g.p95_ms),
            ]
            for g in report.groups
        ],
    )
    click.echo()
    click.echo(f"by trigger   {_bars(report.by_trigger, report.triggers)}")
    served = sum(report.served_by.values())
    click.echo(f"served by    {_bars(report.served_by, served) if served else '—'}")
    width = {"24h": "hour", "7d": "6 h", "30d": "day"}[report.range]
    click.echo(
        f"success/{width:<5} {_spark([b.success_rate for b in report.over_time])}  "
        "(▁ 0% … █ 100%, · none)"
    )


@click.group("recorder")
def recorder() -> None:
    """The proxy-side fallback recorder (opt-in): real traffic for the metrics."""


@recorder.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def recorder_status_cmd(state: CliState, as_json: bool) -> None:
    """Whether the recorder is on and applied, its files, and how far ingest got."""
    from llmtui.services.recorder import recorder_status

    status = state.run(recorder_status)
    if as_json:
        emit_json(status.to_json())
        return
    config, stats = status.config, status.ingest
    state_text = "enabled" if config.enabled else "disabled"
    if status.apply_needed:
        state_text += " — run `llmtui apply` to " + (
            "install it" if config.enabled else "remove it"
        )
    files = ", ".join(f"{name} {size:,} B" for name, size in status.files) or "none yet"
    rows = [
        ("recorder", state_text),
        ("module", f"{config.module_path} ({status.module})"),
        ("events dir", f"{config.events_dir} → {config.events_dir_in_container} in the container"),
        ("events files", files),
        (
            "ingested",
            f"{stats.get('inserted', 0):,} events from {stats.get('lines', 0):,} lines, "
            f"{stats.get('garbage', 0):,} unreadable, last {ago(stats.get('last_run'))}",
        ),
        ("recorder dropped", str(stats.get("recorder_dropped", 0))),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        click.echo(f"{key.ljust(width)}  {value}")


def _print_mounts(mounts: list[Any]) -> None:
    click.echo("Mount these into the proxy's container (docker run):")
    click.echo("  " + " ".join(m.docker_flag() for m in mounts))
    click.echo("or in docker compose, under the proxy service's volumes:")
    for mount in mounts:
        click.echo(f"  {mount.compose_line()}")


@recorder.command("enable")
@pass_state
def recorder_enable(state: CliState) -> None:
    """Turn the recorder on; prints the mounts to add, then apply."""
    from llmtui.services.recorder import mounts, set_enabled

    async def use_case(ctx: Any) -> tuple[Any, list[Any]]:
        return await set_enabled(ctx, True), await mounts(ctx)

    config, needed = state.run(use_case)
    click.echo(f"recorder enabled; events go to {config.events_dir}")
    _print_mounts(needed)
    click.echo(
        f"The module mount assumes the config is in {config.container_config_dir} inside the "
        "container (setting container_config_dir)."
    )
    click.echo(
        "Then run `llmtui apply`: it writes llmtui_recorder.py beside the config, lists it in "
        "litellm_settings.callbacks and restarts the proxy."
    )


@recorder.command("disable")
@pass_state
def recorder_disable(state: CliState) -> None:
    """Turn the recorder off (recorded events are kept)."""
    from llmtui.services.recorder import set_enabled

    state.run(lambda ctx: set_enabled(ctx, False))
    click.echo(
        "recorder disabled; run `llmtui apply` to take it out of the proxy's config "
        "(events already recorded are kept)"
    )


@recorder.command("ingest")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def recorder_ingest(state: CliState, as_json: bool) -> None:
    """Read new lines from the events file now (metrics does this too)."""
    from llmtui.services.ingest import ingest

    report = state.run(ingest)
    if as_json:
        emit_json(report.to_json())
        return
    click.echo(
        f"read {report.lines} lines: {report.inserted} new events, {report.duplicates} already "
        f"stored, {report.garbage} unreadable" + (" (the file rotated)" if report.rotated else "")
    )
    if report.missed:
        click.echo("warning: the events file rotated more than once since the last run", err=True)


COMMANDS = [metrics_cmd, recorder]
