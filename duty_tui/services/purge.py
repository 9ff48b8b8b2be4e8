"""Keeping only what is needed: cases whose work is finished leave the laptop after a while.

A laptop in a court bag should not hold months of families' data. A case is *settled* when
everything the officer owed it has reached central records:

- every referral on it is acknowledged by central (a withdrawal included: the withdrawal itself
  acknowledged), by the outbox's word, which is the truth about a referral (services/referrals);
  nothing of the case is queued or sent and waiting for an answer; no referral is a draft the
  outbox never heard of;
- every direction the court made (live, ``directed``) has an acknowledged referral, unless the
  parties refer themselves (a contact centre they pay: nothing is queued, FundingRoute);
- every follow-up that is the officer's (services/followups.py) is done or handed to central:
  a pending financial-assistance decision is not done; attendance, the evaluation form and the
  six-month contact are handed to central once the direction's referral is acknowledged
  (central records holds the referral and the activity from then on: the six-month contact is
  made months after any court-duty laptop should hold the family's data); the PTfC trainer's
  call is the trainer's and never waits on the officer;
- nothing was changed on the case since its referrals were last sent (no referral is stale),
  and no text typed into a field waits to be made valid (a draft).

A settled case is purged on the later of its hearing and its last acknowledgement, plus the
retention period (a setting of 1 to 365 days, 30 by default): the officer has that long to look
back at a finished case. A case the store cannot read (damaged, missing, quarantined, older
than its last save) is never purged, whatever its summary says: ``duty-tui doctor`` decides
those. Everything here is pure but :func:`plan_purge` and :func:`purge` (which take the store).

Purging a case (``purge``): the audit trail says so first (no content: the case's id and
number), then ``Store.delete_case`` (tombstone in the manifest, then the file, fsynced), then
the outbox drops the payloads of the case's acknowledged referrals and the manifest is
rewritten without the case's history, so no child's name is left behind in either. A crash
anywhere leaves each case whole or gone (the store finishes a delete cut short at its next
open), and the next run finishes the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from duty_tui.i18n import N_, _
from duty_tui.services.catalogue import Effect
from duty_tui.services.followups import FollowUpKind, followups
from records.model import Case, DirectionStatus, FundingRoute
from store.outbox import ACKNOWLEDGED, PENDING, OutboxEntry

if TYPE_CHECKING:
    from duty_tui.services.audit import AuditLog
    from store import Store
    from store.outbox import Outbox

SETTINGS_TABLE = "settings"
_RETENTION_DOC = "case_retention"
# Long enough to look back at a finished case (an amendment, a question from the court), short
# enough that the laptop does not become an archive of families' data.
CASE_RETENTION_DAYS_DEFAULT = 30
CASE_RETENTION_DAYS_MIN, CASE_RETENTION_DAYS_MAX = 1, 365


class RetentionError(ValueError):
    """A retention period that cannot be used; the message is safe to show."""


def check_case_retention_days(days: object) -> int:
    if not isinstance(days, int) or isinstance(days, bool):
        raise RetentionError(_("the retention period is a whole number of days"))
    if not CASE_RETENTION_DAYS_MIN <= days <= CASE_RETENTION_DAYS_MAX:
        raise RetentionError(
            _("the retention period must be between {least} and {most} days").format(
                least=CASE_RETENTION_DAYS_MIN, most=CASE_RETENTION_DAYS_MAX
            )
        )
    return days


def load_case_retention_days(store: Any) -> int:
    """Days a settled case stays after its hearing (or last acknowledgement); the default if
    none, or an unusable one, is stored."""
    for doc in store.table(SETTINGS_TABLE).all():
        if doc.get("key") == _RETENTION_DOC:
            try:
                return check_case_retention_days(doc.get("days"))
            except RetentionError:
                break
    return CASE_RETENTION_DAYS_DEFAULT


def save_case_retention_days(store: Any, days: int) -> None:
    from tinydb import Query

    doc = {"key": _RETENTION_DOC, "days": check_case_retention_days(days)}
    store.table(SETTINGS_TABLE).upsert(doc, Query().key == _RETENTION_DOC)


# --- the rule -----------------------------------------------------------------------------------

# Why a case is kept, as the officer reads it (never the case's content). Marked here; a plan
# says them in the language of the moment it is made (keep_reasons, plan_purge).
PENDING_REFERRAL = N_("a referral is waiting for central records")
NEVER_QUEUED = N_("a referral was never queued")
NOT_REFERRED = N_("a direction the court made has no acknowledged referral")
OPEN_FOLLOW_UP = N_("a follow-up is neither done nor handed to central")
STALE = N_("changes to the case have not been sent to central")
DRAFTS = N_("text typed into a field is not saved yet")
UNREADABLE = N_("the case cannot be read (see duty-tui doctor)")
OPEN_ON_SCREEN = N_("the case is open")


def _referral_state(
    case: Case, direction_id: str, latest: Mapping[str, OutboxEntry], *, withdrawn_too: bool
) -> str | None:
    """ACKNOWLEDGED if central acknowledged a referral of the direction (a withdrawal counts
    only if ``withdrawn_too``), else "pending" if one waits for central, else None."""
    found = None
    for referral in case.referrals:
        entry = latest.get(referral.id)
        if referral.direction_id != direction_id or entry is None:
            continue
        if entry.state == ACKNOWLEDGED and (withdrawn_too or entry.action != "withdraw"):
            return ACKNOWLEDGED
        if entry.state in PENDING:
            found = "pending"
    return found


def keep_reasons(
    case: Case,
    entries: Sequence[OutboxEntry],
    *,
    today: dt.date,
    drafts: bool = False,
) -> list[str]:
    """Why ``case`` must stay on the laptop (empty: it is settled). ``entries`` are the
    outbox's entries of this case (every revision); ``drafts`` whether text typed into its
    fields waits to be made valid. Pure. The reasons are in the officer's language."""
    from duty_tui.services.referrals import stale_against

    reasons: list[str] = []
    waiting = False
    if drafts:
        reasons.append(DRAFTS)
    latest: dict[str, OutboxEntry] = {}
    for entry in entries:
        if entry.state in PENDING and not waiting:
            waiting = True
            reasons.append(PENDING_REFERRAL)
        current = latest.get(entry.referral_id)
        if current is None or entry.revision > current.revision:
            latest[entry.referral_id] = entry
    if any(referral.id not in latest for referral in case.referrals):
        reasons.append(NEVER_QUEUED)
    for direction in case.directions:
        if (
            direction.status is DirectionStatus.DIRECTED
            and direction.funding is not FundingRoute.SELF_REFERRAL
            and _referral_state(case, direction.id, latest, withdrawn_too=True) is None
        ):
            # (One waiting for central is named above.)
            reasons.append(NOT_REFERRED)
            break
    for item in followups(case, today=today):
        if item.reason.effect is not Effect.WAITING:
            continue  # someone else's step (the PTfC trainer's call)
        # A pending assistance decision is listed only while it is pending: never done.
        if item.kind is FollowUpKind.ASSISTANCE_DECISION:
            reasons.append(OPEN_FOLLOW_UP)
            break
        handed = _referral_state(case, item.direction_id, latest, withdrawn_too=False)
        if handed is None:
            reasons.append(OPEN_FOLLOW_UP)
            break
    if not waiting and stale_against(case, latest):
        reasons.append(STALE)
    return [_(reason) for reason in reasons]


