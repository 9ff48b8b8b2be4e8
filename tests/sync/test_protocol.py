"""Issue 14's protocol weak points, each against a real `duty-central serve` process (and the
fault proxy where the network is at fault). Runs on SQLite and PostgreSQL."""

# ruff: noqa: F811  (the real-process fixtures are imported, then named as test arguments)
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from central import service
from central.db import Device, Submission
from duty_tui.services.central_config import CentralConfig
from duty_tui.services.sync_engine import Backoff, SyncEngine, SyncReport
from store import KdfParams, Store
from store.outbox import Outbox
from tests.sync.helpers import PASSPHRASE, ROOT, sample_payload
from tests.sync.test_real_faults import (  # noqa: F401  (pytest fixtures)
    FAST,
    assert_exactly_once,
    central,
    device,
    fill,
    held_by,
    proxy,
)

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("status", [400, 413, 415, 422])
async def test_a_4xx_that_is_not_centrals_is_transient(central, device, proxy, outbox, status):
    """A captive portal or proxy answering 4xx with its own page rejects nothing: the batch is
    neither halved nor refused, and goes through whole once the network lets it."""
    _process, engine = central
    name, token = device
    fill(outbox, 30)
    proxy.plan(f"portal{status}", f"portal{status}")
    config = CentralConfig(url=proxy.url, token=token, timeout_s=5, batch_size=10)
    async with SyncEngine(outbox, config, backoff=FAST) as sync:
        first = await sync.sync_once()
        # Two refused requests in a row: the rest back off too. Before the fix the first
        # batch was halved down to single items (15+ requests) and every one rejected.
        assert first.rejected == [] and proxy.requests == 2
        assert outbox.counts_by_state()["rejected"] == 0
        report = await sync.drain(max_time_s=30)
    assert report.remaining == 0 and report.rejected == []
    assert proxy.applied[f"portal{status}"] == 2
    assert_exactly_once(outbox, engine, name, 30)


class JumpingClock:
    """The wall clock of a laptop whose time is wrong, then corrected."""

    def __init__(self, offset_s: float) -> None:
        self.offset_s = offset_s

    def __call__(self) -> float:
        return time.time() + self.offset_s


async def test_a_wall_clock_jump_does_not_delay_retries(central, device, proxy, outbox):
    """Issue 14 (4): a failure recorded while the clock was 6 h fast used to wait 6 h once the
    clock was put right. Waits run on a monotonic clock, each at most the backoff maximum:
    in the same engine, and in a new one (the app restarted) reading the outbox's times."""
    _process, engine = central
    name, token = device
    fill(outbox, 20)
    proxy.plan("error500", "error500")
    clock = JumpingClock(6 * 3600)
    config = CentralConfig(url=proxy.url, token=token, timeout_s=5, batch_size=10)
    backoff = Backoff(base_s=0.2, cap_s=1.0)
    # Only the wall clock is wrong; the monotonic one is the real one, as on a laptop.
    async with SyncEngine(
        outbox, config, backoff=backoff, clock=clock, monotonic=time.monotonic
    ) as sync:
        first = await sync.sync_once()
        assert first.retrying == 20
        clock.offset_s = 0.0  # the clock is corrected
        wait = sync.next_wait()
        assert wait is not None and wait <= backoff.cap_s
        report = await sync.drain(max_time_s=10, force_first=False)
    assert report.remaining == 0
    assert_exactly_once(outbox, engine, name, 20)


async def test_a_restarted_app_caps_a_far_future_retry_time(central, device, proxy, outbox):
    _process, engine = central
    name, token = device
    fill(outbox, 10)
    proxy.plan("error500")
    config = CentralConfig(url=proxy.url, token=token, timeout_s=5, batch_size=10)
    backoff = Backoff(base_s=0.2, cap_s=1.0)
    fast = JumpingClock(6 * 3600)
    async with SyncEngine(
        outbox, config, backoff=backoff, clock=fast, monotonic=time.monotonic
    ) as sync:
        assert (await sync.sync_once()).retrying == 10
    assert min(e.next_attempt_at for e in outbox.pending()) > time.time() + 5 * 3600
    # The app restarts with the clock right: the outbox says "in 6 h", the engine waits at
    # most the backoff maximum.
    started = time.monotonic()
    async with SyncEngine(outbox, config, backoff=backoff) as sync:
        wait = sync.next_wait()
        assert wait is not None and wait <= backoff.cap_s
        report = await sync.drain(max_time_s=10, force_first=False)
    assert report.remaining == 0 and time.monotonic() - started < 10
    assert_exactly_once(outbox, engine, name, 10)


