"""The funding table: route, amount, who pays, whether the referral may be queued, until when."""

from __future__ import annotations

import datetime as dt

import pytest

from duty_tui.services.catalogue import Effect, format_pence
from duty_tui.services.funding import Payer, funding_for
from records.model import (
    Activity,
    Agreed,
    Answer,
    AssistanceDecision,
    Direction,
    DirectionStatus,
    FundingRoute,
    Jurisdiction,
    PartyAgreement,
    PartyRole,
    RecordError,
)
from tests.services.factories import APP, RESP, TODAY, agreed, direction, make_case, party

A, R = Activity, FundingRoute
W, E = Jurisdiction.WALES, Jurisdiction.ENGLAND
RECEIVED = dt.date(2026, 11, 20)  # Friday: the decision is due Friday 27/11/2026


def d(activity, **kw):
    return direction(activity, **kw)


ROWS = [
    # (name, jurisdiction, activity, legal aid, direction changes or None,
    #  route, party pays, payer, may queue, wait until)
    ("wt4c legal aid", W, A.WT4C, Answer.YES, None, R.LEGAL_AID, 0, Payer.FREE, True, None),
    ("wt4c paid", W, A.WT4C, Answer.NO, None, R.PAID, 15000, Payer.PARTY, True, None),
    ("wt4c legal aid unknown", W, A.WT4C, Answer.UNKNOWN, None, None, None, None, False, None),
    (
        "wt4c unknown, party says pays",
        W,
        A.WT4C,
        Answer.UNKNOWN,
        {"funding": R.PAID},
        R.PAID,
        15000,
        Payer.PARTY,
        True,
        None,
    ),
    (
        "wt4c assistance pending",
        W,
        A.WT4C,
        Answer.NO,
        {"assistance_applied_on": RECEIVED},
        R.FINANCIAL_ASSISTANCE,
        None,
        None,
        False,
        dt.date(2026, 11, 27),
    ),
    (
        "wt4c assistance granted",
        W,
        A.WT4C,
        Answer.NO,
        {"assistance_applied_on": RECEIVED, "assistance_decision": AssistanceDecision.GRANTED},
        R.FINANCIAL_ASSISTANCE,
        0,
        Payer.SERVICE,
        True,
        None,
    ),
    (
        "wt4c assistance refused",
        W,
        A.WT4C,
        Answer.NO,
        {"assistance_applied_on": RECEIVED, "assistance_decision": AssistanceDecision.REFUSED},
        R.PAID,
        15000,
        Payer.PARTY,
        False,  # waits until the party confirms they will pay (issue 11, item 7)
        None,
    ),
    (
        "wt4c assistance refused, party confirmed they will pay",
        W,
        A.WT4C,
        Answer.NO,
        {
            "assistance_applied_on": RECEIVED,
            "assistance_decision": AssistanceDecision.REFUSED,
            "pays_confirmed_on": TODAY,
            "pays_confirmed_by": "Officer Test",
        },
        R.PAID,
        15000,
        Payer.PARTY,
        True,
        None,
    ),
    (
        "wt4c assistance chosen, not received",
        W,
        A.WT4C,
        Answer.NO,
        {"funding": R.FINANCIAL_ASSISTANCE},
        R.FINANCIAL_ASSISTANCE,
        None,
        None,
        False,
        None,
    ),
    (
        "wt4c application dated after today",
        W,
        A.WT4C,
        Answer.NO,
        {"assistance_applied_on": TODAY + dt.timedelta(days=3)},
        R.PAID,
        15000,
        Payer.PARTY,
        True,
        None,
    ),
    (
        "wt4c legal aid beats an application",
        W,
        A.WT4C,
        Answer.YES,
        {"assistance_applied_on": RECEIVED},
        R.LEGAL_AID,
        0,
        Payer.FREE,
        True,
        None,
    ),
    (
        "mediation legal aid",
        W,
        A.MEDIATION_INFO,
        Answer.YES,
        None,
        R.LEGAL_AID,
        0,
        Payer.FREE,
        True,
        None,
    ),
    ("mediation paid", W, A.MEDIATION_INFO, Answer.NO, None, R.PAID, 6000, Payer.PARTY, True, None),
    (
        "mediation assistance pending",
        W,
        A.MEDIATION_INFO,
        Answer.NO,
        {"assistance_applied_on": RECEIVED},
        R.FINANCIAL_ASSISTANCE,
        None,
        None,
        False,
        dt.date(2026, 11, 27),
    ),
    (
        "contact, no route: self-referral",
        W,
        A.CONTACT_SUPPORTED,
        Answer.YES,
        None,
        R.SELF_REFERRAL,
        None,
        Payer.PARTIES_DIRECT,
        False,
        None,
    ),
    (
        "contact route a",
        W,
        A.CONTACT_SUPPORTED,
        Answer.NO,
        {"funding": R.FHDRA_AGREED, **agreed()},
        R.FHDRA_AGREED,
        0,
        Payer.SERVICE,
        True,
        None,
    ),
    (
        "contact route a, not asked: waits for the evidence",
        W,
        A.CONTACT_SUPERVISED,
        Answer.NO,
        {"funding": R.FHDRA_AGREED},
        R.FHDRA_AGREED,
        0,
        Payer.SERVICE,
        False,
        None,
    ),
    (
        "contact route a, a parent said no",
        W,
        A.CONTACT_SUPERVISED,
        Answer.NO,
        {
            "funding": R.FHDRA_AGREED,
            **agreed(),
            "agreements": (
                PartyAgreement(party_id=APP, agreed=Agreed.YES, agreed_on=TODAY),
                PartyAgreement(party_id=RESP, agreed=Agreed.NO, agreed_on=TODAY),
            ),
        },
        R.SELF_REFERRAL,
        None,
        Payer.PARTIES_DIRECT,
        False,
        None,
    ),
    (
        "contact route a, ordered later",
        W,
        A.CONTACT_SUPPORTED,
        Answer.NO,
        {
            "funding": R.FHDRA_AGREED,
            **agreed(),
            "directed_on": TODAY + dt.timedelta(days=14),
        },
        R.SELF_REFERRAL,
        None,
        Payer.PARTIES_DIRECT,
        False,
        None,
    ),
    (
        "contact route a, order date missing: waits for it",
        W,
        A.CONTACT_SUPPORTED,
        Answer.NO,
        {"funding": R.FHDRA_AGREED, **agreed(), "directed_on": None},
        R.FHDRA_AGREED,
        0,
        Payer.SERVICE,
        False,
        None,
    ),
    (
        "contact route a, agreed, not yet ordered",
        W,
        A.CONTACT_SUPPORTED,
        Answer.NO,
        {
            "funding": R.FHDRA_AGREED,
            **agreed(),
            "status": DirectionStatus.PROPOSED,
            "directed_on": None,
        },
        R.FHDRA_AGREED,
        0,
        Payer.SERVICE,
        False,
        None,
    ),
    (
        "contact route b",
        W,
        A.CONTACT_SUPERVISED,
        Answer.NO,
        {"funding": R.REPORT_OR_INVOLVEMENT},
        R.REPORT_OR_INVOLVEMENT,
        0,
        Payer.SERVICE,
        True,
        None,
    ),
    (
        "contact in England",
        E,
        A.CONTACT_SUPPORTED,
        Answer.YES,
        {"funding": R.FHDRA_AGREED, **agreed()},
        R.SELF_REFERRAL,
        None,
        Payer.PARTIES_DIRECT,
        False,
        None,
    ),
    ("ptfc free", E, A.PTFC, Answer.NO, None, R.SERVICE_FUNDED, 0, Payer.SERVICE, True, None),
    (
        "ptfc never self-referred",
        E,
        A.PTFC,
        Answer.NO,
        {"funding": R.SELF_REFERRAL},
        R.SERVICE_FUNDED,
        0,
        Payer.SERVICE,
        True,
        None,
    ),
    ("cci funded", E, A.CCI, Answer.UNKNOWN, None, R.SERVICE_FUNDED, 0, Payer.SERVICE, True, None),
]


