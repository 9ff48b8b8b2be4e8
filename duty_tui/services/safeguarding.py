"""Safeguarding per person: whom an activity involves, and the worst answer among them.

PD12B: the checks before the FHDRA are on people: police and local-authority checks on the
parties, the local-authority check on the children (domain.md, The legal frame). A person's
own answer, where recorded, replaces the case-wide answer for that person; where it is not
recorded the case-wide answer (the only answer before schema version 3, "concerns found" for
anyone checked) still speaks for them. The verdict takes the worst answer of the people the
activity involves: any "yes" that the activity cannot take blocks, any "not yet known" waits.

Pure: (case, party, activity, today) in, reasons out. The rules are in the catalogue.
"""

from __future__ import annotations

import datetime as dt

import attrs

from duty_tui.i18n import _
from duty_tui.i18n_format import format_date
from duty_tui.services.catalogue import (
    CatalogueEntry,
    Effect,
    Reason,
    ScreeningNeed,
    activity_name,
    question_label,
    reason,
)
from records.model import (
    CHILD_QUESTIONS,
    COURT_QUESTIONS,
    PERSON_QUESTIONS,
    SCREENING_QUESTIONS,
    Activity,
    Answer,
    Case,
    PartyRole,
    ScreeningAnswer,
)

# The activities that bring the child and the other parent in: contact at a centre, and a
# Child Contact Intervention (contact prepared with parent and child). The group courses and
# the mediation session involve the party referred (and the children they are about).
_FAMILY_ACTIVITIES = (Activity.CONTACT_SUPPORTED, Activity.CONTACT_SUPERVISED, Activity.CCI)
_PRINCIPAL = (PartyRole.APPLICANT, PartyRole.RESPONDENT)


def effective_answer(answer: ScreeningAnswer, today: dt.date) -> Answer:
    """The answer as known on ``today``: one dated after it was not yet given."""
    if answer.answered_on is not None and answer.answered_on > today:
        return Answer.UNKNOWN
    return answer.answer


@attrs.frozen
class PersonAnswer:
    """One person's answer to one question, and whether it is their own or the case-wide one."""

    person_id: str
    name: str
    question: str
    given: ScreeningAnswer
    answer: Answer  # as known today
    own: bool


def involved(case: Case, party_id: str, activity: Activity) -> tuple[str, ...]:
    """The people a direction of ``activity`` for ``party_id`` involves: the party, every child
    of the case (every activity is about them), and for contact and a CCI the other applicant
    and respondent too (one of them brings the child). The tool's reading (PERSON-INVOLVED)."""
    people = [party_id]
    if activity in _FAMILY_ACTIVITIES:
        people += [p.id for p in case.parties if p.id != party_id and p.role in _PRINCIPAL]
    people += [c.id for c in case.children]
    return tuple(people)


def _name(case: Case, person_id: str) -> tuple[str, bool]:
    """The person's name, and whether they are a child of the case."""
    for child in case.children:
        if child.id == person_id:
            return child.name, True
    return case.party(person_id).name, False


def answers_for(
    case: Case, people: tuple[str, ...], question: str, today: dt.date
) -> list[PersonAnswer]:
    """Each person's answer to a PD12B check (``police_check``, ``local_authority_check``):
    their own where recorded, else the case-wide one. Children are asked the local-authority
    check only."""
    case_wide: ScreeningAnswer = getattr(case.screening, question)
    out: list[PersonAnswer] = []
    for person_id in people:
        name, is_child = _name(case, person_id)
        if is_child and question not in CHILD_QUESTIONS:
            continue
        checks = case.screening.checks_of(person_id)
        own: ScreeningAnswer | None = getattr(checks, question) if checks else None
        if own is not None and effective_answer(own, today) is not Answer.UNKNOWN:
            out.append(PersonAnswer(person_id, name, question, own, own.answer, True))
        else:
            answer = effective_answer(case_wide, today)
            out.append(PersonAnswer(person_id, name, question, case_wide, answer, False))
    return out


def _answered(answer: ScreeningAnswer) -> str:
    """When and by whom: a phrase that stands in brackets in the reasons below."""
    if answer.answered_on and answer.answered_by:
        return _("answered {date} by {officer}").format(
            date=format_date(answer.answered_on), officer=answer.answered_by
        )
    if answer.answered_on:
        return _("answered {date}").format(date=format_date(answer.answered_on))
    if answer.answered_by:
        return _("answered undated by {officer}").format(officer=answer.answered_by)
    return _("answered undated")


