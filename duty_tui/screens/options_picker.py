"""Choose a provider for one party and activity: only those the rules allow, best first.

The list is services.options.find (the same call ``duty-tui assess`` makes), filtered as the
officer types (name, venue, area) and by delivery mode, language and availability. ctrl+o shows
the providers left out and every reason each is missing. Returns a :class:`Choice` or None.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import attrs
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option as ListOption

from duty_tui.i18n import N_, _, ngettext
from duty_tui.screens.translated import translate_bindings
from duty_tui.services.catalogue import entry
from duty_tui.services.options import Directory, Option, Options, availability, find
from duty_tui.services.record_text import activity_name, capitalised, label, record_message
from duty_tui.widgets.plain import plain, plain_str
from duty_tui.widgets.reasons import reasons_text
from records.model import Activity, Case, Delivery, Language, RecordError, parse_date

ANY = "any"


@attrs.frozen
class Choice:
    provider_id: str
    delivery: Delivery


def option_text(option: Option, today: dt.date) -> Text:
    p = option.provider
    text = Text(plain_str(p.name), style="bold")
    if p.sample:
        text.append("  " + _("SAMPLE"), style="magenta")
    modes = ", ".join(label(m) for m in option.delivery)
    languages = ", ".join(label(lang) for lang in p.languages)
    details = [modes, languages]
    if p.accreditation.value != "none":
        details.append(_("NACCC {level}").format(level=label(p.accreditation)))
    details.append(availability(p.next_available, today))
    text.append("\n  " + plain_str(" · ".join(details)), style="dim")
    for warning in option.warnings:
        text.append("\n  ! " + plain_str(warning.text), style="magenta")
    return text


def matches(option: Option, needle: str) -> bool:
    p = option.provider
    haystack = " ".join([p.name, p.venue_postcode, *p.areas]).casefold()
    return all(word in haystack for word in needle.casefold().split())


class OptionsPickerScreen(ModalScreen[Choice | None]):
    CSS_PATH = "dialog.tcss"
    help_title = N_("Choose a provider")
    AUTO_FOCUS = "#options-filter"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="options.cancel"),
        Binding("ctrl+o", "explain", N_("Why not others?"), id="options.explain"),
        Binding("down", "to_list", N_("To the list"), id="options.to_list", show=False),
    ]

    def __init__(
        self, case: Case, party_id: str, activity: Activity, directory: Directory, today: dt.date
    ) -> None:
        super().__init__()
        self.case = case
        self.party_id = party_id
        self.activity = activity
        self.directory = directory
        self.today = today
        self.delivery: Delivery | None = None
        self.language: Language | None = None
        self.available_by: dt.date | None = None
        self.explaining = False
        self.options = self._find()
        self._shown: list[Option] = []

    def _find(self) -> Options:
        return find(
            self.case,
            self.party_id,
            self.activity,
            self.directory,
            today=self.today,
            delivery=self.delivery,
            language=self.language,
            available_by=self.available_by,
            explain=True,
        )

    def compose(self) -> ComposeResult:
        party = self.case.party(self.party_id)
        with Vertical(id="options-box", classes="dialog tall"):
            yield Static(
                plain(
                    _("{activity} for {name}: choose a provider").format(
                        activity=activity_name(entry(self.activity).name), name=party.name
                    )
                ),
                classes="dialog-title",
            )
            # Compact (one line each, not three): at 80x24 the bordered filters left room for
            # one provider and cut off the keys line.
            yield Input(
                placeholder=_("type to filter: name, venue, area"),
                id="options-filter",
                compact=True,
            )
            with Horizontal(id="options-filters"):
                yield Select(
                    [(_("Any delivery"), ANY)]
                    + [(capitalised(label(d)), d.value) for d in Delivery],
                    value=ANY,
                    allow_blank=False,
                    id="options-delivery",
                    compact=True,
                )
                yield Select(
                    [(_("Any language"), ANY)] + [(label(lang), lang.value) for lang in Language],
                    value=ANY,
                    allow_blank=False,
                    id="options-language",
                    compact=True,
                )
                yield Input(placeholder=_("available by DD/MM/YYYY"), id="options-by", compact=True)
            yield Static("", id="options-error", classes="field-error -hidden")
            yield OptionList(id="options-list")
            yield Static("", id="options-count", classes="explain")
            with VerticalScroll(id="options-excluded", classes="-hidden"):
                yield Static("", id="options-excluded-text")
            yield Static(
                _("Enter chooses · ↓ to the list · ctrl+o why not others · Escape cancels"),
                classes="explain",
            )

    def on_mount(self) -> None:
        translate_bindings(self)
        self.refresh_list()

    def refresh_list(self) -> None:
        needle = self.query_one("#options-filter", Input).value
        self._shown = [o for o in self.options.ranked if matches(o, needle)]
        listing = self.query_one("#options-list", OptionList)
        listing.clear_options()
        listing.add_options(
            [ListOption(option_text(o, self.today), id=o.provider.id) for o in self._shown]
        )
        if self._shown:
            listing.highlighted = 0
        hidden = len(self.options.ranked) - len(self._shown)
        shown = len(self._shown)
        # Each part says its own count in a whole phrase (Welsh counts and word order differ).
        count = ngettext(
            "{count} provider the rules allow", "{count} providers the rules allow", shown
        ).format(count=shown)
        if not shown:
            count = _("No provider fits.") + " " + count
        if hidden:
            count += " " + ngettext(
                "({count} hidden by your filter)", "({count} hidden by your filter)", hidden
            ).format(count=hidden)
        parts = [count]
        left_out = len(self.options.excluded)
        if left_out:
            parts.append(
                ngettext(
                    "{count} left out by the rules (ctrl+o: why)",
                    "{count} left out by the rules (ctrl+o: why)",
                    left_out,
                ).format(count=left_out)
            )
        count = " · ".join(parts)
        self.query_one("#options-count", Static).update(count)
        notes = reasons_text(self.options.notes, sources=False) if self.options.notes else ""
        excluded = Text()
        for index, exclusion in enumerate(self.options.excluded):
            if index:
                excluded.append("\n")
            excluded.append(plain_str(exclusion.provider.name), style="bold")
            excluded.append("\n")
            excluded.append_text(reasons_text(exclusion.reasons))
        if notes:
            excluded = Text.assemble(notes, "\n\n", excluded)
        self.query_one("#options-excluded-text", Static).update(
            excluded if excluded.plain else _("No provider is left out.")
        )

    @on(Input.Changed, "#options-filter")
    def _filter(self) -> None:
        self.refresh_list()

    @on(Select.Changed)
    def _filters(self, event: Select.Changed) -> None:
        value = str(event.value)
        if event.select.id == "options-delivery":
            self.delivery = None if value == ANY else Delivery(value)
        elif event.select.id == "options-language":
            self.language = None if value == ANY else Language(value)
        self.options = self._find()
        self.refresh_list()

    @on(Input.Changed, "#options-by")
    def _available_by(self, event: Input.Changed) -> None:
        error = self.query_one("#options-error", Static)
        text = event.value.strip()
        try:
            self.available_by = parse_date(text, field="available by") if text else None
        except RecordError as exc:
            # Keep the last good filter; say why this one is not taken yet.
            error.update(plain(_("Available by: {reason}").format(reason=record_message(exc))))
            error.remove_class("-hidden")
            return
        error.update("")
        error.add_class("-hidden")
        self.options = self._find()
        self.refresh_list()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        listing = self.query_one("#options-list", OptionList)
        if listing.highlighted is not None:
            self._choose(listing.highlighted)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option_index)

    def _choose(self, index: int) -> None:
        if not 0 <= index < len(self._shown):
            return
        option = self._shown[index]
        delivery = self.delivery or option.delivery[0]
        self.dismiss(Choice(option.provider.id, delivery))

    def action_to_list(self) -> None:
        listing = self.query_one("#options-list", OptionList)
        if listing.option_count:
            self.set_focus(listing)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "to_list":
            # Down moves within the list, a Select's menu and so on; only from an Input here.
            return isinstance(self.focused, Input)
        return True

    def action_explain(self) -> None:
        self.explaining = not self.explaining
        panel = self.query_one("#options-excluded")
        panel.set_class(not self.explaining, "-hidden")
        if self.explaining:
            panel.scroll_visible()

    def action_cancel(self) -> None:
        self.dismiss(None)
