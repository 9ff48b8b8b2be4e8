"""Change the passphrase, from the command palette: current, new (twice, with its strength
shown), and whether to encrypt everything again under a new key.

Returns True once changed, None if cancelled. The work (Argon2, and for a rotation every file
written again) runs in a thread with progress shown; the passphrases live only in the fields
and are cleared when the dialog closes. The store applies the same policy as the set-up.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from duty_tui.i18n import N_, _
from duty_tui.screens.translated import translate_bindings
from duty_tui.services.store_text import strength_words
from duty_tui.widgets.field import FieldRow
from duty_tui.widgets.plain import plain
from store import StoreError, WeakPassphrase, WrongPassphrase
from store.policy import passphrase_strength

if TYPE_CHECKING:
    from duty_tui.desk import Desk


class ChangePassphraseScreen(ModalScreen[bool | None]):
    CSS_PATH = "dialog.tcss"

    AUTO_FOCUS = "#current-passphrase"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="change_passphrase.cancel")
    ]
    help_title = N_("Change the passphrase")

    def __init__(self, desk: Desk, *, kdf: Any = None) -> None:
        super().__init__()
        self._desk = desk
        # Argon2 cost for the new passphrase; None is the store's own (secure) default. Tests.
        self._kdf = kdf
        self._busy = False

    def on_mount(self) -> None:
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="passphrase-box", classes="dialog"):
            yield Static(_("Change the passphrase"), classes="dialog-title")
            yield Static(
                _(
                    "The new passphrase protects every case on this laptop from now on. Nobody "
                    "can recover it: if it is forgotten, so are the cases."
                ),
                classes="explain",
            )
            for label, field_id in (
                (_("Current passphrase"), "current-passphrase"),
                (_("New passphrase"), "new-passphrase"),
                (_("New passphrase again"), "new-again"),
            ):
                yield FieldRow(
                    label, Input(password=True, compact=True, id=field_id), id=f"row-{field_id}"
                )
            yield Static("", id="new-strength", classes="explain")
            yield Checkbox(
                _("Also re-encrypt everything under a new key"), id="rotate", compact=True
            )
            yield Static(
                _(
                    "Slower, but afterwards a copy of the old keyfile opens nothing, even with "
                    "the old passphrase."
                ),
                classes="explain",
            )
            yield Static("", id="passphrase-message")
            with Horizontal(classes="buttons"):
                yield Button(_("Change"), id="passphrase-change", variant="primary", compact=True)
                yield Button(_("Cancel"), id="passphrase-cancel", compact=True)

    @on(Input.Changed, "#new-passphrase")
    def _strength(self, event: Input.Changed) -> None:
        strength = passphrase_strength(event.value)
        words = strength_words(strength)
        self.query_one("#new-strength", Static).update(
            plain(_("Strength: {label}: {advice}").format(label=words[0], advice=words[1]))
            if event.value
            else ""
        )

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == "new-again":
            self.submit()
        else:
            self.focus_next()

    @on(Button.Pressed, "#passphrase-change")
    def _pressed(self) -> None:
        self.submit()

    @on(Button.Pressed, "#passphrase-cancel")
    def action_cancel(self) -> None:
        if not self._busy:
            self._clear()
            self.dismiss(None)

    def _clear(self) -> None:
        for field in self.query(Input):
            field.value = ""

    def _say(self, text: str, *, error: bool = True) -> None:
        message = self.query_one("#passphrase-message", Static)
        message.update(plain(text))
        message.set_class(error, "-error")

    def submit(self) -> None:
        if self._busy:
            return
        current = self.query_one("#current-passphrase", Input).value
        new = self.query_one("#new-passphrase", Input).value
        again = self.query_one("#new-again", Input).value
        for row in self.query(FieldRow):
            row.show_error(None)
        strength = passphrase_strength(new)
        words = strength_words(strength)
        if not strength.acceptable:
            row = self.query_one("#row-new-passphrase", FieldRow)
            row.show_error(_("{label}: {advice}").format(label=words[0], advice=words[1]))
            self.set_focus(row.control)
            return
        if again != new:
            row = self.query_one("#row-new-again", FieldRow)
            row.show_error(_("the two new passphrases differ"))
            self.set_focus(row.control)
            return
        rotate = self.query_one("#rotate", Checkbox).value
        self._busy = True
        self._say(_("Changing… (Argon2 makes this take a moment)"), error=False)
        self.run_worker(self._run(current, new, rotate), exclusive=True, group="passphrase")

    async def _run(self, current: str, new: str, rotate: bool) -> None:
        loop = asyncio.get_running_loop()

        def progress(done: int, total: int) -> None:
            text = _("Encrypting again: {done} of {total} files…").format(done=done, total=total)
            loop.call_soon_threadsafe(partial(self._say, text, error=False))

        try:
            await asyncio.to_thread(
                partial(
                    self._desk.change_passphrase,
                    current,
                    new,
                    rotate=rotate,
                    kdf=self._kdf,
                    progress=progress,
                )
            )
        except WrongPassphrase:
            self._busy = False
            self._say("")
            row = self.query_one("#row-current-passphrase", FieldRow)
            row.show_error(_("that is not the current passphrase; nothing was changed"))
            self.set_focus(row.control)
            return
        except (WeakPassphrase, StoreError, OSError) as exc:
            self._busy = False
            self._say(_("Not changed: {problem}").format(problem=exc))
            return
        self._clear()
        self.app.notify(
            _("The passphrase is changed: use the new one from now on."),
            title=_("Passphrase"),
            markup=False,
        )
        self.dismiss(True)