def judge(e: CatalogueEntry, label: str, answer: Answer, given: ScreeningAnswer) -> Reason:
    """What one answer does to ``e``: the rule the case-wide screening has always applied.
    ``label`` is the question as shown, in the officer's language (:func:`question_label`)."""
    name = activity_name(e.activity)
    if e.screening is ScreeningNeed.NO_RISK:
        if answer is Answer.YES:
            return reason(
                e.risk_rule,
                _("{question}: yes ({answered}); {activity} needs no risk").format(
                    question=label, answered=_answered(given), activity=name
                ),
                Effect.BLOCKS,
            )
        if answer is Answer.UNKNOWN:
            return reason(
                "UNKNOWN-NOT-NO",
                _("{question}: not yet known; {activity} needs an answer of no").format(
                    question=label, activity=name
                ),
                Effect.UNKNOWN,
            )
        return reason(e.risk_rule, _no(label, given), Effect.MET)
    if answer is Answer.UNKNOWN:
        return reason(
            e.risk_rule,
            _(
                "{question}: not yet known; {activity} is judged on complete safeguarding "
                "information"
            ).format(question=label, activity=name),
            Effect.UNKNOWN,
        )
    if answer is Answer.YES:
        # Not a block: the officer's recorded assessment is what permits it (checked apart).
        return reason(
            e.assessment_rule or e.risk_rule,
            _("{question}: yes ({answered}); only on the officer's recorded assessment").format(
                question=label, answered=_answered(given)
            ),
            Effect.WARNING,
        )
    return reason(e.risk_rule, _no(label, given), Effect.MET)


def _no(label: str, given: ScreeningAnswer) -> str:
    return _("{question}: no ({answered})").format(question=label, answered=_answered(given))


def _concern(e: CatalogueEntry, rule_id: str, text: str) -> Reason:
    """A "yes" to a question that only ever adds a concern (C1A, PD12J, s16A)."""
    if e.screening is ScreeningNeed.NO_RISK:
        return reason(
            rule_id,
            _("{concern}; {activity} needs no risk").format(
                concern=text, activity=activity_name(e.activity)
            ),
            Effect.BLOCKS,
        )
    return reason(
        rule_id,
        _("{concern}; only on the officer's recorded assessment").format(concern=text),
        Effect.WARNING,
    )


def screening_reasons(case: Case, party_id: str, e: CatalogueEntry, today: dt.date) -> list[Reason]:
    """Every safeguarding reason for a direction of ``e`` for ``party_id``."""
    people = involved(case, party_id, e.activity)
    out: list[Reason] = []
    for question in SCREENING_QUESTIONS:
        label = question_label(question)
        if question not in PERSON_QUESTIONS:  # domestic abuse, other harm: case-wide
            given: ScreeningAnswer = getattr(case.screening, question)
            out.append(judge(e, label, effective_answer(given, today), given))
            continue
        found = answers_for(case, people, question, today)
        own = [a for a in found if a.own]
        if not own:
            # Nobody involved has an answer of their own: the case-wide answer, as it was.
            given = getattr(case.screening, question)
            out.append(judge(e, label, effective_answer(given, today), given))
            continue
        for a in own:
            whose = _("{question} ({person})").format(question=label, person=a.name)
            out.append(judge(e, whose, a.answer, a.given))
        rest = [a for a in found if not a.own]
        if rest:
            names = ", ".join(a.name for a in rest)
            whose = _("{question} ({people}: case-wide)").format(question=label, people=names)
            out.append(judge(e, whose, rest[0].answer, rest[0].given))
    if case.screening.people:
        checked = [_name(case, p)[0] for p in people if case.screening.checks_of(p) is not None]
        text = (
            _(
                "own checks of {people} involved; the case-wide answers speak for anyone "
                "without their own"
            ).format(people=", ".join(checked))
            if checked
            else _(
                "no own checks of anyone involved; the case-wide answers speak for anyone "
                "without their own"
            )
        )
        out.append(reason("PD12B-PERSON", text, Effect.INFO))
        out.append(
            reason(
                "PERSON-INVOLVED",
                _("judged on the people this involves: {people}").format(
                    people=", ".join(_name(case, p)[0] for p in people)
                ),
                Effect.INFO,
            )
        )
    out += _allegations(case, people, e, today)
    out += _court(case, people, e, today)
    return out


