"""What each screen looks like (pytest-textual-snapshot). Regenerate after a deliberate change:
``pytest tests/tui/test_snapshots.py --snapshot-update``, then look at the SVGs before committing.

Stable by construction: fixed today, fixed case ids and dates, no cursor blink (conftest)."""

from __future__ import annotations

from duty_tui.widgets.field import FieldRow

from .conftest import SIZE, make_store, screen_text, settle, unlock, wait_until


async def _open_first_case(pilot) -> None:
    await unlock(pilot)
    await pilot.press("enter")
    await settle(pilot)


def test_unlock_first_run(snap_compare, make_app):
    # settle: the first-run form appears once the store module has loaded (in a thread)
    assert snap_compare(make_app(), run_before=settle, press=[*"correct horse"], terminal_size=SIZE)


def test_unlock(snap_compare, make_app, stored):
    assert snap_compare(make_app(), run_before=settle, terminal_size=SIZE)


def test_unlock_wrong_passphrase(snap_compare, make_app, stored):
    async def wrong(pilot) -> None:
        await unlock(pilot, "wrong")

    assert snap_compare(make_app(), run_before=wrong, terminal_size=SIZE)


def test_duty_list(snap_compare, make_app, stored):
    assert snap_compare(make_app(), run_before=unlock, terminal_size=SIZE)


def test_duty_list_filtered(snap_compare, make_app, stored):
    assert snap_compare(make_app(), run_before=unlock, press=["slash", *"ffug"], terminal_size=SIZE)


def test_duty_list_empty_day(snap_compare, make_app, data_dir):
    make_store(data_dir, [])
    assert snap_compare(make_app(), run_before=unlock, terminal_size=SIZE)


def test_case(snap_compare, make_app, stored):
    assert snap_compare(make_app(), run_before=_open_first_case, terminal_size=SIZE)


def test_case_bad_postcode(snap_compare, make_app, stored):
    async def bad_postcode(pilot) -> None:
        await _open_first_case(pilot)
        row = pilot.app.screen.query_one("#f-party-party0000-postcode", FieldRow)
        row.control.focus()  # selects its text: typing replaces it, with no empty moment
        await pilot.press(*"XX1", "tab")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=bad_postcode, terminal_size=SIZE)


def test_case_screening(snap_compare, make_app, stored):
    async def screening(pilot) -> None:
        await _open_first_case(pilot)
        await pilot.press("ctrl+down", "ctrl+down", "ctrl+down")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=screening, terminal_size=SIZE)


def test_help(snap_compare, make_app, stored):
    assert snap_compare(make_app(), run_before=_open_first_case, press=["f1"], terminal_size=SIZE)


def test_lock(snap_compare, make_app, stored):
    assert snap_compare(
        make_app(), run_before=_open_first_case, press=["ctrl+l"], terminal_size=SIZE
    )


def test_new_case(snap_compare, make_app, stored):
    assert snap_compare(make_app(), run_before=unlock, press=["n"], terminal_size=SIZE)


def test_add_person(snap_compare, make_app, stored):
    assert snap_compare(
        make_app(), run_before=_open_first_case, press=["ctrl+n"], terminal_size=SIZE
    )


def test_confirm_removal(snap_compare, make_app, stored):
    async def ask(pilot) -> None:
        await _open_first_case(pilot)
        pilot.app.screen.query_one("#remove-child-child0000").focus()
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=ask, terminal_size=SIZE)


def test_command_palette(snap_compare, make_app, stored):
    async def palette(pilot) -> None:
        await unlock(pilot)
        await pilot.press("ctrl+p", *"ffug")
        # The palette searches in the background: both Ffug families listed.
        await wait_until(
            pilot, lambda: all(n in screen_text(pilot.app) for n in ("ZZ26P00001", "ZZ26P00004"))
        )
        await settle(pilot)

    assert snap_compare(make_app(), run_before=palette, terminal_size=SIZE)


async def _matrix(pilot) -> None:
    await _open_first_case(pilot)
    await pilot.press("ctrl+p", *"suitability", "enter")
    await settle(pilot)


def test_case_suitability_matrix(snap_compare, make_app, stored):
    assert snap_compare(make_app(), run_before=_matrix, terminal_size=SIZE)


def test_verdict_reasons(snap_compare, make_app, stored):
    async def explain(pilot) -> None:
        await _matrix(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=explain, terminal_size=SIZE)


def test_options_picker(snap_compare, make_app, stored):
    async def picker(pilot) -> None:
        await _matrix(pilot)
        await pilot.press("enter", "p")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=picker, terminal_size=SIZE)


def test_direction(snap_compare, make_app, stored):
    async def direction(pilot) -> None:
        await _matrix(pilot)
        await pilot.press("enter", "p")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=direction, terminal_size=SIZE)


# --- 80x24, the smallest terminal the app is used in (issue 13 item 11) -------------------------

SMALL = (80, 24)


def test_duty_list_80x24(snap_compare, make_app, stored):
    assert snap_compare(make_app(), run_before=unlock, terminal_size=SMALL)


def test_case_80x24(snap_compare, make_app, stored):
    assert snap_compare(make_app(), run_before=_open_first_case, terminal_size=SMALL)


def test_options_picker_80x24(snap_compare, make_app, stored):
    async def picker(pilot) -> None:
        await _matrix(pilot)
        await pilot.press("enter", "p")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=picker, terminal_size=SMALL)
