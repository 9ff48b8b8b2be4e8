"""Central under load on PostgreSQL: many devices syncing at once at the start of a court day.

Keys:
- central.pg_referrals_per_s        200 devices × 50 referrals, all at once, against
                                    `duty-central serve --workers N` on PostgreSQL: unique
                                    referrals stored per second of wall time
- central.pg_batch_p99_ms           99th percentile of the time a device waits for a batch
                                    to be acknowledged: from its first send to the answer that
                                    acknowledges it, every shed attempt and backoff included
- central.pg_duplicates             rows central holds minus the unique referrals sent (0)
- central.pg_failed_items           items not acknowledged (0; the run raises otherwise)
- central.pg_shed_requests          requests central turned away (429/503, refused connection)
                                    that the device then sent again, as the app does
- central.pg_server_cpu_ms_per_referral, central.pg_generator_cpu_ms_per_referral
                                    CPU time central's processes (Linux: read from /proc) and
                                    this load generator spent per unique referral: on a shared,
                                    noisy machine the server's CPU per referral is the figure
                                    that moves only when central's own work does
- central.pg_baseline_referrals_per_s, central.pg_baseline_batch_p99_ms
                                    the same central, same run, one device alone

Each device sends what the app's SyncEngine would: its referrals in batches of the app's
default batch size (CentralConfig.batch_size, capped at the engine's MAX_REQUEST_BYTES), each
body the canonical JSON items joined as the engine joins them, one batch after another over
its own connection, then its first batch once more (an answer lost on the way: every item
must come back acknowledged as a duplicate). A request central sheds (429 or 503, or a
refused connection) is sent again after the engine's own backoff (full jitter), and that
wait counts in the batch's time. Items, bodies and the devices' HTTP clients are built
before the clock starts: a laptop builds its client once, not per sync, and building 200
of them (each loads a CA bundle) took more CPU than the whole run's requests. The load
generator still shares the machine's cores with central.

Skipped, with the reason, when PostgreSQL is unreachable (DUTY_BENCH_POSTGRES_URL, default
postgresql+psycopg://postgres@127.0.0.1:5432/test). Runs in a schema of its own, dropped
afterwards.

Run alone: python -m bench.bench_central_pg
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import secrets
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import attrs
import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.bench_sync import _free_port, _payload
from central import service
from central.db import Submission, make_engine
from duty_tui.services.central_config import CentralConfig
from duty_tui.services.sync_engine import MAX_REQUEST_BYTES, Backoff
from records.payload import canonical_json, content_of, content_sha256

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get(
    "DUTY_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DEVICES = 200
REFERRALS = 50
# What the app sends: its default batch size (50 referrals then go in one request).
BATCH = attrs.fields(CentralConfig).batch_size.default
# Attempts at one batch before the run gives up on it (the app would go on backing off).
ATTEMPTS = 12
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


def _bodies(items: list[dict[str, object]], batch: int) -> list[tuple[bytes, int]]:
    """Request bodies as SyncEngine builds them (canonical JSON items joined), with the
    number of items in each: at most ``batch`` items and MAX_REQUEST_BYTES a request."""
    bodies: list[tuple[bytes, int]] = []
    current: list[bytes] = []
    size = 0
    for item in items:
        encoded = canonical_json(item)
        if current and (len(current) >= batch or size + len(encoded) > MAX_REQUEST_BYTES):
            bodies.append((b'{"items":[' + b",".join(current) + b"]}", len(current)))
            current, size = [], 0
        current.append(encoded)
        size += len(encoded) + 1
    if current:
        bodies.append((b'{"items":[' + b",".join(current) + b"]}", len(current)))
    return bodies


@attrs.define
class _Tally:
    latencies: list[float] = attrs.Factory(list)
    shed: int = 0


async def _send(
    http: httpx.AsyncClient, body: bytes, tally: _Tally, rng: random.Random
) -> httpx.Response | None:
    """One batch until central takes it: a shed request (429/503, a refused or dropped
    connection) waits the app's backoff and goes again. None if it never was taken."""
    backoff = Backoff()
    started = time.perf_counter()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = await http.post(
                "/referrals/batch", content=body, headers={"Content-Type": "application/json"}
            )
        except httpx.TransportError:
            response = None
        if response is not None and response.status_code not in (429, 503):
            tally.latencies.append(time.perf_counter() - started)
            return response
        tally.shed += 1
        await asyncio.sleep(backoff.delay(attempt, rng))
    tally.latencies.append(time.perf_counter() - started)
    return None


