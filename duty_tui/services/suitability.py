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

from duty_tui.i18n import ENGLISH, _, speaking, thread_language
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
    CourtOverride,
    Delivery,
    Direction,
    DirectionStatus,
    Jurisdiction,
    OverriddenBlock,
    Party,
    ScreeningAnswer,
)

# Issue 13, item 10: the blocks a court's direction may lift (COURT-OVERRIDE, docs/rules.md).
# They are the service's suitability advice on its own courses: whether an activity is
# appropriate is the court's decision (Children Act 1989 s11E(1)), on the officer's information
# (s11E(7)). Not here, so never lifted: the jurisdiction (the service does not run the activity
# there: there is nothing to refer to), contact centres where there is risk (contact services
# are never used in a case involving risk, and a supported centre is accredited for low-risk
# families only: the lawful route is supervised contact on the officer's recorded assessment),
# anything not yet known (never read as "no"; PD12B 14.13: the hearing is adjourned for missing
# safeguarding information), and every bar that readiness adds (s11A(6)-(7), s11B, PD12B
# 14.13(d), funding, the provider, parents apart).
OVERRIDABLE_RULES = frozenset(
    {
        "WT4C-NO-RISK",
        "MEDIATION-NO-CONCERNS",
        "PTFC-NO-CONCERNS",
        "C1A-HARM",
        "PD12J-FACT-FINDING",
        "S16A-RISK",
    }
)
_NEVER_OVERRIDDEN = (Activity.CONTACT_SUPPORTED, Activity.CONTACT_SUPERVISED)


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
    # The court's direction against the rules' advice, when one is recorded for this party and
    # activity; ``lifted`` are the blocks it turned into warnings (empty: it no longer covers
    # the blocks that stand, and the verdict is blocked again).
    override: CourtOverride | None = None
    lifted: tuple[Reason, ...] = ()
    # Each reason's text in English, in the order of ``reasons``: a court override records
    # the advice it went against in English and is matched against it so, whatever language
    # the officer reads the reasons in (switching language must not undo the court's direction).
    # Empty when nothing blocks and no court's direction is recorded: then nothing needs it.
    english: tuple[str, ...] = ()

    @property
    def court_directed(self) -> bool:
        """Directed by the court against the advice, and nothing but that advice stood in the
        way: what the matrix marks "! court-directed", never "eligible"."""
        return bool(self.lifted) and self.status is not Status.BLOCKED

    @property
    def may_override(self) -> bool:
        """Blocked, and every block is advice the court may direct against."""
        return self.status is Status.BLOCKED and all(
            overridable(r, self.activity) for r in self.blocking
        )

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


def overridable(r: Reason, activity: Activity) -> bool:
    """May the court's direction lift this block? (OVERRIDABLE_RULES says why.)"""
    return (
        r.effect is Effect.BLOCKS
        and r.rule_id in OVERRIDABLE_RULES
        and activity not in _NEVER_OVERRIDDEN
    )


def blocks_of(found: Verdict) -> tuple[OverriddenBlock, ...]:
    """The blocks of a verdict as a court override records them (the advice it went against)."""
    texts = found.english or tuple(r.text for r in found.reasons)
    return tuple(
        OverriddenBlock(rule_id=r.rule_id, text=text)
        for r, text in zip(found.reasons, texts, strict=True)
        if r.effect is Effect.BLOCKS
    )


def override_direction(case: Case, party_id: str, activity: Activity) -> Direction | None:
    """The live direction the court made against the rules' advice for this party and
    activity, if the officer recorded one."""
    return next(
        (
            d
            for d in live_directions(case, party_id, activity)
            if d.status is DirectionStatus.DIRECTED and d.court_override is not None
        ),
        None,
    )


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
    reasons = _reasons(case, party_id, activity, today)
    directed = override_direction(case, party_id, activity)
    overridden = directed is not None and directed.court_override is not None
    if thread_language() == ENGLISH:
        english = tuple(r.text for r in reasons)
    elif overridden or any(r.effect is Effect.BLOCKS for r in reasons):
        # Only blocks are recorded by, and matched against, a court's direction: a Welsh
        # matrix works a cell's reasons out twice only where that can happen.
        with speaking(ENGLISH):
            english = tuple(r.text for r in _reasons(case, party_id, activity, today))
    else:
        english = ()
    if not overridden:
        return Verdict(party_id, activity, status_of(reasons), tuple(reasons), english=english)
    assert directed is not None and directed.court_override is not None
    return _against_advice(party_id, activity, reasons, english, directed.court_override)


def _reasons(case: Case, party_id: str, activity: Activity, today: dt.date) -> list[Reason]:
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
    return reasons


def _court_words(given: CourtOverride) -> str:
    return _(
        "the court directed it against the rules' advice (recorded by {officer} on {date}): "
        "{reason}"
    ).format(officer=given.recorded_by, date=format_date(given.recorded_on), reason=given.reason)


def _against_advice(
    party_id: str,
    activity: Activity,
    reasons: list[Reason],
    english: tuple[str, ...],
    given: CourtOverride,
) -> Verdict:
    """The verdict once the court directed it anyway: each block the court was told of, and
    that an override may lift, becomes a warning. A block it was not told of (the screening
    changed since) stands: the court did not direct against that."""
    told = {(b.rule_id, b.text) for b in given.blocks}
    out: list[Reason] = []
    lifted: list[Reason] = []
    out_english: list[str] = []
    for r, text in zip(reasons, english, strict=True):
        if overridable(r, activity) and (r.rule_id, text) in told:
            lifted.append(r)
            out.append(
                reason(
                    r.rule_id,
                    _("against this advice: {reason}").format(reason=r.text),
                    Effect.WARNING,
                )
            )
            out_english.append(f"against this advice: {text}")
        else:
            out.append(r)
            out_english.append(text)
    court = _court_words(given)
    with speaking(ENGLISH):
        out_english.append(_court_words(given))
    out.append(reason("COURT-OVERRIDE", court, Effect.WARNING))
    return Verdict(
        party_id, activity, status_of(out), tuple(out), given, tuple(lifted), tuple(out_english)
    )


def matrix(case: Case, *, today: dt.date) -> dict[tuple[str, Activity], Verdict]:
    """Every party × activity verdict, in party then catalogue order."""
    return {
        (party.id, activity): verdict(case, party.id, activity, today=today)
        for party in case.parties
        for activity in Activity
    }
