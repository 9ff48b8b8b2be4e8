"""Central under load on PostgreSQL: many devices syncing at once at the start of a court day.

Keys:
- central.pg_referrals_per_s        200 devices × 50 referrals, all at once, against
                                    `duty-central serve --workers N` on PostgreSQL: unique
                                    referrals stored per second of wall time
- central.pg_batch_p99_ms           99th percentile of one batch request's time in that run
- central.pg_duplicates             rows central holds minus the unique referrals sent (0)
- central.pg_failed_items           items not acknowledged (0; the run raises otherwise)
- central.pg_baseline_referrals_per_s, central.pg_baseline_batch_p99_ms
                                    the same central, same run, one device alone

Each device is its own httpx.AsyncClient with its own token, sends its referrals in batches
of BATCH one after another (as the app does), then resends its first batch once (an answer
lost on the way: every item must come back acknowledged as a duplicate). Items are built and
hashed before the clock starts. The load generator shares the machine's cores with central,
so on a 2-core machine it takes CPU the workers would otherwise have.

Skipped, with the reason, when PostgreSQL is unreachable (DUTY_BENCH_POSTGRES_URL, default
postgresql+psycopg://postgres@127.0.0.1:5432/test). Runs in a schema of its own, dropped
afterwards.

Run alone: python -m bench.bench_central_pg
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.bench_sync import _free_port, _payload
from central import service
from central.db import Submission, make_engine
from records.payload import content_of, content_sha256

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get(
    "DUTY_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DEVICES = 200
REFERRALS = 50
BATCH = 25
# One worker per core: on 2 cores, 3 workers measured 325/s against 2 workers' 513/s.
WORKERS = max(2, os.cpu_count() or 2)


def postgres_unreachable(url: str = POSTGRES_URL) -> str:
    """Why PostgreSQL cannot be used ("" if it can)."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        with psycopg.connect(_libpq(url), connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at {url} is unreachable ({type(exc).__name__})"
    return ""


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _items(prefix: str, count: int, payload: dict[str, object]) -> list[dict[str, object]]:
    items = []
    for i in range(count):
        content = content_of(
            f"{prefix}-{i:03d}", 1, supersedes=None, action="refer", note="", payload=payload
        )
        items.append({**content, "sha256": content_sha256(content)})
    return items


def _start_central(db_url: str, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "central", "serve", "--db", db_url, "--port", str(port),
        "--workers", str(workers), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    with log.open("ab") as stderr:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("duty-central exited: " + log.read_text()[-2000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("duty-central did not start")


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


async def _device(
    url: str, token: str, items: list[dict[str, object]], batch: int, latencies: list[float]
) -> int:
    """One laptop's sync: its batches in turn, then its first batch again. Items not
    acknowledged (or, on the resend, not acknowledged as duplicates)."""
    failed = 0
    headers = {"Authorization": f"Bearer {token}"}
    batches = [items[i : i + batch] for i in range(0, len(items), batch)]
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
        for number, chunk in enumerate([*batches, batches[0]]):
            started = time.perf_counter()
            response = await http.post("/referrals/batch", json={"items": chunk})
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                failed += len(chunk)
                continue
            resend = number == len(batches)
            for result in response.json()["results"]:
                if result["outcome"] != "acknowledged" or result["duplicate"] != resend:
                    failed += 1
    return failed


async def _fleet(
    url: str, tokens: list[str], work: list[list[dict[str, object]]], batch: int
) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    started = time.perf_counter()
    failed = await asyncio.gather(
        *(_device(url, t, items, batch, latencies) for t, items in zip(tokens, work, strict=True))
    )
    return time.perf_counter() - started, latencies, sum(failed)


def run(
    devices: int = DEVICES, referrals: int = REFERRALS, workers: int = WORKERS, batch: int = BATCH
) -> dict[str, float]:
    reason = postgres_unreachable()
    if reason:
        print(f"  skipped: {reason}", file=sys.stderr)
        return {}
    import psycopg

    schema = f"bench_central_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(_libpq(POSTGRES_URL), autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    db_url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    try:
        engine = make_engine(db_url)
        try:
            payload = _payload()
            baseline_token = service.issue_token(engine, "bench-baseline")
            tokens = [service.issue_token(engine, f"bench-{d:03d}") for d in range(devices)]
            baseline_work = _items("base", referrals, payload)
            work = [_items(f"d{d:03d}", referrals, payload) for d in range(devices)]
            port = _free_port()
            with tempfile.TemporaryDirectory(prefix="bench-central-pg-") as tmp:
                log = Path(tmp) / "central.log"
                central = _start_central(db_url, port, workers, log)
                try:
                    url = f"http://127.0.0.1:{port}"
                    base_s, base_lat, base_failed = asyncio.run(
                        _fleet(url, [baseline_token], [baseline_work], batch)
                    )
                    load_s, load_lat, load_failed = asyncio.run(_fleet(url, tokens, work, batch))
                finally:
                    os.killpg(central.pid, signal.SIGTERM)
                    central.wait(30)
            with Session(engine) as session:
                rows = session.scalar(select(func.count()).select_from(Submission)) or 0
                unique = (
                    session.scalar(select(func.count(func.distinct(Submission.referral_id)))) or 0
                )
        finally:
            engine.dispose()
    finally:
        with psycopg.connect(_libpq(POSTGRES_URL), autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    failed = base_failed + load_failed
    if failed or unique != (devices + 1) * referrals:
        raise RuntimeError(f"{failed} items not acknowledged; central holds {unique} referrals")
    print(
        f"  {devices} devices × {referrals} referrals, batches of {batch}, {workers} workers: "
        f"{load_s:.2f} s, {len(load_lat)} batch requests",
        file=sys.stderr,
    )
    return {
        "central.pg_referrals_per_s": devices * referrals / load_s,
        "central.pg_batch_p99_ms": _p99(load_lat) * 1000,
        "central.pg_duplicates": float(rows - unique),
        "central.pg_failed_items": float(failed),
        "central.pg_baseline_referrals_per_s": referrals / base_s,
        "central.pg_baseline_batch_p99_ms": _p99(base_lat) * 1000,
    }


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    print(json.dumps(run(), indent=2))
