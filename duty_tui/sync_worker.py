"""The app's background sync: one SyncEngine per unlocked store, on the app's event loop.

No Textual here: the app runs :meth:`SyncWorker.run` as a Textual worker and turns the
callbacks into what the officer sees (the status line, notifications, refreshed cases).

* ``SyncEngine.run`` probes central and sends whatever is due, at once when central comes
  back or when something is queued (``kick``).
* Alongside it a light watcher notices reachability changing (for the status line), fetches
  the provider directory when central is reachable (at most every ``providers_every_s``) and
  reads back central's status of acknowledged referrals after each sync.
* ``sync_now`` is the officer's "Sync now": probe, then send everything pending whatever its
  backoff says, and report either way (the background loop would stay silent when offline).

Nothing here logs case data: log lines carry exception types and counts only.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import attrs

from duty_tui.i18n import N_, _
from duty_tui.services.central_config import (
    VERIFY_EVERY_S,
    CentralConfig,
    SyncConfigError,
    SyncError,
    load_retention_days,
)
from duty_tui.services.sync_engine import SyncEngine, SyncProgress, SyncReport
from store import TableUnreadable
from store.outbox import PENDING, Outbox

log = logging.getLogger(__name__)

# What the status line says about central.
NOT_SET_UP = "not set up"
CHECKING = "checking"
REACHABLE = "reachable"
OFFLINE = "offline"
REFUSED = "refused"  # a fatal error: wrong token or no central at that URL; the officer must act
# The outbox's file is missing, damaged or older than its last save: nothing is sent until the
# officer decides (duty-tui doctor), or referrals central never had could be taken as sent.
BLOCKED = "blocked"
BLOCKED_MESSAGE = N_(
    "Sync stopped: the referral outbox's file {what}. Nothing is sent until you decide: "
    "run duty-tui doctor"
)

PROBE_INTERVAL_S = 30.0
# The directory changes rarely and a refresh is a conditional GET; a few minutes is current
# enough and keeps a flapping connection from refetching it again and again.
PROVIDERS_EVERY_S = 300.0
# How often the watcher looks at the engine's reachability: an attribute read, no I/O.
WATCH_INTERVAL_S = 0.5


@attrs.frozen
class SyncState:
    """Everything the status line shows. Holds counts and central's messages, no case data."""

    central: str = NOT_SET_UP
    # Queued or sent (not yet acknowledged by central); None until first counted.
    pending: int | None = None
    # (done, total) while a sync is sending; None otherwise.
    progress: tuple[int, int] | None = None
    # Why central refused (when ``central`` is REFUSED); safe to show.
    error: str = ""


StateCallback = Callable[[SyncState], None]
ReportCallback = Callable[[SyncReport, bool], Awaitable[None] | None]


async def count_pending(outbox: Outbox) -> int:
    """Referrals central has not acknowledged yet (queued or sent). Off the event loop: every
    outbox read decrypts the whole outbox."""
    counts = await asyncio.to_thread(outbox.counts_by_state)
    return sum(counts.get(state, 0) for state in PENDING)


