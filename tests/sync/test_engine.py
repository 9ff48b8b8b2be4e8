"""The sync engine against central in-process (ASGI) with injected faults and virtual time."""

from __future__ import annotations

import asyncio
import json
import random

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from central import service
from central.app import create_app, error_body
from central.db import Submission, make_engine
from duty_tui.services.central_config import (
    CentralConfig,
    SyncConfigError,
    SyncError,
    load_central_config,
    save_central_config,
)
from duty_tui.services.provider_cache import cached_providers
from duty_tui.services.sync_engine import Backoff, SyncEngine
from records.caseformat import load_providers
from store.outbox import NewEntry, Outbox
from tests.sync.faults import FaultTransport
from tests.sync.helpers import ROOT, sample_payload


class Clock:
    """Virtual time: sleeping advances it instantly."""

    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def central(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    yield engine
    engine.dispose()


@pytest.fixture
def token(central) -> str:
    return service.issue_token(central, "laptop-1")


@pytest.fixture
def transport(central) -> FaultTransport:
    return FaultTransport(create_app(central))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_engine_for(outbox, transport, token, clock):
    def make(**changes) -> SyncEngine:
        config = CentralConfig(
            url="http://127.0.0.1:9", token=changes.pop("token", token), batch_size=10
        )
        options = {
            "transport": transport,
            "clock": clock,
            "sleep": clock.sleep,
            "rng": random.Random(7),
            **changes,
        }
        return SyncEngine(outbox, config, **options)

    return make


def queue(outbox: Outbox, count: int, *, start: int = 0, case_id: str = "case-1") -> None:
    outbox.enqueue_many(
        [NewEntry(f"ref-{i}", 1, case_id, sample_payload()) for i in range(start, start + count)]
    )


def central_rows(engine) -> dict[tuple[str, int], tuple[str, str]]:
    with Session(engine) as session:
        found = session.execute(
            select(
                Submission.referral_id, Submission.revision, Submission.sha256, Submission.receipt
            )
        ).all()
    keys = [(r, v) for r, v, _s, _c in found]
    assert len(keys) == len(set(keys)), "central holds a key twice"
    return {(r, v): (s, c) for r, v, s, c in found}


def assert_exactly_once(outbox: Outbox, engine) -> None:
    held = central_rows(engine)
    entries = outbox.entries()
    assert all(e.state == "acknowledged" for e in entries), [e.state for e in entries]
    assert {e.key: (e.sha256, e.receipt) for e in entries} == held


async def test_sync_sends_everything_once_with_progress(outbox, make_engine_for, central):
    queue(outbox, 25)
    seen = []
    async with make_engine_for() as engine:
        report = await engine.sync_once(progress=seen.append)
    assert report.ok and report.acknowledged == 25 and report.attempted == 25
    assert [p.done for p in seen] == [0, 10, 20, 25, 25]
    assert seen[-1].message == "done" and seen[-1].acknowledged == 25
    assert_exactly_once(outbox, central)


@pytest.mark.parametrize("fault", ["drop", "timeout", "duplicate", "error500", "refused"])
async def test_each_fault_then_recovery_is_exactly_once(
    fault, outbox, make_engine_for, transport, central
):
    queue(outbox, 15)
    transport.plan.extend([fault])
    async with make_engine_for() as engine:
        first = await engine.sync_once()
        if fault == "duplicate":
            assert first.ok  # the app saw one answer; central saw the request twice
        else:
            assert first.retrying == 10 and first.acknowledged == 5
            assert {e.state for e in outbox.entries()} == {"sent", "acknowledged"}
            second = await engine.sync_once(force=True)
            assert second.ok
            # Central had committed the dropped/timed-out batch: the resend was a duplicate.
            expected_duplicates = 10 if fault in ("drop", "timeout") else 0
            assert second.duplicates == expected_duplicates
    assert_exactly_once(outbox, central)


async def test_a_refused_referral_never_holds_up_the_others(outbox, make_engine_for, central):
    queue(outbox, 5)
    outbox.enqueue("ref-bad", 1, case_id="case-2", payload=sample_payload(court=""))
    queue(outbox, 5, start=5)
    async with make_engine_for() as engine:
        report = await engine.sync_once()
    assert report.acknowledged == 10
    [rejection] = report.rejected
    assert rejection.referral_id == "ref-bad" and rejection.case_id == "case-2"
    assert rejection.reason.startswith("422: ") and "court" in rejection.reason
    bad = outbox.get("ref-bad", 1)
    assert (bad.state, bad.reason) == ("rejected", rejection.reason)
    assert outbox.counts_by_case() == {"case-2": 1}
    assert len(central_rows(central)) == 10


async def test_a_batch_refused_whole_is_split_until_the_bad_item_is_alone(outbox, clock):
    queue(outbox, 7)
    outbox.enqueue("ref-poison", 1, case_id="case-1", payload=sample_payload())
    requests: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        items = json.loads(request.content)["items"]
        requests.append(len(items))
        if any(i["referral_id"] == "ref-poison" for i in items):
            return httpx.Response(413, json=error_body(413, "body too large"))
        results = [
            {"referral_id": i["referral_id"], "revision": i["revision"], "outcome": "acknowledged",
             "code": 200, "receipt": f"CR-{i['referral_id']}", "status": "received"}
            for i in items
        ]  # fmt: skip
        return httpx.Response(200, json={"results": results})

    config = CentralConfig(url="http://127.0.0.1:9", token="t" * 20, batch_size=8)
    engine = SyncEngine(outbox, config, transport=httpx.MockTransport(handler), clock=clock)
    report = await engine.sync_once()
    await engine.aclose()
    assert report.acknowledged == 7 and [r.referral_id for r in report.rejected] == ["ref-poison"]
    assert "HTTP 413" in report.rejected[0].reason
    assert requests == [8, 4, 4, 2, 2, 1, 1]


async def test_central_answers_are_not_trusted(outbox, clock):
    queue(outbox, 3)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "results": [
                    {"referral_id": "ref-0", "revision": 1, "outcome": "acknowledged",
                     "receipt": "\x1b[31mevil receipt"},
                    {"referral_id": "ref-1", "revision": 1, "outcome": "rejected",
                     "reason": "\x1b]0;title\x07bad " + "x" * 5000, "code": 409},
                    {"referral_id": "not-sent", "revision": 1, "outcome": "acknowledged",
                     "receipt": "CR-1"},
                ]
            },
        )  # fmt: skip

    config = CentralConfig(url="http://127.0.0.1:9", token="t" * 20)
    engine = SyncEngine(outbox, config, transport=httpx.MockTransport(handler), clock=clock)
    report = await engine.sync_once()
    await engine.aclose()
    states = {e.referral_id: e for e in outbox.entries()}
    assert states["ref-0"].state == "sent"  # a malformed receipt is no acknowledgement
    assert states["ref-1"].state == "rejected"
    assert "\x1b" not in states["ref-1"].reason and len(states["ref-1"].reason) < 1600
    assert states["ref-2"].state == "sent"  # central did not mention it: retry
    assert report.acknowledged == 0


