"""The case screen's "Safeguarding by person" section (issue 11, item 5).

One card per party and child with their own PD12B checks (a party's C1A allegations too), and
one card for what the court decided (PD12J, s16A). Each field is an ordinary case-screen field
(keys in duty_tui/widgets/safeguarding_fields.py), saved as it is typed like every other. A
person's own answer replaces the case-wide one for them; the suitability matrix takes the worst
answer of the people each activity involves.
"""

from __future__ import annotations

from typing import Protocol

from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from duty_tui.i18n import N_, _
from duty_tui.services.record_text import label
from duty_tui.widgets.field import FieldRow
from duty_tui.widgets.plain import plain
from duty_tui.widgets.safeguarding_fields import questions_for
from records.model import COURT_QUESTIONS, Answer, Case

# Short labels for the 24-column label; the card's note says "yes" means a concern.
# Marked here, translated when the section is built.
SHORT: dict[str, str] = {
    "police_check": N_("Police check"),
    "local_authority_check": N_("Local authority check"),
    "harm_alleged": N_("C1A harm alleged"),
    "fact_finding_needed": N_("Fact-finding needed"),
    "findings_made": N_("Findings made"),
    "s16a_risk_assessment": N_("s16A risk assessment"),
}
ANSWERS = (Answer.UNKNOWN, Answer.NO, Answer.YES)
NOTE = N_(
    "Each person's own checks (PD12B; C1A for a party): yes means a concern was found. Left "
    "not yet known, the case-wide answer above speaks for them. The matrix takes the worst "
    "answer of the people an activity involves."
)


class HasFields(Protocol):
    case: Case

    def field(
        self,
        key: str,
        *,
        label: str | None = None,
        choices: list[tuple[str, str]] | None = None,
        placeholder: str = "",
    ) -> FieldRow: ...


def _answer_rows(screen: HasFields, prefix: str, question: str) -> list[Widget]:
    choices = [(label(answer), answer.value) for answer in ANSWERS]
    return [
        screen.field(f"{prefix}.answer", label=_(SHORT[question]), choices=choices),
        screen.field(
            f"{prefix}.answered_on", label=_("  answered on"), placeholder=_("DD/MM/YYYY")
        ),
        screen.field(f"{prefix}.answered_by", label=_("  answered by")),
    ]


def person_widgets(screen: HasFields) -> list[Widget]:
    case = screen.case
    widgets: list[Widget] = [Static(_(NOTE), classes="section-note")]
    people = [
        (p.id, _("{role}: {name}").format(role=label(p.role), name=p.name)) for p in case.parties
    ]
    people += [(c.id, _("Child: {name}").format(name=c.name)) for c in case.children]
    if not people:
        widgets.append(Static(_("No parties or children yet."), classes="section-note"))
    for person_id, title in people:
        rows: list[Widget] = []
        for question in questions_for(case, person_id):
            rows += _answer_rows(screen, f"checks.{person_id}.{question}", question)
        widgets.append(
            Vertical(
                Static(plain(title), classes="card-title"),
                *rows,
                classes="card",
                id=f"checks-{person_id}",
            )
        )
    court: list[Widget] = []
    for question in COURT_QUESTIONS:
        court += _answer_rows(screen, f"court.{question}", question)
    widgets.append(
        Vertical(
            Static(_("The court: PD12J fact-finding, s16A risk assessment"), classes="card-title"),
            *court,
            classes="card",
            id="court-checks",
        )
    )
    return widgets
