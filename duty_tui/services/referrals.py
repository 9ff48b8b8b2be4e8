"""Queueing, amending and withdrawing referrals: the outbox first, then the case. No Textual.

The outbox is the truth about a referral's state. Every change goes to the outbox first and
only then to the case record, and the case record's ``Referral`` is only ever copied from the
outbox, so a case never claims more than the outbox knows (a crash in between leaves the case
behind, never ahead).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from records import caseformat
from records.model import (
    Case,
    Direction,
    DirectionStatus,
    Referral,
    ReferralState,
)
from records.payload import (
    PayloadError,
    build_payload,
    payload_to_dict,
)
from records.text import clean_text
from store.errors import StoreError
from store.outbox import (
    ACKNOWLEDGED,
    REJECTED,
    Outbox,
    OutboxEntry,
)

# --- queueing (outbox first, then the case) -----------------------------------------------------


def _find_direction(case: Case, direction_id: str) -> Direction:
    for direction in case.directions:
        if direction.id == direction_id:
            return direction
    raise PayloadError(["no such direction in this case"])


def _find_referral(case: Case, referral_id: str) -> Referral:
    for referral in case.referrals:
        if referral.id == referral_id:
            return referral
    raise PayloadError(["no such referral in this case"])


def _with_referral(case: Case, referral: Referral) -> Case:
    referrals = [r for r in case.referrals if r.id != referral.id]
    position = next((i for i, r in enumerate(case.referrals) if r.id == referral.id), None)
    referrals.insert(len(referrals) if position is None else position, referral)
    return attrs.evolve(case, referrals=tuple(referrals))


def referral_view(referral: Referral, latest: OutboxEntry | None) -> Referral:
    """The case's Referral as the outbox knows it: state, revision, receipt, reason."""
    if latest is None:
        # Never queued (or the outbox never heard of it): a draft, whatever the case said.
        return attrs.evolve(referral, state=ReferralState.DRAFT, receipt="", reason="")
    reason = latest.reason
    if latest.action == "withdraw":
        reason = f"withdrawn: {latest.note}" if latest.note else "withdrawn"
    return attrs.evolve(
        referral,
        state=ReferralState(latest.state),
        revision=latest.revision,
        receipt=latest.receipt if latest.state == ACKNOWLEDGED else "",
        reason=reason[:2000],
    )


def reconcile_case(case: Case, outbox: Outbox) -> Case:
    return reconciled_against(case, outbox.latest_by_referral(case.id))


def reconciled_against(case: Case, latest: Mapping[str, OutboxEntry]) -> Case:
    """``case`` with its Referral records as ``latest`` (referral id -> the outbox's latest
    entry) has them; the same object if nothing differs. Pure: safe in any thread."""
    referrals = tuple(referral_view(r, latest.get(r.id)) for r in case.referrals)
    return case if referrals == case.referrals else attrs.evolve(case, referrals=referrals)


def latest_by_case(outbox: Outbox) -> dict[str, dict[str, OutboxEntry]]:
    """case id -> referral id -> latest entry, from one pass over the outbox: reconciling K
    cases must not walk the whole outbox K times (that was minutes at 10,000 entries)."""
    index: dict[str, dict[str, OutboxEntry]] = {}
    for entry in outbox.entries():
        per_case = index.setdefault(entry.case_id, {})
        current = per_case.get(entry.referral_id)
        if current is None or entry.revision > current.revision:
            per_case[entry.referral_id] = entry
    return index


def reconciled_cases(
    cases: Any, outbox: Outbox, case_ids: Iterable[str] | None = None
) -> list[Case]:
    """The cases (default: every case with outbox entries) whose Referral records differ from
    the outbox, brought in line, not saved: the heavy part, safe off the event loop."""
    index = latest_by_case(outbox)
    wanted = set(case_ids) if case_ids is not None else set(index)
    changed: list[Case] = []
    for case_id in sorted(wanted):
        try:
            case = cases.get(case_id)
        except (StoreError, caseformat.CaseFormatError):
            continue  # a deleted or unreadable case has no view to fix
        updated = reconciled_against(case, index.get(case_id, {}))
        if updated is not case:
            changed.append(updated)
    return changed


def reconcile_cases(cases: Any, outbox: Outbox, case_ids: Iterable[str] | None = None) -> list[str]:
    """Bring the Referral records of these cases (default: every case with outbox entries)
    in line with the outbox; saves only cases that changed, in one durable step (a sync pass
    can change a thousand cases: one save each was 17 ms a case). Returns their ids."""
    changed = reconciled_cases(cases, outbox, case_ids)
    if changed:
        cases.save_many(changed)
    return [case.id for case in changed]


_WATERMARK_DOC = "reconciled_outbox"


def reconcile_all_if_changed(store: Any, cases: Any, outbox: Outbox) -> list[str]:
    """Reconcile every case the outbox knows, unless the outbox has not changed since the
    last complete reconcile (a durable watermark in the encrypted settings). A sync with
    nothing to send then opens no case at all, at 10 or 10,000 acknowledged entries. The
    watermark is written only after every save, so a run killed midway reconciles again."""
    from tinydb import Query

    version = list(outbox.version())
    table = store.table("settings")
    for doc in table.all():
        if doc.get("key") == _WATERMARK_DOC and doc.get("version") == version:
            return []
    changed = reconcile_cases(cases, outbox)
    table.upsert({"key": _WATERMARK_DOC, "version": version}, Query().key == _WATERMARK_DOC)
    return changed


