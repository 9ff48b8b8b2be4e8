"""The outbox over the real encrypted store: states, freezing, durability, what the UI reads."""

from __future__ import annotations

import pytest

from records.payload import content_of, content_sha256
from store import Store
from store.outbox import (
    Acknowledged,
    NewEntry,
    Outbox,
    OutboxEntry,
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


def test_a_store_made_before_the_journals_is_moved_over(store: Store, data_dir):
    """Outbox and sync log were TinyDB tables: their entries and lines come across once."""
    old = {
        "referral_id": "ref-old",
        "revision": 1,
        "case_id": "case-1",
        "action": "refer",
        "note": "",
        "supersedes": None,
        "payload": sample_payload(),
        "state": "acknowledged",
        "receipt": "CR-old",
        "reason": "",
        "central_status": "received",
        "attempts": 1,
        "next_attempt_at": 0.0,
        "created_at": 1.0,
        "updated_at": 2.0,
        "sent_at": 1.5,
        "acknowledged_at": 2.0,
        "seq": 1,
    }
    entry = OutboxEntry.from_doc({**old, "sha256": ""})
    old["sha256"] = content_sha256(
        content_of(
            entry.referral_id, 1, supersedes=None, action="refer", note="", payload=old["payload"]
        )
    )
    store.table("outbox").insert(old)
    store.table("sync_log").insert({"at": 2.0, "event": "acknowledged", "count": 1})
    store.close()
    with Store.open(data_dir, PASSPHRASE) as again:
        outbox = Outbox(again)
        assert outbox.get("ref-old", 1).receipt == "CR-old"
        assert outbox.verify() == []
        assert [line.event for line in outbox.log()] == ["acknowledged"]
        outbox.enqueue("ref-new", 1, case_id="case-1", payload=sample_payload())
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.table("outbox").all() == [], "moved, not copied"
        outbox = Outbox(again)
        assert [e.referral_id for e in outbox.entries()] == ["ref-old", "ref-new"]
        assert again.problems() == []


def test_the_sync_log_stays_bounded(outbox: Outbox, monkeypatch):
    import store.outbox as module

    monkeypatch.setattr(module, "LOG_KEEP", 20)
    monkeypatch.setattr(module, "LOG_REWRITE_AT", 40)
    for n in range(200):
        outbox.note("probe", f"run {n}")
    lines = outbox.log(limit=1000)
    assert 20 <= len(lines) <= 41
    assert lines[0].detail == "run 199", "the newest kept"


def test_two_outboxes_over_one_store_agree(store: Store):
    first, second = Outbox(store), Outbox(store)
    entry = first.enqueue("ref-1", 1, case_id="case-1", payload=sample_payload())
    second.mark_sent([entry.key])
    first.record([Acknowledged(entry.key, "CR-1")])
    assert second.get("ref-1", 1).receipt == "CR-1"
    assert second.get("ref-1", 1).attempts == 0
    first.compact(older_than=10**12)
    assert second.get("ref-1", 1).payload is None
    assert second.get("ref-1", 1).state == "acknowledged"


def test_renumber_moves_only_the_pending_latest_after_centrals_revision(outbox):
    """Issue 14 (3): the content of a pending entry moves after central's latest revision,
    durably, with a new sha256; anything else is refused."""
    outbox.enqueue("ref-r", 1, case_id="case-1", payload=sample_payload())
    outbox.enqueue("ref-r", 2, case_id="case-1", payload=sample_payload(court="X"), supersedes=1)
    with pytest.raises(OutboxError, match="later revision"):
        outbox.renumber(("ref-r", 1), 4)
    with pytest.raises(OutboxError, match="r2 or later"):
        outbox.renumber(("ref-r", 2), 1)
    moved = outbox.renumber(("ref-r", 2), 4)
    assert (moved.revision, moved.supersedes, moved.state) == (5, 4, "queued")
    assert outbox.get("ref-r", 2) is None and outbox.latest("ref-r") == moved
    assert moved.payload == sample_payload(court="X") and outbox.verify() == []
    reopened = Outbox(outbox.store)  # replayed from the journal
    assert reopened.latest("ref-r") == moved and reopened.get("ref-r", 2) is None
    outbox.mark_sent([moved.key])
    outbox.record([Acknowledged(moved.key, "CR-5")])
    with pytest.raises(OutboxError, match="only a pending"):
        outbox.renumber(moved.key, 7)


def test_a_journal_written_before_payloads_were_kept_as_text_reads_the_same(store: Store, data_dir):
    """Journals written before held each payload as objects: replayed, every entry reads
    with its payload, verifies against its hash, and can still be compacted and sent."""
    payload = sample_payload()
    content = content_of("ref-old", 1, supersedes=None, action="refer", note="", payload=payload)
    doc = {
        "referral_id": "ref-old",
        "revision": 1,
        "case_id": "case-1",
        "action": "refer",
        "note": "",
        "supersedes": None,
        "payload": payload,
        "sha256": content_sha256(content),
        "state": "queued",
        "receipt": "",
        "reason": "",
        "central_status": "",
        "attempts": 0,
        "next_attempt_at": 0.0,
        "created_at": 1.0,
        "updated_at": 1.0,
        "sent_at": None,
        "acknowledged_at": None,
        "seq": 1,
    }
    store.journal("outbox", critical=True).append([{"op": "put", "docs": [doc]}])
    store.close()
    with Store.open(data_dir, PASSPHRASE) as again:
        outbox = Outbox(again, clock=lambda: 100.0)
        assert outbox.get("ref-old", 1).payload == payload
        assert outbox.verify() == []
        outbox.mark_sent([("ref-old", 1)])
        outbox.record([Acknowledged(("ref-old", 1), "CR-old")])
        assert outbox.compact(older_than=200.0) == 1
        assert outbox.get("ref-old", 1).payload is None
    with Store.open(data_dir, PASSPHRASE) as again:
        entry = Outbox(again).get("ref-old", 1)
        assert (entry.state, entry.receipt, entry.payload) == ("acknowledged", "CR-old", None)


def test_compacting_a_big_outbox_writes_it_back_in_records_a_reader_takes(store: Store, data_dir):
    """The compacted outbox is written as several records in one atomic rewrite (a single
    snapshot of tens of thousands of entries would pass a record's limit)."""
    outbox = Outbox(store, clock=lambda: 100.0)
    items = [NewEntry(f"ref-{n}", 1, "case-1", sample_payload()) for n in range(2500)]
    outbox.enqueue_many(items)
    keys = [(item.referral_id, 1) for item in items]
    outbox.mark_sent(keys)
    outbox.record([Acknowledged(key, f"CR-{key[0]}") for key in keys[:2000]])
    assert outbox.compact(older_than=200.0) == 2000
    assert len(store.journal("outbox").read()) == 3  # 1,000 entries a record
    store.close()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.problems() == []
        counts = Outbox(again).counts_by_state()
        assert (counts["acknowledged"], counts["sent"]) == (2000, 500)
