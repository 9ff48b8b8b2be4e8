"""The record the duty officer keeps: case, hearing, parties, children, screening, directions.

Source: "The record the officer keeps (minimum)" in shared/domain.md.

Records are frozen ``attrs`` classes validated at construction: a record that exists is valid.
Change one with :func:`attrs.evolve`. Only what holds whatever the date is checked here: a
stored case must open on any day. Checks against the calendar (a child under 18 at the hearing,
no answer dated in the future) are made where data is entered (records/entry.py).

Every parse function here raises :class:`RecordError` whose message names the field and says
exactly what is wrong, safe to show beside the field.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import attrs

from records.text import TextError, clean_text


class RecordError(ValueError):
    """A value a record cannot hold. ``field`` names it; the message says why, in English.

    Made with :meth:`of`, it also keeps the English sentence with its named placeholders
    (``template``) and their values (``params``, ``field`` among them): records may not import
    the app, so the app translates the sentence itself where it shows it, in the officer's
    language (duty_tui/services/record_text.py), with every detail of the English one.
    """

    def __init__(
        self,
        field: str,
        message: str,
        *,
        template: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.template = template
        self.params: dict[str, Any] = params or {}

    @classmethod
    def of(cls, field: str, template: str, **params: Any) -> RecordError:
        """``template`` is a whole English sentence; ``{field}`` in it is the field's name."""
        values = {"field": field, **params}
        return cls(field, template.format(**values), template=template, params=values)


# --- enums ------------------------------------------------------------------------------------


class Jurisdiction(StrEnum):
    WALES = "wales"
    ENGLAND = "england"

    @property
    def service(self) -> str:
        return "Cafcass Cymru" if self is Jurisdiction.WALES else "Cafcass"

    @property
    def label(self) -> str:
        return self.value.title()


class OfficerRole(StrEnum):
    FCA = "FCA"  # Family Court Adviser
    FCSW = "FCSW"  # Family Court Social Worker


class HearingType(StrEnum):
    FHDRA = "FHDRA"  # First Hearing Dispute Resolution Appointment


class PartyRole(StrEnum):
    APPLICANT = "applicant"
    RESPONDENT = "respondent"
    OTHER_FAMILY_MEMBER = "other_family_member"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Language(StrEnum):
    ENGLISH = "english"
    WELSH = "welsh"

    @property
    def label(self) -> str:
        return "Cymraeg / Welsh" if self is Language.WELSH else "English"


