"""A stored case whose child has turned 18 since the hearing opens, says so on the child's card,
and can be worked on: the age is checked where it is entered, not when a case is read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.widgets import Static

from duty_tui.screens.case import CaseScreen
from records.caseformat import case_to_dict
from records.summary import case_summary
from store import KdfParams, Store
from store.cases import CaseRepository

from .conftest import (
    PASSPHRASE,
    SIZE,
    TODAY,
    make_store,
    read_cases,
    sample_cases,
    screen_text,
    settle,
    unlock,
    wait_until,
)

CASE_ID = "case0000"
CHILD_ID = "child0000"
# TODAY is 16/03/2026: the child turned 18 on 10/03/2026, the day after the hearing.
BORN = "2008-03-10"
HEARING = "2026-03-09"


def store_aged_case(data_dir: Path) -> None:
    """The case as saved on the hearing day, when its child was 17: what is on disk a week on.
    Written as a document, as the store holds it (no record of it is built today)."""
    make_store(data_dir, sample_cases()[1:])
    case = sample_cases()[0]
    document = case_to_dict(case)
    document["hearing"]["date"] = HEARING
    document["children"][0]["date_of_birth"] = BORN
    summary = case_summary(case) | {"hearing_date": HEARING}
    store = Store.open(data_dir, PASSPHRASE)
    try:
        store.save_case(CASE_ID, document, summary)
    finally:
        store.close()


def test_the_store_reads_it(data_dir):
    store_aged_case(data_dir)
    store = Store.open(data_dir, PASSPHRASE)
    try:
        case = CaseRepository(store).get(CASE_ID)
    finally:
        store.close()
    assert case.children[0].date_of_birth == dt.date(2008, 3, 10)


async def test_it_opens_with_a_note_on_the_childs_card_and_takes_edits(make_app, data_dir):
    store_aged_case(data_dir)
    app = make_app(today=TODAY, kdf=KdfParams.for_tests())
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        app.open_case(CASE_ID)
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen), "the case did not open"
        note = app.screen.query_one(f"#child-note-{CHILD_ID}", Static)
        assert note.display
        assert str(note.content).startswith("18 since 10/03/2026: no longer a child.")
        note.scroll_visible(animate=False)
        await wait_until(pilot, lambda: "no longer a child" in screen_text(app))
        title = app.screen.query_one(f"#child-{CHILD_ID} .card-title", Static)
        assert str(title.content).endswith(", 18")
        # The rest of the case is worked on as ever; the child's record is kept as it was.
        court = app.screen.query_one("#f-case-court").control
        court.value = "Court Typed After The Birthday"
        await pilot.pause()  # its Changed message
        app.screen.commit_pending()
        await pilot.press("ctrl+q")
    stored = read_cases(data_dir)[CASE_ID]
    assert stored.court == "Court Typed After The Birthday"
    assert stored.children[0].date_of_birth == dt.date(2008, 3, 10)


async def test_a_birth_typed_today_is_still_checked_against_the_hearing(make_app, data_dir):
    store_aged_case(data_dir)
    app = make_app(today=TODAY, kdf=KdfParams.for_tests())
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        app.open_case(CASE_ID)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        row = screen.query_one(f"#f-child-{CHILD_ID}-date_of_birth")
        # 18 on the hearing day (09/03/2026): refused beside the field, kept as typed.
        row.control.value = "09/03/2008"
        await pilot.pause()
        screen.commit_pending()
        assert row.error == "09/03/2008 is 18 or more years ago: not a child"
        # Typed back as it was recorded: taken (17 at the hearing), and the note stays.
        row.control.value = "10/03/2008"
        await pilot.pause()
        screen.commit_pending()
        assert not row.error
        assert screen.query_one(f"#child-note-{CHILD_ID}", Static).display
        await pilot.press("ctrl+q")