async def _device(
    http: httpx.AsyncClient, bodies: list[tuple[bytes, int]], tally: _Tally, rng: random.Random
) -> int:
    """One laptop's sync: its batches in turn, then its first batch again. Items not
    acknowledged (or, on the resend, not acknowledged as duplicates)."""
    failed = 0
    for number, (body, count) in enumerate([*bodies, bodies[0]]):
        response = await _send(http, body, tally, rng)
        if response is None or response.status_code != 200:
            failed += count
            continue
        resend = number == len(bodies)
        results = json.loads(response.content)["results"]
        failed += count - len(results)
        for result in results:
            if result["outcome"] != "acknowledged" or result["duplicate"] != resend:
                failed += 1
    return failed


async def _fleet(
    url: str, tokens: list[str], work: list[list[tuple[bytes, int]]]
) -> tuple[float, _Tally, int, float]:
    """Wall time, latencies and sheds, items failed, and this process's CPU seconds."""
    tally = _Tally()
    rng = random.Random(14)
    context = ssl.create_default_context()  # one, shared: plain HTTP never uses it
    clients = [
        httpx.AsyncClient(
            base_url=url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
            verify=context,
            trust_env=False,
        )
        for token in tokens
    ]
    try:
        cpu = _own_cpu_s()
        started = time.perf_counter()
        failed = await asyncio.gather(
            *(_device(c, b, tally, rng) for c, b in zip(clients, work, strict=True))
        )
        elapsed = time.perf_counter() - started
        cpu = _own_cpu_s() - cpu
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return elapsed, tally, sum(failed), cpu


def _own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _group_cpu_s(pgid: int) -> float:
    """CPU seconds of the live processes in process group ``pgid`` (Linux /proc; 0 elsewhere)."""
    total = 0
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # gone meanwhile
        # After the command: state, ppid, pgrp, ..., utime (12th), stime (13th).
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


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
            baseline_work = _bodies(_items("base", referrals, payload), batch)
            work = [_bodies(_items(f"d{d:03d}", referrals, payload), batch) for d in range(devices)]
            port = _free_port()
            with tempfile.TemporaryDirectory(prefix="bench-central-pg-") as tmp:
                log = Path(tmp) / "central.log"
                central = _start_central(db_url, port, workers, log)
                try:
                    url = f"http://127.0.0.1:{port}"
                    base_s, base, base_failed, _cpu = asyncio.run(
                        _fleet(url, [baseline_token], [baseline_work])
                    )
                    server_cpu = _group_cpu_s(central.pid)
                    load_s, load, load_failed, generator_cpu = asyncio.run(
                        _fleet(url, tokens, work)
                    )
                    server_cpu = _group_cpu_s(central.pid) - server_cpu
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
        f"{load_s:.2f} s, {len(load.latencies)} batches, {load.shed} requests shed; CPU: "
        f"central {server_cpu:.1f} s, load generator {generator_cpu:.1f} s",
        file=sys.stderr,
    )
    return {
        "central.pg_referrals_per_s": devices * referrals / load_s,
        "central.pg_batch_p99_ms": _p99(load.latencies) * 1000,
        "central.pg_duplicates": float(rows - unique),
        "central.pg_failed_items": float(failed),
        "central.pg_shed_requests": float(load.shed),
        "central.pg_server_cpu_ms_per_referral": server_cpu * 1000 / (devices * referrals),
        "central.pg_generator_cpu_ms_per_referral": generator_cpu * 1000 / (devices * referrals),
        "central.pg_baseline_referrals_per_s": referrals / base_s,
        "central.pg_baseline_batch_p99_ms": _p99(base.latencies) * 1000,
    }


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    print(json.dumps(run(), indent=2))