class Answer(StrEnum):
    """A screening answer. UNKNOWN is never read as NO (domain.md, Suitability)."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return "not yet known" if self is Answer.UNKNOWN else self.value


class Activity(StrEnum):
    """The activities of the catalogue (domain.md, The activities)."""

    WT4C = "wt4c"
    MEDIATION_INFO = "mediation_info"
    CONTACT_SUPPORTED = "contact_supported"
    CONTACT_SUPERVISED = "contact_supervised"
    PTFC = "ptfc"
    CCI = "cci"


class Delivery(StrEnum):
    REMOTE = "remote"
    FACE_TO_FACE = "face_to_face"

    @property
    def label(self) -> str:
        return "face to face" if self is Delivery.FACE_TO_FACE else "remote"


class FundingRoute(StrEnum):
    """How an activity is paid for (domain.md, The arrangements that referrals must respect)."""

    LEGAL_AID = "legal_aid"  # WT4C / mediation session free on legal aid
    PAID = "paid"  # the party pays the fee
    FINANCIAL_ASSISTANCE = "financial_assistance"  # applied for; referral waits for decision
    FHDRA_AGREED = "fhdra_agreed"  # contact centre route (a), 002_
    REPORT_OR_INVOLVEMENT = "report_or_involvement"  # contact centre route (b), 002_
    SERVICE_FUNDED = "service_funded"  # PTfC when directed / CCI funded hours
    SELF_REFERRAL = "self_referral"  # the parties refer themselves and pay; nothing queued


class DirectionStatus(StrEnum):
    PROPOSED = "proposed"
    DIRECTED = "directed"
    WITHDRAWN = "withdrawn"


class OrderType(StrEnum):
    """Whether the order made at the hearing leaves the proceedings going on.

    Children Act 1989, s11A(7): a court may not make an activity direction on the occasion it
    disposes finally of the proceedings; a final order can carry the activity only as an activity
    condition of a child arrangements order (s11C).
    """

    INTERIM = "interim"
    FINAL = "final"

    @property
    def label(self) -> str:
        return "interim (proceedings go on)" if self is OrderType.INTERIM else "final order"


class Provision(StrEnum):
    """Under which section the activity is imposed (Children Act 1989, s11A or s11C)."""

    DIRECTION = "direction"  # an activity direction, s11A
    CONDITION = "condition"  # an activity condition of a child arrangements order, s11C

    @property
    def label(self) -> str:
        return (
            "activity direction (s11A)"
            if self is Provision.DIRECTION
            else "activity condition (s11C)"
        )


class ReferralState(StrEnum):
    DRAFT = "draft"
    QUEUED = "queued"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    REJECTED = "rejected"


class AssistanceDecision(StrEnum):
    """The decision on a financial-assistance application (due within 5 working days)."""

    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class Accreditation(StrEnum):
    """NACCC accreditation: standard for supported contact, enhanced for supervised."""

    NONE = "none"
    STANDARD = "standard"
    ENHANCED = "enhanced"


# --- parsers: text in, clean value out, RecordError with a reason otherwise ----------------------

# FamilyMan numbers (court code, year, P for private law, serial: "CF24P01234") and the 16-digit
# numbers of the digital private-law service ("1234-5678-9012-3456").
_FAMILYMAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z]\d{5}$")
_DIGITAL = re.compile(r"^\d{16}$")

# The UK postcode shape (outward code, space, inward code), plus the Girobank special case.
_POSTCODE = re.compile(
    r"^(GIR 0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW]?|\d{2}|[A-HK-Y]\d[ABEHMNPRVWXY]?|[A-HK-Y]\d{2}) "
    r"\d[ABD-HJLNP-UW-Z]{2})$"
)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{7,24}$")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

NAME_MAX = 120
TEXT_MAX = 2000


def new_id() -> str:
    return uuid.uuid4().hex


def _text(
    field: str, max_length: int = NAME_MAX, *, required: bool = False, multiline: bool = False
) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        try:
            text = clean_text(value, field=field, max_length=max_length, multiline=multiline)
        except TextError as exc:
            raise RecordError(
                field, str(exc), template=exc.template, params={"field": field, **exc.params}
            ) from None
        if required and not text:
            raise RecordError.of(field, "{field} is required")
        return text

    return convert


def parse_case_number(value: Any) -> str:
    text = _text("case number", 40)(value).upper().replace(" ", "")
    if not text:
        raise RecordError.of("case number", "{field} is required")
    digits = text.replace("-", "")
    if _DIGITAL.match(digits):
        return f"{digits[0:4]}-{digits[4:8]}-{digits[8:12]}-{digits[12:16]}"
    if _FAMILYMAN.match(text):
        return text
    raise RecordError.of(
        "case number",
        "{text!r} is not a case number: expected like CF24P01234 or 1234-5678-9012-3456",
        text=text,
    )


def parse_postcode(value: Any, *, field: str = "postcode") -> str:
    """A UK postcode, normalised to "CF10 1AA"; empty means not known yet."""
    typed = _text(field, 16)(value)
    text = typed.upper().replace(" ", "")
    if not text:
        return ""
    if len(text) > 4:
        text = f"{text[:-3]} {text[-3:]}"
    if not _POSTCODE.match(text):
        # Quote what the officer typed, not our reformatting of it.
        raise RecordError.of(field, "{text!r} is not a UK postcode (like CF10 1AA)", text=typed)
    return text


def postcode_district(postcode: str) -> str:
    """Outward code: "CF10 1AA" -> "CF10"."""
    return postcode.split(" ")[0] if postcode else ""


def postcode_area(postcode: str) -> str:
    """Letters of the outward code: "CF10 1AA" -> "CF"."""
    match = re.match(r"^[A-Z]+", postcode)
    return match.group(0) if match else ""


def parse_date(value: Any, *, field: str = "date") -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(field, 20)(value)
    if not text:
        raise RecordError.of(field, "{field} is required")
    if _ISO_DATE.fullmatch(text):
        # The case format's own spelling, parsed without strptime (a tenth of central's
        # validation of a referral); strptime still decides anything this refuses.
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RecordError.of(field, "{text!r} is not a date: use DD/MM/YYYY or YYYY-MM-DD", text=text)


def parse_optional_date(value: Any, *, field: str = "date") -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_date(value, field=field)


def parse_email(value: Any) -> str:
    text = _text("email", 254)(value)
    if text and not _EMAIL.match(text):
        raise RecordError.of("email", "{text!r} is not an email address", text=text)
    return text


def parse_phone(value: Any) -> str:
    text = _text("phone", 30)(value)
    if text and not (_PHONE.match(text) and sum(c.isdigit() for c in text) >= 7):
        raise RecordError.of("phone", "{text!r} is not a phone number", text=text)
    return text


def parse_id(value: Any) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise RecordError.of("id", "id must be 1-64 letters, digits, '-' or '_'")
    return value


def parse_hours(value: Any) -> int | None:
    """Whole hours, 1 to 100, or None when not recorded (empty text from a form)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RecordError.of("hours directed", "{field} must be a whole number")
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit():
            raise RecordError.of(
                "hours directed", "{text!r} is not a whole number of hours", text=text
            )
        value = int(text)
    if not isinstance(value, int) or not 1 <= value <= 100:
        raise RecordError.of("hours directed", "{field} must be a whole number from 1 to 100")
    return value


