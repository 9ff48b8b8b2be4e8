"""Issue 13's friction items 4, 8, 10, 11 and 12: each seen as the officer saw it, from the
keyboard, asserting what the screen shows and what is on disk."""

from __future__ import annotations

from duty_tui.widgets.duty_table import DutyTable

from .conftest import COURT, SIZE, screen_text, settle, unlock


def _column(app, label: str) -> list[str]:
    table = app.screen.query_one(DutyTable)
    cells = table.get_column(label)
    return [getattr(cell, "plain", str(cell)) for cell in cells]


# --- item 12: the duty list's Court column --------------------------------------------------


async def test_the_court_column_names_every_rows_court(make_app, stored):
    """In filter results and in "All courts" the home court's rows had a blank Court cell."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("c")
        await settle(pilot)
        courts = _column(app, "Court")
        assert courts == [COURT, COURT, COURT, "Other Court"]
        await pilot.press("c", "slash", *"ffug")
        await settle(pilot)
        assert _column(app, "Court") == [COURT, COURT]
        assert "Example Family Court" in screen_text(app)
        await pilot.press("ctrl+q")
        await settle(pilot)
