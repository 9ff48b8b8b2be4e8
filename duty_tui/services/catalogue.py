"""The catalogue of activities and the registry of rules, as data.

Every rule the services apply is a :class:`Rule` with an id and the source it comes from: a page
in ``shared/sources`` (named by its file) or a public source named in full. Reasons carry their
rule, so a screen or ``duty-tui assess`` can always say *why* and *on what authority*.
docs/rules.md lists every rule here (a test keeps the two in step).

The activities are one :class:`Activity` entry each: where they run, their form and length, fee,
funding routes and what suitability needs. The suitability, options and funding services read
these flags; they hold no per-activity if-chains of their own.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

import attrs

from duty_tui.i18n import N_, _
from duty_tui.i18n_format import format_money
from records.model import (
    Accreditation,
    Activity,
    Delivery,
    FundingRoute,
    Jurisdiction,
)

# --- sources ---------------------------------------------------------------------------------

# The public pages the rules come from, cited by title as an officer would recognise them
# (docs/rules.md, "Sources", says what each is). No rule cites a file of this repository's
# makers: a user of the tool does not have them.
S000 = "Cafcass Cymru: WT4C, mediation information session, contact services"
S001 = "Cafcass Cymru: WT4C suitability and arrangements"
S002 = "Welsh Government ATISN 16942: child contact centres"
S003 = "Planning Together for Children by Cafcass (news article)"
S004 = "Child contact intervention: what is this? (news article)"
CA_S11A = "Children Act 1989 s11A"
CA_S11E = "Children Act 1989 s11E"
PD12B = "Practice Direction 12B para 14.13"
PD12J = "Practice Direction 12J (child arrangements: domestic abuse and harm)"
NACCC = "naccc.org.uk (NACCC accreditation: standard and enhanced)"
CA_S11G = "Children Act 1989 s11G"
FPR_3A = (
    "Family Procedure Rules Part 3A and Practice Direction 3AA (vulnerable persons: participation)"
)
EQUALITY_ACT = "Equality Act 2010 s20 and s29(7) (service providers: reasonable adjustments)"
PD12J = "Practice Direction 12J (child arrangements and contact orders: domestic abuse and harm)"
WELSH_STANDARDS = (
    "Welsh Language (Wales) Measure 2011 and the Welsh Language Standards (No. 1) Regulations "
    "2015 (the active offer)"
)
CA2004_S35 = "Children Act 2004 s35 (Welsh family proceedings officers: children in Wales)"
HMCTS_WELSH = "HMCTS Welsh Language Scheme (Welsh and English documents for courts in Wales)"
# Where no public source states a rule in so many words, the rule is the tool's reading of the
# service's requirements (marked inferred, and an open question in docs/rules.md).
BRIEF = "the service's requirements for this tool (no public source)"
BANK_HOLIDAYS = "gov.uk/bank-holidays (England and Wales), via the holidays package"
TOOL = "tool policy (no external source)"

SOURCE_PAGES = (S000, S001, S002, S003, S004)


def source_title(source: str) -> str:
    """``source`` as an officer reads it: sources are cited by title already."""
    return source


@attrs.frozen
class Rule:
    """One rule of the service. ``inferred`` marks the tool's reading where no source says it
    in so many words (each is an open question in docs/rules.md)."""

    id: str
    text: str
    source: str
    inferred: bool = False


class Effect(StrEnum):
    """What a reason does to a verdict."""

    MET = "met"  # a condition that holds: explains an eligible verdict
    BLOCKS = "blocks"  # a "no": the activity or provider cannot be used
    UNKNOWN = "unknown"  # not yet known (screening, assessment, letter): never read as "no risk"
    WAITING = "waiting"  # a step still to come before a referral (order, decision, provider)
    WARNING = "warning"  # does not change the verdict, but the officer should look
    INFO = "info"


@attrs.frozen
class Reason:
    """Why: the rule, what it found here, and what that does to the verdict."""

    rule: Rule
    text: str
    effect: Effect

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def source(self) -> str:
        return self.rule.source

    def to_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule.id,
            "source": self.rule.source,
            "effect": self.effect.value,
            "text": self.text,
        }


_RULES: tuple[Rule, ...] = (
    # The legal frame.
    Rule(
        "S11A-ACTIVITY",
        "A direction specifies the activity and the person providing it; the activities that "
        "may be required include, in particular, programmes, classes, counselling or guidance "
        "sessions, and sessions giving information or advice (including about mediation).",
        f"{CA_S11A}(4)-(5)",
    ),
    Rule(
        "S11A-NO-MEDIATION",
        "A direction may not require taking part in mediation itself; the "
        "mediation activity is a session giving information and advice about mediation.",
        f"{CA_S11A}(6)",
    ),
    Rule(
        "S11A-NO-TREATMENT",
        "A direction may not require a medical or psychiatric "
        "examination, assessment or treatment.",
        f"{CA_S11A}(6)",
    ),
    Rule(
        "S11A-INTERIM",
        "An activity direction may not be made on the occasion the court disposes finally of "
        "the proceedings: on a final order the activity can only be an activity condition of a "
        "child arrangements order (s11C).",
        f"{CA_S11A}(7); Children Act 1989 s11C",
    ),
    Rule(
        "S11C-CONDITION",
        "An activity condition is imposed by a child arrangements order and worded as a "
        "condition under section 11C, not as a direction under section 11A.",
        "Children Act 1989 s11C",
    ),
    Rule(
        "S11B-CHILD",
        "A party who is a child may be required to take part in an activity only if they are "
        "a parent of the child concerned.",
        "Children Act 1989 s11B (directions); Children Act 1989 s11D (conditions)",
    ),
    Rule(
        "S11B-RESIDENCE",
        "A person may be required to take part in an activity only if habitually resident in "
        "England and Wales.",
        "Children Act 1989 s11B (directions); Children Act 1989 s11D (conditions)",
    ),
    Rule(
        "S11E-TRAVEL",
        "A face-to-face venue must be one the person can reasonably be expected "
        "to travel to: the provider must serve the person's postcode area or district; remote "
        "delivery is open anywhere.",
        f"{CA_S11E}(4)",
    ),
    Rule(
        "S11E-POSTCODE",
        "Without the person's postcode no face-to-face provider can be "
        "matched as local to them; only remote delivery can be offered.",
        f"{CA_S11E}(4)",
    ),
    Rule(
        "S11E-CIRCUMSTANCES",
        "The court considers the person's circumstances, in particular "
        "religious beliefs and the times they work or attend education.",
        f"{CA_S11E}(6)-(7)",
    ),
    Rule(
        "LOCAL-PROVIDER",
        "Once ordered, the service refers the person to a suitable provider "
        "local to where they live.",
        S000,
    ),
    Rule(
        "ORDER-FIRST",
        "An activity needs a court order or direction first; only then is the referral made.",
        S000,
    ),
    Rule(
        "PD12B-LETTER",
        "The safeguarding letter is attached to any referral to a supported or "
        "supervised contact centre; without safeguarding information the FHDRA is adjourned "
        "for it.",
        PD12B,
    ),
    Rule(
        "UNKNOWN-NOT-NO",
        'A screening question not yet answered is not "no risk": an '
        "activity that needs no risk cannot be referred until the screening answers.",
        PD12B,
    ),
    Rule(
        "SCREENING-KNOWN",
        "Supervised contact and a Child Contact Intervention are judged on "
        "complete safeguarding information: every screening question must be answered.",
        PD12B,
        inferred=True,
    ),
    # Safeguarding per person (issue 11, item 5).
    Rule(
        "PD12B-PERSON",
        "The safeguarding checks are on people: police and local-authority checks on the "
        "parties, the local-authority check on the children. A person's own answer replaces the "
        "case-wide one for them; the verdict takes the worst answer of the people involved.",
        PD12B,
    ),
    Rule(
        "PERSON-INVOLVED",
        "A direction involves the party directed and the children of the case; contact at a "
        "centre and a Child Contact Intervention also involve the other parent (one of them "
        "brings the child).",
        BRIEF,
        inferred=True,
    ),
    Rule(
        "C1A-HARM",
        "Allegations of harm made (form C1A) by or against a person are a safeguarding concern "
        "for any activity involving that person.",
        f"{PD12J}; Family Procedure Rules form C1A (allegations of harm and domestic violence)",
    ),
    Rule(
        "PD12J-FACT-FINDING",
        "Where domestic abuse or harm is alleged the court decides whether a fact-finding "
        "hearing is needed; until that is recorded the activity waits, and a hearing needed or "
        "findings made are a concern.",
        PD12J,
    ),
    Rule(
        "S16A-RISK",
        "An officer who has cause to suspect a child is at risk of harm makes a risk assessment "
        "and gives it to the court: one asked for or made is a concern.",
        "Children Act 1989 s16A",
    ),
    Rule(
        "PD12B-INTERIM-CHECKS",
        "The court should not make an interim order without the safeguarding checks, and the "
        "FHDRA is adjourned for them when they are missing: no referral is queued from an order "
        "while the safeguarding letter is not on file.",
        f"{PD12B}(d)",
    ),
    Rule(
        "COURT-OVERRIDE",
        "The court, not the tool, decides whether an activity is appropriate; the officer "
        "advises. Where the court directs an activity the service's suitability rules advise "
        "against, the officer records the reason the court gave: those blocks become warnings "
        "for that direction only, and its referral is queued only on the officer's explicit "
        "confirmation, marked as against the rules' advice. A bar in law, the jurisdiction, "
        "risk at a contact centre and anything not yet known are never lifted.",
        f"{CA_S11E}(1), (7)",
        inferred=True,
    ),
    # Where each activity runs.
    Rule("JUR-WT4C", "WT4C is delivered in Wales (Cafcass Cymru).", S000),
    Rule(
        "JUR-MEDIATION",
        "The mediation information session is commissioned by Cafcass Cymru (Wales).",
        S000,
    ),
    Rule(
        "JUR-CONTACT",
        "Child contact centres are used in Wales; in England by the tool's reading (the cited "
        "Welsh Government page is about Wales only; NACCC accredits centres in both).",
        f"{S002}; {NACCC}",
        inferred=True,
    ),
    Rule("JUR-PTFC", "Planning Together for Children is a Cafcass course (England).", S003),
    Rule(
        "JUR-CCI", "Child Contact Intervention is organised and funded by Cafcass (England).", S004
    ),
    Rule(
        "PROVIDER-JURISDICTION",
        "The provider must be one the case's service refers to: a "
        "provider in the case's jurisdiction.",
        f"{S000}; {S002}",
        inferred=True,
    ),
    Rule("PROVIDER-ACTIVITY", "The provider must deliver the activity directed.", CA_S11A),
    Rule(
        "DIRECTION-DELIVERY",
        "The provider must offer the delivery the direction names (remote or face to face).",
        CA_S11E,
    ),
    Rule(
        "DELIVERY-MODE",
        "The activity is delivered only in the modes its source describes (remote, face to face).",
        f"{S001}; {S002}; {S003}",
    ),
    # Suitability on the screening.
    Rule(
        "WT4C-NO-RISK",
        "WT4C is suitable only where there are no current safeguarding risks "
        "and domestic abuse and other forms of harm are not present.",
        S001,
    ),
    Rule(
        "MEDIATION-NO-CONCERNS",
        "The mediation information session is used only where there "
        "are no safeguarding concerns: families are encouraged to resolve disputes themselves "
        "unless there are safeguarding concerns.",
        S000,
        inferred=True,
    ),
    Rule(
        "CONTACT-NO-RISK",
        "Contact services are not used in any case involving risk to "
        "children or adults; supported contact only where no risk is identified at all.",
        S000,
    ),
    Rule(
        "CONTACT-NACCC",
        "Only contact services accredited by the National Association of "
        "Child Contact Centres (NACCC) are used.",
        S000,
    ),
    Rule(
        "SUPPORTED-STANDARD",
        "Supported contact (low-risk families, volunteers, several "
        "families in a room, attendance records only) needs NACCC standard accreditation or "
        "higher.",
        NACCC,
    ),
    Rule(
        "SUPERVISED-ENHANCED",
        "Supervised contact (one-to-one within sight and sound, session "
        "notes for a report) needs NACCC enhanced accreditation.",
        NACCC,
    ),
    Rule(
        "SUPERVISED-ASSESSMENT",
        "Supervised contact only where the court has ordered it and "
        "the officer has recorded (who, when, why) that contact is safe and beneficial with "
        "supervision; the tool never makes that judgement.",
        f"{S000}; {S002}",
        inferred=True,
    ),
    Rule(
        "PTFC-NO-CONCERNS",
        "PTfC is suitable where the court and Cafcass have no current safeguarding concerns.",
        BRIEF,
        inferred=True,
    ),
    Rule(
        "CCI-PLAN",
        "A Child Contact Intervention is a bespoke programme planned by Cafcass "
        "with the family to manage safe contact: it needs the officer's recorded plan (who, "
        "when, why).",
        S004,
    ),
    Rule(
        "ASSESSMENT-CURRENT",
        "An officer's assessment recorded before a later screening "
        'answer of "yes" did not know of it: the officer should look again.',
        TOOL,
        inferred=True,
    ),
    # Arrangements between the parties.
    Rule(
        "SEPARATE-GROUP",
        "Separated parents do not attend together: never in the same group or session.",
        f"{S000}; {S001}; {S003}",
    ),
    Rule(
        "SEPARATE-PROVIDER", "Separated parents are normally referred to different providers.", S000
    ),
    Rule("BOTH-ATTEND", "Both parents are expected to attend.", f"{S001}; {S003}"),
    Rule(
        "LANGUAGE",
        "Cafcass Cymru works in Welsh and English: prefer providers who deliver in "
        "the person's language.",
        BRIEF,
        inferred=True,
    ),
    Rule(
        "AVAILABILITY",
        "Providers with an earlier next available date rank first; one with no "
        "date given ranks after those with one.",
        TOOL,
    ),
    Rule(
        "FILTER",
        "A provider outside the officer's chosen filter (delivery, language, "
        "available by) is left out.",
        TOOL,
    ),
    Rule(
        "SAMPLE-PROVIDER",
        "A sample provider is fictional, for practice and demonstration: "
        "it is flagged wherever it appears and must not be named in a real order or "
        "referral.",
        TOOL,
    ),
    # Funding.
    Rule("FEE-WT4C", "WT4C costs £150; free to a person receiving legal aid.", S000),
    Rule(
        "FEE-MEDIATION",
        "The mediation information session costs £60, with the same "
        "exemptions and financial assistance as WT4C.",
        S000,
    ),
    Rule(
        "LEGAL-AID-UNKNOWN",
        "While legal-aid status is not yet known the fee cannot be "
        "settled, so the referral cannot be made yet.",
        S000,
        inferred=True,
    ),
    Rule(
        "FA-DECISION",
        "A person who believes paying would cause hardship can apply for "
        "financial assistance; the decision is due within 5 working days of receipt of the "
        "application, and only if it is granted is the referral made.",
        S000,
    ),
    Rule(
        "FA-REFUSED-PAYS",
        "After financial assistance is refused the referral waits until the party confirms "
        "they will pay the fee, recorded by the officer: the source says only that a referral "
        "is made if the application is successful.",
        S000,
        inferred=True,
    ),
    Rule(
        "FA-TOLD",
        "A party who would pay the fee is told that financial assistance can be applied for "
        "if paying would cause hardship; the officer records when.",
        S000,
        inferred=True,
    ),
    Rule(
        "WORKING-DAYS",
        "Working days exclude Saturdays, Sundays and the bank holidays of the case's jurisdiction.",
        BANK_HOLIDAYS,
    ),
    Rule(
        "CONTACT-FUND-A",
        "Cafcass Cymru funds contact it refers where the court ordered it at "
        "the FHDRA after consultation with the FCA/FCSW on court duty and both parties agreed: "
        "the officer enters the order's date, each party's agreement (when) and a note of the "
        "consultation; nothing is assumed.",
        S002,
    ),
    Rule(
        "CONTACT-FUND-B",
        "Cafcass Cymru funds contact that is part of an FCA/FCSW report "
        "recommendation and/or where Cafcass Cymru has active case involvement.",
        S002,
    ),
    Rule(
        "CONTACT-SELF",
        "Outside those two routes the parties or their representatives refer "
        "themselves direct to the centre and pay; the service queues nothing.",
        S002,
    ),
    Rule(
        "CONTACT-ENGLAND",
        "The sources give no Cafcass (England) funding route for contact "
        "centres: the parties refer themselves and pay.",
        f"{S002} (Wales only)",
        inferred=True,
    ),
    Rule(
        "PTFC-FREE",
        "PTfC is free when referred by Cafcass or directed by the court; parents "
        "cannot refer themselves.",
        S003,
    ),
    Rule("CCI-FUNDED", "Cafcass funds a Child Contact Intervention for up to 12 hours.", S004),
    # Follow-ups.
    Rule("FU-ATTENDANCE", "Attendance is confirmed to the court or the practitioner.", S001),
    Rule("FU-EVALUATION", "Participants complete an evaluation form about the programme.", S001),
    Rule(
        "FU-SIX-MONTHS",
        "Participants are contacted six months after completion to evaluate long-term impact.",
        S001,
    ),
    Rule(
        "FU-PTFC-CALL",
        "For some parents a trainer may call, up to six weeks after the PTfC workshop, to see how "
        "things are going: the trainer's call, optional, never overdue for the officer.",
        S003,
    ),
    # s11G monitoring (issue 11, item 3): duty_tui/services/monitoring.py.
    Rule(
        "MONITOR-S11G",
        "Where the court makes an activity direction or an activity condition it may ask the "
        "officer to monitor the person's compliance and to report to the court any failure to "
        "comply; the officer must do as asked. Monitoring belongs to a direction the court made.",
        f"{CA_S11G}(1)-(3)",
    ),
    Rule(
        "MONITOR-REPORT",
        "A failure to comply recorded while monitoring (a session not attended, or attended "
        "only in part) is reported to the court by the date the court expects; a failure "
        "recorded with no such date is due at once.",
        f"{CA_S11G}(2)(b)",
        inferred=True,
    ),
    Rule(
        "MONITOR-PERIOD",
        "Each session of the monitoring period is recorded (its date; attended, did not attend "
        "or attended in part; who said so); a period that ends with nothing recorded is overdue.",
        f"{CA_S11G}(2)(a)",
        inferred=True,
    ),
    # Taking part (issue 11, item 9): duty_tui/services/participation.py.
    Rule(
        "INTERPRETER",
        "A party who needs an interpreter (any language, sign language included) takes part "
        "only with one: the referral says so, and a provider that does not record working with "
        "interpreters is flagged and ranked after those that do.",
        FPR_3A,
        inferred=True,
    ),
    Rule(
        "ADJUSTMENTS",
        "A service provider must make reasonable adjustments for a disabled person: the "
        "party's adjustments go to the provider with the referral, and the officer confirms "
        "the provider can make them.",
        f"{EQUALITY_ACT}; {FPR_3A}",
    ),
    Rule(
        "SEPARATE-ARRIVAL",
        "At a contact centre where domestic abuse is alleged, or where the officer records "
        "that a parent needs it, the parents arrive and leave at different times: a centre "
        "that does not offer separate arrival and departure is not used.",
        PD12J,
        inferred=True,
    ),
    Rule(
        "WELSH-OFFER",
        "In a Welsh case each party is offered the use of Welsh without having to ask for it; "
        "the offer (made, the answer, the date) is recorded, and a party who chose Welsh is "
        "matched with providers who deliver in Welsh first.",
        WELSH_STANDARDS,
        inferred=True,
    ),
    Rule(
        "ORDER-WELSH",
        "In a case in Wales the order's wording of the activity is given in Welsh and in "
        "English, whatever language the officer works in; terms the officer adds to it are in "
        "one language as typed, and need the other language before they go into the order.",
        HMCTS_WELSH,
        inferred=True,
    ),
    # Jurisdiction (issue 11, item 13): duty_tui/services/jurisdiction.py.
    Rule(
        "JUR-COURT",
        "Cafcass Cymru serves children ordinarily resident in Wales and Cafcass those in "
        "England: a court in Wales recorded with jurisdiction England (or the reverse), or "
        "parties who all live on the other side of the border, is flagged for the officer.",
        CA2004_S35,
        inferred=True,
    ),
)

RULES: MappingProxyType[str, Rule] = MappingProxyType({r.id: r for r in _RULES})
if len(RULES) != len(_RULES):  # an import-time guard, not an assert: -O must not skip it
    raise RuntimeError("rule ids repeat")


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]


def reason(rule_id: str, text: str, effect: Effect) -> Reason:
    return Reason(RULES[rule_id], text, effect)


# --- the catalogue ---------------------------------------------------------------------------


class ScreeningNeed(StrEnum):
    """What the safeguarding screening must say before an activity may be used."""

    NO_RISK = "no_risk"  # every question answered "no"
    KNOWN = "known"  # every question answered; a "yes" leaves it to the officer's assessment


class S11AKind(StrEnum):
    """The kinds of activity s11A allows (mediation and treatment are not among them)."""

    PROGRAMME = "programme"
    INFORMATION_ABOUT_MEDIATION = "information_about_mediation"
    CONTACT_SERVICE = "contact_service"
    GUIDANCE = "guidance"


@attrs.frozen
class CatalogueEntry:
    activity: Activity
    name: str
    jurisdictions: frozenset[Jurisdiction]
    jurisdiction_rule: str
    form: str
    minutes: int | None  # contact-centre sessions are set per centre
    delivery: tuple[Delivery, ...]  # possible modes, the usual one first
    fee_pence: int | None  # None: set per centre
    fee_rule: str | None
    funding_routes: tuple[FundingRoute, ...]
    kind: S11AKind
    # What the wording says the party shall do (s11A-conformant).
    wording: str
    screening: ScreeningNeed
    risk_rule: str  # the rule that names this activity's screening need
    needs_assessment: bool = False  # the officer's recorded assessment / plan
    assessment_rule: str | None = None
    needs_safeguarding_letter: bool = False
    accreditation: Accreditation | None = None  # minimum NACCC level
    accreditation_rule: str | None = None
    separate_attendance: bool = False  # a group course: parents never together
    both_attend: bool = False
    self_referral: bool = False  # may the parties refer themselves (and pay)
    funded_hours: int | None = None
    sources: tuple[str, ...] = ()


_ENTRIES: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        activity=Activity.WT4C,
        name=N_("Working Together for Children (WT4C)"),
        jurisdictions=frozenset({Jurisdiction.WALES}),
        jurisdiction_rule="JUR-WT4C",
        form=N_(
            "4 hours: one day, or two 2-hour sessions; usually remote, face to face if "
            "required; a mixed group of parents"
        ),
        minutes=240,
        delivery=(Delivery.REMOTE, Delivery.FACE_TO_FACE),
        fee_pence=15000,
        fee_rule="FEE-WT4C",
        funding_routes=(
            FundingRoute.LEGAL_AID,
            FundingRoute.PAID,
            FundingRoute.FINANCIAL_ASSISTANCE,
        ),
        kind=S11AKind.PROGRAMME,
        wording="attend the Working Together for Children (WT4C) programme",
        screening=ScreeningNeed.NO_RISK,
        risk_rule="WT4C-NO-RISK",
        separate_attendance=True,
        both_attend=True,
        sources=(S000, S001),
    ),
    CatalogueEntry(
        activity=Activity.MEDIATION_INFO,
        name=N_("Mediation information and advice session"),
        jurisdictions=frozenset({Jurisdiction.WALES}),
        jurisdiction_rule="JUR-MEDIATION",
        form=N_("1 hour information and advice session on the potential benefits of mediation"),
        minutes=60,
        # The source does not say how the session is delivered: both modes are allowed.
        delivery=(Delivery.REMOTE, Delivery.FACE_TO_FACE),
        fee_pence=6000,
        fee_rule="FEE-MEDIATION",
        funding_routes=(
            FundingRoute.LEGAL_AID,
            FundingRoute.PAID,
            FundingRoute.FINANCIAL_ASSISTANCE,
        ),
        kind=S11AKind.INFORMATION_ABOUT_MEDIATION,
        wording="attend a session giving information and advice about mediation",
        screening=ScreeningNeed.NO_RISK,
        risk_rule="MEDIATION-NO-CONCERNS",
        separate_attendance=True,
        sources=(S000,),
    ),
    CatalogueEntry(
        activity=Activity.CONTACT_SUPPORTED,
        name=N_("Supported contact at a child contact centre"),
        jurisdictions=frozenset({Jurisdiction.WALES, Jurisdiction.ENGLAND}),
        jurisdiction_rule="JUR-CONTACT",
        form=N_(
            "per centre: low-risk families, volunteers, several families in a room, "
            "attendance records only (NACCC standard accreditation)"
        ),
        minutes=None,
        delivery=(Delivery.FACE_TO_FACE, Delivery.REMOTE),
        fee_pence=None,
        fee_rule=None,
        funding_routes=(
            FundingRoute.FHDRA_AGREED,
            FundingRoute.REPORT_OR_INVOLVEMENT,
            FundingRoute.SELF_REFERRAL,
        ),
        kind=S11AKind.CONTACT_SERVICE,
        wording="take part in supported contact at a child contact centre accredited by the "
        "National Association of Child Contact Centres",
        screening=ScreeningNeed.NO_RISK,
        risk_rule="CONTACT-NO-RISK",
        needs_safeguarding_letter=True,
        accreditation=Accreditation.STANDARD,
        accreditation_rule="SUPPORTED-STANDARD",
        self_referral=True,
        sources=(S000, S002, NACCC),
    ),
    CatalogueEntry(
        activity=Activity.CONTACT_SUPERVISED,
        name=N_("Supervised contact at a child contact centre"),
        jurisdictions=frozenset({Jurisdiction.WALES, Jurisdiction.ENGLAND}),
        jurisdiction_rule="JUR-CONTACT",
        form=N_(
            "per centre: one-to-one within sight and sound, session notes for a report "
            "(NACCC enhanced accreditation)"
        ),
        minutes=None,
        delivery=(Delivery.FACE_TO_FACE, Delivery.REMOTE),
        fee_pence=None,
        fee_rule=None,
        funding_routes=(
            FundingRoute.FHDRA_AGREED,
            FundingRoute.REPORT_OR_INVOLVEMENT,
            FundingRoute.SELF_REFERRAL,
        ),
        kind=S11AKind.CONTACT_SERVICE,
        wording="take part in supervised contact at a child contact centre with enhanced "
        "accreditation from the National Association of Child Contact Centres",
        screening=ScreeningNeed.KNOWN,
        risk_rule="SCREENING-KNOWN",
        needs_assessment=True,
        assessment_rule="SUPERVISED-ASSESSMENT",
        needs_safeguarding_letter=True,
        accreditation=Accreditation.ENHANCED,
        accreditation_rule="SUPERVISED-ENHANCED",
        self_referral=True,
        sources=(S000, S002, NACCC, PD12B),
    ),
    CatalogueEntry(
        activity=Activity.PTFC,
        name=N_("Planning Together for Children (PTfC)"),
        jurisdictions=frozenset({Jurisdiction.ENGLAND}),
        jurisdiction_rule="JUR-PTFC",
        form=N_(
            "3 stages: e-learning (up to 2 hours, first), a group workshop (2½ hours, usually "
            "online), an online parenting plan; a follow-up call up to 6 weeks after the "
            "workshop"
        ),
        minutes=270,
        delivery=(Delivery.REMOTE, Delivery.FACE_TO_FACE),
        fee_pence=0,
        fee_rule="PTFC-FREE",
        funding_routes=(FundingRoute.SERVICE_FUNDED,),
        kind=S11AKind.PROGRAMME,
        wording="complete the Planning Together for Children course (the e-learning first, "
        "then a group workshop, then an online parenting plan)",
        screening=ScreeningNeed.NO_RISK,
        risk_rule="PTFC-NO-CONCERNS",
        separate_attendance=True,
        both_attend=True,
        sources=(S003,),
    ),
    CatalogueEntry(
        activity=Activity.CCI,
        name=N_("Child Contact Intervention (CCI)"),
        jurisdictions=frozenset({Jurisdiction.ENGLAND}),
        jurisdiction_rule="JUR-CCI",
        form=N_(
            "bespoke programme planned by Cafcass with the family, up to 12 funded hours; can "
            "include preparing parent and child and listening to the child's views"
        ),
        minutes=720,
        # The source does not say how sessions are delivered: both modes are allowed.
        delivery=(Delivery.FACE_TO_FACE, Delivery.REMOTE),
        fee_pence=0,
        fee_rule="CCI-FUNDED",
        funding_routes=(FundingRoute.SERVICE_FUNDED,),
        kind=S11AKind.GUIDANCE,
        wording="take part in a Child Contact Intervention planned by Cafcass with the family",
        screening=ScreeningNeed.KNOWN,
        risk_rule="SCREENING-KNOWN",
        needs_assessment=True,
        assessment_rule="CCI-PLAN",
        funded_hours=12,
        sources=(S004,),
    ),
)

CATALOGUE: MappingProxyType[Activity, CatalogueEntry] = MappingProxyType(
    {e.activity: e for e in _ENTRIES}
)


def entry(activity: Activity) -> CatalogueEntry:
    return CATALOGUE[activity]


def activity_form(activity: Activity) -> str:
    """What the activity is like (length, form, group), in the officer's language."""
    return _(CATALOGUE[activity].form)


