"""A duty officer's first morning, keyboard only: set up, new case, parties, child, screening,
quit; then a relaunch finds the case exactly as typed, on screen and on disk."""

from __future__ import annotations

import datetime as dt

from duty_tui.screens.case import CaseScreen
from duty_tui.screens.duty_list import DutyListScreen
from duty_tui.screens.unlock import UnlockScreen
from records.model import Answer, Language, PartyRole

from .conftest import OFFICER, PASSPHRASE, SIZE, TODAY, read_cases, screen_text, settle, unlock


async def test_first_run_to_relaunch(make_app, data_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, UnlockScreen)
        await settle(pilot)  # the first-run form appears once the store module has loaded
        assert "Set up this laptop" in screen_text(app)
        # Passphrase twice, then who and where.
        await pilot.press(*PASSPHRASE, "enter", *PASSPHRASE, "enter")
        await pilot.press(*"Test Officer Ffug", "enter", "tab", *"Example Family Court", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DutyListScreen)
        assert "No hearings" in screen_text(app)

        # New case: number, today's date (prefilled), both parents.
        await pilot.press("n")
        await pilot.press(*"zz26p00042", "enter", "enter")
        await pilot.press(*"Ann Ffug", "enter", *"Rhodri Ffug", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)

        # Tab to the applicant's postcode (number, date, court, jurisdiction, role, name).
        await pilot.press(*["tab"] * 6, *"cf10 1aa", "tab")
        # The command palette adds a child.
        await pilot.press("ctrl+p", *"add child", "enter")
        await settle(pilot)
        await pilot.press(*"Pryderi Ffug", "enter", *"01/05/2019", "enter")
        await settle(pilot)
        # From the new child's name, the next section is the screening: police check "no".
        await pilot.press("ctrl+down", "enter", "down", "enter")
        await settle(pilot)
        assert "Police check" in screen_text(app)  # the screening is in view
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert app.return_code == 0

    cases = list(read_cases(data_dir).values())
    assert len(cases) == 1
    case = cases[0]
    assert case.case_number == "ZZ26P00042"
    assert case.hearing.date == TODAY
    assert case.court == "Example Family Court"
    assert case.officer == OFFICER
    assert [(p.role, p.name, p.postcode) for p in case.parties] == [
        (PartyRole.APPLICANT, "Ann Ffug", "CF10 1AA"),
        (PartyRole.RESPONDENT, "Rhodri Ffug", ""),
    ]
    assert [(c.name, c.date_of_birth) for c in case.children] == [
        ("Pryderi Ffug", dt.date(2019, 5, 1))
    ]
    police = case.screening.police_check
    assert (police.answer, police.answered_on, police.answered_by) == (
        Answer.NO,
        TODAY,
        "Test Officer Ffug",
    )
    assert case.screening.domestic_abuse.answer is Answer.UNKNOWN

    # Relaunch: unlock, the case is on today's list, Enter opens it as typed.
    again = make_app()
    async with again.run_test(size=(120, 100)) as pilot:
        assert "Set up" not in screen_text(again)
        await unlock(pilot)
        listed = screen_text(again)
        assert "ZZ26P00042" in listed and "Ann Ffug v Rhodri Ffug" in listed
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(again.screen, CaseScreen)
        assert again.screen.case == case
        shown = screen_text(again)
        for text in ("ZZ26P00042", "16/03/2026", "Ann Ffug", "CF10 1AA", "Pryderi Ffug"):
            assert text in shown


async def test_a_choice_is_saved_at_once(make_app, stored):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("enter")  # the first of today's hearings
        await settle(pilot)
        # number, date, court, jurisdiction, role, name, postcode, then the language list
        await pilot.press(*["tab"] * 7, "enter", "up", "enter")
        await settle(pilot)
        assert app.screen.case.parties[0].language is Language.ENGLISH
        app.desk.saver.flush()
        # On disk before quitting: a flat battery now loses nothing.
        app.desk.store.close()
    assert read_cases(stored)["case0000"].parties[0].language is Language.ENGLISH
