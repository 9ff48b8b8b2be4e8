"""A yes/no question that returns its answer: ``ModalScreen[bool]``."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from duty_tui.i18n import N_, _
from duty_tui.screens.translated import Relabel, translate_bindings
from duty_tui.widgets.plain import plain


class ConfirmScreen(Relabel, ModalScreen[bool]):
    """``question`` may quote data (a child's name): it is shown as plain text."""

    CSS_PATH = "dialog.tcss"
    help_title = N_("Are you sure?")
    AUTO_FOCUS = "#no"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", N_("Yes"), id="confirm.yes"),
        Binding("n,escape", "answer(False)", N_("No"), id="confirm.no"),
        Binding("left,right", "app.focus_next", show=False),
    ]

    def __init__(self, question: str, yes: str | None = None, no: str | None = None) -> None:
        super().__init__()
        self.question = question
        # The callers' own words, translated by them; the defaults in the language of now.
        self._default_yes, self._default_no = yes is None, no is None
        self.yes = yes if yes is not None else _("Yes")
        self.no = no if no is not None else _("No")

    def on_mount(self) -> None:
        translate_bindings(self)

    def relabel(self) -> None:
        if self._default_yes:
            self.yes = _("Yes")
            self.query_one("#yes", Button).label = plain(self.yes)
        if self._default_no:
            self.no = _("No")
            self.query_one("#no", Button).label = plain(self.no)
        self.query_one("#confirm-keys", Static).update(_("y yes · n or Escape no"))

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Static(plain(self.question), id="confirm-question")
            with Horizontal(classes="buttons"):
                # "No" has the focus: Enter straight after the question does no harm.
                yield Button(plain(self.yes), id="yes", variant="error", compact=True)
                yield Button(plain(self.no), id="no", variant="primary", compact=True)
            yield Static(_("y yes · n or Escape no"), classes="explain", id="confirm-keys")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
