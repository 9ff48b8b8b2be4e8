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


# --- the day's work in Welsh (issue 12): at the laptop's usual size and at 80x24 ------------

WIDE = (120, 40)


async def _open_first_case(pilot) -> None:
    await unlock(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def _help_on_case(pilot) -> None:
    await _open_first_case(pilot)
    await pilot.press("f1")
    await settle(pilot)


async def _matrix(pilot) -> None:
    await _open_first_case(pilot)
    # Typed without its accent and in Welsh: the palette folds what is typed.
    await pilot.press("ctrl+p", *"addasrwydd: dewis", "enter")
    await settle(pilot)


def test_duty_list_cy(snap_compare, make_app, stored):
    assert snap_compare(make_app(), run_before=unlock, terminal_size=WIDE)


def test_case_cy(snap_compare, make_app, stored):
    assert snap_compare(make_app(), run_before=_open_first_case, terminal_size=WIDE)


def test_help_cy(snap_compare, make_app, stored):
    assert snap_compare(make_app(), run_before=_help_on_case, terminal_size=WIDE)


def test_case_suitability_matrix_cy(snap_compare, make_app, stored):
    assert snap_compare(make_app(), run_before=_matrix, terminal_size=WIDE)


def test_duty_list_80x24_cy(snap_compare, make_app, stored):
    assert snap_compare(make_app(), run_before=unlock, terminal_size=SMALL)


def test_case_80x24_cy(snap_compare, make_app, stored):
    assert snap_compare(make_app(), run_before=_open_first_case, terminal_size=SMALL)
