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
from records.model import Case, Delivery, Direction, Provider

# A requirement to take part in mediation itself. "information ... about mediation" and "a
# mediation information session" do not match: the verb must reach "mediation" within one word
# after an optional article, and "mediation information" is the permitted session.
_MEDIATION = re.compile(
    r"\b(?:attend|attending|attendance\s+at|take\s+part\s+in|taking\s+part\s+in|"
    r"participate\s+in|participating\s+in|participation\s+in|engage\s+in|engaging\s+in|"
    r"go\s+to|enter\s+into|undertake|undergo|complete)\s+"
    r"(?:a\s+|an\s+|the\s+|any\s+)?(?:[\w-]+\s+)?mediation\b(?!\s+information)",
    re.IGNORECASE,
)
_TREATMENT = re.compile(
    r"\b(?:medical|psychiatric|psychological|mental\s+health)\s+"
    r"(?:examination|assessment|treatment|evaluation)s?\b"
    r"|\b(?:undergo|undergoing|submit\s+to|receive)\s+(?:any\s+|a\s+|an\s+)?(?:[\w-]+\s+)?"
    r"(?:treatment|therapy|examination|assessment)s?\b",
    re.IGNORECASE,
)


@attrs.frozen
class Wording:
    text: str
    reasons: tuple[Reason, ...]

    @property
    def refused(self) -> bool:
        """True when the wording must not go into an order as it stands."""
        return any(r.effect in (Effect.BLOCKS, Effect.WAITING) for r in self.reasons)


def check_s11a(text: str) -> tuple[Reason, ...]:
    """Reasons to refuse ``text`` as (part of) an activity direction; empty when it conforms."""
    found: list[Reason] = []
    for match in _MEDIATION.finditer(text):
        found.append(
            reason(
                "S11A-NO-MEDIATION",
                f"{match.group(0)!r}: a direction may not "
                'require taking part in mediation; say "attend a session giving '
                'information and advice about mediation"',
                Effect.BLOCKS,
            )
        )
    for match in _TREATMENT.finditer(text):
        found.append(
            reason(
                "S11A-NO-TREATMENT",
                f"{match.group(0)!r}: a direction may not "
                "require a medical or psychiatric examination, assessment or "
                "treatment",
                Effect.BLOCKS,
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
    text = (
        f"Under section 11A of the Children Act 1989, {party.name}, the "
        f"{party.role.label.lower()}, shall {e.wording}, provided by "
        f"{provider_text}{how}."
    )
    extra = extra_terms.strip()
    if extra:
        # Terms typed as a continuation ("and must attend by ...") carry on the sentence:
        # "(face to face). and must attend" read as a typing slip in a court order.
        if extra[0].islower():
            text = f"{text[:-1]} {extra}"
        else:
            text = f"{text} {extra}"
    reasons += check_s11a(text)
    return Wording(text, tuple(reasons))
