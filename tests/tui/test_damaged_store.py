"""One damaged file never locks the officer out: a damaged drafts, provider directory or
settings file is moved to quarantine, the officer is told in plain words what was lost, and the
app goes on. A damaged or missing case is named by its number and the others open. No crash, no
passphrase, no case content on screen beyond the case number."""

from __future__ import annotations

from pathlib import Path

import pytest

from duty_tui.saver import DRAFTS_TABLE
from duty_tui.screens.case import CaseScreen
from duty_tui.screens.duty_list import DutyListScreen
from duty_tui.services.options import sample_directory
from duty_tui.services.provider_cache import store_providers
from store import Store
from store.outbox import NewEntry, Outbox

from .conftest import PASSPHRASE, SIZE, notified, screen_text, settle, unlock, wait_until


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def _with_tables(data_dir: Path) -> None:
    with Store.open(data_dir, PASSPHRASE) as store:
        store.table(DRAFTS_TABLE).insert({"case_id": "case0000", "fields": {"hearing.date": "x"}})
        store_providers(store, sample_directory().providers, source="test")


@pytest.mark.parametrize(
    ("table", "told"),
    [
        ("drafts", "the drafts: its file is damaged"),
        ("providers", "the provider directory: its file is damaged"),
    ],
)
async def test_a_damaged_table_is_quarantined_and_named(make_app, stored, table, told):
    _with_tables(stored)
    _flip_last_byte(stored / "tables" / f"{table}.db")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        assert isinstance(app.screen, DutyListScreen)
        app.open_case("case0000")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        app.screen.focus_matrix()  # reads the directory: a damaged one has started again
        await settle(pilot)
        await wait_until(pilot, lambda: told in notified(app))
        assert PASSPHRASE not in screen_text(app)
        await pilot.press("ctrl+q")
    assert len(list((stored / "quarantine").iterdir())) == 1


async def test_a_damaged_settings_file_asks_for_the_profile_again(make_app, stored):
    _flip_last_byte(stored / "tables" / "settings.db")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        assert "Who is on duty" in screen_text(app)
        await pilot.press(*"Test Officer Ffug", "enter", "tab", *"Example Family Court", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DutyListScreen)
        await wait_until(pilot, lambda: "the settings: its file is damaged" in notified(app))
        await pilot.press("ctrl+q")
    with Store.open(stored, PASSPHRASE) as store:
        assert store.problems() == []  # told this session, and the profile saved again


async def test_a_missing_case_is_named_and_the_rest_open(make_app, stored):
    with Store.open(stored, PASSPHRASE) as store:
        path = store.case_path("case0001")
    path.unlink()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await wait_until(pilot, lambda: "case ZZ26P00002: its file is missing" in notified(app))
        app.open_case("case0001")
        await settle(pilot)
        assert isinstance(app.screen, DutyListScreen), "it cannot be opened"
        app.open_case("case0000")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("ctrl+q")


async def test_a_lost_outbox_stops_sync_and_says_so(make_app, stored):
    with Store.open(stored, PASSPHRASE) as store:
        Outbox(store).enqueue_many([NewEntry("ref-1", 1, "case0000", {"x": 1})])
    (stored / "tables" / "outbox.jnl").unlink()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await wait_until(pilot, lambda: "Sync stopped: the referral outbox" in screen_text(app))
        await pilot.press("ctrl+q")
