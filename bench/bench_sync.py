"""Sync benchmark: 1,000 queued referrals to a real `duty-central serve` (uvicorn, SQLite).

Keys:
- sync.referrals_per_s          1,000 referrals drained straight to central on loopback
- sync.referrals_per_s_faults   the same through the fault proxy, 20 % of batch requests
                                failing (dropped answer, 500, timeout, refused, duplicated)
- sync.central_duplicates       rows central holds beyond one per key (must be 0)

Both runs use the same batch size (50, so the fault run has ~20 requests for its 20 % to
bite on), through the real encrypted store (fsyncs and all; the cheap test KDF only because
unlocking is not what is measured).

Backoff is scaled down for the fault run, as the issue allows: base 0.05 s, cap 1 s instead of
1 s / 300 s, with a 0.25 s client timeout against a 0.3 s injected delay. With the production
settings a single fault costs its batch up to 1 s (first retry) and a timeout 10 s, which
measures the settings, not the sync. The fault proxy is tests/sync/faultproxy.py.

Run alone: python -m bench.bench_sync
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central import service
from central.db import Submission, make_engine
from duty_tui.services.central_config import CentralConfig
from duty_tui.services.sync_engine import Backoff, SyncEngine
from records.caseformat import load_cases
from records.model import Referral
from records.payload import build_payload, payload_to_dict
from store import KdfParams, Store
from store.outbox import NewEntry, Outbox

ROOT = Path(__file__).resolve().parents[1]
REFERRALS = 1000
BATCH = 50
FAULT_RATE = 0.2
PASSPHRASE = "bench passphrase"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_central(db_url: str, port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "central", "serve", "--db", db_url, "--port", str(port),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("duty-central did not start")


def _payload() -> dict[str, object]:
    case = load_cases((ROOT / "docs" / "examples" / "case.json").read_bytes())[0]
    direction = case.directions[0]
    referral = Referral(
        direction_id=direction.id,
        party_id=direction.party_id,
        activity=direction.activity,
        provider_id=direction.provider_id,
    )
    return payload_to_dict(build_payload(case, direction, referral))


def _drain(
    data_dir: Path, url: str, token: str, *, backoff: Backoff, timeout_s: float, seed: int
) -> tuple[float, int]:
    """Queue REFERRALS in a fresh store, drain them to ``url``; seconds taken, pending left."""
    payload = _payload()
    store = Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests())
    try:
        outbox = Outbox(store)
        outbox.enqueue_many(
            # Ids of the run's own: central keys a referral by id and revision, whichever
            # device sends it, and both runs share one central.
            [
                NewEntry(f"bench-{data_dir.name}-{i:05d}", 1, f"case-{i % 40}", payload)
                for i in range(REFERRALS)
            ]
        )
        config = CentralConfig(url=url, token=token, timeout_s=timeout_s, batch_size=BATCH)

        async def go() -> None:
            async with SyncEngine(
                outbox, config, backoff=backoff, rng=random.Random(seed)
            ) as engine:
                await engine.drain(max_time_s=120)

        started = time.perf_counter()
        asyncio.run(go())
        elapsed = time.perf_counter() - started
        return elapsed, outbox.pending_count() + outbox.counts_by_state()["rejected"]
    finally:
        store.close()


def run() -> dict[str, float]:
    sys.path.insert(0, str(ROOT))  # tests.sync.faultproxy
    from tests.sync.faultproxy import FaultProxy

    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        work = Path(tmp)
        db_url = f"sqlite:///{work / 'central.sqlite3'}"
        engine = make_engine(db_url)
        clean_token = service.issue_token(engine, "bench-clean")
        faults_token = service.issue_token(engine, "bench-faults")
        port = _free_port()
        central = _start_central(db_url, port)
        try:
            clean_s, clean_left = _drain(
                work / "clean",
                f"http://127.0.0.1:{port}",
                clean_token,
                backoff=Backoff(1.0, 300.0),
                timeout_s=10.0,
                seed=1,
            )
            with FaultProxy(port, delay_s=0.3, refuse_s=0.05) as proxy:
                # Exactly one batch request in five fails, each kind in turn: a fixed 20 %
                # rather than a coin per request, so runs compare.
                kinds = ("drop", "error500", "delay", "refuse", "duplicate")
                every = round(1 / FAULT_RATE)
                proxy.plan(*[f for k in kinds * 20 for f in ("pass",) * (every - 1) + (k,)])
                faults_s, faults_left = _drain(
                    work / "faults",
                    proxy.url,
                    faults_token,
                    backoff=Backoff(0.05, 1.0),
                    timeout_s=0.25,
                    seed=2,
                )
                time.sleep(proxy.delay_s)  # let late deliveries land before counting
                applied = dict(proxy.applied)
                requests = proxy.requests
        finally:
            central.send_signal(signal.SIGTERM)
            central.wait(10)
        with Session(engine) as session:
            rows = session.scalar(select(func.count()).select_from(Submission)) or 0
            keys = session.execute(
                select(Submission.device_id, Submission.referral_id, Submission.revision).distinct()
            ).all()
        engine.dispose()
    if clean_left or faults_left:
        raise RuntimeError(f"referrals left undelivered: {clean_left} / {faults_left}")
    if len(keys) != 2 * REFERRALS:
        raise RuntimeError(f"central holds {len(keys)} keys, expected {2 * REFERRALS}")
    print(
        f"  faults: {sum(applied.values())}/{requests} batch requests failed {applied}",
        file=sys.stderr,
    )
    return {
        "sync.referrals_per_s": REFERRALS / clean_s,
        "sync.referrals_per_s_faults": REFERRALS / faults_s,
        "sync.central_duplicates": float(rows - len(keys)),
    }


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    print(json.dumps(run(), indent=2))
