"""Funding: who pays for an activity, how much, and whether the referral may be queued now.

Money is whole pence (int), never float. The routes are those of the sources only (000_, 002_,
003_, 004_): WT4C £150 / mediation session £60, free on legal aid, with financial assistance whose
decision is due 5 working days after receipt; contact centres funded by Cafcass Cymru only by the
two routes of 002_, otherwise the parties refer themselves and pay and nothing is queued; PTfC
free when directed; CCI up to 12 funded hours.

Every text here (who pays, the reasons) is said in the officer's language at the moment it is
worked out: screens work it out again when they are drawn.
"""

from __future__ import annotations

import datetime as dt
import functools
from enum import StrEnum

import attrs
import holidays

from duty_tui.i18n import _
from duty_tui.i18n_format import format_date, format_money
from duty_tui.services.catalogue import (
    CatalogueEntry,
    Effect,
    Reason,
    activity_name,
    entry,
    reason,
)
from records.model import (
    Activity,
    Agreed,
    Answer,
    AssistanceDecision,
    Case,
    Direction,
    DirectionStatus,
    FundingRoute,
    HearingType,
    Jurisdiction,
    PartyAgreement,
    PartyRole,
)

ASSISTANCE_DECISION_WORKING_DAYS = 5  # 000_: "within 5 working days of receipt"

_SUBDIVISION = {Jurisdiction.ENGLAND: "ENG", Jurisdiction.WALES: "WLS"}


# --- working days ----------------------------------------------------------------------------


@functools.cache
def bank_holidays(jurisdiction: Jurisdiction) -> holidays.HolidayBase:
    """Bank holidays of the jurisdiction; years fill in lazily as dates are looked up."""
    return holidays.country_holidays("GB", subdiv=_SUBDIVISION[jurisdiction])


def is_working_day(day: dt.date, jurisdiction: Jurisdiction) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(jurisdiction)


