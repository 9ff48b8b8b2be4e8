"""Issue 13's friction items 4, 8, 10, 11 and 12: each seen as the officer saw it, from the
keyboard, asserting what the screen shows and what is on disk."""

from __future__ import annotations

from textual.widgets import DataTable

from duty_tui.widgets.duty_table import DutyTable

from .conftest import COURT, SIZE, screen_text, settle, unlock


def _column(app, label: str) -> list[str]:
    return [cell.plain for cell in app.screen.query_one(DutyTable).column(label)]


# --- item 12: the duty list's Court column --------------------------------------------------


async def test_the_court_column_names_every_rows_court(make_app, stored):
    """In filter results and in "All courts" the home court's rows had a blank Court cell."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("c")
        await settle(pilot)
        courts = _column(app, "Court")
        assert courts == [COURT, COURT, COURT, "Other Court"]
        await pilot.press("c", "slash", *"ffug")
        await settle(pilot)
        assert _column(app, "Court") == [COURT, COURT]
        assert "Example Family Court" in screen_text(app)
        await pilot.press("ctrl+q")
        await settle(pilot)


# --- item 12: a next-available date that has passed -----------------------------------------


async def test_a_next_available_date_in_the_past_reads_available_now(make_app, stored):
    """On 30/11 a provider read "next 27/11/2026": a date that has come means available now
    (here today is 04/12 and the sample directory has providers next available 30/11, 01/12)."""
    import datetime as dt

    from duty_tui.screens.options_picker import OptionsPickerScreen

    from .test_rules_screens import to_matrix

    app = make_app(today=dt.date(2026, 12, 4))
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("slash", *"ZZ26P00001", "enter")
        await settle(pilot)
        await to_matrix(pilot)
        await pilot.press("enter", "p")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, OptionsPickerScreen)
        dates = {o.provider.next_available for o in picker.options.ranked}
        assert any(d is not None and d < dt.date(2026, 12, 4) for d in dates)  # the case tried
        shown = screen_text(app)
        assert "available now" in shown
        assert "next 2" not in shown and "next 01/12" not in shown, shown
        await pilot.press("escape", "escape")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)


# --- item 12: "Directed on" when the court directs it ---------------------------------------


async def _direction_dialog(pilot):
    """ZZ26P00001's applicant x WT4C: Enter (why), p (picker), Enter (the first provider)."""
    from duty_tui.screens.direction import DirectionScreen
    from records.model import Activity

    from .test_rules_screens import open_case, to_cell, to_matrix

    await open_case(pilot)
    grid = await to_matrix(pilot)
    await to_cell(pilot, grid, 0, Activity.WT4C)
    await pilot.press("enter", "p")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DirectionScreen)
    return pilot.app.screen


async def test_directed_on_says_at_once_that_it_is_the_officers_to_enter(make_app, stored):
    """Choosing "Directed by the court" left "Directed on" blank until the direction was kept,
    when the hearing's date was filled in unseen. The date of the order is never assumed
    (issue 11, item 6): the row says so as soon as the court directs it, not on saving."""
    from textual.widgets import Input

    from duty_tui.widgets.field import FieldRow

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _direction_dialog(pilot)
        directed_on = dialog.query_one("#direction-directed-on", Input)
        row = dialog.query_one("#row-directed-on", FieldRow)
        assert directed_on.value == "" and row.error == ""
        await pilot.press("enter", "down", "enter")  # Status: Directed by the court
        await settle(pilot)
        assert directed_on.value == ""  # nothing assumed
        assert row.error == "enter it: never assumed"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)


# --- item 12: typing into a dropdown ---------------------------------------------------------


async def test_typing_into_a_dropdown_never_changes_the_choice(make_app, data_dir):
    """Enter on Role, then a court name typed and Enter: Role changed silently and the form
    moved on. Letters typed into a dropdown, open or closed, leave its choice as it was."""
    from textual.widgets import Select

    from .conftest import make_store, notified

    make_store(data_dir, profile=False)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        assert "Who is on duty" in screen_text(app)
        role = app.screen.query_one("#officer-role", Select)
        await pilot.press(*"Officer Sample", "enter", "enter")  # Role's list opens
        await settle(pilot)
        assert role.expanded
        # "Family Court" is in both roles' words: Textual's type-to-search jumped to one.
        await pilot.press(*"FCSW Family Court", "enter")
        await settle(pilot)
        assert role.value == "FCA"
        assert "Role is still: FCA: Family Court Adviser" in notified(app)
        # On the closed dropdown too, letters choose nothing.
        role.expanded = False
        role.focus()
        await pilot.press(*"FCSW")
        await settle(pilot)
        assert role.value == "FCA" and not role.expanded
        # Arrows and Enter still choose, as the notice says.
        await pilot.press("enter", "down", "enter")
        await settle(pilot)
        assert role.value == "FCSW"
        await pilot.press("ctrl+q")
        await settle(pilot)