@pytest.mark.parametrize(
    (
        "name",
        "jurisdiction",
        "activity",
        "legal_aid",
        "changes",
        "route",
        "pays",
        "payer",
        "may_queue",
        "wait_until",
    ),
    ROWS,
    ids=[row[0] for row in ROWS],
)
def test_funding_table(
    name, jurisdiction, activity, legal_aid, changes, route, pays, payer, may_queue, wait_until
):
    # Both parents: route (a) asks each of them (Welsh Government ATISN 16942).
    other = party(RESP, PartyRole.RESPONDENT)
    case = make_case(jurisdiction, parties=(party(legal_aid=legal_aid), other))
    given = d(activity, **changes) if changes is not None else None
    f = funding_for(case, APP, activity, given, today=TODAY)
    assert (f.route, f.party_pays_pence, f.payer, f.may_queue, f.wait_until) == (
        route,
        pays,
        payer,
        may_queue,
        wait_until,
    )
    assert f.reasons and all(r.source for r in f.reasons)
    assert f.who_pays


def test_fees_and_hours_come_from_the_catalogue():
    case = make_case(E)
    assert funding_for(case, APP, A.CCI, today=TODAY).funded_hours == 12
    wales = make_case()
    assert funding_for(wales, APP, A.WT4C, today=TODAY).fee_pence == 15000
    assert funding_for(wales, APP, A.MEDIATION_INFO, today=TODAY).fee_pence == 6000
    assert funding_for(wales, APP, A.CONTACT_SUPPORTED, today=TODAY).fee_pence is None


