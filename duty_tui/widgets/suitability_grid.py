"""The suitability matrix: one row per party, one column per activity, ✓ / ✗ / ?.

Rebuilt from services.suitability.matrix whenever the case changes (it is a pure function of
the case and the date, and cheap: a few parties × six activities). Enter on a cell posts
:class:`SuitabilityGrid.Chosen` for the screen to explain that verdict.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from duty_tui.i18n import N_, _
from duty_tui.services.catalogue import entry
from duty_tui.services.suitability import Status, Verdict
from duty_tui.widgets.plain import plain
from duty_tui.widgets.record_words import label
from records.model import Activity, Case

SHORT = {
    Activity.WT4C: "WT4C",
    Activity.MEDIATION_INFO: N_("Mediation info"),
    Activity.CONTACT_SUPPORTED: N_("Supported contact"),
    Activity.CONTACT_SUPERVISED: N_("Supervised contact"),
    Activity.PTFC: "PTfC",
    Activity.CCI: "CCI",
}

STYLE = {Status.ELIGIBLE: "green", Status.BLOCKED: "red", Status.NEEDS_SCREENING: "yellow"}
# Directed by the court against the rules' advice: neither green (it is not "eligible") nor the
# red of a block, and bold so it stands out in a column of ticks.
COURT_DIRECTED_STYLE = "bold magenta"


def _missing(verdict: Verdict) -> str:
    """What a "?" cell waits for, in a few words. "needs screening" was shown for every
    unknown, so a cell waiting only for the officer's assessment (or the safeguarding letter,
    or a postcode) sent the officer back to a screening that was complete. Read from the
    unknown reasons' wording: the rules own the reasons, this only names them."""
    wanted: list[str] = []
    for reason in verdict.unknown:
        text = reason.text
        if "not yet known" in text:
            word = N_("screening")
        elif "recorded assessment" in text:
            word = N_("your assessment")
        elif "safeguarding letter" in text:
            word = N_("the letter")
        elif "postcode" in text:
            word = N_("a postcode")
        else:
            word = N_("more information")
        if word not in wanted:
            wanted.append(word)
    if not wanted:
        return label(verdict.status)
    # A list of what is missing, each a noun phrase of its own: "angen sgrinio + eich asesiad".
    return _("needs {what}").format(what=" + ".join(_(w) for w in wanted))


def cell_text(verdict: Verdict) -> Text:
    if verdict.court_directed:
        text = _("! court-directed")
        if verdict.status is Status.NEEDS_SCREENING:
            # Still waiting for something the court's direction does not answer.
            text = _("! court-directed, {missing}").format(missing=_missing(verdict))
        return Text(text, style=COURT_DIRECTED_STYLE)
    words = _missing(verdict) if verdict.status is Status.NEEDS_SCREENING else label(verdict.status)
    return Text(f"{verdict.status.symbol} {words}", style=STYLE[verdict.status])


class SuitabilityGrid(DataTable[Text]):
    DEFAULT_CSS = """
    SuitabilityGrid { height: auto; max-height: 14; }
    """
    BINDINGS = [  # noqa: RUF012 - Textual's own declaration style
        Binding("enter", "select_cursor", N_("Why? / direct"), id="suitability.explain"),
    ]
    help_name = N_("Suitability matrix")

    class Chosen(Message):
        def __init__(self, party_id: str, activity: Activity) -> None:
            super().__init__()
            self.party_id = party_id
            self.activity = activity

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=True, **kwargs)
        self.activities: tuple[Activity, ...] = ()

    def show(self, case: Case, verdicts: dict[tuple[str, Activity], Verdict]) -> None:
        """Redraw for ``case``; the cursor stays on the same party and activity if it can.

        Only the activities the case's jurisdiction offers are columns: one the service does
        not run there is never an option, and its blocked column pushed the real ones off a
        laptop's screen. The verdicts still hold every activity (``duty-tui assess`` lists
        them all, with the jurisdiction rule that blocks)."""
        where = self.cursor_coordinate
        offered = tuple(a for a in Activity if case.jurisdiction in entry(a).jurisdictions)
        if offered != self.activities:
            self.clear(columns=True)
            for activity in offered:
                self.add_column(_(SHORT[activity]), key=activity.value)
            self.activities = offered
        else:
            self.clear()
        for party in case.parties:
            self.add_row(
                *(cell_text(verdicts[(party.id, activity)]) for activity in offered),
                key=party.id,
                label=plain(
                    _("{name} ({role})").format(name=party.name, role=label(party.role).lower())
                ),
            )
        if self.row_count:
            self.cursor_coordinate = self.validate_cursor_coordinate(where)

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        row = event.cell_key.row_key.value
        column = event.cell_key.column_key.value
        if row is not None and column is not None:
            self.post_message(self.Chosen(row, Activity(column)))
