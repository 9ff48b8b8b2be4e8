"""A resend central already holds is answered without validating its payload again: the
answer must be exactly the full path's, for every kind of item, and the arrivals record too.

Differential: each batch is submitted to two fresh devices' worth of the same database state,
once with the resend path and once without it, and the answers compared field by field.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from central import service
from records.payload import content_of, content_sha256
from tests.sync.helpers import sample_item

AUDIT = {"queued_by": "Officer Ffug", "queued_at": "2026-12-04T09:00:00Z"}


def _answers(results: list[service.ItemResult]) -> list[dict[str, Any]]:
    return [r.model_dump() for r in results]


def _variants() -> dict[str, Any]:
    held = sample_item("ref-held")
    reordered = dict(reversed(list(held.items())))  # same content, other key order
    tampered = copy.deepcopy(held)
    tampered["payload"]["case_number"] = "XX99Z99999"  # the claimed sha no longer matches
    other = copy.deepcopy(held)
    other["payload"]["case_number"] = "XX99Z99999"
    other["sha256"] = content_sha256(
        content_of(
            "ref-held", 1, supersedes=None, action="refer", note="", payload=other["payload"]
        )
    )  # other content, honestly hashed, under a held key: 409
    return {
        "identical": held,
        "identical with audit": {**held, "audit": AUDIT},
        "bad audit": {**held, "audit": {"queued_by": "x\x1b[2J"}},
        "key order": reordered,
        "extra field": {**held, "surprise": 1},
        "tampered content": tampered,
        "other content": other,
        "revision as true": {**held, "revision": True},
        "not held": sample_item("ref-new"),
        "junk": {"junk": 1},
    }


@pytest.mark.parametrize("name", list(_variants()))
def test_a_resend_is_answered_as_the_full_path_answers_it(engine, monkeypatch, name):
    device = service.authenticate(engine, service.issue_token(engine, "laptop"))
    first = service.submit_batch(engine, device, [sample_item("ref-held")])[0]
    assert first.outcome == "acknowledged" and not first.duplicate
    item = _variants()[name]

    fast = service.submit_batch(engine, device, [item])
    with monkeypatch.context() as patched:
        patched.setattr(service, "_known_resends", lambda _engine, _items: {})
        full = service.submit_batch(engine, device, [item])
    # "not held" is stored by the first call: the second then answers it as a duplicate.
    if name == "not held":
        assert fast[0].outcome == "acknowledged" and full[0].duplicate
        assert fast[0].receipt == full[0].receipt
        return
    assert _answers(fast) == _answers(full)


def test_a_held_resend_skips_the_payload_validation(engine, monkeypatch):
    """The point of the path: a whole batch resent after a lost answer costs no prepare."""
    device = service.authenticate(engine, service.issue_token(engine, "laptop"))
    batch = [sample_item(f"ref-{i}") for i in range(5)]
    stored = service.submit_batch(engine, device, batch)
    prepared: list[Any] = []
    real = service.prepare
    monkeypatch.setattr(service, "prepare", lambda raw: prepared.append(raw) or real(raw))
    again = service.submit_batch(engine, device, [{**i, "audit": AUDIT} for i in batch])
    assert prepared == []
    assert [r.receipt for r in again] == [r.receipt for r in stored]
    assert all(r.duplicate for r in again)
    lines = service.arrivals(engine)
    assert [line.outcome for line in lines].count("duplicate") == 5
    assert {line.queued_by for line in lines if line.outcome == "duplicate"} == {"Officer Ffug"}
