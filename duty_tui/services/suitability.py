"""Suitability: may this party be referred to this activity? Eligible, blocked, or not yet known.

A verdict is a pure function of (case, party, activity, today), so a screen can recompute the
whole party × activity matrix on every screening change. Every verdict carries every reason, each
with its rule and source. "Not yet known" is never read as "no": an unanswered screening question
gives NEEDS_SCREENING, never ELIGIBLE, for an activity that needs no risk (domain.md, Suitability).

The tool never makes the officer's judgement for supervised contact or a Child Contact
Intervention: it looks for the officer's recorded assessment (who, when, why) and quotes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

import attrs

from duty_tui.i18n import _
from duty_tui.i18n_format import format_date
from duty_tui.services.catalogue import (
    CatalogueEntry,
    Effect,
    Reason,
    activity_name,
    entry,
    question_label,
    reason,
)
from duty_tui.services.safeguarding import effective_answer, screening_reasons
from records.model import (
    SCREENING_QUESTIONS,
    Activity,
    Answer,
    Assessment,
    Case,
    Delivery,
    Direction,
    DirectionStatus,
    Jurisdiction,
    Party,
    ScreeningAnswer,
)


class Status(StrEnum):
    ELIGIBLE = "eligible"
    BLOCKED = "blocked"
    # Something is not yet known: a screening answer, the officer's recorded assessment or the
    # safeguarding letter. Shown as "?", never as "no risk".
    NEEDS_SCREENING = "needs_screening"

    @property
    def symbol(self) -> str:
        return {"eligible": "✓", "blocked": "✗", "needs_screening": "?"}[self.value]

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@attrs.frozen
class Verdict:
    party_id: str
    activity: Activity
    status: Status
    reasons: tuple[Reason, ...]

    @property
    def blocking(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.effect is Effect.BLOCKS)

    @property
    def unknown(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.effect is Effect.UNKNOWN)

    @property
    def warnings(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.effect is Effect.WARNING)


def status_of(reasons: Iterable[Reason]) -> Status:
    effects = {r.effect for r in reasons}
    if Effect.BLOCKS in effects:
        return Status.BLOCKED
    if Effect.UNKNOWN in effects:
        return Status.NEEDS_SCREENING
    return Status.ELIGIBLE


# --- helpers a screen may also want -------------------------------------------------------


def recorded_assessment(
    case: Case, party_id: str, activity: Activity, today: dt.date
) -> Assessment | None:
    """The latest assessment the officer recorded for this activity and party (or the whole
    case, party_id None) on or before ``today``."""
    found = [
        a
        for a in case.assessments
        if a.activity is activity and a.party_id in (None, party_id) and a.assessed_on <= today
    ]
    # Latest first; a party-specific record beats a whole-case one of the same day.
    return max(found, key=lambda a: (a.assessed_on, a.party_id is not None), default=None)


def live_directions(
    case: Case, party_id: str | None = None, activity: Activity | None = None
) -> tuple[Direction, ...]:
    """Directions not withdrawn, optionally for one party and/or activity."""
    return tuple(
        d
        for d in case.directions
        if d.status is not DirectionStatus.WITHDRAWN
        and (party_id is None or d.party_id == party_id)
        and (activity is None or d.activity is activity)
    )


# --- the rules, one function each ---------------------------------------------------------

_W, _E = Jurisdiction.WALES, Jurisdiction.ENGLAND


def _jurisdiction(case: Case, e: CatalogueEntry) -> Reason:
    # Whole sentences for each combination: Welsh mutates the place after "yn" ("yng
    # Nghymru", "yn Lloegr"), so the place is never a placeholder.
    name = activity_name(e.activity)
    both = e.jurisdictions == frozenset({_W, _E})
    if case.jurisdiction in e.jurisdictions:
        if both:
            text = (
                _("{activity} runs in England and Wales; this case is in Wales")
                if case.jurisdiction is _W
                else _("{activity} runs in England and Wales; this case is in England")
            )
        elif case.jurisdiction is _W:
            text = _("{activity} runs in Wales; this case is in Wales")
        else:
            text = _("{activity} runs in England; this case is in England")
        return reason(e.jurisdiction_rule, text.format(activity=name), Effect.MET)
    text = (
        _("{activity} runs only in Wales; this case is in England")
        if case.jurisdiction is _E
        else _("{activity} runs only in England; this case is in Wales")
    )
    return reason(e.jurisdiction_rule, text.format(activity=name), Effect.BLOCKS)


def _assessment(case: Case, party_id: str, e: CatalogueEntry, today: dt.date) -> list[Reason]:
    rule_id = e.assessment_rule or "SUPERVISED-ASSESSMENT"
    found = recorded_assessment(case, party_id, e.activity, today)
    if found is None:
        return [
            reason(
                rule_id,
                _(
                    "{activity} needs the officer's recorded assessment (who, when, why); none "
                    "is recorded. The tool does not make this judgement"
                ).format(activity=activity_name(e.activity)),
                Effect.UNKNOWN,
            )
        ]
    out = [
        reason(
            rule_id,
            # The officer's own words (``why``) are quoted as written, in either language.
            _("Recorded by {officer} on {date}: {why}").format(
                officer=found.assessed_by, date=format_date(found.assessed_on), why=found.reason
            ),
            Effect.MET,
        )
    ]
    for name in SCREENING_QUESTIONS:
        given: ScreeningAnswer = getattr(case.screening, name)
        if (
            effective_answer(given, today) is Answer.YES
            and given.answered_on is not None
            and given.answered_on > found.assessed_on
        ):
            out.append(
                reason(
                    "ASSESSMENT-CURRENT",
                    _(
                        "{question}: yes, answered {answered}, after the assessment of {date}"
                    ).format(
                        question=question_label(name),
                        answered=format_date(given.answered_on),
                        date=format_date(found.assessed_on),
                    ),
                    Effect.WARNING,
                )
            )
    return out


def _letter(case: Case, e: CatalogueEntry, today: dt.date) -> Reason:
    on = case.screening.safeguarding_letter_on
    if on is None or on > today:
        return reason(
            "PD12B-LETTER",
            _(
                "the safeguarding letter is not yet available; it goes with any referral to "
                "{activity}"
            ).format(activity=activity_name(e.activity).lower()),
            Effect.UNKNOWN,
        )
    return reason(
        "PD12B-LETTER",
        _("safeguarding letter of {date} to be attached").format(date=format_date(on)),
        Effect.MET,
    )


def _order(case: Case, party_id: str, e: CatalogueEntry) -> Reason:
    directed = [
        d
        for d in live_directions(case, party_id, e.activity)
        if d.status is DirectionStatus.DIRECTED
    ]
    if directed:
        return reason("ORDER-FIRST", _("directed by the court"), Effect.MET)
    # Advice to the court comes before the order, so the verdict stays eligible; the referral
    # itself waits (see assessment.readiness).
    return reason(
        "ORDER-FIRST",
        _("no court order or direction yet: the referral waits for one"),
        Effect.INFO,
    )


def _postcode(party: Party, e: CatalogueEntry) -> Reason | None:
    if party.postcode or Delivery.FACE_TO_FACE not in e.delivery:
        return None
    if e.delivery == (Delivery.FACE_TO_FACE,):
        return reason(
            "S11E-POSTCODE",
            _(
                "no postcode recorded: {activity} is face to face only and no local provider "
                "can be matched"
            ).format(activity=activity_name(e.activity)),
            Effect.UNKNOWN,
        )
    return reason(
        "S11E-POSTCODE",
        _("no postcode recorded: only remote providers can be matched"),
        Effect.WARNING,
    )


# --- verdicts ------------------------------------------------------------------------------


def verdict(case: Case, party_id: str, activity: Activity, *, today: dt.date) -> Verdict:
    """Eligible, blocked or needs screening, with every reason. Pure: no I/O, no clock."""
    party = case.party(party_id)
    e = entry(activity)
    reasons: list[Reason] = [_jurisdiction(case, e)]
    # Per person (issue 11, item 5): the worst answer of the people the activity involves.
    reasons += screening_reasons(case, party_id, e, today)
    if e.needs_assessment:
        reasons += _assessment(case, party_id, e, today)
    if e.needs_safeguarding_letter:
        reasons.append(_letter(case, e, today))
    postcode = _postcode(party, e)
    if postcode is not None:
        reasons.append(postcode)
    reasons.append(_order(case, party_id, e))
    return Verdict(party_id, activity, status_of(reasons), tuple(reasons))


def matrix(case: Case, *, today: dt.date) -> dict[tuple[str, Activity], Verdict]:
    """Every party × activity verdict, in party then catalogue order."""
    return {
        (party.id, activity): verdict(case, party.id, activity, today=today)
        for party in case.parties
        for activity in Activity
    }