def _enum(kind: type[StrEnum], field: str) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            raise RecordError.of(
                field, "{field} {value!r} is not one of: {allowed}", value=value, allowed=allowed
            ) from None

    return convert


# --- records ----------------------------------------------------------------------------------


@attrs.frozen
class Officer:
    name: str = attrs.field(converter=_text("officer name", required=True))
    role: OfficerRole = attrs.field(converter=_enum(OfficerRole, "officer role"))


@attrs.frozen
class Hearing:
    date: dt.date = attrs.field(converter=lambda v: parse_date(v, field="hearing date"))
    type: HearingType = attrs.field(
        default=HearingType.FHDRA, converter=_enum(HearingType, "hearing type")
    )


@attrs.frozen
class TimeConstraints:
    """When a party cannot attend (Children Act 1989 s11E(7): work, education, religion)."""

    work: str = attrs.field(default="", converter=_text("work times", 500))
    education: str = attrs.field(default="", converter=_text("education times", 500))
    religious_observance: str = attrs.field(
        default="", converter=_text("religious observance", 500)
    )


# --- s11G monitoring and taking part (issue 11, items 3 and 9) ---------------------------------
#
# Monitoring: Children Act 1989 s11G(2): where the court makes an activity direction or an
# activity condition it may ask the officer (Cafcass, or a Welsh family proceedings officer) to
# monitor the person's compliance and to report to the court any failure to comply; s11G(3)
# makes complying the officer's duty. The record says who asked and when, the period, each
# session's attendance (date, and who said so), and once a failure is recorded the date the
# court expects the report and the date it was made. What falls due is worked out from it
# (records/monitoring.py, duty_tui/services/monitoring.py), never stored.
#
# Taking part: an interpreter and in which language (any language or sign language; Family
# Procedure Rules Part 3A and PD3AA), reasonable adjustments (Equality Act 2010 s20, s29(7)),
# separate arrival and departure at a contact centre where abuse is alleged (PD12J), and for a
# Welsh case the Welsh-language active offer (Welsh Language (Wales) Measure 2011).


# A monitoring period is weeks or months; more sessions than this is not one record.
MAX_SESSIONS = 200


class Attendance(StrEnum):
    """What the provider (or the party) reported for one session."""

    ATTENDED = "attended"
    DID_NOT_ATTEND = "did_not_attend"
    PARTLY = "partly"

    @property
    def label(self) -> str:
        return {
            Attendance.ATTENDED: "attended",
            Attendance.DID_NOT_ATTEND: "did not attend",
            Attendance.PARTLY: "attended in part",
        }[self]

    @property
    def failure(self) -> bool:
        """Not attending, or attending only in part, is a failure to comply to report (s11G)."""
        return self is not Attendance.ATTENDED


class Need(StrEnum):
    """Yes / no / not asked yet: an interpreter need not asked about is not "no"."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return "not asked yet" if self is Need.UNKNOWN else self.value


class WelshOffer(StrEnum):
    """The Welsh-language active offer: not yet made, or made and answered."""

    NOT_ASKED = "not_asked"
    WELSH = "welsh"  # offered; the party chose Welsh
    ENGLISH = "english"  # offered; the party chose English

    @property
    def label(self) -> str:
        return {
            WelshOffer.NOT_ASKED: "not offered yet",
            WelshOffer.WELSH: "offered: chose Welsh",
            WelshOffer.ENGLISH: "offered: chose English",
        }[self]


@attrs.frozen
class SessionRecord:
    """One session of the activity: its date, whether the person attended, and who said so."""

    on: dt.date = attrs.field(converter=lambda v: parse_date(v, field="session date"))
    attendance: Attendance = attrs.field(converter=_enum(Attendance, "attendance"))
    # Who reported it: "provider's attendance record", "the centre's email", "the party".
    source: str = attrs.field(converter=_text("attendance source", required=True))
    id: str = attrs.field(factory=new_id, converter=parse_id)


@attrs.frozen
class Monitoring:
    """The court's s11G request for one direction, and what the officer has recorded since."""

    # Who asked (the judge or bench) and when: s11G(2) is a request of the court.
    asked_by: str = attrs.field(converter=_text("monitoring asked by", required=True))
    asked_on: dt.date = attrs.field(converter=lambda v: parse_date(v, field="monitoring asked on"))
    period_from: dt.date = attrs.field(converter=lambda v: parse_date(v, field="monitoring from"))
    period_to: dt.date = attrs.field(converter=lambda v: parse_date(v, field="monitoring to"))
    sessions: tuple[SessionRecord, ...] = attrs.field(default=(), converter=tuple)
    # When the court expects the report of a failure (set by the court or the officer once a
    # failure is recorded), and when it was made.
    report_due_on: dt.date | None = attrs.field(
        default=None, converter=lambda v: parse_optional_date(v, field="report due on")
    )
    reported_on: dt.date | None = attrs.field(
        default=None, converter=lambda v: parse_optional_date(v, field="reported on")
    )

    @sessions.validator
    def _check_sessions(self, _attribute: Any, value: tuple[Any, ...]) -> None:
        if len(value) > MAX_SESSIONS:
            raise RecordError.of(
                "sessions", "at most {most} sessions are recorded", most=MAX_SESSIONS
            )
        if not all(isinstance(item, SessionRecord) for item in value):
            raise RecordError.of("sessions", "each session is a date, an attendance and its source")
        ids = [item.id for item in value]
        if len(ids) != len(set(ids)):
            raise RecordError.of("sessions", "two sessions share one id")

    def __attrs_post_init__(self) -> None:
        if self.period_to < self.period_from:
            raise RecordError.of("monitoring to", "the monitoring period ends before it starts")
        if self.period_from < self.asked_on:
            # The court asks at the hearing (or later); a period before the request was not
            # monitored under it.
            raise RecordError.of(
                "monitoring from", "the monitoring period starts before it was asked for"
            )

    @property
    def failures(self) -> tuple[SessionRecord, ...]:
        return tuple(s for s in self.sessions if s.attendance.failure)


