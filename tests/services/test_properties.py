"""Properties over arbitrary valid cases (strategies in tests/strategies.py)."""

from __future__ import annotations

import datetime as dt

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duty_tui.services.assessment import (
    ReadinessStatus,
    assess_case,
    readiness,
    ready_to_queue,
    to_json,
)
from duty_tui.services.catalogue import Effect
from duty_tui.services.funding import funding_for
from duty_tui.services.options import sample_directory
from duty_tui.services.suitability import Status, matrix, verdict
from duty_tui.services.wording import check_s11a, direction_text
from records.model import Activity, Answer, Jurisdiction, OrderType, PartyRole, Provision
from records.payload import PayloadError
from tests.strategies import REAL_TODAY, cases, near_ready_cases, screenings

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
    """A case-wide concern binds everyone who has no answer of their own (a person's own
    checks replace the case-wide ones for them: see the per-person property below)."""
    case = attrs.evolve(case, screening=attrs.evolve(case.screening, people=()))
    for party in case.parties:
        for activity in NO_RISK_ACTIVITIES:
            assert verdict(case, party.id, activity, today=today).status is not Status.ELIGIBLE


def _known(a, today):
    """An answer as known on ``today`` (one dated later was not given yet)."""
    return Answer.UNKNOWN if a.answered_on is not None and a.answered_on > today else a.answer


def involved_answers(case, party_id, activity, today):
    """The safeguarding answers that bear on a direction, worked out here independently of
    the service: PD12B checks of each person involved (their own where recorded, else the
    case-wide one), the case-wide abuse and harm answers, a C1A "yes" of anyone involved, and
    the court's PD12J / s16A answers (issue 11, item 5)."""
    s = case.screening
    principal = {PartyRole.APPLICANT, PartyRole.RESPONDENT}
    people = [party_id]
    if activity in (Activity.CONTACT_SUPPORTED, Activity.CONTACT_SUPERVISED, Activity.CCI):
        people += [p.id for p in case.parties if p.id != party_id and p.role in principal]
    children = {c.id for c in case.children}
    people += sorted(children)
    found = [_known(s.domestic_abuse, today), _known(s.other_harm, today)]
    for person in people:
        own = s.checks_of(person)
        questions = ("local_authority_check",) if person in children else PERSON_CHECKS
        for q in questions:
            mine = _known(getattr(own, q), today) if own else Answer.UNKNOWN
            found.append(mine if mine is not Answer.UNKNOWN else _known(getattr(s, q), today))
        if own and _known(own.harm_alleged, today) is Answer.YES:
            found.append(Answer.YES)
    for q in ("findings_made", "fact_finding_needed", "s16a_risk_assessment"):
        if _known(getattr(s, q), today) is Answer.YES:
            found.append(Answer.YES)
    return found


PERSON_CHECKS = ("police_check", "local_authority_check")


@SETTINGS
@given(case=cases(), today=todays)
def test_eligible_only_when_every_answer_for_everyone_involved_is_a_known_no(case, today):
    for (party_id, activity), v in matrix(case, today=today).items():
        if activity in NO_RISK_ACTIVITIES and v.status is Status.ELIGIBLE:
            answers = involved_answers(case, party_id, activity, today)
            assert all(a is Answer.NO for a in answers)


@SETTINGS
@given(case=cases(jurisdiction=Jurisdiction.WALES), today=todays)
def test_not_yet_known_is_never_read_as_no(case, today):
    """Without a "yes", WT4C in Wales is never blocked: an unknown gives ?, not ✗."""
    party_id = case.parties[0].id
    answers = involved_answers(case, party_id, Activity.WT4C, today)
    if Answer.YES in answers:
        return
    status = verdict(case, party_id, Activity.WT4C, today=today).status
    assert status is (Status.NEEDS_SCREENING if Answer.UNKNOWN in answers else Status.ELIGIBLE)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=near_ready_cases(), today=st.just(REAL_TODAY))
def test_nothing_is_queued_with_a_blocked_or_unknown_answer_for_anyone_involved(case, today):
    """Issue 11, item 5: no direction's referral can be queued while any person it involves
    has a safeguarding answer not yet known, or one the activity cannot take (a "yes" where
    the activity needs no risk). PD12B 14.13(d): nor without the safeguarding letter."""
    directory = sample_directory()
    for d in case.directions:
        try:
            ready_to_queue(case, d.id, directory, today=today)
        except PayloadError:
            continue
        answers = involved_answers(case, d.party_id, d.activity, today)
        assert Answer.UNKNOWN not in answers
        if d.activity in NO_RISK_ACTIVITIES:
            assert all(a is Answer.NO for a in answers)
        letter = case.screening.safeguarding_letter_on
        assert letter is not None and letter <= today


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


@SETTINGS
@given(case=cases(), today=todays)
def test_nothing_is_queued_with_a_blocked_or_unknown_answer_in_any_case(case, today):
    """The same over arbitrary cases (few of which get as far as being ready)."""
    test_nothing_is_queued_with_a_blocked_or_unknown_answer_for_anyone_involved.hypothesis.inner_test(
        case, today
    )
