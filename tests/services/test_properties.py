"""Properties over arbitrary valid cases (strategies in tests/strategies.py)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duty_tui.services.assessment import ReadinessStatus, assess_case, readiness, to_json
from duty_tui.services.catalogue import Effect
from duty_tui.services.funding import funding_for
from duty_tui.services.options import sample_directory
from duty_tui.services.suitability import Status, matrix, verdict
from duty_tui.services.wording import check_s11a, direction_text
from records.model import Activity, Answer, Jurisdiction, OrderType, Provision
from tests.strategies import cases, screenings

NO_RISK_ACTIVITIES = (
    Activity.WT4C,
    Activity.PTFC,
    Activity.CONTACT_SUPPORTED,
    Activity.MEDIATION_INFO,
)
todays = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(case=cases(screening=screenings(concern=True)), today=todays)
def test_a_concern_or_an_unknown_never_makes_a_no_risk_activity_eligible(case, today):
    for party in case.parties:
        for activity in NO_RISK_ACTIVITIES:
            assert verdict(case, party.id, activity, today=today).status is not Status.ELIGIBLE


@SETTINGS
@given(case=cases(), today=todays)
def test_eligible_only_when_every_screening_answer_is_a_known_no(case, today):
    answers = case.screening.answers().values()
    clear = all(a.answer is Answer.NO and a.answered_on <= today for a in answers)
    for (_party_id, activity), v in matrix(case, today=today).items():
        if activity in NO_RISK_ACTIVITIES and v.status is Status.ELIGIBLE:
            assert clear


@SETTINGS
@given(case=cases(jurisdiction=Jurisdiction.WALES), today=todays)
def test_not_yet_known_is_never_read_as_no(case, today):
    """Without a "yes", WT4C in Wales is never blocked: an unknown gives ?, not ✗."""
    answers = case.screening.answers().values()
    if any(a.answer is Answer.YES and a.answered_on <= today for a in answers):
        return
    status = verdict(case, case.parties[0].id, Activity.WT4C, today=today).status
    unknown = any(a.answer is Answer.UNKNOWN or a.answered_on > today for a in answers)
    assert status is (Status.NEEDS_SCREENING if unknown else Status.ELIGIBLE)


@SETTINGS
@given(case=cases(), today=todays)
def test_supervised_contact_and_cci_need_a_recorded_assessment(case, today):
    for party in case.parties:
        for activity in (Activity.CONTACT_SUPERVISED, Activity.CCI):
            v = verdict(case, party.id, activity, today=today)
            recorded = [
                a
                for a in case.assessments
                if a.activity is activity
                and a.party_id in (None, party.id)
                and a.assessed_on <= today
            ]
            if not recorded:
                assert v.status is not Status.ELIGIBLE


@SETTINGS
@given(case=cases(), today=todays)
def test_the_matrix_is_pure_and_complete(case, today):
    first = matrix(case, today=today)
    assert first == matrix(case, today=today)
    assert set(first) == {(p.id, a) for p in case.parties for a in Activity}
    for v in first.values():
        assert v.reasons
        assert all(r.rule.source and r.text for r in v.reasons)


@SETTINGS
@given(case=cases(), today=todays)
def test_a_referral_is_never_ready_unless_the_party_is_eligible(case, today):
    directory = sample_directory()
    for d in case.directions:
        r = readiness(case, d, directory, today=today)
        if r.status is ReadinessStatus.READY:
            assert verdict(case, d.party_id, d.activity, today=today).status is Status.ELIGIBLE
            assert r.funding.may_queue
            assert not any(
                x.effect in (Effect.BLOCKS, Effect.UNKNOWN, Effect.WAITING) for x in r.reasons
            )


@SETTINGS
@given(case=cases(), today=todays)
def test_no_s11a_direction_on_a_final_order_and_no_direction_of_whom_s11b_forbids(case, today):
    """Children Act 1989 s11A(7): never ready, never worded as a direction, on a final order;
    s11B/s11D: never ready for a child who is not a parent or a person recorded as not
    habitually resident in England and Wales."""
    directory = sample_directory()
    for d in case.directions:
        r = readiness(case, d, directory, today=today)
        party = case.party(d.party_id)
        if d.order_type is OrderType.FINAL and d.provision is Provision.DIRECTION:
            assert r.status is ReadinessStatus.BLOCKED
            assert "S11A-INTERIM" in {x.rule_id for x in r.reasons}
        if d.provision is Provision.CONDITION:
            assert "section 11C" in r.wording.text and "Under section 11A" not in r.wording.text
        if (party.is_child and not party.child_is_a_parent) or (
            party.habitually_resident is Answer.NO
        ):
            assert r.status is ReadinessStatus.BLOCKED


@SETTINGS
@given(case=cases(), today=todays)
def test_money_is_whole_pence_and_waiting_means_not_queued(case, today):
    for party in case.parties:
        for activity in Activity:
            for d in (None, *case.directions):
                f = funding_for(case, party.id, activity, d, today=today)
                for amount in (f.fee_pence, f.party_pays_pence):
                    assert amount is None or (type(amount) is int and amount >= 0)
                if f.wait_until is not None:
                    assert not f.may_queue


@SETTINGS
@given(case=cases(), today=todays)
def test_generated_wording_always_conforms_to_s11a(case, today):
    directory = sample_directory()
    for d in case.directions:
        text = direction_text(case, d, directory.get(d.provider_id)).text
        assert check_s11a(text) == ()
        assert "attend mediation" not in text.lower()


@settings(max_examples=40, deadline=None)
@given(case=cases(), today=todays)
def test_the_whole_assessment_serialises(case, today):
    import json

    data = to_json(case, assess_case(case, sample_directory(), today=today))
    assert json.loads(json.dumps(data)) == data
