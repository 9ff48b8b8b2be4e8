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

from duty_tui.i18n import _
from duty_tui.services.catalogue import Effect, Reason, entry, reason
from records.model import (
    Activity,
    Case,
    Delivery,
    Direction,
    Jurisdiction,
    OrderType,
    PartyRole,
    Provider,
    Provision,
)

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


# The order's Welsh, for a case in Wales (issue 12): the court's documents there are bilingual,
# so the wording is given in Welsh and in English whatever language the officer's screens are
# in. Written per activity as a whole phrase, not swapped word by word. Each phrase follows
# "rhaid i <party>, <role>," and so begins with the verb in its soft mutation (mynychu ->
# fynychu, cymryd -> gymryd, cwblhau -> gwblhau). No published Welsh name was found for the
# activities (docs/cymraeg.md, "Order wording"): a course's own English name is kept in the
# Welsh text, as the provider uses it, with a Welsh description where that helps.
CY_ACTIVITY: dict[Activity, str] = {
    Activity.WT4C: "fynychu'r rhaglen Working Together for Children (WT4C)",
    Activity.MEDIATION_INFO: "fynychu sesiwn sy'n rhoi gwybodaeth a chyngor am gyfryngu",
    Activity.CONTACT_SUPPORTED: (
        "gymryd rhan mewn cyswllt â chymorth mewn canolfan cyswllt i blant sydd wedi'i hachredu "
        "gan y Gymdeithas Genedlaethol ar gyfer Canolfannau Cyswllt i Blant"
    ),
    Activity.CONTACT_SUPERVISED: (
        "gymryd rhan mewn cyswllt dan oruchwyliaeth mewn canolfan cyswllt i blant sydd ag "
        "achrediad uwch (enhanced) gan y Gymdeithas Genedlaethol ar gyfer Canolfannau Cyswllt i "
        "Blant"
    ),
    Activity.PTFC: (
        "gwblhau'r cwrs Planning Together for Children (yr e-ddysgu yn gyntaf, yna gweithdy "
        "grŵp, yna cynllun rhianta ar-lein)"
    ),
    Activity.CCI: (
        "gymryd rhan mewn Ymyriad Cyswllt Plant (Child Contact Intervention) a gynllunnir gan "
        "Cafcass gyda'r teulu"
    ),
}
# The party's role as the order names them, with the article (HMCTS Welsh forms: "Ceisydd",
# "Atebydd").
CY_ROLE: dict[PartyRole, str] = {
    PartyRole.APPLICANT: "y ceisydd",
    PartyRole.RESPONDENT: "yr atebydd",
    PartyRole.OTHER_FAMILY_MEMBER: "aelod arall o'r teulu",
}
CY_DELIVERY: dict[Delivery, str] = {
    Delivery.REMOTE: "o bell",
    Delivery.FACE_TO_FACE: "wyneb yn wyneb",
}
CY_NO_PROVIDER = "[darparwr i'w enwi]"


@attrs.frozen
class Wording:
    """The order's words: ``text`` in English, always; ``cy`` the Welsh for a case in Wales,
    None in England. Neither depends on the officer's screen language."""

    text: str
    reasons: tuple[Reason, ...]
    cy: str | None = None

    @property
    def en(self) -> str:
        return self.text

    @property
    def bilingual(self) -> str:
        """Both texts, Welsh first as on the court's bilingual documents; English alone in
        England."""
        return self.text if self.cy is None else f"{self.cy}\n\n{self.text}"

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
                        _(
                            "{words}: a direction may not require taking part in mediation "
                            '(Children Act 1989 s11A(6)); say "attend a session giving '
                            'information and advice about mediation"'
                        ).format(words=repr(shown_text)),
                        Effect.BLOCKS,
                    )
                )
            else:
                found.append(
                    reason(
                        "S11A-NO-MEDIATION",
                        _(
                            "{words}: check that it does not require taking part in mediation "
                            "(Children Act 1989 s11A(6)) (a check of the words, not a ruling: "
                            "the court decides)"
                        ).format(words=repr(shown_text)),
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
                    _(
                        "{words} reads as a medical or psychiatric examination, assessment or "
                        "treatment, which a direction may not require (Children Act 1989 "
                        "s11A(6))"
                    ).format(words=repr(always.group(0))),
                    Effect.BLOCKS,
                )
            )
        elif near:
            found.append(
                reason(
                    "S11A-NO-TREATMENT",
                    _(
                        "check that {words} is not a medical or psychiatric examination, "
                        "assessment or treatment (Children Act 1989 s11A(6)) (a check of the "
                        "words, not a ruling: the court decides)"
                    ).format(words=repr(near.group(0))),
                    Effect.WARNING,
                )
            )
    return tuple(found)


