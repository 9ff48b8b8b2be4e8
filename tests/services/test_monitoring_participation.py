"""Issue 11 items 3, 9 and 13 as rules: what s11G monitoring owes and when, the duty list's
mark, matching providers on taking part, and a jurisdiction across the border."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from duty_tui.services import jurisdiction
from duty_tui.services.duty_index import row_from_summary
from duty_tui.services.followups import FollowUpKind, followups
from duty_tui.services.monitoring import due_items
from duty_tui.services.options import Directory, find, providers_from_csv
from records.model import (
    Activity,
    Answer,
    Attendance,
    DirectionStatus,
    Jurisdiction,
    Language,
    Monitoring,
    Need,
    PartyRole,
    SessionRecord,
    WelshOffer,
)
from records.summary import case_summary
from tests.services.factories import (
    APP,
    RESP,
    TODAY,
    direction,
    make_case,
    party,
    provider,
    screening,
)

A = Activity
END = TODAY + dt.timedelta(weeks=8)


def watch(*sessions: SessionRecord, **changes) -> Monitoring:
    fields = {"asked_by": "DJ Test", "asked_on": TODAY, "period_from": TODAY, "period_to": END}
    fields.update(changes)
    return Monitoring(sessions=sessions, **fields)


def went(attendance: Attendance, on: dt.date = TODAY) -> SessionRecord:
    return SessionRecord(on=on, attendance=attendance, source="register")


def owed(m: Monitoring, today: dt.date, status=DirectionStatus.DIRECTED):
    case = make_case(directions=(direction(A.WT4C, monitoring=m, status=status),))
    return [(i.kind.value, i.due, i.overdue) for i in due_items(case, today=today)]


def badge(m: Monitoring, today: dt.date) -> str:
    case = make_case(directions=(direction(A.WT4C, monitoring=m),))
    return row_from_summary(case.id, case_summary(case)).monitoring_badge(today)


@pytest.mark.parametrize(
    ("m", "today", "expected", "mark"),
    [
        # The period runs: due at its end, never overdue while it runs.
        (watch(), TODAY, [("period", END, False)], f"monitoring due {END:%d/%m/%Y}"),
        # It ended with nothing recorded: overdue.
        (
            watch(),
            END + dt.timedelta(days=1),
            [("period", END, True)],
            f"monitoring overdue since {END:%d/%m/%Y}",
        ),
        # It ended with every session attended: nothing owed (s11G reports failures only).
        (watch(went(Attendance.ATTENDED)), END + dt.timedelta(days=1), [], ""),
        # A failure with no date from the court: due at once, overdue the next day.
        (watch(went(Attendance.DID_NOT_ATTEND)), TODAY, [("report", TODAY, False)], ""),
        (
            watch(went(Attendance.PARTLY)),
            TODAY + dt.timedelta(days=1),
            [("report", TODAY, True)],
            f"monitoring overdue since {TODAY:%d/%m/%Y}",
        ),
        # The court's date: due until then.
        (
            watch(went(Attendance.DID_NOT_ATTEND), report_due_on=TODAY + dt.timedelta(days=14)),
            TODAY + dt.timedelta(days=3),
            [("report", TODAY + dt.timedelta(days=14), False)],
            f"monitoring due {TODAY + dt.timedelta(days=14):%d/%m/%Y}",
        ),
        # Reported: nothing owed.
        (
            watch(went(Attendance.DID_NOT_ATTEND), reported_on=TODAY),
            END + dt.timedelta(days=30),
            [],
            "",
        ),
    ],
)
def test_what_monitoring_owes(m, today, expected, mark):
    assert owed(m, today) == expected
    if mark:
        assert badge(m, today) == mark
    elif not expected:
        assert badge(m, today) == ""


def test_a_withdrawn_direction_owes_nothing_and_followups_list_monitoring():
    m = watch()
    assert owed(m, TODAY, status=DirectionStatus.WITHDRAWN) == []
    case = make_case(directions=(direction(A.WT4C, monitoring=m),))
    kinds = [f.kind for f in followups(case, today=TODAY)]
    assert FollowUpKind.MONITORING_PERIOD in kinds


def test_a_damaged_index_entry_is_skipped_not_raised():
    summary = {"hearing_date": TODAY.isoformat(), "monitoring": [{"due": "not a date"}, 7, None]}
    assert row_from_summary("c", summary).monitoring_badge(TODAY) == ""
    assert row_from_summary("c", {"monitoring": "nonsense"}).monitoring == ()


# --- taking part --------------------------------------------------------------------------------


def needing(**changes):
    base = party().participation
    return party(participation=attrs.evolve(base, **changes))


def ranked(case, activity, providers, party_id=APP):
    found = find(case, party_id, activity, Directory(providers), today=TODAY, explain=True)
    return [o.provider.id for o in found.ranked], found


def test_a_party_needing_an_interpreter_is_matched_first_with_one_who_works_with_them():
    a = provider("a-plain", name="A plain")
    b = provider("b-interp", name="B interpreters", interpreters=True)
    case = make_case(parties=(needing(interpreter=Need.YES, interpreter_language="Polish"),))
    order, found = ranked(case, A.WT4C, [a, b])
    assert order == ["b-interp", "a-plain"]
    warned = [r.text for o in found.ranked for r in o.warnings if r.rule_id == "INTERPRETER"]
    assert warned == ["does not record working with interpreters; the party needs Polish"]
    # Without the need, the name decides, as before.
    assert ranked(make_case(), A.WT4C, [a, b])[0] == ["a-plain", "b-interp"]


def test_a_party_who_chose_welsh_is_matched_on_welsh_first():
    english = provider("a-en", name="A English", languages=["english"])
    welsh = provider("b-cy", name="B Cymraeg", languages=["welsh", "english"])
    chose = needing(welsh_offer=WelshOffer.WELSH, welsh_offer_on=TODAY)
    assert chose.language is Language.ENGLISH
    assert ranked(make_case(parties=(chose,)), A.WT4C, [english, welsh])[0] == ["b-cy", "a-en"]
    assert ranked(make_case(), A.WT4C, [english, welsh])[0] == ["a-en", "b-cy"]


@pytest.mark.parametrize(
    ("abuse", "needs", "left_out"),
    [(Answer.YES, False, True), (Answer.NO, True, True), (Answer.NO, False, False)],
)
def test_separate_arrival_at_a_contact_centre(abuse, needs, left_out):
    together = provider(
        "c-1", activities=[A.CONTACT_SUPERVISED, A.CONTACT_SUPPORTED], accreditation="enhanced"
    )
    apart = attrs.evolve(together, id="c-2", separate_arrival=True)
    other = party(RESP, PartyRole.RESPONDENT)
    if needs:
        other = attrs.evolve(
            other, participation=attrs.evolve(other.participation, separate_arrival=True)
        )
    case = make_case(screen=screening(abuse=abuse), parties=(party(), other))
    order, found = ranked(case, A.CONTACT_SUPERVISED, [together, apart])
    assert ("c-1" not in order) is left_out and "c-2" in order
    if left_out:
        (excluded,) = found.excluded
        assert [r.rule_id for r in excluded.reasons] == ["SEPARATE-ARRIVAL"]


def test_providers_csv_reads_the_new_flags():
    (p,) = providers_from_csv(
        "id,name,activities,jurisdiction,interpreters,separate_arrival\n"
        "c1,Centre,contact_supported,wales,yes,true\n"
    )
    assert p.interpreters and p.separate_arrival


# --- jurisdiction --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("court", "in_wales"),
    [
        ("Cardiff Civil and Family Justice Centre", True),
        ("Llys Teulu Caerdydd", True),
        ("Mold Justice Centre", True),
        ("Bristol Civil and Family Justice Centre", False),
        ("Chester Civil Justice Centre", False),
        ("Newport (Isle of Wight) Combined Court", None),
        ("Sample Family Court", None),
        ("Moldova Street Court", None),  # a word, not a part of one
    ],
)
def test_court_names(court, in_wales):
    assert jurisdiction.court_in_wales(court) is in_wales


def test_a_court_or_families_across_the_border_are_flagged():
    assert jurisdiction.check(make_case()) == ()  # Cardiff postcodes, Wales
    assert jurisdiction.check(make_case(Jurisdiction.ENGLAND)) == ()  # Bristol postcodes
    welsh_court = make_case(Jurisdiction.ENGLAND, court="Swansea Civil Justice Centre")
    texts = [r.text for r in jurisdiction.check(welsh_court)]
    assert texts[0].startswith("Swansea Civil Justice Centre reads as a court in Wales")
    parents_in_wales = make_case(
        Jurisdiction.ENGLAND,
        parties=(
            party(postcode="CF10 1AA"),
            party(RESP, PartyRole.RESPONDENT, postcode="NP20 4EE"),
        ),
    )
    (warning,) = jurisdiction.check(parents_in_wales)
    assert warning.text.startswith("every parent's postcode is in Wales")
    english_court = make_case(court="Bristol Family Court")
    assert "jurisdiction is Wales" in jurisdiction.check(english_court)[0].text
    # A border area (SY, CH, HR) says nothing either way.
    border = make_case(
        Jurisdiction.ENGLAND,
        parties=(party(postcode="SY1 1AA"), party(RESP, PartyRole.RESPONDENT, postcode="CF10 1AA")),
    )
    assert jurisdiction.check(border) == ()