def queue_referral(cases: Any, outbox: Outbox, case_id: str, direction_id: str) -> Case:
    """Queue the referral for a direction the court made: freeze its payload in the outbox
    (durable), then record it on the case. Returns the saved case.

    If the direction's referral is already queued this is an amendment (a new revision only
    if something changed). PayloadError (with problems to show) if it cannot be referred yet.
    """
    case = cases.get(case_id)
    direction = _find_direction(case, direction_id)
    if direction.status is not DirectionStatus.DIRECTED:
        raise PayloadError(["the court has not made this direction (it is not 'directed')"])
    if not direction.provider_id:
        raise PayloadError(["choose a provider before queueing the referral"])
    existing: Referral | None = None
    for candidate in case.referrals:
        if candidate.direction_id != direction.id or candidate.party_id != direction.party_id:
            continue
        latest = outbox.latest(candidate.id)
        if latest is not None and (latest.state == REJECTED or latest.action == "withdraw"):
            # Closed for good (central takes no new revision of it): it stays on the case as
            # history, and the officer's fixed referral goes out as a new one, never a dead end.
            continue
        existing = candidate
    if existing is not None and outbox.latest(existing.id) is not None:
        return amend_referral(cases, outbox, case_id, existing.id)
    referral = existing or Referral(
        direction_id=direction.id,
        party_id=direction.party_id,
        activity=direction.activity,
        provider_id=direction.provider_id,
    )
    referral = attrs.evolve(
        referral, activity=direction.activity, provider_id=direction.provider_id
    )
    payload = build_payload(case, direction, referral)
    entry = outbox.enqueue(referral.id, 1, case_id=case.id, payload=payload_to_dict(payload))
    case = _with_referral(case, referral_view(referral, entry))
    # The closed referral this one replaces shows its outcome (and reason) beside it.
    case = reconcile_case(case, outbox)
    cases.save(case)
    return case


def amend_referral(cases: Any, outbox: Outbox, case_id: str, referral_id: str) -> Case:
    """Queue a new revision of a queued referral from the case as it stands now (nothing if
    the payload is unchanged). A withdrawn or rejected referral cannot be amended."""
    case = cases.get(case_id)
    referral = _find_referral(case, referral_id)
    latest = outbox.latest(referral_id)
    if latest is None:
        raise PayloadError(["the referral has not been queued yet"])
    if latest.action == "withdraw":
        raise PayloadError(["the referral was withdrawn; queue the direction again for a new one"])
    if latest.state == REJECTED:
        raise PayloadError(
            [
                f"central rejected the referral ({latest.reason}); "
                "queue the direction again for a new one"
            ]
        )
    direction = _find_direction(case, referral.direction_id)
    referral = attrs.evolve(referral, provider_id=direction.provider_id or referral.provider_id)
    payload = payload_to_dict(build_payload(case, direction, referral))
    if payload != latest.payload:
        latest = outbox.enqueue(
            referral_id,
            latest.revision + 1,
            case_id=case.id,
            payload=payload,
            supersedes=latest.revision,
        )
    case = _with_referral(case, referral_view(referral, latest))
    cases.save(case)
    return case


def withdraw_referral(
    cases: Any, outbox: Outbox, case_id: str, referral_id: str, reason: str
) -> Case:
    """Withdraw a referral: a new revision saying so (central keeps the history). A draft
    that was never queued is simply removed from the case."""
    note = clean_text(reason, field="reason", max_length=2000, multiline=True)
    if not note:
        raise PayloadError(["say why the referral is withdrawn"])
    case = cases.get(case_id)
    referral = _find_referral(case, referral_id)
    latest = outbox.latest(referral_id)
    if latest is None:
        case = attrs.evolve(case, referrals=tuple(r for r in case.referrals if r.id != referral_id))
        cases.save(case)
        return case
    if latest.state == REJECTED:
        raise PayloadError(["central rejected the referral: there is nothing to withdraw"])
    if latest.action != "withdraw":
        payload = latest.payload
        if payload is None:  # compacted: the case still has what it was built from
            direction = _find_direction(case, referral.direction_id)
            payload = payload_to_dict(build_payload(case, direction, referral))
        latest = outbox.enqueue(
            referral_id,
            latest.revision + 1,
            case_id=case.id,
            payload=payload,
            action="withdraw",
            note=note,
            supersedes=latest.revision,
        )
    case = _with_referral(case, referral_view(referral, latest))
    cases.save(case)
    return case


def stale_referrals(case: Case, outbox: Outbox) -> list[str]:
    """Queued referrals whose payload, rebuilt from the case now, differs from the last one
    queued: the screen can offer to amend them."""
    return stale_against(case, outbox.latest_by_referral(case.id))


def stale_against(case: Case, latest: Mapping[str, OutboxEntry]) -> list[str]:
    """As stale_referrals, given the outbox's latest entry per referral (read once and kept
    by a screen that asks after every edit: reading the outbox is a decrypt from disk)."""
    stale: list[str] = []
    for referral in case.referrals:
        entry = latest.get(referral.id)
        if entry is None or entry.action == "withdraw" or entry.state == REJECTED:
            continue
        try:
            direction = _find_direction(case, referral.direction_id)
            payload = payload_to_dict(build_payload(case, direction, referral))
        except PayloadError:
            stale.append(referral.id)
            continue
        if entry.payload is not None and payload != entry.payload:
            stale.append(referral.id)
    return stale
