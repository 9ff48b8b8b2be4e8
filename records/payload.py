"""The payload a referral carries to central records, and the content that is hashed.

A payload is built from a Case + Direction + Referral at the moment of queueing and then never
changes (the outbox freezes it). Central validates what arrives with these same records and the
same cattrs converter (``caseformat.converter``), so the app and central cannot disagree about
what a valid referral is. Fields reuse the converters of ``records`` (names, postcodes, phone,
dates) so the messages are the ones the officer already knows.

Pure domain code: no store, no network, no Textual. Central imports this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Literal

import attrs

from records import caseformat
from records.model import (
    Activity,
    Agreed,
    Assessment,
    Case,
    Child,
    CourtOverride,
    Delivery,
    Direction,
    FundingRoute,
    Hearing,
    Jurisdiction,
    Language,
    Monitoring,
    Officer,
    OrderType,
    OverriddenBlock,
    Participation,
    Party,
    PartyAgreement,
    PartyRole,
    Provision,
    RecordError,
    Referral,
    TimeConstraints,
    parse_id,
    parse_optional_date,
)

PAYLOAD_VERSION = 1
MAX_CHILDREN = 20
# Every field is bounded by its record, so a payload is a few kB; anything bigger is not one.
MAX_ITEM_BYTES = 32 * 1024

Action = Literal["refer", "withdraw"]
ACTIONS: tuple[str, ...] = ("refer", "withdraw")

_CONTACT_CENTRE = (Activity.CONTACT_SUPPORTED, Activity.CONTACT_SUPERVISED)


def _converter_of(record: type, name: str) -> Any:
    """The converter the records use for a field, so a payload field parses exactly alike."""
    return getattr(attrs.fields(record), name).converter


@attrs.frozen
class ReferralParty:
    """The party being referred: who they are, where they live, when they cannot attend."""

    name: str = attrs.field(converter=_converter_of(Party, "name"))
    role: PartyRole = attrs.field(converter=_converter_of(Party, "role"))
    postcode: str = attrs.field(default="", converter=_converter_of(Party, "postcode"))
    language: Language = attrs.field(
        default=Language.ENGLISH, converter=_converter_of(Party, "language")
    )
    constraints: TimeConstraints = attrs.field(factory=TimeConstraints)
    phone: str = attrs.field(default="", converter=_converter_of(Party, "phone"))
    email: str = attrs.field(default="", converter=_converter_of(Party, "email"))
    # Taking part (issue 11, item 9): interpreter and language, adjustments, separate arrival,
    # the Welsh active offer: what the provider must arrange.
    participation: Participation = attrs.field(factory=Participation)

    @participation.validator
    def _check_participation(self, _attribute: Any, value: Any) -> None:
        if not isinstance(value, Participation):
            raise RecordError.of("participation", "participation must be what the party needs")

    @constraints.validator
    def _check_constraints(self, _attribute: Any, value: Any) -> None:
        if not isinstance(value, TimeConstraints):
            raise RecordError.of("constraints", "constraints must be work/education/religion times")


@attrs.frozen
class ReferralChild:
    name: str = attrs.field(converter=_converter_of(Child, "name"))
    date_of_birth: dt.date = attrs.field(converter=_converter_of(Child, "date_of_birth"))


@attrs.frozen
class ReferralAgreement:
    """A parent's agreement to funded contact (route (a), Welsh Government ATISN 16942)."""

    name: str = attrs.field(converter=_converter_of(Party, "name"))
    agreed: Agreed = attrs.field(converter=_converter_of(PartyAgreement, "agreed"))
    agreed_on: dt.date | None = attrs.field(
        default=None, converter=_converter_of(PartyAgreement, "agreed_on")
    )


@attrs.frozen
class MonitoringRequest:
    """The court's s11G request as the provider needs it: who asked, when, for what period
    (not the attendance the officer records since, which is the officer's to report)."""

    asked_by: str = attrs.field(converter=_converter_of(Monitoring, "asked_by"))
    asked_on: dt.date = attrs.field(converter=_converter_of(Monitoring, "asked_on"))
    period_from: dt.date = attrs.field(converter=_converter_of(Monitoring, "period_from"))
    period_to: dt.date = attrs.field(converter=_converter_of(Monitoring, "period_to"))

    def __attrs_post_init__(self) -> None:
        if self.period_to < self.period_from:
            raise RecordError.of("monitoring to", "the monitoring period ends before it starts")


@attrs.frozen
class OfficerAssessment:
    """The officer's recorded judgement: who, when, why (the tool never makes it)."""

    assessed_by: str = attrs.field(converter=_converter_of(Assessment, "assessed_by"))
    assessed_on: dt.date = attrs.field(converter=_converter_of(Assessment, "assessed_on"))
    reason: str = attrs.field(converter=_converter_of(Assessment, "reason"))


