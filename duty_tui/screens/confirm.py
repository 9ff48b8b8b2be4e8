"""A yes/no question that returns its answer: ``ModalScreen[bool]``."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from duty_tui.widgets.plain import plain


class ConfirmScreen(ModalScreen[bool]):
    """``question`` may quote data (a child's name): it is shown as plain text."""

    CSS_PATH = "dialog.tcss"
    help_title = "Are you sure?"
    AUTO_FOCUS = "#no"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
        Binding("left,right", "app.focus_next", show=False),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Static(plain(self.question), id="confirm-question")
            with Horizontal(classes="buttons"):
                # "No" has the focus: Enter straight after the question does no harm.
                yield Button(plain(self.yes), id="yes", variant="error", compact=True)
                yield Button(plain(self.no), id="no", variant="primary", compact=True)
            yield Static("y yes · n or Escape no", classes="explain")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