class SyncWorker:
    """Owns the engine, the stop event and the callbacks for one unlocked store.

    ``on_state`` is called with a new :class:`SyncState` whenever what the status line shows
    changes; ``on_report`` with every sync report and whether the officer asked for it;
    ``on_directory_changed`` after a provider refresh stored a different directory;
    ``on_verified`` after central confirmed the acknowledged referrals (hourly). All are
    called on the event loop the worker runs on.
    """

    def __init__(
        self,
        outbox: Outbox,
        config: CentralConfig | None,
        *,
        on_state: StateCallback,
        on_report: ReportCallback,
        on_directory_changed: Callable[[], None],
        on_verified: Callable[[], None] = lambda: None,
        probe_interval_s: float = PROBE_INTERVAL_S,
        providers_every_s: float = PROVIDERS_EVERY_S,
        watch_interval_s: float = WATCH_INTERVAL_S,
        engine: SyncEngine | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.outbox = outbox
        self.config = config
        # Cases are reconciled by the app (apply_sync_results), which knows the open screens.
        self.engine: SyncEngine | None = engine or (
            SyncEngine(
                outbox,
                config,
                cases=None,
                retention_s=load_retention_days(outbox.store) * 86_400.0,
            )
            if config is not None
            else None
        )
        self._on_state = on_state
        self._on_report = on_report
        self._on_directory_changed = on_directory_changed
        self._on_verified = on_verified
        self.probe_interval_s = probe_interval_s
        self.providers_every_s = providers_every_s
        self.watch_interval_s = watch_interval_s
        self._clock = clock
        self._stop = asyncio.Event()
        self._providers_at: float | None = None
        self._verified_at: float | None = None
        self._status_due = False
        self.state = SyncState(central=CHECKING if self.engine is not None else NOT_SET_UP)

    @property
    def configured(self) -> bool:
        return self.engine is not None

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    # --- state -----------------------------------------------------------------------------

    def _set(self, **changes: Any) -> None:
        state = attrs.evolve(self.state, **changes)
        if state != self.state:
            self.state = state
            self._on_state(state)

    def set_pending(self, pending: int) -> None:
        self._set(pending=pending)

    async def recount(self) -> int | None:
        try:
            pending = await count_pending(self.outbox)
        except TableUnreadable as exc:
            self._blocked(exc)
            return None
        self.set_pending(pending)
        return pending

    def _blocked(self, exc: TableUnreadable) -> None:
        what = exc.reason.removeprefix("its file ")
        self._set(central=BLOCKED, error=_(BLOCKED_MESSAGE).format(what=what), progress=None)

    def _progress(self, progress: SyncProgress) -> None:
        running = progress.message != "done" and progress.total > 0
        self._set(progress=(progress.done, progress.total) if running else None)

    async def _report(self, report: SyncReport, asked: bool) -> None:
        if report.fatal:
            self._set(central=REFUSED, error=report.error, pending=report.remaining, progress=None)
        else:
            central = REACHABLE if self.engine and self.engine.reachable else OFFLINE
            self._set(central=central, error="", pending=report.remaining, progress=None)
            # Acknowledged referrals may have moved on at central (accepted, attended, ...).
            self._status_due = True
        result = self._on_report(report, asked)
        if inspect.isawaitable(result):
            await result

    # --- running ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Until ``stop``: the engine's loop and the watcher. Closes the HTTP client however it
        ends (stopped, cancelled or failed)."""
        engine = self.engine
        if engine is None:
            return
        try:
            await asyncio.gather(self._run_engine(engine), self._watch(engine))
        finally:
            await engine.aclose()

    async def _run_engine(self, engine: SyncEngine) -> None:
        while not self._stop.is_set():
            try:
                await engine.run(
                    self._stop,
                    progress=self._progress,
                    on_report=lambda report: self._report(report, False),
                    probe_interval_s=self.probe_interval_s,
                )
            except TableUnreadable as exc:
                self._blocked(exc)
                await _wait(self._stop, self.probe_interval_s)
            except Exception as exc:
                # The outbox is the truth and every step is safe to repeat: start again after
                # a pause rather than leave the officer without sync until the next unlock.
                log.warning("sync loop failed (%s); restarting", type(exc).__name__)
                self._set(progress=None)
                await _wait(self._stop, self.probe_interval_s)

    async def _watch(self, engine: SyncEngine) -> None:
        while not self._stop.is_set():
            reachable = engine.reachable
            if reachable is not None and self.state.central not in (REFUSED, BLOCKED):
                self._set(central=REACHABLE if reachable else OFFLINE)
            if reachable:
                await self._housekeeping(engine)
            await _wait(self._stop, self.watch_interval_s)

    async def _housekeeping(self, engine: SyncEngine) -> None:
        now = self._clock()
        if self._providers_at is None or now - self._providers_at >= self.providers_every_s:
            self._providers_at = now  # failed or not: not again before the interval is up
            try:
                refreshed = await engine.refresh_providers()
            except SyncConfigError as exc:
                self._set(central=REFUSED, error=str(exc))
            except (SyncError, OSError) as exc:
                log.warning("provider directory not refreshed (%s)", type(exc).__name__)
            except Exception as exc:  # a store error: the next interval tries again
                log.warning("provider directory not stored (%s)", type(exc).__name__)
            else:
                if refreshed.changed:
                    self._on_directory_changed()
        if self._verified_at is None or now - self._verified_at >= VERIFY_EVERY_S:
            self._verified_at = now  # failed or not: not again before the interval is up
            try:
                if await engine.verify_acknowledged():
                    engine.kick()  # resend what central lost now, not at the next probe
            except SyncError as exc:
                log.info("acknowledged referrals not verified (%s)", type(exc).__name__)
            except Exception as exc:
                log.warning("acknowledged referrals not verified (%s)", type(exc).__name__)
            else:
                # Central has just confirmed what it acknowledged (what it lost is pending
                # again): the moment to purge what is settled (services/purge.py).
                self._on_verified()
        if self._status_due:
            self._status_due = False
            try:
                await engine.refresh_status()
            except SyncError as exc:
                log.info("central status not read (%s)", type(exc).__name__)
            except Exception as exc:
                log.warning("central status not stored (%s)", type(exc).__name__)

    def kick(self) -> None:
        if self.engine is not None:
            self.engine.kick()

    async def sync_now(self) -> SyncReport | None:
        """The officer asked: send everything pending now. None if central cannot be reached
        (everything stays queued; the background loop sends it when central is back)."""
        engine = self.engine
        if engine is None:
            raise SyncConfigError(_("central records are not set up"))
        if not await engine.probe(asked=True):
            self._set(central=OFFLINE)
            return None
        try:
            report = await engine.sync_once(self._progress, force=True)
        except TableUnreadable as exc:
            self._blocked(exc)
            raise
        await self._report(report, True)
        return report

    def stop(self) -> None:
        """Ask the loops to end; they do at their next wait. The Textual worker running
        :meth:`run` should also be cancelled if the app cannot wait (closing)."""
        self._stop.set()


async def _wait(stop: asyncio.Event, timeout: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout)
    except TimeoutError:
        pass