@attrs.frozen
class AgainstRulesAdvice:
    """The court directed this against the rules' advice (issue 13, item 10): the blocking
    reasons as they stood when the officer recorded it, and the reason the court gave."""

    court_reason: str = attrs.field(converter=_converter_of(CourtOverride, "reason"))
    recorded_on: dt.date = attrs.field(converter=_converter_of(CourtOverride, "recorded_on"))
    recorded_by: str = attrs.field(converter=_converter_of(CourtOverride, "recorded_by"))
    blocking_reasons: tuple[OverriddenBlock, ...] = attrs.field(converter=tuple)

    @blocking_reasons.validator
    def _check_blocks(self, _attribute: Any, value: tuple[Any, ...]) -> None:
        # The same rule as the record's: at least one, each a rule and its words.
        CourtOverride(self.court_reason, self.recorded_on, self.recorded_by, value)


def _children(value: Any) -> tuple[ReferralChild, ...]:
    return tuple(value)


@attrs.frozen
class ReferralPayload:
    """What central records receive for one referral revision. Valid if it exists."""

    case_number: str = attrs.field(converter=_converter_of(Case, "case_number"))
    court: str = attrs.field(converter=_converter_of(Case, "court"))
    jurisdiction: Jurisdiction = attrs.field(converter=_converter_of(Case, "jurisdiction"))
    hearing_date: dt.date = attrs.field(converter=_converter_of(Hearing, "date"))
    officer: Officer = attrs.field()
    party: ReferralParty = attrs.field()
    children: tuple[ReferralChild, ...] = attrs.field(converter=_children)
    activity: Activity = attrs.field(converter=_converter_of(Direction, "activity"))
    provider_id: str = attrs.field(converter=parse_id)
    funding: FundingRoute = attrs.field(converter=_converter_of(Direction, "funding"))
    delivery: Delivery = attrs.field(converter=_converter_of(Direction, "delivery"))
    safeguarding_letter_on: dt.date | None = attrs.field(
        default=None, converter=lambda v: _optional_date(v, "safeguarding letter date")
    )
    # The order the provider acts on (issue 11): when it was made, interim or final, and whether
    # the activity is a direction (s11A) or a condition of a child arrangements order (s11C).
    directed_on: dt.date | None = attrs.field(
        default=None, converter=lambda v: _optional_date(v, "directed on")
    )
    order_type: OrderType = attrs.field(
        default=OrderType.INTERIM, converter=_converter_of(Direction, "order_type")
    )
    provision: Provision = attrs.field(
        default=Provision.DIRECTION, converter=_converter_of(Direction, "provision")
    )
    hours_directed: int | None = attrs.field(
        default=None, converter=_converter_of(Direction, "hours_directed")
    )
    # At a contact centre the other parent brings the child: the centre needs to reach them.
    other_parties: tuple[ReferralParty, ...] = attrs.field(default=(), converter=tuple)
    version: int = attrs.field(default=PAYLOAD_VERSION)
    # Issue 11, item 6: for contact funded on route (a), the evidence central records need:
    # each parent's agreement (when) and the officer's note of the court's consultation.
    agreements: tuple[ReferralAgreement, ...] = attrs.field(default=(), converter=tuple)
    consultation_note: str = attrs.field(
        default="", converter=_converter_of(Direction, "consultation_note")
    )
    # Issue 11, item 7: a party who pays after a refused application confirmed it on this day.
    pays_confirmed_on: dt.date | None = attrs.field(
        default=None, converter=lambda v: _optional_date(v, "will pay confirmed on")
    )

    @agreements.validator
    def _check_agreements(self, _attribute: Any, value: tuple[Any, ...]) -> None:
        if len(value) > MAX_CHILDREN or not all(isinstance(a, ReferralAgreement) for a in value):
            raise RecordError.of("agreement", "agreements must be each parent's answer")

    # The words of the order, as the officer kept them on the direction.
    wording: str = attrs.field(default="", converter=_converter_of(Direction, "wording"))
    # In Wales their Welsh too, side by side with the English (issue 12); empty in England.
    wording_cy: str = attrs.field(default="", converter=_converter_of(Direction, "wording_cy"))
    # The court's s11G request: the provider reports attendance to the officer for the period.
    monitoring: MonitoringRequest | None = attrs.field(default=None)
    # The officer's recorded assessment (supervised contact) or plan (CCI) for this party and
    # activity: who, when, why. The latest one recorded.
    assessment: OfficerAssessment | None = attrs.field(default=None)

    # Directed by the court against the rules' advice: central sees what the advice was and why
    # the court went against it. Left out of the dict when None (payload_to_dict), so the
    # payloads queued before it existed are not taken for changed ones.
    against_rules_advice: AgainstRulesAdvice | None = attrs.field(default=None)

    @against_rules_advice.validator
    def _check_against(self, _attribute: Any, value: Any) -> None:
        if value is not None and not isinstance(value, AgainstRulesAdvice):
            raise RecordError.of(
                "against rules advice", "must be the court's reason and the blocks"
            )

    @monitoring.validator
    def _check_monitoring(self, _attribute: Any, value: Any) -> None:
        if value is not None and not isinstance(value, MonitoringRequest):
            raise RecordError.of("monitoring", "monitoring must be the court's request")

    @assessment.validator
    def _check_assessment(self, _attribute: Any, value: Any) -> None:
        if value is not None and not isinstance(value, OfficerAssessment):
            raise RecordError.of(
                "assessment", "assessment must be the officer's recorded judgement"
            )

    @officer.validator
    def _check_officer(self, _attribute: Any, value: Any) -> None:
        if not isinstance(value, Officer):
            raise RecordError.of("officer", "officer must be a name and a role")

    @party.validator
    def _check_party(self, _attribute: Any, value: Any) -> None:
        if not isinstance(value, ReferralParty):
            raise RecordError.of("party", "party must be the person referred")

    @children.validator
    def _check_children(self, _attribute: Any, value: tuple[Any, ...]) -> None:
        if not value:
            raise RecordError.of("children", "a referral names at least one child")
        if len(value) > MAX_CHILDREN:
            raise RecordError.of(
                "children", "a referral names at most {most} children", most=MAX_CHILDREN
            )
        if not all(isinstance(child, ReferralChild) for child in value):
            raise RecordError.of("children", "each child is a name and a date of birth")

    @funding.validator
    def _check_funding(self, _attribute: Any, value: FundingRoute | None) -> None:
        if value is None:
            raise RecordError.of("funding", "a referral needs its funding route")
        if value is FundingRoute.SELF_REFERRAL:
            # domain.md: otherwise the parties refer themselves and pay; nothing is queued.
            raise RecordError.of("funding", "a self-referral is made by the parties, not queued")

    @version.validator
    def _check_version(self, _attribute: Any, value: Any) -> None:
        if value != PAYLOAD_VERSION or isinstance(value, bool):
            raise RecordError.of(
                "version", "payload version must be {version}", version=PAYLOAD_VERSION
            )

    @other_parties.validator
    def _check_other_parties(self, _attribute: Any, value: tuple[Any, ...]) -> None:
        if len(value) > MAX_CHILDREN or not all(isinstance(p, ReferralParty) for p in value):
            raise RecordError.of("other parties", "other parties must be people referred alongside")

    def __attrs_post_init__(self) -> None:
        # Children Act 1989 s11A(7): no activity direction on a final order; central refuses
        # one as the app does, whatever sent it.
        if self.order_type is OrderType.FINAL and self.provision is Provision.DIRECTION:
            raise RecordError.of(
                "order type",
                "a final order cannot carry an activity direction (s11A(7)): it is an activity "
                "condition (s11C)",
            )
        # PD12B 14.13: the safeguarding letter goes with any contact-centre referral, so a
        # contact-centre referral without one is not a referral central can pass on.
        if self.activity in _CONTACT_CENTRE and self.safeguarding_letter_on is None:
            raise RecordError.of(
                "safeguarding letter date",
                "a contact-centre referral needs the date of the safeguarding letter",
            )