async def test_a_failed_batch_is_retried_as_one_batch(central, device, proxy, outbox):
    """Issue 14 (4): after a 500 on a batch, per-entry random delays used to split the rest
    into dozens of one-item requests. The batch fails together and is retried together."""
    _process, engine = central
    name, token = device
    fill(outbox, 100)
    proxy.plan("error500")
    config = CentralConfig(url=proxy.url, token=token, timeout_s=5, batch_size=50)
    # Delays long next to a loopback request, so they cannot all have passed by the next pass.
    async with SyncEngine(outbox, config, backoff=Backoff(base_s=1.0, cap_s=2.0)) as sync:
        first = await sync.sync_once()
        assert (first.retrying, first.acknowledged) == (50, 50)
        report = await sync.drain(max_time_s=10, force_first=False)
    assert report.remaining == 0
    # 500, the second batch, then the first batch once more: three requests, no more.
    assert proxy.requests == 3
    assert_exactly_once(outbox, engine, name, 100)


def _issue_token(process, name: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "central", "issue-token", "--device", name, "--db", process.db_url],
        cwd=ROOT, capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def _rows_of(engine, referral_ids: set[str]) -> list[tuple[str, int, str, str]]:
    with Session(engine) as session:
        return [
            tuple(row)
            for row in session.execute(
                select(
                    Submission.referral_id,
                    Submission.revision,
                    Submission.sha256,
                    Submission.receipt,
                ).where(Submission.referral_id.in_(referral_ids))
            )
        ]


async def test_a_new_device_token_after_a_lost_answer_stores_nothing_twice(
    central, device, proxy, outbox
):
    """Issue 14 (1): the answer to a batch is lost; the laptop is then given a token under a
    new device name and resends. Central used to store the referrals again (6 rows for 3) and
    set-status then refused ("used by several devices")."""
    process, engine = central
    _name, token = device
    ids = fill(outbox, 3)
    proxy.plan("drop")
    config = CentralConfig(url=proxy.url, token=token, timeout_s=5, batch_size=10)
    async with SyncEngine(outbox, config, backoff=FAST) as sync:
        assert (await sync.sync_once()).retrying == 3  # central committed; the answer was lost
    new_token = _issue_token(process, f"renamed-{os.urandom(3).hex()}")
    renamed = CentralConfig(url=proxy.url, token=new_token, timeout_s=5, batch_size=10)
    async with SyncEngine(outbox, renamed, backoff=FAST) as sync:
        report = await sync.drain(max_time_s=10)
    assert report.remaining == 0 and report.duplicates == 3 and not report.rejected
    held = _rows_of(engine, set(ids))
    assert len(held) == 3, "central stored a referral twice"
    assert {(r, v): (s, c) for r, v, s, c in held} == {
        e.key: (e.sha256, e.receipt) for e in outbox.entries()
    }
    # The administrator can still advance it without naming a device.
    done = subprocess.run(
        [sys.executable, "-m", "central", "set-status", "--db", process.db_url,
         "--referral", ids[0], "--status", "accepted"],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"{ids[0]} r1: accepted" in done.stdout


async def test_a_store_restored_from_an_old_backup_goes_on_after_centrals_revision(
    central, device, proxy, tmp_path
):
    """Issue 14 (3): the laptop's store is restored from a backup taken before an amendment
    was sent; the officer amends again, reusing that revision number with other content.
    Central used to answer 409 "key already used" and the referral was closed for good; the
    client now learns central's latest revision and goes on from it."""
    _process, engine = central
    name, token = device
    data_dir, backup = tmp_path / "app", tmp_path / "backup"
    config = CentralConfig(url=proxy.url, token=token, timeout_s=5, batch_size=10)
    referral_id = f"ref-{os.urandom(4).hex()}"

    async def sync_all(outbox: Outbox) -> SyncReport:
        async with SyncEngine(outbox, config, backoff=FAST) as sync:
            return await sync.drain(max_time_s=10)

    with Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests()) as store:
        outbox = Outbox(store)
        outbox.enqueue(referral_id, 1, case_id="case-1", payload=sample_payload())
        assert (await sync_all(outbox)).acknowledged == 1
    shutil.copytree(data_dir, backup)  # the backup: r1 acknowledged
    with Store.open(data_dir, PASSPHRASE) as store:
        outbox = Outbox(store)
        amended = sample_payload(court="Swansea Civil Justice Centre")
        outbox.enqueue(referral_id, 2, case_id="case-1", payload=amended, supersedes=1)
        assert (await sync_all(outbox)).acknowledged == 1
    shutil.rmtree(data_dir)
    shutil.copytree(backup, data_dir)  # the laptop is restored: r2 is gone from it
    with Store.open(data_dir, PASSPHRASE) as store:
        outbox = Outbox(store)
        again = sample_payload(court="Cardiff Civil and Family Justice Centre")
        outbox.enqueue(referral_id, 2, case_id="case-1", payload=again, supersedes=1)
        report = await sync_all(outbox)
        assert report.rejected == [] and report.renumbered == 1 and report.remaining == 0
        latest = outbox.latest(referral_id)
        assert (latest.revision, latest.supersedes, latest.state) == (3, 2, "acknowledged")
        assert latest.payload == again
        held = held_by(engine, name)
        assert held[(referral_id, 3)] == (latest.sha256, latest.receipt)
        # r1 and r2 are central's history; nothing stored twice; the new content is current.
        assert sorted(k for k in held if k[0] == referral_id) == [
            (referral_id, 1), (referral_id, 2), (referral_id, 3)
        ]  # fmt: skip
        history = {s.revision: s.status for s in service.referral_history(
            engine, service_device_id(engine, name), referral_id
        )}  # fmt: skip
        assert history == {1: "superseded", 2: "superseded", 3: "received"}