async def test_wrong_token_is_fatal_and_keeps_everything(outbox, make_engine_for):
    queue(outbox, 3)
    async with make_engine_for(token="wrong-token-wrong-token") as engine:
        report = await engine.sync_once()
    assert report.fatal and "token" in report.error
    assert outbox.pending_count() == 3 and not report.rejected


def test_full_jitter_backoff():
    backoff = Backoff(base_s=1.0, cap_s=300.0)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (9, 256), (10, 300), (60, 300)]:
        delays = [backoff.delay(attempt, rng) for _ in range(300)]
        assert 0 <= min(delays) and max(delays) <= ceiling
        assert max(delays) > ceiling * 0.8  # spread over the whole range, not bunched


async def test_failures_back_off_per_entry_and_drain_when_back(
    outbox, make_engine_for, transport, clock, central
):
    queue(outbox, 30)
    transport.down = True
    async with make_engine_for() as engine:
        report = await engine.sync_once()
        # Two failed requests in a row: the third batch is not tried, but backs off too.
        assert transport.delivered == 0 and report.retrying == 30
        assert all(clock.now < e.next_attempt_at <= clock.now + 1 for e in outbox.entries())
        assert (await engine.sync_once()).attempted == 0  # nothing due yet
        transport.down = False
        transport.plan.extend(["error500", "refused", "drop"])
        drained = await engine.drain(max_time_s=3600)
    assert drained.ok
    assert all(s <= 300 for s in clock.slept) and clock.slept
    assert_exactly_once(outbox, central)


async def test_drain_gives_up_at_its_deadline(outbox, make_engine_for, transport):
    queue(outbox, 3)
    transport.down = True
    async with make_engine_for() as engine:
        report = await engine.drain(max_time_s=30)
    assert not report.ok and report.remaining == 3
    assert all(e.attempts >= 1 for e in outbox.entries())


async def test_worker_syncs_when_central_comes_back_and_on_kick(outbox, transport, token, central):
    queue(outbox, 4)
    transport.down = True
    config = CentralConfig(url="http://127.0.0.1:9", token=token)
    engine = SyncEngine(outbox, config, transport=transport, backoff=Backoff(60, 300))
    reports = []
    stop = asyncio.Event()
    worker = asyncio.create_task(engine.run(stop, on_report=reports.append, probe_interval_s=0.02))
    await asyncio.sleep(0.1)
    assert engine.reachable is False and outbox.pending_count() == 4
    transport.down = False  # back: synced at once, whatever the backoff said
    for _ in range(250):  # up to 5 s on a loaded machine
        if outbox.pending_count() == 0:
            break
        await asyncio.sleep(0.02)
    assert outbox.pending_count() == 0 and engine.reachable
    queue(outbox, 2, start=10)
    engine.kick()
    for _ in range(250):  # up to 5 s on a loaded machine
        if outbox.pending_count() == 0:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(worker, 2)
    await engine.aclose()
    assert outbox.pending_count() == 0 and sum(r.acknowledged for r in reports) == 6
    assert_exactly_once(outbox, central)


