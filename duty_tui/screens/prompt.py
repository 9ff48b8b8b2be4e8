"""Ask for one line of text (why a referral is withdrawn): ``ModalScreen[str | None]``.

An empty answer is refused beside the field rather than returned: every caller needs a reason.
A caller's ``check`` may refuse more (too long, nothing left once cleaned): its message shows
beside the field and what was typed stays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from duty_tui.i18n import N_, _
from duty_tui.screens.translated import Relabel, translate_bindings
from duty_tui.widgets.field import FieldRow
from duty_tui.widgets.plain import plain


class PromptScreen(Relabel, ModalScreen[str | None]):
    CSS_PATH = "dialog.tcss"
    AUTO_FOCUS = "#prompt-answer"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="prompt.cancel"),
    ]
    help_title = N_("Question")

    def __init__(
        self,
        question: str,
        label: str,
        *,
        ok: str | None = None,
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.check = check
        self.question = question
        self.label = label
        self._default_ok = ok is None
        self.ok = ok if ok is not None else _("OK")

    def on_mount(self) -> None:
        translate_bindings(self)

    def relabel(self) -> None:
        """The question and the field's label are the caller's (translated when asked); the
        rest is this dialog's own."""
        if self._default_ok:
            self.ok = _("OK")
            self.query_one("#ok", Button).label = self.ok
        self.query_one("#cancel", Button).label = _("Cancel")
        self.query_one("#prompt-keys", Static).update(_("Enter confirms · Escape cancels"))

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box", classes="dialog"):
            yield Static(plain(self.question), classes="dialog-title")
            yield FieldRow(self.label, Input(compact=True, id="prompt-answer"), id="row-answer")
            with Horizontal(classes="buttons"):
                yield Button(plain(self.ok), id="ok", variant="primary", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)
            yield Static(_("Enter confirms · Escape cancels"), classes="explain", id="prompt-keys")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def answer(self) -> None:
        text = self.query_one("#prompt-answer", Input).value.strip()
        if not text:
            self.query_one("#row-answer", FieldRow).show_error(_("needed: say why"))
            return
        problem = self.check(text) if self.check is not None else None
        if problem:
            self.query_one("#row-answer", FieldRow).show_error(problem)
            return
        self.dismiss(text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