# --- item 4: F1 names things as the officer sees them ----------------------------------------


async def test_help_names_fields_buttons_and_screens_as_shown(make_app, stored):
    """F1 said "This field (Button)" and "Keys: LockScreen": class names, not what is seen."""
    import re

    from duty_tui.screens.help import HelpScreen

    from .test_rules_screens import open_case

    def help_text() -> str:
        assert isinstance(app.screen, HelpScreen)
        return screen_text(app)

    # A class name: a capitalised word with another capital inside it (FieldInput, LockScreen).
    class_name = re.compile(r"\b[A-Z][a-z]+[A-Z]\w*|\((Input|Button|Select|DataTable)\)")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot)
        screen.set_focus(screen.query_one("#f-case-case_number FieldInput"))
        await pilot.press("f1")
        await settle(pilot)
        shown = help_text()
        assert "Keys: Case" in shown and "This field: Case number" in shown
        assert not class_name.search(shown), class_name.search(shown)
        await pilot.press("escape")
        await settle(pilot)
        screen.set_focus(screen.query_one("#remove-child-child0000"))
        await pilot.press("f1")
        await settle(pilot)
        shown = help_text()
        assert "This button: Remove" in shown, shown
        assert not class_name.search(shown), class_name.search(shown)
        await pilot.press("escape", "ctrl+l")
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        shown = help_text()
        assert "Keys: Locked" in shown and "This field: the passphrase" in shown, shown
        assert not class_name.search(shown), class_name.search(shown)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)


# --- item 4: the focus is obvious at a glance ------------------------------------------------


def _rgb(color) -> tuple[int, int, int]:
    triplet = color.get_truecolor() if color is not None else None
    return (triplet.red, triplet.green, triplet.blue) if triplet else (0, 0, 0)


def _apart(a, b) -> float:
    """How far apart two colours are (RGB distance): a 5% tint, one shade of grey, is ~20."""
    return sum((x - y) ** 2 for x, y in zip(_rgb(a), _rgb(b), strict=True)) ** 0.5


async def test_the_focused_control_stands_out(make_app, stored):
    """A focused dropdown differed from the others by one shade of grey. Each kind of control
    looks clearly different focused: its background (fields, lists, buttons) or its edge
    (tables) takes the accent colour."""
    from textual.widgets import Button, Input, Select

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        table = app.screen.query_one(DutyTable)
        edge = table.region.x, table.region.y + 1
        focused_edge = app.screen.get_style_at(*edge).color
        app.screen.set_focus(app.screen.query_one("#duty-filter"))
        await settle(pilot)
        assert _apart(focused_edge, app.screen.get_style_at(*edge).color) > 80
        await pilot.press("escape", "enter")
        await settle(pilot)
        screen = app.screen
        controls = [
            screen.query_one("#f-case-case_number FieldInput", Input),
            screen.query_one("#f-party-party0000-role Select", Select),
            screen.query_one("#remove-child-child0000", Button),
        ]
        for control in controls:
            screen.set_focus(control)  # scrolled into view
            await settle(pilot)
            region = control.region
            spot = region.x + region.width - 3, region.y  # past any text and the cursor
            focused = screen.get_style_at(*spot).bgcolor
            screen.set_focus(None)  # nothing else scrolls into view: the control stays put
            await settle(pilot)
            assert control.region == region
            unfocused = screen.get_style_at(*spot).bgcolor
            assert _apart(focused, unfocused) > 80, (control, focused, unfocused)
        await pilot.press("ctrl+q")
        await settle(pilot)


# --- item 8: the sync log in words ------------------------------------------------------------


def _a_day_of_syncing(data_dir) -> str:
    """A referral for case0000's applicant queued, not delivered while central was down,
    acknowledged, then amended: as the outbox logs it. Returns the referral's id."""
    import attrs

    from records.model import Referral, ReferralState
    from store import Store
    from store.outbox import Acknowledged, Outbox, Retry
    from tests.sync.helpers import sample_payload

    from .conftest import PASSPHRASE, make_store
    from .test_sync_ui import queueable_cases

    cases = queueable_cases()
    direction = cases[0].directions[0]
    referral = Referral(
        direction_id=direction.id,
        party_id=direction.party_id,
        activity=direction.activity,
        provider_id=direction.provider_id,
        state=ReferralState.QUEUED,
        revision=2,
    )
    cases[0] = attrs.evolve(cases[0], referrals=(referral,))
    make_store(data_dir, cases)
    store = Store.open(data_dir, PASSPHRASE)
    try:
        outbox = Outbox(store)
        first = outbox.enqueue(referral.id, 1, case_id="case0000", payload=sample_payload())
        outbox.note("unreachable", "central unreachable (ConnectError)", count=1)
        outbox.mark_sent([first.key])
        outbox.record([Retry(first.key, 0.0, "central unreachable (ConnectError)")])
        outbox.mark_sent([first.key])
        outbox.record([Acknowledged(first.key, "CR-1")])
        outbox.enqueue(
            referral.id,
            2,
            case_id="case0000",
            payload=sample_payload(),
            supersedes=1,  # an amendment: the referral sent again as revision 2
        )
    finally:
        store.close()
    return referral.id


