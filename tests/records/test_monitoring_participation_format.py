"""Issue 11 items 3 and 9 in the case format and the referral payload: s11G monitoring on a
direction, participation on a party, the order's wording; old documents still read."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from records.caseformat import CaseFormatError, dump_cases, load_cases
from records.model import (
    Activity,
    Assessment,
    Attendance,
    Child,
    Monitoring,
    Need,
    Participation,
    PartyRole,
    RecordError,
    Referral,
    Screening,
    SessionRecord,
    WelshOffer,
)
from records.payload import build_payload, payload_from_dict, payload_to_dict
from tests.services.factories import APP, RESP, TODAY, direction, make_case, party

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "case.json"
V1_EXAMPLE = Path(__file__).parent / "data" / "case_v1.json"
HEARING_DAY = dt.date(2026, 11, 23)


def watch(**changes) -> Monitoring:
    fields = {
        "asked_by": "District Judge Test",
        "asked_on": TODAY,
        "period_from": TODAY,
        "period_to": TODAY + dt.timedelta(weeks=8),
    }
    fields.update(changes)
    return Monitoring(**fields)


def test_a_monitoring_period_must_run_forwards_from_the_request():
    with pytest.raises(RecordError, match="ends before it starts"):
        watch(period_to=TODAY - dt.timedelta(days=1))
    with pytest.raises(RecordError, match="starts before it was asked for"):
        watch(period_from=TODAY - dt.timedelta(days=1))
    with pytest.raises(RecordError, match="attendance 'maybe' is not one of"):
        SessionRecord(on=TODAY, attendance="maybe", source="register")
    with pytest.raises(RecordError, match="attendance source is required"):
        SessionRecord(on=TODAY, attendance="attended", source="  ")


def test_a_welsh_offer_answered_needs_its_date():
    with pytest.raises(RecordError, match="say on which date"):
        Participation(welsh_offer=WelshOffer.WELSH)
    # An interpreter known to be needed before the language is: allowed (the rules warn).
    assert Participation(interpreter=Need.YES).interpreter_language == ""


def test_a_version_2_document_from_before_these_fields_still_reads():
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for p in doc["cases"][0]["parties"]:
        del p["participation"]
    for d in doc["cases"][0]["directions"]:
        del d["monitoring"], d["wording"]
    (case,) = load_cases(json.dumps(doc))
    assert case.directions[0].monitoring is None and case.directions[0].wording == ""
    assert all(p.participation == Participation() for p in case.parties)


def test_version_1_migrates_with_nothing_asked_and_refuses_the_new_fields():
    v1 = json.loads(V1_EXAMPLE.read_text(encoding="utf-8"))
    (case,) = load_cases(json.dumps(v1), today=HEARING_DAY)
    assert all(p.participation.interpreter is Need.UNKNOWN for p in case.parties)
    assert all(p.participation.welsh_offer is WelshOffer.NOT_ASKED for p in case.parties)
    assert all(d.monitoring is None for d in case.directions)
    v1["cases"][0]["directions"][0]["monitoring"] = None
    v1["cases"][0]["parties"][0]["participation"] = {}
    with pytest.raises(CaseFormatError) as err:
        load_cases(json.dumps(v1))
    assert err.value.problems == [
        "$.cases[0].directions[0]: monitoring is a schema version 2 field: set schema_version to 2",
        "$.cases[0].parties[0]: participation is a schema version 2 field: set schema_version to 2",
    ]


def test_new_input_may_not_date_attendance_or_the_offer_in_the_future():
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    case = doc["cases"][0]
    case["directions"][0]["monitoring"]["sessions"] = [
        {"on": "2026-12-01", "attendance": "did_not_attend", "source": "register", "id": "s1"}
    ]
    case["parties"][0]["participation"]["welsh_offer_on"] = "2026-11-30"
    with pytest.raises(CaseFormatError) as err:
        load_cases(json.dumps(doc), today=HEARING_DAY)
    assert err.value.problems == [
        "$.cases[0].parties[0].participation: Welsh offer on 30/11/2026 is in the future",
        "$.cases[0].directions[0].monitoring: session date 01/12/2026 is in the future",
    ]
    # Read as stored (no today): the same document opens.
    assert load_cases(json.dumps(doc))[0].directions[0].monitoring.failures


def test_monitoring_and_participation_round_trip():
    session = SessionRecord(on=TODAY, attendance=Attendance.PARTLY, source="centre", id="s1")
    case = make_case(
        parties=(
            party(
                APP,
                participation=Participation(
                    interpreter=Need.YES,
                    interpreter_language="British Sign Language",
                    adjustments="breaks every hour",
                    separate_arrival=True,
                    welsh_offer=WelshOffer.WELSH,
                    welsh_offer_on=TODAY,
                ),
            ),
            party(RESP, PartyRole.RESPONDENT),
        ),
        directions=(direction(Activity.WT4C, monitoring=watch(sessions=(session,))),),
    )
    assert load_cases(json.dumps(dump_cases([case]))) == [case]


def test_the_referral_carries_wording_monitoring_assessment_and_needs():
    needs = Participation(
        interpreter=Need.YES, interpreter_language="Polish", separate_arrival=True
    )
    d = direction(
        Activity.CONTACT_SUPERVISED,
        provider_id="prov",
        funding="fhdra_agreed",
        wording="Under section 11A of the Children Act 1989, ...",
        monitoring=watch(sessions=(SessionRecord(on=TODAY, attendance="attended", source="x"),)),
    )
    case = make_case(
        parties=(party(APP), party(RESP, PartyRole.RESPONDENT, participation=needs)),
        directions=(d,),
        screen=Screening(safeguarding_letter_on=TODAY),
        children=(Child(name="Gwen Ffug", date_of_birth=dt.date(2019, 5, 1)),),
        assessments=(
            Assessment(
                activity=Activity.CONTACT_SUPERVISED,
                assessed_by="Officer Test",
                assessed_on=TODAY,
                reason="safe with supervision",
                party_id=APP,
            ),
        ),
    )
    referral = Referral(direction_id=d.id, party_id=APP, activity=d.activity, provider_id="prov")
    payload = build_payload(case, d, referral)
    data = payload_to_dict(payload)
    assert data["wording"].startswith("Under section 11A")
    # The request, not the attendance: that is the officer's to report to the court.
    assert data["monitoring"] == {
        "asked_by": "District Judge Test",
        "asked_on": TODAY.isoformat(),
        "period_from": TODAY.isoformat(),
        "period_to": (TODAY + dt.timedelta(weeks=8)).isoformat(),
    }
    assert data["assessment"]["reason"] == "safe with supervision"
    # At a contact centre the other parent brings the child: their needs go too.
    (other,) = data["other_parties"]
    assert other["participation"]["interpreter_language"] == "Polish"
    assert other["participation"]["separate_arrival"] is True
    assert payload_from_dict(data) == payload
