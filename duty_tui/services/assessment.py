"""The whole-case assessment: verdicts, funding, options, referral readiness and follow-ups.

This is what ``duty-tui assess`` prints and what the screens show; both call the same functions.
Everything here is pure: (case, directory, today) in, attrs records out, no I/O, no clock.

``readiness`` answers the question after the order: may the referral for this direction be
queued now? It adds to the suitability verdict what a referral needs (000_, 002_, PD12B): the
court's order, a provider that fits the party, the safeguarding letter for a contact centre,
funding settled, parents not in the same group, and s11A-conformant wording.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

import attrs

from duty_tui.i18n import _
from duty_tui.i18n_format import format_date
from duty_tui.services import jurisdiction as jurisdiction_service
from duty_tui.services import monitoring as monitoring_service
from duty_tui.services import options as options_service
from duty_tui.services import safeguarding
from duty_tui.services.catalogue import Effect, Reason, activity_name, entry, reason
from duty_tui.services.followups import FollowUp, followups
from duty_tui.services.funding import Funding, funding_for
from duty_tui.services.options import Directory, Options
from duty_tui.services.suitability import Status, Verdict, live_directions, matrix, verdict
from duty_tui.services.wording import Wording, direction_text
from records.model import (
    Activity,
    Answer,
    Case,
    Direction,
    DirectionStatus,
    FundingRoute,
    Jurisdiction,
    Monitoring,
    OrderType,
    Participation,
    PartyRole,
    Provider,
    Provision,
    ReferralState,
)
from records.payload import PayloadError

FORMAT = "duty-tui/assessment"
SCHEMA_VERSION = 1


class ReadinessStatus(StrEnum):
    READY = "ready"  # the referral may be queued now
    WAITING = "waiting"  # not yet: something is still to come (order, decision, answer)
    BLOCKED = "blocked"  # no: this referral cannot be made as it stands


@attrs.frozen
class Readiness:
    direction_id: str
    party_id: str
    activity: Activity
    status: ReadinessStatus
    reasons: tuple[Reason, ...]
    funding: Funding
    wording: Wording
    provider: Provider | None

    @property
    def ready(self) -> bool:
        return self.status is ReadinessStatus.READY


@attrs.frozen
class Cell:
    """One party × activity: the verdict, and for those not blocked, funding and options."""

    party_id: str
    activity: Activity
    verdict: Verdict
    funding: Funding | None  # None when blocked
    options: Options | None  # only when eligible


@attrs.frozen
class CaseAssessment:
    case_id: str
    today: dt.date
    directory_source: str
    directory_sample: bool
    cells: tuple[Cell, ...]
    directions: tuple[Readiness, ...]
    followups: tuple[FollowUp, ...]

    def cell(self, party_id: str, activity: Activity) -> Cell:
        for cell in self.cells:
            if cell.party_id == party_id and cell.activity is activity:
                return cell
        raise KeyError((party_id, activity))


def _readiness_status(reasons: tuple[Reason, ...]) -> ReadinessStatus:
    effects = {r.effect for r in reasons}
    if Effect.BLOCKS in effects:
        return ReadinessStatus.BLOCKED
    if effects & {Effect.UNKNOWN, Effect.WAITING}:
        return ReadinessStatus.WAITING
    return ReadinessStatus.READY


def readiness(
    case: Case, direction: Direction, directory: Directory, *, today: dt.date
) -> Readiness:
    """May the referral for ``direction`` be queued now, and every reason why (not)."""
    base = verdict(case, direction.party_id, direction.activity, today=today)
    reasons: list[Reason] = [r for r in base.reasons if r.rule_id != "ORDER-FIRST"]
    reasons.append(_order(direction))

    provider = directory.get(direction.provider_id) if direction.provider_id else None
    reasons += _provider(case, direction, directory, provider, today)
    reasons += _separation(case, direction)

    money = funding_for(case, direction.party_id, direction.activity, direction, today=today)
    reasons += money.reasons
    if not money.may_queue and money.route is FundingRoute.SELF_REFERRAL:
        rule_id = "CONTACT-SELF" if case.jurisdiction is Jurisdiction.WALES else "CONTACT-ENGLAND"
        reasons.append(
            reason(
                rule_id,
                _(
                    "self-referral: the service queues no referral; the parties contact the "
                    "centre themselves"
                ),
                Effect.BLOCKS,
            )
        )

    words = direction_text(case, direction, provider)
    # The provider and sample checks above already speak for the wording; add only s11A.
    reasons += [
        r for r in words.reasons if r.rule_id.startswith("S11A-NO-") or r.rule_id == "S11A-INTERIM"
    ]
    reasons += who_may_be_directed(case, direction)
    reasons += safeguarding_checks_on_file(case, direction, today)

    reasons += monitoring_service.check(direction)  # s11G: what the court asked, if it did

    for referral in case.referrals:
        if referral.direction_id == direction.id and referral.state in (
            ReferralState.QUEUED,
            ReferralState.SENT,
            ReferralState.ACKNOWLEDGED,
        ):
            already = {
                ReferralState.QUEUED: _("a referral for this direction is already queued"),
                ReferralState.SENT: _("a referral for this direction is already sent"),
                ReferralState.ACKNOWLEDGED: _(
                    "a referral for this direction is already acknowledged"
                ),
            }[referral.state]
            reasons.append(reason("ORDER-FIRST", already, Effect.INFO))
    final = tuple(reasons)
    return Readiness(
        direction.id,
        direction.party_id,
        direction.activity,
        _readiness_status(final),
        final,
        money,
        words,
        provider,
    )


def ready_to_queue(
    case: Case,
    direction_id: str,
    directory: Directory,
    *,
    today: dt.date,
    against_advice_confirmed: bool = False,
) -> Case:
    """The case to queue ``direction_id``'s referral from, if the rules say it is ready: made
    by the court, provider chosen, funded, nothing unknown or blocking. Otherwise PayloadError
    with every reason that stops it.

    Ready means the rules settled how it is paid (legal aid answered "no": the party pays); a
    direction with no funding route recorded gets that route written on it, so the referral
    carries the decision the officer sees.
    """
    direction = next((d for d in case.directions if d.id == direction_id), None)
    if direction is None:
        raise PayloadError([_("no such direction in this case")])
    if direction.court_override is not None and not against_advice_confirmed:
        # COURT-OVERRIDE: a referral against the rules' advice goes only on the officer's own
        # "yes" to a question that names it; no path (a batch, a retry) queues it by default.
        raise PayloadError(
            [_("the court directed this against the rules' advice: queue it only once confirmed")]
        )
    ready = readiness(case, direction, directory, today=today)
    if not ready.ready:
        stopping = (Effect.BLOCKS, Effect.UNKNOWN, Effect.WAITING)
        raise PayloadError([r.text for r in ready.reasons if r.effect in stopping])
    if direction.funding is not None or ready.funding.route is None:
        return case
    settled = attrs.evolve(direction, funding=ready.funding.route)
    directions = tuple(settled if d.id == direction_id else d for d in case.directions)
    return attrs.evolve(case, directions=directions)


def who_may_be_directed(case: Case, d: Direction) -> list[Reason]:
    """Children Act 1989 s11B (directions) and s11D (conditions): whom the court may not require
    to take part. What is recorded as impossible blocks; residence not yet recorded is a warning
    (the court, not the tool, decides habitual residence; the officer records it)."""
    party = case.party(d.party_id)
    out: list[Reason] = []
    if party.is_child and not party.child_is_a_parent:
        out.append(
            reason(
                "S11B-CHILD",
                _(
                    "{name} is recorded as a child who is not a parent of the child concerned: "
                    "they cannot be required to take part in an activity"
                ).format(name=party.name),
                Effect.BLOCKS,
            )
        )
    if party.habitually_resident is Answer.NO:
        out.append(
            reason(
                "S11B-RESIDENCE",
                _(
                    "{name} is recorded as not habitually resident in England and Wales: they "
                    "cannot be required to take part in an activity"
                ).format(name=party.name),
                Effect.BLOCKS,
            )
        )
    elif party.habitually_resident is Answer.UNKNOWN:
        out.append(
            reason(
                "S11B-RESIDENCE",
                _(
                    "whether {name} is habitually resident in England and Wales is not "
                    "recorded: only a person habitually resident there may be directed"
                ).format(name=party.name),
                Effect.WARNING,
            )
        )
    if d.provision is Provision.CONDITION:
        out.append(
            reason(
                "S11C-CONDITION",
                _(
                    "an activity condition of the child arrangements order (interim "
                    "(proceedings go on))"
                )
                if d.order_type is OrderType.INTERIM
                else _("an activity condition of the child arrangements order (final order)"),
                Effect.INFO,
            )
        )
    return out


def safeguarding_checks_on_file(case: Case, d: Direction, today: dt.date) -> list[Reason]:
    """PD12B 14.13(d): no interim order without the safeguarding checks (and the FHDRA is
    adjourned for them): whatever the activity, no referral while the safeguarding letter is
    not on file. A contact centre's own letter rule (PD12B-LETTER) already says it there."""
    if entry(d.activity).needs_safeguarding_letter:
        return []
    on = case.screening.safeguarding_letter_on
    if on is None or on > today:
        text = (
            _(
                "no safeguarding letter on file: an interim order is not made without the "
                "safeguarding checks, so the referral waits for the letter"
            )
            if d.order_type is OrderType.INTERIM
            else _(
                "no safeguarding letter on file: an order is not made without the "
                "safeguarding checks, so the referral waits for the letter"
            )
        )
        return [reason("PD12B-INTERIM-CHECKS", text, Effect.WAITING)]
    return [
        reason(
            "PD12B-INTERIM-CHECKS",
            _("safeguarding checks reported in the letter of {date}").format(date=format_date(on)),
            Effect.MET,
        )
    ]


