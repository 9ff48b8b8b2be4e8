"""The case screen's rule-driven sections: suitability, directions, referrals.

Kept apart from the form in case.py (which it joins as a mixin): these sections are computed
from the case by the pure services (suitability.matrix, assessment.readiness, followups) and
are redrawn whenever the case changes; they hold no typing of their own. Every change they make
(an assessment, a direction, a referral) goes through the case screen's ``_replace`` and so is
saved at once like a typed field.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import attrs
from rich.text import Text
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Static

from duty_tui.i18n import N_, _
from duty_tui.messages import ReferralsChanged
from duty_tui.services.assessment import Readiness, ReadinessStatus, readiness
from duty_tui.services.catalogue import entry
from duty_tui.services.followups import followups
from duty_tui.services.funding import funding_for
from duty_tui.services.referral_words import is_withdrawn, state_words
from duty_tui.services.suitability import Status, live_directions, matrix
from duty_tui.widgets.case_fields import format_date
from duty_tui.widgets.plain import plain_str
from duty_tui.widgets.reasons import reasons_text
from duty_tui.widgets.record_words import label
from duty_tui.widgets.suitability_grid import COURT_DIRECTED_STYLE, SuitabilityGrid
from duty_tui.widgets.words import button, note
from records.model import (
    Activity,
    Assessment,
    Case,
    CourtOverride,
    Direction,
    DirectionStatus,
    RecordError,
    Referral,
    ReferralState,
)
from records.payload import PayloadError
from store import StoreError

if TYPE_CHECKING:
    from duty_tui.desk import Desk
    from duty_tui.screens.options_picker import Choice
    from store.outbox import OutboxEntry

READY_STYLE = {
    ReadinessStatus.READY: (N_("ready to queue"), "green"),
    ReadinessStatus.WAITING: (N_("waiting"), "yellow"),
    ReadinessStatus.BLOCKED: (N_("cannot be referred as it stands"), "red"),
}
STATE_STYLE = {
    ReferralState.DRAFT: "",
    ReferralState.QUEUED: "yellow",
    ReferralState.SENT: "yellow",
    ReferralState.ACKNOWLEDGED: "green",
    ReferralState.REJECTED: "bold red",
}
LIVE_REFERRAL = (ReferralState.QUEUED, ReferralState.SENT, ReferralState.ACKNOWLEDGED)


class RulesSections:
    """Mixed into CaseScreen; relies on its ``case``, ``_replace``, ``_rebuild`` and
    ``commit_pending``."""

    case: Case
    _rules_lock: asyncio.Lock | None = None
    # Referrals whose card offers "send the changes": rebuilt when this set changes.
    _stale_shown: frozenset[str] | set[str] = frozenset()
    _latest: dict[str, OutboxEntry] | None = None

    if TYPE_CHECKING:  # provided by CaseScreen / Screen

        def _replace(self, case: Case) -> None: ...
        async def _rebuild(self, section_id: str, widgets: Any) -> None: ...
        def commit_pending(self) -> None: ...
        @property
        def desk(self) -> Desk: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...
        def query(self, selector: str) -> Any: ...
        def query_one(self, selector: str, expect_type: Any = None) -> Any: ...
        def set_focus(self, widget: Widget | None) -> None: ...
        def run_worker(self, work: Any, **kwargs: Any) -> Any: ...

        focused: Widget | None

    # --- suitability ---------------------------------------------------------------------------

    def _suitability_widgets(self) -> list[Widget]:
        return [
            note(
                lambda: _(
                    "Enter on a cell: every reason with its source, then choose a provider. "
                    "✓ eligible · ✗ blocked · ? not yet known (never read as no)"
                ),
                classes="section-note",
            ),
            SuitabilityGrid(id="suitability-grid"),
        ]

    def _draw_matrix(self) -> None:
        grids = self.query("#suitability-grid")
        if grids:
            grids.first().show(self.case, matrix(self.case, today=self.desk.today()))

    def on_suitability_grid_chosen(self, message: SuitabilityGrid.Chosen) -> None:
        self.explain(message.party_id, message.activity)

    def explain(self, party_id: str, activity: Activity) -> None:
        """Show the verdict's reasons; go on to choose a provider or record an assessment."""
        from duty_tui.screens.verdict import VerdictScreen
        from duty_tui.services.suitability import verdict

        self.commit_pending()
        today = self.desk.today()
        found = verdict(self.case, party_id, activity, today=today)
        money = (
            None
            if found.status is Status.BLOCKED
            else funding_for(self.case, party_id, activity, today=today)
        )

        def chosen(next_step: str | None) -> None:
            if next_step == "choose":
                self.choose_provider(party_id, activity)
            elif next_step == "assess":
                self.record_assessment(party_id, activity)
            elif next_step == "override":
                self.record_court_direction(party_id, activity)
            elif next_step == "withdraw_override":
                self.withdraw_court_direction(party_id, activity)

        self.app.push_screen(VerdictScreen(self.case, found, money), chosen)

    def record_assessment(self, party_id: str, activity: Activity) -> None:
        from duty_tui.screens.assessment import AssessmentScreen

        def recorded(assessment: Assessment | None) -> None:
            if assessment is None:
                return
            self._replace(attrs.evolve(self.case, assessments=(*self.case.assessments, assessment)))
            self.notify(
                _("Assessment recorded; the matrix shows what it changes."),
                title=_("Suitability"),
                markup=False,
            )

        self.app.push_screen(
            AssessmentScreen(
                self.case.party(party_id),
                activity,
                officer_name=self.desk.profile.officer.name,
                today=self.desk.today(),
            ),
            recorded,
        )

    # --- the court's direction against the rules' advice (COURT-OVERRIDE) -----------------------

    def _names(self, party_id: str, activity: Activity) -> tuple[str, str]:
        return entry(activity).name, self.case.party(party_id).name

    def record_court_direction(self, party_id: str, activity: Activity) -> None:
        """The court directs a blocked activity anyway: ask for the reason the court gave and
        record it on the direction (made "directed"), with the blocks as they stand now."""
        from duty_tui.screens.prompt import PromptScreen
        from duty_tui.services.suitability import blocks_of, verdict

        today = self.desk.today()
        found = verdict(self.case, party_id, activity, today=today)
        if not found.may_override:
            return
        blocks = blocks_of(found)
        officer = self.desk.profile.officer.name

        def build(text: str) -> CourtOverride:
            return CourtOverride(reason=text, recorded_on=today, recorded_by=officer, blocks=blocks)

        def check(text: str) -> str | None:
            try:
                build(text)
            except RecordError as exc:
                return exc.message
            return None

        async def answered(why: str | None) -> None:
            if why is None:
                return
            given = build(why)
            base = self._existing_direction(party_id, activity)
            if base is None:
                base = Direction(activity=activity, party_id=party_id)
            direction = attrs.evolve(base, status=DirectionStatus.DIRECTED, court_override=given)
            await self.keep_direction(direction)
            self.desk.record_court_override(self.case, direction.id, withdrawn=False)
            self.notify(
                _(
                    "The court's direction is recorded, against the rules' advice. Choose a "
                    "provider; its referral is queued only when you confirm it."
                ),
                title=_("Suitability"),
                markup=False,
            )

        name, party = self._names(party_id, activity)
        question = _(
            "The court directs {activity} for {party} against the rules' advice. "
            "What reason did the court give?"
        ).format(activity=name, party=party)
        self.app.push_screen(
            PromptScreen(question, _("The court's reason"), ok=_("Record"), check=check),
            answered,
        )

    def withdraw_court_direction(self, party_id: str, activity: Activity) -> None:
        """Take back the record of the court's direction: the rules' block stands again, so a
        referral not yet queued cannot be. One already queued is withdrawn first (central)."""
        from duty_tui.screens.confirm import ConfirmScreen
        from duty_tui.services.suitability import override_direction

        direction = override_direction(self.case, party_id, activity)
        if direction is None:
            return
        if any(
            r.direction_id == direction.id and r.state in LIVE_REFERRAL for r in self.case.referrals
        ):
            self.notify(
                _("Withdraw its referral first (referrals section): central records must be told."),
                severity="warning",
                markup=False,
            )
            return

        async def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            current = self._direction(direction.id)
            await self.keep_direction(attrs.evolve(current, court_override=None))
            self.desk.record_court_override(self.case, direction.id, withdrawn=True)

        name, party = self._names(party_id, activity)
        self.app.push_screen(
            ConfirmScreen(
                _(
                    "Withdraw the record of the court's direction of {activity} for {party}? "
                    "The rules' block stands again."
                ).format(activity=name, party=party)
            ),
            confirmed,
        )

    def _confirm_against_advice(self, direction: Direction, then: Any) -> None:
        """Ask before a referral against the rules' advice goes: naming the activity, the
        party, the advice and the court's reason. Only "yes" calls ``then``; Escape, "n" and
        "No" queue nothing."""
        from duty_tui.screens.confirm import ConfirmScreen

        given = direction.court_override
        assert given is not None
        name, party = self._names(direction.party_id, direction.activity)

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        question = _(
            "Queue the referral for {activity} for {party}? The court directed it against the "
            "rules' advice: {reasons}. The court's reason: {court_reason}"
        ).format(
            activity=name,
            party=party,
            reasons="; ".join(b.text for b in given.blocks),
            court_reason=given.reason,
        )
        self.app.push_screen(
            ConfirmScreen(question, yes=_("Queue it"), no=_("Do not queue")), answered
        )

    # --- choosing a provider and capturing the direction ----------------------------------------

    def choose_provider(
        self, party_id: str, activity: Activity, direction: Direction | None = None
    ) -> None:
        from duty_tui.screens.options_picker import OptionsPickerScreen

        def picked(choice: Choice | None) -> None:
            if choice is None:
                return
            base = direction or self._existing_direction(party_id, activity)
            if base is None:
                base = Direction(
                    activity=activity,
                    party_id=party_id,
                    provider_id=choice.provider_id,
                    delivery=choice.delivery,
                )
            else:
                base = attrs.evolve(base, provider_id=choice.provider_id, delivery=choice.delivery)
            self.capture_direction(base)

        self.app.push_screen(
            OptionsPickerScreen(
                self.case, party_id, activity, self.desk.directory(), self.desk.today()
            ),
            picked,
        )

    def _existing_direction(self, party_id: str, activity: Activity) -> Direction | None:
        return next(iter(live_directions(self.case, party_id, activity)), None)

    def capture_direction(self, direction: Direction) -> None:
        from duty_tui.screens.direction import DirectionScreen

        async def kept(result: Direction | None) -> None:
            if result is None:
                return
            await self.keep_direction(result)

        self.app.push_screen(
            DirectionScreen(self.case, direction, self.desk.directory(), self.desk.today()), kept
        )

    async def keep_direction(self, direction: Direction) -> None:
        directions = list(self.case.directions)
        for index, d in enumerate(directions):
            if d.id == direction.id:
                directions[index] = direction
                break
        else:
            directions.append(direction)
        self._replace(attrs.evolve(self.case, directions=tuple(directions)))
        await self._redraw_rules()
        self._focus_first(f"#direction-{direction.id} Button")

    def record_monitoring(self, direction_id: str) -> None:
        """s11G: record the court's request to monitor this direction, and attendance."""
        from duty_tui.screens.monitoring import MonitoringChange, MonitoringScreen

        self.commit_pending()
        direction = self._direction(direction_id)

        async def kept(change: MonitoringChange | None) -> None:
            if change is None:
                return
            await self.keep_direction(attrs.evolve(direction, monitoring=change.monitoring))
            self._focus_first(f"#direction-monitor-{direction_id}")

        self.app.push_screen(MonitoringScreen(self.case, direction, self.desk.today()), kept)

    def _focus_first(self, selector: str) -> None:
        found = self.query(selector)
        if found:
            self.set_focus(found.first())
            found.first().scroll_visible()

    # --- directions ----------------------------------------------------------------------------

    def _readiness(self, direction: Direction) -> Readiness:
        return readiness(self.case, direction, self.desk.directory(), today=self.desk.today())

    def _direction_text(self, d: Direction) -> Text:
        party = self.case.party(d.party_id)
        e = entry(d.activity)
        provider = self.desk.directory().get(d.provider_id) if d.provider_id else None
        text = Text(
            plain_str(_("{activity} for {party}").format(activity=e.name, party=party.name)),
            style="bold",
        )
        status = label(d.status)
        if d.status is DirectionStatus.DIRECTED and d.directed_on:
            status = _("{status} {date}").format(status=status, date=format_date(d.directed_on))
        details = [
            status,
            label(d.delivery),
            provider.name if provider else (d.provider_id or _("no provider")),
        ]
        text.append("\n" + plain_str(" · ".join(details)))
        if d.status is DirectionStatus.WITHDRAWN:
            return text
        ready = self._readiness(d)
        ready_words, style = READY_STYLE[ready.status]
        where = _(ready_words)
        if d.court_override is not None and ready.status is ReadinessStatus.READY:
            where = _("ready to queue once you confirm it, against the rules' advice")
            style = COURT_DIRECTED_STYLE
        referred = [r for r in self.case.referrals if r.direction_id == d.id]
        if referred and referred[-1].state in LIVE_REFERRAL:
            # Already on its way: what the officer needs is where it is, not "ready". A
            # withdrawal central acknowledged is not a referral that stands: say withdrawn.
            where = _("{state} (see Referrals)").format(state=state_words(referred[-1]))
            style = "yellow" if is_withdrawn(referred[-1]) else STATE_STYLE[referred[-1].state]
        if d.court_override is not None:
            text.append(
                "\n" + _("Directed by the court against the rules' advice: "),
                style=COURT_DIRECTED_STYLE,
            )
            text.append(plain_str(d.court_override.reason))
        text.append("\n" + _("Referral:") + " ", style="bold")
        text.append(where, style=style)
        text.append(" · " + plain_str(ready.funding.who_pays))
        shown = [r for r in ready.reasons if r.effect.value not in ("met", "info")]
        if shown:
            text.append("\n")
            text.append_text(reasons_text(shown, sources=False))
        text.append("\n" + _("Wording:") + " ", style="bold")
        text.append(plain_str(ready.wording.text))
        if d.monitoring is not None:
            m = d.monitoring
            text.append("\n" + _("Monitoring (s11G):") + " ", style="bold")
            words = {
                "asked_by": m.asked_by,
                "asked_on": format_date(m.asked_on),
                "start": format_date(m.period_from),
                "end": format_date(m.period_to),
                "sessions": len(m.sessions),
                "missed": len(m.failures),
                "reported_on": format_date(m.reported_on),
            }
            if m.reported_on:
                monitoring = _(
                    "asked by {asked_by} on {asked_on}, {start} to {end}; {sessions} session(s) "
                    "recorded, {missed} not attended; reported {reported_on}"
                )
            else:
                monitoring = _(
                    "asked by {asked_by} on {asked_on}, {start} to {end}; {sessions} session(s) "
                    "recorded, {missed} not attended"
                )
            text.append(plain_str(monitoring.format(**words)))
        due = [f for f in followups(self.case, today=self.desk.today()) if f.direction_id == d.id]
        for item in due:
            when = format_date(item.due) if item.due else _("date to come")
            due_words = _("OVERDUE {date}:") if item.overdue else _("{date}:")
            text.append(
                "\n→ " + due_words.format(date=when) + " ",
                style="bold red" if item.overdue else "bold",
            )
            text.append(plain_str(item.text))
        return text

    def _direction_widgets(self) -> list[Widget]:
        widgets: list[Widget] = []
        if not self.case.directions:
            widgets.append(
                note(
                    lambda: _(
                        "No directions yet. Choose a cell in the suitability matrix and press "
                        "Enter."
                    ),
                    classes="section-note",
                )
            )
        for d in self.case.directions:
            buttons: list[Widget] = []
            if d.status is not DirectionStatus.WITHDRAWN:
                buttons = [
                    button(N_("Edit"), id=f"direction-edit-{d.id}", compact=True),
                    button(N_("Change provider"), id=f"direction-provider-{d.id}", compact=True),
                    button(N_("Withdraw"), id=f"direction-withdraw-{d.id}", compact=True),
                    # s11G: the court's request to monitor, and each session's attendance.
                    button(N_("Monitoring"), id=f"direction-monitor-{d.id}", compact=True),
                ]
                if not any(
                    r.direction_id == d.id and r.state in LIVE_REFERRAL for r in self.case.referrals
                ):
                    # Once queued, changes go as amendments from the referral's card.
                    buttons.insert(
                        2, button(N_("Queue referral"), id=f"direction-queue-{d.id}", compact=True)
                    )
            widgets.append(_card("direction", d.id, self._direction_text(d), buttons))
        return widgets

    def _direction(self, direction_id: str) -> Direction:
        return next(d for d in self.case.directions if d.id == direction_id)

    def queue(self, direction_id: str) -> None:
        self.commit_pending()
        direction = self._direction(direction_id)
        if direction.court_override is None:
            self._queue(direction_id)
            return
        from duty_tui.services.assessment import ready_to_queue

        try:
            # Whatever else stops it is said first: a question that a "yes" could not answer
            # would only be asked again.
            ready_to_queue(
                self.case,
                direction_id,
                self.desk.directory(),
                today=self.desk.today(),
                against_advice_confirmed=True,
            )
        except PayloadError as exc:
            self._not_queued(exc)
            return
        self._confirm_against_advice(
            direction, lambda: self._queue(direction_id, against_advice_confirmed=True)
        )

    def _not_queued(self, exc: PayloadError) -> None:
        self.notify(
            _("Not queued: {problems}").format(problems="; ".join(exc.problems)),
            title=_("Referral"),
            severity="warning",
            timeout=12,
            markup=False,
        )

    def _queue(self, direction_id: str, *, against_advice_confirmed: bool = False) -> None:
        try:
            updated = self.desk.queue_referral(
                self.case, direction_id, against_advice_confirmed=against_advice_confirmed
            )
        except PayloadError as exc:
            self._not_queued(exc)
            return
        except StoreError as exc:  # the disk: say so; the case on screen is untouched
            self.notify(
                _("Not queued: {problems}").format(problems=exc), severity="error", markup=False
            )
            return
        self.case = updated
        referral = next(r for r in updated.referrals if r.direction_id == direction_id)
        self.run_worker(self._redraw_and_focus(f"#referral-{referral.id} Button"), group="rules")
        self.notify(
            _(
                "Referral queued. It goes to central records when there is a network; "
                "the referrals section shows its receipt."
            ),
            title=_("Referral"),
            markup=False,
        )

    def withdraw_direction(self, direction_id: str) -> None:
        from duty_tui.screens.confirm import ConfirmScreen

        live = [
            r
            for r in self.case.referrals
            if r.direction_id == direction_id and r.state in LIVE_REFERRAL
        ]
        if live:
            self.notify(
                _("Withdraw its referral first (referrals section): central records must be told."),
                severity="warning",
                markup=False,
            )
            return

        async def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            direction = attrs.evolve(
                self._direction(direction_id), status=DirectionStatus.WITHDRAWN
            )
            await self.keep_direction(direction)

        self.app.push_screen(
            ConfirmScreen(_("Withdraw this direction? It stays on the case, marked withdrawn.")),
            confirmed,
        )

    # --- referrals -----------------------------------------------------------------------------

    def _referral_text(self, r: Referral) -> Text:
        names = {p.id: p.name for p in self.case.parties}
        provider = self.desk.directory().get(r.provider_id)
        text = Text(
            plain_str(
                _("{activity} for {party}").format(
                    activity=entry(r.activity).name, party=names.get(r.party_id, "?")
                )
            ),
            style="bold",
        )
        text.append("\n" + plain_str(provider.name if provider else r.provider_id) + " · ")
        text.append(
            _("{state} (revision {revision})").format(state=state_words(r), revision=r.revision),
            style=STATE_STYLE[r.state],
        )
        if any(d.id == r.direction_id and d.court_override for d in self.case.directions):
            text.append(" · ")
            text.append(_("against the rules' advice"), style=COURT_DIRECTED_STYLE)
        if r.receipt:
            text.append(" · " + _("receipt") + " ")
            text.append(plain_str(r.receipt), style="bold")
        if r.reason:
            text.append("\n" + plain_str(r.reason), style="red")
        return text

    def _outbox_latest(self) -> dict[str, OutboxEntry]:
        """The outbox's latest entry per referral of this case. Read once per change of the
        referrals (see _redraw_rules), not on every edit: each read decrypts from disk."""
        if self._latest is None:
            try:
                self._latest = self.desk.outbox().latest_by_referral(self.case.id)
            except StoreError:  # only offers to amend/withdraw hang on it: never stop the screen
                return {}
        return self._latest

    def _stale(self) -> set[str]:
        from duty_tui.services.referrals import stale_against

        return set(stale_against(self.case, self._outbox_latest()))

    def _referral_widgets(self) -> list[Widget]:
        if not self.case.referrals:
            return [
                note(
                    lambda: _(
                        "No referrals yet. A direction the court made, with its provider, can "
                        "be queued from its card above."
                    ),
                    classes="section-note",
                )
            ]
        stale = self._stale()
        self._stale_shown = stale
        widgets: list[Widget] = []
        for r in self.case.referrals:
            buttons: list[Widget] = []
            latest = self._outbox_latest().get(r.id)
            withdrawn = latest is not None and latest.action == "withdraw"
            if r.id in stale:
                buttons.append(
                    button(
                        N_("Send the changes (amend)"), id=f"referral-amend-{r.id}", compact=True
                    )
                )
            if r.state is not ReferralState.REJECTED and not withdrawn:
                buttons.append(button(N_("Withdraw"), id=f"referral-withdraw-{r.id}", compact=True))
            widgets.append(_card("referral", r.id, self._referral_text(r), buttons))
        return widgets

    def _after_referral_change(self) -> None:
        self.run_worker(self._redraw_rules(), group="rules")

    async def _redraw_rules(self) -> None:
        # One rebuild at a time: two interleaved remove/mount pairs would mount a card twice.
        # Not a cancelling (exclusive) worker either: a rebuild cut off half-way loses cards.
        if self._rules_lock is None:
            self._rules_lock = asyncio.Lock()
        async with self._rules_lock:
            # A rebuilt card's buttons keep their ids: the focus goes back to the same one.
            focused = self.focused
            focused_id = focused.id if focused is not None else None
            self._latest = None  # the referrals changed: the outbox is read again, once
            self._draw_matrix()
            await self._rebuild("section-directions", self._direction_widgets())
            await self._rebuild("section-referrals", self._referral_widgets())
            # (Textual has already moved the focus to a neighbour of the removed widget.)
            if focused_id and (self.focused is None or self.focused.id != focused_id):
                self._focus_first(f"#{focused_id}")

    async def _redraw_and_focus(self, selector: str) -> None:
        await self._redraw_rules()
        self._focus_first(selector)

    def on_referrals_changed(self, message: ReferralsChanged) -> None:
        """A sync changed this case's referrals (already saved)."""
        if message.case is None or message.case.id != self.case.id:
            return
        self.case = attrs.evolve(self.case, referrals=message.case.referrals)
        self._after_referral_change()

    def amend(self, referral_id: str) -> None:
        self.commit_pending()
        referral = next(r for r in self.case.referrals if r.id == referral_id)
        direction = next((d for d in self.case.directions if d.id == referral.direction_id), None)
        if direction is not None and direction.court_override is not None:
            # A new revision against the rules' advice is a referral sent again: asked alike.
            self._confirm_against_advice(direction, lambda: self._amend(referral_id))
            return
        self._amend(referral_id)

    def _amend(self, referral_id: str) -> None:
        try:
            self.case = self.desk.amend_referral(self.case, referral_id)
        except PayloadError as exc:
            self.notify(
                _("Not amended: {problems}").format(problems="; ".join(exc.problems)),
                severity="warning",
                markup=False,
            )
            return
        self.run_worker(self._redraw_and_focus(f"#referral-{referral_id} Button"), group="rules")
        self.notify(
            _("The changes are queued as a new revision."), title=_("Referral"), markup=False
        )

    def withdraw(self, referral_id: str) -> None:
        from duty_tui.screens.prompt import PromptScreen

        def answered(why: str | None) -> None:
            if why is None:
                return
            self.commit_pending()
            try:
                self.case = self.desk.withdraw_referral(self.case, referral_id, why)
            except PayloadError as exc:
                self.notify(
                    _("Not withdrawn: {problems}").format(problems="; ".join(exc.problems)),
                    severity="warning",
                    markup=False,
                )
                return
            self._after_referral_change()
            self.notify(
                _("Withdrawal queued for central records."), title=_("Referral"), markup=False
            )

        # Name what is withdrawn: two referrals of one case look alike in a bare question.
        referral = next(r for r in self.case.referrals if r.id == referral_id)
        party = next((p.name for p in self.case.parties if p.id == referral.party_id), "?")
        question = _("Withdraw the referral for {activity} for {party}?").format(
            activity=entry(referral.activity).name, party=party
        )
        self.app.push_screen(PromptScreen(question, _("Why"), ok=_("Withdraw")), answered)

    # --- keeping the sections current ---------------------------------------------------------

    def refresh_rules(self) -> None:
        """The case changed: redraw the matrix and the cards' text in place (cheap); rebuild a
        section only when its set of cards changed."""
        self._draw_matrix()
        rebuild = False
        for d in self.case.directions:
            found = self.query(f"#direction-text-{d.id}")
            if not found:
                rebuild = True
                break
            found.first().update(self._direction_text(d))
        for r in self.case.referrals:
            found = self.query(f"#referral-text-{r.id}")
            if not found:
                rebuild = True
                break
            found.first().update(self._referral_text(r))
        if self.case.referrals and self._stale() != self._stale_shown:
            rebuild = True  # a queued referral no longer matches the case: offer to amend
        if rebuild:
            self._after_referral_change()

    def rules_button(self, button_id: str) -> bool:
        """Handle a button of these sections; False if it is not one of theirs."""
        for prefix, action in (
            ("direction-edit-", lambda i: self.capture_direction(self._direction(i))),
            (
                "direction-provider-",
                lambda i: self.choose_provider(
                    self._direction(i).party_id, self._direction(i).activity, self._direction(i)
                ),
            ),
            ("direction-queue-", self.queue),
            ("direction-withdraw-", self.withdraw_direction),
            ("direction-monitor-", self.record_monitoring),
            ("referral-amend-", self.amend),
            ("referral-withdraw-", self.withdraw),
        ):
            if button_id.startswith(prefix):
                action(button_id.removeprefix(prefix))
                return True
        return False


def _card(kind: str, item_id: str, text: Text, buttons: list[Widget]) -> Vertical:
    """A direction's or referral's card: ids ``{kind}-{id}`` and ``{kind}-text-{id}`` are what
    refresh_rules updates in place and what the focus returns to after a rebuild."""
    return Vertical(
        Static(text, id=f"{kind}-text-{item_id}"),
        Horizontal(*buttons, classes="buttons"),
        classes="card",
        id=f"{kind}-{item_id}",
    )
