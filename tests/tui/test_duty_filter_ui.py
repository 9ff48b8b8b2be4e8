"""The duty list as an officer types into its filter and moves through it (issue 13 item 13:
the list was rebuilt as a DataTable on every keystroke, several frames each over 10,000 cases;
it is now drawn line by line). What is asserted is what the screen shows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from duty_tui.screens.case import CaseScreen
from duty_tui.screens.duty_list import DutyListScreen
from duty_tui.widgets.duty_table import DutyTable
from records.model import Case, Child, Hearing, Jurisdiction, Party, PartyRole

from ..services.test_duty_search_oracle import oracle
from .conftest import (
    COURT,
    OFFICER,
    SIZE,
    TODAY,
    make_store,
    screen_text,
    send_burst,
    settle,
    wait_for_keys,
    wait_until,
)
from .conftest import unlock as unlock_store

FIRST = ["Gwenllïan", "Dafydd", "Siân", "Rhys", "Owain", "Eleri"]
LAST = ["Ŵyn Ffug", "Pŷr Example", "ap Sample", "Ffug"]
COURTS = [COURT, COURT, COURT, "Caerdydd Family Court"]
TODAYS = 45  # more than the 40-line screen holds


def many_cases() -> list[Case]:
    """45 hearings today at the officer's court, then 40 more over the week at two courts."""
    cases = []
    for n in range(TODAYS + 40):
        first, last = FIRST[n % len(FIRST)], LAST[(n // 2) % len(LAST)]
        today = n < TODAYS
        cases.append(
            Case(
                case_number=f"ZZ26P{n:05d}",
                court=COURT if today else COURTS[n % len(COURTS)],
                jurisdiction=Jurisdiction.WALES,
                hearing=Hearing(date=TODAY + dt.timedelta(days=0 if today else n % 7 - 3)),
                officer=OFFICER,
                parties=[
                    Party(name=f"{first} {last}", role=PartyRole.APPLICANT, id=f"p{n}a"),
                    Party(name=f"Alex{n} {last}", role=PartyRole.RESPONDENT, id=f"p{n}r"),
                ],
                children=[Child(name=f"Child{n} Ffug", date_of_birth=dt.date(2019, 5, 1))],
                id=f"case{n:04d}",
            )
        )
    return cases


def summaries(cases: list[Case]) -> dict[str, dict]:
    return {
        c.id: {
            "case_number": c.case_number,
            "court": c.court,
            "hearing_date": c.hearing.date.isoformat(),
            "parties": [p.name for p in c.parties],
        }
        for c in cases
    }


def shown(app) -> list[str]:
    return app.screen.query_one(DutyTable).keys


def number(case_id: str) -> str:
    return f"ZZ26P{int(case_id.removeprefix('case')):05d}"


async def unlock(pilot) -> None:
    await unlock_store(pilot)
    assert isinstance(pilot.app.screen, DutyListScreen)


def visible_rows_match(app, ids: list[str]) -> None:
    """The rows the screen has room for are drawn, in order, and nothing else is."""
    text = screen_text(app)
    table = app.screen.query_one(DutyTable)
    room = table.size.height - 1  # less the header
    lines = [line for line in text.splitlines() if "ZZ26P" in line]
    assert [number(i) in line for i, line in zip(ids[:room], lines, strict=False)] == [True] * min(
        room, len(ids)
    ), (ids[:room], lines)
    assert len(lines) == min(room, len(ids))


QUERIES = ["gwenllian", "pyr", "GWENLLÏAN ŵyn", "ffug 17/03", "zz26p0004", "caerdydd", "nobody"]


async def test_each_query_shows_exactly_the_oracles_rows(make_app, data_dir: Path):
    cases = many_cases()
    make_store(data_dir, cases)
    expected_of = {q: oracle(summaries(cases), q) for q in QUERIES}
    assert all(len(ids) <= 50 for ids in expected_of.values())  # all shown: none cut off
    assert expected_of["nobody"] == [] and all(expected_of[q] for q in QUERIES[:-1])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        for query in QUERIES:
            await pilot.press("slash", *query)
            await settle(pilot)
            expected = expected_of[query]
            assert shown(app) == expected, query
            visible_rows_match(app, expected)
            text = screen_text(app)
            if not expected:
                assert "No case matches. Escape clears the filter." in text
            elif len(expected) == 1:
                assert "1 case matches" in text
            else:
                assert f"{len(expected)} cases match" in text
            await pilot.press("escape")
            await settle(pilot)


async def test_keys_piling_up_end_on_the_rows_of_the_last_query(make_app, data_dir: Path):
    """Typed faster than the screen is drawn: every key is queued before the app runs any.
    Whatever was shown on the way, the rows at the end are those of the final query."""
    cases = many_cases()
    make_store(data_dir, cases)
    burst = [
        *"ffu",
        "backspace",
        *"ug",
        " ",
        *"gwenl",
        "backspace",
        "backspace",
        *"nllï",
        *"an",
        " ",
        *"zz26p0004",
    ]
    final = "ffug gwenllïan zz26p0004"
    expected = oracle(summaries(cases), final)
    assert 0 < len(expected) < len(oracle(summaries(cases), "ffug gwenllïan"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("slash")
        await settle(pilot)
        applied = app.keys_applied
        send_burst(app, burst)
        await wait_for_keys(pilot, applied + len(burst))
        await settle(pilot)
        assert app.screen.query_one("#duty-filter").value == final
        assert shown(app) == expected
        visible_rows_match(app, expected)
        # And back out again in one burst, to the two words before.
        applied = app.keys_applied
        send_burst(app, ["backspace"] * len(" zz26p0004"))
        await wait_for_keys(pilot, applied + len(" zz26p0004"))
        await settle(pilot)
        assert shown(app) == oracle(summaries(cases), "ffug gwenllïan")


async def test_moving_through_the_list_and_opening_a_case(make_app, data_dir: Path):
    cases = many_cases()
    make_store(data_dir, cases)
    ids = [c.id for c in cases if c.hearing.date == TODAY and c.court == COURT]
    assert len(ids) > SIZE[1]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        table = app.screen.query_one(DutyTable)
        assert shown(app) == ids
        assert table.cursor_key == ids[0]
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor_key == ids[-1]
        assert number(ids[-1]) in screen_text(app)  # scrolled to it
        assert number(ids[0]) not in screen_text(app)
        await pilot.press("home")
        await settle(pilot)
        assert table.cursor_key == ids[0] and number(ids[0]) in screen_text(app)
        await pilot.press("pagedown")
        await settle(pilot)
        page = table.size.height - 1
        assert table.cursor_key == ids[page]
        assert number(ids[page]) in screen_text(app)
        await pilot.press("pageup", "down", "down", "up")
        await settle(pilot)
        assert table.cursor_key == ids[1]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen))
        assert app.screen.case.id == ids[1]
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DutyListScreen))
        await settle(pilot)
        assert app.screen.query_one(DutyTable).cursor_key == ids[1]  # back where it was