def _order(d: Direction) -> Reason:
    if d.status is DirectionStatus.DIRECTED:
        text = (
            _("directed by the court on {date}").format(date=format_date(d.directed_on))
            if d.directed_on
            else _("directed by the court")
        )
        return reason("ORDER-FIRST", text, Effect.MET)
    if d.status is DirectionStatus.WITHDRAWN:
        return reason("ORDER-FIRST", _("the direction is withdrawn"), Effect.BLOCKS)
    return reason(
        "ORDER-FIRST",
        _("proposed, not yet ordered: the referral waits for the court"),
        Effect.WAITING,
    )


def _provider(
    case: Case, d: Direction, directory: Directory, provider: Provider | None, today: dt.date
) -> list[Reason]:
    if not d.provider_id:
        return [
            reason(
                "S11A-ACTIVITY",
                _("no provider chosen yet: a direction names the provider"),
                Effect.WAITING,
            )
        ]
    if provider is None:
        return [
            reason(
                "S11A-ACTIVITY",
                _(
                    "provider {provider} is not in the directory ({directory}): it cannot be "
                    "checked"
                ).format(provider=repr(d.provider_id), directory=directory.source)
                if directory.source
                else _(
                    "provider {provider} is not in the directory (unnamed): it cannot be checked"
                ).format(provider=repr(d.provider_id)),
                Effect.WAITING,
            )
        ]
    found = options_service.find(
        case, d.party_id, d.activity, directory, today=today, delivery=d.delivery, explain=True
    )
    for option in found.ranked:
        if option.provider.id == provider.id:
            return [*option.reasons, *found.notes]
    for exclusion in found.excluded:
        if exclusion.provider.id == provider.id:
            # The only filter passed is the direction's own delivery: say so, not "filter".
            return [
                reason("DIRECTION-DELIVERY", r.text, r.effect) if r.rule_id == "FILTER" else r
                for r in exclusion.reasons
            ]
    return [reason("PROVIDER-ACTIVITY", _("the provider does not fit"), Effect.BLOCKS)]


