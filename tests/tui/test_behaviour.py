"""The app's promises: filter as you type, user keymap, idle lock, plain text only, bad input
kept with its reason, wrong passphrases slowed down."""

from __future__ import annotations

import datetime as dt
import time

from textual import events

from duty_tui.config import Config, load_config
from duty_tui.screens.case import CaseScreen
from duty_tui.screens.duty_list import DutyListScreen
from duty_tui.screens.help import HelpScreen
from duty_tui.screens.lock import LockScreen
from duty_tui.screens.unlock import UnlockScreen, retry_delay
from duty_tui.widgets.duty_table import DutyTable
from duty_tui.widgets.field import FieldRow
from records.model import Party, PartyRole
from store import KdfParams, Store

from .conftest import (
    PASSPHRASE,
    SIZE,
    TODAY,
    make_store,
    notified,
    read_cases,
    sample_cases,
    screen_text,
    settle,
    unlock,
    wait_until,
)

NAMES = ("Rhiannon Ffug", "Pwyll Ffug", "Alex Example", "Sam Sample", "Pryderi Ffug")


def table_case_ids(app) -> list[str]:
    return app.screen.query_one(DutyTable).keys


# --- the duty list ---------------------------------------------------------------------------


async def test_duty_list_shows_todays_hearings_at_the_officers_court(make_app, stored):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        assert isinstance(app.screen, DutyListScreen)
        assert table_case_ids(app) == ["case0000", "case0001", "case0002"]
        shown = screen_text(app)
        assert "Monday 16 March 2026 (today)" in shown
        assert "screening incomplete" in shown  # ZZ26P00002 has no answers yet
        assert "1 more at other courts" in shown
        await pilot.press("right_square_bracket")
        assert table_case_ids(app) == ["case0003"]
        await pilot.press("left", "left")  # left/right on the list move days too
        assert table_case_ids(app) == []
        assert "No hearings" in screen_text(app)
        await pilot.press("t", "c")
        assert table_case_ids(app) == ["case0000", "case0001", "case0002", "case0004"]


async def test_filter_as_you_type_across_days(make_app, stored):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("slash", *"ffug")
        # Today's Ffugs and tomorrow's: the filter looks across days.
        assert table_case_ids(app) == ["case0000", "case0003"]
        assert "17/03/2026" in screen_text(app)
        await pilot.press("space", *"olwen")
        assert table_case_ids(app) == ["case0003"]
        await pilot.press("enter")  # one match: Enter opens it
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.case.id == "case0003"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("slash", *"p00002", "escape")
        assert app.screen.query_one("#duty-filter").value == ""
        assert table_case_ids(app) == ["case0000", "case0001", "case0002"]


async def test_a_filter_typed_fast_ends_on_the_rows_of_the_whole_query(make_app, stored):
    # Keys arrive faster than the app handles them (as a fast typist's do): every one is
    # applied, in order, and what shows when the typing stops is the search for the whole text,
    # whichever keystrokes the list skipped rebuilding because their rows did not change.
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("slash")
        typed = "ffug olwenx"
        for key in [*typed.replace(" ", "_"), "backspace"]:
            name = {"_": "space"}.get(key, key)
            char = " " if name == "space" else (None if name == "backspace" else name)
            app._driver.send_message(events.Key(name, char))
        filter_input = app.screen.query_one("#duty-filter")
        await wait_until(pilot, lambda: filter_input.value == "ffug olwen")
        await pilot.pause()
        assert table_case_ids(app) == ["case0003"]
        assert "1 case matches" in screen_text(app)
        # Back to a broader query: the list widens again, not stuck on the narrow result.
        for _ in "olwen ":
            app._driver.send_message(events.Key("backspace", None))
        await wait_until(pilot, lambda: filter_input.value == "ffug")
        await pilot.pause()
        assert table_case_ids(app) == ["case0000", "case0003"]
        # A keystroke that matches no case empties the list and says so.
        await pilot.press("x")
        await pilot.pause()
        assert table_case_ids(app) == []
        assert "No case matches" in screen_text(app)


async def test_new_case_refuses_a_number_already_listed(make_app, stored):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("n", *"zz26p00001", "enter", "enter", "enter", "enter")
        row = app.screen.query_one("#row-new-number", FieldRow)
        assert "already on the list" in row.error
        await pilot.press("escape")
        assert isinstance(app.screen, DutyListScreen)