def purge_on(hearing: dt.date, entries: Iterable[OutboxEntry], retention_days: int) -> dt.date:
    """When a settled case goes: its hearing or its last acknowledgement, whichever is later,
    plus the retention period."""
    start = hearing
    for entry in entries:
        if entry.acknowledged_at:
            acked = dt.datetime.fromtimestamp(entry.acknowledged_at, dt.UTC).date()
            start = max(start, acked)
    return start + dt.timedelta(days=retention_days)


# --- the plan and the purge ---------------------------------------------------------------------


@attrs.frozen
class Planned:
    """One case as the purge sees it: settled (``on`` the day it goes) or kept (why)."""

    case_id: str
    case_number: str
    hearing: dt.date
    on: dt.date | None = None
    kept: tuple[str, ...] = ()

    def due(self, today: dt.date) -> bool:
        return self.on is not None and not self.kept and self.on <= today


@attrs.frozen
class PurgePlan:
    today: dt.date
    retention_days: int
    cases: tuple[Planned, ...] = ()

    @property
    def due(self) -> list[Planned]:
        return [p for p in self.cases if p.due(self.today)]

    @property
    def later(self) -> list[Planned]:
        """Settled, going on a later day: what the duty list marks."""
        return [p for p in self.cases if p.on is not None and not p.due(self.today)]


