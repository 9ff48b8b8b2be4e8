"""Suitability, options and directions on the case screen, driven from the keyboard.

A duty officer opens a case, reads the party × activity matrix, asks why, picks a provider the
rules allow, captures the direction the court made (the wording refused when s11A forbids it),
and queues the referral. Asserted on the screen and on disk.
"""

from __future__ import annotations

import time

from duty_tui.screens.assessment import AssessmentScreen
from duty_tui.screens.case import CaseScreen
from duty_tui.screens.direction import DirectionScreen
from duty_tui.screens.options_picker import OptionsPickerScreen
from duty_tui.screens.verdict import VerdictScreen
from duty_tui.widgets.suitability_grid import SuitabilityGrid
from records.model import (
    Activity,
    Answer,
    DirectionStatus,
    FundingRoute,
    ReferralState,
)
from store import Store
from store.outbox import Outbox

from .conftest import PASSPHRASE, SIZE, TODAY, read_cases, screen_text, settle, unlock


async def open_case(pilot, row: int = 0) -> CaseScreen:
    await unlock(pilot)
    await pilot.press(*["down"] * row, "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CaseScreen)
    return screen


async def to_matrix(pilot) -> SuitabilityGrid:
    """As an officer would: the command palette's "Suitability" command."""
    await pilot.press("ctrl+p", *"suitability", "enter")
    await settle(pilot)
    grid = pilot.app.screen.focused
    assert isinstance(grid, SuitabilityGrid)
    return grid


async def to_cell(pilot, grid: SuitabilityGrid, party_row: int, activity: Activity) -> None:
    await pilot.press(*["up"] * 5, *["left"] * 6)
    column = grid.activities.index(activity)  # only the jurisdiction's activities are columns
    await pilot.press(*["down"] * party_row, *["right"] * column)
    assert grid.cursor_coordinate == (party_row, column)


async def shows(pilot, text: str, timeout: float = 10.0) -> str:
    """Wait until ``text`` is on the screen (a focus change scrolls after the next layout,
    later on a loaded machine); return the screen text. Fails with what the screen shows."""
    deadline = time.monotonic() + timeout
    while True:
        shown = screen_text(pilot.app)
        if text in shown or time.monotonic() > deadline:
            assert text in shown
            return shown
        await pilot.pause(0.05)


def cell(grid: SuitabilityGrid, party_id: str, activity: Activity) -> str:
    return grid.get_cell(party_id, activity.value).plain


async def test_pick_an_option_capture_the_direction_and_queue_it(make_app, stored):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        case_screen = await open_case(pilot)  # ZZ26P00001 Rhiannon Ffug v Pwyll Ffug, all "no"
        # The safeguarding letter reached the court (PD12B 14.13(d): no referral without it).
        letter = case_screen.query_one("#f-screening-safeguarding_letter_on").control
        case_screen.set_focus(letter)
        await pilot.press(*"13/03/2026", "enter")
        await settle(pilot)
        grid = await to_matrix(pilot)
        assert cell(grid, "party0000", Activity.WT4C) == "✓ eligible"
        # PTfC and CCI run in England only: a Welsh case's matrix has no column for them.
        assert Activity.PTFC not in grid.activities and Activity.CCI not in grid.activities
        assert "PTfC" not in screen_text(app)

        # Enter on applicant × WT4C: every reason with its rule and source.
        await to_cell(pilot, grid, 0, Activity.WT4C)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, VerdictScreen)
        shown = screen_text(app)
        assert "Working Together for Children (WT4C) for Rhiannon Ffug" in shown
        assert "✓ eligible" in shown
        assert "runs in Wales; this case is in Wales" in shown
        assert "rule JUR-WT4C · Cafcass Cymru: WT4C, mediation information session" in shown
        assert "Domestic abuse alleged or found: no (answered 09/03/2026 by PC Example)" in shown
        assert "rule WT4C-NO-RISK · Cafcass Cymru: WT4C suitability and arrangements" in shown

        # p: the options picker, only providers the rules allow, filtered as we type.
        await pilot.press("p")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, OptionsPickerScreen)
        allowed = [o.provider.name for o in picker.options.ranked]
        assert allowed and all(name in screen_text(app) for name in allowed)
        await pilot.press(*"eryri")
        await pilot.pause()
        shown = screen_text(app)
        assert "Eryri Family Learning" in shown
        assert all(name not in shown for name in allowed if "Eryri" not in name)
        # ctrl+o: why the others are missing, each with its reason.
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert "does not provide Working Together for Children" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)

        # The direction: directed by the court, the party pays; the wording is shown.
        assert isinstance(app.screen, DirectionScreen)
        assert "Eryri Family Learning" in screen_text(app)
        await pilot.press("enter", "down", "enter")  # status: directed
        await pilot.pause()
        # The order's date is never assumed: blank, and said so, until the officer enters it.
        assert app.screen.query_one("#direction-directed-on").value == ""
        date_row = app.screen.query_one("#row-directed-on")
        assert "enter it: never assumed" in date_row.error
        await pilot.press("tab", *"16/03/2026")
        await pilot.press("tab", "tab", "enter", "down", "down", "enter")  # funding: paid
        await pilot.pause()
        assert date_row.error == ""
        shown = screen_text(app)
        assert "Under section 11A of the Children Act 1989, Rhiannon Ffug" in shown
        # A case in Wales: the order's Welsh beside the English, whatever the screens' language.
        assert "Wording, Cymraeg: O dan adran 11A o Ddeddf Plant 1989, rhaid i Rhiannon" in shown
        # Extra terms that would require mediation itself are refused (s11A), text kept.
        terms = app.screen.query_one("#direction-terms")
        app.screen.set_focus(terms)
        await pilot.press(*"and attend mediation with the respondent", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DirectionScreen)
        shown = screen_text(app)
        assert "s11A" in shown and "may not require taking part in mediation" in shown
        assert terms.value == "and attend mediation with the respondent"
        await pilot.press("ctrl+u", "ctrl+y")  # clear the terms; copy the wording
        await pilot.pause()
        # Both texts, Welsh first as on the court's bilingual documents.
        assert app.clipboard.startswith("O dan adran 11A o Ddeddf Plant 1989, rhaid i Rhiannon")
        assert "\n\nUnder section 11A of the Children Act 1989, Rhiannon" in app.clipboard
        assert "Sample: Eryri Family Learning (remote)" in app.clipboard
        assert "Sample: Eryri Family Learning (o bell)" in app.clipboard
        await pilot.press("ctrl+s")
        await settle(pilot)

        # Back on the case, on the new direction's card: ready to queue. Tab, tab, Enter.
        case_screen = app.screen
        assert isinstance(case_screen, CaseScreen)
        (direction,) = case_screen.case.directions
        assert case_screen.focused.id == f"direction-edit-{direction.id}"
        await shows(pilot, "Referral: ready to queue")
        await pilot.press("tab", "tab")
        assert case_screen.focused.id == f"direction-queue-{direction.id}"
        await pilot.press("enter")
        await settle(pilot)
        (referral,) = case_screen.case.referrals
        # The focus follows the referral to its card, which says where it is.
        assert case_screen.focused.id == f"referral-withdraw-{referral.id}"
        shown = await shows(pilot, "queued (revision 1)")
        assert "1 referral not yet acknowledged" in shown
        # Queued once: later changes go as amendments, not a second "Queue referral".
        assert not case_screen.query(f"#direction-queue-{direction.id}")
        assert (
            "Referral: queued (see Referrals)"
            in case_screen.query_one(f"#direction-text-{direction.id}").render().plain
        )
        await pilot.press("ctrl+q")
        await settle(pilot)

    case = read_cases(stored)["case0000"]
    (direction,) = case.directions
    assert direction.activity is Activity.WT4C
    assert direction.party_id == "party0000"
    assert direction.status is DirectionStatus.DIRECTED
    assert direction.directed_on == TODAY  # as the officer entered it
    assert direction.funding is FundingRoute.PAID
    assert direction.provider_id and direction.notes == ""
    assert direction.wording.startswith("Under section 11A of the Children Act 1989")
    assert direction.wording_cy.startswith("O dan adran 11A o Ddeddf Plant 1989")
    (referral,) = case.referrals
    assert referral.state is ReferralState.QUEUED and referral.direction_id == direction.id
    store = Store.open(stored, PASSPHRASE)
    try:
        (entry,) = Outbox(store).entries()
        assert entry.referral_id == referral.id and entry.revision == 1
        assert entry.payload["provider_id"] == direction.provider_id
        # The referral carries the order's words in both languages (a case in Wales).
        assert entry.payload["wording"] == direction.wording
        assert entry.payload["wording_cy"] == direction.wording_cy
    finally:
        store.close()


