"""Retention: acknowledged referrals lose their content (children's names) after the retention
period, in the sync the officer runs; key, hash and receipt stay, exactly-once holds, and the
outbox file stays bounded however long the laptop is used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from central import service
from central.app import create_app
from central.db import make_engine
from duty_tui.services.central_config import (
    RETENTION_DAYS_DEFAULT,
    CentralConfig,
    SyncConfigError,
    load_retention_days,
    save_retention_days,
)
from duty_tui.services.sync_engine import SyncEngine
from duty_tui.sync_worker import SyncWorker
from store import Store
from store.outbox import NewEntry, Outbox
from tests.sync.faults import FaultTransport
from tests.sync.helpers import sample_payload
from tests.sync.test_engine import assert_exactly_once

DAY = 86_400.0
CHILD = "Pryderi Ffug"  # in sample_payload


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def central(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def timed_outbox(store: Store, clock: Clock) -> Outbox:
    return Outbox(store, clock=clock)


@pytest.fixture
def engine_for(timed_outbox: Outbox, central):
    token = service.issue_token(central, "laptop-1")
    transport = FaultTransport(create_app(central))

    def make(**options) -> SyncEngine:
        config = CentralConfig(url="http://127.0.0.1:9", token=token, batch_size=50)
        return SyncEngine(timed_outbox, config, transport=transport, **options)

    return make


def _queue(outbox: Outbox, start: int, count: int) -> None:
    outbox.enqueue_many(
        [
            NewEntry(f"ref-{i}", 1, f"case-{i}", sample_payload())
            for i in range(start, start + count)
        ]
    )


def _plaintext(store: Store) -> str:
    """Everything the outbox journal holds, decrypted: what is on the laptop's disk."""
    return json.dumps(store.journal("outbox").read(), ensure_ascii=False)


async def test_content_goes_after_the_retention_period_and_exactly_once_holds(
    store, timed_outbox, engine_for, clock, central
):
    _queue(timed_outbox, 0, 20)
    async with engine_for(retention_s=30 * DAY) as engine:
        assert (await engine.sync_once()).ok
        assert all(e.payload is not None for e in timed_outbox.entries()), "too soon"
        clock.now += 29 * DAY
        await engine.sync_once()
        assert all(e.payload is not None for e in timed_outbox.entries()), "still too soon"
        clock.now += 2 * DAY
        _queue(timed_outbox, 20, 5)
        assert (await engine.sync_once()).ok
    entries = {e.referral_id: e for e in timed_outbox.entries()}
    old = [entries[f"ref-{i}"] for i in range(20)]
    new = [entries[f"ref-{i}"] for i in range(20, 25)]
    assert all(e.payload is None and e.receipt and e.sha256 for e in old)
    assert all(e.payload is not None for e in new), "acknowledged today: kept"
    assert_exactly_once(timed_outbox, central)
    # The names are gone from the disk, not only from the view: five kept, twenty dropped.
    assert _plaintext(store).count(CHILD) == 5


async def test_withdrawn_referrals_are_compacted_too(store, timed_outbox, engine_for, clock):
    _queue(timed_outbox, 0, 1)
    async with engine_for(retention_s=30 * DAY) as engine:
        assert (await engine.sync_once()).ok
        timed_outbox.enqueue(
            "ref-0", 2, case_id="case-0", payload=sample_payload(), action="withdraw",
            note="agreed at court", supersedes=1,
        )  # fmt: skip
        assert (await engine.sync_once()).ok
        clock.now += 31 * DAY
        await engine.sync_once()
    assert [(e.revision, e.action, e.payload) for e in timed_outbox.entries()] == [
        (1, "refer", None),
        (2, "withdraw", None),
    ]
    assert CHILD not in _plaintext(store)


async def test_nothing_pending_loses_its_payload(timed_outbox, engine_for, clock, central):
    _queue(timed_outbox, 0, 3)
    clock.now += 400 * DAY  # queued long ago, never sent (central unreachable all along)
    async with engine_for(retention_s=1 * DAY) as engine:
        await engine._compact()
        assert all(e.payload is not None for e in timed_outbox.entries())
        assert (await engine.sync_once()).ok
    assert_exactly_once(timed_outbox, central)


async def test_the_outbox_file_stays_bounded(store, data_dir, timed_outbox, engine_for, clock):
    """A court day of referrals a month for a year: the outbox grows by keys and receipts,
    not by the referrals' content."""
    journal = data_dir / "tables" / "outbox.jnl"
    sizes = []
    async with engine_for(retention_s=30 * DAY) as engine:
        for month in range(8):
            _queue(timed_outbox, month * 25, 25)
            assert (await engine.sync_once()).ok
            if month == 0:
                uncompacted = journal.stat().st_size  # one month's referrals, content and all
            clock.now += 31 * DAY
            await engine.sync_once()
            sizes.append(journal.stat().st_size)
    assert _plaintext(store).count(CHILD) == 0
    # Each month's content is dropped: the file grows only by what a month's keys, hashes and
    # receipts take (kept for exactly-once and the check against central), well under the
    # month's referrals as queued (without compaction every month would add at least that).
    growth = (sizes[-1] - sizes[1]) / 6
    assert growth < uncompacted / 2, (uncompacted, sizes)
    assert growth / 25 < 600, "bytes a compacted referral keeps on disk"


def test_the_retention_period_is_a_bounded_setting(store):
    assert load_retention_days(store) == RETENTION_DAYS_DEFAULT == 30
    save_retention_days(store, 7)
    assert load_retention_days(store) == 7
    for bad in (0, 366, -1, True, 7.5, "30"):
        with pytest.raises(SyncConfigError):
            save_retention_days(store, bad)  # type: ignore[arg-type]
    assert load_retention_days(store) == 7


async def test_the_apps_worker_uses_the_stored_retention_period(store, outbox):
    save_retention_days(store, 7)
    config = CentralConfig(url="http://127.0.0.1:9", token="t" * 43)
    worker = SyncWorker(
        outbox, config, on_state=lambda _s: None, on_report=lambda *_a: None,
        on_directory_changed=lambda: None,
    )  # fmt: skip
    assert worker.engine is not None and worker.engine._retention_s == 7 * DAY
    await worker.engine.aclose()
