"""Follow-ups with their due dates, and the wording of directions (s11A)."""

from __future__ import annotations

import datetime as dt

import pytest

from duty_tui.services.catalogue import Effect
from duty_tui.services.followups import FollowUpKind, add_months, followups
from duty_tui.services.options import sample_directory
from duty_tui.services.wording import check_s11a, direction_text
from records.model import (
    Activity,
    AssistanceDecision,
    Delivery,
    DirectionStatus,
    Jurisdiction,
    PartyRole,
)
from tests.services.factories import APP, RESP, TODAY, direction, make_case, provider

A = Activity
K = FollowUpKind
D = dt.date


def kinds(items):
    return [(f.kind, f.due) for f in items]


def test_wt4c_completed_gives_attendance_evaluation_and_six_months():
    case = make_case(
        directions=(direction(A.WT4C, session_on=D(2026, 12, 5), completed_on=D(2026, 12, 12)),)
    )
    assert kinds(followups(case, today=TODAY)) == [
        (K.ATTENDANCE, D(2026, 12, 12)),
        (K.EVALUATION, D(2026, 12, 12)),
        (K.SIX_MONTH_CONTACT, D(2027, 6, 12)),
    ]


def test_wt4c_not_yet_held_lists_the_follow_ups_undated():
    case = make_case(directions=(direction(A.WT4C, session_on=D(2026, 12, 5)),))
    assert kinds(followups(case, today=TODAY)) == [
        (K.ATTENDANCE, D(2026, 12, 5)),
        (K.EVALUATION, None),
        (K.SIX_MONTH_CONTACT, None),
    ]


def test_ptfc_call_within_six_weeks_of_the_workshop():
    case = make_case(
        Jurisdiction.ENGLAND, directions=(direction(A.PTFC, session_on=D(2026, 12, 1)),)
    )
    assert kinds(followups(case, today=TODAY)) == [(K.PTFC_CALL, D(2027, 1, 12))]


def test_the_ptfc_call_is_the_trainers_and_never_overdue():
    # 003: "for some parents, you may receive a follow up call from a trainer".
    case = make_case(
        Jurisdiction.ENGLAND, directions=(direction(A.PTFC, session_on=D(2026, 1, 5)),)
    )
    (call,) = followups(case, today=D(2026, 12, 1))  # long past the six weeks
    assert call.kind is K.PTFC_CALL and call.due == D(2026, 2, 16)
    assert not call.overdue
    assert call.reason.effect is Effect.INFO
    assert "trainer's, optional" in call.text


def test_assistance_decision_due_and_overdue():
    case = make_case(
        directions=(
            direction(
                A.WT4C, assistance_applied_on=D(2026, 12, 24), status=DirectionStatus.PROPOSED
            ),
        )
    )
    (item,) = followups(case, today=D(2026, 12, 24))
    assert (item.kind, item.due, item.overdue) == (K.ASSISTANCE_DECISION, D(2027, 1, 5), False)
    # The 5 working days skip Christmas, Boxing Day (substitute 28/12), New Year's Day and
    # two weekends.
    (late,) = followups(case, today=D(2027, 1, 6))
    assert late.overdue


def test_no_decision_follow_up_once_decided_nor_for_withdrawn_directions():
    decided = direction(
        A.WT4C,
        assistance_applied_on=D(2026, 11, 2),
        assistance_decision=AssistanceDecision.GRANTED,
        status=DirectionStatus.PROPOSED,
    )
    withdrawn = direction(
        A.WT4C, RESP, index=2, status=DirectionStatus.WITHDRAWN, completed_on=D(2026, 11, 1)
    )
    assert followups(make_case(directions=(decided, withdrawn)), today=TODAY) == ()


def test_followups_are_sorted_soonest_first_undated_last():
    case = make_case(
        directions=(
            direction(A.WT4C, APP, index=1, completed_on=D(2026, 12, 12)),
            direction(A.WT4C, RESP, index=2, session_on=D(2026, 12, 1)),
        )
    )
    dues = [f.due for f in followups(case, today=TODAY)]
    dated = [x for x in dues if x is not None]
    assert dated == sorted(dated)
    assert dues[len(dated) :] == [None] * (len(dues) - len(dated))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2027, 8, 31), 6, D(2028, 2, 29)),
        (D(2026, 7, 15), 6, D(2027, 1, 15)),
        (D(2026, 12, 31), 6, D(2027, 6, 30)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


# --- wording -------------------------------------------------------------------------------


@pytest.mark.parametrize("activity", list(Activity))
def test_wording_names_activity_provider_and_party_and_conforms(activity):
    jurisdiction = Jurisdiction.ENGLAND if activity in (A.PTFC, A.CCI) else Jurisdiction.WALES
    case = make_case(jurisdiction, directions=(direction(activity),))
    prov = provider("p1", name="Sample: Afon Family Centre", activities=[activity])
    w = direction_text(case, case.directions[0], prov)
    assert "Rhiannon Ffug, the applicant" in w.text
    assert "Sample: Afon Family Centre" in w.text
    assert "section 11A of the Children Act 1989" in w.text
    assert check_s11a(w.text) == ()
    assert not w.refused


def test_mediation_wording_is_a_session_about_mediation_never_mediation():
    case = make_case(directions=(direction(A.MEDIATION_INFO, delivery=Delivery.REMOTE),))
    w = direction_text(case, case.directions[0], provider(activities=[A.MEDIATION_INFO]))
    assert "shall attend a session giving information and advice about mediation" in w.text
    assert "attend mediation" not in w.text


def test_no_provider_yet_is_refused_until_named():
    case = make_case(directions=(direction(A.WT4C),))
    w = direction_text(case, case.directions[0], None)
    assert "[provider to be named]" in w.text and w.refused


def test_a_sample_provider_is_flagged_but_not_refused():
    case = make_case(directions=(direction(A.WT4C),))
    w = direction_text(case, case.directions[0], sample_directory().get("sample-wt4c-cardiff"))
    assert [r.rule_id for r in w.reasons] == ["SAMPLE-PROVIDER"] and not w.refused


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("The parties shall attend mediation.", "S11A-NO-MEDIATION"),
        ("shall take part in family mediation", "S11A-NO-MEDIATION"),
        ("to participate in the mediation", "S11A-NO-MEDIATION"),
        ("ATTEND MEDIATION", "S11A-NO-MEDIATION"),
        ("shall undergo a psychiatric assessment", "S11A-NO-TREATMENT"),
        ("a medical examination of the father", "S11A-NO-TREATMENT"),
        ("shall receive treatment for alcohol misuse", "S11A-NO-TREATMENT"),
        ("submit to a psychological assessment", "S11A-NO-TREATMENT"),
    ],
)
def test_s11a_refuses(text, rule):
    assert rule in [r.rule_id for r in check_s11a(text)]


