"""How the case screen's fields map onto a Case record: a key per field, text in, Case out.

A field key is a dotted path such as ``hearing.date``, ``party.<id>.postcode`` or
``screening.police_check.answered_on``. :func:`apply_edit` hands the typed text to the records'
own converters, which hold every validation rule and its message, and returns the new Case or
raises :class:`RecordError`. What is typed is new input, so the entry checks run on it too
(records/entry.py: a child under 18 at the hearing, no answer or letter dated after today),
on the field typed into only: a stored value that has aged (a child now 18) never blocks an
edit elsewhere. Nothing here decides what is valid: it only finds where a value goes.

No Textual here, so this is tested without an app.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from duty_tui.i18n import N_, _
from duty_tui.widgets import safeguarding_fields as sf
from records.entry import parse_date_of_birth, parse_past_date
from records.model import (
    SCREENING_QUESTIONS,
    Answer,
    Case,
    Child,
    Participation,
    Party,
    RecordError,
    WelshOffer,
)

CASE_FIELDS = ("case_number", "court", "jurisdiction")
PARTY_FIELDS = ("role", "name", "postcode", "language", "legal_aid", "phone", "email")
PARTY_ANSWER_FIELDS = ("habitually_resident",)
# Yes/no on screen, true/false in the record (Children Act 1989 s11B / s11D).
PARTY_FLAG_FIELDS = ("is_child", "child_is_a_parent")
CONSTRAINT_FIELDS = ("work", "education", "religious_observance")
# Taking part (records.model.Participation): what the provider must arrange.
PARTICIPATION_FIELDS = (
    "interpreter",
    "interpreter_language",
    "adjustments",
    "separate_arrival",
    "welsh_offer",
    "welsh_offer_on",
)
CHILD_FIELDS = ("name", "date_of_birth")
ANSWER_FIELDS = ("answer", "answered_on", "answered_by")

# What each field is called on screen (English msgids, translated where shown): the label and
# the start of an error message agree.
LABELS: dict[str, str] = {
    "case_number": N_("Case number"),
    "court": N_("Court"),
    "jurisdiction": N_("Jurisdiction"),
    "date": N_("Hearing date"),
    "role": N_("Role"),
    "name": N_("Name"),
    "postcode": N_("Postcode"),
    "language": N_("Language"),
    "legal_aid": N_("Legal aid"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "habitually_resident": N_("Habitually resident in England and Wales"),
    "is_child": N_("Under 18"),
    "child_is_a_parent": N_("If under 18: a parent of the child concerned"),
    "work": N_("Work times"),
    "education": N_("Education times"),
    "religious_observance": N_("Religious observance"),
    "date_of_birth": N_("Date of birth"),
    "answer": N_("Answer"),
    "answered_on": N_("Answered on"),
    "answered_by": N_("Answered by"),
    "safeguarding_letter_on": N_("Safeguarding letter"),
    "interpreter": N_("Interpreter needed"),
    "interpreter_language": N_("Interpreter language"),
    "adjustments": N_("Adjustments needed"),
    "separate_arrival": N_("Separate arrival at a contact centre"),
    "welsh_offer": N_("Welsh offered (active offer)"),
    "welsh_offer_on": N_("Welsh offered on"),
}


def label(name: str) -> str:
    """The label of field ``name`` (the last part of its key) in the current language."""
    return _(LABELS[name])


class UnknownField(KeyError):
    """A key naming no field of this case (a party removed since the key was made)."""


def format_date(value: dt.date | None) -> str:
    """Dates as officers write them in England and Wales."""
    return value.strftime("%d/%m/%Y") if value else ""


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return format_date(value)
    if hasattr(value, "value"):  # enums: the Select widgets hold the enum's value
        return str(value.value)
    return str(value)


def _find(items: tuple[Any, ...], item_id: str, key: str) -> Any:
    for item in items:
        if item.id == item_id:
            return item
    raise UnknownField(key)


def display_value(case: Case, key: str) -> str:
    """The text a field shows for the record's current value."""
    if sf.handles(key):  # per-person safeguarding (issue 11, item 5)
        try:
            return sf.display_value(case, key)
        except sf.NotASafeguardingField:
            raise UnknownField(key) from None
    parts = key.split(".")
    match parts:
        case ["case", name] if name in CASE_FIELDS:
            return _text_of(getattr(case, name))
        case ["hearing", "date"]:
            return format_date(case.hearing.date)
        case ["party", party_id, "constraints", name] if name in CONSTRAINT_FIELDS:
            return _text_of(getattr(_find(case.parties, party_id, key).constraints, name))
        case ["party", party_id, "participation", "separate_arrival"]:
            needed = _find(case.parties, party_id, key).participation.separate_arrival
            return "yes" if needed else "no"
        case ["party", party_id, "participation", name] if name in PARTICIPATION_FIELDS:
            return _text_of(getattr(_find(case.parties, party_id, key).participation, name))
        case ["party", party_id, name] if name in PARTY_FIELDS + PARTY_ANSWER_FIELDS:
            return _text_of(getattr(_find(case.parties, party_id, key), name))
        case ["party", party_id, name] if name in PARTY_FLAG_FIELDS:
            return "yes" if getattr(_find(case.parties, party_id, key), name) else "no"
        case ["child", child_id, name] if name in CHILD_FIELDS:
            return _text_of(getattr(_find(case.children, child_id, key), name))
        case ["screening", "safeguarding_letter_on"]:
            return format_date(case.screening.safeguarding_letter_on)
        case ["screening", question, name] if (
            question in SCREENING_QUESTIONS and name in ANSWER_FIELDS
        ):
            return _text_of(getattr(getattr(case.screening, question), name))
    raise UnknownField(key)


