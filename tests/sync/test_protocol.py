"""Issue 14's protocol weak points, each against a real `duty-central serve` process (and the
fault proxy where the network is at fault). Runs on SQLite and PostgreSQL."""

# ruff: noqa: F811  (the real-process fixtures are imported, then named as test arguments)
from __future__ import annotations

import pytest

from duty_tui.services.central_config import CentralConfig
from duty_tui.services.sync_engine import SyncEngine
from tests.sync.test_real_faults import (  # noqa: F401  (pytest fixtures)
    FAST,
    assert_exactly_once,
    central,
    device,
    fill,
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
