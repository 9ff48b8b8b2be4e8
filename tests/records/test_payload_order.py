"""Issue 11: the referral carries the order it comes from, and for a contact centre the other
parent, who brings the child."""

from __future__ import annotations

import datetime as dt

import pytest

from records.model import Activity, Child, PartyRole, Referral, Screening
from records.payload import PayloadError, build_payload, payload_from_dict, payload_to_dict
from tests.services.factories import APP, RESP, TODAY, agreed, direction, make_case, party


def _payload(activity: Activity, **changes):
    case = make_case(
        parties=(party(APP), party(RESP, PartyRole.RESPONDENT, phone="07700 900123")),
        directions=(direction(activity, provider_id="prov", **{"funding": "paid", **changes}),),
        screen=Screening(safeguarding_letter_on=TODAY),
        children=(Child(name="Gwen Ffug", date_of_birth=dt.date(2019, 5, 1)),),
    )
    d = case.directions[0]
    referral = Referral(
        direction_id=d.id, party_id=d.party_id, activity=d.activity, provider_id="prov"
    )
    return build_payload(case, d, referral)


def test_the_payload_carries_the_order_date_type_and_provision():
    payload = _payload(Activity.WT4C, order_type="final", provision="condition")
    data = payload_to_dict(payload)
    assert (data["directed_on"], data["order_type"], data["provision"]) == (
        TODAY.isoformat(),
        "final",
        "condition",
    )
    assert data["other_parties"] == []  # WT4C: each parent is referred on their own
    assert payload_from_dict(data) == payload


def test_a_contact_centre_payload_names_the_other_parent():
    payload = _payload(Activity.CONTACT_SUPPORTED)
    [other] = payload.other_parties
    assert (other.name, other.role, other.phone) == (
        "Pwyll Ffug",
        PartyRole.RESPONDENT,
        "07700 900123",
    )


def test_no_payload_for_an_s11a_direction_on_a_final_order():
    with pytest.raises(PayloadError, match=r"s11A\(7\)"):
        _payload(Activity.WT4C, order_type="final")


def test_a_route_a_payload_carries_each_parents_agreement_and_the_consultation_note():
    """Issue 11, item 6: central records can see route (a)'s evidence."""
    payload = _payload(Activity.CONTACT_SUPPORTED, funding="fhdra_agreed", **agreed())
    data = payload_to_dict(payload)
    assert data["agreements"] == [
        {"name": "Rhiannon Ffug", "agreed": "yes", "agreed_on": TODAY.isoformat()},
        {"name": "Pwyll Ffug", "agreed": "yes", "agreed_on": TODAY.isoformat()},
    ]
    assert data["consultation_note"].startswith("The court consulted me")
    assert payload_from_dict(data) == payload
    # Not on another route: nobody else needs to read what each parent said.
    other = payload_to_dict(_payload(Activity.CONTACT_SUPPORTED, **agreed()))
    assert (other["agreements"], other["consultation_note"]) == ([], "")


def test_the_payload_carries_the_partys_confirmation_that_they_will_pay():
    """Issue 11, item 7: after a refused application the party confirmed they will pay."""
    payload = _payload(
        Activity.WT4C,
        assistance_applied_on=TODAY,
        assistance_decision="refused",
        pays_confirmed_on=TODAY,
        pays_confirmed_by="Officer Test",
    )
    assert payload_to_dict(payload)["pays_confirmed_on"] == TODAY.isoformat()


def test_a_payload_queued_before_version_3_still_reads():
    data = payload_to_dict(_payload(Activity.WT4C))
    for name in ("agreements", "consultation_note", "pays_confirmed_on"):
        del data[name]
    assert payload_from_dict(data) == _payload(Activity.WT4C)