@attrs.frozen
class Participation:
    interpreter: Need = attrs.field(default=Need.UNKNOWN, converter=_enum(Need, "interpreter"))
    # Any language or sign language ("Polish", "British Sign Language"), free text.
    interpreter_language: str = attrs.field(default="", converter=_text("interpreter language", 60))
    # What the person needs to take part (step-free access, breaks, written materials read
    # aloud...): free text, passed to the provider.
    adjustments: str = attrs.field(default="", converter=_text("adjustments", 500))
    # At a contact centre: arrive and leave at different times from the other parent.
    separate_arrival: bool = attrs.field(default=False)
    welsh_offer: WelshOffer = attrs.field(
        default=WelshOffer.NOT_ASKED, converter=_enum(WelshOffer, "Welsh offer")
    )
    welsh_offer_on: dt.date | None = attrs.field(
        default=None, converter=lambda v: parse_optional_date(v, field="Welsh offer on")
    )

    @separate_arrival.validator
    def _check_flag(self, _attribute: Any, value: Any) -> None:
        if not isinstance(value, bool):
            raise RecordError.of("separate arrival", "separate arrival must be yes or no")

    def __attrs_post_init__(self) -> None:
        # An interpreter needed, language not yet recorded, is allowed: the rules say so
        # (INTERPRETER), as the officer may learn the need before the language.
        if self.welsh_offer is not WelshOffer.NOT_ASKED and self.welsh_offer_on is None:
            raise RecordError.of(
                "Welsh offer on", "the Welsh offer was answered: say on which date"
            )

    @property
    def needs_interpreter(self) -> bool:
        return self.interpreter is Need.YES


@attrs.frozen
class Party:
    name: str = attrs.field(converter=_text("name", required=True))
    role: PartyRole = attrs.field(converter=_enum(PartyRole, "role"))
    postcode: str = attrs.field(default="", converter=parse_postcode)
    language: Language = attrs.field(
        default=Language.ENGLISH, converter=_enum(Language, "language")
    )
    legal_aid: Answer = attrs.field(default=Answer.UNKNOWN, converter=_enum(Answer, "legal aid"))
    constraints: TimeConstraints = attrs.field(factory=TimeConstraints)
    phone: str = attrs.field(default="", converter=parse_phone)
    email: str = attrs.field(default="", converter=parse_email)
    # Children Act 1989, s11B (directions) and s11D (conditions): nobody may be directed who is
    # not habitually resident in England and Wales. Not yet known is recorded as such.
    habitually_resident: Answer = attrs.field(
        default=Answer.UNKNOWN, converter=_enum(Answer, "habitually resident")
    )
    # s11B / s11D: a party who is a child (under 18) may be directed only if they are a parent
    # of the child concerned. ``child_is_a_parent`` is read only when ``is_child``.
    is_child: bool = attrs.field(default=False)
    child_is_a_parent: bool = attrs.field(default=False)
    id: str = attrs.field(factory=new_id, converter=parse_id)
    # What the party needs to take part: interpreter, adjustments, separate arrival, the Welsh
    # active offer (above).
    participation: Participation = attrs.field(factory=Participation)


@attrs.frozen
class Child:
    name: str = attrs.field(converter=_text("name", required=True))
    # Under 18 at the hearing and not in the future when entered (records/entry.py); a stored
    # child who has turned 18 since is still read.
    date_of_birth: dt.date = attrs.field(converter=lambda v: parse_date(v, field="date of birth"))
    id: str = attrs.field(factory=new_id, converter=parse_id)


