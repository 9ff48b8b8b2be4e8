"""The case dialogs in Welsh, as a Welsh-speaking officer uses them: the words, the keys'
descriptions and the reason a value is refused are Welsh, and what is refused loses nothing
already typed. Asserted on the screen and on disk (issue 12)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from textual.widgets import Button, Input, Static

from duty_tui import i18n
from duty_tui.screens.case import CaseScreen
from duty_tui.screens.monitoring import MonitoringScreen
from duty_tui.screens.new_case import NewCaseScreen
from duty_tui.widgets.field import FieldRow
from records.model import Attendance

from .conftest import SIZE, make_store, read_cases, settle, unlock, wait_until
from .test_rules_screens import open_case, shows
from .test_sync_ui import queueable_cases


def dialog_text(app) -> str:
    """The words of the dialog itself, not of the screen beneath it (the duty list, converted
    by another change): its texts, labels, buttons and placeholders."""
    words = [str(w.content) for w in app.screen.query(Static)]
    words += [str(b.label) for b in app.screen.query(Button)]
    words += [i.placeholder for i in app.screen.query(Input)]
    return "\n".join(words)


def key_descriptions(app) -> set[str]:
    return {b.binding.description for b in app.screen.active_bindings.values()}


@pytest.fixture(autouse=True)
def welsh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DUTY_TUI_LANG", "cy")
    i18n.set_language(i18n.WELSH)
    yield
    i18n.set_language(i18n.ENGLISH)


async def test_new_case_in_welsh_refuses_a_bad_number_in_welsh(make_app, stored):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewCaseScreen))
        await settle(pilot)
        shown = dialog_text(app)
        for words in ("Achos newydd", "Rhif achos", "Dyddiad y gwrandawiad", "Ceisydd", "Creu"):
            assert words in shown, words
        assert "Enter yn symud ymlaen · Escape yn canslo" in shown
        assert "Case number" not in shown and "Cancel" not in shown
        assert "Canslo" in key_descriptions(app)
        await pilot.press(*"cf24x01", "tab", "tab", *"Ffug Applicant", "tab", "tab", "enter")
        await settle(pilot)
        row = app.screen.query_one("#row-new-number", FieldRow)
        assert row.error == (
            "nid yw 'CF24X01' yn rhif achos: disgwylir rhywbeth fel CF24P01234 neu "
            "1234-5678-9012-3456"
        )
        # Refused, not lost: the dialog stays with what was typed, the number field focused.
        assert isinstance(app.screen, NewCaseScreen)
        assert app.focused is app.screen.query_one("#new-number", Input)
        assert app.screen.query_one("#new-applicant", Input).value == "Ffug Applicant"
        await pilot.press("escape")
        await settle(pilot)


async def test_monitoring_in_welsh_names_the_missing_field_in_welsh(make_app, data_dir):
    make_store(data_dir, queueable_cases())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot)
        screen.set_focus(screen.query_one("#direction-monitor-dir-1"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MonitoringScreen)
        await shows(pilot, "Monitro (adran 11G)")
        shown = dialog_text(app)
        for words in ("Gofynnwyd gan", "Monitro hyd at", "Presenoldeb", "Ychwanegu sesiwn"):
            assert words in shown, words
        assert "Dim sesiwn wedi’i chofnodi eto." in shown
        assert {"Cadw", "Canslo"} <= key_descriptions(app)  # the footer's keys, in Welsh
        assert "Cancel" not in shown and "Asked by" not in shown
        await pilot.press(*"Barnwr Rhanbarth Ffug")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MonitoringScreen)
        row = app.screen.query_one("#row-to", FieldRow)
        assert row.error == "rhaid llenwi: monitro hyd at"
        assert app.focused is row.control
        await pilot.press(*"16/05/2026", "tab", "tab", "tab")
        await pilot.press(*"16/03/2026", "tab", "enter", "down", "enter", "tab")
        await pilot.press(*"cofrestr y darparwr", "enter")
        await settle(pilot)
        await shows(pilot, "16/03/2026 heb fynychu · cofrestr y darparwr")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("ctrl+q")
        await settle(pilot)
    m = read_cases(data_dir)["case0000"].directions[0].monitoring
    assert m is not None and m.asked_by == "Barnwr Rhanbarth Ffug"
    assert m.period_to == dt.date(2026, 5, 16)
    [session] = m.sessions
    assert session.attendance is Attendance.DID_NOT_ATTEND
