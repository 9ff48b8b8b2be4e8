"""Quitting or locking while something could not be written: say what, and let the officer
choose. Returns ``"retry"`` (write again now), ``"stay"`` or ``"leave"`` (quit and lose the
named changes, or lock with them still waiting): ``ModalScreen[Choice]``.

What is named is the case number and the kind of change ("its changes", "text kept for
fields") with the reason from the disk: never the content.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from duty_tui.i18n import N_, _, ngettext
from duty_tui.screens.translated import translate_bindings
from duty_tui.widgets.plain import plain

Choice = Literal["retry", "stay", "leave"]

# Enough lines to see what is at stake; the rest are counted.
MOST_SHOWN = 6


def describe_unsaved(unsaved: dict[str, dict[str, str]], numbers: dict[str, str]) -> list[str]:
    """One line per case and kind: "ZZ26P00001: its changes (No space left on device)"."""
    lines = [
        _("{case}: {what} ({reason})").format(
            case=numbers.get(case_id) or _("a case"), what=what, reason=reason
        )
        for case_id, failures in sorted(unsaved.items(), key=lambda item: numbers.get(item[0], ""))
        for what, reason in failures.items()
    ]
    if len(lines) > MOST_SHOWN:
        lines = [
            *lines[:MOST_SHOWN],
            ngettext("… and {count} more", "… and {count} more", len(lines) - MOST_SHOWN).format(
                count=len(lines) - MOST_SHOWN
            ),
        ]
    return lines


class UnsavedScreen(ModalScreen[Choice]):
    CSS_PATH = "dialog.tcss"

    AUTO_FOCUS = "#unsaved-retry"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "choose('retry')", N_("Try again"), id="unsaved.retry"),
        Binding("s,escape", "choose('stay')", N_("Stay"), id="unsaved.stay"),
        Binding("left,right", "app.focus_next", show=False),
    ]
    help_title = N_("Not saved")

    def __init__(self, lines: list[str], *, leaving: Literal["quit", "lock"]) -> None:
        super().__init__()
        self.lines = lines
        self.leaving = leaving

    def on_mount(self) -> None:
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        leave = (
            _("Quit and lose these changes") if self.leaving == "quit" else _("Lock; keep trying")
        )
        with Vertical(id="unsaved-box", classes="dialog"):
            yield Static(_("Not saved"), classes="dialog-title")
            yield Static(
                _("These could not be written to the disk, and are only in this window:"),
                classes="explain",
            )
            yield Static(plain("\n".join(self.lines), multiline=True), id="unsaved-list")
            with Horizontal(classes="buttons"):
                yield Button(_("Try again"), id="unsaved-retry", variant="primary", compact=True)
                yield Button(_("Stay"), id="unsaved-stay", compact=True)
                yield Button(leave, id="unsaved-leave", variant="error", compact=True)
            yield Static(_("t try again · s or Escape stay"), classes="explain")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        choice: Choice = {"unsaved-retry": "retry", "unsaved-leave": "leave"}.get(
            event.button.id or "", "stay"
        )  # type: ignore[assignment]
        self.dismiss(choice)

    def action_choose(self, choice: Choice) -> None:
        self.dismiss(choice)