# --- keymap and help -------------------------------------------------------------------------


async def test_user_keymap_overrides_bindings_by_id(make_app, stored):
    config = Config(keymap={"app.lock": "f9", "duty.new_case": "a"})
    app = make_app(config=config)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("n")  # no longer bound
        assert isinstance(app.screen, DutyListScreen)
        await pilot.press("a")
        assert app.screen.__class__.__name__ == "NewCaseScreen"
        await pilot.press("escape", "ctrl+l")
        assert not app.locked
        await pilot.press("f9")
        assert isinstance(app.screen, LockScreen)


async def test_bad_config_is_reported_and_the_defaults_keep_working(make_app, stored, tmp_path):
    """NaN minutes would never lock; a key Textual cannot produce would take / away. Both are
    reported when the app opens, the defaults are used, and the good entry still applies."""
    path = tmp_path / "config.toml"
    path.write_text(
        "idle_lock_minutes = nan\n"
        "[keymap]\n"
        '"duty.filter" = "nonsense+++key"\n'
        '"duty.filtre" = "f5"\n'
        '"app.lock" = "f9"\n'
    )
    now = [1000.0]
    app = make_app(config=load_config(path), clock=lambda: now[0])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        shown = notified(app)
        assert "idle_lock_minutes nan is not a number of minutes" in shown
        assert "'duty.filter': 'nonsense+++key': 'nonsense' is not a modifier" in shown
        assert "'duty.filtre': no such binding (did you mean 'duty.filter'?)" in shown
        await unlock(pilot)
        app.clear_notifications()
        await pilot.pause()
        assert "nonsense" not in screen_text(app)  # the footer shows no broken key
        await pilot.press("slash", *"ffug")  # the default key still filters
        assert table_case_ids(app) == ["case0000", "case0003"]
        await pilot.press("escape")
        now[0] += 5 * 60 + 1  # the default idle lock, 5 minutes
        # The idle check runs on a timer: wait for the lock, not for a guessed time.
        await wait_until(pilot, lambda: isinstance(app.screen, LockScreen))
        await unlock(pilot)
        assert isinstance(app.screen, DutyListScreen)
        await pilot.press("f9")  # the good entry beside the bad ones took effect
        assert isinstance(app.screen, LockScreen)


async def test_f1_shows_the_keys_of_the_focused_field_and_screen(make_app, stored):
    app = make_app(config=Config(keymap={"case.add_person": "ctrl+o"}))
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        assert "This field" in shown and "Go to start" in shown  # the focused Input's keys
        assert "This screen" in shown and "Add person" in shown and "^o" in shown
        assert "Everywhere" in shown and "Lock" in shown
        await pilot.press("escape")
        assert isinstance(app.screen, CaseScreen)


# --- locking ---------------------------------------------------------------------------------


async def test_idle_lock_hides_every_name(make_app, stored):
    now = [1000.0]
    app = make_app(clock=lambda: now[0], idle_lock_seconds=300)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock(pilot)
        await pilot.press("enter")
        await settle(pilot)
        app.notify("Pwyll Ffug: a toast that names a party")
        await pilot.press(*"ab")  # typing into the case number: not valid, kept as a draft
        now[0] += 301
        # The idle check runs every second.
        await wait_until(
            pilot, lambda: isinstance(app.screen, LockScreen) and "locked" in screen_text(app)
        )
        shown = screen_text(app)
        assert "locked" in shown
        for name in (*NAMES, "ZZ26P0000"):
            assert name not in shown
        # A notification while locked waits for the unlock.
        app.notify("Rhiannon Ffug: arrives while locked")
        await pilot.pause()
        assert "Rhiannon" not in screen_text(app)
        # ctrl+p would list cases: it does nothing while locked.
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, LockScreen)
        await unlock(pilot, "wrong passphrase")
        assert isinstance(app.screen, LockScreen)
        assert "not right" in screen_text(app)
        # The first wrong try waits one second, counted down on screen.
        await wait_until(pilot, lambda: "not right. Try again." in screen_text(app))
        await unlock(pilot)
        assert isinstance(app.screen, CaseScreen)
        number = app.screen.query_one("#f-case-case_number", FieldRow)
        assert number.control.value == "ab"  # focus selects the field: typing replaced it
        assert "is not a case number" in number.error


