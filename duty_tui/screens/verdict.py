"""Why a party may or may not be referred to an activity: every reason, its rule and source.

Opened with Enter on a cell of the suitability matrix. From here the officer goes on to choose a
provider (not when blocked) or, for supervised contact and CCI, to record their own assessment:
the tool quotes that judgement, it never makes it. Returns what the officer chose to do next.

When the rules block an activity the court directs anyway, the officer records the court's
direction with the reason the court gave ("d"); the blocks that are only the rules' advice then
become warnings for that direction (COURT-OVERRIDE, docs/rules.md). "w" withdraws that record
and the block stands again.
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

from duty_tui.i18n import N_, _
from duty_tui.screens.translated import translate_bindings
from duty_tui.services.catalogue import activity_form, activity_name, entry
from duty_tui.services.funding import Funding
from duty_tui.services.suitability import Status, Verdict, overridable
from duty_tui.widgets.plain import plain, plain_str
from duty_tui.widgets.reasons import reasons_text
from duty_tui.widgets.suitability_grid import COURT_DIRECTED_STYLE, STYLE
from records.model import Case, PartyRole

Next = Literal["choose", "assess", "override", "withdraw_override"]

# Looked up when shown, so the dialog follows the language of the moment.
STATUS_WORDS = {
    Status.ELIGIBLE: N_("eligible"),
    Status.BLOCKED: N_("blocked"),
    Status.NEEDS_SCREENING: N_("needs screening"),
}
ROLE_WORDS = {
    PartyRole.APPLICANT: N_("applicant"),
    PartyRole.RESPONDENT: N_("respondent"),
    PartyRole.OTHER_FAMILY_MEMBER: N_("other family member"),
}


class VerdictScreen(ModalScreen[Next | None]):
    CSS_PATH = "dialog.tcss"
    help_title = N_("Suitability: the reasons")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Close"), id="verdict.close"),
        Binding("p", "choose", N_("Choose a provider"), id="verdict.choose"),
        Binding("a", "assess", N_("Record assessment"), id="verdict.assess"),
        Binding("d", "override", N_("Record the court's direction"), id="verdict.override"),
        Binding(
            "w",
            "withdraw_override",
            N_("Withdraw the court's direction"),
            id="verdict.withdraw_override",
        ),
    ]

    def __init__(self, case: Case, verdict: Verdict, funding: Funding | None) -> None:
        super().__init__()
        self.case = case
        self.verdict = verdict
        self.funding = funding
        self.entry = entry(verdict.activity)

    def _title(self) -> Text:
        party = self.case.party(self.verdict.party_id)
        title = plain(
            _("{activity} for {party} ({role}): ").format(
                activity=activity_name(self.entry.activity),
                party=party.name,
                role=_(ROLE_WORDS[party.role]),
            )
        )
        if self.verdict.court_directed:
            # Never "eligible": the court went against the rules' advice, and the officer must
            # see that at a glance.
            title.append(_("! court-directed, against the rules' advice"), COURT_DIRECTED_STYLE)
            return title
        title.append(
            f"{self.verdict.status.symbol} {_(STATUS_WORDS[self.verdict.status])}",
            style=STYLE[self.verdict.status],
        )
        return title

    def _funding_text(self) -> Text:
        if self.funding is None:
            return Text(_("Funding: not shown while blocked."))
        text = Text(_("Funding: "), style="bold")
        text.append(plain_str(self.funding.who_pays))
        if self.funding.reasons:
            text.append("\n")
            text.append_text(reasons_text(self.funding.reasons))
        return text

    def _override_note(self) -> Static | None:
        """Why the court's direction cannot be recorded here, when the cell is blocked by more
        than the rules' advice (the jurisdiction, risk at a contact centre)."""
        if self.verdict.status is not Status.BLOCKED or self.verdict.may_override:
            return None
        firm = sorted(
            {r.rule_id for r in self.verdict.blocking if not overridable(r, self.verdict.activity)}
        )
        return Static(
            _(
                "Not only the rules' advice, so a court's direction cannot lift it here: {rules}."
            ).format(rules=", ".join(firm)),
            classes="explain",
            id="verdict-firm",
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="verdict-box", classes="dialog tall"):
            yield Static(self._title(), classes="dialog-title", id="verdict-title")
            with VerticalScroll(id="verdict-reasons", can_focus=True):
                yield Static(plain(activity_form(self.entry.activity)), classes="explain")
                yield Static(reasons_text(self.verdict.reasons), id="verdict-text")
                yield Static(self._funding_text(), id="verdict-funding")
                note = self._override_note()
                if note is not None:
                    yield note
            with Horizontal(classes="buttons"):
                if self.verdict.status is not Status.BLOCKED:
                    yield Button(_("Choose a provider (p)"), id="choose", compact=True)
                if self.entry.needs_assessment:
                    yield Button(_("Record my assessment (a)"), id="assess", compact=True)
                if self.verdict.may_override:
                    yield Button(
                        _("Record the court's direction anyway (d)"),
                        id="override",
                        variant="warning",
                        compact=True,
                    )
                if self.verdict.override is not None:
                    yield Button(
                        _("Withdraw the court's direction (w)"),
                        id="withdraw-override",
                        compact=True,
                    )
                yield Button(_("Close"), id="close", compact=True)
            yield Static(
                _("✗ stops the referral · ? not yet known (never read as no) · ! look at this"),
                classes="explain",
            )

    def on_mount(self) -> None:
        translate_bindings(self)
        buttons = self.query(Button)
        self.set_focus(buttons.first())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose":
            return self.verdict.status is not Status.BLOCKED
        if action == "assess":
            return self.entry.needs_assessment
        if action == "override":
            return self.verdict.may_override
        if action == "withdraw_override":
            return self.verdict.override is not None
        return True

    @on(Button.Pressed, "#choose")
    def action_choose(self) -> None:
        self.dismiss("choose")

    @on(Button.Pressed, "#assess")
    def action_assess(self) -> None:
        self.dismiss("assess")

    @on(Button.Pressed, "#override")
    def action_override(self) -> None:
        self.dismiss("override")

    @on(Button.Pressed, "#withdraw-override")
    def action_withdraw_override(self) -> None:
        self.dismiss("withdraw_override")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
