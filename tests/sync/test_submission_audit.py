"""A referral submission carries who queued it and when, and central's record of arrivals
keeps it against the device that sent it (in-process central, ASGI)."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from central import service
from central.app import create_app
from central.db import Arrival, make_engine
from duty_tui.services.central_config import CentralConfig
from duty_tui.services.sync_engine import SyncEngine
from store.outbox import NewEntry, Outbox
from tests.sync.helpers import sample_payload

QUEUED_AT = 1_795_428_900.0  # 2026-11-23T10:15:00Z


async def test_central_records_who_queued_each_referral_and_when(store, tmp_path):
    central = make_engine(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    try:
        token = service.issue_token(central, "laptop-7")
        outbox = Outbox(store, clock=lambda: QUEUED_AT, queued_by="Officer Ffug")
        outbox.enqueue_many([NewEntry("ref-1", 1, "case-1", sample_payload())])
        # An entry queued before outboxes named their officer: sent with an empty name.
        Outbox(store, clock=lambda: QUEUED_AT).enqueue_many(
            [NewEntry("ref-2", 1, "case-1", sample_payload())]
        )
        config = CentralConfig(url="http://127.0.0.1:9", token=token)
        transport = httpx.ASGITransport(app=create_app(central))
        async with SyncEngine(outbox, config, transport=transport) as engine:
            report = await engine.sync_once()
        assert report.ok and report.acknowledged == 2
        with Session(central) as session:
            rows = session.execute(
                select(
                    Arrival.referral_id, Arrival.outcome, Arrival.queued_by, Arrival.queued_at
                ).order_by(Arrival.referral_id)
            ).all()
        assert [tuple(r) for r in rows] == [
            ("ref-1", "acknowledged", "Officer Ffug", "2026-11-23T10:15:00+00:00"),
            ("ref-2", "acknowledged", "", "2026-11-23T10:15:00+00:00"),
        ]
    finally:
        central.dispose()
