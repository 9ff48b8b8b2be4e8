"""Central records over HTTP (in-process ASGI), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central import service
from central.db import Device, Submission
from records.caseformat import load_providers
from tests.sync.helpers import ROOT, sample_item, sample_payload

BATCH = "/referrals/batch"


async def submit(client, auth, *items, raw: bytes | None = None):
    if raw is not None:
        headers = {**auth, "Content-Type": "application/json"}
        return await client.post(BATCH, content=raw, headers=headers)
    return await client.post(BATCH, json={"items": list(items)}, headers=auth)


def rows(engine) -> list[Submission]:
    with Session(engine) as session:
        return list(session.scalars(select(Submission).order_by(Submission.id)))


async def test_same_key_same_content_gets_the_same_receipt(client, auth, engine):
    first = (await submit(client, auth, sample_item("ref-1"))).json()["results"][0]
    again = (await submit(client, auth, sample_item("ref-1"))).json()["results"][0]
    assert first["outcome"] == again["outcome"] == "acknowledged"
    assert first["receipt"] == again["receipt"]
    assert (first["duplicate"], again["duplicate"]) == (False, True)
    assert len(rows(engine)) == 1


async def test_same_key_with_other_content_is_refused_409(client, auth, engine):
    await submit(client, auth, sample_item("ref-1"))
    other = sample_item("ref-1", payload=sample_payload(court="Swansea Civil Justice Centre"))
    result = (await submit(client, auth, other)).json()["results"][0]
    assert (result["outcome"], result["code"]) == ("rejected", 409)
    assert len(rows(engine)) == 1
    assert rows(engine)[0].sha256 == sample_item("ref-1")["sha256"]


async def test_one_bad_item_never_fails_the_others(client, auth, engine):
    bad_postcode = sample_item(
        "ref-2", payload=sample_payload(party={**sample_payload()["party"], "postcode": "XX1"})
    )
    extra_key = {**sample_item("ref-3"), "surprise": 1}
    wrong_hash = sample_item("ref-4", sha256="0" * 64)
    not_an_object_key = {"referral_id": "ref-5"}
    response = await submit(
        client,
        auth,
        sample_item("ref-1"),
        bad_postcode,
        extra_key,
        wrong_hash,
        not_an_object_key,
        sample_item("ref-6"),
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["referral_id"], r["outcome"], r["code"]) for r in results] == [
        ("ref-1", "acknowledged", 200),
        ("ref-2", "rejected", 422),
        ("ref-3", "rejected", 422),
        ("ref-4", "rejected", 422),
        ("", "rejected", 422),
        ("ref-6", "acknowledged", 200),
    ]
    assert "postcode" in results[1]["reason"]
    assert "surprise" in results[2]["reason"]
    assert {r.referral_id for r in rows(engine)} == {"ref-1", "ref-6"}


async def test_validation_does_not_coerce(client, auth):
    item = sample_item("ref-1")
    item["revision"] = "1"  # strict: a string is not a number
    flag = sample_item("ref-2", payload=sample_payload(version=True))
    results = (await submit(client, auth, item, flag)).json()["results"]
    assert [r["code"] for r in results] == [422, 422]


async def test_amendment_supersedes_and_a_late_revision_is_history(client, auth, engine):
    await submit(client, auth, sample_item("ref-1", 1))
    amended = sample_item("ref-1", 2, payload=sample_payload(delivery="face_to_face"))
    result = (await submit(client, auth, amended)).json()["results"][0]
    assert (result["outcome"], result["status"]) == ("acknowledged", "received")
    assert [(r.revision, r.status) for r in rows(engine)] == [(1, "superseded"), (2, "received")]
    # r2 of another referral arriving before its r1: r1 is stored as superseded from the start.
    await submit(client, auth, sample_item("ref-9", 2))
    late = (await submit(client, auth, sample_item("ref-9", 1))).json()["results"][0]
    assert (late["outcome"], late["status"]) == ("acknowledged", "superseded")


async def test_a_batch_of_first_revisions_stores_each_as_one_by_one_would(client, auth, engine):
    # The batch path (one INSERT for every first revision) gives each item what it would get
    # alone: a refer is received, a first revision that withdraws is withdrawn with its note
    # as the reason, one whose later revision is already stored is superseded; a resend of
    # the batch, the same receipts and statuses, as duplicates.
    await submit(client, auth, sample_item("ref-late", 2))
    batch = [
        sample_item("ref-new"),
        sample_item("ref-off", action="withdraw", note="Case settled"),
        sample_item("ref-late", 1),
    ]
    first = (await submit(client, auth, *batch)).json()["results"]
    assert [(r["referral_id"], r["status"], r["reason"], r["duplicate"]) for r in first] == [
        ("ref-new", "received", "", False),
        ("ref-off", "withdrawn", "Case settled", False),
        ("ref-late", "superseded", "", False),
    ]
    again = (await submit(client, auth, *reversed(batch))).json()["results"]
    assert [(r["receipt"], r["status"], r["reason"], r["duplicate"]) for r in again] == [
        (r["receipt"], r["status"], r["reason"], True) for r in reversed(first)
    ]
    stored = {(r.referral_id, r.revision): r for r in rows(engine)}
    assert len(stored) == 4
    assert stored[("ref-off", 1)].status_reason == "Case settled"
    assert stored[("ref-new", 1)].receipt == first[0]["receipt"]
    assert stored[("ref-new", 1)].received_at == stored[("ref-new", 1)].status_at


async def test_a_withdrawn_referral_takes_no_new_revision(client, auth, engine):
    await submit(client, auth, sample_item("ref-1", 1))
    withdrawal = sample_item("ref-1", 2, action="withdraw", note="Parties reconciled")
    first = (await submit(client, auth, withdrawal)).json()["results"][0]
    assert first["status"] == "withdrawn"
    again = (await submit(client, auth, withdrawal)).json()["results"][0]
    assert again["receipt"] == first["receipt"] and again["duplicate"]
    r1_again = (await submit(client, auth, sample_item("ref-1", 1))).json()["results"][0]
    assert r1_again["outcome"] == "acknowledged"  # a resend of what was stored is still fine
    revived = (await submit(client, auth, sample_item("ref-1", 3))).json()["results"][0]
    assert (revived["outcome"], revived["code"]) == ("rejected", 409)
    assert "withdrawn" in revived["reason"]
    assert len(rows(engine)) == 2


async def test_a_rejected_referral_takes_no_new_revision(client, auth, engine):
    await submit(client, auth, sample_item("ref-1", 1))
    service.set_status(engine, "ref-1", None, "rejected", reason="Provider closed")
    result = (await submit(client, auth, sample_item("ref-1", 2))).json()["results"][0]
    assert (result["outcome"], result["code"]) == ("rejected", 409)


async def test_statuses_advance_only_forward(client, auth, engine):
    await submit(client, auth, sample_item("ref-1"))
    assert service.set_status(engine, "ref-1", 1, "accepted").status == "accepted"
    with pytest.raises(service.CentralError):
        service.set_status(engine, "ref-1", 1, "received")
    with pytest.raises(service.CentralError):
        service.set_status(engine, "ref-1", 1, "rejected")  # a rejection needs a reason
    service.set_status(engine, "ref-1", 1, "attended", by="provider")
    with pytest.raises(service.CentralError):
        service.set_status(engine, "ref-1", 1, "accepted")
    body = {"keys": [{"referral_id": "ref-1", "revision": 1}, {"referral_id": "x", "revision": 1}]}
    found = (await client.post("/referrals/status", json=body, headers=auth)).json()
    assert [(s["referral_id"], s["status"]) for s in found["statuses"]] == [("ref-1", "attended")]
    history = (await client.get("/referrals/ref-1", headers=auth)).json()
    assert [h["status"] for h in history] == ["attended"]


async def test_tokens_missing_wrong_and_another_devices(client, auth, engine):
    assert (await client.post(BATCH, json={"items": []})).status_code == 401
    wrong = {"Authorization": "Bearer not-a-token"}
    response = await client.post(BATCH, json={"items": []}, headers=wrong)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert (await client.get("/providers", headers={"Authorization": "Basic x"})).status_code == 401

    await submit(client, auth, sample_item("ref-1"))
    other = {"Authorization": f"Bearer {service.issue_token(engine, 'laptop-2')}"}
    # Another device cannot read it, in any way, nor learn that it exists.
    assert (await client.get("/referrals/ref-1", headers=other)).status_code == 404
    body = {"keys": [{"referral_id": "ref-1", "revision": 1}]}
    assert (await client.post("/referrals/status", json=body, headers=other)).json() == {
        "statuses": []
    }
    # A referral's identity is its key, whichever device sends it (issue 14, point 1): other
    # content under that key is refused, and the first device's row is untouched. (Referral
    # ids are random 128-bit uuids: two laptops never make the same one.)
    mine = (
        await submit(client, other, sample_item("ref-1", payload=sample_payload(court="X Court")))
    ).json()
    assert (mine["results"][0]["outcome"], mine["results"][0]["code"]) == ("rejected", 409)
    assert len(rows(engine)) == 1 and rows(engine)[0].sha256 == sample_item("ref-1")["sha256"]
    # Still nothing to read for the other device.
    assert (await client.get("/referrals/ref-1", headers=other)).status_code == 404

    service.revoke_device(engine, "laptop-2")
    assert (await client.get("/providers", headers=other)).status_code == 401


async def test_tokens_are_stored_hashed(engine):
    token = service.issue_token(engine, "laptop-9")
    with Session(engine) as session:
        stored = session.scalar(select(Device.token_sha256).where(Device.name == "laptop-9"))
    assert stored == service.token_hash(token) and token not in stored
    assert service.authenticate(engine, token) is not None
    replaced = service.issue_token(engine, "laptop-9")
    assert service.authenticate(engine, token) is None
    assert service.authenticate(engine, replaced) is not None


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b'{"items": [], "items": []}', 400),  # duplicate keys
        (b'{"items": [NaN]}', 400),
        (b'{"items": [', 400),
        (b"\xff\xfe", 400),
        (b'{"items": {}}', 422),
        (b'{"items": [], "more": 1}', 422),
        (b"[]", 422),
        (b'{"items": [1]}', 422),
    ],
)
async def test_strict_json(client, auth, raw, status):
    response = await submit(client, auth, raw=raw)
    assert response.status_code == status
    assert "NaN" not in response.text or status == 400


async def test_size_limits(client, auth):
    from central.app import MAX_BODY_BYTES

    huge = b'{"items": ["' + b"x" * MAX_BODY_BYTES + b'"]}'
    assert (await submit(client, auth, raw=huge)).status_code == 413
    too_many = {"items": [sample_item(f"r{i}") for i in range(service.MAX_BATCH + 1)]}
    assert (await client.post(BATCH, json=too_many, headers=auth)).status_code == 422
    big_note = sample_item("ref-1", payload=sample_payload(court="C" * 40_000))
    result = (await submit(client, auth, big_note)).json()["results"][0]
    assert result["code"] == 413
    text = await client.post(BATCH, content=b"{}", headers={**auth, "Content-Type": "text/plain"})
    assert text.status_code == 415


async def test_providers_directory_with_etag(client, auth, engine):
    sample = (ROOT / "duty_tui" / "data" / "sample_providers.json").read_bytes()
    providers = load_providers(sample)
    service.replace_providers(engine, providers)
    response = await client.get("/providers", headers=auth)
    assert response.status_code == 200
    assert load_providers(response.content) == sorted(providers, key=lambda p: p.id)
    etag = response.headers["etag"]
    again = await client.get("/providers", headers={**auth, "If-None-Match": etag})
    assert again.status_code == 304
    service.replace_providers(engine, providers[:2])
    changed = await client.get("/providers", headers={**auth, "If-None-Match": etag})
    assert changed.status_code == 200 and len(json.loads(changed.content)["providers"]) == 2


async def test_openapi_documents_the_protocol(client):
    schema = (await client.get("/openapi.json")).json()
    assert {"/referrals/batch", "/referrals/status", "/providers", "/health"} <= set(
        schema["paths"]
    )
    body = schema["paths"]["/referrals/batch"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/SubmitBatch")
    assert "SubmitItem" in schema["components"]["schemas"]


async def test_unexpected_errors_log_no_content(client, auth, monkeypatch, caplog):
    secret = "Rhiannon Ffug CF10 1AA"

    def explode(*_args):
        raise RuntimeError(f"boom with {secret}")

    monkeypatch.setattr(service, "submit_batch", explode)
    with caplog.at_level(logging.DEBUG):
        response = await submit(client, auth, sample_item("ref-1"))
    assert response.status_code == 503
    assert secret not in caplog.text and secret not in response.text
    assert "RuntimeError" in caplog.text


def test_concurrent_duplicates_store_once(engine):
    """Many deliveries of one key at once: the unique constraint, not luck, keeps one row."""
    device = service.authenticate(engine, service.issue_token(engine, "racer"))
    item = sample_item("ref-race")
    receipts: list[str] = []
    barrier = threading.Barrier(6)

    def deliver() -> None:
        barrier.wait()
        result = service.submit_batch(engine, device, [item])[0]
        assert result.outcome == "acknowledged", result
        receipts.append(result.receipt)

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(receipts) == 6 and len(set(receipts)) == 1
    with Session(engine) as session:
        count = session.scalar(
            select(func.count()).select_from(Submission).where(Submission.referral_id == "ref-race")
        )
    assert count == 1


async def test_a_batch_mixing_new_referrals_amendments_and_resends(client, auth, engine):
    await submit(client, auth, sample_item("ref-1"), sample_item("ref-2"))
    other = sample_item("ref-2", payload=sample_payload(court="Swansea Civil Justice Centre"))
    results = (
        await submit(
            client,
            auth,
            sample_item("ref-3"),
            sample_item("ref-1"),  # resend
            sample_item("ref-1", 2, payload=sample_payload(delivery="face_to_face")),
            other,  # same key, other content
            sample_item("ref-4"),
            sample_item("ref-4"),  # twice in one batch
        )
    ).json()["results"]
    assert [(r["referral_id"], r["revision"], r["outcome"], r["duplicate"]) for r in results] == [
        ("ref-3", 1, "acknowledged", False),
        ("ref-1", 1, "acknowledged", True),
        ("ref-1", 2, "acknowledged", False),
        ("ref-2", 1, "rejected", False),
        ("ref-4", 1, "acknowledged", False),
        ("ref-4", 1, "acknowledged", True),
    ]
    assert results[3]["code"] == 409
    assert results[4]["receipt"] == results[5]["receipt"]
    stored = {(r.referral_id, r.revision): r.status for r in rows(engine)}
    assert stored == {
        ("ref-1", 1): "superseded",
        ("ref-1", 2): "received",
        ("ref-2", 1): "received",
        ("ref-3", 1): "received",
        ("ref-4", 1): "received",
    }


def test_concurrent_batches_sharing_keys_in_other_orders_store_each_once(engine):
    """Whole batches racing over the same keys, in other orders (batches go through the
    multi-row INSERT): every item acknowledged, one row per key, one receipt per key."""
    device = service.authenticate(engine, service.issue_token(engine, "racer"))
    items = [sample_item(f"ref-{i:02d}") for i in range(20)]
    batches = [items, items[::-1], items[5:] + items[:5], items[::-1]]
    barrier = threading.Barrier(len(batches))
    answers: list[dict[str, str]] = []

    def deliver(batch) -> None:
        barrier.wait()
        results = service.submit_batch(engine, device, batch)
        assert {r.outcome for r in results} == {"acknowledged"}, results
        answers.append({r.referral_id: r.receipt for r in results})

    threads = [threading.Thread(target=deliver, args=(b,)) for b in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == len(batches)
    assert all(answer == answers[0] for answer in answers)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 20


async def test_every_refusal_carries_centrals_marker(client, auth):
    """Issue 14 (2): a device treats a 4xx as final only with this body; a proxy's or captive
    portal's 4xx (without it) is retried."""
    from central.app import MAX_BODY_BYTES

    answers = {
        400: await submit(client, auth, raw=b"{not json"),
        413: await submit(client, auth, raw=b'{"items": ["' + b"x" * MAX_BODY_BYTES + b'"]}'),
        415: await client.post(BATCH, content=b"{}", headers={**auth, "Content-Type": "text/a"}),
        422: await submit(client, auth, raw=b'{"items": [], "extra": 1}'),
        401: await client.post(BATCH, json={"items": []}),
    }
    for status, response in answers.items():
        assert response.status_code == status
        body = response.json()
        assert body["error"] == {"service": "duty-central", "status": status} and body["detail"]


