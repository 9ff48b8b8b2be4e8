"""Issue 13's friction, each seen as a new officer saw it, driven from the keyboard."""

from __future__ import annotations

from duty_tui.screens.case import CaseScreen
from duty_tui.screens.prompt import PromptScreen
from records.model import Activity

from .conftest import SIZE, make_store, read_cases, screen_text, settle
from .test_rules_screens import cell, open_case, shows, to_matrix
from .test_sync_ui import queueable_cases


async def test_a_withdrawn_referral_reads_withdrawn_on_its_direction(make_app, data_dir):
    make_store(data_dir, queueable_cases())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot)
        screen.set_focus(screen.query_one("#direction-queue-dir-1"))
        await pilot.press("enter")
        await settle(pilot)
        [referral] = screen.case.referrals
        screen.set_focus(screen.query_one(f"#referral-withdraw-{referral.id}"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        # The question names what is withdrawn (item 9).
        await shows(pilot, "Withdraw the referral for Working Together for Children")
        assert "for Rhiannon Ffug?" in screen_text(app)
        await pilot.press(*"court changed its order", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        card = screen.query_one("#direction-text-dir-1").render().plain
        assert "Referral: withdrawn (central not yet told)" in card
        assert "queued (see Referrals)" not in card
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert read_cases(data_dir)["case0000"].referrals[0].reason.startswith("withdrawn")


async def test_a_question_mark_cell_says_what_is_missing(make_app, stored):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot)  # screening answered for the respondent; no assessment yet
        grid = await to_matrix(pilot)
        # Screening is complete: supervised contact waits for the assessment and the letter.
        supervised = cell(grid, "party0001", Activity.CONTACT_SUPERVISED)
        assert supervised == "? needs your assessment + the letter"
        await pilot.press("ctrl+q")
        await settle(pilot)


async def test_example_placeholders_are_marked_as_examples(make_app, stored):
    """A grey "CF10 1AA" in an empty Postcode looked entered: examples say "e.g."."""
    from textual.widgets import Input

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot)
        postcode = screen.query_one("#f-party-party0000-postcode FieldInput")
        number = screen.query_one("#f-case-case_number FieldInput")
        assert postcode.placeholder.startswith("e.g. ")
        assert number.placeholder.startswith("e.g. ")
        # No placeholder anywhere on the case screen is a bare postcode or case number.
        for field in screen.query(Input):
            shown = field.placeholder
            assert not any(c.isdigit() for c in shown) or shown.startswith(
                ("e.g. ", "DD/MM/YYYY", "received on DD/MM/YYYY")
            ), shown
        await pilot.press("ctrl+q")
        await settle(pilot)


async def test_f1_and_the_key_line_follow_the_dialog(make_app, stored):
    """In the New case dialog the key line showed the duty list's keys and F1 did nothing."""
    from duty_tui.screens.help import HelpScreen
    from duty_tui.screens.new_case import NewCaseScreen

    from .conftest import unlock

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NewCaseScreen)
        bottom = screen_text(app).splitlines()[-1]
        assert "esc Cancel" in bottom and "f1 Help" in bottom
        assert "New case" not in bottom and "Open the case" not in bottom
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "escape")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
