"""s11G monitoring, taking part and the jurisdiction on the case screen, keyboard only.

An officer records the court's request to monitor a direction, a session the party missed and
the date the court expects the report; the direction's card and the duty list then say what is
owed. The party card records an interpreter and the Welsh active offer; a Welsh court with
jurisdiction England is flagged. Asserted on the screen and on disk.
"""

from __future__ import annotations

import datetime as dt

from duty_tui.screens.case import CaseScreen
from duty_tui.screens.monitoring import MonitoringScreen
from records.model import Attendance, Jurisdiction, Need, WelshOffer

from .conftest import SIZE, TODAY, make_store, read_cases, screen_text, settle
from .test_rules_screens import open_case, shows
from .test_sync_ui import queueable_cases


async def test_monitoring_is_recorded_and_falls_due(make_app, data_dir):
    make_store(data_dir, queueable_cases())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot)
        screen.set_focus(screen.query_one("#direction-monitor-dir-1"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MonitoringScreen)
        await shows(pilot, "Monitoring (s11G)")
        # Asked by; asked on and the period's start default to the order date.
        await pilot.press(*"District Judge Test")
        # No end to the period: refused beside the field, which takes the focus; nothing kept.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MonitoringScreen)
        await shows(pilot, "monitoring to is")  # "... required", wrapped beside the field
        await pilot.press(*"16/05/2026", "tab", "tab", "tab")  # report due, reported on
        await pilot.press(*"16/03/2026", "tab", "enter", "down", "enter", "tab")
        await pilot.press(*"provider's register", "enter")  # Enter adds the session
        await settle(pilot)
        await shows(pilot, "16/03/2026 did not attend · provider's register")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        card = screen.query_one("#direction-text-dir-1").render().plain
        assert "Monitoring (s11G): asked by District Judge Test" in card
        assert "1 session(s) recorded, 1 not attended" in card
        # No date from the court for the report: due at once, and a warning to record it.
        assert "report the failure to comply to the court now" in card
        assert "record the date the court expects the report" in card
        # Back on the duty list, the case says what is owed to the court.
        await pilot.press("escape")
        await settle(pilot)
        await shows(pilot, "monitoring due 16/03/2026")
        await pilot.press("ctrl+q")
        await settle(pilot)
    m = read_cases(data_dir)["case0000"].directions[0].monitoring
    assert m is not None and m.asked_by == "District Judge Test"
    assert m.period_to == dt.date(2026, 5, 16)
    [session] = m.sessions
    assert (session.on, session.attendance) == (TODAY, Attendance.DID_NOT_ATTEND)
    assert session.source == "provider's register"


async def test_participation_is_captured_on_the_party_card(make_app, stored):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot)
        prefix = "#f-party-party0001-participation"
        screen.set_focus(screen.query_one(f"{prefix}-interpreter FieldSelect"))
        await pilot.press("enter", "down", "down", "enter")  # not asked yet -> no -> yes
        await pilot.press("tab", *"Polish", "tab")
        await pilot.press(*"step-free access", "tab")
        await pilot.press("tab")  # separate arrival: left at no
        await pilot.press("enter", "down", "down", "enter")  # Welsh offered: chose English
        await settle(pilot)
        # Answering the offer dates it today, as a screening answer is.
        await shows(pilot, "offered: chose English")
        await pilot.press("ctrl+q")
        await settle(pilot)
    party = read_cases(stored)["case0000"].party("party0001")
    p = party.participation
    assert (p.interpreter, p.interpreter_language) == (Need.YES, "Polish")
    assert p.adjustments == "step-free access" and p.separate_arrival is False
    assert (p.welsh_offer, p.welsh_offer_on) == (WelshOffer.ENGLISH, TODAY)


async def test_a_welsh_court_in_england_is_flagged_and_the_matrix_follows(make_app, stored):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot)
        assert "reads as a court in" not in screen_text(app)
        screen.set_focus(screen.query_one("#f-case-court FieldInput"))
        await pilot.press("ctrl+u", *"Cardiff Civil and Family Justice Centre", "tab")
        await pilot.press("enter", "down", "enter")  # jurisdiction: England
        await settle(pilot)
        shown = await shows(pilot, "reads as a court in Wales, but the jurisdiction is England")
        assert "FHDRA · Cafcass · officer" in shown  # the service line follows the choice
        assert "rule JUR-COURT" in shown
        grid = screen.query_one("#suitability-grid")
        assert "PTfC" in [str(c.label) for c in grid.columns.values()]
        assert "WT4C" not in [str(c.label) for c in grid.columns.values()]
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert read_cases(stored)["case0000"].jurisdiction is Jurisdiction.ENGLAND
