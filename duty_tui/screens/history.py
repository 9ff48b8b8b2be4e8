"""A case's history from the audit trail (services/audit.py): who did what to it, and when.

Opened from the case screen (the palette's "History of this case"). Each line names the
action and, for an edit, the fields changed, never their values. Escape closes it.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from duty_tui.i18n import N_, _
from duty_tui.screens.translated import translate_bindings
from duty_tui.widgets.plain import plain

# The newest lines first; older ones are in `duty-tui audit CASE`.
MOST_SHOWN = 200


class HistoryScreen(ModalScreen[None]):
    CSS_PATH = "dialog.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", N_("Close"), id="history.close"),
    ]
    help_title = N_("History of this case")

    def __init__(self, case_number: str, lines: list[str], *, broken: bool) -> None:
        super().__init__()
        self.case_number = case_number
        self.lines = lines
        self.broken = broken

    def compose(self) -> ComposeResult:
        shown = list(reversed(self.lines))[:MOST_SHOWN]
        with Vertical(id="history-box", classes="dialog"):
            yield Static(
                plain(_("History of {case_number}").format(case_number=self.case_number)),
                classes="dialog-title",
            )
            if self.broken:
                yield Static(
                    _(
                        "The audit trail's chain is broken: an entry was changed, removed or "
                        "moved. Run duty-tui audit for where."
                    ),
                    classes="explain error",
                )
            text = "\n".join(shown) if shown else _("Nothing recorded for this case yet.")
            with VerticalScroll(id="history-list"):
                yield Static(plain(text, multiline=True))
            yield Static(_("Newest first · Escape close"), classes="explain")

    def on_mount(self) -> None:
        translate_bindings(self)

    def action_close(self) -> None:
        self.dismiss(None)
