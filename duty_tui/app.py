"""The duty officer's app: unlock, the day's duty list, the case, locked when left alone.

The App holds what outlives a screen: the open store (the *session*), the background saver, the
drafts of fields whose text is not (yet) valid, the idle lock and the keymap. Screens ask it to
open, create and save cases; they never touch the store themselves.

Startup is kept light (it is measured against a bare Textual app): screens other than the
unlock screen, the store and the rules are imported when first needed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import gc
import logging
import os
import signal
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen

from duty_tui.config import Config, OfficerProfile
from duty_tui.keyorder import OrderedKeysApp

if TYPE_CHECKING:
    from textual.driver import Driver
    from textual.worker import Worker

    from duty_tui.services.central_config import CentralConfig
    from duty_tui.services.options import Directory
    from duty_tui.services.sync_engine import Rejection, SyncEngine, SyncReport
    from duty_tui.sync_worker import SyncState, SyncWorker
    from duty_tui.widgets.duty_rows import DutyIndex
    from duty_tui.widgets.saver import Saver
    from records.model import Case
    from store import Store
    from store.cases import CaseRepository
    from store.outbox import Outbox

log = logging.getLogger(__name__)

SESSION_MODE = "session"

# How often the idle lock looks at the clock; the lock comes at most this late.
IDLE_CHECK_S = 1.0


@dataclasses.dataclass
class Session:
    """An unlocked store and what the app keeps alongside it."""

    store: Store
    repo: CaseRepository
    profile: OfficerProfile
    saver: Saver
    index: DutyIndex
    # case id -> field key -> text typed that the record could not take (shown with its reason).
    drafts: dict[str, dict[str, str]]
    # The provider directory, read from the store when first needed (see DutyApp.directory).
    directory: Directory | None = None
    # The referral outbox (store/outbox.py), opened when first needed.
    outbox: Outbox | None = None


class CaseSaved(Message):
    """Posted by the saver's thread when a case is on disk."""

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id