async def test_the_matrix_follows_the_screening(make_app, stored):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, row=1)  # ZZ26P00002: nothing answered yet
        grid = screen.query_one(SuitabilityGrid)
        assert cell(grid, "party0002", Activity.WT4C) == "? needs screening"
        # Domestic abuse: "yes" (the select's third choice), from the keyboard.
        select = screen.query_one("#f-screening-domestic_abuse-answer FieldSelect")
        screen.set_focus(select)
        await pilot.press("enter", "down", "down", "enter")
        await settle(pilot)
        assert screen.case.screening.domestic_abuse.answer is Answer.YES
        assert cell(grid, "party0002", Activity.WT4C) == "✗ blocked"
        assert cell(grid, "party0003", Activity.MEDIATION_INFO) == "✗ blocked"
        await to_matrix(pilot)
        await shows(pilot, "✗ blocked")


async def test_a_blocked_cell_explains_and_offers_no_provider(make_app, stored):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot)
        # The police check found concerns: WT4C is blocked (PTfC, blocked by the jurisdiction
        # before, has no column in a Welsh case any more).
        screen = app.screen
        screen.set_focus(screen.query_one("#f-screening-police_check-answer FieldSelect"))
        await pilot.press("enter", "down", "enter")  # no -> yes
        await settle(pilot)
        grid = await to_matrix(pilot)
        await to_cell(pilot, grid, 0, Activity.WT4C)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, VerdictScreen)
        shown = screen_text(app)
        assert "✗ blocked" in shown
        assert "rule WT4C-NO-RISK" in shown
        assert "Choose a provider" not in shown
        await pilot.press("p")  # nothing to choose from: the key does nothing
        await pilot.pause()
        assert isinstance(app.screen, VerdictScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen)


