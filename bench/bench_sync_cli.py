"""The sync the officer runs: the real `duty-tui sync` CLI as a subprocess, start-up included.

Keys:
- sync.cli_startup_s          baseline, same run: `duty-tui sync --help` (interpreter, imports)
- sync.e2e_referrals_per_s    1,000 queued referrals over 1,000 cases, one `duty-tui sync` run
                              to a real `duty-central serve` (SQLite), reconcile included
- sync.noop_s.10000           `duty-tui sync` with nothing to send, 10,000 acknowledged entries
- sync.noop_over_startup      sync.noop_s.10000 / sync.cli_startup_s (the machine-free figure)

bench_sync drives the engine in-process without ``cases=``, so it never measured what the
officer waits for (start-up, the store, reconciling the cases); this does. The cheap test KDF
is used because unlocking is measured by bench_store, not here.

Run alone: python -m bench.bench_sync_cli
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import attrs

from bench.bench_sync import PASSPHRASE, ROOT, _free_port, _start_central
from central import service
from central.db import make_engine
from records.caseformat import load_cases
from records.model import Referral, ReferralState
from records.payload import build_payload, payload_to_dict
from store import KdfParams, Store
from store.cases import CaseRepository
from store.outbox import NewEntry, Outbox

CASES = 1000
NOOP_ENTRIES = 10_000
CLI = Path(sys.executable).with_name("duty-tui")


def _make_store(data_dir: Path) -> None:
    """CASES cases, each with one queued referral on the case and in the outbox."""
    template = load_cases((ROOT / "docs" / "examples" / "case.json").read_bytes())[0]
    direction = template.directions[0]
    store = Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests())
    try:
        cases, outbox = CaseRepository(store), Outbox(store)
        items: list[NewEntry] = []
        for i in range(CASES):
            referral = Referral(
                direction_id=direction.id,
                party_id=direction.party_id,
                activity=direction.activity,
                provider_id=direction.provider_id,
                state=ReferralState.QUEUED,
            )
            case = attrs.evolve(template, id=f"bench-case-{i:05d}", referrals=(referral,))
            cases.save(case)
            payload = payload_to_dict(build_payload(case, direction, referral))
            items.append(NewEntry(referral.id, 1, case.id, payload))
        outbox.enqueue_many(items)
    finally:
        store.close()


def _add_entries(data_dir: Path, count: int) -> None:
    """More queued entries over the same cases (outbox only), to reach NOOP_ENTRIES."""
    store = Store.open(data_dir, PASSPHRASE)
    try:
        outbox = Outbox(store)
        payload = outbox.entries()[0].payload
        outbox.enqueue_many(
            [NewEntry(f"bench-extra-{i:05d}", 1, f"bench-case-{i % CASES:05d}", payload)
             for i in range(count)]
        )  # fmt: skip
    finally:
        store.close()


def _cli(
    data_dir: Path,
    url: str,
    token: str,
    *args: str,
    write_bytecode: bool = False,
    check: bool = True,
) -> float:
    env = dict(os.environ, DUTY_TUI_PASSPHRASE=PASSPHRASE, DUTY_TUI_DEVICE_TOKEN=token)
    # The officer's second run finds the bytecode its first run wrote; a machine that sets
    # PYTHONDONTWRITEBYTECODE (as CI's does) would otherwise compile every module on every run.
    if write_bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [str(CLI), "--data-dir", str(data_dir), "sync", "--central", url, *args]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, timeout=600)
    elapsed = time.perf_counter() - started
    if check and done.returncode != 0 and "--help" not in args:
        raise RuntimeError(f"duty-tui sync exited {done.returncode}: {done.stderr[-400:]!r}")
    return elapsed


def _warm_up(data_dir: Path, token: str) -> None:
    """One run that writes the bytecode caches, as the officer's first run of the day does:
    on a copy of the store, to a central that is not there (nothing sent, nothing changed)."""
    copy = data_dir.with_name("warm-up")
    shutil.copytree(data_dir, copy)
    nowhere = f"http://127.0.0.1:{_free_port()}"
    _cli(copy, nowhere, token, "--max-time", "0", write_bytecode=True, check=False)
    _cli(copy, nowhere, token, "--help", write_bytecode=True, check=False)
    shutil.rmtree(copy)


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-sync-cli-") as tmp:
        work = Path(tmp)
        db_url = f"sqlite:///{work / 'central.sqlite3'}"
        engine = make_engine(db_url)
        token = service.issue_token(engine, "bench-cli")
        engine.dispose()
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        central = _start_central(db_url, port)
        try:
            data_dir = work / "store"
            _make_store(data_dir)
            _warm_up(data_dir, token)
            startup = min(_cli(data_dir, url, token, "--help") for _ in range(3))
            e2e = _cli(data_dir, url, token)
            _add_entries(data_dir, NOOP_ENTRIES - CASES)
            _cli(data_dir, url, token)  # sends the rest: now 10,000 acknowledged
            noop = min(_cli(data_dir, url, token) for _ in range(3))
        finally:
            central.send_signal(signal.SIGTERM)
            central.wait(10)
    return {
        "sync.cli_startup_s": startup,
        "sync.e2e_referrals_per_s": CASES / e2e,
        "sync.noop_s.10000": noop,
        "sync.noop_over_startup": noop / startup,
    }


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    print(json.dumps(run(), indent=2))
