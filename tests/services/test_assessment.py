"""Referral readiness and the whole-case assessment."""

from __future__ import annotations

import attrs

from duty_tui.services.assessment import ReadinessStatus, assess_case, readiness, to_json
from duty_tui.services.options import Directory, sample_directory
from duty_tui.services.suitability import Status
from records.model import (
    Activity,
    Answer,
    DirectionStatus,
    FundingRoute,
    Jurisdiction,
    Referral,
    ReferralState,
)
from tests.services.factories import (
    APP,
    RESP,
    TODAY,
    agreed,
    assessment,
    direction,
    make_case,
    party,
    provider,
    screening,
)

A = Activity
READY, WAITING, BLOCKED = ReadinessStatus.READY, ReadinessStatus.WAITING, ReadinessStatus.BLOCKED
WT4C = provider("wt4c", activities=[A.WT4C])
OTHER_WT4C = provider("wt4c-2", activities=[A.WT4C])
ENHANCED = provider(
    "enh",
    activities=[A.CONTACT_SUPPORTED, A.CONTACT_SUPERVISED],
    accreditation="enhanced",
    delivery=["face_to_face"],
    # Domestic abuse is alleged in the supervised-contact cases below: the parents arrive and
    # leave at different times (SEPARATE-ARRIVAL).
    separate_arrival=True,
)


def check(case, providers, index=0):
    return readiness(case, case.directions[index], Directory(providers), today=TODAY)


def rules(result, effect=None):
    return [r.rule_id for r in result.reasons if effect is None or r.effect.value == effect]


def test_both_parents_on_wt4c_with_different_providers_are_ready():
    case = make_case(
        directions=(
            direction(A.WT4C, APP, provider_id="wt4c", index=1),
            direction(A.WT4C, RESP, provider_id="wt4c-2", index=2),
        )
    )
    first = check(case, [WT4C, OTHER_WT4C])
    assert first.status is READY, first.reasons
    assert first.wording.text.startswith("Under section 11A")
    assert rules(first, "warning") == []


def test_same_provider_warns_same_session_blocks():
    same_provider = make_case(
        directions=(
            direction(A.WT4C, APP, provider_id="wt4c", session="Mon", index=1),
            direction(A.WT4C, RESP, provider_id="wt4c", session="Tue", index=2),
        )
    )
    result = check(same_provider, [WT4C])
    assert result.status is READY
    assert "SEPARATE-PROVIDER" in rules(result, "warning")
    same_session = make_case(
        directions=(
            direction(A.WT4C, APP, provider_id="wt4c", session="Mon", index=1),
            direction(A.WT4C, RESP, provider_id="wt4c", session="Mon", index=2),
        )
    )
    assert check(same_session, [WT4C]).status is BLOCKED
    assert check(same_session, [WT4C], index=1).status is BLOCKED


def test_a_withdrawn_direction_for_the_other_parent_does_not_block():
    case = make_case(
        directions=(
            direction(A.WT4C, APP, provider_id="wt4c", session="Mon", index=1),
            direction(
                A.WT4C,
                RESP,
                provider_id="wt4c",
                session="Mon",
                index=2,
                status=DirectionStatus.WITHDRAWN,
            ),
        )
    )
    assert "SEPARATE-GROUP" not in rules(check(case, [WT4C]))


def test_waiting_for_the_assistance_decision():
    case = make_case(
        directions=(direction(A.WT4C, provider_id="wt4c", assistance_applied_on=TODAY),)
    )
    result = check(case, [WT4C])
    assert result.status is WAITING
    assert result.funding.wait_until is not None
    assert "FA-DECISION" in rules(result, "waiting")


def test_unknown_screening_waits_and_risk_blocks():
    waiting = make_case(
        screen=screening(abuse=Answer.UNKNOWN), directions=(direction(A.WT4C, provider_id="wt4c"),)
    )
    assert check(waiting, [WT4C]).status is WAITING
    blocked = make_case(
        screen=screening(abuse=Answer.YES), directions=(direction(A.WT4C, provider_id="wt4c"),)
    )
    assert check(blocked, [WT4C]).status is BLOCKED


def test_a_provider_that_does_not_fit_blocks_with_its_reasons():
    case = make_case(directions=(direction(A.WT4C, provider_id="far", delivery="face_to_face"),))
    far = provider("far", areas=["LL"], delivery=["face_to_face"])
    result = check(case, [far])
    assert result.status is BLOCKED
    assert rules(result, "blocks") == ["S11E-TRAVEL"]


def test_the_directed_delivery_must_be_offered():
    case = make_case(directions=(direction(A.WT4C, provider_id="f2f", delivery="remote"),))
    result = check(case, [provider("f2f", delivery=["face_to_face"])])
    assert rules(result, "blocks") == ["DIRECTION-DELIVERY"]


def test_a_provider_missing_from_the_directory_waits():
    case = make_case(directions=(direction(A.WT4C, provider_id="elsewhere"),))
    result = check(case, [WT4C])
    assert result.status is WAITING and result.provider is None