def plan_purge(
    store: Store,
    outbox: Outbox,
    *,
    today: dt.date,
    retention_days: int | None = None,
    drafts: Collection[str] = (),
    exclude: Collection[str] = (),
    load: Callable[[str], Case] | None = None,
) -> PurgePlan:
    """Every case whose hearing day is over, settled or not (a case is never due before its
    hearing day plus at least a day). Reads the outbox once and each such case once.
    ``exclude``: cases open on screen."""
    from records.caseformat import case_from_dict
    from store import StoreError

    days = load_case_retention_days(store) if retention_days is None else retention_days
    check_case_retention_days(days)
    if load is None:

        def load(case_id: str) -> Case:
            return case_from_dict(store.load_case(case_id))

    by_case: dict[str, list[OutboxEntry]] = {}
    for entry in outbox.entries():
        by_case.setdefault(entry.case_id, []).append(entry)
    unreadable = store.unreadable_cases()
    planned: list[Planned] = []
    for case_id, summary in sorted(store.summaries().items()):
        try:
            hearing = dt.date.fromisoformat(str(summary.get("hearing_date", "")))
        except ValueError:
            continue
        if hearing >= today:
            continue  # on the hearing day the case is being worked on: never due, not marked
        number = str(summary.get("case_number", ""))
        if case_id in unreadable:
            planned.append(Planned(case_id, number, hearing, kept=(_(UNREADABLE),)))
            continue
        if case_id in exclude:
            planned.append(Planned(case_id, number, hearing, kept=(_(OPEN_ON_SCREEN),)))
            continue
        try:
            case = load(case_id)
        except (StoreError, ValueError):
            planned.append(Planned(case_id, number, hearing, kept=(_(UNREADABLE),)))
            continue
        entries = by_case.get(case_id, [])
        reasons = keep_reasons(case, entries, today=today, drafts=case_id in drafts)
        if reasons:
            planned.append(Planned(case_id, case.case_number, hearing, kept=tuple(reasons)))
        else:
            on = purge_on(case.hearing.date, entries, days)
            planned.append(Planned(case_id, case.case_number, case.hearing.date, on=on))
    return PurgePlan(today, days, tuple(planned))


def purge(store: Store, outbox: Outbox, trail: AuditLog, cases: Iterable[Planned]) -> list[str]:
    """Purge these (planned, due) cases: the audit line, the case, its referrals' payloads,
    the manifest's history. Returns the ids purged. A StoreError stops it where it is: what
    is done is done (each case whole or gone), and the next run goes on."""
    purged: list[str] = []
    already = {e.case_id for e in trail.entries() if e.action == "purged"}
    for planned in cases:
        if planned.case_id not in already:
            # First, durably: a purge the trail does not record must never happen. A crash
            # before the delete leaves the line and the case; the next run deletes it.
            trail.record("purged", case_id=planned.case_id, case_number=planned.case_number)
        store.delete_case(planned.case_id)
        purged.append(planned.case_id)
    forget_purged_content(store, outbox, purged=bool(purged))
    return purged


def forget_purged_content(store: Store, outbox: Outbox, *, purged: bool = True) -> None:
    """The payloads (children's and parties' names) of acknowledged referrals whose case the
    store no longer holds, and the manifest's records of earlier versions, leave the disk.
    Also finishes this for a purge cut short by a crash (``purged=False``: the manifest is
    rewritten only if payloads were left). Pending referrals are never touched."""
    held = set(store.summaries())
    orphans = {
        e.case_id
        for e in outbox.entries(states=[ACKNOWLEDGED])
        if e.payload is not None and e.case_id not in held
    }
    if orphans:
        outbox.forget_cases(orphans)
    if purged or orphans:
        store.compact_manifest()
