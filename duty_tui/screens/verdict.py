"""Why a party may or may not be referred to an activity: every reason, its rule and source.

Opened with Enter on a cell of the suitability matrix. From here the officer goes on to choose a
provider (not when blocked) or, for supervised contact and CCI, to record their own assessment:
the tool quotes that judgement, it never makes it. Returns what the officer chose to do next.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from duty_tui.services.catalogue import entry
from duty_tui.services.funding import Funding
from duty_tui.services.suitability import Status, Verdict
from duty_tui.widgets.plain import plain, plain_str
from duty_tui.widgets.reasons import reasons_text
from duty_tui.widgets.suitability_grid import STYLE
from records.model import Case

Next = Literal["choose", "assess"]


class VerdictScreen(ModalScreen[Next | None]):
    CSS_PATH = "dialog.tcss"
    help_title = "Suitability: the reasons"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="verdict.close"),
        Binding("p", "choose", "Choose a provider", id="verdict.choose"),
        Binding("a", "assess", "Record assessment", id="verdict.assess"),
    ]

    def __init__(self, case: Case, verdict: Verdict, funding: Funding | None) -> None:
        super().__init__()
        self.case = case
        self.verdict = verdict
        self.funding = funding
        self.entry = entry(verdict.activity)

    def _title(self) -> Text:
        party = self.case.party(self.verdict.party_id)
        title = plain(f"{self.entry.name} for {party.name} ({party.role.label.lower()}): ")
        title.append(
            f"{self.verdict.status.symbol} {self.verdict.status.label}",
            style=STYLE[self.verdict.status],
        )
        return title

    def _funding_text(self) -> Text:
        if self.funding is None:
            return Text("Funding: not shown while blocked.")
        text = Text("Funding: ", style="bold")
        text.append(plain_str(self.funding.who_pays))
        if self.funding.reasons:
            text.append("\n")
            text.append_text(reasons_text(self.funding.reasons))
        return text

    def compose(self) -> ComposeResult:
        with Vertical(id="verdict-box", classes="dialog tall"):
            yield Static(self._title(), classes="dialog-title", id="verdict-title")
            with VerticalScroll(id="verdict-reasons", can_focus=True):
                yield Static(plain(self.entry.form), classes="explain")
                yield Static(reasons_text(self.verdict.reasons), id="verdict-text")
                yield Static(self._funding_text(), id="verdict-funding")
            with Horizontal(classes="buttons"):
                if self.verdict.status is not Status.BLOCKED:
                    yield Button("Choose a provider (p)", id="choose", compact=True)
                if self.entry.needs_assessment:
                    yield Button("Record my assessment (a)", id="assess", compact=True)
                yield Button("Close", id="close", compact=True)
            yield Static(
                "✗ stops the referral · ? not yet known (never read as no) · ! look at this",
                classes="explain",
            )

    def on_mount(self) -> None:
        buttons = self.query(Button)
        self.set_focus(buttons.first())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose":
            return self.verdict.status is not Status.BLOCKED
        if action == "assess":
            return self.entry.needs_assessment
        return True

    @on(Button.Pressed, "#choose")
    def action_choose(self) -> None:
        self.dismiss("choose")

    @on(Button.Pressed, "#assess")
    def action_assess(self) -> None:
        self.dismiss("assess")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
