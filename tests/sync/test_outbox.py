"""The outbox over the real encrypted store: states, freezing, durability, what the UI reads."""

from __future__ import annotations

import pytest

from store import Store
from store.outbox import (
    Acknowledged,
    NewEntry,
    Outbox,
    OutboxError,
    Rejected,
    Retry,
)
from tests.sync.helpers import PASSPHRASE, sample_payload


def test_queued_sent_acknowledged(outbox: Outbox):
    entry = outbox.enqueue("ref-1", 1, case_id="case-1", payload=sample_payload())
    assert (entry.state, entry.attempts, entry.receipt) == ("queued", 0, "")
    assert outbox.pending_count() == 1
    outbox.mark_sent([entry.key])
    assert outbox.get("ref-1", 1).state == "sent"
    outbox.record([Acknowledged(entry.key, "CR-1", "received")])
    done = outbox.get("ref-1", 1)
    assert (done.state, done.receipt, done.central_status) == ("acknowledged", "CR-1", "received")
    assert outbox.pending_count() == 0
    assert outbox.counts_by_case() == {}


def test_rejected_is_terminal_with_its_reason(outbox: Outbox):
    entry = outbox.enqueue("ref-1", 1, case_id="case-1", payload=sample_payload())
    outbox.mark_sent([entry.key])
    outbox.record([Rejected(entry.key, "422: postcode: not a postcode")])
    assert outbox.get("ref-1", 1).reason == "422: postcode: not a postcode"
    with pytest.raises(OutboxError):
        outbox.mark_sent([entry.key])
    # A late acknowledgement (a duplicated answer) changes nothing.
    outbox.record([Acknowledged(entry.key, "CR-1")])
    assert outbox.get("ref-1", 1).state == "rejected"
    assert outbox.counts_by_case() == {"case-1": 1}
    assert [line.event for line in outbox.log()][:1] == ["rejected"]


def test_acknowledged_needs_sent_first(outbox: Outbox):
    entry = outbox.enqueue("ref-1", 1, case_id="case-1", payload=sample_payload())
    with pytest.raises(OutboxError):
        outbox.record([Acknowledged(entry.key, "CR-1")])
    assert outbox.get("ref-1", 1).state == "queued"


def test_retry_backs_off_per_entry(outbox: Outbox):
    a = outbox.enqueue("ref-a", 1, case_id="c", payload=sample_payload())
    b = outbox.enqueue("ref-b", 1, case_id="c", payload=sample_payload())
    outbox.mark_sent([a.key, b.key])
    outbox.record([Retry(a.key, 10**12, "central unreachable"), Acknowledged(b.key, "CR-b")])
    assert outbox.get("ref-a", 1).attempts == 1
    assert outbox.pending(now=1000.0) == []
    assert [e.key for e in outbox.pending()] == [a.key]
    assert outbox.next_due_at() == 10**12


def test_queued_content_is_frozen(outbox: Outbox):
    outbox.enqueue("ref-1", 1, case_id="case-1", payload=sample_payload())
    # Repeating the same enqueue (a caller that crashed after it) is harmless ...
    again = outbox.enqueue("ref-1", 1, case_id="case-1", payload=sample_payload())
    assert again.seq == 1 and len(outbox.entries()) == 1
    # ... other content under the same key is not.
    with pytest.raises(OutboxError, match="amendment is a new revision"):
        outbox.enqueue("ref-1", 1, case_id="case-1", payload=sample_payload(court="Other"))
    assert outbox.verify() == []


def test_revisions_chain_and_withdrawal_closes(outbox: Outbox):
    outbox.enqueue("ref-1", 1, case_id="c", payload=sample_payload())
    with pytest.raises(OutboxError):  # must name what it replaces
        outbox.enqueue("ref-1", 2, case_id="c", payload=sample_payload(court="B"))
    with pytest.raises(OutboxError):  # no gaps
        outbox.enqueue("ref-1", 3, case_id="c", payload=sample_payload(), supersedes=2)
    outbox.enqueue("ref-1", 2, case_id="c", payload=sample_payload(court="B"), supersedes=1)
    outbox.enqueue(
        "ref-1",
        3,
        case_id="c",
        payload=sample_payload(),
        action="withdraw",
        note="why",
        supersedes=2,
    )
    with pytest.raises(OutboxError, match="withdrawn"):
        outbox.enqueue("ref-1", 4, case_id="c", payload=sample_payload(), supersedes=3)
    with pytest.raises(OutboxError):
        outbox.enqueue("ref-2", 1, case_id="c", payload=sample_payload(), action="withdraw")
    assert outbox.latest("ref-1").action == "withdraw"
    assert [e.revision for e in outbox.entries("c")] == [1, 2, 3]
    # Nothing acknowledged yet: all three are still there, and all three will be sent.
    assert outbox.pending_count() == 3 and outbox.counts_by_case() == {"c": 3}


def test_every_change_survives_reopening(store: Store, data_dir):
    outbox = Outbox(store)
    entries = outbox.enqueue_many(
        [NewEntry(f"ref-{i}", 1, f"case-{i % 2}", sample_payload()) for i in range(4)]
    )
    outbox.mark_sent([entries[0].key, entries[1].key])
    outbox.record([Acknowledged(entries[0].key, "CR-0"), Retry(entries[1].key, 5.0, "timeout")])
    store.close()
    with Store.open(data_dir, PASSPHRASE) as reopened:
        again = Outbox(reopened)
        assert [e.state for e in again.entries()] == ["acknowledged", "sent", "queued", "queued"]
        assert again.get("ref-0", 1).receipt == "CR-0"
        assert again.get("ref-1", 1).next_attempt_at == 5.0
        assert again.counts_by_case() == {"case-1": 2, "case-0": 1}
        assert again.latest_by_referral("case-0").keys() == {"ref-0", "ref-2"}
        assert {line.event for line in again.log()} >= {"queued", "acknowledged", "retry"}


def test_compact_drops_payloads_only_after_acknowledgement(outbox: Outbox):
    a = outbox.enqueue("ref-a", 1, case_id="c", payload=sample_payload())
    b = outbox.enqueue("ref-b", 1, case_id="c", payload=sample_payload())
    outbox.mark_sent([a.key])
    outbox.record([Acknowledged(a.key, "CR-a")])
    assert outbox.compact(older_than=float("inf")) == 1
    assert outbox.get("ref-a", 1).payload is None
    assert outbox.get("ref-a", 1).receipt == "CR-a"
    assert outbox.get(*b.key).payload == sample_payload()


def test_central_status_is_kept_for_acknowledged_entries(outbox: Outbox):
    a = outbox.enqueue("ref-a", 1, case_id="c", payload=sample_payload())
    outbox.mark_sent([a.key])
    outbox.record([Acknowledged(a.key, "CR-a", "received")])
    assert outbox.set_central_status({a.key: "accepted", ("nope", 1): "accepted"}) == 1
    assert outbox.get("ref-a", 1).central_status == "accepted"
    assert outbox.set_central_status({a.key: "accepted"}) == 0