def _separation(case: Case, d: Direction) -> list[Reason]:
    e = entry(d.activity)
    out: list[Reason] = []
    if not e.separate_attendance:
        return out
    others = [o for o in live_directions(case) if o.party_id != d.party_id]
    for other in others:
        if (
            d.session
            and other.session == d.session
            and other.provider_id == d.provider_id
            and entry(other.activity).separate_attendance
        ):
            out.append(
                reason(
                    "SEPARATE-GROUP",
                    _(
                        "the other party is booked into the same session ({session}) with this "
                        "provider"
                    ).format(session=repr(d.session)),
                    Effect.BLOCKS,
                )
            )
    party = case.party(d.party_id)
    principal = (PartyRole.APPLICANT, PartyRole.RESPONDENT)
    if e.both_attend and party.role in principal:
        other_parents = [p for p in case.parties if p.id != d.party_id and p.role in principal]
        directed = {o.party_id for o in others if o.activity is d.activity}
        if other_parents and not any(p.id in directed for p in other_parents):
            out.append(
                reason(
                    "BOTH-ATTEND",
                    _(
                        "the other parent has no direction for {activity}: both parents are "
                        "expected to attend"
                    ).format(activity=activity_name(d.activity)),
                    Effect.WARNING,
                )
            )
    return out


