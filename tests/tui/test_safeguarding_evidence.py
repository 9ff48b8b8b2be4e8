"""Issue 11, items 5-7 on the screens, from the keyboard: safeguarding per person, route (a)'s
evidence of agreement, and financial assistance that waits for the party.

Asserted on what the officer sees and on what is on disk.
"""

from __future__ import annotations

import datetime as dt

import attrs

from duty_tui.screens.case import CaseScreen
from duty_tui.screens.direction import DirectionScreen
from duty_tui.widgets.suitability_grid import SuitabilityGrid
from records.model import (
    Activity,
    Agreed,
    Answer,
    AssistanceDecision,
    Direction,
    DirectionStatus,
    FundingRoute,
)

from .conftest import SIZE, TODAY, make_store, read_cases, sample_cases, settle, unlock
from .test_rules_screens import shows

LETTER = TODAY - dt.timedelta(days=3)


def _with_letter(case):
    return attrs.evolve(case, screening=attrs.evolve(case.screening, safeguarding_letter_on=LETTER))


async def _open(pilot) -> CaseScreen:
    await unlock(pilot)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CaseScreen)
    return screen


async def _palette(pilot, command: str) -> None:
    await pilot.press("ctrl+p", *command, "enter")
    await settle(pilot)


async def _edit_direction(pilot, screen: CaseScreen, direction_id: str) -> DirectionScreen:
    screen.set_focus(screen.query_one(f"#direction-edit-{direction_id}"))
    await pilot.press("enter")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, DirectionScreen)
    return dialog


async def test_a_persons_own_police_check_changes_only_what_involves_them(make_app, data_dir):
    """The respondent's own police check finds concerns: their WT4C and any contact (which
    involves both parents) are blocked; the applicant's WT4C is not judged on it."""
    make_store(data_dir)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)  # ZZ26P00001: case-wide answers all "no"
        await _palette(pilot, "go to safeguarding by person")
        # The section's first field: the applicant's police check; the respondent's is three
        # cards' worth of rows on (answer, answered on, answered by for three questions).
        assert screen.focused.key == "checks.party0000.police_check.answer"
        await pilot.press(*["tab"] * 9)
        assert screen.focused.key == "checks.party0001.police_check.answer"
        await pilot.press("enter", "down", "down", "enter")  # yes
        await settle(pilot)
        # Answered today by the officer, one keystroke.
        await shows(pilot, "Test Officer Ffug")
        grid = screen.query_one("#suitability-grid", SuitabilityGrid)
        assert grid.get_cell("party0001", Activity.WT4C.value).plain == "✗ blocked"
        assert grid.get_cell("party0000", Activity.WT4C.value).plain == "✓ eligible"
        assert grid.get_cell("party0000", Activity.CONTACT_SUPPORTED.value).plain.startswith("✗")
        await pilot.press("ctrl+q")
        await settle(pilot)
    case = read_cases(data_dir)["case0000"]
    own = case.screening.checks_of("party0001").police_check
    assert (own.answer, own.answered_on, own.answered_by) == (
        Answer.YES,
        TODAY,
        "Test Officer Ffug",
    )
    assert case.screening.checks_of("party0000") is None  # nothing recorded for her
    assert case.screening.police_check.answer is Answer.NO  # the case-wide answer stands


async def test_route_a_waits_for_each_parents_dated_agreement_and_the_consultation_note(
    make_app, data_dir
):
    cases = sample_cases()
    contact = Direction(
        activity=Activity.CONTACT_SUPPORTED,
        party_id="party0000",
        provider_id="sample-contact-ty-chwarae",
        funding=FundingRoute.FHDRA_AGREED,
        delivery="face_to_face",
        status=DirectionStatus.DIRECTED,
        directed_on=TODAY,
        id="dir-c",
    )
    cases[0] = attrs.evolve(_with_letter(cases[0]), directions=(contact,))
    make_store(data_dir, cases)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        card = screen.query_one("#direction-text-dir-c")
        assert "route (a) waits for: Rhiannon Ffug's agreement (not asked)" in card.render().plain
        dialog = await _edit_direction(pilot, screen, "dir-c")
        # An agreement dated in the future is refused beside it, and nothing is kept.
        dialog.set_focus(dialog.query_one("#direction-agreed-on-party0001"))
        await pilot.press(*"01/01/2099", "ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert "is in the future" in dialog.query_one("#row-agreed-on-party0001").error
        assert dialog.focused.id == "direction-agreed-on-party0001"
        await pilot.press("ctrl+u")
        dialog.set_focus(dialog.query_one("#direction-agreed-party0000"))
        # Rhiannon: yes, today, with a note; Pwyll: yes, today; then the consultation note.
        await pilot.press("enter", "down", "enter", "tab", *"16/03/2026", "tab", *"in court")
        await pilot.press("tab", "enter", "down", "enter", "tab", *"16/03/2026", "tab")
        await pilot.press("tab", *"The judge asked me about contact before ordering it")
        await pilot.pause()
        await shows(pilot, "Referral: ready to queue")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        card = screen.query_one("#direction-text-dir-c").render().plain
        assert "Referral: ready to queue" in card and "route (a)" not in card
        await pilot.press("ctrl+q")
        await settle(pilot)
    (direction,) = read_cases(data_dir)["case0000"].directions
    assert [(a.party_id, a.agreed, a.agreed_on) for a in direction.agreements] == [
        ("party0000", Agreed.YES, TODAY),
        ("party0001", Agreed.YES, TODAY),
    ]
    assert direction.agreements[0].note == "in court"
    assert direction.consultation_note.startswith("The judge asked me")


async def test_a_refused_application_waits_until_the_party_confirms_they_will_pay(
    make_app, data_dir
):
    cases = sample_cases()
    wt4c = Direction(
        activity=Activity.WT4C,
        party_id="party0000",
        provider_id="sample-wt4c-cardiff",
        funding=FundingRoute.FINANCIAL_ASSISTANCE,
        status=DirectionStatus.DIRECTED,
        directed_on=TODAY,
        assistance_applied_on=TODAY - dt.timedelta(days=7),
        assistance_decision=AssistanceDecision.REFUSED,
        id="dir-w",
    )
    cases[0] = attrs.evolve(_with_letter(cases[0]), directions=(wt4c,))
    make_store(data_dir, cases)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        card = screen.query_one("#direction-text-dir-w").render().plain
        assert "Referral: waiting" in card
        assert "the referral waits until Rhiannon Ffug confirms they will pay £150.00" in card
        dialog = await _edit_direction(pilot, screen, "dir-w")
        dialog.set_focus(dialog.query_one("#direction-told-on"))
        await pilot.press(*"09/03/2026")  # told of financial assistance a week ago
        dialog.set_focus(dialog.query_one("#direction-pays-on"))
        await pilot.press(*"16/03/2026")
        await pilot.pause()
        await shows(pilot, "Referral: ready to queue")
        await pilot.press("ctrl+s")
        await settle(pilot)
        card = screen.query_one("#direction-text-dir-w").render().plain
        assert "Referral: ready to queue · the party pays £150.00" in card
        await pilot.press("ctrl+q")
        await settle(pilot)
    (direction,) = read_cases(data_dir)["case0000"].directions
    assert direction.pays_confirmed_on == TODAY
    assert direction.pays_confirmed_by == "Test Officer Ffug"  # the case's officer
    assert direction.assistance_told_on == dt.date(2026, 3, 9)
