"""The record's words in the officer's language: validation messages and enum labels.

records/ is the bottom layer and may not import the app (pyproject.toml, import-linter), so its
messages stay English there. :class:`records.model.RecordError` keeps the English sentence with
its named placeholders (``template``) and their values (``params``); here the sentence is
looked up in the catalog and filled in again, with the field's own name translated, so the Welsh
message says everything the English one does. Every template records/ raises is marked below
(tests/test_record_text.py checks that none is missing); an error made without a template (a
screen's own, already translated) is shown as it is.

No Textual here: the command line shows these messages too.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from duty_tui.i18n import N_, _

# The sentences records/ raises (RecordError.of, TextError), as written there.
TEMPLATES: frozenset[str] = frozenset(
    {
        N_("{field} is required"),
        N_("{field} must be text"),
        N_("{field} is {length} characters long; the most allowed is {most}"),
        N_("{field} must be a whole number"),
        N_("{field} must be a whole number from 1 to 100"),
        N_("{field} {value!r} is not one of: {allowed}"),
        N_("{field} {value:%d/%m/%Y} is in the future"),
        N_("{value:%d/%m/%Y} is in the future"),
        N_("{value:%d/%m/%Y} is 18 or more years ago: not a child"),
        N_("{text!r} is not a UK postcode (like CF10 1AA)"),
        N_("{text!r} is not a case number: expected like CF24P01234 or 1234-5678-9012-3456"),
        N_("{text!r} is not a date: use DD/MM/YYYY or YYYY-MM-DD"),
        N_("{text!r} is not a phone number"),
        N_("{text!r} is not a whole number of hours"),
        N_("{text!r} is not an email address"),
        N_("id must be 1-64 letters, digits, '-' or '_'"),
        N_("two {field} share one id"),
        N_("a direction against the rules' advice names that advice"),
        N_("each is a rule and its words"),
        N_("must be the court's direction and its reason"),
        N_("must be the court's reason and the blocks"),
        N_("two sessions share one id"),
        N_("at most {most} sessions are recorded"),
        N_("each session is a date, an attendance and its source"),
        N_("the monitoring period ends before it starts"),
        N_("the monitoring period starts before it was asked for"),
        N_("separate arrival must be yes or no"),
        N_("the Welsh offer was answered: say on which date"),
        N_("an answer of {answer!r} needs the date and who answered"),
        N_("each person's checks are a PersonChecks record"),
        N_("one person's checks are recorded twice"),
        N_("a child's checks hold the local-authority check only"),
        N_("checks name a person not in this case"),
        N_("each agreement is a PartyAgreement record"),
        N_("one party's agreement is recorded twice"),
        N_("an agreement names a party not in this case"),
        N_("the party's confirmation needs who recorded it"),
        N_("monitoring must be the court's s11G request"),
        N_("revision must be a whole number from 1"),
        N_("a direction names a party not in this case"),
        N_("a referral names a party not in this case"),
        # records/caseformat.py (a case file read by duty-tui import or assess)
        N_("expected true or false, got {kind}"),
        N_("expected a whole number, got {kind}"),
        # records/payload.py (a referral built to be queued)
        N_("participation must be what the party needs"),
        N_("constraints must be work/education/religion times"),
        N_("agreements must be each parent's answer"),
        N_("monitoring must be the court's request"),
        N_("assessment must be the officer's recorded judgement"),
        N_("officer must be a name and a role"),
        N_("party must be the person referred"),
        N_("a referral names at least one child"),
        N_("a referral names at most {most} children"),
        N_("each child is a name and a date of birth"),
        N_("a referral needs its funding route"),
        N_("a self-referral is made by the parties, not queued"),
        N_("payload version must be {version}"),
        N_("other parties must be people referred alongside"),
        N_(
            "a final order cannot carry an activity direction (s11A(7)): it is an activity "
            "condition (s11C)"
        ),
        N_("a contact-centre referral needs the date of the safeguarding letter"),
    }
)

# The record's field names (RecordError.field), as a message quotes them.
FIELDS: dict[str, str] = {
    name: name
    for name in (
        N_("Welsh offer"),
        N_("against rules advice"),
        N_("blocking reason"),
        N_("blocking reasons"),
        N_("court override"),
        N_("recorded by"),
        N_("recorded on"),
        N_("rule"),
        N_("the court's reason"),
        N_("Welsh offer on"),
        N_("accreditation"),
        N_("activity"),
        N_("adjustments"),
        N_("agreed"),
        N_("agreed on"),
        N_("agreement"),
        N_("agreement note"),
        N_("answer"),
        N_("answered by"),
        N_("answered on"),
        N_("area"),
        N_("assessed by"),
        N_("assessed on"),
        N_("assistance applied on"),
        N_("assistance decision"),
        N_("attendance"),
        N_("attendance source"),
        N_("available by"),
        N_("case number"),
        N_("children"),
        N_("completed on"),
        N_("consultation note"),
        N_("court"),
        N_("date of birth"),
        N_("delivery"),
        N_("directed on"),
        N_("directions"),
        N_("education times"),
        N_("email"),
        N_("funding"),
        N_("habitually resident"),
        N_("hearing date"),
        N_("hearing type"),
        N_("hours directed"),
        N_("interpreter"),
        N_("interpreter language"),
        N_("jurisdiction"),
        N_("language"),
        N_("legal aid"),
        N_("monitoring"),
        N_("monitoring asked by"),
        N_("monitoring asked on"),
        N_("monitoring from"),
        N_("monitoring to"),
        N_("name"),
        N_("next available"),
        N_("notes"),
        N_("officer name"),
        N_("officer role"),
        N_("order type"),
        N_("parties"),
        N_("phone"),
        N_("postcode"),
        N_("provider name"),
        N_("provision"),
        N_("reason"),
        N_("receipt"),
        N_("referrals"),
        N_("religious observance"),
        N_("report due on"),
        N_("reported on"),
        N_("role"),
        N_("safeguarding"),
        N_("safeguarding letter date"),
        N_("separate arrival"),
        N_("session"),
        N_("session date"),
        N_("session on"),
        N_("sessions"),
        N_("state"),
        N_("status"),
        N_("told of assistance on"),
        N_("venue postcode"),
        N_("will pay confirmed on"),
        N_("will pay recorded by"),
        N_("wording"),
        N_("Welsh wording"),
        N_("work times"),
        N_("id"),
        N_("revision"),
        N_("text"),
        N_("flag"),
        N_("number"),
        N_("participation"),
        N_("constraints"),
        N_("assessment"),
        N_("officer"),
        N_("party"),
        N_("version"),
        N_("other parties"),
    )
}

# The labels records/ gives its enums (``.label``), as written there.
LABELS: frozenset[str] = frozenset(
    {
        N_("Applicant"),
        N_("Respondent"),
        N_("Other family member"),
        N_("English"),
        N_("Cymraeg / Welsh"),
        N_("yes"),
        N_("no"),
        N_("not yet known"),
        N_("not asked yet"),
        N_("not asked"),
        N_("remote"),
        N_("face to face"),
        N_("interim (proceedings go on)"),
        N_("final order"),
        N_("activity direction (s11A)"),
        N_("activity condition (s11C)"),
        N_("attended"),
        N_("did not attend"),
        N_("attended in part"),
        N_("not offered yet"),
        N_("offered: chose Welsh"),
        N_("offered: chose English"),
        N_("Wales"),
        N_("England"),
        # Enums shown by their value.
        N_("pending"),
        N_("granted"),
        N_("refused"),
        N_("none"),
        N_("standard"),
        N_("enhanced"),
    }
)


def field_name(field: str) -> str:
    """A record field's name in the officer's language (as it is if it is not a known one)."""
    return _(field) if field in FIELDS else field


def label(member: Enum) -> str:
    """An enum's label (its value where it has none) in the officer's language."""
    text = str(getattr(member, "label", member.value))
    return _(text) if text in LABELS else text


def capitalised(text: str) -> str:
    """The first letter upper case, the rest as it is ("s11A" stays, unlike str.capitalize)."""
    return text[:1].upper() + text[1:]


def record_message(exc: Exception) -> str:
    """What a RecordError (or TextError) says, in the officer's language, with its details."""
    template: str | None = getattr(exc, "template", None)
    message: str = getattr(exc, "message", None) or str(exc)
    if template is None or template not in TEMPLATES:
        return message
    params: dict[str, Any] = dict(getattr(exc, "params", {}))
    if isinstance(params.get("field"), str):
        params["field"] = field_name(params["field"])
    try:
        return _(template).format(**params)
    except (KeyError, IndexError, ValueError):
        # A catalog entry that lost a placeholder (tests/test_i18n.py guards against it): the
        # English sentence still says what is wrong.
        return message


# The catalogue's activity names (services/catalogue.py), as written there.
ACTIVITY_NAMES: frozenset[str] = frozenset(
    {
        N_("Working Together for Children (WT4C)"),
        N_("Mediation information and advice session"),
        N_("Supported contact at a child contact centre"),
        N_("Supervised contact at a child contact centre"),
        N_("Planning Together for Children (PTfC)"),
        N_("Child Contact Intervention (CCI)"),
    }
)


def activity_name(name: str) -> str:
    """A catalogue entry's name in the officer's language."""
    return _(name) if name in ACTIVITY_NAMES else name
