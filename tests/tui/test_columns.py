"""Column fitting at narrow widths: the least important give way first, essentials stay."""

from __future__ import annotations

from rich.cells import cell_len

from llmtui.tui.widgets.columns import SEPARATOR, Column, fit_text, fit_widths

COLUMNS = [
    Column("name", "Name", 16, min_width=10, priority=10),
    Column("url", "URL", 30, min_width=8, priority=1, flex=True),
    Column("status", "Status", 11, min_width=11, priority=9, hideable=False),
    Column("caps", "Caps", 30, min_width=12, priority=0, optional=True),
]


def total(widths: list[int]) -> int:
    shown = [w for w in widths if w]
    return sum(shown) + SEPARATOR * (len(shown) - 1)


def test_everything_fits_when_wide_and_flex_takes_the_rest() -> None:
    widths = fit_widths(COLUMNS, 120)
    assert widths[0] == 16 and widths[2] == 11 and widths[3] == 30
    assert total(widths) == 120


def test_optional_goes_whole_before_others_shrink() -> None:
    widths = fit_widths(COLUMNS, 60)
    assert widths[3] == 0  # hidden
    assert widths[1] >= 30 and total(widths) <= 60


def test_least_important_shrink_then_hide_essentials_stay() -> None:
    widths = fit_widths(COLUMNS, 40)
    assert widths[0] >= 10 and widths[2] == 11
    assert total(widths) <= 40
    widths = fit_widths(COLUMNS, 24)
    assert widths[2] == 11 and widths[1] == 0 and total(widths) <= 24


def test_fit_text_pads_cuts_and_aligns() -> None:
    assert fit_text("abc", 5) == "abc  "
    assert fit_text("abc", 5, "right") == "  abc"
    assert fit_text("abcdefgh", 5) == "abcd…"
    assert fit_text("日本語テキスト", 6) == "日本…" + " "
    assert cell_len(fit_text("日本語テキスト", 6)) == 6