def service_device_id(engine, name: str) -> int:
    with Session(engine) as session:
        return session.scalar(select(Device.id).where(Device.name == name))


async def test_referrals_central_lost_are_found_and_resent(central, device, proxy, outbox):
    """Issue 14 (5): once acknowledged, a referral was never checked again, so rows central
    lost (its database restored from an older copy) were never resent. The engine checks its
    acknowledged referrals against central, a digest per batch of keys, and resends the lost."""
    _process, engine = central
    name, token = device
    ids = fill(outbox, 30)
    config = CentralConfig(url=proxy.url, token=token, timeout_s=5, batch_size=10)
    async with SyncEngine(outbox, config, backoff=FAST) as sync:
        assert (await sync.drain(max_time_s=10)).acknowledged == 30
        assert await sync.verify_acknowledged(chunk=7) == []  # all held: digests match
        # Central loses what it stored of 4 referrals, as a restore to an older copy does.
        lost = sorted(ids[3:5] + ids[20:22])
        with Session(engine) as session, session.begin():
            session.execute(delete(Submission).where(Submission.referral_id.in_(lost)))
        assert len(held_by(engine, name)) == 26
        found = await sync.verify_acknowledged(chunk=7)
        assert sorted(found) == [(r, 1) for r in lost]
        assert {outbox.get(r, 1).state for r in lost} == {"queued"}
        report = await sync.drain(max_time_s=10)
    assert report.acknowledged == 4 and report.duplicates == 0 and report.remaining == 0
    assert_exactly_once(outbox, engine, name, 30)


async def test_verification_trusts_nothing_central_says(central, device, proxy, outbox):
    """Missing keys central names that this device never asked about are ignored."""
    _process, _engine = central
    _name, token = device
    fill(outbox, 3)
    config = CentralConfig(url=proxy.url, token=token, timeout_s=5, batch_size=10)
    async with SyncEngine(outbox, config, backoff=FAST) as sync:
        await sync.drain(max_time_s=10)

        async def lying(_keys, *, list_missing: bool) -> dict:
            other = {"referral_id": "ref-not-mine", "revision": 1}
            return {"digest": "0" * 64, "missing": [other, ["x"], {"referral_id": 1}]}

        sync._verify = lying  # central's answer replaced: what a hostile central could send
        assert await sync.verify_acknowledged() == []
    assert outbox.counts_by_state()["acknowledged"] == 3


def test_the_sync_command_finds_and_resends_what_central_lost(central, device, tmp_path):
    """The officer's `duty-tui sync` checks acknowledged referrals too (once an hour, or at
    once with --verify), and resends in the same run what central no longer holds."""
    process, engine = central
    name, token = device
    data_dir = tmp_path / "app"
    with Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests()) as store:
        ids = fill(Outbox(store), 12)
    env = {
        **os.environ,
        "DUTY_TUI_PASSPHRASE": PASSPHRASE,
        "DUTY_TUI_CENTRAL_URL": f"http://127.0.0.1:{process.port}",
        "DUTY_TUI_DEVICE_TOKEN": token,
    }

    def sync(*extra: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "duty_tui.cli", "sync", "--data-dir", str(data_dir)]
        return subprocess.run(
            [*command, "--max-time", "20", *extra],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    first = sync()
    assert first.returncode == 0, first.stderr
    assert "no longer held" not in first.stderr
    lost = sorted(ids[2:5])
    with Session(engine) as session, session.begin():
        session.execute(delete(Submission).where(Submission.referral_id.in_(lost)))
    # Checked a moment ago: a plain run within the hour does not ask again.
    quiet = sync()
    assert quiet.returncode == 0 and "no longer held" not in quiet.stderr
    assert len(held_by(engine, name)) == 9
    asked = sync("--verify")
    assert asked.returncode == 0, asked.stderr
    assert "no longer held 3 referrals" in asked.stderr
    assert "acknowledged 3 now" in asked.stdout
    with Store.open(data_dir, PASSPHRASE) as store:
        assert_exactly_once(Outbox(store), engine, name, 12)


@pytest.mark.parametrize(
    ("last", "now", "due"),
    [
        (None, 1000.0, True),  # never checked
        (1000.0, 1000.0 + 3599, False),
        (1000.0, 1000.0 + 3600, True),
        (1000.0 + 6 * 3600, 1000.0, True),  # checked while the clock was 6 h fast
    ],
)
def test_verification_is_due_after_an_hour_or_after_a_clock_jump(last, now, due):
    from duty_tui.services.central_config import verification_due

    assert verification_due(last, now) is due