@attrs.frozen
class ScreeningAnswer:
    """One screening question: yes / no / not yet known, and who answered when."""

    answer: Answer = attrs.field(default=Answer.UNKNOWN, converter=_enum(Answer, "answer"))
    answered_on: dt.date | None = attrs.field(
        default=None,
        converter=lambda v: parse_optional_date(v, field="answered on"),
    )
    answered_by: str = attrs.field(default="", converter=_text("answered by"))

    def __attrs_post_init__(self) -> None:
        if self.answer is not Answer.UNKNOWN and (self.answered_on is None or not self.answered_by):
            raise RecordError.of(
                "answer",
                "an answer of {answer!r} needs the date and who answered",
                answer=self.answer.value,
            )


SCREENING_QUESTIONS: dict[str, str] = {
    "police_check": "Police check: concerns found",
    "local_authority_check": "Local authority check: concerns found",
    "domestic_abuse": "Domestic abuse alleged or found",
    "other_harm": "Other harm or risk to a child or adult",
}


# PD12B: police and local-authority checks on the adult parties, the local-authority check on
# the children too (domain.md, The legal frame); C1A: the form on which allegations of harm are
# made. Each asks whether a concern exists, so YES means a risk is present.
PERSON_QUESTIONS: dict[str, str] = {
    "police_check": "Police check: concerns found",
    "local_authority_check": "Local authority check: concerns found",
    "harm_alleged": "C1A: allegations of harm made by or against this person",
}
# A child is checked with the local authority only.
CHILD_QUESTIONS = ("local_authority_check",)
# PD12J and Children Act 1989 s16A: what the court decided about allegations of harm, and
# whether a risk assessment was asked for. YES means a risk is present or still to be decided.
COURT_QUESTIONS: dict[str, str] = {
    "fact_finding_needed": "PD12J: a fact-finding hearing is needed",
    "findings_made": "PD12J: findings of domestic abuse or harm made",
    "s16a_risk_assessment": "s16A risk assessment asked for or made",
}


@attrs.frozen
class PersonChecks:
    """The safeguarding checks on one party or child (PD12B; C1A for a party)."""

    person_id: str = attrs.field(converter=parse_id)
    police_check: ScreeningAnswer = attrs.field(factory=ScreeningAnswer)
    local_authority_check: ScreeningAnswer = attrs.field(factory=ScreeningAnswer)
    harm_alleged: ScreeningAnswer = attrs.field(factory=ScreeningAnswer)

    def answers(self) -> dict[str, ScreeningAnswer]:
        return {name: getattr(self, name) for name in PERSON_QUESTIONS}


@attrs.frozen
class Screening:
    """Safeguarding screening before the FHDRA (domain.md, The legal frame; PD12B 14.13).

    Each question asks whether a concern exists, so YES means a risk is present.
    """

    police_check: ScreeningAnswer = attrs.field(factory=ScreeningAnswer)
    local_authority_check: ScreeningAnswer = attrs.field(factory=ScreeningAnswer)
    domestic_abuse: ScreeningAnswer = attrs.field(factory=ScreeningAnswer)
    other_harm: ScreeningAnswer = attrs.field(factory=ScreeningAnswer)
    # Date the safeguarding letter reached the court; it goes with any contact-centre referral.
    safeguarding_letter_on: dt.date | None = attrs.field(
        default=None,
        converter=lambda v: parse_optional_date(v, field="safeguarding letter date"),
    )
    # Issue 11, item 5 (schema version 3): the checks on each person (PD12B), and what the
    # court has decided about allegations of harm (PD12J) and any s16A risk assessment. The four
    # answers above stay as the case-wide answers: a person's own answer, where recorded,
    # replaces the case-wide one for that person (services/safeguarding.py).
    people: tuple[PersonChecks, ...] = attrs.field(default=(), converter=tuple)
    fact_finding_needed: ScreeningAnswer = attrs.field(factory=ScreeningAnswer)
    findings_made: ScreeningAnswer = attrs.field(factory=ScreeningAnswer)
    s16a_risk_assessment: ScreeningAnswer = attrs.field(factory=ScreeningAnswer)

    @people.validator
    def _check_people(self, _attribute: Any, value: tuple[Any, ...]) -> None:
        if not all(isinstance(p, PersonChecks) for p in value):
            raise RecordError.of("safeguarding", "each person's checks are a PersonChecks record")
        ids = [p.person_id for p in value]
        if len(ids) != len(set(ids)):
            raise RecordError.of("safeguarding", "one person's checks are recorded twice")

    def checks_of(self, person_id: str) -> PersonChecks | None:
        return next((p for p in self.people if p.person_id == person_id), None)

    def answers(self) -> dict[str, ScreeningAnswer]:
        return {name: getattr(self, name) for name in SCREENING_QUESTIONS}

    @property
    def complete(self) -> bool:
        return all(a.answer is not Answer.UNKNOWN for a in self.answers().values())


