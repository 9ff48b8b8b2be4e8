"""One case: hearing, parties, children, safeguarding screening, directions, referrals.

Every change is saved as it is made. Typing is committed after a short pause, when the field
loses focus, on Enter, and before anything that could end the session (lock, quit, SIGHUP).
A committed value goes through the records' own converters: a valid one becomes the case's new
state and is handed to the background saver; a bad one leaves the case as it was, shows the
reason beside the field, and stays in the field and in the drafts (kept in the store too), so
nothing typed is lost by locking, leaving the case or quitting.

A change of language says every word again in place (``relabel``): no field is rebuilt, so
what is being typed, the focus and the scroll position stay.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.reactive import Reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static

from duty_tui.desk_access import DeskAccess
from duty_tui.i18n import N_, _, ngettext
from duty_tui.messages import CaseSaved, CaseSaveFailed
from duty_tui.screens.case_rules import RulesSections
from duty_tui.screens.safeguarding import person_widgets
from duty_tui.screens.translated import Relabel
from duty_tui.services.jurisdiction import check as jurisdiction_check
from duty_tui.widgets import case_fields as cf
from duty_tui.widgets.commands import PaletteCommand, PaletteSource
from duty_tui.widgets.field import FieldInput, FieldRow, FieldSelect
from duty_tui.widgets.focus_trail import FocusTrail
from duty_tui.widgets.footer import KeyLine
from duty_tui.widgets.plain import plain
from duty_tui.widgets.reasons import reasons_text
from duty_tui.widgets.record_words import YES_NO, choices, label, question
from duty_tui.widgets.section import Section
from duty_tui.widgets.words import button
from duty_tui.widgets.words import note as said_note
from records.entry import age_note, age_on
from records.model import (
    SCREENING_QUESTIONS,
    Answer,
    Case,
    Child,
    Jurisdiction,
    Language,
    Need,
    Party,
    PartyRole,
    RecordError,
    WelshOffer,
)

# Long enough not to validate half a word, short enough that a flat battery loses almost nothing.
DEBOUNCE_S = 0.4

# (English msgid, value): the dropdowns translate their labels (FieldSelect).
ANSWER_CHOICES = choices((Answer.UNKNOWN, Answer.NO, Answer.YES))
JURISDICTION_CHOICES = choices(Jurisdiction)
ROLE_CHOICES = choices(PartyRole)
LANGUAGE_CHOICES = choices(Language)
YES_NO_CHOICES = list(YES_NO)
NEED_CHOICES = choices((Need.UNKNOWN, Need.NO, Need.YES))
WELSH_OFFER_CHOICES = choices(WelshOffer)
DATE_HINT = N_("DD/MM/YYYY")
REMOVE_PARTY = {
    PartyRole.APPLICANT: N_("Remove this applicant"),
    PartyRole.RESPONDENT: N_("Remove this respondent"),
    PartyRole.OTHER_FAMILY_MEMBER: N_("Remove this other family member"),
}


def row_id(key: str) -> str:
    return "f-" + key.replace(".", "-")


class CaseScreen(Relabel, RulesSections, DeskAccess, PaletteSource, Screen[None]):
    CSS_PATH = "case.tcss"

    help_title = N_("Case")
    # Textual repaints the whole screen when the focus moves; the two widgets concerned repaint
    # themselves (their :focus styles), and on a screen this size the full repaint was most of
    # the cost of a Tab.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Duty list"), id="case.back"),
        Binding("ctrl+n", "add_person", N_("Add person"), id="case.add_person"),
        Binding("ctrl+s", "save_now", N_("Save now"), id="case.save"),
        Binding("ctrl+down", "next_section", N_("Next section"), id="case.next_section"),
        Binding("ctrl+up", "prev_section", N_("Previous section"), id="case.prev_section"),
    ]

    def __init__(self, case: Case) -> None:
        super().__init__()
        self.case = case
        self._pending: dict[str, str] = {}
        self._timer: Timer | None = None
        self._save_state = "saved"
        self._save_reason = ""
        self._focus_trail = FocusTrail()
        self._save_shown: tuple[str, bool, bool] | None = None
        # child id -> the age note its card shows ("" for a child)
        self._notes_shown: dict[str, str] = {}

    # --- building the form -------------------------------------------------------------------

    @property
    def drafts(self) -> dict[str, str]:
        """Field key -> text typed that the record refused. Shared with the app (and the store)
        so it outlives this screen."""
        return self.desk.drafts_of(self.case.id)

    def _officer_name(self) -> str:
        return self.desk.profile.officer.name

    def _shown(self, key: str) -> str | None:
        try:
            return cf.display_value(self.case, key)
        except cf.UnknownField:
            return None

    def _check(self, key: str, text: str) -> str:
        """The reason ``text`` cannot go in ``key``, or ""."""
        try:
            cf.apply_edit(
                self.case, key, text, today=self.desk.today(), officer_name=self._officer_name()
            )
        except RecordError as exc:
            return exc.message
        except cf.UnknownField:
            return ""
        return ""

    def field(
        self,
        key: str,
        *,
        label: str | None = None,
        choices: list[tuple[str, str]] | None = None,
        placeholder: str = "",
    ) -> FieldRow:
        """A field of the case. ``label``, ``choices``' labels and ``placeholder`` are English
        msgids (``N_``): shown in the officer's language and said again after a switch."""
        msgid = label or cf.LABELS[key.rsplit(".", 1)[-1]]
        draft = self.drafts.get(key)
        value = draft if draft is not None else (self._shown(key) or "")
        error = self._check(key, draft) if draft is not None else ""
        control: Widget
        if choices is not None:
            control = FieldSelect(key, choices, value, translate=True, compact=True)
        else:
            control = FieldInput(key, value, placeholder_msgid=placeholder, compact=True)
        return FieldRow(_(msgid), control, error=error, msgid=msgid, id=row_id(key))

    def compose(self) -> ComposeResult:
        with Horizontal(id="case-top"):
            yield Static(plain(self.case.title), id="case-title")
            yield Static("", id="save-status")
        with VerticalScroll(id="case-body"):
            yield Section(N_("Hearing"), *self._hearing_rows(), id="section-hearing")
            yield Section(N_("Parties"), *self._party_widgets(), id="section-parties")
            yield Section(N_("Children"), *self._child_widgets(), id="section-children")
            yield Section(
                N_("Safeguarding screening"), *self._screening_rows(), id="section-screening"
            )
            yield Section(
                N_("Safeguarding by person"),
                *person_widgets(self),
                id="section-safeguarding-people",
            )
            yield Section(N_("Suitability"), *self._suitability_widgets(), id="section-suitability")
            yield Section(N_("Directions"), *self._direction_widgets(), id="section-directions")
            yield Section(N_("Referrals"), *self._referral_widgets(), id="section-referrals")
        from duty_tui.widgets.sync_status import SyncStatus  # the sync region's status line

        yield SyncStatus()
        yield KeyLine()

    def on_mount(self) -> None:
        self._draw_matrix()
        self._show_save_state()
        first = self.query(FieldInput).first()
        self.set_focus(first)

    def _hearing_rows(self) -> list[Widget]:
        return [
            self.field(
                "case.case_number", placeholder=N_("e.g. CF24P01234 or 1234-5678-9012-3456")
            ),
            self.field("hearing.date", placeholder=DATE_HINT),
            self.field("case.court"),
            self.field("case.jurisdiction", choices=JURISDICTION_CHOICES),
            Static(plain(self._hearing_note()), classes="section-note", id="hearing-note"),
            self._jurisdiction_warning(),
        ]

    def _hearing_note(self) -> str:
        officer = self.case.officer
        return _("{hearing} · {service} · officer {name} ({role})").format(
            hearing=self.case.hearing.type.value,
            service=self.case.service,
            name=officer.name,
            role=officer.role.value,
        )

    def _jurisdiction_text(self) -> Text:
        """JUR-COURT: the court or the parents' postcodes look like the other side of the
        border. A warning only: the officer decides the jurisdiction."""
        found = jurisdiction_check(self.case)
        return reasons_text(found, sources=True) if found else Text("")

    def _jurisdiction_warning(self) -> Static:
        text = self._jurisdiction_text()
        warning = Static(text, classes="section-note", id="jurisdiction-warning")
        warning.display = bool(text.plain)
        return warning

    def _show_jurisdiction(self) -> None:
        self.query_one("#hearing-note", Static).update(plain(self._hearing_note()))
        warning = self.query_one("#jurisdiction-warning", Static)
        text = self._jurisdiction_text()
        warning.update(text)
        warning.display = bool(text.plain)

    def _party_widgets(self) -> list[Widget]:
        widgets: list[Widget] = []
        if not self.case.parties:
            widgets.append(said_note(lambda: _("No parties yet."), classes="section-note"))
        for party in self.case.parties:
            prefix = f"party.{party.id}"
            widgets.append(
                Vertical(
                    Static(plain(self._party_title(party)), classes="card-title"),
                    self.field(f"{prefix}.role", choices=ROLE_CHOICES),
                    self.field(f"{prefix}.name"),
                    self.field(f"{prefix}.postcode", placeholder=N_("e.g. CF10 1AA")),
                    self.field(f"{prefix}.language", choices=LANGUAGE_CHOICES),
                    self.field(f"{prefix}.legal_aid", choices=ANSWER_CHOICES),
                    self.field(f"{prefix}.phone"),
                    self.field(f"{prefix}.email"),
                    self.field(f"{prefix}.constraints.work", placeholder=N_("e.g. shifts Mon-Wed")),
                    self.field(f"{prefix}.constraints.education"),
                    self.field(f"{prefix}.constraints.religious_observance"),
                    # Children Act 1989 s11B / s11D: whom the court may require to take part.
                    self.field(f"{prefix}.habitually_resident", choices=ANSWER_CHOICES),
                    self.field(f"{prefix}.is_child", choices=YES_NO_CHOICES),
                    self.field(f"{prefix}.child_is_a_parent", choices=YES_NO_CHOICES),
                    # Taking part: what the provider must arrange (interpreter, adjustments,
                    # separate arrival; the Welsh active offer in a Welsh case).
                    self.field(f"{prefix}.participation.interpreter", choices=NEED_CHOICES),
                    self.field(
                        f"{prefix}.participation.interpreter_language",
                        placeholder=N_("any language, e.g. Polish, British Sign Language"),
                    ),
                    self.field(
                        f"{prefix}.participation.adjustments",
                        placeholder=N_("e.g. step-free access, breaks, materials read aloud"),
                    ),
                    self.field(f"{prefix}.participation.separate_arrival", choices=YES_NO_CHOICES),
                    self.field(f"{prefix}.participation.welsh_offer", choices=WELSH_OFFER_CHOICES),
                    self.field(f"{prefix}.participation.welsh_offer_on", placeholder=DATE_HINT),
                    button(
                        REMOVE_PARTY[party.role],
                        id=f"remove-party-{party.id}",
                        classes="remove",
                        compact=True,
                    ),
                    classes="card",
                    id=f"party-{party.id}",
                )
            )
        widgets.append(
            Horizontal(
                button(N_("Add applicant"), id="add-applicant", compact=True),
                button(N_("Add respondent"), id="add-respondent", compact=True),
                button(N_("Add other family member"), id="add-other_family_member", compact=True),
                classes="buttons",
            )
        )
        return widgets

    def _child_widgets(self) -> list[Widget]:
        widgets: list[Widget] = []
        if not self.case.children:
            widgets.append(said_note(lambda: _("No children yet."), classes="section-note"))
        for child in self.case.children:
            prefix = f"child.{child.id}"
            widgets.append(
                Vertical(
                    Static(plain(self._child_title(child)), classes="card-title"),
                    self._child_note(child),
                    self.field(f"{prefix}.name"),
                    self.field(f"{prefix}.date_of_birth", placeholder=DATE_HINT),
                    button(
                        N_("Remove this child"),
                        id=f"remove-child-{child.id}",
                        classes="remove",
                        compact=True,
                    ),
                    classes="card",
                    id=f"child-{child.id}",
                )
            )
        widgets.append(
            Horizontal(button(N_("Add child"), id="add-child", compact=True), classes="buttons")
        )
        return widgets

    def _party_title(self, party: Party) -> str:
        return _("{role}: {name}").format(role=label(party.role), name=party.name)

    def _child_title(self, child: Child) -> str:
        return f"{child.name}, {age_on(child.date_of_birth, self.desk.today())}"

    def _child_note(self, child: Child) -> Static:
        """A stored child who has turned 18 is read as recorded; the card says so."""
        text = self._age_note(child)
        self._notes_shown[child.id] = text
        note = Static(plain(text), classes="section-note", id=f"child-note-{child.id}")
        note.display = bool(text)
        return note

    def _age_note(self, child: Child) -> str:
        return age_note(
            child.date_of_birth, hearing_date=self.case.hearing.date, today=self.desk.today()
        )

    def _show_child_note(self, note: Static, child: Child) -> None:
        text = self._age_note(child)
        if self._notes_shown.get(child.id) != text:  # this runs on every commit
            self._notes_shown[child.id] = text
            note.update(plain(text))
            note.display = bool(text)

    def _screening_rows(self) -> list[Widget]:
        widgets: list[Widget] = [
            Static(self._screening_note(), classes="section-note", id="screening-note")
        ]
        for name, text in SCREENING_QUESTIONS.items():
            prefix = f"screening.{name}"
            widgets.append(
                Vertical(
                    said_note(lambda n=name, t=text: question(n, t), classes="card-title"),
                    self.field(f"{prefix}.answer", choices=ANSWER_CHOICES),
                    self.field(f"{prefix}.answered_on", placeholder=DATE_HINT),
                    self.field(f"{prefix}.answered_by"),
                    classes="card",
                )
            )
        widgets.append(
            self.field("screening.safeguarding_letter_on", placeholder=N_("received on DD/MM/YYYY"))
        )
        return widgets

    def _screening_note(self) -> str:
        unknown = [
            name
            for name, answer in self.case.screening.answers().items()
            if answer.answer is Answer.UNKNOWN
        ]
        if not unknown:
            return _("Screening complete.")
        return _(
            "Screening incomplete: {unknown} of {questions} not yet known. "
            "Not yet known is never read as no."
        ).format(unknown=len(unknown), questions=len(SCREENING_QUESTIONS))

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._focus_trail.follow(event.widget)

    # --- typing and committing ---------------------------------------------------------------

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        control = event.input
        if not isinstance(control, FieldInput):
            return
        self._note_change(control.key, event.value)

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        control = event.select
        if not isinstance(control, FieldSelect) or event.value is Select.NULL:
            return
        if self._note_change(control.key, str(event.value)):
            self.commit_pending()

    def _note_change(self, key: str, text: str) -> bool:
        # Programmatic updates (and typing back the saved value) change nothing.
        if key not in self.drafts and text == self._shown(key):
            self._pending.pop(key, None)
            return False
        self._pending[key] = text
        self._set_save_state("editing")
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_S, self.commit_pending)
        return True

    @on(Input.Blurred)
    def _left_field(self, event: Input.Blurred) -> None:
        if isinstance(event.input, FieldInput):
            self.commit_pending()
            # A change has resynced every field; otherwise only this one may show stale text
            # (it was skipped while focused). One field, not a query of the whole form: this
            # runs on every focus move.
            self._sync_input(event.input)

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        if isinstance(event.input, FieldInput):
            self.commit_pending()
            self.focus_next()

    def commit_pending(self) -> None:
        """Apply what has been typed since the last commit; save the case if it changed."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        focused = self.focused
        if isinstance(focused, FieldInput):
            # The field's own text, not only what its Changed messages have told us: the last
            # keys' message may still be on its way (quit, lock or a signal right after typing).
            if focused.key in self.drafts or focused.value != self._shown(focused.key):
                self._pending[focused.key] = focused.value
        pending, self._pending = self._pending, {}
        drafts = self.drafts
        before = dict(drafts)
        # Earlier refused text is tried again: it may fit now (an answer changed back, say).
        edits = {**{k: v for k, v in drafts.items() if k not in pending}, **pending}
        case = self.case
        for key, text in edits.items():
            try:
                case = cf.apply_edit(
                    case, key, text, today=self.desk.today(), officer_name=self._officer_name()
                )
            except cf.UnknownField:
                drafts.pop(key, None)  # its party or child has been removed
                continue
            except RecordError as exc:
                drafts[key] = text
                self._show_error(key, exc.message)
                continue
            drafts.pop(key, None)
            self._show_error(key, None)
        if case != self.case:
            self.case = case
            self.desk.save_case(case)
            self._set_save_state("saving")
            self._refresh_labels()
        elif self._all_on_disk():
            self._set_save_state("saved")
        if drafts != before:
            self.desk.set_drafts(self.case.id, drafts)
        self._show_save_state()

    def _row(self, key: str) -> FieldRow | None:
        rows = self.query(f"#{row_id(key)}")
        return rows.first(FieldRow) if rows else None

    def _show_error(self, key: str, message: str | None) -> None:
        row = self._row(key)
        if row is not None:
            row.show_error(message)

    def _sync_fields(self) -> None:
        """Show the record's values (normalised: "cf101aa" -> "CF10 1AA", prefilled answer
        dates) in every field that is neither being typed in nor holding refused text."""
        for control in self.query(FieldInput):
            self._sync_input(control)
        drafts = self.drafts
        for select in self.query(FieldSelect):
            if select.key in drafts:
                continue
            shown = self._shown(select.key)
            if shown is not None and select.value != shown:
                select.value = shown

    def _sync_input(self, control: FieldInput) -> None:
        if control.has_focus or control.key in self.drafts or control.key in self._pending:
            return
        shown = self._shown(control.key)
        if shown is not None and control.value != shown:
            control.value = shown

    def _refresh_labels(self) -> None:
        self.query_one("#case-title", Static).update(plain(self.case.title))
        self._show_jurisdiction()
        self.query_one("#screening-note", Static).update(self._screening_note())
        for party in self.case.parties:
            for title in self.query(f"#party-{party.id} .card-title"):
                if isinstance(title, Static):
                    title.update(plain(self._party_title(party)))
            for title in self.query(f"#checks-{party.id} .card-title"):
                if isinstance(title, Static):
                    title.update(plain(self._party_title(party)))
        for child in self.case.children:
            for title in self.query(f"#checks-{child.id} .card-title"):
                if isinstance(title, Static):
                    title.update(plain(_("Child: {name}").format(name=child.name)))
            for title in self.query(f"#child-{child.id} .card-title"):
                if isinstance(title, Static):
                    title.update(plain(self._child_title(child)))
            for note in self.query(f"#child-note-{child.id}"):
                if isinstance(note, Static):
                    self._show_child_note(note, child)
        self._sync_fields()
        self.refresh_rules()

    # --- saving state ------------------------------------------------------------------------

    def _set_save_state(self, state: str) -> None:
        self._save_state = state
        self._show_save_state()

    def _show_save_state(self) -> None:
        refused = len(self.drafts)
        state = {
            "editing": _("Typing…"),
            "saving": _("Saving…"),
            "saved": _("All changes saved"),
            "failed": _("NOT SAVED: {reason}. Tried again every few seconds").format(
                reason=self._save_reason
            ),
        }[self._save_state]
        if refused and self._save_state != "failed":
            state = ngettext(
                "{count} field to correct (kept as typed) · {state}",
                "{count} fields to correct (kept as typed) · {state}",
                refused,
            ).format(count=refused, state=state)
        shown = (state, self._save_state == "failed", bool(refused))
        if shown == self._save_shown:
            return  # this runs on every focus move: an unchanged line is not redrawn
        try:
            status = self.query_one("#save-status", Static)
        except NoMatches:
            return  # not composed yet: on_mount shows it
        self._save_shown = shown
        status.update(plain(state))
        status.set_class(shown[1], "-error")
        status.set_class(shown[2], "-warning")

    def _all_on_disk(self) -> bool:
        """Nothing of this case waits to be written or failed to be: only then may the line
        say so."""
        saver = self.desk.saver
        return not self._pending and not saver.pending and self.case.id not in saver.failed

    @on(CaseSaved)
    def _case_saved(self, message: CaseSaved) -> None:
        if message.case_id == self.case.id and self._save_state in ("saving", "failed"):
            if self._all_on_disk():
                self._set_save_state("saved")

    @on(CaseSaveFailed)
    def _case_save_failed(self, message: CaseSaveFailed) -> None:
        if message.case_id == self.case.id:
            self._save_reason = message.reason
            self._set_save_state("failed")

    def action_save_now(self) -> None:
        self.commit_pending()

        async def flush() -> None:
            import asyncio

            ok = await asyncio.to_thread(self.desk.saver.flush)
            self._set_save_state("saved" if ok else "failed")

        self.run_worker(flush(), group="flush")

    # --- parties and children ----------------------------------------------------------------

    def action_add_person(self, kind: str | None = None) -> None:
        from duty_tui.screens.add_person import AddPersonScreen

        self.commit_pending()
        self.app.push_screen(
            AddPersonScreen(kind, today=self.desk.today(), hearing_date=self.case.hearing.date),
            self._person_added,
        )

    async def _person_added(self, person: Party | Child | None) -> None:
        if person is None:
            return
        if isinstance(person, Party):
            self._replace(cf.add_party(self.case, person))
            await self._rebuild("section-parties", self._party_widgets())
            await self._rebuild_people()
            self._focus_key(f"party.{person.id}.postcode")
        else:
            self._replace(cf.add_child(self.case, person))
            await self._rebuild("section-children", self._child_widgets())
            await self._rebuild_people()
            self._focus_key(f"child.{person.id}.name")

    def _replace(self, case: Case) -> None:
        self.case = case
        self.desk.save_case(case)
        self._set_save_state("saving")
        self._refresh_labels()

    async def _rebuild(self, section_id: str, widgets: Iterable[Widget]) -> None:
        section = self.query_one(f"#{section_id}", Section)
        await section.remove_children()
        await section.mount_all(list(widgets))

    async def _rebuild_people(self) -> None:
        """The per-person safeguarding cards follow the parties and children."""
        self._forget_drafts_of_missing_people()
        await self._rebuild("section-safeguarding-people", person_widgets(self))

    def _forget_drafts_of_missing_people(self) -> None:
        present = {p.id for p in self.case.parties} | {c.id for c in self.case.children}
        for key in [k for k in self.drafts if k.startswith("checks.")]:
            if key.split(".")[1] not in present:
                self._forget_drafts(key)

    def _focus_key(self, key: str) -> None:
        row = self._row(key)
        if row is not None:
            self.set_focus(row.control)
            row.control.scroll_visible()

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        if button_id.startswith("add-"):
            self.action_add_person(button_id.removeprefix("add-"))
        elif button_id.startswith("remove-party-"):
            self.remove_party(button_id.removeprefix("remove-party-"))
        elif button_id.startswith("remove-child-"):
            self.remove_child(button_id.removeprefix("remove-child-"))
        else:
            self.rules_button(button_id)

    def remove_party(self, party_id: str) -> None:
        from duty_tui.screens.confirm import ConfirmScreen

        party = self.case.party(party_id)

        async def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                case = cf.remove_party(self.case, party_id)
            except RecordError as exc:
                self.notify(
                    _("Not removed: {reason}").format(reason=exc.message),
                    severity="error",
                    markup=False,
                )
                return
            self._forget_drafts(f"party.{party_id}.")
            self._replace(case)
            await self._rebuild("section-parties", self._party_widgets())
            await self._rebuild_people()
            self._focus_key_or_button("add-applicant")

        self.app.push_screen(
            ConfirmScreen(
                _(
                    "Remove {name} ({role}) from this case? What was recorded about them goes too."
                ).format(name=party.name, role=label(party.role).lower()),
                yes=_("Remove"),
                no=_("Keep"),
            ),
            confirmed,
        )

    def remove_child(self, child_id: str) -> None:
        from duty_tui.screens.confirm import ConfirmScreen

        child = next(c for c in self.case.children if c.id == child_id)

        async def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            self._forget_drafts(f"child.{child_id}.")
            self._replace(cf.remove_child(self.case, child_id))
            await self._rebuild("section-children", self._child_widgets())
            await self._rebuild_people()
            self._focus_key_or_button("add-child")

        self.app.push_screen(
            ConfirmScreen(
                _("Remove the child {name} from this case?").format(name=child.name),
                yes=_("Remove"),
                no=_("Keep"),
            ),
            confirmed,
        )

    def _forget_drafts(self, prefix: str) -> None:
        drafts = self.drafts
        stale = [key for key in drafts if key.startswith(prefix)]
        for key in stale:
            del drafts[key]
        for key in [k for k in self._pending if k.startswith(prefix)]:
            del self._pending[key]
        if stale:
            self.desk.set_drafts(self.case.id, drafts)

    def _focus_key_or_button(self, button_id: str) -> None:
        buttons = self.query(f"#{button_id}")
        if buttons:
            self.set_focus(buttons.first())

    # --- moving about ------------------------------------------------------------------------

    def _sections(self) -> list[Section]:
        return list(self.query(Section))

    def _current_section(self) -> int:
        focused = self.focused
        for index, section in enumerate(self._sections()):
            if focused is not None and section in focused.ancestors:
                return index
        return -1

    def go_to_section(self, index: int) -> None:
        sections = self._sections()
        if not sections:
            return
        section = sections[index % len(sections)]
        focusable = [w for w in section.query("*") if w.focusable]
        if focusable:
            self.set_focus(focusable[0])
        section.scroll_visible(top=True)

    def focus_matrix(self) -> None:
        # From the palette the command can land while the matrix is being rebuilt (a case
        # saved meanwhile recomposes it): then there is nothing to focus yet, not an error.
        for grid in self.query("#suitability-grid"):
            self.set_focus(grid)
            grid.scroll_visible()
            return

    def action_next_section(self) -> None:
        self.go_to_section(self._current_section() + 1)

    def action_prev_section(self) -> None:
        self.go_to_section(max(self._current_section(), 0) - 1)

    def action_back(self) -> None:
        self.commit_pending()
        refused = len(self.drafts)
        if refused:
            self.notify(
                ngettext(
                    "{count} field in this case could not be saved as typed; the text is kept "
                    "and shown when you open the case again.",
                    "{count} fields in this case could not be saved as typed; the text is kept "
                    "and shown when you open the case again.",
                    refused,
                ).format(count=refused),
                severity="warning",
                markup=False,
            )
        self.dismiss(None)

    def show_history(self) -> None:
        from duty_tui.screens.history import HistoryScreen

        trail = self.desk.audit_log
        lines = [entry.line() for entry in trail.entries(self.case.id)]
        number = self.case.case_number
        self.app.push_screen(HistoryScreen(number, lines, broken=bool(trail.breaks())))

    def palette_commands(self) -> list[PaletteCommand]:
        """(name, help, callback) for the command palette while this case is open."""
        commands: list[PaletteCommand] = [
            (
                _("Add applicant"),
                _("Add a party to this case"),
                lambda: self.action_add_person("applicant"),
            ),
            (
                _("Add respondent"),
                _("Add a party to this case"),
                lambda: self.action_add_person("respondent"),
            ),
            (
                _("Add other family member"),
                _("Add a party to this case"),
                lambda: self.action_add_person("other_family_member"),
            ),
            (
                _("Add child"),
                _("Add a child to this case"),
                lambda: self.action_add_person("child"),
            ),
            (_("Save now"), _("Write every change to disk now"), self.action_save_now),
            (
                _("History of this case"),
                _("Who did what to this case, and when"),
                self.show_history,
            ),
            (
                _("Suitability: choose an activity"),
                _("The party × activity matrix: Enter explains and goes on to a provider"),
                self.focus_matrix,
            ),
        ]
        for index, section in enumerate(self._sections()):
            commands.append(
                (
                    _("Go to {section}").format(section=_(section.msgid)),
                    _("Section of this case"),
                    lambda i=index: self.go_to_section(i),
                )
            )
        return commands

    # --- the officer's language ----------------------------------------------------------

    def relabel(self) -> None:
        """Every word again in the new language, in place: labels, hints, dropdowns, notes,
        cards and the matrix. Nothing is rebuilt, so the field being typed in keeps its text,
        its cursor and the focus (relabel_all has already asked each widget to say_again)."""
        self._save_shown = None
        self._show_save_state()
        grids = self.query("#suitability-grid")
        if grids:
            grids.first().activities = ()  # its column headings are words: drawn again
        self._refresh_labels()
        self.query_one("#hearing-note", Static).update(plain(self._hearing_note()))
