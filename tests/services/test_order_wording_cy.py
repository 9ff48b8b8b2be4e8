"""The order's wording in Welsh and English for a case in Wales (issue 12)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from duty_tui import i18n
from duty_tui.services.wording import CY_ACTIVITY, CY_ROLE, order_wording
from records.caseformat import dump_cases, load_cases
from records.model import (
    Activity,
    Child,
    Delivery,
    Jurisdiction,
    PartyRole,
    Provision,
    Referral,
)
from records.payload import build_payload, payload_from_dict, payload_to_dict
from tests.services.factories import APP, direction, make_case, provider

A = Activity
CHILDREN = (Child(name="Gwen Ffug", date_of_birth=dt.date(2019, 5, 1)),)
CARDIFF = provider("wt4c-cf", name="Canolfan Ffug Caerdydd", activities=[A.WT4C])


def _wt4c(jurisdiction: Jurisdiction = Jurisdiction.WALES, **changes):
    d = direction(A.WT4C, provider_id="wt4c-cf", delivery=Delivery.REMOTE, **changes)
    return make_case(jurisdiction, directions=(d,)), d


def test_wales_gets_welsh_and_english_side_by_side() -> None:
    case, d = _wt4c()
    words = order_wording(case, d, CARDIFF)
    name = case.party(APP).name
    assert words.en == (
        f"Under section 11A of the Children Act 1989, {name}, the applicant, shall attend the "
        "Working Together for Children (WT4C) programme, provided by Canolfan Ffug Caerdydd "
        "(remote)."
    )
    assert words.cy == (
        f"O dan adran 11A o Ddeddf Plant 1989, rhaid i {name}, y ceisydd, fynychu'r rhaglen "
        "Working Together for Children (WT4C), a ddarperir gan Canolfan Ffug Caerdydd (o bell)."
    )
    assert words.bilingual == f"{words.cy}\n\n{words.en}"


def test_england_gets_english_only() -> None:
    case, d = _wt4c(Jurisdiction.ENGLAND)
    words = order_wording(case, d, CARDIFF)
    assert words.cy is None
    assert words.bilingual == words.en


def test_the_officers_language_never_changes_the_orders_words() -> None:
    case, d = _wt4c()
    english_ui = order_wording(case, d, CARDIFF)
    try:
        i18n.set_language("cy")
        welsh_ui = order_wording(case, d, CARDIFF)
    finally:
        i18n.set_language("en")
    assert (welsh_ui.en, welsh_ui.cy) == (english_ui.en, english_ui.cy)


def test_a_condition_in_welsh() -> None:
    case, d = _wt4c(provision=Provision.CONDITION)
    words = order_wording(case, d, CARDIFF)
    assert words.cy is not None
    assert words.cy.startswith(
        "Fel amod gweithgaredd o dan adran 11C o Ddeddf Plant 1989, a osodir gan y gorchymyn "
        "trefniadau plant, rhaid i "
    )


def test_added_terms_go_into_both_and_the_officer_is_told() -> None:
    case, d = _wt4c()
    words = order_wording(case, d, CARDIFF, "and must attend by 1 March 2027")
    assert words.en.endswith("(remote) and must attend by 1 March 2027.")
    assert words.cy is not None and words.cy.endswith("(o bell) and must attend by 1 March 2027.")
    assert "ORDER-WELSH" in [r.rule_id for r in words.reasons]
    assert not words.refused  # a warning: the court decides the terms' Welsh


def test_the_reasons_follow_the_officers_language() -> None:
    case, d = _wt4c()
    try:
        i18n.set_language("cy")
        (reason,) = [r for r in order_wording(case, d, None).reasons]
    finally:
        i18n.set_language("en")
    assert reason.text == "mae cyfarwyddyd yn enwi'r darparwr: nid oes un wedi'i ddewis eto"


@pytest.mark.parametrize("activity", list(Activity))
def test_every_activity_and_role_has_its_welsh(activity: Activity) -> None:
    # The phrase follows "rhaid i <party>,": its verb is soft-mutated.
    assert CY_ACTIVITY[activity].split()[0] in ("fynychu", "fynychu'r", "gymryd", "gwblhau'r")
    assert set(CY_ROLE) == set(PartyRole)


def test_the_referral_and_the_case_file_carry_both() -> None:
    case, d = _wt4c()
    words = order_wording(case, d, CARDIFF)
    kept = direction(
        A.WT4C,
        provider_id="wt4c-cf",
        funding="legal_aid",
        wording=words.en,
        wording_cy=words.cy,
    )
    case = make_case(directions=(kept,), children=CHILDREN)
    referral = Referral(direction_id=kept.id, party_id=APP, activity=A.WT4C, provider_id="wt4c-cf")
    data = payload_to_dict(build_payload(case, kept, referral))
    assert (data["wording"], data["wording_cy"]) == (words.en, words.cy)
    assert payload_from_dict(data).wording_cy == words.cy
    assert load_cases(json.dumps(dump_cases([case])))[0].directions[0].wording_cy == words.cy


def test_a_payload_queued_before_the_welsh_still_reads() -> None:
    kept = direction(A.WT4C, provider_id="wt4c-cf", funding="legal_aid", wording="x")
    case = make_case(directions=(kept,), children=CHILDREN)
    referral = Referral(direction_id=kept.id, party_id=APP, activity=A.WT4C, provider_id="wt4c-cf")
    data = payload_to_dict(build_payload(case, kept, referral))
    del data["wording_cy"]
    assert payload_from_dict(data).wording_cy == ""


def test_the_activities_names_and_forms_in_welsh() -> None:
    from duty_tui.services.catalogue import activity_form, activity_name, entry

    try:
        i18n.set_language("cy")
        assert activity_name(A.CONTACT_SUPERVISED) == (
            "Cyswllt dan oruchwyliaeth mewn canolfan cyswllt i blant"
        )
        assert activity_form(A.WT4C).startswith("4 awr: un diwrnod")
        # What is stored or sent keeps the English (the id names the activity).
        assert entry(A.CONTACT_SUPERVISED).name == "Supervised contact at a child contact centre"
    finally:
        i18n.set_language("en")
    assert activity_name(A.CONTACT_SUPERVISED) == entry(A.CONTACT_SUPERVISED).name