def activity_name(activity: Activity) -> str:
    """The activity's name in the officer's language. ``entry(a).name`` stays English: what is
    stored or sent names the activity by its id, never by a translated name."""
    return _(CATALOGUE[activity].name)


# The screening and checks' questions as records/model.py words them (records knows no
# gettext): marked here for the catalogs; tests/test_i18n.py keeps the two in step.
QUESTION_LABELS: MappingProxyType[str, str] = MappingProxyType(
    {
        "police_check": N_("Police check: concerns found"),
        "local_authority_check": N_("Local authority check: concerns found"),
        "domestic_abuse": N_("Domestic abuse alleged or found"),
        "other_harm": N_("Other harm or risk to a child or adult"),
        "harm_alleged": N_("C1A: allegations of harm made by or against this person"),
        "fact_finding_needed": N_("PD12J: a fact-finding hearing is needed"),
        "findings_made": N_("PD12J: findings of domestic abuse or harm made"),
        "s16a_risk_assessment": N_("s16A risk assessment asked for or made"),
    }
)


def question_label(name: str) -> str:
    """A screening, per-person or court question (records.model) in the officer's language."""
    return _(QUESTION_LABELS[name])


def format_pence(pence: int) -> str:
    """Money for people: 15000 -> "£150.00". Money is whole pence everywhere, never float."""
    return format_money(pence)


def _check_catalogue() -> None:
    # Cheap import-time guard: every activity is catalogued, every cited rule exists.
    if set(CATALOGUE) != set(Activity):
        raise RuntimeError("an activity is missing from the catalogue")
    for e in _ENTRIES:
        cited = [
            e.jurisdiction_rule,
            e.risk_rule,
            e.fee_rule,
            e.assessment_rule,
            e.accreditation_rule,
        ]
        for rule_id in cited:
            if rule_id is not None and rule_id not in RULES:
                raise RuntimeError(f"{e.activity} cites unknown rule {rule_id}")


_check_catalogue()
