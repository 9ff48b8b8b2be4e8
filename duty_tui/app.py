"""The duty officer's app: unlock, the day's duty list, the case, locked when left alone.

The app composes screens, keys, locking and the background sync. What the officer works on
lives on the :class:`~duty_tui.desk.Desk` (the unlocked store, the saver, the outbox, the
referral operations); screens reach it through ``duty_tui.desk_access.desk_of`` and never
import this module. The desk's news (a case saved, a save failed) reaches screens as Textual
messages (duty_tui/messages.py).

Startup is kept light (it is measured against a bare Textual app): screens other than the
unlock screen, the store and the rules are imported when first needed.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen

from duty_tui.config import Config
from duty_tui.i18n import N_, _
from duty_tui.messages import CaseSaved, CaseSaveFailed, StoreTrouble, Unlocked
from duty_tui.navigation import NavigatingApp

if TYPE_CHECKING:
    from duty_tui.desk import DeskEvent
    from duty_tui.sync_worker import SyncState


SESSION_MODE = "session"
# Terminals narrower than this lay some things out differently (app.tcss, ".-narrow").
NARROW_BELOW = 100


def _commands_provider() -> type:
    from duty_tui.widgets.commands import DutyCommands

    return DutyCommands


class DutyApp(NavigatingApp):
    TITLE = "duty-tui"
    CSS_PATH = "app.tcss"
    # Only our own commands: Textual's system commands include "save screenshot", which would
    # write case data to disk unencrypted.
    COMMANDS: ClassVar[set[Any]] = {_commands_provider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "lock", N_("Lock"), id="app.lock", priority=True),
        Binding("ctrl+q", "quit", N_("Quit"), id="app.quit", priority=True),
        Binding("f1", "help", N_("Help"), id="app.help"),
        Binding("s", "sync", N_("Sync now"), id="app.sync", show=False),  # not priority: typing
        # Declared here (not left to Textual) so that it has an id a keymap can change.
        Binding(
            "ctrl+p",
            "command_palette",
            N_("Commands"),
            id="app.command_palette",
            show=False,
            priority=True,
        ),
    ]
    # Seconds between probes of central while nothing is queued (tests shorten it).
    sync_probe_interval_s: float = 30.0

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
        lang: str | None = None,
        ask_language: bool = False,
    ) -> None:
        super().__init__(clock=clock, handle_signals=handle_signals)
        self.data_dir = Path(data_dir)
        self.config = config if config is not None else Config()
        self._today = today
        self.idle_lock_seconds = (
            idle_lock_seconds if idle_lock_seconds is not None else self.config.idle_lock_seconds
        )
        # Argon2 cost for a new store; None is the store's own (secure) default. Tests only.
        self.kdf = kdf
        self.demo_passphrase = demo_passphrase
        # --lang: the language whatever the profile says (duty_tui/i18n.py).
        self.lang = lang
        # Ask English / Cymraeg after unlock when nothing chose the language (duty-tui run does;
        # tests and benchmarks that build the app need not answer it).
        self.ask_language = ask_language
        self.desk = None
        self.sync_ui = None
        # The dropdown the officer was last told that typing does not choose in (once each).
        self._told_about_typing: Any = None
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            # Scrolls and fades jump instead of gliding: on a busy laptop every animation frame
            # of a scroll repaints the screen, and keys typed meanwhile wait behind it.
            self.animation_level = "none"
        if self.config.keymap:
            from duty_tui.keymap import checked_keymap

            self.config, keymap = checked_keymap(self.config)
            if keymap:
                self.set_keymap(keymap)

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    # --- narrow terminals -------------------------------------------------------------------------

    def on_resize(self) -> None:
        # Below 100 columns a field's reason moves under it (app.tcss): beside a 40-wide
        # field at 80 columns it was a column of a few letters a line.
        self.set_class(self.size.width < NARROW_BELOW, "-narrow")

    # --- typing into a dropdown ----------------------------------------------------------------

    def key_taken(self, event: Any) -> bool:
        """Letters typed into a dropdown never choose for the officer.

        Textual's open list jumps to the option matching what is typed, and the Enter that
        ended the typing then chose it: a court name typed after Enter on Role changed Role
        and moved on. Here a letter closes an open list with the choice unchanged, and on a
        closed dropdown it does nothing; either way the officer is told, once."""
        from textual import events
        from textual.widgets import Select

        from duty_tui.widgets.names import officer_name, open_list_of

        if not isinstance(event, events.Key) or not event.is_printable:
            return False
        focused = self.focused
        select = open_list_of(focused)
        if select is not None:
            select.expanded = False
            select.focus()
        elif isinstance(focused, Select):
            if event.key == "space":
                return False  # space opens the list, as Enter does
            select = focused
        else:
            self._told_about_typing = None  # typing elsewhere: tell again next time
            return False
        if self._told_about_typing is not select:
            self._told_about_typing = select
            current = select.selection
            # Select keeps its (prompt, value) pairs privately; the prompt is what is shown.
            options = getattr(select, "_options", ())
            shown = next((str(p) for p, v in options if v == current), _("not chosen"))
            self.notify(
                _(
                    "{field} is still: {choice}. It is a list: Enter opens it, "
                    "↑ ↓ move, Enter chooses. Typed letters do not choose."
                ).format(field=officer_name(select), choice=shown),
                title=_("Typing into a list"),
                severity="warning",
                timeout=6,
                markup=False,
            )
        return True

    # --- start-up and shutdown -------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        # The unlock screen is the default mode's screen (one screen to build at start-up, not
        # two); unlocking switches to the session's mode.
        from duty_tui.screens.unlock import UnlockScreen, UnlockSettings

        return UnlockScreen(UnlockSettings(self.data_dir, self.kdf, self.demo_passphrase))

    def on_mount(self) -> None:
        from duty_tui.widgets.footer import give_dialogs_a_key_line

        give_dialogs_a_key_line(self)
        self.start_idle_watch()
        for warning in self.config.warnings:
            self.notify(warning, title=_("Config"), severity="warning", timeout=10, markup=False)
        self._watch_signals(True)

    def on_unmount(self) -> None:
        self.close_session()
        self._watch_signals(False)

    def on_unlocked(self, message: Unlocked) -> None:
        """The unlock screen opened the store and knows the officer."""
        from duty_tui.desk import Desk
        from duty_tui.screens.duty_list import DutyListScreen
        from duty_tui.sync_ui import SyncUI

        if self._ending or self.desk is not None:
            # The passphrase was being checked when the app began to end: release the store
            # and start nothing on screens that are being taken down.
            message.store.close()
            return
        from duty_tui.i18n import resolve_language, set_language

        # The profile is readable only now; --lang and $DUTY_TUI_LANG still come first.
        set_language(resolve_language(cli=self.lang, profile=message.profile.language))
        desk = Desk(message.store, message.profile, today=self.today, on_event=self._desk_event)
        self.desk = desk
        desk.audit("unlocked")
        self.sync_ui = SyncUI(self, desk, probe_interval_s=self.sync_probe_interval_s)
        # Everything loaded so far lives as long as the session: keep the cyclic garbage
        # collector from walking it again and again (with 10,000 cases a full collection in
        # the middle of typing costs a visible pause).
        gc.freeze()
        self._last_activity = self.clock()  # the unlock was activity
        # The unlock screen stays behind in the default mode, idle; the session's screens live
        # in a mode of their own.
        self.add_mode(SESSION_MODE, DutyListScreen)
        self.switch_mode(SESSION_MODE)
        self.sync_ui.start()
        self.tell_store_problems()
        self.run_worker(_import_session_modules, thread=True, group="warm", exit_on_error=False)
        if self._language_unchosen(message.profile.language):
            from duty_tui.i18n import current_language
            from duty_tui.screens.language import LanguageChoiceScreen

            self.push_screen(LanguageChoiceScreen(current_language()), self.use_language)

    def _language_unchosen(self, profile_language: str | None) -> bool:
        """Nothing chose the language: not the profile, --lang or $DUTY_TUI_LANG (the system
        locale is a guess, not the officer's choice)."""
        from duty_tui.i18n import LANG_ENV, normalise

        return (
            self.ask_language
            and profile_language is None
            and normalise(self.lang) is None
            and normalise(os.environ.get(LANG_ENV)) is None
        )

    def tell_store_problems(self) -> None:
        """Name what is wrong with the store's files, each once a session (services/health.py)."""
        from duty_tui.services.health import notice

        text = notice(self.desk.new_problems()) if self.desk is not None else ""
        if text:
            title = _("Some of the store's files need attention")
            self.notify(text, title=title, severity="error", timeout=60, markup=False)

    # --- the desk's news -------------------------------------------------------------------------

    def _desk_event(self, event: DeskEvent) -> None:
        """The desk's news, from any thread: handed to the app's loop as a message."""
        from duty_tui import desk

        message: Message
        if isinstance(event, desk.CaseSaved):
            message = CaseSaved(event.case_id)
        elif isinstance(event, desk.CaseSaveFailed):
            message = CaseSaveFailed(event.case_id, event.reason)
        else:
            message = StoreTrouble()
        try:
            self.post_message(message)
        except RuntimeError:
            pass  # the loop has closed: the app is gone and nobody is waiting for the news

    def on_store_trouble(self, _message: StoreTrouble) -> None:
        self.tell_store_problems()

    def on_case_saved(self, message: CaseSaved) -> None:
        for screen in self.screen_stack:
            screen.post_message(CaseSaved(message.case_id))
        if self.sync_ui is not None:
            self.sync_ui.case_saved(message.case_id)

    def on_case_save_failed(self, message: CaseSaveFailed) -> None:
        self.notify(
            _("Not saved yet: {reason}. Keep the app open; it tries again.").format(
                reason=message.reason
            ),
            title=_("Save failed"),
            severity="error",
            timeout=15,
            markup=False,
        )
        for screen in self.screen_stack:
            screen.post_message(CaseSaveFailed(message.case_id, message.reason))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("lock", "new_case", "command_palette", "go_today"):
            return self.unlocked
        return True

    def action_switch_language(self) -> None:
        """Cymraeg / English: switch at once, keep it in the profile, and draw the screens
        again in the new language. Screens that know how (``relabel``) change their words in
        place, so what is typed and where the focus is stay as they are."""
        from duty_tui.i18n import ENGLISH, WELSH, current_language

        self.use_language(WELSH if current_language() == ENGLISH else ENGLISH)

    def use_language(self, lang: str | None) -> None:
        """Show everything in ``lang`` from now on and keep it in the officer's profile."""
        from duty_tui.i18n import set_language
        from duty_tui.screens.translated import relabel_all

        if lang is None:
            return
        lang = set_language(lang)
        if self.desk is not None:
            self.desk.save_language(lang)
        relabel_all(self)

    def action_change_passphrase(self) -> None:
        from duty_tui.screens.change_passphrase import ChangePassphraseScreen

        if self.desk is not None and not self.locked:
            self.push_screen(ChangePassphraseScreen(self.desk, kdf=self.kdf))

    # --- sync (duty_tui/sync_ui.py) --------------------------------------------------------------

    @property
    def sync_state(self) -> SyncState | None:
        """What the sync status line shows; a status line mounted later reads it."""
        return self.sync_ui.state if self.sync_ui is not None else None

    def action_sync(self) -> None:
        if self.unlocked and self.sync_ui is not None:
            self.sync_ui.sync_now()

    def action_sync_log(self) -> None:
        if self.unlocked and self.sync_ui is not None:
            self.sync_ui.show_log()

    def action_central_settings(self) -> None:
        if self.unlocked and self.sync_ui is not None:
            self.sync_ui.settings()


# The session's screens and rules, imported lazily so that the unlock screen is up at once.
# The first import of the case screen pulls in the rules, the funding calendar (holidays) and
# their widgets: 50-350 ms. Imported on the app's loop, that froze the screen in the middle of
# a sync (the purge after a sync asks for CaseScreen) or of the first Enter on a case; imported
# here, in a thread after the unlock, the loop keeps answering keys meanwhile.
SESSION_MODULES: tuple[str, ...] = (
    "duty_tui.screens.case",
    "duty_tui.screens.new_case",
    "duty_tui.screens.sync_log",
    "duty_tui.screens.central_settings",
    "duty_tui.screens.help",
    "duty_tui.services.purge",
)


def _import_session_modules() -> None:
    import importlib

    for name in SESSION_MODULES:
        importlib.import_module(name)