async def test_supervised_contact_waits_for_the_officers_own_assessment(make_app, stored):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot)
        grid = await to_matrix(pilot)
        await to_cell(pilot, grid, 1, Activity.CONTACT_SUPERVISED)
        await pilot.press("enter")
        await settle(pilot)
        assert "needs the officer's recorded assessment" in screen_text(app)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AssessmentScreen)
        await pilot.press("enter")  # no reason given: refused beside the field
        await pilot.pause()
        assert isinstance(app.screen, AssessmentScreen)
        assert "reason" in screen_text(app).lower()
        await pilot.press(*"Spoke with both; supervision addresses the risk", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        (assessment,) = screen.case.assessments
        assert assessment.assessed_by == "Test Officer Ffug"
        assert assessment.party_id == "party0001"
        await to_cell(pilot, grid, 1, Activity.CONTACT_SUPERVISED)
        await pilot.press("enter")
        await settle(pilot)
        shown = screen_text(app)
        assert "needs the officer's recorded assessment" not in shown
        assert "Spoke with both" in shown  # the tool quotes the judgement it did not make
        await pilot.press("escape", "ctrl+q")
        await settle(pilot)
    assert read_cases(stored)["case0000"].assessments == (assessment,)


async def test_a_change_after_queueing_is_offered_as_an_amendment(make_app, data_dir):
    from .conftest import make_store
    from .test_sync_ui import queueable_cases

    make_store(data_dir, queueable_cases())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot)
        screen.set_focus(screen.query_one("#direction-queue-dir-1"))
        await pilot.press("enter")
        await settle(pilot)
        [referral] = screen.case.referrals
        assert not screen.query(f"#referral-amend-{referral.id}")
        # The applicant's phone number is typed after queueing: the referral is now stale.
        phone = screen.query_one("#f-party-party0000-phone FieldInput")
        screen.set_focus(phone)
        await pilot.press(*"029 2000 0000", "tab")
        await settle(pilot)
        amend = screen.query_one(f"#referral-amend-{referral.id}")
        screen.set_focus(amend)
        await shows(pilot, "Send the changes (amend)")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.focused.id == f"referral-withdraw-{referral.id}"
        await shows(pilot, "queued (revision 2)")
        assert not screen.query(f"#referral-amend-{referral.id}")
        await pilot.press("ctrl+q")
        await settle(pilot)

    store = Store.open(data_dir, PASSPHRASE)
    try:
        first, second = sorted(Outbox(store).entries(), key=lambda e: e.revision)
        assert (first.revision, second.revision, second.supersedes) == (1, 2, 1)
        assert second.payload != first.payload
    finally:
        store.close()
    assert read_cases(data_dir)["case0000"].referrals[0].revision == 2