def test_supervised_contact_ready_only_with_everything_in_place():
    d = direction(
        A.CONTACT_SUPERVISED,
        provider_id="enh",
        delivery="face_to_face",
        funding=FundingRoute.FHDRA_AGREED,
        **agreed(),
    )
    case = make_case(
        screen=screening(abuse=Answer.YES),
        directions=(d,),
        assessments=(assessment(A.CONTACT_SUPERVISED),),
    )
    assert check(case, [ENHANCED]).status is READY
    # Abuse alleged: a centre without separate arrival and departure is not used.
    together = attrs.evolve(ENHANCED, separate_arrival=False)
    blocked = check(case, [together])
    assert blocked.status is BLOCKED
    assert "SEPARATE-ARRIVAL" in rules(blocked, "blocks")
    no_letter = make_case(
        screen=screening(abuse=Answer.YES, letter=None),
        directions=(d,),
        assessments=(assessment(A.CONTACT_SUPERVISED),),
    )
    assert check(no_letter, [ENHANCED]).status is WAITING
    no_assessment = make_case(screen=screening(abuse=Answer.YES), directions=(d,))
    assert check(no_assessment, [ENHANCED]).status is WAITING
    self_referral = make_case(
        directions=(direction(A.CONTACT_SUPERVISED, provider_id="enh", delivery="face_to_face"),),
        assessments=(assessment(A.CONTACT_SUPERVISED),),
    )
    result = check(self_referral, [ENHANCED])
    assert result.status is BLOCKED
    assert "CONTACT-SELF" in rules(result, "blocks")


def test_an_existing_referral_is_mentioned():
    case = make_case(
        directions=(direction(A.WT4C, provider_id="wt4c", id="d1"),),
        referrals=(
            Referral(
                direction_id="d1",
                party_id=APP,
                activity=A.WT4C,
                provider_id="wt4c",
                state=ReferralState.QUEUED,
            ),
        ),
    )
    assert "already queued" in " ".join(r.text for r in check(case, [WT4C]).reasons)


def test_whole_case_assessment_cells_and_json():
    case = make_case(
        parties=(party(APP, legal_aid=Answer.YES), party(RESP, role="respondent")),
        directions=(direction(A.WT4C, provider_id="sample-wt4c-cardiff"),),
    )
    result = assess_case(case, sample_directory(), today=TODAY)
    wt4c = result.cell(APP, A.WT4C)
    assert wt4c.verdict.status is Status.ELIGIBLE
    assert wt4c.options.provider_ids[0].startswith("sample-")
    assert wt4c.funding.party_pays_pence == 0
    ptfc = result.cell(APP, A.PTFC)
    assert ptfc.funding is None and ptfc.options is None
    supervised = result.cell(APP, A.CONTACT_SUPERVISED)
    assert supervised.verdict.status is Status.NEEDS_SCREENING and supervised.options is None
    assert [r.direction_id for r in result.directions] == ["d1"]
    data = to_json(case, result)
    assert data["format"] == "duty-tui/assessment"
    assert len(data["matrix"]) == 12
    cell = next(c for c in data["matrix"] if c["party_id"] == APP and c["activity"] == "wt4c")
    assert cell["symbol"] == "✓"
    assert cell["options"][0]["provider_id"].startswith("sample-")
    assert cell["funding"]["route"] == "legal_aid"
    assert {"rule", "source", "effect", "text"} == set(cell["reasons"][0])
    assert data["directions"][0]["status"] in {"ready", "waiting", "blocked"}
    assert [f["kind"] for f in data["followups"]] == [
        "attendance",
        "evaluation",
        "six_month_contact",
    ]


def test_england_case_assessment():
    case = make_case(Jurisdiction.ENGLAND)
    result = assess_case(case, sample_directory(), today=TODAY)
    assert result.cell(APP, A.PTFC).verdict.status is Status.ELIGIBLE
    assert result.cell(APP, A.PTFC).options.provider_ids
    assert result.cell(APP, A.WT4C).verdict.status is Status.BLOCKED


def test_a_final_order_carries_an_s11c_condition_never_an_s11a_direction():
    # Children Act 1989 s11A(7) and s11C: by consent at the FHDRA the court disposes finally.
    as_direction = make_case(
        directions=(direction(A.WT4C, provider_id=WT4C.id, order_type="final"),)
    )
    refused = check(as_direction, [WT4C])
    assert refused.status is ReadinessStatus.BLOCKED
    assert "S11A-INTERIM" in rules(refused, "blocks")
    as_condition = make_case(
        directions=(
            direction(A.WT4C, provider_id=WT4C.id, order_type="final", provision="condition"),
        )
    )
    condition = check(as_condition, [WT4C])
    assert condition.status is READY, condition.reasons
    assert condition.wording.text.startswith(
        "As an activity condition under section 11C of the Children Act 1989"
    )
    assert "11A" not in condition.wording.text


def test_s11b_a_child_party_only_if_a_parent_and_residence_recorded():
    child_parent = make_case(
        parties=(party(is_child=True, child_is_a_parent=True),),
        directions=(direction(A.WT4C, provider_id=WT4C.id),),
    )
    assert check(child_parent, [WT4C]).status is READY
    unknown = make_case(
        parties=(party(habitually_resident="unknown"),),
        directions=(direction(A.WT4C, provider_id=WT4C.id),),
    )
    ready_with_warning = check(unknown, [WT4C])
    assert ready_with_warning.status is READY
    assert rules(ready_with_warning, "warning") == ["S11B-RESIDENCE"]