# --- the whole case ------------------------------------------------------------------------


def assess_case(case: Case, directory: Directory, *, today: dt.date) -> CaseAssessment:
    cells: list[Cell] = []
    for (party_id, activity), v in matrix(case, today=today).items():
        money = None
        found = None
        if v.status is not Status.BLOCKED:
            live = live_directions(case, party_id, activity)
            money = funding_for(case, party_id, activity, live[0] if live else None, today=today)
        if v.status is Status.ELIGIBLE:
            found = options_service.find(case, party_id, activity, directory, today=today)
        cells.append(Cell(party_id, activity, v, money, found))
    checks = tuple(
        readiness(case, d, directory, today=today)
        for d in case.directions
        if d.status is not DirectionStatus.WITHDRAWN
    )
    return CaseAssessment(
        case.id,
        today,
        directory.source,
        directory.sample,
        tuple(cells),
        checks,
        followups(case, today=today),
    )


# --- plain JSON ----------------------------------------------------------------------------


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _reasons(reasons: tuple[Reason, ...]) -> list[dict[str, str]]:
    return [r.to_dict() for r in reasons]


def funding_to_dict(f: Funding) -> dict[str, Any]:
    return {
        "route": f.route.value if f.route else None,
        "fee_pence": f.fee_pence,
        "party_pays_pence": f.party_pays_pence,
        "payer": f.payer.value if f.payer else None,
        "who_pays": f.who_pays,
        "may_queue": f.may_queue,
        "wait_until": _date(f.wait_until),
        "funded_hours": f.funded_hours,
        "reasons": _reasons(f.reasons),
    }


def agreement_to_dict(d: Direction) -> dict[str, Any]:
    return {
        "consultation_note": d.consultation_note,
        "parties": [
            {
                "party_id": a.party_id,
                "agreed": a.agreed.value,
                "agreed_on": _date(a.agreed_on),
                "note": a.note,
            }
            for a in d.agreements
        ],
    }


def assistance_to_dict(d: Direction) -> dict[str, Any]:
    return {
        "told_on": _date(d.assistance_told_on),
        "applied_on": _date(d.assistance_applied_on),
        "decision": d.assistance_decision.value,
        "pays_confirmed_on": _date(d.pays_confirmed_on),
        "pays_confirmed_by": d.pays_confirmed_by,
    }


def options_to_list(o: Options) -> list[dict[str, Any]]:
    return [
        {
            "provider_id": option.provider.id,
            "name": option.provider.name,
            "delivery": [m.value for m in option.delivery],
            "next_available": _date(option.provider.next_available),
            "sample": option.provider.sample,
            "warnings": _reasons(option.warnings),
        }
        for option in o.ranked
    ]


def participation_to_dict(p: Participation) -> dict[str, Any]:
    return {
        "interpreter": p.interpreter.value,
        "interpreter_language": p.interpreter_language,
        "adjustments": p.adjustments,
        "separate_arrival": p.separate_arrival,
        "welsh_offer": p.welsh_offer.value,
        "welsh_offer_on": _date(p.welsh_offer_on),
    }