def add_working_days(start: dt.date, days: int, jurisdiction: Jurisdiction) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself is day 0, whatever it is).

    Received on Friday 19/12/2025: Mon 22, Tue 23, Wed 24, (Christmas, Boxing Day, weekend),
    Mon 29, Tue 30 -> due Tuesday 30/12/2025.
    """
    if days < 0:
        raise ValueError(_("days must not be negative"))
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, jurisdiction):
            counted += 1
    return day


def assistance_decision_due(received_on: dt.date, jurisdiction: Jurisdiction) -> dt.date:
    return add_working_days(received_on, ASSISTANCE_DECISION_WORKING_DAYS, jurisdiction)


# --- the funding record ----------------------------------------------------------------------


class Payer(StrEnum):
    FREE = "free"  # no charge to the party (legal aid)
    PARTY = "party"  # the party pays the fee
    SERVICE = "service"  # Cafcass Cymru / Cafcass meets the cost
    PARTIES_DIRECT = "parties_direct"  # self-referral: the parties pay the centre direct


@attrs.frozen
class Funding:
    party_id: str
    activity: Activity
    route: FundingRoute | None  # None: not yet known (legal-aid status unanswered)
    fee_pence: int | None  # the activity's fee; None where each centre sets its own
    party_pays_pence: int | None  # what this party pays; None: not yet known / set by centre
    payer: Payer | None
    who_pays: str
    may_queue: bool  # may the referral be queued now, as far as funding goes
    wait_until: dt.date | None  # e.g. the financial-assistance decision date
    funded_hours: int | None
    reasons: tuple[Reason, ...]


def funding_for(
    case: Case,
    party_id: str,
    activity: Activity,
    direction: Direction | None = None,
    *,
    today: dt.date,
) -> Funding:
    """How ``activity`` is paid for, for this party, under ``direction`` if one is made.

    Without a direction it says how it would be paid for (to advise the court). Pure.
    """
    e = entry(activity)
    if FundingRoute.LEGAL_AID in e.funding_routes:
        return _fee(case, party_id, e, direction, today)
    if FundingRoute.SERVICE_FUNDED in e.funding_routes:
        return _service(case, party_id, e, direction)
    return _contact(case, party_id, e, direction)


def _make(
    party_id: str,
    e: CatalogueEntry,
    route: FundingRoute | None,
    pays: int | None,
    payer: Payer | None,
    who: str,
    may_queue: bool,
    reasons: list[Reason],
    wait_until: dt.date | None = None,
) -> Funding:
    return Funding(
        party_id,
        e.activity,
        route,
        e.fee_pence,
        pays,
        payer,
        who,
        may_queue,
        wait_until,
        e.funded_hours,
        tuple(reasons),
    )


def _fee(
    case: Case, party_id: str, e: CatalogueEntry, d: Direction | None, today: dt.date
) -> Funding:
    party = case.party(party_id)
    fee = e.fee_pence or 0
    fee_rule = e.fee_rule or "FEE-WT4C"
    price = format_money(fee)
    reasons: list[Reason] = []
    if d is not None and d.funding is FundingRoute.LEGAL_AID and party.legal_aid is not Answer.YES:
        reasons.append(
            reason(
                fee_rule,
                _("the direction records legal aid, but the party's legal aid is no")
                if party.legal_aid is Answer.NO
                else _(
                    "the direction records legal aid, but the party's legal aid is not yet known"
                ),
                Effect.WARNING,
            )
        )
    received = d.assistance_applied_on if d is not None else None
    if received is not None and received > today:
        received = None  # dated after today: not yet received as of today

    if party.legal_aid is Answer.YES:
        reasons.append(
            reason(
                fee_rule,
                _("receiving legal aid: free (fee {price})").format(price=price),
                Effect.MET,
            )
        )
        return _make(
            party_id,
            e,
            FundingRoute.LEGAL_AID,
            0,
            Payer.FREE,
            _("free: the party receives legal aid"),
            True,
            reasons,
        )
    if d is not None and received is not None:
        due = assistance_decision_due(received, case.jurisdiction)
        if d.assistance_decision is AssistanceDecision.GRANTED:
            reasons.append(
                reason(
                    "FA-DECISION",
                    _("financial assistance granted: the referral is made"),
                    Effect.MET,
                )
            )
            return _make(
                party_id,
                e,
                FundingRoute.FINANCIAL_ASSISTANCE,
                0,
                Payer.SERVICE,
                _("{service} meets the cost (financial assistance)").format(service=case.service),
                True,
                reasons,
            )
        if d.assistance_decision is AssistanceDecision.REFUSED:
            confirmed = d.pays_confirmed_on
            if confirmed is None or confirmed > today:
                # 000_ says only "if successful a referral will be made": after a refusal the
                # referral waits until the party says they will pay (issue 11, item 7).
                reasons.append(
                    reason(
                        "FA-REFUSED-PAYS",
                        _(
                            "financial assistance refused: the referral waits until {name} "
                            "confirms they will pay {price} (recorded by the officer)"
                        ).format(name=party.name, price=price),
                        Effect.WAITING,
                    )
                )
                return _make(
                    party_id,
                    e,
                    FundingRoute.PAID,
                    fee,
                    Payer.PARTY,
                    _("the party pays {price}, once they confirm it").format(price=price),
                    False,
                    reasons,
                )
            reasons.append(
                reason(
                    "FA-REFUSED-PAYS",
                    _(
                        "financial assistance refused; {name} confirmed on {date} they will pay "
                        "{price} (recorded by {officer})"
                    ).format(
                        name=party.name,
                        date=format_date(confirmed),
                        price=price,
                        officer=d.pays_confirmed_by,
                    ),
                    Effect.MET,
                )
            )
            return _make(
                party_id,
                e,
                FundingRoute.PAID,
                fee,
                Payer.PARTY,
                _("the party pays {price}").format(price=price),
                True,
                reasons,
            )
        reasons.append(
            reason(
                "FA-DECISION",
                _(
                    "financial assistance applied for, received {received}: the referral waits "
                    "for the decision, due by {due}"
                ).format(received=format_date(received), due=format_date(due)),
                Effect.WAITING,
            )
        )
        reasons.append(
            reason(
                "WORKING-DAYS",
                (
                    _("{days} working days in Wales, weekends and bank holidays skipped")
                    if case.jurisdiction is Jurisdiction.WALES
                    else _("{days} working days in England, weekends and bank holidays skipped")
                ).format(days=ASSISTANCE_DECISION_WORKING_DAYS),
                Effect.INFO,
            )
        )
        if today > due:
            reasons.append(
                reason(
                    "FA-DECISION",
                    _("the decision was due by {date} and is not recorded").format(
                        date=format_date(due)
                    ),
                    Effect.WARNING,
                )
            )
        return _make(
            party_id,
            e,
            FundingRoute.FINANCIAL_ASSISTANCE,
            None,
            None,
            _("not yet known: waiting for the financial-assistance decision"),
            False,
            reasons,
            wait_until=due,
        )
    if d is not None and d.funding is FundingRoute.FINANCIAL_ASSISTANCE:
        reasons.append(
            reason(
                "FA-DECISION",
                _(
                    "financial assistance chosen, but no application received yet: the 5 "
                    "working days run from receipt"
                ),
                Effect.WAITING,
            )
        )
        return _make(
            party_id,
            e,
            FundingRoute.FINANCIAL_ASSISTANCE,
            None,
            None,
            _("not yet known: waiting for the financial-assistance application"),
            False,
            reasons,
        )
    if party.legal_aid is Answer.NO or (d is not None and d.funding is FundingRoute.PAID):
        reasons.append(_told(d, party.name, today))
        reasons.append(
            reason(
                fee_rule,
                _(
                    "not receiving legal aid: the party pays {price}; financial assistance can "
                    "be applied for if paying would cause hardship"
                ).format(price=price),
                Effect.MET,
            )
        )
        return _make(
            party_id,
            e,
            FundingRoute.PAID,
            fee,
            Payer.PARTY,
            _("the party pays {price}").format(price=price),
            True,
            reasons,
        )
    reasons.append(
        reason(
            "LEGAL-AID-UNKNOWN",
            _(
                "legal aid not yet known: free on legal aid, otherwise {price} or financial "
                "assistance"
            ).format(price=price),
            Effect.UNKNOWN,
        )
    )
    return _make(
        party_id,
        e,
        None,
        None,
        None,
        _("not yet known: legal aid not yet known"),
        False,
        reasons,
    )


def _told(d: Direction | None, name: str, today: dt.date) -> Reason:
    """Issue 11, item 7: a party who pays is told that financial assistance exists (000_: "it
    is possible to apply"). Not recorded is a warning: the officer should tell them."""
    told = d.assistance_told_on if d is not None else None
    if told is None or told > today:
        return reason(
            "FA-TOLD",
            _(
                "not recorded that {name} was told financial assistance can be applied for if "
                "paying would cause hardship"
            ).format(name=name),
            Effect.WARNING,
        )
    return reason(
        "FA-TOLD",
        _("{name} was told of financial assistance on {date}").format(
            name=name, date=format_date(told)
        ),
        Effect.MET,
    )


def _service(case: Case, party_id: str, e: CatalogueEntry, d: Direction | None) -> Funding:
    rule_id = e.fee_rule or "PTFC-FREE"
    reasons: list[Reason] = []
    what = (
        _("funded by {service} for up to {hours} hours").format(
            service=case.service, hours=e.funded_hours
        )
        if e.funded_hours
        else _("free when directed by the court or referred by {service}").format(
            service=case.service
        )
    )
    reasons.append(reason(rule_id, what, Effect.MET))
    if e.funded_hours and d is not None:
        # Child contact intervention article: "funding ... can be up to 12 hours". Hours beyond
        # that have no funder the sources name, so the referral is not made for them.
        if d.hours_directed is None:
            reasons.append(
                reason(rule_id, _("the hours directed are not recorded yet"), Effect.WARNING)
            )
        elif d.hours_directed > e.funded_hours:
            reasons.append(
                reason(
                    rule_id,
                    _("{hours} hours directed: beyond the {funded} hours {service} funds").format(
                        hours=d.hours_directed, funded=e.funded_hours, service=case.service
                    ),
                    Effect.BLOCKS,
                )
            )
        else:
            reasons.append(
                reason(
                    rule_id,
                    _("{hours} hours directed, within the {funded} funded").format(
                        hours=d.hours_directed, funded=e.funded_hours
                    ),
                    Effect.MET,
                )
            )
    if d is not None and d.funding not in (None, FundingRoute.SERVICE_FUNDED):
        reasons.append(
            reason(
                rule_id,
                (
                    _("the direction records {route}, which does not apply: {activity} is {what}")
                    if e.self_referral
                    else _(
                        "the direction records {route}, which does not apply: {activity} is "
                        "{what}; no self-referral"
                    )
                ).format(route=d.funding.value, activity=activity_name(e.activity), what=what),
                Effect.WARNING,
            )
        )
    return _make(
        party_id,
        e,
        FundingRoute.SERVICE_FUNDED,
        0,
        Payer.SERVICE,
        _("{service} ({what})").format(service=case.service, what=what),
        not any(r.effect is Effect.BLOCKS for r in reasons),
        reasons,
    )


def _contact(case: Case, party_id: str, e: CatalogueEntry, d: Direction | None) -> Funding:
    self_who = _("the parties refer themselves to the centre and pay its charges")
    if case.jurisdiction is not Jurisdiction.WALES:
        reasons = [
            reason(
                "CONTACT-ENGLAND",
                _("no {service} funding route for {activity} in the sources: {who}").format(
                    service=case.service, activity=activity_name(e.activity).lower(), who=self_who
                ),
                Effect.INFO,
            )
        ]
        return _make(
            party_id,
            e,
            FundingRoute.SELF_REFERRAL,
            None,
            Payer.PARTIES_DIRECT,
            self_who,
            False,
            reasons,
        )
    claimed = d.funding if d is not None else None
    reasons = []
    if claimed is FundingRoute.REPORT_OR_INVOLVEMENT:
        reasons.append(
            reason(
                "CONTACT-FUND-B",
                _(
                    "recorded as part of an FCA/FCSW report recommendation and/or active "
                    "Cafcass Cymru involvement"
                ),
                Effect.MET,
            )
        )
        return _make(
            party_id,
            e,
            FundingRoute.REPORT_OR_INVOLVEMENT,
            0,
            Payer.SERVICE,
            _("{service} funds the contact").format(service=case.service),
            True,
            reasons,
        )
    if claimed is FundingRoute.FHDRA_AGREED and d is not None:
        refused, missing = route_a_evidence(case, d)
        if not refused and not missing:
            reasons.append(
                reason(
                    "CONTACT-FUND-A",
                    _(
                        "ordered at the FHDRA after consulting the officer on duty ({note}), and "
                        "agreed by {agreements}"
                    ).format(
                        note=_short(d.consultation_note),
                        agreements="; ".join(
                            _agreed_text(case, a) for a in _principal_agreements(case, d)
                        ),
                    ),
                    Effect.MET,
                )
            )
            return _make(
                party_id,
                e,
                FundingRoute.FHDRA_AGREED,
                0,
                Payer.SERVICE,
                _("{service} funds the contact").format(service=case.service),
                True,
                reasons,
            )
        if not refused:
            # Evidence still to record, or the order still to come: route (a) waits for it;
            # "not asked" is never read as "no", nor as "yes".
            reasons.append(
                reason(
                    "CONTACT-FUND-A",
                    _("route (a) waits for: {missing}").format(missing="; ".join(missing)),
                    Effect.WAITING,
                )
            )
            return _make(
                party_id,
                e,
                FundingRoute.FHDRA_AGREED,
                0,
                Payer.SERVICE,
                _("{service} funds the contact once route (a) is met").format(service=case.service),
                False,
                reasons,
            )
        reasons.append(
            reason(
                "CONTACT-FUND-A",
                _("route (a) does not apply: {why}").format(why="; ".join(refused)),
                Effect.INFO,
            )
        )
    else:
        reasons.append(
            reason(
                "CONTACT-FUND-A",
                _(
                    "Cafcass Cymru funds it only if ordered at the FHDRA with both parties' "
                    "agreement (route a) or as part of a report recommendation / active "
                    "involvement (route b)"
                ),
                Effect.INFO,
            )
        )
    reasons.append(
        reason(
            "CONTACT-SELF",
            _("self-referral: {who}; nothing is queued").format(who=self_who),
            Effect.INFO,
        )
    )
    return _make(
        party_id,
        e,
        FundingRoute.SELF_REFERRAL,
        None,
        Payer.PARTIES_DIRECT,
        self_who,
        False,
        reasons,
    )


def _principal_agreements(case: Case, d: Direction) -> list[PartyAgreement]:
    """The applicant's and respondent's agreements ("both parties", Welsh Government ATISN
    16942), "not asked" for anyone not yet recorded."""
    principal = (PartyRole.APPLICANT, PartyRole.RESPONDENT)
    return [d.agreement_of(p.id) for p in case.parties if p.role in principal]


def _agreed_text(case: Case, a: PartyAgreement) -> str:
    name = case.party(a.party_id).name
    if a.agreed_on is None:
        return name
    return _("{name} on {date}").format(name=name, date=format_date(a.agreed_on))


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def route_a_evidence(case: Case, d: Direction) -> tuple[list[str], list[str]]:
    """Route (a): "court ordered at a First Hearing Dispute Resolution Appointment (FHDRA)
    after consultation with the ... FCA or FCSW on court duty and agreed with both parties"
    (Welsh Government ATISN 16942). Returns (why it cannot apply, what is still to record).

    The order's date is the officer's to enter, never assumed from the hearing (issue 11,
    item 6); each party's agreement is asked of them and dated; the consultation is the
    officer's note of it.
    """
    refused: list[str] = []
    missing: list[str] = []
    if case.hearing.type is not HearingType.FHDRA:
        refused.append(_("the hearing is not an FHDRA"))
    if d.status is not DirectionStatus.DIRECTED:
        missing.append(_("the court's order (not yet ordered)"))
    elif d.directed_on is None:
        missing.append(_("the date the court made the order (enter it: it is never assumed)"))
    elif d.directed_on != case.hearing.date:
        refused.append(
            _("ordered on {date}, not at the FHDRA of {hearing}").format(
                date=format_date(d.directed_on), hearing=format_date(case.hearing.date)
            )
        )
    agreements = _principal_agreements(case, d)
    if len(agreements) < 2:
        missing.append(_("both parties: the case has no applicant and respondent to agree"))
    for a in agreements:
        name = case.party(a.party_id).name
        if a.agreed is Agreed.NO:
            refused.append(_("{name} did not agree").format(name=name))
        elif a.agreed is Agreed.NOT_ASKED:
            missing.append(_("{name}'s agreement (not asked)").format(name=name))
        elif a.agreed_on is None:
            missing.append(_("the date {name} agreed").format(name=name))
    if not d.consultation_note:
        missing.append(_("the officer's note of the court's consultation on duty"))
    return refused, missing