async def test_a_referral_is_the_same_whichever_device_sends_it(client, auth, engine):
    """Issue 14 (1): a laptop whose answer was lost, then given a token under a new device
    name, resends: central answers with the first receipt and stores nothing twice; an
    amendment from the new token supersedes the first revision, and set-status works."""
    first = (await submit(client, auth, sample_item("ref-9"))).json()["results"][0]
    again = {"Authorization": f"Bearer {service.issue_token(engine, 'laptop-renamed')}"}
    resent = (await submit(client, again, sample_item("ref-9"))).json()["results"][0]
    assert resent["outcome"] == "acknowledged" and resent["duplicate"] is True
    assert resent["receipt"] == first["receipt"]
    amended = sample_item("ref-9", 2, payload=sample_payload(court="X Court"))
    result = (await submit(client, again, amended)).json()["results"][0]
    assert (result["outcome"], result["duplicate"]) == ("acknowledged", False)
    assert [(r.revision, r.status) for r in rows(engine)] == [(1, "superseded"), (2, "received")]
    # The new device reads the referral's whole history (it sent a revision of it).
    history = (await client.get("/referrals/ref-9", headers=again)).json()
    assert [h["revision"] for h in history] == [1, 2]
    assert service.set_status(engine, "ref-9", None, "accepted").revision == 2


