"""The app while it syncs: how long the officer's screen can freeze while 1,000 referrals go.

Keys:
- tui.sync_max_stall_ms     the longest event-loop stall of the real app (headless, run_test)
                            from the moment central is set up (the sync starts by itself, as
                            after the officer saves the settings) until all 1,000 referrals
                            are acknowledged and every case's referral is reconciled on disk
- tui.idle_max_stall_ms     baseline, same run: the longest stall of the same app, idle (sync
                            stopped, duty list on screen), over as long as the sync took
- tui.sync_stall_over_idle  the one over the other
- tui.sync_p99_stall_ms     the 99th percentile of the same samples (the feel, not the worst)
- tui.sync_1000_s           how long the sync took, start to reconciled on disk

A stall is measured by a coroutine on the app's own loop that asks to sleep 5 ms and records
how much later than that it woke: whatever ran on the loop meanwhile (a screen refresh, a case
saved, an outbox decrypted) is what a key press would have waited behind. The central is a
real `duty-central serve` (SQLite) on loopback; the store is bench_sync_cli's (1,000 cases,
each with one queued referral), with the officer's profile. Cheap test KDF: unlocking is
bench_store's measure, not this one.

Run alone: python -m bench.bench_tui_sync
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import tempfile
import time
from pathlib import Path

from bench.bench_sync import PASSPHRASE, _free_port, _start_central
from bench.bench_sync_cli import CASES, _make_store

TICK_S = 0.005
TIMEOUT_S = 300.0


class LagMonitor:
    """Samples the event loop's lateness: sleep TICK_S, note how late the wake-up was."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.samples = []
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(TICK_S)
            self.samples.append(max(0.0, time.perf_counter() - started - TICK_S) * 1000)

    async def stop(self) -> list[float]:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        return self.samples


def _add_profile(data_dir: Path) -> None:
    from duty_tui.config import OfficerProfile, save_profile
    from records.model import Jurisdiction, Officer, OfficerRole
    from store import Store

    store = Store.open(data_dir, PASSPHRASE)
    try:
        officer = Officer(name="Bench Officer Ffug", role=OfficerRole.FCA)
        profile = OfficerProfile(
            officer=officer, court="Example Family Court", jurisdiction=Jurisdiction.WALES
        )
        save_profile(store, profile)
    finally:
        store.close()


def _all_reconciled(store: object) -> bool:
    """Nothing pending in the outbox and no case on disk still counting a queued referral
    (the manifest's summaries are written with each case, so they say what is on disk)."""
    from store.outbox import Outbox

    outbox = Outbox(store)  # type: ignore[arg-type]
    if outbox.pending_count():
        return False
    summaries = store.summaries()  # type: ignore[attr-defined]
    return len(summaries) >= CASES and all(
        not s.get("referrals_queued") for s in summaries.values()
    )


async def _measure(data_dir: Path, url: str, token: str) -> dict[str, float]:
    from duty_tui.app import DutyApp
    from duty_tui.config import Config
    from duty_tui.screens.duty_list import DutyListScreen
    from duty_tui.services.central_config import CentralConfig

    app = DutyApp(data_dir, config=Config(), handle_signals=False)
    monitor = LagMonitor()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*PASSPHRASE, "enter")
        for _ in range(400):  # unlocking runs Argon2 and reads the index in a thread
            await pilot.pause(0.05)
            if isinstance(app.screen, DutyListScreen) and app.sync_ui is not None:
                break
        assert isinstance(app.screen, DutyListScreen)
        desk, sync_ui = app.desk, app.sync_ui
        assert desk is not None and sync_ui is not None
        assert len(desk.index) == CASES
        await pilot.pause(1.0)  # the list drawn, the unlock's workers done

        # As the settings dialog's save does (sync_ui._settings_saved): stored, then started.
        desk.save_central_config(CentralConfig(url, token))
        monitor.start()
        started = time.perf_counter()
        sync_ui.start()
        deadline = started + TIMEOUT_S
        while True:
            # The app's own count first (no I/O): the disk is read only once it says done,
            # so the measuring itself adds little to what the app's threads ask of the CPU.
            state = sync_ui.state
            if (
                state is not None
                and state.pending == 0
                and not desk.saver.pending
                and await asyncio.to_thread(_all_reconciled, desk.store)
            ):
                break
            if time.perf_counter() > deadline:
                raise RuntimeError("the app's sync did not finish in time")
            await asyncio.sleep(0.1)
        sync_s = time.perf_counter() - started
        syncing = await monitor.stop()

        # Baseline: the same app, sync stopped, idle as long as the sync took.
        sync_ui.stop()
        await pilot.pause(0.5)
        monitor.start()
        await asyncio.sleep(sync_s)
        idle = await monitor.stop()
        await pilot.press("ctrl+q")
    worst, baseline = max(syncing), max(idle)
    p99 = statistics.quantiles(syncing, n=100, method="inclusive")[98]
    return {
        "tui.sync_max_stall_ms": round(worst, 2),
        "tui.sync_p99_stall_ms": round(p99, 2),
        "tui.idle_max_stall_ms": round(baseline, 2),
        "tui.sync_stall_over_idle": round(worst / max(baseline, 0.01), 2),
        "tui.sync_1000_s": round(sync_s, 2),
    }


def run() -> dict[str, float]:
    from central import service
    from central.db import make_engine

    with tempfile.TemporaryDirectory(prefix="bench-tui-sync-") as tmp:
        work = Path(tmp)
        os.environ.setdefault("DUTY_TUI_CONFIG_DIR", str(work / "config"))
        db_url = f"sqlite:///{work / 'central.sqlite3'}"
        engine = make_engine(db_url)
        token = service.issue_token(engine, "bench-tui-sync")
        engine.dispose()
        port = _free_port()
        central = _start_central(db_url, port)
        try:
            data_dir = work / "store"
            _make_store(data_dir)
            _add_profile(data_dir)
            return asyncio.run(_measure(data_dir, f"http://127.0.0.1:{port}", token))
        finally:
            central.send_signal(signal.SIGTERM)
            central.wait(10)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    print(json.dumps(run(), indent=2))