def monitoring_to_dict(m: Monitoring | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {
        "asked_by": m.asked_by,
        "asked_on": m.asked_on.isoformat(),
        "period_from": m.period_from.isoformat(),
        "period_to": m.period_to.isoformat(),
        "sessions": [
            {"on": s.on.isoformat(), "attendance": s.attendance.value, "source": s.source}
            for s in m.sessions
        ],
        "failures": len(m.failures),
        "report_due_on": _date(m.report_due_on),
        "reported_on": _date(m.reported_on),
    }


def override_to_dict(d: Direction) -> dict[str, Any] | None:
    o = d.court_override
    if o is None:
        return None
    return {
        "court_reason": o.reason,
        "recorded_on": o.recorded_on.isoformat(),
        "recorded_by": o.recorded_by,
        "blocking_reasons": [{"rule": b.rule_id, "text": b.text} for b in o.blocks],
    }


def to_json(case: Case, a: CaseAssessment) -> dict[str, Any]:
    """Plain JSON data of an assessment (the output of ``duty-tui assess``)."""
    directions = {d.id: d for d in case.directions}
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "case": {
            "id": case.id,
            "case_number": case.case_number,
            "jurisdiction": case.jurisdiction.value,
            "hearing_date": case.hearing.date.isoformat(),
            "court": case.court,
            "service": case.service,
            # JUR-COURT: a court or families that look like the other side of the border.
            "warnings": _reasons(jurisdiction_service.check(case)),
        },
        "today": a.today.isoformat(),
        "directory": {"source": a.directory_source, "sample": a.directory_sample},
        "parties": [
            {
                "id": p.id,
                "name": p.name,
                "role": p.role.value,
                # Children Act 1989 s11B / s11D: whom the court may require to take part.
                "habitually_resident": p.habitually_resident.value,
                "is_child": p.is_child,
                "child_is_a_parent": p.child_is_a_parent,
                # Taking part: what the provider must know (issue 11, item 9).
                "participation": participation_to_dict(p.participation),
            }
            for p in case.parties
        ],
        # Issue 11, item 5: each person's checks (PD12B, C1A) and the court's (PD12J, s16A).
        "safeguarding": safeguarding.to_json(case, a.today),
        "matrix": [
            {
                "party_id": c.party_id,
                "activity": c.activity.value,
                "status": c.verdict.status.value,
                "symbol": c.verdict.status.symbol,
                # Directed by the court against the rules' advice (COURT-OVERRIDE).
                "court_directed": c.verdict.court_directed,
                "reasons": _reasons(c.verdict.reasons),
                "funding": funding_to_dict(c.funding) if c.funding else None,
                "options": options_to_list(c.options) if c.options else None,
                "option_notes": _reasons(c.options.notes) if c.options else [],
            }
            for c in a.cells
        ],
        "directions": [
            {
                "direction_id": r.direction_id,
                "party_id": r.party_id,
                "activity": r.activity.value,
                "provider_id": r.provider.id if r.provider else None,
                # The order it comes from: s11A direction (interim only) or s11C condition.
                "directed_on": _date(directions[r.direction_id].directed_on),
                "order_type": directions[r.direction_id].order_type.value,
                "provision": directions[r.direction_id].provision.value,
                "status": r.status.value,
                "reasons": _reasons(r.reasons),
                "funding": funding_to_dict(r.funding),
                # Issue 11, items 5-7: whose answers it turns on, route (a)'s evidence, and
                # what the party was told and said about paying.
                "involves": list(safeguarding.involved(case, r.party_id, r.activity)),
                "agreement": agreement_to_dict(directions[r.direction_id]),
                "financial_assistance": assistance_to_dict(directions[r.direction_id]),
                "wording": r.wording.text,
                # In Wales the order's Welsh too (issue 12), whatever --lang says; null in
                # England. Neither follows --lang: they are the order's words.
                "wording_cy": r.wording.cy,
                # s11G: the court's request to monitor, and what it owes (see followups).
                "monitoring": monitoring_to_dict(directions[r.direction_id].monitoring),
                # Issue 13, item 10: the court directed it against the rules' advice.
                "against_rules_advice": override_to_dict(directions[r.direction_id]),
            }
            for r in a.directions
        ],
        "followups": [
            {
                "kind": f.kind.value,
                "direction_id": f.direction_id,
                "party_id": f.party_id,
                "activity": f.activity.value,
                "due": _date(f.due),
                "overdue": f.overdue,
                "text": f.text,
                "rule": f.reason.rule_id,
                "source": f.reason.source,
            }
            for f in a.followups
        ],
    }