async def test_queueing_records_the_funding_route_the_rules_settled(make_app, data_dir):
    import attrs

    from .conftest import make_store
    from .test_sync_ui import queueable_cases

    cases = queueable_cases()
    first = cases[0]
    # No funding route recorded: legal aid "no" settles it (the party pays).
    applicant = attrs.evolve(first.parties[0], legal_aid=Answer.NO)
    direction = attrs.evolve(first.directions[0], funding=None)
    cases[0] = attrs.evolve(first, parties=[applicant, *first.parties[1:]], directions=(direction,))
    make_store(data_dir, cases)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot)
        assert "the party pays £150.00" in screen.query_one("#direction-text-dir-1").render().plain
        screen.set_focus(screen.query_one("#direction-queue-dir-1"))
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
    case = read_cases(data_dir)["case0000"]
    assert case.directions[0].funding is FundingRoute.PAID
    assert case.referrals[0].state is ReferralState.QUEUED


async def test_a_final_order_is_captured_as_an_s11c_condition_never_an_s11a_direction(
    make_app, stored
):
    """Issue 11 item 1: the officer records the order made; an s11A direction on a final order
    is refused where it is entered (s11A(7)), and a condition is worded under s11C."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot)
        grid = await to_matrix(pilot)
        await to_cell(pilot, grid, 0, Activity.WT4C)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("enter")  # the first option the rules allow
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DirectionScreen)
        await pilot.press("enter", "down", "enter")  # status: directed
        await pilot.press("tab", "tab", "tab", "enter", "down", "down", "enter")  # funding: paid
        screen.set_focus(screen.query_one("#direction-terms"))
        await pilot.press("tab")
        assert screen.focused.id == "direction-order-type"
        await pilot.press("enter", "down", "enter")  # order: final
        # Beside the field (a narrow column: the reason wraps, so its words are checked).
        # (Its last words, "s11A(7)", may sit below the form's fold: the readiness lines under
        # the form grew with the participation warnings.)
        shown = await shows(pilot, "a final order takes an")
        assert "Activity direction (s11A)" in shown
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen  # refused: nothing kept, the form as typed
        # The refusal takes the officer to the field that fixes it.
        assert screen.focused.id == "direction-provision"
        await pilot.press("enter", "down", "enter")  # made as: activity condition (s11C)
        shown = await shows(pilot, "As an activity condition under section 11C")
        assert "s11A(7)" not in shown
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("ctrl+q")
        await settle(pilot)

    (direction,) = read_cases(stored)["case0000"].directions
    assert (direction.order_type.value, direction.provision.value) == ("final", "condition")


async def test_s11b_a_child_party_who_is_not_a_parent_cannot_be_directed(make_app, stored):
    """Issue 11 item 2: recorded on the party's card, from the keyboard, kept on disk, and the
    direction for them says it cannot be made (Children Act 1989 s11B)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot)
        residence = screen.query_one("#f-party-party0000-habitually_resident FieldSelect")
        screen.set_focus(residence)
        await pilot.press("enter", "down", "down", "enter")  # yes
        await pilot.press("tab")
        assert screen.focused is screen.query_one("#f-party-party0000-is_child FieldSelect")
        await pilot.press("enter", "down", "enter")  # under 18: yes
        await settle(pilot)
        party = screen.case.party("party0000")
        assert (party.habitually_resident, party.is_child, party.child_is_a_parent) == (
            Answer.YES,
            True,
            False,
        )
        grid = await to_matrix(pilot)
        await to_cell(pilot, grid, 0, Activity.WT4C)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DirectionScreen)
        shown = await shows(pilot, "Referral: cannot be made as it stands")
        assert "recorded as a child who is not a parent" in shown
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)

    party = read_cases(stored)["case0000"].party("party0000")
    assert (party.habitually_resident, party.is_child) == (Answer.YES, True)
