"""The wording of an activity direction for the order, and the s11A check on any wording.

Children Act 1989 s11A: a direction names the activity and the provider; it may not require a
person to take part in mediation, nor to undergo a medical or psychiatric examination, assessment
or treatment. So the mediation activity is always worded "attend a session giving information and
advice about mediation", never "attend mediation"; and any extra terms the officer types are
checked for those requirements before they reach an order.
"""

from __future__ import annotations

import re

import attrs

from duty_tui.services.catalogue import Effect, Reason, entry, reason
from records.model import Case, Delivery, Direction, OrderType, Provider, Provision

# Children Act 1989 s11A(6): no direction may require taking part in mediation, or undergoing a
# medical or psychiatric examination, assessment or treatment. Sessions giving information or
# advice about mediation are allowed (s11A(5)(b)), so those phrases are taken out before looking.
_PERMITTED = re.compile(
    r"\b(?:information|advice)(?:\s+(?:and|or)\s+(?:information|advice))?\s+"
    r"(?:about|on|regarding|concerning)\s+(?:the\s+(?:potential\s+)?benefits\s+of\s+)?"
    r"mediation\b"
    r"|\bmediation\s+information(?:\s+(?:and|or)\s+(?:advice|assessment))?"
    r"(?:\s+(?:session|meeting)s?)?"
    r"|\bMIAMs?\b",
    re.IGNORECASE,
)
# Any form of the word: mediate, mediates, mediated, mediating, mediation(s), mediator(s).
_MEDIATION_WORD = re.compile(r"\bmediat(?:e|es|ed|ing|ion|ions|or|ors)\b", re.IGNORECASE)
# What makes a mention of mediation a requirement to take part in it: a verb of doing, anywhere
# earlier in the same clause ("attend a course of mediation", "engage with a mediator"), or the
# verb "mediate" itself.
_DOING = re.compile(
    r"\b(?:attend\w*|take\s+part|taking\s+part|participat\w*|engag\w*|try|trying|tried|"
    r"go\s+to|enter\w*|undertak\w*|underg\w*|complet\w*|commenc\w*|start\w*|begin|"
    r"join\w*|use|using|shall|must|required?|requiring)\b",
    re.IGNORECASE,
)
# Always a medical or psychiatric examination, assessment or treatment, whatever verb is used.
_TREATMENT_ALWAYS = re.compile(
    r"\b(?:medical|psychiatric|psychological|mental\s+health|clinical)\s+"
    r"(?:examination|assessment|treatment|evaluation|report|testing|tests?|review)s?\b"
    r"|\bhair[\s-]+strand\b|\b(?:drugs?|alcohol|blood|urine|DNA)\s+(?:testing|tests?|screening)\b"
    r"|\bmedication\b|\bpsychotherap\w*|\bpsychiatri\w*|\btherap(?:y|ies|ist|ists|eutic)\b"
    r"|\bdetox\w*|\brehab\w*",
    re.IGNORECASE,
)
# Near the line: words that may, or may not, mean an examination or treatment in context
# ("assessment" of a risk by the provider, "psychologist" running a parenting class).
_TREATMENT_NEAR = re.compile(
    r"\b(?:examination|assessment|treatment|diagnos\w*|psycholog\w*|counsell?or\s+assessment)s?\b",
    re.IGNORECASE,
)
# Near the line: the officer may mean only that the parties think about mediation.
_CONSIDER = re.compile(
    r"\b(?:consider\w*|explor\w*|discuss\w*|think\w*\s+about|look\w*\s+into|inform\w*)\b",
    re.IGNORECASE,
)
# A verb that makes a near-the-line word ("treatment", "assessment") a requirement to undergo it.
_UNDERGO = re.compile(
    r"\b(?:underg\w*|submit\w*\s+(?:him|her|them)?\w*\s*to|receiv\w*|tak\w*|hav\w*)\b",
    re.IGNORECASE,
)
_CLAUSES = re.compile(r"[.;:!?\n]+")
_NOT_A_RULING = " (a check of the words, not a ruling: the court decides)"


@attrs.frozen
class Wording:
    text: str
    reasons: tuple[Reason, ...]

    @property
    def refused(self) -> bool:
        """True when the wording must not go into an order as it stands."""
        return any(r.effect in (Effect.BLOCKS, Effect.WAITING) for r in self.reasons)


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    matches = list(pattern.finditer(text))
    return matches[-1] if matches else None