def apply_edit(case: Case, key: str, text: str, *, today: dt.date, officer_name: str = "") -> Case:
    """``case`` with the field at ``key`` set from ``text``; RecordError if the value is bad.

    Setting a screening answer to yes or no fills in an empty "answered on" with today and an
    empty "answered by" with the officer, so one keystroke records a complete answer; the
    officer can change either.
    """
    if sf.handles(key):  # per-person safeguarding (issue 11, item 5)
        try:
            return sf.apply_edit(case, key, text, today=today, officer_name=officer_name)
        except sf.NotASafeguardingField:
            raise UnknownField(key) from None
    parts = key.split(".")
    try:
        match parts:
            case ["case", name] if name in CASE_FIELDS:
                return attrs.evolve(case, **{name: text})
            case ["hearing", "date"]:
                return attrs.evolve(case, hearing=attrs.evolve(case.hearing, date=text))
            case ["party", party_id, "constraints", name] if name in CONSTRAINT_FIELDS:
                party = _find(case.parties, party_id, key)
                constraints = attrs.evolve(party.constraints, **{name: text})
                return _replace_party(case, attrs.evolve(party, constraints=constraints))
            case ["party", party_id, "participation", name] if name in PARTICIPATION_FIELDS:
                party = _find(case.parties, party_id, key)
                return _replace_party(
                    case,
                    attrs.evolve(
                        party, participation=_participation(party, name, text, today=today)
                    ),
                )
            case ["party", party_id, name] if name in PARTY_FIELDS + PARTY_ANSWER_FIELDS:
                party = _find(case.parties, party_id, key)
                return _replace_party(case, attrs.evolve(party, **{name: text}))
            case ["party", party_id, name] if name in PARTY_FLAG_FIELDS:
                if text not in ("yes", "no"):
                    raise RecordError(
                        LABELS[name], _("{field}: choose yes or no").format(field=label(name))
                    )
                party = _find(case.parties, party_id, key)
                return _replace_party(case, attrs.evolve(party, **{name: text == "yes"}))
            case ["child", child_id, "date_of_birth"]:
                child = _find(case.children, child_id, key)
                born = parse_date_of_birth(text, today=today, hearing_date=case.hearing.date)
                return _replace_child(case, attrs.evolve(child, date_of_birth=born))
            case ["child", child_id, "name"]:
                child = _find(case.children, child_id, key)
                return _replace_child(case, attrs.evolve(child, name=text))
            case ["screening", "safeguarding_letter_on"]:
                letter_on = parse_past_date(text, field="safeguarding letter date", today=today)
                screening = attrs.evolve(case.screening, safeguarding_letter_on=letter_on)
                return attrs.evolve(case, screening=screening)
            case ["screening", question, name] if (
                question in SCREENING_QUESTIONS and name in ANSWER_FIELDS
            ):
                current = getattr(case.screening, question)
                changes: dict[str, Any] = {name: text}
                if name == "answered_on":
                    changes[name] = parse_past_date(text, field="answered on", today=today)
                if name == "answer" and text != Answer.UNKNOWN.value:
                    if current.answered_on is None:
                        changes["answered_on"] = today
                    if not current.answered_by and officer_name:
                        changes["answered_by"] = officer_name
                answer = attrs.evolve(current, **changes)
                screening = attrs.evolve(case.screening, **{question: answer})
                return attrs.evolve(case, screening=screening)
    except RecordError:
        raise
    except (TypeError, ValueError) as exc:  # an attrs validator that is not a RecordError
        raise RecordError(parts[-1], str(exc)) from None
    raise UnknownField(key)


