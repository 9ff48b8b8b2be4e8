"""Suitability verdicts beyond the one-rule table: combinations, dates, the matrix."""

from __future__ import annotations

import datetime as dt

import pytest

from duty_tui.services.catalogue import Effect
from duty_tui.services.suitability import (
    Status,
    matrix,
    recorded_assessment,
    verdict,
)
from records.model import (
    Activity,
    Answer,
    Jurisdiction,
    PartyRole,
    Screening,
    ScreeningAnswer,
)
from tests.services.factories import (
    APP,
    RESP,
    TODAY,
    assessment,
    direction,
    make_case,
    party,
    screening,
)

A = Activity
W, E = Jurisdiction.WALES, Jurisdiction.ENGLAND
OK, NO, Q = Status.ELIGIBLE, Status.BLOCKED, Status.NEEDS_SCREENING
YES, UNK = Answer.YES, Answer.UNKNOWN


def status(case, activity, party_id=APP, today=TODAY):
    return verdict(case, party_id, activity, today=today).status


@pytest.mark.parametrize(
    ("jurisdiction", "screen", "expected"),
    [
        # all "no", letter in: every activity of the jurisdiction is open except those that need the
        # officer's recorded assessment
        (
            W,
            screening(),
            {
                A.WT4C: OK,
                A.MEDIATION_INFO: OK,
                A.CONTACT_SUPPORTED: OK,
                A.CONTACT_SUPERVISED: Q,
                A.PTFC: NO,
                A.CCI: NO,
            },
        ),
        (
            E,
            screening(),
            {
                A.WT4C: NO,
                A.MEDIATION_INFO: NO,
                A.CONTACT_SUPPORTED: OK,
                A.CONTACT_SUPERVISED: Q,
                A.PTFC: OK,
                A.CCI: Q,
            },
        ),
        # a concern found: the no-risk activities are blocked
        (
            W,
            screening(abuse=YES),
            {A.WT4C: NO, A.MEDIATION_INFO: NO, A.CONTACT_SUPPORTED: NO, A.CONTACT_SUPERVISED: Q},
        ),
        (E, screening(police=YES), {A.PTFC: NO, A.CONTACT_SUPPORTED: NO, A.CCI: Q}),
        # not yet known: ? everywhere it matters, never ✓ and never ✗ on its own
        (
            W,
            screening(harm=UNK),
            {A.WT4C: Q, A.MEDIATION_INFO: Q, A.CONTACT_SUPPORTED: Q, A.CONTACT_SUPERVISED: Q},
        ),
        (E, screening(la=UNK), {A.PTFC: Q, A.CCI: Q}),
        # a "yes" beats an unknown
        (W, screening(police=UNK, abuse=YES), {A.WT4C: NO}),
        # no safeguarding letter: contact centres wait for it, courses do not need it
        (W, screening(letter=None), {A.WT4C: OK, A.CONTACT_SUPPORTED: Q}),
    ],
)
def test_verdicts(jurisdiction, screen, expected):
    case = make_case(jurisdiction, screen=screen)
    assert {a: status(case, a) for a in expected} == expected


def test_supervised_contact_with_the_officers_assessment():
    case = make_case(screen=screening(abuse=YES), assessments=(assessment(A.CONTACT_SUPERVISED),))
    v = verdict(case, APP, A.CONTACT_SUPERVISED, today=TODAY)
    assert v.status is OK
    met = [
        r.text for r in v.reasons if r.rule_id == "SUPERVISED-ASSESSMENT" and r.effect is Effect.MET
    ]
    assert met == [
        "Recorded by Officer Test on 01/11/2026: Contact safe and beneficial with supervision"
    ]
    # The risk stays visible as a warning, not hidden by the assessment.
    assert any(r.effect is Effect.WARNING for r in v.reasons)


def test_an_assessment_for_one_party_does_not_cover_the_other():
    case = make_case(assessments=(assessment(A.CONTACT_SUPERVISED, party_id=APP),))
    assert status(case, A.CONTACT_SUPERVISED, APP) is OK
    assert status(case, A.CONTACT_SUPERVISED, RESP) is Q


def test_an_assessment_for_another_activity_does_not_count():
    case = make_case(E, assessments=(assessment(A.CONTACT_SUPERVISED),))
    assert status(case, A.CCI) is Q
    case = make_case(E, assessments=(assessment(A.CCI),))
    assert status(case, A.CCI) is OK


def test_the_latest_assessment_is_quoted():
    older = assessment(A.CCI, on=dt.date(2026, 10, 1))
    newer = assessment(A.CCI, party_id=APP, on=dt.date(2026, 11, 2))
    case = make_case(E, assessments=(older, newer))
    assert recorded_assessment(case, APP, A.CCI, TODAY) == newer
    assert recorded_assessment(case, RESP, A.CCI, TODAY) == older
    assert recorded_assessment(case, RESP, A.CCI, dt.date(2026, 9, 1)) is None


def test_answers_and_letters_dated_after_today_are_not_yet_known():
    case = make_case()
    before = dt.date(2026, 10, 25)  # after ANSWERED (20/10) but before LETTER (30/10)
    assert status(case, A.WT4C, today=before) is OK
    assert status(case, A.CONTACT_SUPPORTED, today=before) is Q
    assert status(case, A.WT4C, today=dt.date(2026, 10, 1)) is Q


def test_other_family_members_are_assessed_too():
    case = make_case(parties=(party(APP), party("p-gran", PartyRole.OTHER_FAMILY_MEMBER)))
    assert status(case, A.WT4C, "p-gran") is OK


def test_matrix_covers_every_party_and_activity_in_order():
    case = make_case()
    grid = matrix(case, today=TODAY)
    assert list(grid)[:6] == [(APP, a) for a in Activity]
    assert len(grid) == 2 * len(Activity)
    assert grid[(APP, A.WT4C)].status.symbol == "✓"
    assert grid[(APP, A.PTFC)].status.symbol == "✗"
    assert grid[(APP, A.CONTACT_SUPERVISED)].status.symbol == "?"


def test_the_order_is_info_before_and_met_after():
    case = make_case(directions=(direction(A.WT4C),))
    order = [
        r for r in verdict(case, APP, A.WT4C, today=TODAY).reasons if r.rule_id == "ORDER-FIRST"
    ]
    assert [r.effect for r in order] == [Effect.MET]
    order = [
        r for r in verdict(case, RESP, A.WT4C, today=TODAY).reasons if r.rule_id == "ORDER-FIRST"
    ]
    assert [r.effect for r in order] == [Effect.INFO]


def test_an_unknown_party_is_a_key_error():
    with pytest.raises(KeyError):
        verdict(make_case(), "nobody", A.WT4C, today=TODAY)


def test_every_screening_question_is_read():
    # One "yes" on any of the four questions blocks WT4C on its own.
    for name in ("police_check", "local_authority_check", "domestic_abuse", "other_harm"):
        fields = {
            q: ScreeningAnswer(Answer.NO, dt.date(2026, 10, 1), "Officer Test")
            for q in ("police_check", "local_authority_check", "domestic_abuse", "other_harm")
        }
        fields[name] = ScreeningAnswer(Answer.YES, dt.date(2026, 10, 1), "Officer Test")
        case = make_case(screen=Screening(**fields))
        assert status(case, A.WT4C) is NO, name
