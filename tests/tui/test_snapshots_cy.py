"""The converted screens in Welsh, at the smallest supported terminal (80x24): the longer Welsh
words must still fit (labels in their column, buttons on their line). Regenerate after a
deliberate change: ``pytest tests/tui/test_snapshots_cy.py --snapshot-update``, then look at
the SVGs. The rest of the app joins these as it is converted (docs/cymraeg.md)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from duty_tui import i18n

from .conftest import settle, unlock, wait_until

SMALL = (80, 24)


@pytest.fixture(autouse=True)
def welsh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The language the app finds at start (before unlock) is $DUTY_TUI_LANG's.
    monkeypatch.setenv("DUTY_TUI_LANG", "cy")
    i18n.set_language(i18n.WELSH)
    yield
    i18n.set_language(i18n.ENGLISH)


def test_unlock_first_run_cy(snap_compare, make_app):
    assert snap_compare(
        make_app(), run_before=settle, press=[*"correct horse"], terminal_size=SMALL
    )


def test_unlock_wrong_passphrase_cy(snap_compare, make_app, stored):
    async def wrong(pilot) -> None:
        await unlock(pilot, "wrong")

    assert snap_compare(make_app(), run_before=wrong, terminal_size=SMALL)


def test_change_passphrase_cy(snap_compare, make_app, stored):
    async def open_dialog(pilot) -> None:
        from duty_tui.screens.change_passphrase import ChangePassphraseScreen

        await unlock(pilot)
        await pilot.app.run_action("app.change_passphrase")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ChangePassphraseScreen))
        await settle(pilot)

    assert snap_compare(make_app(), run_before=open_dialog, terminal_size=SMALL)
