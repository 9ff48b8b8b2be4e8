"""The case's history: the officer's edits (by field name), the lock and the unlock are in the
audit trail, and the case screen shows them from the palette, newest first."""

from __future__ import annotations

from duty_tui.screens.case import CaseScreen
from duty_tui.screens.history import HistoryScreen
from duty_tui.services.audit import AuditLog
from store import Store

from .conftest import PASSPHRASE, make_store, sample_cases, screen_text, settle, unlock, wait_until

NEW_NAME = "Gwŷn Hanes"


async def test_history_shows_edits_by_field_and_the_lock(make_app, data_dir):
    make_store(data_dir, sample_cases())
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen))
        # As in test_behaviour: five tabs from the hearing's first field reach the applicant.
        await pilot.press(*["tab"] * 5, "ctrl+u", *NEW_NAME, "tab")
        await settle(pilot)
        await wait_until(pilot, lambda: "All changes saved" in screen_text(app))
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: app.locked)
        await unlock(pilot)
        await wait_until(pilot, lambda: not app.locked)
        await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen))
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"History of this case")
        await settle(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        shown = screen_text(app)
        assert "History of ZZ26P00001" in shown
        assert "case edited ZZ26P00001: parties[0].name" in " ".join(shown.split("  "))
        assert NEW_NAME not in shown  # names of fields, never what was typed
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen))
    store = Store.open(data_dir, PASSPHRASE)
    try:
        trail = AuditLog(store, "reader")
        actions = [(e.action, e.detail) for e in trail.entries()]
        assert trail.breaks() == []
    finally:
        store.close()
    # On a busy machine a pause inside the typing saves (and records) the name more than once.
    collapsed = [a for n, a in enumerate(actions) if n == 0 or a != actions[n - 1]]
    assert collapsed == [
        ("unlocked", ()),
        ("case edited", ("parties[0].name",)),
        ("locked", ()),
        ("unlocked", ()),
    ]