def _optional_date(value: Any, field: str) -> dt.date | None:
    return parse_optional_date(value, field=field)


class PayloadError(ValueError):
    """A referral that cannot be built: ``problems`` say what is missing, safe to show.
    ``cause`` is the record's own error when a value was refused, for the app to say it in
    the officer's language (RecordError.template)."""

    def __init__(self, problems: list[str], *, cause: RecordError | None = None) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.cause = cause


def build_payload(case: Case, direction: Direction, referral: Referral) -> ReferralPayload:
    """The frozen payload for ``referral`` as the case stands now. PayloadError if not valid."""
    if direction.id != referral.direction_id:
        raise PayloadError(["the referral belongs to another direction"])
    if referral.party_id != direction.party_id:
        raise PayloadError(["the referral names another party than its direction"])
    try:
        party = case.party(referral.party_id)
    except KeyError:
        raise PayloadError(["the referral names a party not in this case"]) from None
    provider_id = referral.provider_id or direction.provider_id
    if not provider_id:
        raise PayloadError(["choose a provider before queueing the referral"])
    try:
        return ReferralPayload(
            case_number=case.case_number,
            court=case.court,
            jurisdiction=case.jurisdiction,
            hearing_date=case.hearing.date,
            officer=case.officer,
            party=_referral_party(party),
            children=tuple(
                ReferralChild(name=c.name, date_of_birth=c.date_of_birth) for c in case.children
            ),
            activity=direction.activity,
            provider_id=provider_id,
            funding=direction.funding,
            delivery=direction.delivery,
            safeguarding_letter_on=case.screening.safeguarding_letter_on,
            directed_on=direction.directed_on,
            order_type=direction.order_type,
            provision=direction.provision,
            hours_directed=direction.hours_directed,
            other_parties=_other_parents(case, direction),
            **_route_a_evidence(case, direction),
            pays_confirmed_on=direction.pays_confirmed_on,
            wording=direction.wording,
            wording_cy=direction.wording_cy,
            monitoring=_monitoring_request(direction.monitoring),
            assessment=_assessment(case, direction),
            against_rules_advice=_against_advice(direction.court_override),
        )
    except RecordError as exc:
        raise PayloadError([f"{exc.field}: {exc.message}"], cause=exc) from None