class CaseSaveFailed(Message):
    def __init__(self, case_id: str, reason: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.reason = reason


def _commands_provider() -> type:
    from duty_tui.widgets.commands import DutyCommands

    return DutyCommands


class DutyApp(OrderedKeysApp[int]):
    TITLE = "duty-tui"
    CSS_PATH = "app.tcss"
    # Only our own commands: Textual's system commands include "save screenshot", which would
    # write case data to disk unencrypted.
    COMMANDS: ClassVar[set[Any]] = {_commands_provider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "lock", "Lock", id="app.lock", priority=True),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("f1", "help", "Help", id="app.help"),
        Binding("s", "sync", "Sync now", id="app.sync", show=False),  # not priority: typing
        # Declared here (not left to Textual) so that it has an id a keymap can change.
        Binding(
            "ctrl+p",
            "command_palette",
            "Commands",
            id="app.command_palette",
            show=False,
            priority=True,
        ),
    ]

    def __init__(
        self,
        data_dir: Path,
        *,
        config: Config | None = None,
        today: dt.date | None = None,
        clock: Callable[[], float] = time.monotonic,
        idle_lock_seconds: float | None = None,
        kdf: Any = None,
        demo_passphrase: str | None = None,
        handle_signals: bool = True,
    ) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        self.config = config if config is not None else Config()
        self._today = today
        self.clock = clock
        self.idle_lock_seconds = (
            idle_lock_seconds if idle_lock_seconds is not None else self.config.idle_lock_seconds
        )
        # Argon2 cost for a new store; None is the store's own (secure) default. Tests only.
        self.kdf = kdf
        self.demo_passphrase = demo_passphrase
        self._handle_signals = handle_signals
        self.session: Session | None = None
        self.locked = False
        self._held_notifications: list[tuple[str, dict[str, Any]]] = []
        # Store problems already named to the officer this session.
        self._told: list[Any] = []
        self._last_activity = clock()
        self._session_closed = False
        # Quit, a hang-up or a shutdown has begun: a store that finishes opening now is closed.
        self._ending = False
        # A hang-up or a shutdown has begun (not quit): see _handle_exception.
        self._terminating = False
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            # Scrolls and fades jump instead of gliding: on a busy laptop every animation frame
            # of a scroll repaints the screen, and keys typed meanwhile wait behind it.
            self.animation_level = "none"
        if self.config.keymap:
            # Checked before Textual sees it: Textual takes any text as a key, so a typo would
            # silently take a key away (duty_tui/keymap.py). Bad entries keep their defaults
            # and join the config warnings shown when the app opens.
            from duty_tui.keymap import check_keymap

            keymap, problems = check_keymap(self.config.keymap)
            if problems or keymap != self.config.keymap:
                self.config = dataclasses.replace(
                    self.config, keymap=keymap, warnings=(*self.config.warnings, *problems)
                )
            if keymap:
                self.set_keymap(keymap)

    # --- time --------------------------------------------------------------------------------

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    # --- startup and shutdown ----------------------------------------------------------------

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this platform; on Linux and macOS one that ends the app when
        its terminal goes instead of hanging (duty_tui/hangup.py)."""
        driver_class = super().get_driver_class()
        if os.name == "posix":
            from textual.drivers.linux_driver import LinuxDriver

            if driver_class is LinuxDriver:
                from duty_tui.hangup import HangupSafeDriver

                return HangupSafeDriver
        return driver_class

    def get_default_screen(self) -> Screen[Any]:
        # The unlock screen is the default mode's screen (one screen to build at start-up, not
        # two); unlocking switches to the session's mode.
        from duty_tui.screens.unlock import UnlockScreen

        return UnlockScreen()

    def on_mount(self) -> None:
        self.set_interval(
            min(IDLE_CHECK_S, max(self.idle_lock_seconds / 4, 0.05)), self.check_idle_lock
        )
        for warning in self.config.warnings:
            self.notify(warning, title="Config", severity="warning", timeout=10, markup=False)
        if self._handle_signals:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGHUP, signal.SIGTERM):
                try:
                    loop.add_signal_handler(signum, self._on_terminate, signum)
                except (NotImplementedError, RuntimeError, ValueError):
                    pass  # not the main thread, or not a platform with these signals

    def on_unmount(self) -> None:
        self.close_session()
        if self._handle_signals:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGHUP, signal.SIGTERM):
                try:
                    loop.remove_signal_handler(signum)
                except (NotImplementedError, RuntimeError, ValueError):
                    pass

    def _on_terminate(self, signum: int) -> None:
        """The terminal closed (SIGHUP) or the system is shutting down (SIGTERM, e.g. a flat
        battery): put everything typed on disk before anything else, then go.

        Once it is on disk and the store closed (its lock released), a timer ends the process
        if it is still here a few seconds on: nothing is left to lose, and a process hung on a
        terminal that has gone would keep the officer out of the store (duty_tui/hangup.py)."""
        from duty_tui.hangup import arm_hard_exit

        self._ending = self._terminating = True
        try:
            self.close_session()
            arm_hard_exit(128 + signum)
        finally:
            self.exit(return_code=128 + signum)

    def _handle_exception(self, error: Exception) -> None:
        """After a hang-up or a shutdown, with the session already on disk, a screen caught
        half-built by the app coming down (the duty list of an unlock that finished as the
        terminal closed) may fail: that ends nothing the officer has, so it is not reported as
        the app's failure (exit status 1, a traceback on a terminal that may be gone)."""
        if self._terminating and (self.session is None or self._session_closed):
            log.warning("while ending after a signal: %s", type(error).__name__)
            return
        super()._handle_exception(error)

    def terminal_closed(self) -> None:
        """The driver saw the terminal go (a hang-up on the tty, or a write that failed):
        a hang-up, whether or not SIGHUP reaches us (nohup, setsid) or has yet."""
        self._on_terminate(signal.SIGHUP)

    async def action_quit(self) -> None:
        self._ending = True
        self.close_session()
        self.exit(return_code=0)

    def close_session(self) -> None:
        """Commit what is being typed, write everything waiting, close the store. Idempotent;
        also called by ``duty-tui run`` after the app has stopped, whatever stopped it."""
        session = self.session
        if session is None or self._session_closed:
            return
        self._session_closed = True
        self.stop_sync()  # before the store closes: no sync write may race the closing
        try:
            self.commit_edits()
        except Exception:
            # The writes below matter more than a UI that is already coming apart.
            log.exception("committing edits at close")
        session.saver.close()
        session.store.close()

    # --- the session -------------------------------------------------------------------------

    def start_session(self, store: Store, profile: OfficerProfile) -> None:
        """Called by the unlock screen with the opened store and the officer's profile."""
        from duty_tui.screens.duty_list import DutyListScreen
        from duty_tui.widgets.duty_rows import DutyIndex
        from duty_tui.widgets.saver import Saver, load_drafts
        from store.cases import CaseRepository

        if self._ending:
            # The passphrase was being checked when the app began to end: release the store
            # and start nothing on screens that are being taken down.
            store.close()
            return
        repo = CaseRepository(store)
        saver = Saver(
            store,
            repo,
            on_saved=lambda case_id: self._post(CaseSaved(case_id)),
            on_failed=lambda case_id, reason: self._post(CaseSaveFailed(case_id, reason)),
        )
        self.session = Session(
            store=store,
            repo=repo,
            profile=profile,
            saver=saver,
            index=DutyIndex(repo.summaries()),
            drafts=load_drafts(store),
        )
        # Everything loaded so far lives as long as the session: keep the cyclic garbage
        # collector from walking it again and again (with 10,000 cases a full collection in
        # the middle of typing costs a visible pause).
        gc.freeze()
        self._last_activity = self.clock()
        # The unlock screen stays behind in the default mode, idle; the session's screens live
        # in a mode of their own.
        self.add_mode(SESSION_MODE, DutyListScreen)
        self.switch_mode(SESSION_MODE)
        self.start_sync()
        self.tell_store_problems()

    def tell_store_problems(self) -> None:
        """Name what is wrong with the store's files (a case by its number), and what it means;
        each once a session. Damaged files are in quarantine; duty-tui doctor lists them all."""
        from duty_tui.services.health import describe_all

        session = self.session
        if session is None:
            return
        store = session.store
        problems = [p for p in [*store.problems(), *store.told()] if p not in self._told]
        if not problems:
            return
        self._told.extend(problems)
        findings = describe_all(problems, store.summaries())
        lines = [finding.line() for finding in findings[:4]]
        if len(findings) > 4:
            lines.append(f"… and {len(findings) - 4} more (duty-tui doctor lists them all).")
        self.notify(
            "\n".join(lines),
            title="Some of the store's files need attention",
            severity="error",
            timeout=60,
            markup=False,
        )

    def _post(self, message: Message) -> None:
        try:
            self.post_message(message)
        except RuntimeError:
            pass  # the loop has closed: the app is gone and nobody is waiting for the news

    def require_session(self) -> Session:
        if self.session is None:
            raise RuntimeError("the store is not unlocked")
        return self.session

    def load_case(self, case_id: str) -> Case:
        session = self.require_session()
        # A version of this case may still be on its way to disk (left a moment ago): wait for
        # it, or the case would open as it was before and the next edit would undo it. Cheap
        # when nothing is waiting.
        session.saver.flush()
        return session.repo.get(case_id)

    def save_case(self, case: Case) -> None:
        """Hand the case to the saver and update the duty list's row at once."""
        from records.summary import case_summary

        session = self.require_session()
        session.index.update(case.id, case_summary(case))
        session.saver.save_case(case)

    def directory(self) -> Directory:
        """The provider directory the rules choose from: the copy last fetched from central
        (or imported with ``duty-tui providers import``), else the shipped fictional sample."""
        session = self.require_session()
        if session.directory is None:
            from duty_tui.services.options import Directory, sample_directory
            from duty_tui.services.provider_cache import cached_providers

            providers, _fetched = cached_providers(session.store)
            session.directory = (
                Directory(providers, source="provider directory")
                if providers
                else sample_directory()
            )
            self.tell_store_problems()  # a damaged directory has just started again empty
        return session.directory

    def forget_directory(self) -> None:
        """The stored directory changed (a refresh from central): read it again when asked."""
        if self.session is not None:
            self.session.directory = None

    # --- referrals -----------------------------------------------------------------------------

    def outbox(self) -> Outbox:
        session = self.require_session()
        if session.outbox is None:
            from store.outbox import Outbox

            session.outbox = Outbox(session.store)
        return session.outbox

    def _referral_change(self, case: Case, change: Callable[..., Case], *args: Any) -> Case:
        """Run a queue/amend/withdraw from services.referrals on ``case`` as the officer sees it.

        The saver's copy goes to disk first: the services read the case from the store, and
        must build the payload from what is on screen, not from a version a moment old.
        Raises PayloadError (problems to show) or StoreError; nothing is half-done then.
        """
        session = self.require_session()
        self.save_case(case)
        if not session.saver.flush():
            from records.payload import PayloadError

            raise PayloadError(["the case could not be saved first; see the save message"])
        updated = change(session.repo, self.outbox(), case.id, *args)
        self.save_case(updated)  # the index (duty-list badge); the file is already current
        return updated

    def queue_referral(self, case: Case, direction_id: str) -> Case:
        """Queue the referral for a direction, if the rules say it is ready: made by the court,
        provider chosen, funded, nothing unknown or blocking (services.assessment.readiness)."""
        from duty_tui.services.assessment import ready_to_queue
        from duty_tui.services.referrals import queue_referral

        case = ready_to_queue(case, direction_id, self.directory(), today=self.today())
        updated = self._referral_change(case, queue_referral, direction_id)
        self.kick_sync()
        return updated

    def amend_referral(self, case: Case, referral_id: str) -> Case:
        from duty_tui.services.referrals import amend_referral

        updated = self._referral_change(case, amend_referral, referral_id)
        self.kick_sync()
        return updated

    def withdraw_referral(self, case: Case, referral_id: str, reason: str) -> Case:
        from duty_tui.services.referrals import withdraw_referral

        updated = self._referral_change(case, withdraw_referral, referral_id, reason)
        self.kick_sync()
        return updated

    def kick_sync(self) -> None:
        """Something was queued: the running sync (see the sync region) should look now."""
        if self.sync_engine is not None:
            self.sync_engine.kick()

    def apply_sync_results(self, case_ids: Iterable[str]) -> None:
        """Central changed the state of referrals of these cases: bring each case's Referral
        records in line with the outbox. An open case is updated on screen and saved through
        the saver (so it never races the officer's typing); the others are saved directly."""
        from duty_tui.services.referrals import reconcile_case
        from records.caseformat import CaseFormatError
        from store import StoreError

        session = self.require_session()
        outbox = self.outbox()
        wanted = set(case_ids)
        for screen in self.screen_stack:
            open_case = getattr(screen, "case", None)
            refresh = getattr(screen, "referrals_changed", None)
            if open_case is None or refresh is None or open_case.id not in wanted:
                continue
            wanted.discard(open_case.id)
            updated = reconcile_case(open_case, outbox)
            if updated is not open_case:
                self.save_case(updated)
                refresh(updated)
        if not wanted:
            return
        session.saver.flush()
        for case_id in sorted(wanted):
            try:
                case = session.repo.get(case_id)
            except (StoreError, CaseFormatError):
                continue  # an unreadable case has no view to fix (it is reported at unlock)
            updated = reconcile_case(case, outbox)
            if updated is not case:
                self.save_case(updated)

    def set_drafts(self, case_id: str, fields: dict[str, str]) -> None:
        session = self.require_session()
        if fields:
            session.drafts[case_id] = dict(fields)
        else:
            session.drafts.pop(case_id, None)
        session.saver.save_drafts(case_id, fields)

    def commit_edits(self) -> None:
        """Ask every open case screen to commit what is waiting for its debounce."""
        for screen in self.screen_stack:
            commit = getattr(screen, "commit_pending", None)
            if commit is not None:
                commit()

    def on_case_saved(self, message: CaseSaved) -> None:
        for screen in self.screen_stack:
            handler = getattr(screen, "case_saved", None)
            if handler is not None:
                handler(message.case_id)

    def on_case_save_failed(self, message: CaseSaveFailed) -> None:
        self.notify(
            f"Not saved yet: {message.reason}. Keep the app open; it tries again.",
            title="Save failed",
            severity="error",
            timeout=15,
            markup=False,
        )
        for screen in self.screen_stack:
            handler = getattr(screen, "case_save_failed", None)
            if handler is not None:
                handler(message.case_id, message.reason)

    # --- navigation --------------------------------------------------------------------------

    def open_case(self, case_id: str) -> None:
        from duty_tui.screens.case import CaseScreen

        if self.session is None or self.locked:
            return
        self._back_to_list()
        try:
            case = self.load_case(case_id)
        except Exception as exc:
            self.notify(f"That case cannot be opened: {exc}", severity="error", markup=False)
            return
        self.push_screen(CaseScreen(case))

    def action_new_case(self) -> None:
        from duty_tui.screens.new_case import NewCaseScreen

        if self.session is None or self.locked:
            return
        day = getattr(self.screen, "day", None) or self.today()
        self.push_screen(NewCaseScreen(self.session.profile, day), self._new_case_made)

    def _new_case_made(self, case: Case | None) -> None:
        if case is None:
            return
        self.save_case(case)
        self.open_case_record(case)

    def open_case_record(self, case: Case) -> None:
        from duty_tui.screens.case import CaseScreen

        self._back_to_list()
        self.push_screen(CaseScreen(case))

    def _back_to_list(self) -> None:
        """Close case screens and dialogs down to the duty list (one case open at a time;
        leaving a case commits its edits, see CaseScreen)."""
        from duty_tui.screens.duty_list import DutyListScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, DutyListScreen):
            commit = getattr(self.screen, "commit_pending", None)
            if commit is not None:
                commit()
            self.pop_screen()

    def action_go_today(self) -> None:
        if self.session is None or self.locked:
            return
        self._back_to_list()
        go = getattr(self.screen, "action_today", None)
        if go is not None:
            go()

    # --- help and the command palette ---------------------------------------------------------

    def action_help(self) -> None:
        from duty_tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen.for_screen(self.screen))

    def action_command_palette(self) -> None:
        # Before unlock and while locked the palette would list cases: it stays shut.
        if self.session is None or self.locked:
            return
        super().action_command_palette()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("lock", "new_case", "command_palette", "go_today"):
            return self.session is not None and not self.locked
        return True

    # --- locking -----------------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        # Any key, click or scroll is the officer at the laptop: the idle lock starts again.
        # Keys typed while the first screen is still being built wait for it (OrderedKeysApp).
        if isinstance(event, events.Key | events.MouseDown | events.MouseScrollDown) or isinstance(
            event, events.MouseScrollUp | events.Paste
        ):
            self._last_activity = self.clock()
        await super().on_event(event)

    def check_idle_lock(self) -> None:
        if self.session is None or self.locked:
            return
        if self.clock() - self._last_activity >= self.idle_lock_seconds:
            self.lock_now()

    def action_lock(self) -> None:
        self.lock_now()

    def lock_now(self) -> None:
        """Cover every screen with the lock screen. The store stays open and what was being
        typed stays where it was; it is committed (and saved if valid) now."""
        from duty_tui.screens.lock import LockScreen

        if self.session is None or self.locked:
            return
        self.locked = True
        self.commit_edits()
        # A toast may name a case; none survives the lock, nor one already on its way.
        self.clear_notifications()
        self.push_screen(LockScreen(), self._unlocked)
        self.call_later(self.clear_notifications)

    def _unlocked(self, _result: bool | None) -> None:
        self.locked = False
        self._last_activity = self.clock()
        held, self._held_notifications = self._held_notifications, []
        for message, kwargs in held:
            self.notify(message, **kwargs)

    def notify(self, message: str, **kwargs: Any) -> None:
        """As App.notify, but held back while locked: a toast may name a case."""
        if self.locked:
            self._held_notifications.append((message, kwargs))
            return
        super().notify(message, **kwargs)

    # --- when something unexpected happens ------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """Textual's report would print every frame's locals (the case, the passphrase): say
        only what and where (duty_tui/crash.py). Tests still get the exception itself."""
        from rich.text import Text

        from duty_tui.crash import summary

        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        self.panic(Text(summary(error)))

    def panic(self, *renderables: Any) -> None:
        from rich.text import Text
        from rich.traceback import Traceback

        from duty_tui.crash import message

        safe: list[Any] = []
        for renderable in renderables:
            if isinstance(renderable, Traceback):
                # The terminal's input thread failed (a closed terminal, say): no frames shown.
                stacks = renderable.trace.stacks
                kind = stacks[-1].exc_type if stacks else "error"
                safe.append(Text(message(kind, "the terminal's input")))
            else:
                safe.append(renderable)
        super().panic(*safe)

    def action_change_passphrase(self) -> None:
        from duty_tui.screens.change_passphrase import ChangePassphraseScreen

        if self.session is None or self.locked:
            return
        store = self.session.store

        def change(old: str, new: str, rotate: bool, progress: Any) -> None:
            store.change_passphrase(
                old, new, kdf=self.kdf, rotate=rotate, progress=progress if rotate else None
            )

        def changed(result: bool | None) -> None:
            if result:
                self.notify(
                    "The passphrase is changed: use the new one from now on.",
                    title="Passphrase",
                    markup=False,
                )

        self.push_screen(ChangePassphraseScreen(change), changed)

    def verify_passphrase(self, passphrase: str) -> bool:
        """Does ``passphrase`` unlock the open store? Runs Argon2: call from a thread."""
        return self.require_session().store.verify_passphrase(passphrase)

    # --- sync --------------------------------------------------------------------------------
    # The background sync (duty_tui/sync_worker.py) for as long as the session is open, the
    # status line above the footer (widgets/sync_status.py), "Sync now" (s), the sync log and
    # the central settings. Central's messages are shown; nothing about a case is ever logged.

    # Seconds between probes of central while nothing is queued (tests shorten it).
    sync_probe_interval_s: float = 30.0
    # The running engine (None: central not set up, or no session). kick_sync uses it.
    sync_engine: SyncEngine | None = None
    # What the status line shows; a status line mounted later reads it.
    sync_state: SyncState | None = None
    _sync: SyncWorker | None = None
    _sync_task: Worker[None] | None = None
    # The fatal error last notified: the background loop meets it every probe; say it once.
    _sync_fatal_shown: str = ""
    # Cases whose referrals were waiting when last saved: their saves may change the count.
    _sync_waiting_cases: frozenset[str] = frozenset()

    def start_sync(self) -> None:
        """(Re)start the background sync for the unlocked store with the stored central
        settings. Without settings there is no engine, but the status line still counts what
        waits and says how to set central up."""
        from duty_tui.services.central_config import load_central_config
        from duty_tui.sync_worker import SyncWorker

        session = self.require_session()
        previous = self.sync_state
        self.stop_sync()
        try:
            config = load_central_config(session.store)
        except Exception as exc:  # unreadable settings: run without central, say so in the log
            log.warning("central settings unreadable (%s)", type(exc).__name__)
            config = None
        worker = SyncWorker(
            self.outbox(),
            config,
            on_state=self._sync_state_changed,
            on_report=self._sync_report,
            on_directory_changed=self.forget_directory,
            probe_interval_s=self.sync_probe_interval_s,
        )
        if previous is not None and previous.pending is not None:
            worker.set_pending(previous.pending)  # no flicker to "?" while it is recounted
        self._sync = worker
        self.sync_engine = worker.engine
        self._sync_fatal_shown = ""
        self._sync_state_changed(worker.state)
        self._recount_sync()
        if worker.configured:
            # On the app's loop; exit_on_error=False: a failing sync must never end the app
            # (the worker restarts its own loop; this is the last line of defence).
            self._sync_task = self.run_worker(
                worker.run(), name="sync", group="sync", exit_on_error=False
            )

    def stop_sync(self) -> None:
        """Stop the background sync now. Synchronous (close_session is): the worker is
        cancelled, and its coroutine closes the HTTP client as it unwinds. Whatever was in
        flight stays "sent" in the outbox and is resent next time; central is idempotent."""
        worker, task = self._sync, self._sync_task
        self._sync = None
        self._sync_task = None
        self.sync_engine = None
        try:
            if worker is not None:
                worker.stop()
            if task is not None:
                task.cancel()
        except RuntimeError:
            pass  # the event loop has already closed (after the app): nothing is running

    def _recount_sync(self) -> None:
        worker = self._sync
        if worker is not None:
            self.run_worker(
                worker.recount(), group="sync-count", exclusive=True, exit_on_error=False
            )

    def _sync_state_changed(self, state: SyncState) -> None:
        from duty_tui.widgets.sync_status import SyncStatus

        self.sync_state = state
        for screen in self.screen_stack:
            for status in screen.query(SyncStatus):
                status.show(state)

    @on(CaseSaved)
    def _sync_case_saved(self, message: CaseSaved) -> None:
        """A referral queued, amended or withdrawn saves its case: count again. Only cases
        with referrals waiting (now or before) are worth a read of the outbox."""
        session = self.session
        if session is None or self._sync is None:
            return
        row = session.index.get(message.case_id)
        waiting = row is not None and row.referrals_queued > 0
        if waiting or message.case_id in self._sync_waiting_cases:
            self._recount_sync()
        if waiting:
            self._sync_waiting_cases |= {message.case_id}
        else:
            self._sync_waiting_cases -= {message.case_id}

    async def _sync_report(self, report: SyncReport, asked: bool) -> None:
        """Every sync's outcome: cases catch up, refusals are named, "Sync now" is answered."""
        if self.session is None or self._session_closed:
            return
        if report.case_ids:
            try:
                self.apply_sync_results(report.case_ids)
            except Exception as exc:  # the outbox has it; the cases catch up next time
                log.warning("sync results not applied to cases (%s)", type(exc).__name__)
            # The duty list redraws its rows only when shown again; on show now, its
            # "referrals queued" badges would be stale until then.
            refresh_rows = getattr(self.screen, "refresh_rows", None)
            if refresh_rows is not None:
                refresh_rows()
        for rejection in report.rejected:
            self.notify(
                f"Central records refused the referral for {self._sync_case_number(rejection)}:"
                f" {rejection.reason}",
                title="Referral refused",
                severity="error",
                timeout=30,
                markup=False,
            )
        if report.fatal:
            if asked or report.error != self._sync_fatal_shown:
                self.notify(
                    f"Referrals cannot be sent: {report.error}",
                    title="Central records",
                    severity="error",
                    timeout=30,
                    markup=False,
                )
            self._sync_fatal_shown = report.error
            return
        self._sync_fatal_shown = ""
        if asked:
            self.notify(_sync_summary(report), title="Sync", timeout=8, markup=False)

    def _sync_case_number(self, rejection: Rejection) -> str:
        session = self.session
        number = session.index.case_number(rejection.case_id) if session is not None else ""
        return number or "a case"

    def action_sync(self) -> None:
        """Sync now: send everything waiting, whatever its backoff says, and report."""
        if self.session is None or self.locked:
            return
        worker = self._sync
        if worker is None or not worker.configured:
            self.notify(
                "Central records are not set up on this laptop: enter central's address and "
                "the device token, then sync again.",
                title="Sync",
                severity="warning",
                markup=False,
            )
            self.action_central_settings()
            return
        if any(w.group == "sync-now" and not w.is_finished for w in self.workers):
            return  # one already running: its answer is on its way
        self.run_worker(self._sync_now(worker), group="sync-now", exit_on_error=False)

    async def _sync_now(self, worker: SyncWorker) -> None:
        from store import TableUnreadable

        try:
            report = await worker.sync_now()
        except TableUnreadable:
            self.notify(worker.state.error, title="Sync", severity="error", markup=False)
            return
        except Exception as exc:
            log.warning("sync now failed (%s)", type(exc).__name__)
            self.notify(
                f"The sync failed ({type(exc).__name__}); referrals stay queued.",
                title="Sync",
                severity="error",
                markup=False,
            )
            return
        if report is None:
            pending = worker.state.pending
            waiting = f"{pending} referral{'s' if pending != 1 else ''}" if pending else "Nothing"
            self.notify(
                f"Central records cannot be reached. {waiting} waiting here; sent by itself "
                "when central is back.",
                title="Sync",
                severity="warning",
                markup=False,
            )

    def action_sync_log(self) -> None:
        from duty_tui.screens.sync_log import LOG_LINES, SyncLogScreen

        if self.session is None or self.locked:
            return
        session = self.session
        outbox = self.outbox()
        try:
            lines = outbox.log(limit=LOG_LINES)
            pending = outbox.pending_count()
        except Exception as exc:
            self.notify(f"The sync log cannot be read: {exc}", severity="error", markup=False)
            return
        numbers = {
            line.case_id: session.index.case_number(line.case_id) for line in lines if line.case_id
        }
        self.push_screen(SyncLogScreen(lines, numbers, pending))

    def action_central_settings(self) -> None:
        from duty_tui.screens.central_settings import CentralSettingsScreen

        if self.session is None or self.locked or isinstance(self.screen, CentralSettingsScreen):
            return
        current = self._sync.config if self._sync is not None else None
        self.push_screen(
            CentralSettingsScreen(current, self._save_central_config), self._central_saved
        )

    def _save_central_config(self, config: CentralConfig) -> None:
        from duty_tui.services.central_config import save_central_config

        save_central_config(self.require_session().store, config)

    def _central_saved(self, config: CentralConfig | None) -> None:
        if config is None or self.session is None or self._session_closed:
            return
        self.start_sync()
        self.notify(
            "Central records settings saved. Referrals are sent from now on.",
            title="Sync",
            markup=False,
        )


def _sync_summary(report: SyncReport) -> str:
    """What "Sync now" did, in a sentence: counts only."""
    if not report.attempted and not report.rejected:
        return "Nothing was waiting: every referral is acknowledged."
    parts = [f"{report.acknowledged} acknowledged by central records"]
    if report.rejected:
        parts.append(f"{len(report.rejected)} refused (see the messages and the sync log)")
    if report.remaining:
        parts.append(f"{report.remaining} still waiting: they are tried again by themselves")
    return "; ".join(parts) + "."
