"""``duty-central serve --workers 2``: several processes on one database, still exactly once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central import service
from central.db import Submission, make_engine
from tests.sync.central_process import CentralProcess
from tests.sync.helpers import sample_item

DELIVERIES = 24


def _workers(pid: int) -> list[int]:
    """uvicorn's worker processes under its supervisor ``pid`` (spawned by multiprocessing)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"spawn_main" in command:
            found.append(int(stat.parent.name))
    return found


async def _deliver_at_once(url: str, token: str, item: dict) -> list[dict]:
    """The same item, DELIVERIES times at once, each on its own connection (so the kernel
    spreads them over the workers)."""
    gate = asyncio.Event()

    async def one() -> dict:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            await http.get("/health")  # connected before the gate opens
            await gate.wait()
            response = await http.post(
                "/referrals/batch",
                json={"items": [item]},
                headers={"Authorization": f"Bearer {token}"},
            )
            response.raise_for_status()
            return response.json()["results"][0]

    tasks = [asyncio.create_task(one()) for _ in range(DELIVERIES)]
    await asyncio.sleep(0)
    gate.set()
    return await asyncio.gather(*tasks)


def test_two_workers_store_concurrent_duplicates_once(db_url, tmp_path):
    engine = make_engine(db_url)
    try:
        token = service.issue_token(engine, "laptop-1")
        central = CentralProcess(
            db_url, log_path=tmp_path / "central.log", extra_args=("--workers", "2")
        )
        # Each worker imports the whole service: generous on a loaded 2-core machine.
        central.start(timeout=90)
        try:
            assert len(_workers(central.process.pid)) == 2, central.stderr_text()[-2000:]
            results = asyncio.run(_deliver_at_once(central.url, token, sample_item("ref-1")))
        finally:
            central.kill()
        assert {r["outcome"] for r in results} == {"acknowledged"}
        assert len({r["receipt"] for r in results}) == 1
        assert sum(not r["duplicate"] for r in results) == 1
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(Submission)) == 1
    finally:
        engine.dispose()
