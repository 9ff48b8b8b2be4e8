"""Changing the passphrase from the command palette, with and without a new key."""

from __future__ import annotations

import pytest

from duty_tui.screens.change_passphrase import ChangePassphraseScreen
from duty_tui.screens.duty_list import DutyListScreen
from store import Store, WrongPassphrase

from .conftest import PASSPHRASE, SIZE, notified, read_cases, screen_text, unlock, wait_until

NEW = "a brand new passphrase for the tui"


async def _open_dialog(pilot) -> None:
    await pilot.press("ctrl+p", *"change passphrase", "enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ChangePassphraseScreen))


@pytest.mark.parametrize("rotate", [False, True])
async def test_change_the_passphrase(make_app, stored, rotate):
    before = read_cases(stored)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock(pilot)
        await _open_dialog(pilot)
        await pilot.press(*PASSPHRASE, "tab", *NEW, "tab", *NEW)
        if rotate:
            await pilot.press("tab", "space", "tab", "enter")  # the box, then Change
        else:
            await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DutyListScreen))
        await wait_until(pilot, lambda: "use the new one from now on" in notified(app))
        assert NEW not in screen_text(app)
        await pilot.press("ctrl+q")
    with pytest.raises(WrongPassphrase):
        Store.open(stored, PASSPHRASE)
    with Store.open(stored, NEW) as store:
        assert store.problems() == []
        rotated = any(p.name.startswith("gen-") for p in stored.iterdir())
        assert rotated == rotate
        assert set(store.summaries()) == set(before)


async def test_a_wrong_current_passphrase_changes_nothing(make_app, stored):
    keyfile = (stored / "keyfile").read_bytes()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await _open_dialog(pilot)
        await pilot.press(*"not the passphrase", "tab", *NEW, "tab", *NEW, "enter")
        row = app.screen.query_one("#row-current-passphrase")
        await wait_until(pilot, lambda: "not the current passphrase" in row.error)
        assert isinstance(app.screen, ChangePassphraseScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+q")
    assert (stored / "keyfile").read_bytes() == keyfile


async def test_a_weak_new_passphrase_is_refused_beside_the_field(make_app, stored):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await _open_dialog(pilot)
        await pilot.press(*PASSPHRASE, "tab", *"short", "tab", *"short", "enter")
        row = app.screen.query_one("#row-new-passphrase")
        await wait_until(pilot, lambda: "too short" in row.error)
        assert isinstance(app.screen, ChangePassphraseScreen)
        await pilot.press("escape", "ctrl+q")