def _participation(party: Party, name: str, text: str, *, today: dt.date) -> Participation:
    """The party's participation with one field set. Answering the Welsh offer dates it today
    when no date is recorded, as a screening answer is (the officer can change it)."""
    current = party.participation
    changes: dict[str, Any] = {name: text}
    if name == "separate_arrival":
        if text not in ("yes", "no"):
            raise RecordError(
                LABELS[name], _("{field}: choose yes or no").format(field=label(name))
            )
        changes[name] = text == "yes"
    elif name == "welsh_offer_on":
        changes[name] = parse_past_date(text, field="Welsh offer on", today=today)
    elif name == "welsh_offer" and text != WelshOffer.NOT_ASKED.value:
        if current.welsh_offer_on is None:
            changes["welsh_offer_on"] = today
    return attrs.evolve(current, **changes)


def _replace_party(case: Case, party: Party) -> Case:
    return attrs.evolve(case, parties=tuple(party if p.id == party.id else p for p in case.parties))


def _replace_child(case: Case, child: Child) -> Case:
    return attrs.evolve(
        case, children=tuple(child if c.id == child.id else c for c in case.children)
    )


def add_party(case: Case, party: Party) -> Case:
    return attrs.evolve(case, parties=(*case.parties, party))


def remove_party(case: Case, party_id: str) -> Case:
    """RecordError if a direction or referral still names the party (the record refuses it).
    Their own safeguarding checks and agreements go with them."""
    case = sf.without_person(case, party_id)
    return attrs.evolve(case, parties=tuple(p for p in case.parties if p.id != party_id))


def add_child(case: Case, child: Child) -> Case:
    return attrs.evolve(case, children=(*case.children, child))


def remove_child(case: Case, child_id: str) -> Case:
    case = sf.without_person(case, child_id)
    return attrs.evolve(case, children=tuple(c for c in case.children if c.id != child_id))


def keys_of(case: Case) -> list[str]:
    """Every field key of ``case``, in screen order (tests walk them)."""
    keys = [f"case.{name}" for name in CASE_FIELDS] + ["hearing.date"]
    for party in case.parties:
        keys += [f"party.{party.id}.{name}" for name in PARTY_FIELDS]
        keys += [f"party.{party.id}.constraints.{name}" for name in CONSTRAINT_FIELDS]
        keys += [f"party.{party.id}.participation.{name}" for name in PARTICIPATION_FIELDS]
    for child in case.children:
        keys += [f"child.{child.id}.{name}" for name in CHILD_FIELDS]
    for question in SCREENING_QUESTIONS:
        keys += [f"screening.{question}.{name}" for name in ANSWER_FIELDS]
    keys.append("screening.safeguarding_letter_on")
    return keys + sf.keys_of(case)