def test_an_overdue_decision_is_flagged():
    case = make_case()
    f = funding_for(
        case, APP, A.WT4C, d(A.WT4C, assistance_applied_on=RECEIVED), today=dt.date(2026, 11, 30)
    )
    assert not f.may_queue
    assert any("was due by 27/11/2026" in r.text for r in f.reasons)


def test_a_direction_claiming_legal_aid_without_it_is_warned():
    case = make_case(parties=(party(legal_aid=Answer.NO),))
    f = funding_for(case, APP, A.WT4C, d(A.WT4C, funding=R.LEGAL_AID), today=TODAY)
    assert f.route is R.PAID
    assert any(r.effect.value == "warning" for r in f.reasons)


@pytest.mark.parametrize(
    ("pence", "text"),
    [(0, "£0.00"), (6000, "£60.00"), (15000, "£150.00"), (30000000, "£300,000.00"), (5, "£0.05")],
)
def test_money_is_shown_from_whole_pence(pence, text):
    assert format_pence(pence) == text


def test_cci_hours_directed_up_to_12_are_funded_more_are_refused():
    # "funding ... can be up to 12 hours" (Child contact intervention article).
    def of(hours):
        case = make_case(
            Jurisdiction.ENGLAND, directions=(direction(Activity.CCI, hours_directed=hours),)
        )
        return funding_for(case, APP, Activity.CCI, case.directions[0], today=TODAY)

    twelve = of(12)
    assert twelve.may_queue and twelve.funded_hours == 12
    assert any("12 hours directed, within the 12 funded" in r.text for r in twelve.reasons)
    thirteen = of(13)
    assert not thirteen.may_queue
    (beyond,) = [r for r in thirteen.reasons if r.effect is Effect.BLOCKS]
    assert beyond.rule_id == "CCI-FUNDED" and "beyond the 12 hours Cafcass funds" in beyond.text
    unrecorded = of(None)
    assert unrecorded.may_queue
    assert [r.effect for r in unrecorded.reasons if "not recorded" in r.text] == [Effect.WARNING]


@pytest.mark.parametrize("bad", ["0", "twelve", "101", True, -1])
def test_hours_directed_are_whole_hours_from_1_to_100(bad):
    with pytest.raises(RecordError) as err:
        Direction(activity="cci", party_id="p", hours_directed=bad)
    assert err.value.field == "hours directed"
