"""Real faults: `duty-central serve` as a process on loopback, a fault proxy in front of it,
the app syncing over real sockets (in-process, or as a `duty-tui sync` process that is
SIGKILLed). After each fault: central holds every referral exactly once and the app shows
all of them acknowledged. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.db import Device, Submission, make_engine
from duty_tui.services.central_config import CentralConfig
from duty_tui.services.referrals import queue_referral
from duty_tui.services.sync_engine import Backoff, SyncEngine
from store import KdfParams, Store
from store.cases import CaseRepository
from store.outbox import NewEntry, Outbox
from tests.central.backends import BACKENDS, database
from tests.sync.central_process import CentralProcess
from tests.sync.faultproxy import FaultProxy
from tests.sync.helpers import PASSPHRASE, ROOT, case_with_directions, sample_payload

pytestmark = pytest.mark.slow

FAST = Backoff(base_s=0.01, cap_s=0.1)  # real sleeps, scaled down: the faults are the point


@pytest.fixture(scope="module", params=BACKENDS)
def central(request, tmp_path_factory):
    with database(request.param, tmp_path_factory.mktemp("central")) as url:
        process = CentralProcess(url).start()
        engine = make_engine(url)
        try:
            yield process, engine
        finally:
            process.kill()
            engine.dispose()


@pytest.fixture
def device(central, request) -> tuple[str, str]:
    """A device of its own for each test (central is shared by the module)."""
    process, _engine = central
    name = f"{request.node.name[:40]}-{os.urandom(3).hex()}"
    done = subprocess.run(
        [sys.executable, "-m", "central", "issue-token", "--device", name, "--db", process.db_url],
        cwd=ROOT, capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    token = done.stdout.strip()
    assert token and token not in done.stderr
    return name, token


@pytest.fixture
def proxy(central):
    process, _engine = central
    with FaultProxy(process.port, delay_s=1.5, refuse_s=0.2) as running:
        yield running


def held_by(engine, device: str) -> dict[tuple[str, int], tuple[str, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(
                Submission.referral_id, Submission.revision, Submission.sha256, Submission.receipt
            )
            .join(Device)
            .where(Device.name == device)
        ).all()
    keys = [(r, v) for r, v, _s, _c in rows]
    assert len(keys) == len(set(keys)), "central holds a referral twice"
    return {(r, v): (s, c) for r, v, s, c in rows}


def assert_exactly_once(outbox: Outbox, engine, device: str, expected: int) -> None:
    entries = outbox.entries()
    assert len(entries) == expected
    assert [e for e in entries if e.state != "acknowledged"] == []
    assert {e.key: (e.sha256, e.receipt) for e in entries} == held_by(engine, device)


def fill(outbox: Outbox, count: int) -> list[str]:
    """``count`` referrals with ids of their own: central's key is (referral id, revision)
    whichever device sends it, and the tests of a module share one central, as laptops do
    (their ids are random uuids)."""
    prefix = os.urandom(4).hex()
    ids = [f"ref-{prefix}-{i:04d}" for i in range(count)]
    outbox.enqueue_many(
        [NewEntry(rid, 1, f"case-{i % 7}", sample_payload()) for i, rid in enumerate(ids)]
    )
    return ids


async def test_every_fault_over_real_sockets(central, device, proxy, outbox):
    _process, engine = central
    name, token = device
    fill(outbox, 80)
    proxy.plan("pass", "drop", "pass", "error500", "delay", "refuse", "duplicate", "drop", "pass")
    # Generous next to a loopback batch (~10 ms), short next to the injected 1.5 s delay.
    config = CentralConfig(url=proxy.url, token=token, timeout_s=0.8, batch_size=10)
    async with SyncEngine(outbox, config, backoff=FAST) as sync:
        first = await sync.sync_once()
        assert first.retrying > 0
        report = await sync.drain(max_time_s=30)
    assert report.remaining == 0 and not report.rejected
    assert set(proxy.applied) == {"drop", "error500", "delay", "refuse", "duplicate"}
    # The delayed request reaches central after the app gave up on it: wait for that too.
    await asyncio.sleep(proxy.delay_s)
    # Dropped, timed-out and duplicated requests all reached central; it stored each once.
    unanswered = proxy.applied["error500"] + proxy.applied["refuse"]
    assert proxy.delivered == proxy.requests - unanswered + proxy.applied["duplicate"]
    assert report.duplicates >= 10  # at least the batch whose answer was dropped first
    assert_exactly_once(outbox, engine, name, 80)


async def test_central_killed_and_restarted_mid_batch(central, device, proxy, outbox):
    process, engine = central
    name, token = device
    fill(outbox, 40)
    proxy.plan("pass", "hold")
    config = CentralConfig(url=proxy.url, token=token, timeout_s=20, batch_size=10)
    async with SyncEngine(outbox, config, backoff=FAST) as sync:
        running = asyncio.create_task(sync.sync_once())
        assert await asyncio.to_thread(proxy.holding.wait, 20)
        # Central has committed batch 2 and its answer is in flight: kill it right there.
        await asyncio.to_thread(process.restart)
        proxy.release()
        first = await running
        assert first.retrying >= 10
        report = await sync.drain(max_time_s=30)
    assert report.remaining == 0
    assert_exactly_once(outbox, engine, name, 40)


def _sync_command(data_dir, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "duty_tui.cli", "sync", "--data-dir", str(data_dir),
        "--batch-size", "10", "--max-time", "20", *extra,
    ]  # fmt: skip


def test_app_sigkilled_mid_sync_then_restarted(central, device, proxy, tmp_path):
    _process, engine = central
    name, token = device
    data_dir = tmp_path / "app"
    with Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests()) as store:
        cases = CaseRepository(store)
        outbox = Outbox(store)
        cases.save(case_with_directions(3))
        for direction in ("dir-0", "dir-1", "dir-2"):
            queue_referral(cases, outbox, "case-1", direction)
        fill(outbox, 57)
    env = {
        **os.environ,
        "DUTY_TUI_PASSPHRASE": PASSPHRASE,
        "DUTY_TUI_CENTRAL_URL": proxy.url,
        "DUTY_TUI_DEVICE_TOKEN": token,
    }
    proxy.plan("pass", "pass", "hold")
    app = subprocess.Popen(
        _sync_command(data_dir), cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert proxy.holding.wait(30), "the app never reached its third batch"
        app.send_signal(signal.SIGKILL)  # mid-sync: central committed, the app never heard
        assert app.wait(10) == -signal.SIGKILL
    finally:
        if app.poll() is None:
            app.kill()
        proxy.release()
    assert len(held_by(engine, name)) == 30

    again = subprocess.run(
        _sync_command(data_dir, "--json"), cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    with Store.open(data_dir, PASSPHRASE) as store:
        outbox = Outbox(store)
        assert_exactly_once(outbox, engine, name, 60)
        case = CaseRepository(store).get("case-1")
        assert [r.state for r in case.referrals] == ["acknowledged"] * 3
        receipts = {e.referral_id: e.receipt for e in outbox.entries()}
        assert all(r.receipt == receipts[r.id] for r in case.referrals)
    # Nothing about the referrals reached the app's output.
    assert "Rhiannon" not in again.stdout + again.stderr


def test_tokens_over_the_wire(central, device, proxy, tmp_path):
    """The command line with a wrong token, from a private file or the environment (never
    from its arguments): exit 4, nothing sent, nothing lost, the token not printed."""
    data_dir = tmp_path / "app"
    with Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests()) as store:
        fill(Outbox(store), 3)
    wrong = "x" * 43
    token_file = tmp_path / "device-token"
    token_file.write_text(wrong + "\n")
    token_file.chmod(0o600)
    env = {**os.environ, "DUTY_TUI_PASSPHRASE": PASSPHRASE}
    env.pop("DUTY_TUI_DEVICE_TOKEN", None)
    for extra, extra_env in (
        (["--token-file", str(token_file)], {}),
        ([], {"DUTY_TUI_DEVICE_TOKEN": wrong}),
    ):
        done = subprocess.run(
            _sync_command(data_dir, "--central", proxy.url, *extra), cwd=ROOT,
            env={**env, **extra_env}, capture_output=True, text=True, timeout=60,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert done.returncode == 4 and "token" in done.stderr
        assert wrong not in done.stdout + done.stderr
    with Store.open(data_dir, PASSPHRASE) as store:
        assert Outbox(store).pending_count() == 3


def test_random_faults_drain(central, device, proxy, outbox):
    """20 % of batch requests fail at random, every kind; the outbox still drains exactly once."""
    _process, engine = central
    name, token = device
    fill(outbox, 150)
    proxy.random_rate = 0.2
    proxy.delay_s = 1.0
    proxy._rng = random.Random(20)
    config = CentralConfig(url=proxy.url, token=token, timeout_s=0.6, batch_size=10)

    async def go():
        async with SyncEngine(outbox, config, backoff=FAST) as sync:
            return await sync.drain(max_time_s=60)

    started = time.monotonic()
    report = asyncio.run(go())
    assert report.remaining == 0, report
    assert time.monotonic() - started < 30
    assert_exactly_once(outbox, engine, name, 150)


def test_an_outbox_that_forgot_referrals_is_caught_by_central(central, device, proxy, tmp_path):
    """The outbox is lost after a sync (and the officer accepts the loss): the laptop alone
    cannot know what it had sent, but central's list of what it holds from this device can."""
    _name, token = device
    data_dir = tmp_path / "app"
    with Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests()) as store:
        ids = fill(Outbox(store), 12)
    env = {
        **os.environ,
        "DUTY_TUI_PASSPHRASE": PASSPHRASE,
        "DUTY_TUI_CENTRAL_URL": proxy.url,
        "DUTY_TUI_DEVICE_TOKEN": token,
    }

    def sync() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            _sync_command(data_dir), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )

    first = sync()
    assert first.returncode == 0, first.stderr
    (data_dir / "tables" / "outbox.jnl").unlink()
    blocked = sync()
    assert blocked.returncode == 2 and "duty-tui doctor" in blocked.stderr
    with Store.open(data_dir, PASSPHRASE) as store:
        store.accept("table:outbox")
    after = sync()
    assert after.returncode == 1
    assert "hold 12 referrals sent from this laptop that its outbox does not know" in (after.stderr)
    assert f"{ids[0]} r1" in after.stderr