def _allegations(
    case: Case, people: tuple[str, ...], e: CatalogueEntry, today: dt.date
) -> list[Reason]:
    out: list[Reason] = []
    for person_id in people:
        checks = case.screening.checks_of(person_id)
        if checks is None or effective_answer(checks.harm_alleged, today) is not Answer.YES:
            continue
        name = _name(case, person_id)[0]
        out.append(
            _concern(
                e,
                "C1A-HARM",
                _("allegations of harm made by or against {person} ({answered})").format(
                    person=name, answered=_answered(checks.harm_alleged)
                ),
            )
        )
    return out


def harm_alleged(case: Case, people: tuple[str, ...], today: dt.date) -> bool:
    """Domestic abuse alleged or found (case-wide), or a C1A allegation by or against anyone
    involved: what makes PD12J's fact-finding question one that must be answered."""
    if effective_answer(case.screening.domestic_abuse, today) is Answer.YES:
        return True
    for person_id in people:
        checks = case.screening.checks_of(person_id)
        if checks is not None and effective_answer(checks.harm_alleged, today) is Answer.YES:
            return True
    return False


def _court_answer(question: str, given: ScreeningAnswer) -> str:
    return _("{question} ({answered})").format(
        question=question_label(question), answered=_answered(given)
    )


def _court(case: Case, people: tuple[str, ...], e: CatalogueEntry, today: dt.date) -> list[Reason]:
    s = case.screening
    out: list[Reason] = []
    fact = effective_answer(s.fact_finding_needed, today)
    findings = effective_answer(s.findings_made, today)
    s16a = effective_answer(s.s16a_risk_assessment, today)
    if findings is Answer.YES:
        out.append(
            _concern(e, "PD12J-FACT-FINDING", _court_answer("findings_made", s.findings_made))
        )
    elif fact is Answer.YES:
        if findings is Answer.UNKNOWN:
            text = _("{question} ({answered}) and its findings are not yet recorded").format(
                question=question_label("fact_finding_needed"),
                answered=_answered(s.fact_finding_needed),
            )
        else:
            text = _court_answer("fact_finding_needed", s.fact_finding_needed)
        out.append(_concern(e, "PD12J-FACT-FINDING", text))
    elif fact is Answer.UNKNOWN and harm_alleged(case, people, today):
        out.append(
            reason(
                "PD12J-FACT-FINDING",
                _(
                    "harm is alleged: whether the court needs a fact-finding hearing is not yet "
                    "recorded"
                ),
                Effect.UNKNOWN,
            )
        )
    if s16a is Answer.YES:
        text = _court_answer("s16a_risk_assessment", s.s16a_risk_assessment)
        out.append(_concern(e, "S16A-RISK", text))
    elif s16a is Answer.UNKNOWN and effective_answer(s.other_harm, today) is Answer.YES:
        out.append(
            reason(
                "S16A-RISK",
                _(
                    "a risk of harm is recorded: whether an s16A risk assessment was asked for "
                    "is not yet recorded"
                ),
                Effect.UNKNOWN,
            )
        )
    return out


def _answer_json(
    a: ScreeningAnswer, today: dt.date, *, own: bool | None = None
) -> dict[str, object]:
    out: dict[str, object] = {
        "answer": effective_answer(a, today).value,
        "answered_on": a.answered_on.isoformat() if a.answered_on else None,
        "answered_by": a.answered_by,
    }
    if own is not None:
        out["own"] = own  # False: the case-wide answer speaks for this person
    return out


def to_json(case: Case, today: dt.date) -> dict[str, object]:
    """Per-person safeguarding as ``duty-tui assess`` reports it: each person's answer to each
    check (their own, else the case-wide one, marked), and the court's PD12J / s16A answers."""
    people: list[dict[str, object]] = []
    ids = [p.id for p in case.parties] + [c.id for c in case.children]
    for person_id in ids:
        name, is_child = _name(case, person_id)
        checks = case.screening.checks_of(person_id)
        entry: dict[str, object] = {
            "person_id": person_id,
            "name": name,
            "kind": "child" if is_child else "party",
        }
        for question in CHILD_QUESTIONS if is_child else PERSON_QUESTIONS:
            if question == "harm_alleged":
                own_answer = checks.harm_alleged if checks else ScreeningAnswer()
                entry[question] = _answer_json(own_answer, today, own=True)
                continue
            (found,) = answers_for(case, (person_id,), question, today)
            entry[question] = _answer_json(found.given, today, own=found.own)
        people.append(entry)
    return {
        "people": people,
        "court": {q: _answer_json(getattr(case.screening, q), today) for q in COURT_QUESTIONS},
    }