@attrs.frozen
class Assessment:
    """The officer's recorded judgement that contact is safe with supervision, or a CCI plan.

    The tool never makes this judgement (domain.md, Suitability); it records who, when and why.
    """

    activity: Activity = attrs.field(converter=_enum(Activity, "activity"))
    assessed_by: str = attrs.field(converter=_text("assessed by", required=True))
    assessed_on: dt.date = attrs.field(converter=lambda v: parse_date(v, field="assessed on"))
    reason: str = attrs.field(converter=_text("reason", TEXT_MAX, required=True, multiline=True))
    party_id: str | None = attrs.field(default=None)
    id: str = attrs.field(factory=new_id, converter=parse_id)


@attrs.frozen
class Provider:
    """A provider of an activity: a NACCC contact centre, a WT4C provider, and so on."""

    id: str = attrs.field(converter=parse_id)
    name: str = attrs.field(converter=_text("provider name", 200, required=True))
    activities: tuple[Activity, ...] = attrs.field(
        converter=lambda vs: tuple(_enum(Activity, "activity")(v) for v in vs)
    )
    jurisdiction: Jurisdiction = attrs.field(converter=_enum(Jurisdiction, "jurisdiction"))
    # Postcode areas ("CF") or districts ("CF10") whose residents can reasonably travel to the
    # venue (Children Act 1989 s11E(4)); remote delivery is open to everyone.
    areas: tuple[str, ...] = attrs.field(
        factory=tuple, converter=lambda vs: tuple(_text("area", 8)(v).upper() for v in vs)
    )
    venue_postcode: str = attrs.field(
        default="", converter=lambda v: parse_postcode(v, field="venue postcode")
    )
    delivery: tuple[Delivery, ...] = attrs.field(
        default=(Delivery.REMOTE,),
        converter=lambda vs: tuple(_enum(Delivery, "delivery")(v) for v in vs),
    )
    languages: tuple[Language, ...] = attrs.field(
        default=(Language.ENGLISH,),
        converter=lambda vs: tuple(_enum(Language, "language")(v) for v in vs),
    )
    accreditation: Accreditation = attrs.field(
        default=Accreditation.NONE, converter=_enum(Accreditation, "accreditation")
    )
    next_available: dt.date | None = attrs.field(
        default=None, converter=lambda v: parse_optional_date(v, field="next available")
    )
    phone: str = attrs.field(default="", converter=parse_phone)
    email: str = attrs.field(default="", converter=parse_email)
    sample: bool = attrs.field(default=False)
    # Taking part (records/participation.py): the provider works with interpreters, and (a
    # contact centre) arranges separate arrival and departure times for the two parents.
    interpreters: bool = attrs.field(default=False)
    separate_arrival: bool = attrs.field(default=False)


class Agreed(StrEnum):
    """A party's answer to the funded contact-centre arrangement (route (a))."""

    NOT_ASKED = "not_asked"
    YES = "yes"
    NO = "no"

    @property
    def label(self) -> str:
        return "not asked" if self is Agreed.NOT_ASKED else self.value


@attrs.frozen
class PartyAgreement:
    """One party's agreement: what they said, when, and the officer's note of it."""

    party_id: str = attrs.field(converter=parse_id)
    agreed: Agreed = attrs.field(default=Agreed.NOT_ASKED, converter=_enum(Agreed, "agreed"))
    agreed_on: dt.date | None = attrs.field(
        default=None, converter=lambda v: parse_optional_date(v, field="agreed on")
    )
    note: str = attrs.field(default="", converter=_text("agreement note", TEXT_MAX, multiline=True))


# Blocking reasons one court's direction can stand against: a few verdict reasons, never more.
MAX_OVERRIDDEN_BLOCKS = 40


@attrs.frozen
class OverriddenBlock:
    """One blocking reason as the verdict gave it when the court directed the activity anyway:
    the rule and the words, so central (and a later reader) sees what the advice was."""

    rule_id: str = attrs.field(converter=_text("rule", 40, required=True))
    text: str = attrs.field(converter=_text("blocking reason", TEXT_MAX, required=True))


@attrs.frozen
class CourtOverride:
    """The court directed an activity the rules advised against (issue 13, item 10).

    The tool advises; the court decides whether an activity is appropriate (Children Act 1989
    s11E(1)). When it directs one the rules block, the officer records the reason the court
    gave, who recorded it and when, and the blocks as they stood: only those blocks are lifted
    (duty_tui/services/suitability.py), and only those of the service's advice.
    """

    reason: str = attrs.field(
        converter=_text("the court's reason", TEXT_MAX, required=True, multiline=True)
    )
    recorded_on: dt.date = attrs.field(converter=lambda v: parse_date(v, field="recorded on"))
    recorded_by: str = attrs.field(converter=_text("recorded by", required=True))
    blocks: tuple[OverriddenBlock, ...] = attrs.field(default=(), converter=tuple)

    @blocks.validator
    def _check_blocks(self, _attribute: Any, value: tuple[Any, ...]) -> None:
        if not value:
            raise RecordError.of(
                "blocking reasons", "a direction against the rules' advice names that advice"
            )
        if len(value) > MAX_OVERRIDDEN_BLOCKS or not all(
            isinstance(b, OverriddenBlock) for b in value
        ):
            raise RecordError.of("blocking reasons", "each is a rule and its words")


