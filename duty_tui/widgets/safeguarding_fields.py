"""The case screen's per-person safeguarding fields (issue 11, item 5): keys, text in, Case out.

Keys: ``checks.<person id>.<question>.<answer|answered_on|answered_by>`` for a party's or
child's own PD12B checks (and a party's C1A allegations), and
``court.<question>.<answer|answered_on|answered_by>`` for the court's PD12J / s16A answers.
As with the case-wide screening, choosing yes or no fills an empty "answered on" with today and
an empty "answered by" with the officer. Values go through the records' own converters; nothing
here decides what is valid. No Textual here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from records.entry import parse_past_date
from records.model import (
    CHILD_QUESTIONS,
    COURT_QUESTIONS,
    PERSON_QUESTIONS,
    Answer,
    Case,
    PersonChecks,
    ScreeningAnswer,
)

ANSWER_PARTS = ("answer", "answered_on", "answered_by")
PREFIXES = ("checks.", "court.")


class NotASafeguardingField(KeyError):
    """A key that is not one of these fields (or names a person no longer in the case)."""


def handles(key: str) -> bool:
    return key.startswith(PREFIXES)


def _person(case: Case, person_id: str) -> bool | None:
    """True for a child of the case, False for a party, None for nobody."""
    if any(c.id == person_id for c in case.children):
        return True
    if any(p.id == person_id for p in case.parties):
        return False
    return None


def questions_for(case: Case, person_id: str) -> tuple[str, ...]:
    is_child = _person(case, person_id)
    return tuple(CHILD_QUESTIONS) if is_child else tuple(PERSON_QUESTIONS)


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if hasattr(value, "value"):
        return str(value.value)
    return str(value)


def _locate(case: Case, key: str) -> tuple[str, str | None, str, str]:
    """(kind, person id or None, question, part) for a key of ours."""
    parts = key.split(".")
    match parts:
        case ["checks", person_id, question, part] if part in ANSWER_PARTS:
            if question not in questions_for(case, person_id) or _person(case, person_id) is None:
                raise NotASafeguardingField(key)
            return "checks", person_id, question, part
        case ["court", question, part] if question in COURT_QUESTIONS and part in ANSWER_PARTS:
            return "court", None, question, part
    raise NotASafeguardingField(key)


def display_value(case: Case, key: str) -> str:
    kind, person_id, question, part = _locate(case, key)
    if kind == "court":
        return _text_of(getattr(getattr(case.screening, question), part))
    checks = case.screening.checks_of(person_id or "")
    answer = getattr(checks, question) if checks is not None else ScreeningAnswer()
    return _text_of(getattr(answer, part))


def apply_edit(case: Case, key: str, text: str, *, today: dt.date, officer_name: str = "") -> Case:
    """``case`` with the field at ``key`` set from ``text``; RecordError if the value is bad."""
    kind, person_id, question, part = _locate(case, key)
    if kind == "court":
        current: ScreeningAnswer = getattr(case.screening, question)
    else:
        checks = case.screening.checks_of(person_id or "")
        current = getattr(checks, question) if checks is not None else ScreeningAnswer()
    changes: dict[str, Any] = {part: text}
    if part == "answered_on":
        changes[part] = parse_past_date(text, field="answered on", today=today)
    if part == "answer" and text != Answer.UNKNOWN.value:
        if current.answered_on is None:
            changes["answered_on"] = today
        if not current.answered_by and officer_name:
            changes["answered_by"] = officer_name
    answer = attrs.evolve(current, **changes)
    if answer == current:
        return case  # nothing changed: no empty record is made for the person
    if kind == "court":
        return attrs.evolve(case, screening=attrs.evolve(case.screening, **{question: answer}))
    people = list(case.screening.people)
    for index, found in enumerate(people):
        if found.person_id == person_id:
            people[index] = attrs.evolve(found, **{question: answer})
            break
    else:
        people.append(PersonChecks(person_id or "", **{question: answer}))
    # A person whose every answer is back to "not yet known" has no checks of their own.
    people = [p for p in people if p != PersonChecks(p.person_id)]
    return attrs.evolve(case, screening=attrs.evolve(case.screening, people=tuple(people)))


def without_person(case: Case, person_id: str) -> Case:
    """``case`` with a person's own checks and agreements dropped (before removing them)."""
    people = tuple(p for p in case.screening.people if p.person_id != person_id)
    directions = tuple(
        attrs.evolve(d, agreements=tuple(a for a in d.agreements if a.party_id != person_id))
        for d in case.directions
    )
    screening = attrs.evolve(case.screening, people=people)
    return attrs.evolve(case, screening=screening, directions=directions)


def keys_of(case: Case) -> list[str]:
    """Every key of these fields, in screen order."""
    keys: list[str] = []
    for person_id in [p.id for p in case.parties] + [c.id for c in case.children]:
        for question in questions_for(case, person_id):
            keys += [f"checks.{person_id}.{question}.{part}" for part in ANSWER_PARTS]
    for question in COURT_QUESTIONS:
        keys += [f"court.{question}.{part}" for part in ANSWER_PARTS]
    return keys