async def test_probe(make_engine_for, transport):
    async with make_engine_for() as engine:
        assert await engine.probe() is True
        transport.down = True
        assert await engine.probe() is False


async def test_an_outage_is_in_the_sync_log(make_engine_for, transport, outbox):
    """Issue 13 item 8: attempts while central was down were not in the sync log. One line
    when it stops answering (not one per background probe), one for each attempt the officer
    asked for, one when it answers again; each says how many referrals wait."""
    queue(outbox, 2)
    async with make_engine_for() as engine:
        assert await engine.probe() is True
        transport.down = True
        for _ in range(3):  # the background loop's probes
            assert await engine.probe() is False
        assert await engine.probe(asked=True) is False  # "Sync now"
        transport.down = False
        assert await engine.probe() is True
        assert await engine.probe() is True
    lines = [(line.event, line.count, line.detail) for line in reversed(outbox.log())]
    outage = [line for line in lines if line[0] in ("unreachable", "reachable")]
    assert [(event, count) for event, count, _ in outage] == [
        ("unreachable", 2),
        ("unreachable", 2),
        ("reachable", 2),
    ]
    assert outage[0][2].startswith("central unreachable (")
    assert "the officer asked" in outage[1][2] and "the officer asked" not in outage[0][2]


async def test_providers_refresh_is_validated_and_stored_whole(
    store, make_engine_for, central, transport
):
    sample = load_providers((ROOT / "duty_tui" / "data" / "sample_providers.json").read_bytes())
    service.replace_providers(central, sample)
    assert cached_providers(store) == ([], None)
    async with make_engine_for() as engine:
        first = await engine.refresh_providers()
        assert first.changed and first.count == len(sample)
        assert (await engine.refresh_providers()).changed is False  # ETag: 304
    providers, fetched_at = cached_providers(store)
    assert providers == sorted(sample, key=lambda p: p.id) and fetched_at

    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"format": "duty-tui/providers", "providers": "nope"})

    config = CentralConfig(url="http://127.0.0.1:9", token="t" * 20)
    outbox = Outbox(store)
    bad = SyncEngine(outbox, config, transport=httpx.MockTransport(broken))
    with pytest.raises(SyncError):
        await bad.refresh_providers()
    await bad.aclose()
    assert cached_providers(store)[0] == providers  # the old directory is kept


async def test_status_read_back(outbox, make_engine_for, central):
    queue(outbox, 2)
    async with make_engine_for() as engine:
        await engine.sync_once()
        service.set_status(central, "ref-0", 1, "accepted", by="provider")
        assert await engine.refresh_status() == 1
    assert outbox.get("ref-0", 1).central_status == "accepted"
    assert outbox.get("ref-1", 1).central_status == "received"


def test_config_is_checked_and_kept_in_the_store(store):
    with pytest.raises(SyncConfigError, match="https"):
        CentralConfig(url="http://central.example.org", token="t" * 20)
    with pytest.raises(SyncConfigError):
        CentralConfig(url="https://user:pw@central.example.org", token="t" * 20)
    with pytest.raises(SyncConfigError):
        CentralConfig(url="https://central.example.org", token="")
    config = CentralConfig(url="https://central.example.org/", token="secret-token-123")
    assert "secret-token-123" not in repr(config)
    assert load_central_config(store) is None
    save_central_config(store, config)
    save_central_config(store, config)
    assert load_central_config(store) == CentralConfig(
        url="https://central.example.org", token="secret-token-123"
    )
    assert len(store.table("settings").all()) == 1


async def test_forgotten_referrals_names_what_central_holds_and_the_outbox_lost(
    tmp_path, transport, token
):
    """An outbox put back to an older copy: the referrals sent since are named (keys only);
    an outbox in step with central is one request, answered by the digest."""
    from store import KdfParams, Store

    with Store.create(tmp_path / "older", "pass phrase one", kdf=KdfParams.for_tests()) as older:
        queue_outbox = Outbox(older)
        queue(queue_outbox, 3)
        async with SyncEngine(
            queue_outbox,
            CentralConfig(url="http://127.0.0.1:9", token=token, batch_size=10),
            transport=transport,
        ) as engine:
            assert (await engine.sync_once()).ok
            assert await engine.forgotten_referrals() == []
            queue(queue_outbox, 2, start=3)
            assert (await engine.sync_once()).ok
    # The same device's outbox as it was before the last two were queued.
    with Store.create(tmp_path / "restored", "pass phrase one", kdf=KdfParams.for_tests()) as s:
        restored = Outbox(s)
        queue(restored, 3)
        async with SyncEngine(
            restored,
            CentralConfig(url="http://127.0.0.1:9", token=token, batch_size=10),
            transport=transport,
        ) as engine:
            assert (await engine.sync_once()).ok  # duplicates: acknowledged again
            assert sorted(await engine.forgotten_referrals(page=2)) == [("ref-3", 1), ("ref-4", 1)]