@attrs.frozen
class Direction:
    """An activity direction (Children Act 1989 s11A): which activity, for whom, with whom."""

    activity: Activity = attrs.field(converter=_enum(Activity, "activity"))
    party_id: str = attrs.field(converter=parse_id)
    provider_id: str = attrs.field(default="", converter=lambda v: parse_id(v) if v else "")
    funding: FundingRoute | None = attrs.field(
        default=None, converter=lambda v: None if v is None else _enum(FundingRoute, "funding")(v)
    )
    delivery: Delivery = attrs.field(default=Delivery.REMOTE, converter=_enum(Delivery, "delivery"))
    status: DirectionStatus = attrs.field(
        default=DirectionStatus.PROPOSED, converter=_enum(DirectionStatus, "status")
    )
    directed_on: dt.date | None = attrs.field(
        default=None, converter=lambda v: parse_optional_date(v, field="directed on")
    )
    # Interim or final order, and whether the activity is a direction (s11A) or a condition of
    # a child arrangements order (s11C): an s11A direction on a final order is refused (s11A(7)).
    order_type: OrderType = attrs.field(
        default=OrderType.INTERIM, converter=_enum(OrderType, "order type")
    )
    provision: Provision = attrs.field(
        default=Provision.DIRECTION, converter=_enum(Provision, "provision")
    )
    # The hours the court directed (a Child Contact Intervention: Cafcass funds up to 12).
    hours_directed: int | None = attrs.field(default=None, converter=parse_hours)
    # The group or session booked; two parents are never put in the same one.
    session: str = attrs.field(default="", converter=_text("session", 80))
    # Financial assistance application received (the decision is due 5 working days after).
    assistance_applied_on: dt.date | None = attrs.field(
        default=None, converter=lambda v: parse_optional_date(v, field="assistance applied on")
    )
    # Read only when an application was received: the referral waits for a grant (000_).
    assistance_decision: AssistanceDecision = attrs.field(
        default=AssistanceDecision.PENDING,
        converter=_enum(AssistanceDecision, "assistance decision"),
    )
    # Date of the booked group or session (the WT4C day, the PTfC workshop): the PTfC follow-up
    # call is due within six weeks of it (003_).
    session_on: dt.date | None = attrs.field(
        default=None, converter=lambda v: parse_optional_date(v, field="session on")
    )
    # Date the party completed the activity: evaluation and the six-month contact run from it
    # (001_).
    completed_on: dt.date | None = attrs.field(
        default=None, converter=lambda v: parse_optional_date(v, field="completed on")
    )
    notes: str = attrs.field(default="", converter=_text("notes", TEXT_MAX, multiline=True))
    id: str = attrs.field(factory=new_id, converter=parse_id)
    # Issue 11, item 6 (schema version 3): contact-centre route (a) is "court ordered at the
    # FHDRA after consultation with the FCA/FCSW on court duty and agreed with both parties"
    # (Welsh Government ATISN 16942): each party's agreement and the officer's consultation note.
    agreements: tuple[PartyAgreement, ...] = attrs.field(default=(), converter=tuple)
    consultation_note: str = attrs.field(
        default="", converter=_text("consultation note", TEXT_MAX, multiline=True)
    )
    # Issue 11, item 7: the day the party was told financial assistance exists, and, after a
    # refusal, the day the party confirmed they will pay and the officer who recorded it.
    assistance_told_on: dt.date | None = attrs.field(
        default=None, converter=lambda v: parse_optional_date(v, field="told of assistance on")
    )
    pays_confirmed_on: dt.date | None = attrs.field(
        default=None, converter=lambda v: parse_optional_date(v, field="will pay confirmed on")
    )
    pays_confirmed_by: str = attrs.field(default="", converter=_text("will pay recorded by"))

    @agreements.validator
    def _check_agreements(self, _attribute: Any, value: tuple[Any, ...]) -> None:
        if not all(isinstance(a, PartyAgreement) for a in value):
            raise RecordError.of("agreement", "each agreement is a PartyAgreement record")
        ids = [a.party_id for a in value]
        if len(ids) != len(set(ids)):
            raise RecordError.of("agreement", "one party's agreement is recorded twice")

    def __attrs_post_init__(self) -> None:
        if self.pays_confirmed_on is not None and not self.pays_confirmed_by:
            raise RecordError.of(
                "will pay confirmed on", "the party's confirmation needs who recorded it"
            )

    def agreement_of(self, party_id: str) -> PartyAgreement:
        found = next((a for a in self.agreements if a.party_id == party_id), None)
        return found if found is not None else PartyAgreement(party_id=party_id)

    # The court's request to monitor compliance and report a failure (Children Act 1989 s11G),
    # or None when it made none (records/monitoring.py).
    monitoring: Monitoring | None = attrs.field(default=None)

    # The words of the order as the officer kept them (duty_tui/services/wording.py writes
    # them on the direction screen): the referral carries them to the provider.
    wording: str = attrs.field(default="", converter=_text("wording", TEXT_MAX * 2, multiline=True))
    # Its Welsh, for a case in Wales (issue 12): the court's documents there are bilingual, so
    # the referral carries both. Empty in England, and for wording kept before it existed.
    wording_cy: str = attrs.field(
        default="", converter=_text("Welsh wording", TEXT_MAX * 2, multiline=True)
    )

    @monitoring.validator
    def _check_monitoring(self, _attribute: Any, value: Any) -> None:
        if value is not None and not isinstance(value, Monitoring):
            raise RecordError.of("monitoring", "monitoring must be the court's s11G request")

    # Issue 13, item 10: the court directed this against the rules' advice (None: it did not,
    # or the officer withdrew the record of it, and the block stands again).
    court_override: CourtOverride | None = attrs.field(default=None)

    @court_override.validator
    def _check_court_override(self, _attribute: Any, value: Any) -> None:
        if value is not None and not isinstance(value, CourtOverride):
            raise RecordError.of("court override", "must be the court's direction and its reason")


