"""The court directs a blocked activity anyway (issue 13, item 10), driven from the keyboard.

Blocked cell → Enter → "Record the court's direction anyway" with the court's reason → the cell
says "! court-directed" → a provider → Queue asks a question naming the activity, the party and
the advice: "No" and Escape queue nothing (on disk), "Yes" queues one referral whose payload says
it is against the rules' advice.
"""

from __future__ import annotations

import datetime as dt

import attrs

from duty_tui.screens.confirm import ConfirmScreen
from duty_tui.screens.direction import DirectionScreen
from duty_tui.screens.options_picker import OptionsPickerScreen
from duty_tui.screens.prompt import PromptScreen
from duty_tui.screens.verdict import VerdictScreen
from records.model import Activity, Answer, Case, DirectionStatus, ReferralState, ScreeningAnswer
from store import Store
from store.outbox import Outbox

from .conftest import (
    PASSPHRASE,
    SIZE,
    TODAY,
    make_store,
    read_cases,
    sample_cases,
    screen_text,
    settle,
    wait_until,
)
from .test_rules_screens import cell, open_case, shows, to_cell, to_matrix

WT4C_NAME = "Working Together for Children (WT4C)"


def abuse_alleged() -> list[Case]:
    """ZZ26P00001 with domestic abuse alleged: WT4C is blocked (WT4C-NO-RISK). The letter is on
    file (PD12B 14.13(d)), the court found no fact-finding needed and the applicant's legal aid
    is known: only the advice stands."""
    cases = sample_cases()
    first = cases[0]
    abuse = ScreeningAnswer(
        answer=Answer.YES, answered_on=TODAY - dt.timedelta(days=7), answered_by="PC Example"
    )
    no = attrs.evolve(abuse, answer=Answer.NO)
    screening = attrs.evolve(
        first.screening,
        domestic_abuse=abuse,
        # PD12J: the court decided no fact-finding hearing is needed (else the cell waits).
        fact_finding_needed=no,
        safeguarding_letter_on=TODAY - dt.timedelta(days=3),
    )
    applicant = attrs.evolve(first.parties[0], legal_aid=Answer.YES)
    cases[0] = attrs.evolve(first, screening=screening, parties=[applicant, *first.parties[1:]])
    return cases


async def record_the_courts_direction(pilot, reason: str) -> None:
    """From the blocked cell's dialog: d, then the court's reason (pasted, as from notes)."""
    app = pilot.app
    assert isinstance(app.screen, VerdictScreen)
    await pilot.press("d")
    await settle(pilot)
    prompt = app.screen
    assert isinstance(prompt, PromptScreen)
    prompt.query_one("#prompt-answer").value = reason
    await pilot.press("enter")
    await settle(pilot)


