"""Queueing from a case: outbox first, case second; the case never claims more than the outbox."""

from __future__ import annotations

import attrs
import pytest

from duty_tui.services.referrals import (
    amend_referral,
    queue_referral,
    reconcile_all_if_changed,
    reconcile_case,
    reconcile_cases,
    stale_referrals,
    withdraw_referral,
)
from records.model import DirectionStatus, FundingRoute, ReferralState
from records.payload import PayloadError, payload_from_dict
from store.cases import CaseRepository
from store.outbox import Acknowledged, Rejected
from tests.sync.helpers import case_with_directions


@pytest.fixture
def cases(store) -> CaseRepository:
    repository = CaseRepository(store)
    repository.save(case_with_directions(2))
    return repository


def test_queueing_freezes_the_payload_and_records_the_referral(cases, outbox):
    case = queue_referral(cases, outbox, "case-1", "dir-0")
    [referral] = case.referrals
    assert (referral.state, referral.revision, referral.receipt) == (ReferralState.QUEUED, 1, "")
    assert cases.get("case-1") == case
    entry = outbox.latest(referral.id)
    assert entry.case_id == "case-1" and entry.state == "queued"
    payload = payload_from_dict(entry.payload)
    assert payload.case_number == case.case_number and payload.provider_id == "sample-wt4c-cardiff"
    assert payload.party.name == case.parties[0].name
    # Queueing it again changes nothing: same referral, no new revision.
    again = queue_referral(cases, outbox, "case-1", "dir-0")
    assert again.referrals == case.referrals and len(outbox.entries()) == 1


def test_what_cannot_be_queued(cases, outbox):
    case = cases.get("case-1")
    proposed = attrs.evolve(case.directions[1], status=DirectionStatus.PROPOSED)
    self_referral = attrs.evolve(case.directions[0], funding=FundingRoute.SELF_REFERRAL)
    cases.save(attrs.evolve(case, directions=(self_referral, proposed)))
    with pytest.raises(PayloadError, match="not made this direction"):
        queue_referral(cases, outbox, "case-1", "dir-1")
    with pytest.raises(PayloadError, match="self-referral"):
        queue_referral(cases, outbox, "case-1", "dir-0")
    with pytest.raises(PayloadError):
        queue_referral(cases, outbox, "case-1", "no-such-direction")
    assert outbox.entries() == [] and cases.get("case-1").referrals == ()


def test_amendment_is_a_new_revision_only_when_something_changed(cases, outbox):
    referral_id = queue_referral(cases, outbox, "case-1", "dir-0").referrals[0].id
    assert amend_referral(cases, outbox, "case-1", referral_id).referrals[0].revision == 1
    case = cases.get("case-1")
    moved = attrs.evolve(case.parties[0], phone="07700 900999")
    cases.save(attrs.evolve(case, parties=(moved, *case.parties[1:])))
    assert stale_referrals(cases.get("case-1"), outbox) == [referral_id]
    amended = amend_referral(cases, outbox, "case-1", referral_id)
    assert amended.referrals[0].revision == 2 and amended.referrals[0].state == "queued"
    latest = outbox.latest(referral_id)
    assert (latest.revision, latest.supersedes) == (2, 1)
    assert latest.payload["party"]["phone"] == "07700 900999"
    assert outbox.get(referral_id, 1).payload["party"]["phone"] != "07700 900999"  # frozen
    assert stale_referrals(amended, outbox) == []


def test_withdrawal_is_a_revision_and_closes_the_referral(cases, outbox):
    referral_id = queue_referral(cases, outbox, "case-1", "dir-0").referrals[0].id
    with pytest.raises(PayloadError, match="why"):
        withdraw_referral(cases, outbox, "case-1", referral_id, "  ")
    case = withdraw_referral(cases, outbox, "case-1", referral_id, "Parties agreed")
    assert (
        case.referrals[0].revision == 2 and case.referrals[0].reason == "withdrawn: Parties agreed"
    )
    latest = outbox.latest(referral_id)
    assert (latest.action, latest.note) == ("withdraw", "Parties agreed")
    with pytest.raises(PayloadError, match="withdrawn"):
        amend_referral(cases, outbox, "case-1", referral_id)
    # Withdrawing twice is once.
    withdraw_referral(cases, outbox, "case-1", referral_id, "Parties agreed")
    assert len(outbox.entries()) == 2


