"""The records' and rules' words (roles, answers, statuses, screening questions) in the
officer's language.

records/ and services/ name their values in English for the record, the command line's JSON
and the logs; what the screens show goes through here, so that a Welsh-speaking officer reads
"Ceisydd" where the record says "applicant". Each English label is written again here as a
msgid: a label added to records/ without an entry here is shown in English, never lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from duty_tui.i18n import N_, _

# Keyed by (enum class name, value): the records' own ``label`` is the fallback.
_LABELS: dict[tuple[str, str], str] = {
    ("PartyRole", "applicant"): N_("Applicant"),
    ("PartyRole", "respondent"): N_("Respondent"),
    ("PartyRole", "other_family_member"): N_("Other family member"),
    ("Jurisdiction", "wales"): N_("Wales"),
    ("Jurisdiction", "england"): N_("England"),
    ("Answer", "yes"): N_("yes"),
    ("Answer", "no"): N_("no"),
    ("Answer", "unknown"): N_("not yet known"),
    ("Need", "yes"): N_("yes"),
    ("Need", "no"): N_("no"),
    ("Need", "unknown"): N_("not asked yet"),
    ("WelshOffer", "not_asked"): N_("not offered yet"),
    ("WelshOffer", "welsh"): N_("offered: chose Welsh"),
    ("WelshOffer", "english"): N_("offered: chose English"),
    ("Language", "english"): N_("English"),
    ("Language", "welsh"): N_("Cymraeg / Welsh"),
    ("Delivery", "remote"): N_("remote"),
    ("Delivery", "face_to_face"): N_("face to face"),
    ("DirectionStatus", "proposed"): N_("proposed"),
    ("DirectionStatus", "directed"): N_("directed"),
    ("DirectionStatus", "withdrawn"): N_("withdrawn"),
    ("Status", "eligible"): N_("eligible"),
    ("Status", "blocked"): N_("blocked"),
    ("Status", "needs_screening"): N_("needs screening"),
}

# records.model.SCREENING_QUESTIONS and PERSON_QUESTIONS, by question name.
_QUESTIONS: dict[str, str] = {
    "police_check": N_("Police check: concerns found"),
    "local_authority_check": N_("Local authority check: concerns found"),
    "domestic_abuse": N_("Domestic abuse alleged or found"),
    "other_harm": N_("Other harm or risk to a child or adult"),
    "harm_alleged": N_("C1A: allegations of harm made by or against this person"),
}

YES_NO: tuple[tuple[str, str], ...] = ((N_("No"), "no"), (N_("Yes"), "yes"))


def msgid(member: Enum) -> str:
    """``member``'s label as an English msgid (for widgets that translate when shown)."""
    return _LABELS.get((type(member).__name__, str(member.value))) or str(
        getattr(member, "label", member.value)
    )


def label(member: Enum) -> str:
    """``member``'s label in the current language (the record's English label if unknown)."""
    msgid = _LABELS.get((type(member).__name__, str(member.value)))
    if msgid is None:
        return str(getattr(member, "label", member.value))
    return _(msgid)


def question(name: str, english: str) -> str:
    """A screening question in the current language; ``english`` is the record's text."""
    msgid = _QUESTIONS.get(name)
    return _(msgid) if msgid is not None and msgid == english else english


def choices(members: Iterable[Enum]) -> list[tuple[str, str]]:
    """(msgid, value) pairs for a dropdown that translates its labels (FieldSelect)."""
    return [(msgid(m), str(m.value)) for m in members]
