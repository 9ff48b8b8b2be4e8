"""Taking part: matching a provider on what the party needs (issue 11, item 9).

- ``INTERPRETER``: a party who needs an interpreter (any language) is flagged against a provider
  that does not record working with interpreters, and ranked after one that does.
- ``ADJUSTMENTS``: the party's reasonable adjustments are passed on; the officer confirms the
  provider can make them (the provider's duty: Equality Act 2010 s20, s29(7)).
- ``SEPARATE-ARRIVAL``: at a contact centre, where domestic abuse is alleged (the screening
  answered "yes") or the officer records the need, a centre without separate arrival and
  departure is not used.
- ``WELSH-OFFER``: in a Welsh case the active offer is recorded; a party who chose Welsh is
  matched first with providers delivering in Welsh.

Pure: no I/O, no clock. ``options`` calls these per provider; ``readiness`` reads them through
``options``.
"""

from __future__ import annotations

from duty_tui.i18n import _
from duty_tui.i18n_format import format_date
from duty_tui.services.catalogue import CatalogueEntry, Effect, Reason, reason
from records.model import (
    Activity,
    Answer,
    Case,
    Jurisdiction,
    Language,
    Need,
    Party,
    Provider,
    WelshOffer,
)

CONTACT_CENTRE = (Activity.CONTACT_SUPPORTED, Activity.CONTACT_SUPERVISED)


def preferred_language(case: Case, party: Party) -> Language:
    """The language to match providers on: Welsh when the party chose it in the active offer
    (Welsh case), else the party's recorded language."""
    if (
        case.jurisdiction is Jurisdiction.WALES
        and party.participation.welsh_offer is WelshOffer.WELSH
    ):
        return Language.WELSH
    return party.language


def separate_arrival_needed(case: Case, party: Party, activity: Activity) -> str:
    """Why this party's contact centre must keep the parents apart on arrival, or ""."""
    if activity not in CONTACT_CENTRE:
        return ""
    if case.screening.domestic_abuse.answer is Answer.YES:
        return _("domestic abuse is alleged or found")
    if any(p.participation.separate_arrival for p in case.parties):
        who = [p.name for p in case.parties if p.participation.separate_arrival]
        return _("recorded as needed by {people}").format(people=", ".join(who))
    return ""


def interpreter_short(party: Party, provider: Provider) -> bool:
    """The party needs an interpreter and the provider does not record working with one."""
    return party.participation.needs_interpreter and not provider.interpreters


def provider_reasons(
    case: Case, party: Party, e: CatalogueEntry, provider: Provider
) -> tuple[list[Reason], list[Reason]]:
    """(blocks, notes) for one provider and this party's needs."""
    blocks: list[Reason] = []
    notes: list[Reason] = []
    why = separate_arrival_needed(case, party, e.activity)
    if why:
        if provider.separate_arrival:
            notes.append(
                reason(
                    "SEPARATE-ARRIVAL",
                    _("separate arrival and departure offered ({why})").format(why=why),
                    Effect.MET,
                )
            )
        else:
            blocks.append(
                reason(
                    "SEPARATE-ARRIVAL",
                    _("does not record separate arrival and departure, needed: {why}").format(
                        why=why
                    ),
                    Effect.BLOCKS,
                )
            )
    p = party.participation
    if p.needs_interpreter:
        if provider.interpreters:
            notes.append(
                reason(
                    "INTERPRETER",
                    _("works with interpreters ({language})").format(
                        language=p.interpreter_language
                    )
                    if p.interpreter_language
                    else _("works with interpreters (language to record)"),
                    Effect.MET,
                )
            )
        else:
            notes.append(
                reason(
                    "INTERPRETER",
                    _(
                        "does not record working with interpreters; the party needs {language}"
                    ).format(language=p.interpreter_language)
                    if p.interpreter_language
                    else _(
                        "does not record working with interpreters; the party needs an interpreter"
                    ),
                    Effect.WARNING,
                )
            )
    return blocks, notes


def party_notes(case: Case, party: Party) -> list[Reason]:
    """What the officer should pass on or settle, whoever the provider."""
    p = party.participation
    out: list[Reason] = []
    if p.adjustments:
        out.append(
            reason(
                "ADJUSTMENTS",
                _("confirm the provider can make these adjustments: {adjustments}").format(
                    adjustments=p.adjustments
                ),
                Effect.WARNING,
            )
        )
    if p.needs_interpreter and not p.interpreter_language:
        out.append(
            reason(
                "INTERPRETER",
                _("{name} needs an interpreter: record the language").format(name=party.name),
                Effect.WARNING,
            )
        )
    if p.interpreter is Need.UNKNOWN:
        out.append(
            reason(
                "INTERPRETER", _("whether an interpreter is needed is not recorded"), Effect.INFO
            )
        )
    if case.jurisdiction is Jurisdiction.WALES:
        if p.welsh_offer is WelshOffer.NOT_ASKED:
            out.append(
                reason(
                    "WELSH-OFFER",
                    _("{name} has not been offered the use of Welsh (the active offer)").format(
                        name=party.name
                    ),
                    Effect.WARNING,
                )
            )
        elif p.welsh_offer is WelshOffer.WELSH and party.language is not Language.WELSH:
            out.append(
                reason(
                    "WELSH-OFFER",
                    _(
                        "{name} chose Welsh on {date}: providers delivering in Welsh come first "
                        "(the language recorded says English)"
                    ).format(
                        name=party.name,
                        date=format_date(p.welsh_offer_on) if p.welsh_offer_on else "",
                    ),
                    Effect.INFO,
                )
            )
    return out
