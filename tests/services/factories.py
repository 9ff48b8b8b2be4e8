"""Small builders for readable service tests: a Welsh FHDRA with two parents, all screening "no".

Answer dates are in October 2026 (before the real today, which the records check); ``TODAY`` is
the hearing day the services are asked about.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from records.model import (
    Activity,
    Agreed,
    Answer,
    Assessment,
    Case,
    Direction,
    DirectionStatus,
    Hearing,
    Jurisdiction,
    Language,
    Need,
    Officer,
    OfficerRole,
    Participation,
    Party,
    PartyAgreement,
    PartyRole,
    PersonChecks,
    Provider,
    Screening,
    ScreeningAnswer,
    WelshOffer,
)

TODAY = dt.date(2026, 11, 23)  # a Monday
ANSWERED = dt.date(2026, 10, 20)
LETTER = dt.date(2026, 10, 30)
APP = "p-app"
RESP = "p-resp"


def answer(value: Answer, on: dt.date = ANSWERED) -> ScreeningAnswer:
    if value is Answer.UNKNOWN:
        return ScreeningAnswer()
    return ScreeningAnswer(value, on, "Officer Test")


def screening(
    police: Answer = Answer.NO,
    la: Answer = Answer.NO,
    abuse: Answer = Answer.NO,
    harm: Answer = Answer.NO,
    letter: dt.date | None = LETTER,
    *,
    fact_finding: Answer = Answer.NO,
    findings: Answer = Answer.NO,
    s16a: Answer = Answer.NO,
    people: tuple[PersonChecks, ...] = (),
) -> Screening:
    """A fully recorded screening: the court's answers (PD12J, s16A) are "no" unless given."""
    return Screening(
        police_check=answer(police),
        local_authority_check=answer(la),
        domestic_abuse=answer(abuse),
        other_harm=answer(harm),
        safeguarding_letter_on=letter,
        fact_finding_needed=answer(fact_finding),
        findings_made=answer(findings),
        s16a_risk_assessment=answer(s16a),
        people=people,
    )


def party(party_id: str = APP, role: PartyRole = PartyRole.APPLICANT, **changes: Any) -> Party:
    fields: dict[str, Any] = {
        "name": "Rhiannon Ffug" if role is PartyRole.APPLICANT else "Pwyll Ffug",
        "role": role,
        "postcode": "CF10 1AA",
        "language": Language.ENGLISH,
        "legal_aid": Answer.NO,
        # A fully recorded party, as legal aid above: s11B residence answered.
        "habitually_resident": Answer.YES,
        # Taking part asked about: no interpreter, Welsh offered and English chosen.
        "participation": Participation(
            interpreter=Need.NO, welsh_offer=WelshOffer.ENGLISH, welsh_offer_on=ANSWERED
        ),
        "id": party_id,
    }
    fields.update(changes)
    return Party(**fields)


def make_case(
    jurisdiction: Jurisdiction = Jurisdiction.WALES,
    *,
    screen: Screening | None = None,
    parties: tuple[Party, ...] | None = None,
    directions: tuple[Direction, ...] = (),
    assessments: tuple[Assessment, ...] = (),
    **changes: Any,
) -> Case:
    if parties is None:
        postcode = "CF10 1AA" if jurisdiction is Jurisdiction.WALES else "BS1 4DJ"
        parties = (
            party(APP, PartyRole.APPLICANT, postcode=postcode),
            party(RESP, PartyRole.RESPONDENT, postcode=postcode),
        )
    fields: dict[str, Any] = {
        "case_number": "ZZ26P00001",
        "court": "Sample Family Court",
        "jurisdiction": jurisdiction,
        "hearing": Hearing(date=TODAY),
        "officer": Officer(name="Officer Test", role=OfficerRole.FCA),
        "parties": parties,
        "screening": screen if screen is not None else screening(),
        "assessments": assessments,
        "directions": directions,
        "id": "case-1",
    }
    fields.update(changes)
    return Case(**fields)


def direction(
    activity: Activity, party_id: str = APP, *, index: int = 1, **changes: Any
) -> Direction:
    fields: dict[str, Any] = {
        "activity": activity,
        "party_id": party_id,
        "status": DirectionStatus.DIRECTED,
        "directed_on": TODAY,
        # Fully recorded: the party was told financial assistance exists (FA-TOLD).
        "assistance_told_on": TODAY,
        "id": f"d{index}",
    }
    fields.update(changes)
    return Direction(**fields)


def assessment(
    activity: Activity, party_id: str | None = None, on: dt.date = dt.date(2026, 11, 1)
) -> Assessment:
    return Assessment(
        activity=activity,
        assessed_by="Officer Test",
        assessed_on=on,
        reason="Contact safe and beneficial with supervision",
        party_id=party_id,
    )


def provider(provider_id: str = "prov", **changes: Any) -> Provider:
    fields: dict[str, Any] = {
        "id": provider_id,
        "name": f"Test provider {provider_id}",
        "activities": [Activity.WT4C],
        "jurisdiction": Jurisdiction.WALES,
        "areas": ["CF"],
        "delivery": ["remote", "face_to_face"],
        "languages": ["english"],
    }
    fields.update(changes)
    return Provider(**fields)


def agreed(*party_ids: str, on: dt.date = TODAY) -> dict[str, Any]:
    """Direction fields for contact route (a) evidence: each party agreed on ``on`` and the
    officer noted the court's consultation (Welsh Government ATISN 16942)."""
    return {
        "agreements": tuple(
            PartyAgreement(party_id=p, agreed=Agreed.YES, agreed_on=on, note="agreed in court")
            for p in (party_ids or (APP, RESP))
        ),
        "consultation_note": "The court consulted me on duty before ordering contact.",
    }