async def test_the_court_directs_a_blocked_activity_and_the_officer_confirms_it(make_app, data_dir):
    make_store(data_dir, abuse_alleged())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        case_screen = await open_case(pilot)
        grid = await to_matrix(pilot)
        assert cell(grid, "party0000", Activity.WT4C) == "✗ blocked"
        await to_cell(pilot, grid, 0, Activity.WT4C)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, VerdictScreen)
        shown = screen_text(app)
        assert "Record the court's direction anyway (d)" in shown
        assert "Choose a provider" not in shown

        # A huge reason (a whole judgment pasted) is refused beside the field, text kept.
        await record_the_courts_direction(pilot, "The court said so. " * 200)
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        row = prompt.query_one("#row-answer")
        assert row.error == "the court's reason is 3799 characters long; the most allowed is 2000"
        assert "3799 characters long;" in screen_text(app)
        assert prompt.query_one("#prompt-answer").value.startswith("The court said so.")
        # Control characters and an escape sequence are cleaned; Welsh letters are kept.
        prompt.query_one(
            "#prompt-answer"
        ).value = "Mae'r llys\x1b[31m o'r farn bod y cwrs yn addas i Ŵyn a Pŷr\x07"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is case_screen
        (direction,) = case_screen.case.directions
        assert direction.status is DirectionStatus.DIRECTED and not direction.provider_id
        assert direction.court_override is not None
        assert direction.court_override.reason == (
            "Mae'r llys o'r farn bod y cwrs yn addas i Ŵyn a Pŷr"
        )
        assert direction.court_override.recorded_by == "Test Officer Ffug"
        (block,) = direction.court_override.blocks
        assert block.rule_id == "WT4C-NO-RISK"

        # The cell says so at a glance: never "eligible".
        assert cell(grid, "party0000", Activity.WT4C) == "! court-directed"
        assert cell(grid, "party0001", Activity.WT4C) == "✗ blocked"  # only that party
        await to_matrix(pilot)
        await shows(pilot, "! court-directed")

        # Now a provider may be chosen: p from the dialog, as for an eligible cell.
        await to_cell(pilot, grid, 0, Activity.WT4C)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, VerdictScreen)
        shown = screen_text(app)
        title = app.screen.query_one("#verdict-title").render().plain
        assert title.endswith("(applicant): ! court-directed, against the rules' advice")
        assert "against this advice: Domestic abuse alleged or found: yes" in shown
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, OptionsPickerScreen)
        await pilot.press(*"eryri", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DirectionScreen)
        app.screen.set_focus(app.screen.query_one("#direction-directed-on"))
        await pilot.press(*"16/03/2026", "ctrl+s")
        await settle(pilot)
        assert app.screen is case_screen
        (direction,) = case_screen.case.directions
        assert direction.provider_id and direction.court_override is not None
        await shows(pilot, "ready to queue once you confirm it")

        async def ask_to_queue() -> ConfirmScreen:
            case_screen.set_focus(case_screen.query_one(f"#direction-queue-{direction.id}"))
            await pilot.press("enter")
            await settle(pilot)
            confirm = app.screen
            assert isinstance(confirm, ConfirmScreen)
            return confirm

        # The question names the activity, the party, the advice and the court's reason.
        confirm = await ask_to_queue()
        shown = confirm.query_one("#confirm-question").render().plain
        assert f"Queue the referral for {WT4C_NAME} for Rhiannon Ffug?" in shown
        assert "against the rules' advice" in shown
        assert "Domestic abuse alleged or found: yes" in shown
        assert "Ŵyn a Pŷr" in shown
        await pilot.press("n")  # No
        await settle(pilot)
        assert app.screen is case_screen
        assert app.desk.outbox().entries() == []  # read from the store: nothing queued
        assert case_screen.case.referrals == ()

        await ask_to_queue()
        await pilot.press("escape")
        await settle(pilot)
        assert app.desk.outbox().entries() == []

        await ask_to_queue()
        await pilot.press("y")
        await settle(pilot)
        await wait_until(pilot, lambda: len(case_screen.case.referrals) == 1)
        await shows(pilot, "queued (revision 1)")
        (referral,) = case_screen.case.referrals
        card = case_screen.query_one(f"#referral-text-{referral.id}").render().plain
        assert "queued (revision 1) · against the rules' advice" in card
        await pilot.press("ctrl+q")
        await settle(pilot)

    store = Store.open(data_dir, PASSPHRASE)
    try:
        (entry,) = Outbox(store).entries()
        against = entry.payload["against_rules_advice"]
        assert against["court_reason"] == "Mae'r llys o'r farn bod y cwrs yn addas i Ŵyn a Pŷr"
        assert [b["rule_id"] for b in against["blocking_reasons"]] == ["WT4C-NO-RISK"]
    finally:
        store.close()
    case = read_cases(data_dir)["case0000"]
    (referral,) = case.referrals
    assert referral.state is ReferralState.QUEUED


async def test_withdrawing_the_courts_direction_puts_the_block_back(make_app, data_dir):
    make_store(data_dir, abuse_alleged())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        case_screen = await open_case(pilot)
        grid = await to_matrix(pilot)
        await to_cell(pilot, grid, 0, Activity.WT4C)
        await pilot.press("enter")
        await settle(pilot)
        await record_the_courts_direction(pilot, "Directed at the hearing")
        assert cell(grid, "party0000", Activity.WT4C) == "! court-directed"

        await to_matrix(pilot)
        await to_cell(pilot, grid, 0, Activity.WT4C)
        await pilot.press("enter")
        await settle(pilot)
        assert "Withdraw the court's direction (w)" in screen_text(app)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is case_screen
        assert cell(grid, "party0000", Activity.WT4C) == "✗ blocked"
        (direction,) = case_screen.case.directions
        assert direction.court_override is None
        await pilot.press("ctrl+q")
        await settle(pilot)

    trail = [e.action for e in _audit(data_dir) if e.action.startswith("court override")]
    assert trail == ["court override recorded", "court override withdrawn"]


def _audit(data_dir):
    from duty_tui.services.audit import AuditLog

    store = Store.open(data_dir, PASSPHRASE)
    try:
        return AuditLog(store, "reader").entries()
    finally:
        store.close()