def _against_advice(given: CourtOverride | None) -> AgainstRulesAdvice | None:
    if given is None:
        return None
    return AgainstRulesAdvice(
        court_reason=given.reason,
        recorded_on=given.recorded_on,
        recorded_by=given.recorded_by,
        blocking_reasons=given.blocks,
    )


def _route_a_evidence(case: Case, direction: Direction) -> dict[str, Any]:
    """Route (a)'s evidence, only when the contact is funded on route (a): nobody else needs
    to read what each parent said."""
    if direction.funding is not FundingRoute.FHDRA_AGREED:
        return {}
    return {
        "agreements": tuple(
            ReferralAgreement(
                name=case.party(a.party_id).name, agreed=a.agreed, agreed_on=a.agreed_on
            )
            for a in direction.agreements
        ),
        "consultation_note": direction.consultation_note,
    }


def _referral_party(party: Party) -> ReferralParty:
    return ReferralParty(
        name=party.name,
        role=party.role,
        postcode=party.postcode,
        language=party.language,
        constraints=party.constraints,
        phone=party.phone,
        email=party.email,
        participation=party.participation,
    )


def _monitoring_request(m: Monitoring | None) -> MonitoringRequest | None:
    if m is None:
        return None
    return MonitoringRequest(
        asked_by=m.asked_by, asked_on=m.asked_on, period_from=m.period_from, period_to=m.period_to
    )


def _assessment(case: Case, direction: Direction) -> OfficerAssessment | None:
    """The latest assessment recorded for this party and activity (or for the activity with no
    party named), as the readiness rules read it."""
    found = [
        a
        for a in case.assessments
        if a.activity is direction.activity and a.party_id in (None, direction.party_id)
    ]
    if not found:
        return None
    latest = max(found, key=lambda a: (a.assessed_on, a.party_id is not None))
    return OfficerAssessment(
        assessed_by=latest.assessed_by, assessed_on=latest.assessed_on, reason=latest.reason
    )


def _other_parents(case: Case, direction: Direction) -> tuple[ReferralParty, ...]:
    """For a contact centre, the applicant and respondent other than the party referred: one of
    them brings the child, and the centre arranges the handover with both."""
    if direction.activity not in _CONTACT_CENTRE:
        return ()
    return tuple(
        _referral_party(p)
        for p in case.parties
        if p.id != direction.party_id and p.role is not PartyRole.OTHER_FAMILY_MEMBER
    )


def payload_to_dict(payload: ReferralPayload) -> dict[str, Any]:
    data: dict[str, Any] = caseformat.converter.unstructure(payload)
    if data.get("against_rules_advice") is None:
        # Absent, not null: a referral queued before the field existed rebuilds to the same
        # dict, so it is not offered as an amendment (and its content hash is unchanged).
        data.pop("against_rules_advice", None)
    return data


def payload_from_dict(data: Any, *, path: str = "$.payload") -> ReferralPayload:
    """Strict: unknown keys, wrong kinds and bad values are CaseFormatError with every problem."""
    return caseformat._structure(data, ReferralPayload, path)


# --- the hashed content ------------------------------------------------------------------------


def canonical_json(data: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8. What the sha256 is taken of."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_of(
    referral_id: str,
    revision: int,
    *,
    supersedes: int | None,
    action: str,
    note: str,
    payload: dict[str, Any],
) -> dict[str, Any]:
    """Everything a key (referral id + revision) stands for: two sends of one key must match."""
    return {
        "referral_id": referral_id,
        "revision": revision,
        "supersedes": supersedes,
        "action": action,
        "note": note,
        "payload": payload,
    }


def content_sha256(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()