async def test_activity_postpones_the_idle_lock(make_app, stored):
    now = [1000.0]
    app = make_app(clock=lambda: now[0], idle_lock_seconds=300)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        now[0] += 299
        await pilot.press("down")
        now[0] += 299
        app.check_idle_lock()
        assert not app.locked
        now[0] += 2
        app.check_idle_lock()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)


async def test_lock_key_locks_at_once(make_app, stored):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("ctrl+l")
        assert isinstance(app.screen, LockScreen)
        assert "Rhiannon" not in screen_text(app)
        await unlock(pilot)
        assert isinstance(app.screen, DutyListScreen)


async def test_wrong_passphrase_waits_longer_each_time(make_app, stored):
    assert [retry_delay(n) for n in range(8)] == [0, 1, 2, 4, 8, 16, 30, 30]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, "not the passphrase")
        assert isinstance(app.screen, UnlockScreen)
        shown = screen_text(app)
        assert "did not unlock" in shown and "1 s" in shown
        for name in NAMES:
            assert name not in shown
        await pilot.press("x", "enter")  # too soon: refused without trying
        assert app.screen.failures == 1
        await wait_until(pilot, lambda: "did not unlock the store. Try again." in screen_text(app))
        await unlock(pilot)
        assert isinstance(app.screen, DutyListScreen)


async def test_store_in_use_says_so(make_app, stored):
    other = Store.open(stored, PASSPHRASE)
    try:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await unlock(pilot)
            assert isinstance(app.screen, UnlockScreen)
            assert "already open in another duty-tui window" in screen_text(app)
    finally:
        other.close()


async def test_a_store_without_a_profile_asks_for_one(make_app, data_dir):
    make_store(data_dir, profile=False)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        assert "Who is on duty" in screen_text(app)
        await pilot.press(*"Officer Sample", "enter", "tab", *"Example Family Court", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DutyListScreen)
        assert "Officer Sample" in screen_text(app)


# --- plain text only -------------------------------------------------------------------------


async def test_markup_and_escapes_are_shown_literally(make_app, data_dir):
    case = sample_cases()[0]
    parties = (
        Party(name="[red]x[/]", role=PartyRole.APPLICANT, id="markup"),
        Party(name="[link=http://example.com]Link[/link] Ffug", role=PartyRole.RESPONDENT),
    )
    import attrs

    make_store(data_dir, [attrs.evolve(case, parties=parties)])
    # The index is data too: a summary written by anything else must not style the screen.
    store = Store.open(data_dir, PASSPHRASE)
    from records.caseformat import case_to_dict
    from records.summary import case_summary

    other = sample_cases()[1]
    summary = case_summary(other) | {"parties": ["\x1b[31mEvil\x1b[0m", "[bold]Bold[/bold]"]}
    store.save_case(other.id, case_to_dict(other), summary)
    store.close()

    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await unlock(pilot)
        shown = screen_text(app)
        assert "[red]x[/] v [link=http://example.com]Link[/link] Ffug" in shown
        assert "?[31mEvil?[0m v [bold]Bold[/bold]" in shown
        # The palette lists the same names as typed.
        await pilot.press("ctrl+p", *"[red")
        await settle(pilot)
        assert "[red]x[/]" in screen_text(app)
        await pilot.press("escape")
        await pilot.press("enter")
        await settle(pilot)
        shown = screen_text(app)
        assert "ZZ26P00001 [red]x[/] v [link=http://example.com]Link[/link] Ffug" in shown
        # Typed markup goes into the record as text and shows as text.
        await pilot.press(*["tab"] * 5, "ctrl+u", *"[b]Y[/b]", "tab")
        await settle(pilot)
        assert app.screen.case.parties[0].name == "[b]Y[/b]"
        assert "Applicant: [b]Y[/b]" in screen_text(app)


# --- bad input -------------------------------------------------------------------------------