def _with_terms(text: str, extra: str) -> str:
    """``text`` (one sentence) carrying on with the officer's extra terms."""
    if not extra:
        return text
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
    return text


def _welsh(case: Case, direction: Direction, provider: Provider | None, extra: str) -> str:
    """The Welsh of the order, from whole Welsh sentences (never the officer's language)."""
    party = case.party(direction.party_id)
    if direction.provision is Provision.CONDITION:
        opening = (
            "Fel amod gweithgaredd o dan adran 11C o Ddeddf Plant 1989, a osodir gan y "
            "gorchymyn trefniadau plant"
        )
    else:
        opening = "O dan adran 11A o Ddeddf Plant 1989"
    text = (
        f"{opening}, rhaid i {party.name}, {CY_ROLE[party.role]}, "
        f"{CY_ACTIVITY[direction.activity]}, a ddarperir gan "
        f"{provider.name if provider else CY_NO_PROVIDER} ({CY_DELIVERY[direction.delivery]})."
    )
    return _with_terms(text, extra)


def order_wording(
    case: Case, direction: Direction, provider: Provider | None = None, extra_terms: str = ""
) -> Wording:
    """The direction as the order would word it: English, and for a case in Wales Welsh too
    (``Wording.cy``), whatever language the officer reads the screens in."""
    return direction_text(case, direction, provider, extra_terms)


def direction_text(
    case: Case, direction: Direction, provider: Provider | None, extra_terms: str = ""
) -> Wording:
    """The direction as it would read in the order, naming activity, provider and party.
    ``text`` is the English; ``cy`` the Welsh for a case in Wales (see :func:`order_wording`)."""
    party = case.party(direction.party_id)
    e = entry(direction.activity)
    reasons: list[Reason] = []
    if provider is None:
        provider_text = "[provider to be named]"
        reasons.append(
            reason(
                "S11A-ACTIVITY",
                _("a direction names the provider: none chosen yet"),
                Effect.WAITING,
            )
        )
    else:
        provider_text = provider.name
        if provider.sample:
            # A warning, not a refusal: the demo and training flows use the sample directory.
            reasons.append(
                reason(
                    "SAMPLE-PROVIDER",
                    _(
                        "the provider is a fictional sample: choose a real provider for a "
                        "real order"
                    ),
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
                    _(
                        "a final order cannot carry an activity direction (s11A(7)): record it "
                        "as an activity condition under section 11C"
                    ),
                    Effect.BLOCKS,
                )
            )
    # The order's English is fixed English whatever the officer's language: not through _().
    text = (
        f"{opening}, {party.name}, the "
        f"{party.role.label.lower()}, shall {e.wording}, provided by "
        f"{provider_text}{how}."
    )
    extra = extra_terms.strip()
    text = _with_terms(text, extra)
    cy = None
    if case.jurisdiction is Jurisdiction.WALES:
        cy = _welsh(case, direction, provider, extra)
        if extra:
            reasons.append(
                reason(
                    "ORDER-WELSH",
                    _(
                        "the terms you added are in both texts as you typed them: the Welsh "
                        "and the English order each need them in their own language"
                    ),
                    Effect.WARNING,
                )
            )
    # The names are the officer's record, not terms of the order: "Bridgend Family Mediation"
    # as the provider does not make the direction require mediation.
    checked = text.replace(provider_text, "the provider").replace(party.name, "the party")
    reasons += check_s11a(checked)
    return Wording(text, tuple(reasons), cy)