async def test_the_sync_log_says_what_happened_in_words(make_app, data_dir):
    """The log missed the attempts while central was down (tests/sync: the engine now logs
    them), showed an amendment as "queued ... refer", raw 32-character ids, and cut details."""
    import re

    from duty_tui.screens.sync_log import SyncLogScreen

    referral_id = _a_day_of_syncing(data_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await pilot.press("ctrl+p", *"sync log", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SyncLogScreen)
        shown = screen_text(app)
        assert referral_id not in shown and not re.search(r"[0-9a-f]{16}", shown), shown
        # Each line as the table holds it (the screen wraps them within their column).
        table = app.screen.query_one(DataTable)
        rows = [
            " | ".join(" ".join(cell.plain.split()) for cell in table.get_row_at(index))
            for index in range(table.row_count)
        ]
        assert rows[0].endswith(
            "Queued: an amendment | ZZ26P00001 WT4C for Rhiannon Ffug (applicant), revision 2"
        ), rows
        assert rows[1].endswith("Central acknowledged 1 referral | ")
        assert rows[2].endswith(
            "1 referral not delivered; will try again central unreachable (ConnectError) | "
        )
        assert rows[3].endswith(
            "Central unreachable central unreachable (ConnectError); 1 referral waiting | "
        )
        assert rows[4].endswith(
            "Queued: a new referral | ZZ26P00001 WT4C for Rhiannon Ffug (applicant), revision 1"
        )
        # On screen at 80x24, whole: every word of every line is shown (wrapped, not cut).
        words = set(shown.split())
        for row in rows:
            missing = [w for w in row.split()[2:] if w != "|" and w not in words]
            assert not missing, (row, missing, shown)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)


# --- item 11: usable at 80x24 -------------------------------------------------------------------


async def test_at_80x24_the_app_keys_court_and_providers_show(make_app, stored):
    """At 80x24 the key line lost ^q, ^l and f1, the heading lost the court, and the provider
    picker showed one provider and cut its own key line."""
    from duty_tui.screens.options_picker import OptionsPickerScreen
    from records.model import Activity

    from .test_rules_screens import to_cell, to_matrix

    def bottom() -> str:
        return screen_text(app).splitlines()[-1]

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        shown = screen_text(app)
        assert COURT in shown.splitlines()[0]
        assert all(key in bottom() for key in ("^q Quit", "^l Lock", "f1 Help")), bottom()
        assert "⏎ Open the case" in bottom()
        # The notes column is not pushed off the right-hand edge.
        assert "screening incomplete" in shown
        await pilot.press("enter")
        await settle(pilot)
        assert all(key in bottom() for key in ("^q Quit", "^l Lock", "f1 Help")), bottom()
        grid = await to_matrix(pilot)
        await to_cell(pilot, grid, 0, Activity.WT4C)
        await pilot.press("enter", "p")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, OptionsPickerScreen)
        shown = screen_text(app)
        names = [o.provider.name for o in picker.options.ranked]
        assert sum(name in shown for name in names) >= 2, shown
        assert "Enter chooses · ↓ to the list · ctrl+o why not others · Escape cancels" in shown
        assert all(key in bottom() for key in ("esc Cancel", "^q Quit", "f1 Help")), bottom()
        await pilot.press("escape", "escape")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)


async def test_at_80_columns_a_fields_reason_is_readable(make_app, stored):
    """Beside a 40-wide field, at 80 columns, the reason was a column of a few letters a line;
    it goes on its own line under the field."""
    from duty_tui.widgets.field import FieldRow

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await pilot.press("enter")
        await settle(pilot)
        row = app.screen.query_one("#f-party-party0000-postcode", FieldRow)
        row.control.focus()
        await pilot.press(*"XX1", "tab")
        await settle(pilot)
        assert "'XX1' is not a UK postcode (like CF10 1AA)" in screen_text(app)
        await pilot.press("ctrl+q")
        await settle(pilot)