def test_the_case_view_follows_the_outbox_never_ahead(cases, outbox):
    referral_id = queue_referral(cases, outbox, "case-1", "dir-0").referrals[0].id
    other_id = queue_referral(cases, outbox, "case-1", "dir-1").referrals[1].id
    outbox.mark_sent([(referral_id, 1), (other_id, 1)])
    outbox.record([Acknowledged((referral_id, 1), "CR-7"), Rejected((other_id, 1), "409: x")])
    assert cases.get("case-1").referrals[0].state == "queued"  # behind, not ahead
    assert reconcile_cases(cases, outbox) == ["case-1"]
    first, second = cases.get("case-1").referrals
    assert (first.state, first.receipt) == ("acknowledged", "CR-7")
    assert (second.state, second.reason) == ("rejected", "409: x")
    assert reconcile_cases(cases, outbox) == []  # nothing left to change
    # A case that claims a state the outbox never heard of is brought back to draft.
    case = cases.get("case-1")
    ghost = attrs.evolve(case.referrals[0], id="ghost", state=ReferralState.ACKNOWLEDGED)
    claimed = attrs.evolve(case, referrals=(*case.referrals, ghost))
    assert reconcile_case(claimed, outbox).referrals[-1].state == ReferralState.DRAFT


def test_the_cli_reconcile_opens_no_case_while_the_outbox_is_unchanged(store, cases, outbox):
    referral_id = queue_referral(cases, outbox, "case-1", "dir-0").referrals[0].id
    outbox.mark_sent([(referral_id, 1)])
    outbox.record([Acknowledged((referral_id, 1), "CR-7")])
    assert reconcile_all_if_changed(store, cases, outbox) == ["case-1"]
    opened: list[str] = []
    real_get = cases.get

    def counting_get(case_id: str):
        opened.append(case_id)
        return real_get(case_id)

    cases.get = counting_get  # type: ignore[method-assign]
    assert reconcile_all_if_changed(store, cases, outbox) == []
    assert opened == []  # the watermark matched: nothing decrypted
    # Any outbox write moves the watermark, so the next run reconciles again (as after a run
    # killed between its outbox writes and its case saves).
    outbox.set_central_status({(referral_id, 1): "accepted"})
    reconcile_all_if_changed(store, cases, outbox)
    assert opened == ["case-1"]
    assert cases.get("case-1").referrals[0].receipt == "CR-7"


def test_a_draft_never_queued_is_just_removed(cases, outbox):
    from records.model import Referral

    case = cases.get("case-1")
    direction = case.directions[0]
    draft = Referral(
        direction_id=direction.id,
        party_id=direction.party_id,
        activity=direction.activity,
        provider_id=direction.provider_id,
    )
    cases.save(attrs.evolve(case, referrals=(draft,)))
    assert withdraw_referral(cases, outbox, "case-1", draft.id, "not needed").referrals == ()
    assert outbox.entries() == []


def test_a_rejected_referral_is_requeued_as_a_new_one_after_the_fix(cases, outbox):
    """Issue 14 (2): queueing a direction whose referral central rejected used to dead-end
    ("make a new one", and none could be made). Now it queues a new referral; the rejected
    one stays on the case as history with its reason."""
    old_id = queue_referral(cases, outbox, "case-1", "dir-0").referrals[0].id
    outbox.mark_sent([(old_id, 1)])
    outbox.record([Rejected((old_id, 1), "422: the party's postcode is not valid")])
    with pytest.raises(PayloadError, match="queue the direction again"):
        amend_referral(cases, outbox, "case-1", old_id)
    case = queue_referral(cases, outbox, "case-1", "dir-0")
    by_id = {r.id: r for r in case.referrals}
    assert old_id in by_id and by_id[old_id].state is ReferralState.REJECTED
    assert "postcode" in by_id[old_id].reason
    [new_id] = [r for r in by_id if r != old_id]
    assert by_id[new_id].state is ReferralState.QUEUED and by_id[new_id].direction_id == "dir-0"
    assert outbox.latest(new_id).revision == 1
    # Queueing again is an amendment of the new referral (nothing changed: no new entry),
    # never a third referral.
    again = queue_referral(cases, outbox, "case-1", "dir-0")
    assert [r.id for r in again.referrals] == [r.id for r in case.referrals]
    assert len(outbox.entries()) == 2


def test_a_withdrawn_referral_can_be_referred_again_as_a_new_one(cases, outbox):
    old_id = queue_referral(cases, outbox, "case-1", "dir-0").referrals[0].id
    withdraw_referral(cases, outbox, "case-1", old_id, "Parties agreed")
    case = queue_referral(cases, outbox, "case-1", "dir-0")
    assert len({r.id for r in case.referrals}) == 2
    new = next(r for r in case.referrals if r.id != old_id)
    assert new.state is ReferralState.QUEUED and outbox.latest(new.id).action == "refer"