def check_s11a(text: str) -> tuple[Reason, ...]:
    """Reasons to refuse ``text`` as (part of) an activity direction; empty when it conforms.

    A requirement to take part in mediation or to undergo a medical or psychiatric examination,
    assessment or treatment blocks (Children Act 1989 s11A(6)). A phrase near the line (mediation
    mentioned with no verb of doing, "assessment" alone) is a warning that says it is a check.
    """
    found: list[Reason] = []
    for clause in _CLAUSES.split(_PERMITTED.sub(" ", text)):
        for match in _MEDIATION_WORD.finditer(clause):
            before, after = clause[: match.start()], clause[match.end() :]
            verb_before = _last(_DOING, before)
            verb_after = _DOING.search(after)
            doing = match.group(0).lower().startswith("mediate") or verb_before or verb_after
            # Quote the words that do it ("attend a course of mediation"), not the whole clause.
            if verb_before:
                shown_text = clause[verb_before.start() : match.end()]
            elif verb_after:
                shown_text = clause[match.start() : match.end() + verb_after.end()]
            else:
                shown_text = match.group(0)
            considering = _last(_CONSIDER, before)
            if not doing and not considering:
                continue  # "Mediation was discussed at court": a record, not a requirement
            if considering and not doing:
                shown_text = clause[considering.start() : match.end()]
            if doing:
                found.append(
                    reason(
                        "S11A-NO-MEDIATION",
                        f"{shown_text!r}: a direction may not require taking part in mediation "
                        '(Children Act 1989 s11A(6)); say "attend a session giving information '
                        f'and advice about mediation"',
                        Effect.BLOCKS,
                    )
                )
            else:
                found.append(
                    reason(
                        "S11A-NO-MEDIATION",
                        f"{shown_text!r}: check that it does not require "
                        f"taking part in mediation (Children Act 1989 s11A(6)){_NOT_A_RULING}",
                        Effect.WARNING,
                    )
                )
            break  # one reason per clause is enough to send the officer to it
        always = _TREATMENT_ALWAYS.search(clause)
        near = _TREATMENT_NEAR.search(clause)
        if not always and near and _UNDERGO.search(clause[: near.start()]):
            always = near
        if always:
            found.append(
                reason(
                    "S11A-NO-TREATMENT",
                    f"{always.group(0)!r} reads as a medical or psychiatric "
                    "examination, assessment or treatment, which a direction may not require "
                    "(Children Act 1989 s11A(6))",
                    Effect.BLOCKS,
                )
            )
        elif near:
            found.append(
                reason(
                    "S11A-NO-TREATMENT",
                    f"check that {near.group(0)!r} is not a medical or "
                    "psychiatric examination, assessment or treatment (Children Act 1989 "
                    f"s11A(6)){_NOT_A_RULING}",
                    Effect.WARNING,
                )
            )
    return tuple(found)


def direction_text(
    case: Case, direction: Direction, provider: Provider | None, extra_terms: str = ""
) -> Wording:
    """The direction as it would read in the order, naming activity, provider and party."""
    party = case.party(direction.party_id)
    e = entry(direction.activity)
    reasons: list[Reason] = []
    if provider is None:
        provider_text = "[provider to be named]"
        reasons.append(
            reason(
                "S11A-ACTIVITY", "a direction names the provider: none chosen yet", Effect.WAITING
            )
        )
    else:
        provider_text = provider.name
        if provider.sample:
            # A warning, not a refusal: the demo and training flows use the sample directory.
            reasons.append(
                reason(
                    "SAMPLE-PROVIDER",
                    "the provider is a fictional sample: choose a real provider for a real order",
                    Effect.WARNING,
                )
            )
    how = " (remote)" if direction.delivery is Delivery.REMOTE else " (face to face)"
    if direction.provision is Provision.CONDITION:
        # Children Act 1989 s11C: on a child arrangements order the activity is a condition.
        opening = (
            "As an activity condition under section 11C of the Children Act 1989, imposed by "
            "the child arrangements order"
        )
    else:
        opening = "Under section 11A of the Children Act 1989"
        if direction.order_type is OrderType.FINAL:
            reasons.append(
                reason(
                    "S11A-INTERIM",
                    "a final order cannot carry an activity direction (s11A(7)): record it as "
                    "an activity condition under section 11C",
                    Effect.BLOCKS,
                )
            )
    text = (
        f"{opening}, {party.name}, the "
        f"{party.role.label.lower()}, shall {e.wording}, provided by "
        f"{provider_text}{how}."
    )
    extra = extra_terms.strip()
    if extra:
        # Terms typed as a continuation ("and must attend by ...") carry on the sentence:
        # "(face to face). and must attend" read as a typing slip in a court order.
        if extra[0] in ",;:" and text.endswith("."):
            text = f"{text[:-1]}{extra}"  # "; and must attend": no ".;"
        elif extra[0].islower() and text.endswith("."):
            text = f"{text[:-1]} {extra}"
        else:
            text = f"{text} {extra}"
        if text[-1] not in ".!?)":
            text += "."  # the order's sentence ends, whatever the terms ended with
    # The names are the officer's record, not terms of the order: "Bridgend Family Mediation"
    # as the provider does not make the direction require mediation.
    checked = text.replace(provider_text, "the provider").replace(party.name, "the party")
    reasons += check_s11a(checked)
    return Wording(text, tuple(reasons))