async def test_the_case_under_the_cursor_stays_under_it_while_filtering(make_app, data_dir):
    cases = many_cases()
    make_store(data_dir, cases)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        table = app.screen.query_one(DutyTable)
        await pilot.press(*["down"] * 12)  # case0012, Gwenllïan ap Sample
        await settle(pilot)
        chosen = table.cursor_key
        assert chosen == "case0012"
        await pilot.press("slash", *"gwenl")
        await settle(pilot)
        assert chosen in shown(app) and shown(app)[0] != chosen
        assert table.cursor_key == chosen
        await pilot.press(*"lian zz26p0000")  # case0012 no longer matches
        await settle(pilot)
        assert chosen not in shown(app)
        assert table.cursor_key == shown(app)[0]


async def test_a_click_moves_the_cursor_and_a_second_click_opens(make_app, data_dir):
    make_store(data_dir, many_cases())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        table = app.screen.query_one(DutyTable)
        await pilot.click(DutyTable, offset=(4, 4))  # the header, then rows 0, 1, 2, 3
        await settle(pilot)
        assert table.cursor_key == "case0003"
        assert isinstance(app.screen, DutyListScreen)
        await pilot.click(DutyTable, offset=(4, 4))
        await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen))
        assert app.screen.case.id == "case0003"