async def test_verify_is_one_digest_per_batch_of_keys(client, auth, engine):
    """Issue 14 (5): which (key, sha256) pairs central holds, as one digest; the missing keys
    named only when asked; content never compared by anything but its sha256."""
    items = [sample_item(f"ref-v{i}") for i in range(3)]
    await submit(client, auth, *items)
    keys = [{"referral_id": i["referral_id"], "revision": 1, "sha256": i["sha256"]} for i in items]
    wrong = {**keys[2], "sha256": "0" * 64}
    all_held = (await client.post("/referrals/verify", json={"keys": keys}, headers=auth)).json()
    triples = [(k["referral_id"], 1, k["sha256"]) for k in keys]
    assert all_held == {"digest": service.verify_digest(triples), "held": 3, "missing": []}
    asked = {"keys": [*keys[:2], wrong, {**keys[0], "referral_id": "ref-none"}]}
    partial = (await client.post("/referrals/verify", json=asked, headers=auth)).json()
    assert partial["held"] == 2 and partial["missing"] == []
    assert partial["digest"] == service.verify_digest(triples[:2])
    listed = (
        await client.post("/referrals/verify", json={**asked, "list_missing": True}, headers=auth)
    ).json()
    assert listed["missing"] == [
        {"referral_id": "ref-none", "revision": 1},
        {"referral_id": "ref-v2", "revision": 1},
    ]
    too_many = {"keys": [keys[0]] * 1001}
    assert (await client.post("/referrals/verify", json=too_many, headers=auth)).status_code == 422
    assert (await client.post("/referrals/verify", json={"keys": keys})).status_code == 401