@attrs.frozen
class Referral:
    """One referral per party and activity, queued until central records acknowledge it."""

    direction_id: str = attrs.field(converter=parse_id)
    party_id: str = attrs.field(converter=parse_id)
    activity: Activity = attrs.field(converter=_enum(Activity, "activity"))
    provider_id: str = attrs.field(converter=parse_id)
    state: ReferralState = attrs.field(
        default=ReferralState.DRAFT, converter=_enum(ReferralState, "state")
    )
    revision: int = attrs.field(default=1)
    receipt: str = attrs.field(default="", converter=_text("receipt", 120))
    reason: str = attrs.field(default="", converter=_text("reason", TEXT_MAX, multiline=True))
    id: str = attrs.field(factory=new_id, converter=parse_id)

    @revision.validator
    def _check_revision(self, _attribute: Any, value: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise RecordError.of("revision", "revision must be a whole number from 1")


def _unique_ids(field: str) -> Callable[[Any, Any, tuple[Any, ...]], None]:
    def check(_instance: Any, _attribute: Any, items: tuple[Any, ...]) -> None:
        ids = [item.id for item in items]
        if len(ids) != len(set(ids)):
            raise RecordError.of(field, "two {field} share one id")

    return check


@attrs.frozen
class Case:
    case_number: str = attrs.field(converter=parse_case_number)
    court: str = attrs.field(converter=_text("court", required=True))
    jurisdiction: Jurisdiction = attrs.field(converter=_enum(Jurisdiction, "jurisdiction"))
    hearing: Hearing
    officer: Officer
    parties: tuple[Party, ...] = attrs.field(
        default=(), converter=tuple, validator=_unique_ids("parties")
    )
    children: tuple[Child, ...] = attrs.field(
        default=(), converter=tuple, validator=_unique_ids("children")
    )
    screening: Screening = attrs.field(factory=Screening)
    assessments: tuple[Assessment, ...] = attrs.field(default=(), converter=tuple)
    directions: tuple[Direction, ...] = attrs.field(
        default=(), converter=tuple, validator=_unique_ids("directions")
    )
    referrals: tuple[Referral, ...] = attrs.field(
        default=(), converter=tuple, validator=_unique_ids("referrals")
    )
    id: str = attrs.field(factory=new_id, converter=parse_id)

    def __attrs_post_init__(self) -> None:
        party_ids = {p.id for p in self.parties}
        for direction in self.directions:
            if direction.party_id not in party_ids:
                raise RecordError.of("directions", "a direction names a party not in this case")
        for referral in self.referrals:
            if referral.party_id not in party_ids:
                raise RecordError.of("referrals", "a referral names a party not in this case")
        for direction in self.directions:
            if any(a.party_id not in party_ids for a in direction.agreements):
                raise RecordError.of("agreement", "an agreement names a party not in this case")
        child_ids = {c.id for c in self.children}
        for checks in self.screening.people:
            if checks.person_id in child_ids:
                asked = {n for n, a in checks.answers().items() if a.answer is not Answer.UNKNOWN}
                if asked - set(CHILD_QUESTIONS):
                    raise RecordError.of(
                        "safeguarding", "a child's checks hold the local-authority check only"
                    )
            elif checks.person_id not in party_ids:
                raise RecordError.of("safeguarding", "checks name a person not in this case")

    def party(self, party_id: str) -> Party:
        for party in self.parties:
            if party.id == party_id:
                return party
        raise KeyError(party_id)

    @property
    def service(self) -> str:
        return self.jurisdiction.service

    @property
    def title(self) -> str:
        names = " v ".join(
            p.name for p in self.parties if p.role is not PartyRole.OTHER_FAMILY_MEMBER
        )
        return f"{self.case_number} {names}".strip()