@pytest.mark.parametrize(
    "text",
    [
        "attend a session giving information and advice about mediation",
        "attend a mediation information session",
        "attend the Working Together for Children (WT4C) programme",
        "attend counselling sessions about violent behaviour",
        "complete the Planning Together for Children course",
        "Mediation was discussed at court.",
    ],
)
def test_s11a_allows(text):
    assert check_s11a(text) == ()


def test_extra_terms_are_checked():
    case = make_case(directions=(direction(A.WT4C),))
    w = direction_text(case, case.directions[0], provider(), "and shall then attend mediation")
    assert w.refused
    assert w.text.endswith("and shall then attend mediation.")  # the sentence ends once


def test_extra_terms_typed_as_a_continuation_carry_on_the_sentence():
    """Issue 13 item 12: "...(face to face). and must attend..." read as a slip in an order."""
    case = make_case(directions=(direction(A.WT4C),))
    w = direction_text(case, case.directions[0], provider(), "and must attend by 01/05/2026")
    assert ") and must attend by 01/05/2026" in w.text
    assert ". and" not in w.text
    # A new sentence stays one.
    w = direction_text(case, case.directions[0], provider(), "The parties attend separately.")
    assert "). The parties attend separately." in w.text
    # Punctuation typed first joins without a second mark; the sentence always ends once.
    w = direction_text(case, case.directions[0], provider(), "; and must attend by 01/05/2026")
    assert "); and must attend by 01/05/2026." in w.text
    assert ".;" not in w.text and ".." not in w.text
    w = direction_text(case, case.directions[0], provider(), "and must attend.")
    assert w.text.endswith("and must attend.") and ".." not in w.text


def test_role_label_in_wording():
    case = make_case(directions=(direction(A.WT4C, RESP),))
    w = direction_text(case, case.directions[0], provider())
    assert "Pwyll Ffug, the respondent" in w.text
    assert PartyRole.RESPONDENT.label.lower() in w.text


# Issue 11 item 4: phrases that passed the s11A(6) check before, each a requirement to take part
# in mediation or to undergo an examination, assessment or treatment.
@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("The mother shall attend a course of mediation.", "S11A-NO-MEDIATION"),
        ("The father shall mediate with the mother.", "S11A-NO-MEDIATION"),
        ("The parties are to try mediation.", "S11A-NO-MEDIATION"),
        ("The applicant shall engage with a mediator.", "S11A-NO-MEDIATION"),
        ("Mediation shall be attended by both parents.", "S11A-NO-MEDIATION"),
        ("The father shall undergo hair strand drug testing.", "S11A-NO-TREATMENT"),
        ("The mother shall take medication as prescribed.", "S11A-NO-TREATMENT"),
        ("Both shall participate in family therapy.", "S11A-NO-TREATMENT"),
        ("The father shall attend sessions with a psychotherapist.", "S11A-NO-TREATMENT"),
        ("The respondent shall undergo a psychiatric report.", "S11A-NO-TREATMENT"),
        ("shall receive treatment for alcohol misuse", "S11A-NO-TREATMENT"),
    ],
)
def test_s11a_refuses_the_variants_that_passed_before(text, rule):
    refusing = [r for r in check_s11a(text) if r.effect is Effect.BLOCKS]
    assert rule in [r.rule_id for r in refusing], check_s11a(text)
    assert all("s11A(6)" in r.text for r in refusing)


@pytest.mark.parametrize(
    "text",
    [
        "The parties are to consider mediation.",
        "The provider's assessment of the parents' needs comes first.",
    ],
)
def test_s11a_near_the_line_is_a_warning_that_says_it_is_a_check(text):
    (found,) = check_s11a(text)
    assert found.effect is Effect.WARNING
    assert "a check of the words, not a ruling" in found.text


def test_a_provider_named_for_mediation_does_not_make_the_wording_refused():
    case = make_case(directions=(direction(A.WT4C),))
    w = direction_text(case, case.directions[0], provider(name="Bridgend Family Mediation"))
    assert "Bridgend Family Mediation" in w.text
    assert not [r for r in w.reasons if r.rule_id.startswith("S11A-NO-")]