async def test_bad_date_and_postcode_show_the_reason_and_keep_the_text(make_app, stored):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("enter")
        await settle(pilot)
        # Hearing date: 31 February.
        await pilot.press("tab", "ctrl+u", *"31/02/2026", "tab")
        await settle(pilot)
        date_row = app.screen.query_one("#f-hearing-date", FieldRow)
        assert date_row.control.value == "31/02/2026"
        assert "'31/02/2026' is not a date" in date_row.error
        assert app.screen.case.hearing.date == TODAY  # the record keeps its last valid state
        # The applicant's postcode.
        # Tab selects the field's text, so typing replaces it with no empty moment between
        # (an empty postcode is valid: "not known yet"; on a busy machine the debounce could
        # commit it before the next key).
        await pilot.press(*["tab"] * 4, *"XX1", "tab")
        await settle(pilot)
        key = "f-party-party0000-postcode"
        postcode_row = app.screen.query_one(f"#{key}", FieldRow)
        assert postcode_row.control.value == "XX1"
        assert "is not a UK postcode" in postcode_row.error
        shown = screen_text(app)
        assert "is not a date" in shown and "is not a UK postcode" in shown
        assert "2 fields to correct" in shown
        # Locking and unlocking keeps both as typed.
        await pilot.press("ctrl+l")
        await unlock(pilot)
        assert app.screen.query_one(f"#{key}", FieldRow).control.value == "XX1"
        # Leaving the case and coming back too (the drafts live in the app and the store).
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        date_row = app.screen.query_one("#f-hearing-date", FieldRow)
        assert date_row.control.value == "31/02/2026"
        assert "is not a date" in date_row.error
        # Correcting it clears the reason and saves.
        date_row.control.focus()
        await pilot.press("ctrl+u", *"17/3/2026", "tab")
        await settle(pilot)
        assert date_row.error == ""
        assert app.screen.case.hearing.date == dt.date(2026, 3, 17)
        assert date_row.control.value == "17/03/2026"  # shown the way it is stored
        await pilot.press("ctrl+q")
        await settle(pilot)
    saved = read_cases(stored)["case0000"]
    assert saved.hearing.date == dt.date(2026, 3, 17)
    assert saved.parties[0].postcode == "CF10 1AA"


async def test_removing_a_child_asks_first(make_app, stored):
    app = make_app()
    async with app.run_test(size=(120, 100)) as pilot:
        await unlock(pilot)
        await pilot.press("enter")
        await settle(pilot)
        app.screen.query_one("#remove-child-child0000").focus()
        await pilot.press("enter")
        assert "Remove the child Pryderi Ffug" in screen_text(app)
        await pilot.press("n")
        assert len(app.screen.case.children) == 1
        await pilot.press("enter", "y")
        await settle(pilot)
        assert app.screen.case.children == ()
        assert "No children yet" in screen_text(app)


async def test_new_store_uses_the_kdf_it_is_given(make_app, data_dir):
    """Tests pass KdfParams.for_tests(); the app passes it to Store.create unchanged."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*PASSPHRASE, "enter", *PASSPHRASE, "enter", *"A B", "enter", "tab")
        await pilot.press(*"Court", "enter")
        await settle(pilot)
    assert Store.kdf_params(data_dir) == KdfParams.for_tests()


async def test_a_weak_passphrase_is_refused_with_advice(make_app, data_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # the first-run form appears once the store module has loaded
        await pilot.press(*"short")
        assert "too short" in screen_text(app)
        await pilot.press("enter", "enter", *"A B", "enter", "tab", *"Court", "enter")
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert "Passphrase too short" in screen_text(app)
    assert not Store.exists(data_dir)


async def test_keys_typed_while_starting_are_kept(make_app, stored):
    """An officer who types the passphrase as the app opens loses no letter of it."""
    app = make_app()
    typed: list[str] = []

    async def type_at_once(pilot) -> None:
        # Before the first screen is mounted: no field has the focus yet.
        for char in PASSPHRASE:
            app.post_message(events.Key(char if char != " " else "space", char))
        app.post_message(events.Key("enter", None))
        for _ in range(100):
            await settle(pilot)
            if isinstance(app.screen, DutyListScreen):
                break
        typed.append(type(app.screen).__name__)
        app.exit()

    await app.run_async(headless=True, size=SIZE, auto_pilot=type_at_once)
    assert typed == ["DutyListScreen"]


async def test_reopening_a_case_at_once_shows_the_latest_edit(make_app, stored):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("enter")
        await settle(pilot)
        # The applicant's name (number, date, court, jurisdiction, role, name), still within
        # the debounce when Escape leaves the case.
        await pilot.press(*["tab"] * 5, *"Quick Name")
        saver = app.desk.saver
        real_repo = saver._repo

        class SlowDisk:
            def save(self, case):
                time.sleep(0.5)  # the write is still under way when the case is reopened
                real_repo.save(case)

        saver._repo = SlowDisk()
        await pilot.press("escape")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.case.id == "case0000"
        assert app.screen.case.parties[0].name == "Quick Name"
