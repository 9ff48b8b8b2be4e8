"""Hypothesis state machine: enqueue / amend / withdraw / sync with faults / crash and restart.

Invariant: nothing acknowledged is ever lost or duplicated (central holds each key once, with
the sha256 and receipt the outbox has), and the case view never claims more than the outbox.
At the end the network comes back and the outbox must drain completely.

Central runs in-process (ASGI) behind a fault-injecting transport for speed; the real-process
version of the same faults is in test_real_faults.py.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import tempfile
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from sqlalchemy import select
from sqlalchemy.orm import Session

from central import service
from central.app import create_app
from central.db import Submission, make_engine
from duty_tui.services.central_config import CentralConfig
from duty_tui.services.referrals import amend_referral, queue_referral, withdraw_referral
from duty_tui.services.sync_engine import Backoff, SyncEngine
from records.model import Activity, Direction, DirectionStatus, FundingRoute
from records.payload import PayloadError
from store import KdfParams, Store
from store.cases import CaseRepository
from store.outbox import Outbox
from tests.sync.faults import FAULTS, Crash, FaultTransport
from tests.sync.helpers import PASSPHRASE, case_with_directions

_RANK = {"draft": 0, "queued": 1, "sent": 2, "acknowledged": 3, "rejected": 3}


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


class SyncMachine(RuleBasedStateMachine):
    referrals = Bundle("referrals")

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="sync-machine-"))
        self.loop = asyncio.new_event_loop()
        self.central = make_engine(f"sqlite:///{self.tmp / 'central.sqlite3'}")
        self.token = service.issue_token(self.central, "laptop")
        self.transport = FaultTransport(create_app(self.central))
        self.clock = Clock()
        self.store = Store.create(self.tmp / "data", PASSPHRASE, kdf=KdfParams.for_tests())
        CaseRepository(self.store).save(case_with_directions(0))
        self.directions = 0
        self.withdrawn: set[str] = set()
        self.ever_acknowledged: dict[tuple[str, int], tuple[str, str]] = {}
        self._open_app()

    def _open_app(self) -> None:
        self.cases = CaseRepository(self.store)
        self.outbox = Outbox(self.store, clock=self.clock)
        config = CentralConfig(url="http://127.0.0.1:9", token=self.token, batch_size=3)
        self.engine = SyncEngine(
            self.outbox,
            config,
            transport=self.transport,
            clock=self.clock,
            sleep=self.clock.sleep,
            rng=random.Random(0),
            backoff=Backoff(1.0, 300.0),
            cases=self.cases,
        )

    def _run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def _restart(self) -> None:
        """The app dies and starts again: only what is on disk survives."""
        try:
            self._run(self.engine.aclose())
        except Exception:
            pass
        self.store.close()
        self.store = Store.open(self.tmp / "data", PASSPHRASE)
        self._open_app()

    # --- what the officer does ---------------------------------------------------------------

    @rule(target=referrals)
    def enqueue(self) -> str:
        case = self.cases.get("case-1")
        direction = Direction(
            activity=Activity.WT4C,
            party_id=case.parties[0].id,
            provider_id="sample-wt4c-cardiff",
            funding=FundingRoute.LEGAL_AID,
            status=DirectionStatus.DIRECTED,
            id=f"dir-{self.directions}",
        )
        self.directions += 1
        self.cases.save(attrs.evolve(case, directions=(*case.directions, direction)))
        case = queue_referral(self.cases, self.outbox, "case-1", direction.id)
        return next(r.id for r in case.referrals if r.direction_id == direction.id)

    @rule(referral=referrals, phone=st.integers(0, 999))
    def amend(self, referral: str, phone: int) -> None:
        case = self.cases.get("case-1")
        party = attrs.evolve(case.parties[0], phone=f"07700 900{phone:03d}")
        self.cases.save(attrs.evolve(case, parties=(party, *case.parties[1:])))
        if referral in self.withdrawn:
            with pytest.raises(PayloadError):
                amend_referral(self.cases, self.outbox, "case-1", referral)
            return
        before = self.outbox.latest(referral)
        after = amend_referral(self.cases, self.outbox, "case-1", referral)
        latest = self.outbox.latest(referral)
        assert latest.revision in (before.revision, before.revision + 1)
        assert next(r for r in after.referrals if r.id == referral).revision == latest.revision

    @rule(referral=referrals)
    def withdraw(self, referral: str) -> None:
        withdraw_referral(self.cases, self.outbox, "case-1", referral, "no longer needed")
        self.withdrawn.add(referral)
        assert self.outbox.latest(referral).action == "withdraw"

    # --- the network and the machine ----------------------------------------------------------

    @rule(faults=st.lists(st.sampled_from((*FAULTS, "pass")), max_size=4))
    def sync_with_faults(self, faults: list[str]) -> None:
        self.transport.plan.extend(faults)
        self._run(self.engine.sync_once(force=True))
        self.transport.plan.clear()

    @rule()
    def sync_while_offline(self) -> None:
        self.transport.down = True
        report = self._run(self.engine.sync_once(force=True))
        self.transport.down = False
        assert report.acknowledged == 0

    @rule(skip=st.integers(0, 2))
    def crash_mid_sync(self, skip: int) -> None:
        """Central commits a batch; the app dies before it records the answer."""
        self.transport.plan.extend(["pass"] * skip + ["crash"])
        try:
            self._run(self.engine.sync_once(force=True))
        except Crash:
            pass
        self.transport.plan.clear()
        self._restart()

    @rule()
    def crash_restart(self) -> None:
        self._restart()

    @rule(seconds=st.floats(0, 600))
    def time_passes(self, seconds: float) -> None:
        self.clock.now += seconds
        self._run(self.engine.sync_once())  # only what is due

    # --- invariants ---------------------------------------------------------------------------

    def _held(self) -> dict[tuple[str, int], tuple[str, str]]:
        with Session(self.central) as session:
            rows = session.execute(
                select(
                    Submission.referral_id,
                    Submission.revision,
                    Submission.sha256,
                    Submission.receipt,
                )
            ).all()
        keys = [(r, v) for r, v, _s, _c in rows]
        assert len(keys) == len(set(keys)), "central holds a key twice"
        return {(r, v): (s, c) for r, v, s, c in rows}

    @invariant()
    def nothing_acknowledged_is_lost_or_duplicated(self) -> None:
        held = self._held()
        entries = {e.key: e for e in self.outbox.entries()}
        for key, entry in entries.items():
            if entry.state == "acknowledged":
                assert held[key] == (entry.sha256, entry.receipt)
                self.ever_acknowledged[key] = (entry.sha256, entry.receipt)
            assert entry.state != "rejected", entry.reason
        for key, seen in self.ever_acknowledged.items():
            entry = entries[key]
            assert entry.state == "acknowledged" and (entry.sha256, entry.receipt) == seen
        # Central holds nothing the outbox does not have (keys are never invented).
        assert set(held) <= set(entries)

    @invariant()
    def the_case_never_claims_more_than_the_outbox(self) -> None:
        latest = self.outbox.latest_by_referral("case-1")
        for referral in self.cases.get("case-1").referrals:
            entry = latest.get(referral.id)
            if entry is None:
                assert referral.state == "draft"
                continue
            assert referral.revision <= entry.revision
            assert _RANK[referral.state] <= _RANK[entry.state]
            if referral.state == "acknowledged":
                assert referral.receipt == entry.receipt

    def teardown(self) -> None:
        try:
            self.transport.plan.clear()
            self.transport.down = False
            report = self._run(self.engine.drain(max_time_s=3600))
            assert report.remaining == 0 and not report.rejected
            held = self._held()
            entries = self.outbox.entries()
            assert all(e.state == "acknowledged" for e in entries)
            assert {e.key: (e.sha256, e.receipt) for e in entries} == held
            self.the_case_never_claims_more_than_the_outbox()
        finally:
            try:
                self._run(self.engine.aclose())
            finally:
                self.store.close()
                self.central.dispose()
                self.loop.close()
                shutil.rmtree(self.tmp, ignore_errors=True)


SyncMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_sync_state_machine = SyncMachine.TestCase
