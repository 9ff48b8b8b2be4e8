"""A purge SIGKILLed at random disk calls: every case is whole or gone, the store opens with
nothing to report, the audit trail names every case that went, and a second run finishes."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import attrs

from duty_tui.services.audit import AuditLog
from duty_tui.services.purge import plan_purge, purge
from duty_tui.services.referrals import queue_referral
from store import CaseNotFound, KdfParams, Store
from store.cases import CaseRepository
from store.outbox import PENDING, Acknowledged, Outbox
from tests.sync.helpers import case_with_directions

ROOT = Path(__file__).resolve().parents[2]
PASS = "purge crash passphrase"
DAY = 86_400.0
SETTLED = ["settled-1", "settled-2", "settled-3"]
KILLS = 4  # random points, plus the first and the last disk call: bounded for the suite's time


def _make(data_dir: Path) -> None:
    today = dt.date.today()
    with Store.create(data_dir, PASS, kdf=KdfParams.for_tests()) as store:
        outbox = Outbox(store, clock=lambda: time.time() - 60 * DAY)
        repo = CaseRepository(store)
        for n, case_id in enumerate([*SETTLED, "waiting"]):
            case = case_with_directions(1, case_id=case_id)
            case = attrs.evolve(
                case,
                case_number=f"ZZ26P0000{n}",
                hearing=attrs.evolve(case.hearing, date=today - dt.timedelta(days=45)),
            )
            repo.save(case)
            queue_referral(repo, outbox, case_id, case.directions[0].id)
            if case_id != "waiting":
                keys = [e.key for e in outbox.entries(case_id) if e.state in PENDING]
                outbox.mark_sent(keys)
                outbox.record([Acknowledged(k, "receipt") for k in keys])


def _child(data_dir: Path, n: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DUTY_TUI_PASSPHRASE": PASS}
    return subprocess.run(
        [sys.executable, "-m", "tests.services.purge_child", str(data_dir), str(n)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _check(data_dir: Path) -> list[str]:
    """The store after the kill: returns the settled cases that are gone."""
    with Store.open(data_dir, PASS) as store:
        assert store.problems() == [] and store.told() == []
        gone = []
        for case_id in SETTLED:
            try:
                CaseRepository(store).get(case_id)  # whole: it reads back
                assert case_id in store.summaries()
            except CaseNotFound:
                assert case_id not in store.summaries()
                assert not store.case_path(case_id).exists()
                gone.append(case_id)
        CaseRepository(store).get("waiting")
        trail = AuditLog(store, "test")
        assert trail.breaks() == []
        purged_lines = {e.case_id for e in trail.entries() if e.action == "purged"}
        assert set(gone) <= purged_lines  # never a purge the trail does not record
        # A second run finishes the job: every settled case and its referrals' names go.
        outbox = Outbox(store)
        plan = plan_purge(store, outbox, today=dt.date.today())
        purge(store, outbox, trail, plan.due)
        assert sorted(store.summaries()) == ["waiting"]
        assert all(e.payload is None for e in outbox.entries() if e.case_id != "waiting")
        assert all(e.payload is not None for e in outbox.entries("waiting"))
        assert sorted(e.case_id for e in trail.entries() if e.action == "purged") == SETTLED
    return gone


def test_sigkill_mid_purge_leaves_each_case_whole_or_gone(tmp_path: Path):
    template = tmp_path / "template"
    _make(template)
    probe = tmp_path / "probe"
    shutil.copytree(template, probe)
    done = _child(probe, -1)
    assert done.returncode == 0, done.stderr
    print(done.stdout)
    total = int(done.stdout.splitlines()[-1].split()[1])
    assert total > 10
    assert _check(probe) == SETTLED
    rng = random.Random(20261204)
    points = sorted({0, total - 1, *rng.sample(range(1, total - 1), KILLS)})
    outcomes = set()
    for n in points:
        data_dir = tmp_path / f"kill-{n}"
        shutil.copytree(template, data_dir)
        killed = _child(data_dir, n)
        assert killed.returncode == -signal.SIGKILL, (n, killed.stdout, killed.stderr)
        outcomes.add(len(_check(data_dir)))
    assert len(outcomes) > 1  # the kills landed before, between and after the deletes
