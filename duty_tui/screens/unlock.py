"""The first screen: unlock the store, or set up this laptop on the first run.

It opens with the passphrase field alone, at once: the store (and its cryptography) loads in a
thread meanwhile, and only then does a first run grow the rest of its form (the passphrase
again, with its strength shown, and the officer's profile). A store made by ``duty-tui import``
has no profile yet, so that is asked for after unlocking. Nothing from the store is shown here.

Argon2 takes a noticeable fraction of a second, so opening and creating run in a thread; a wrong
passphrase makes the next try wait longer each time (1, 2, 4 ... 30 s).
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from duty_tui.i18n import N_, _, ngettext
from duty_tui.messages import Unlocked
from duty_tui.screens.translated import translate_bindings
from duty_tui.services.store_text import strength_words
from duty_tui.widgets.field import FieldRow
from duty_tui.widgets.plain import plain

if TYPE_CHECKING:
    from duty_tui.config import OfficerProfile
    from store import Store

MAX_DELAY_S = 30
UNLOCK, FIRST_RUN = "unlock", "first run"


def retry_delay(failures: int) -> int:
    """Seconds to wait after the n-th wrong passphrase in a row: 1, 2, 4, ... at most 30."""
    return min(2 ** max(failures - 1, 0), MAX_DELAY_S) if failures else 0


def _store_exists(data_dir: Path) -> bool:
    from store import Store  # the slow import, done here in a thread

    return Store.exists(data_dir)


@dataclasses.dataclass(frozen=True)
class UnlockSettings:
    """Where the store is and how a new one is made."""

    data_dir: Path
    # Argon2 cost for a new store; None is the store's own (secure) default. Tests only.
    kdf: Any = None
    # Shown on the screen for the demo store (make run), never for a real one.
    demo_passphrase: str | None = None


class UnlockScreen(Screen[None]):
    help_title = N_("Unlock")
    AUTO_FOCUS = "#passphrase"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear", N_("Clear the passphrase"), show=False, id="unlock.clear"),
    ]

    def __init__(self, where: UnlockSettings) -> None:
        super().__init__()
        self.where = where
        self.failures = 0
        self.mode: str | None = None  # known once the store module has loaded
        self._wait_timer: Any = None
        self._store: Store | None = None  # opened, waiting for a profile
        self._submit_when_ready = False

    def compose(self) -> ComposeResult:
        # Few widgets: this is the first frame, and start-up time is measured.
        with Vertical(id="unlock-box"):
            yield Static(
                Text.assemble(("duty-tui", "bold"), "\n", _("Court duty at the first hearing")),
                id="unlock-title",
            )
            yield Static(
                _("Type the passphrase, then Enter."), classes="explain", id="unlock-explain"
            )
            yield Input(password=True, id="passphrase", placeholder=_("passphrase"), compact=True)
            yield Static("", id="unlock-message")
            if self.where.demo_passphrase:
                yield Static(
                    plain(
                        _("Demo data: the passphrase is {passphrase}").format(
                            passphrase=self.where.demo_passphrase
                        )
                    ),
                    id="demo-hint",
                )

    def on_mount(self) -> None:
        translate_bindings(self)
        # Focus now rather than on the first resume: an officer who starts typing as soon as
        # the app opens must not lose the first letter of the passphrase (keys typed before
        # this wait for the screen, see duty_tui/keyorder.py).
        self.set_focus(self.query_one("#passphrase", Input))
        # After the first frame: the import competes for the interpreter with drawing it.
        self.call_after_refresh(lambda: self.run_worker(self._find_mode(), group="mode"))

    async def _find_mode(self) -> None:
        exists = await asyncio.to_thread(_store_exists, self.where.data_dir)
        self.mode = UNLOCK if exists else FIRST_RUN
        if self.mode == FIRST_RUN:
            self.query_one("#unlock-explain", Static).update(
                _(
                    "Set up this laptop. The passphrase protects every case kept here. "
                    "Nobody can recover it: if it is forgotten, so are the cases."
                )
            )
            await self._mount_setup(self._first_run_widgets())
        if self._submit_when_ready:
            self.attempt()

    async def _mount_setup(self, widgets: list[Widget]) -> None:
        await self.query_one("#unlock-box").mount(
            Vertical(*widgets, id="setup"), after="#passphrase"
        )

    def _first_run_widgets(self) -> list[Widget]:
        from textual.widgets import Button

        return [
            Static("", id="strength"),
            FieldRow(
                _("Passphrase again"),
                Input(password=True, id="confirm", placeholder=_("the same again"), compact=True),
                id="row-confirm",
            ),
            *self._profile_widgets(),
            Button(_("Create"), id="go", variant="primary", compact=True),
        ]

    def _profile_widgets(self) -> list[Widget]:
        from textual.widgets import Select

        from records.model import Jurisdiction, OfficerRole

        return [
            FieldRow(_("Your name"), Input(id="officer-name", compact=True), id="row-officer-name"),
            FieldRow(
                _("Role"),
                Select(
                    [
                        (_("FCA: Family Court Adviser"), OfficerRole.FCA.value),
                        (_("FCSW: Family Court Social Worker"), OfficerRole.FCSW.value),
                    ],
                    value=OfficerRole.FCA.value,
                    allow_blank=False,
                    compact=True,
                    id="officer-role",
                ),
                id="row-officer-role",
            ),
            FieldRow(_("Home court"), Input(id="court", compact=True), id="row-court"),
            FieldRow(
                _("Jurisdiction"),
                Select(
                    [
                        (_("Wales (Cafcass Cymru)"), Jurisdiction.WALES.value),
                        (_("England (Cafcass)"), Jurisdiction.ENGLAND.value),
                    ],
                    value=Jurisdiction.WALES.value,
                    allow_blank=False,
                    compact=True,
                    id="jurisdiction",
                ),
                id="row-jurisdiction",
            ),
        ]

    # --- the passphrase ----------------------------------------------------------------------

    @on(Input.Changed, "#passphrase")
    def _show_strength(self, event: Input.Changed) -> None:
        if self.mode != FIRST_RUN:
            return
        from store.policy import passphrase_strength

        strength = passphrase_strength(event.value)
        words = strength_words(strength)
        meter = "■" * (strength.score + 1) + "□" * (4 - strength.score)
        widget = self.query_one("#strength", Static)
        # The passphrase policy's label and advice (store/policy.py), in the officer's language.
        widget.update(
            plain(
                _("Strength: {meter} {label}: {advice}").format(
                    meter=meter, label=words[0], advice=words[1]
                )
            )
        )
        widget.set_classes(f"strength-{strength.score}")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        # Enter moves on through a form and acts on its last field: no mouse needed.
        if self.mode == FIRST_RUN or self._store is not None:
            if event.input.id in ("passphrase", "confirm", "officer-name"):
                self.focus_next()
                return
        self.attempt()

    def on_button_pressed(self) -> None:
        self.attempt()

    def action_clear(self) -> None:
        self.query_one("#passphrase", Input).value = ""

    def _message(self, text: str, *, error: bool = True) -> None:
        widget = self.query_one("#unlock-message", Static)
        widget.update(plain(text))
        widget.set_class(error, "-error")

    def _busy(self, busy: bool) -> None:
        for widget in self.query("Input, Button, Select"):
            widget.disabled = busy
        if not busy:
            if self._store is not None:
                self.set_focus(self.query_one("#officer-name", Input))
            else:
                self.set_focus(self.query_one("#passphrase", Input))

    def attempt(self) -> None:
        if self._wait_timer is not None:
            return  # still waiting after a wrong passphrase
        if self.mode is None:
            self._submit_when_ready = True  # typed faster than the store loaded
            return
        self._submit_when_ready = False
        if self._store is not None:
            self._save_profile(self._store)
        elif self.mode == FIRST_RUN:
            self._create()
        else:
            passphrase = self.query_one("#passphrase", Input).value
            if not passphrase:
                self._message(_("Type the passphrase, then Enter."))
                return
            self.run_worker(self._open(passphrase), exclusive=True, group="unlock")

    # --- unlock ------------------------------------------------------------------------------

    async def _open(self, passphrase: str) -> None:
        from duty_tui.config import load_profile
        from store import Store, StoreError, StoreInUse, StoreNotFound, WrongPassphrase

        self._busy(True)
        self._message(_("Unlocking…"), error=False)
        try:
            store = await asyncio.to_thread(Store.open, self.where.data_dir, passphrase)
        except WrongPassphrase:
            self.failures += 1
            self.query_one("#passphrase", Input).value = ""
            self._wait(retry_delay(self.failures))
            return
        except StoreInUse:
            self._busy(False)
            self._message(
                _(
                    "This data is already open in another duty-tui window. Close it there "
                    "(ctrl+q), then unlock here."
                )
            )
            return
        except StoreNotFound:
            self._busy(False)
            self._message(_("The store has gone from this laptop. Restart duty-tui to set up."))
            return
        except (StoreError, OSError) as exc:
            self._busy(False)
            self._message(_("The store cannot be opened: {problem}").format(problem=exc))
            return
        try:
            profile = await asyncio.to_thread(load_profile, store)
        except (StoreError, OSError):
            profile = None  # asked for again below rather than refusing to open
        if profile is None:
            await self._ask_profile(store)
            return
        self._start(store, profile)

    def _start(self, store: Store, profile: OfficerProfile) -> None:
        # This screen stays behind, idle, for the app's life: it keeps no passphrase.
        for field in self.query(Input):
            field.value = ""
        self.post_message(Unlocked(store, profile))

    async def _ask_profile(self, store: Store) -> None:
        from textual.widgets import Button

        self._store = store
        self.query_one("#passphrase").add_class("-hidden")
        self.query_one("#unlock-explain", Static).update(
            _("Unlocked. Who is on duty, and where? New cases take these details.")
        )
        await self._mount_setup(
            [
                *self._profile_widgets(),
                Button(_("Continue"), id="go", variant="primary", compact=True),
            ]
        )
        self._busy(False)
        self._message("")

    def _wait(self, seconds: int) -> None:
        """Refuse another try for ``seconds``, counting down on screen."""
        remaining = [seconds]

        def tick() -> None:
            remaining[0] -= 1
            if remaining[0] <= 0:
                if self._wait_timer is not None:
                    self._wait_timer.stop()
                self._wait_timer = None
                self._busy(False)
                self._message(_("That passphrase did not unlock the store. Try again."))
            else:
                self._show_wait(remaining[0])

        self._show_wait(seconds)
        self._wait_timer = self.set_interval(1, tick)

    def _show_wait(self, seconds: int) -> None:
        self._message(
            ngettext(
                "That passphrase did not unlock the store. Try again in {seconds} s "
                "(wrong {failures} time).",
                "That passphrase did not unlock the store. Try again in {seconds} s "
                "(wrong {failures} times).",
                self.failures,
            ).format(seconds=seconds, failures=self.failures)
        )

    # --- first run ---------------------------------------------------------------------------

    def _profile(self) -> OfficerProfile | None:
        """The profile as typed, or None with the reason beside the field."""
        from textual.widgets import Select

        from duty_tui.config import OfficerProfile
        from records.model import RecordError

        for row in self.query(FieldRow):
            row.show_error(None)
        try:
            return OfficerProfile.parse(
                self.query_one("#officer-name", Input).value,
                str(self.query_one("#officer-role", Select).value),
                self.query_one("#court", Input).value,
                str(self.query_one("#jurisdiction", Select).value),
            )
        except RecordError as exc:
            row_id = {
                "officer name": "#row-officer-name",
                "home court": "#row-court",
                "role": "#row-officer-role",
                "jurisdiction": "#row-jurisdiction",
            }.get(exc.field, "#row-officer-name")
            row = self.query_one(row_id, FieldRow)
            row.show_error(exc.message)
            self.set_focus(row.control)
            return None

    def _create(self) -> None:
        from store.policy import passphrase_strength

        passphrase = self.query_one("#passphrase", Input).value
        confirm = self.query_one("#confirm", Input).value
        for row in self.query(FieldRow):
            row.show_error(None)
        self._message("")
        strength = passphrase_strength(passphrase)
        words = strength_words(strength)
        if not strength.acceptable:
            self._message(_("Passphrase {label}: {advice}").format(label=words[0], advice=words[1]))
            self.set_focus(self.query_one("#passphrase", Input))
            return
        if confirm != passphrase:
            self.query_one("#row-confirm", FieldRow).show_error(_("the two passphrases differ"))
            self.set_focus(self.query_one("#confirm", Input))
            return
        profile = self._profile()
        if profile is None:
            return
        self.run_worker(self._create_store(passphrase, profile), exclusive=True, group="unlock")

    async def _create_store(self, passphrase: str, profile: OfficerProfile) -> None:
        from duty_tui.config import save_profile
        from store import Store, StoreError

        self._busy(True)
        self._message(_("Setting up…"), error=False)

        def create() -> Store:
            store = Store.create(self.where.data_dir, passphrase, kdf=self.where.kdf)
            try:
                save_profile(store, profile)
            except BaseException:
                store.close()
                raise
            return store

        try:
            store = await asyncio.to_thread(create)
        except (StoreError, OSError) as exc:
            self._busy(False)
            self._message(_("The store cannot be created: {problem}").format(problem=exc))
            return
        self._start(store, profile)

    def _save_profile(self, store: Store) -> None:
        profile = self._profile()
        if profile is None:
            return

        async def save() -> None:
            from duty_tui.config import save_profile
            from store import StoreError

            try:
                await asyncio.to_thread(save_profile, store, profile)
            except (StoreError, OSError) as exc:
                self._message(_("The profile cannot be saved: {problem}").format(problem=exc))
                return
            self._store = None
            self._start(store, profile)

        self.run_worker(save(), exclusive=True, group="unlock")
