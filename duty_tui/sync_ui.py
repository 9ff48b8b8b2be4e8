"""The background sync as the officer meets it: the status line, "Sync now", the sync log, the
central settings and the news central sends back.

The sync itself (duty_tui/sync_worker.py, services/sync_engine.py) knows nothing of screens; the
app keeps one :class:`SyncUI` per unlocked session and hands it the desk. Central's messages are
shown; nothing about a case is ever logged.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import App

from duty_tui.i18n import _, ngettext
from duty_tui.messages import ReferralsChanged

if TYPE_CHECKING:
    from textual.worker import Worker

    from duty_tui.desk import Desk
    from duty_tui.screens.case import CaseScreen
    from duty_tui.services.central_config import CentralConfig
    from duty_tui.services.sync_engine import Rejection, SyncEngine, SyncReport
    from duty_tui.sync_worker import SyncState, SyncWorker
    from records.model import Case
    from store.outbox import LogEntry

log = logging.getLogger(__name__)

# Rounds of reconciling a sync's results: a case the officer opened or saved meanwhile is done
# again (bounded: it is also reconciled by the next sync that touches its referrals).
ROUNDS = 3
# Prepared cases handed to the saver between two turns of the app's loop. A case costs ~0.1 ms
# of the loop (its duty-list row), but while the saver and the reconcile thread want the GIL
# too, a slice's wall time is about three times its CPU: 100 a slice measured 35-45 ms stalls.
COMMIT_SLICE = 25


class SyncUI:
    """(Re)starts and stops the sync worker for one desk and shows what it does."""

    def __init__(self, app: App[int], desk: Desk, *, probe_interval_s: float = 30.0) -> None:
        self.app = app
        self.desk = desk
        self.probe_interval_s = probe_interval_s
        # The running engine (None: central not set up, or stopped).
        self.engine: SyncEngine | None = None
        # What the status line shows; a status line mounted later reads it.
        self.state: SyncState | None = None
        self._worker: SyncWorker | None = None
        self._task: Worker[None] | None = None
        # The fatal error last notified: the background loop meets it every probe; say it once.
        self._fatal_shown = ""
        # Toasts that central's next answer makes untrue ("cannot be reached"), by their words.
        self._resolvable: set[str] = set()
        # Cases whose referrals were waiting when last saved: their saves may change the count.
        self._waiting_cases: frozenset[str] = frozenset()
        self.closed = False
        desk.on_queued = self.kick

    # --- running -----------------------------------------------------------------------------

    def start(self) -> None:
        """(Re)start with the stored central settings. Without settings there is no engine,
        but the status line still counts what waits and says how to set central up."""
        from duty_tui.sync_worker import SyncWorker

        previous = self.state
        self.stop()
        worker = SyncWorker(
            self.desk.outbox(),
            self.desk.central_config(),
            on_state=self._state_changed,
            on_report=self._report,
            on_directory_changed=self.desk.forget_directory,
            on_verified=self.purge,
            probe_interval_s=self.probe_interval_s,
        )
        if previous is not None and previous.pending is not None:
            worker.set_pending(previous.pending)  # no flicker to "?" while it is recounted
        self._worker = worker
        self.engine = worker.engine
        self._fatal_shown = ""
        self._state_changed(worker.state)
        self.recount()
        if worker.configured:
            # On the app's loop; exit_on_error=False: a failing sync must never end the app
            # (the worker restarts its own loop; this is the last line of defence).
            self._task = self.app.run_worker(
                worker.run(), name="sync", group="sync", exit_on_error=False
            )

    def stop(self) -> None:
        """Stop now. Synchronous (closing the session is): the worker is cancelled, and its
        coroutine closes the HTTP client as it unwinds. Whatever was in flight stays "sent" in
        the outbox and is resent next time; central is idempotent."""
        worker, task = self._worker, self._task
        self._worker = None
        self._task = None
        self.engine = None
        try:
            if worker is not None:
                worker.stop()
            if task is not None:
                task.cancel()
        except RuntimeError:
            pass  # the event loop has already closed (after the app): nothing is running

    def close(self) -> None:
        self.closed = True
        self.stop()

    def kick(self) -> None:
        """Something was queued: the running sync should look now."""
        if self.engine is not None:
            self.engine.kick()

    def recount(self) -> None:
        worker = self._worker
        if worker is not None:
            # The method, not a coroutine made now: a count replaced (exclusive) before it
            # started would leave its coroutine never awaited (a RuntimeWarning at exit).
            self.app.run_worker(
                worker.recount, group="sync-count", exclusive=True, exit_on_error=False
            )

    def case_saved(self, case_id: str) -> None:
        """A referral queued, amended or withdrawn saves its case: count again. Only cases
        with referrals waiting (now or before) are worth a read of the outbox."""
        if self._worker is None:
            return
        row = self.desk.index.get(case_id)
        waiting = row is not None and row.referrals_queued > 0
        if waiting or case_id in self._waiting_cases:
            self.recount()
        if waiting:
            self._waiting_cases |= {case_id}
        else:
            self._waiting_cases -= {case_id}

    def _state_changed(self, state: SyncState) -> None:
        from duty_tui.widgets.sync_status import SyncStatus

        self.state = state
        for screen in self.app.screen_stack:
            for status in screen.query(SyncStatus):
                status.show(state)

    # --- what central said -------------------------------------------------------------------

    async def _report(self, report: SyncReport, asked: bool) -> None:
        """Every sync's outcome: cases catch up, refusals are named, "Sync now" is answered."""
        if self.closed:
            return
        if report.case_ids:
            try:
                await self.apply_results(report.case_ids)
            except Exception as exc:  # the outbox has it; the cases catch up next time
                log.warning("sync results not applied to cases (%s)", type(exc).__name__)
        for rejection in report.rejected:
            self.app.notify(
                _("Central records refused the referral for {case}: {reason}").format(
                    case=self._case_number(rejection), reason=rejection.reason
                ),
                title=_("Referral refused"),
                severity="error",
                timeout=30,
                markup=False,
            )
        if report.fatal:
            if asked or report.error != self._fatal_shown:
                self._notify_resolvable(
                    _("Referrals cannot be sent: {problem}").format(problem=report.error),
                    title=_("Central records"),
                    severity="error",
                    timeout=30,
                )
            self._fatal_shown = report.error
            return
        self._fatal_shown = ""
        if report.attempted and not report.error:
            # Only a pass that central took proves the token and the address good: a pass
            # with nothing due (a referral waiting out its backoff) proves nothing, and taking
            # the error down then would hide a refusal that still stands.
            self._resolve_errors()
        if asked:
            self.app.notify(sync_summary(report), title=_("Sync"), timeout=8, markup=False)

    def _notify_resolvable(self, message: str, **kwargs: object) -> None:
        """A toast that central's next answer takes down (see _resolve_errors)."""
        self._resolvable.add(message)
        self.app.notify(message, markup=False, **kwargs)  # type: ignore[arg-type]

    def _resolve_errors(self) -> None:
        """Central answered: its earlier "cannot be sent" / "cannot be reached" toasts are no
        longer true, and an error left on screen after the referral was acknowledged reads as
        a failure that is not there. Refusals of a referral stay: they are still true."""
        # Known by the words they were sent with, whatever the language is now.
        stale = [n for n in self.app._notifications if n.message in self._resolvable]
        self._resolvable.clear()
        for notification in stale:
            self.app._unnotify(notification, refresh=False)
        if stale:
            self.app._refresh_notifications()

    async def apply_results(self, case_ids: Iterable[str]) -> None:
        """Central changed the state of referrals of these cases: bring each case's Referral
        records in line with the outbox. An open case is updated through its screen (so it
        never races the officer's typing); the others are read and reconciled in a thread
        and saved by the saver: a sync can bring back a thousand cases, and reading each
        from disk on the app's loop froze the screen for seconds.

        A case the officer opens or saves while its reconcile is worked out is left out of
        that round and done again from the officer's version (or through its screen)."""
        wanted = set(case_ids)
        saved: list[Case] = []
        for _round in range(ROUNDS):
            for screen in self._case_screens():
                if screen.case.id in wanted:
                    wanted.discard(screen.case.id)
                    self._reconcile_open(screen)
            if not wanted:
                break
            prepared = await asyncio.to_thread(self.desk.prepare_reconcile, wanted)
            if self.closed:
                return  # the session ended meanwhile: the cases catch up next time
            wanted = set()
            for start in range(0, len(prepared), COMMIT_SLICE):
                done, stale = self.desk.commit_reconcile(
                    prepared[start : start + COMMIT_SLICE], self._is_open
                )
                saved.extend(done)
                wanted |= stale
                await asyncio.sleep(0)  # the officer's keys between slices
            if not wanted:
                break
        if saved:
            await asyncio.to_thread(self.desk.audit_sync, saved)
        # The duty list's "referrals queued" badges follow the index: redraw them now.
        self.app.screen.post_message(ReferralsChanged(None))

    def _case_screens(self) -> list[CaseScreen]:
        # Not imported here: a first import is a tenth of a second of the app's loop, and a
        # case screen can only be open if its module has been imported already.
        module = sys.modules.get("duty_tui.screens.case")
        if module is None:
            return []
        return [s for s in self.app.screen_stack if isinstance(s, module.CaseScreen)]

    def _is_open(self, case_id: str) -> bool:
        return any(screen.case.id == case_id for screen in self._case_screens())

    def _reconcile_open(self, screen: CaseScreen) -> None:
        """On the loop, from the outbox as it is now (one case: cheap). The screen's case is
        replaced at once, before anything else runs, so a commit of the officer's typing that
        follows builds on it and neither the typing nor the reconcile is lost."""
        updated = self.desk.reconcile(screen.case)
        if updated is not screen.case:
            screen.case = updated
            self.desk.save_case(updated)
            screen.post_message(ReferralsChanged(updated))

    def _case_number(self, rejection: Rejection) -> str:
        return self.desk.index.case_number(rejection.case_id) or _("a case")

    # --- keeping only what is needed ---------------------------------------------------------

    def purge(self) -> None:
        """Central has confirmed what it acknowledged: purge the settled cases past their
        retention period (services/purge.py), in a thread, never a case open on screen."""
        from duty_tui.screens.case import CaseScreen

        if self.closed:
            return
        open_ids = {s.case.id for s in self.app.screen_stack if isinstance(s, CaseScreen)}
        self.app.run_worker(
            self._purge(open_ids), group="purge", exclusive=True, exit_on_error=False
        )

    async def _purge(self, open_ids: set[str]) -> None:
        import asyncio

        try:
            result = await asyncio.to_thread(self.desk.purge_due, open_ids)
        except Exception as exc:  # what was done is done; the next verification goes on
            log.warning("purge not completed (%s)", type(exc).__name__)
            return
        if self.closed:
            return
        self.desk.apply_purge(result)
        if result.purged:
            count = len(result.purged)
            self.app.notify(
                ngettext(
                    "{count} settled case past the retention period removed from this laptop "
                    "(central records holds the referrals; see duty-tui audit).",
                    "{count} settled cases past the retention period removed from this laptop "
                    "(central records holds the referrals; see duty-tui audit).",
                    count,
                ).format(count=count),
                title=_("Purged"),
                timeout=10,
                markup=False,
            )
        self.app.screen.post_message(ReferralsChanged(None))  # the duty list redraws

    # --- what the officer asks ---------------------------------------------------------------

    def sync_now(self) -> None:
        """Send everything waiting, whatever its backoff says, and report."""
        worker = self._worker
        if worker is None or not worker.configured:
            self.app.notify(
                _(
                    "Central records are not set up on this laptop: enter central's address "
                    "and the device token, then sync again."
                ),
                title=_("Sync"),
                severity="warning",
                markup=False,
            )
            self.settings()
            return
        if any(w.group == "sync-now" and not w.is_finished for w in self.app.workers):
            return  # one already running: its answer is on its way
        self.app.run_worker(self._sync_now(worker), group="sync-now", exit_on_error=False)

    async def _sync_now(self, worker: SyncWorker) -> None:
        from store import TableUnreadable

        try:
            report = await worker.sync_now()
        except TableUnreadable:
            self.app.notify(worker.state.error, title=_("Sync"), severity="error", markup=False)
            return
        except Exception as exc:
            log.warning("sync now failed (%s)", type(exc).__name__)
            self.app.notify(
                _("The sync failed ({problem}); referrals stay queued.").format(
                    problem=type(exc).__name__
                ),
                title=_("Sync"),
                severity="error",
                markup=False,
            )
            return
        if report is None:
            pending = worker.state.pending
            if pending:
                message = ngettext(
                    "Central records cannot be reached. {count} referral waiting here; sent by "
                    "itself when central is back.",
                    "Central records cannot be reached. {count} referrals waiting here; sent by "
                    "itself when central is back.",
                    pending,
                ).format(count=pending)
            else:
                message = _(
                    "Central records cannot be reached. Nothing waiting here; sent by itself "
                    "when central is back."
                )
            self._notify_resolvable(message, title=_("Sync"), severity="warning")

    def show_log(self) -> None:
        from duty_tui.screens.sync_log import LOG_LINES, SyncLogScreen

        outbox = self.desk.outbox()
        try:
            lines = outbox.log(limit=LOG_LINES)
            pending = outbox.pending_count()
        except Exception as exc:
            self.app.notify(
                _("The sync log cannot be read: {problem}").format(problem=exc),
                severity="error",
                markup=False,
            )
            return
        index = self.desk.index
        numbers = {line.case_id: index.case_number(line.case_id) for line in lines if line.case_id}
        self.app.push_screen(SyncLogScreen(lines, numbers, pending, self._referral_names(lines)))

    def _referral_names(self, lines: list[LogEntry]) -> dict[str, str]:
        """Referral id -> "activity for party", from the cases the log's lines are about (a
        raw 32-character id told the officer nothing). A case that cannot be read keeps its
        referrals' short ids."""
        from duty_tui.services.referral_words import referral_name
        from duty_tui.widgets.suitability_grid import SHORT

        names: dict[str, str] = {}
        for case_id in {line.case_id for line in lines if line.case_id and line.referral_id}:
            try:
                case = self.desk.repo.get(case_id)
            except Exception as exc:  # purged, damaged or unreadable: the log still opens
                log.info("sync log: a case's referrals not named (%s)", type(exc).__name__)
                continue
            for referral in case.referrals:
                names[referral.id] = referral_name(case, referral, SHORT)
        return names

    def settings(self) -> None:
        from duty_tui.screens.central_settings import CentralSettingsScreen

        if isinstance(self.app.screen, CentralSettingsScreen):
            return
        current = self._worker.config if self._worker is not None else None
        self.app.push_screen(
            CentralSettingsScreen(current, self.desk.save_central_config), self._settings_saved
        )

    def _settings_saved(self, config: CentralConfig | None) -> None:
        if config is None or self.closed:
            return
        self.start()
        self.app.notify(
            _("Central records settings saved. Referrals are sent from now on."),
            title=_("Sync"),
            markup=False,
        )


def sync_summary(report: SyncReport) -> str:
    """What "Sync now" did, in a sentence: counts only."""
    if not report.attempted and not report.rejected:
        return _("Nothing was waiting: every referral is acknowledged.")
    counts = {
        "acknowledged": report.acknowledged,
        "refused": len(report.rejected),
        "waiting": report.remaining,
    }
    # Whole sentences for each combination: a translator sees what is joined to what.
    if report.rejected and report.remaining:
        text = _(
            "{acknowledged} acknowledged by central records; {refused} refused (see the "
            "messages and the sync log); {waiting} still waiting: they are tried again by "
            "themselves."
        )
    elif report.rejected:
        text = _(
            "{acknowledged} acknowledged by central records; {refused} refused (see the "
            "messages and the sync log)."
        )
    elif report.remaining:
        text = _(
            "{acknowledged} acknowledged by central records; {waiting} still waiting: they "
            "are tried again by themselves."
        )
    else:
        text = _("{acknowledged} acknowledged by central records.")
    return text.format(**counts)
