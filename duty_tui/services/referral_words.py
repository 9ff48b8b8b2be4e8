"""What a referral is, in the officer's words. No Textual, no I/O.

A withdrawal is a revision of the referral whose outbox action is "withdraw": central
acknowledges the *withdrawal*, so the Referral's state alone ("acknowledged") reads as if the
referral stood. ``referral_view`` marks it in the reason ("withdrawn" / "withdrawn: why");
these helpers read that mark so every screen says the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping

from duty_tui.i18n import _
from records.model import Activity, Case, PartyRole, Referral, ReferralState


def is_withdrawn(referral: Referral) -> bool:
    return referral.reason == "withdrawn" or referral.reason.startswith("withdrawn: ")


def state_words(referral: Referral) -> str:
    """The referral's state as the officer needs it: a withdrawal says so, and whether
    central has heard of it yet."""
    if is_withdrawn(referral):
        if referral.state is ReferralState.ACKNOWLEDGED:
            return _("withdrawn (central acknowledged)")
        return _("withdrawn (central not yet told)")
    return {
        ReferralState.DRAFT: _("draft"),
        ReferralState.QUEUED: _("queued"),
        ReferralState.SENT: _("sent"),
        ReferralState.ACKNOWLEDGED: _("acknowledged"),
        ReferralState.REJECTED: _("rejected"),
    }[referral.state]


def referral_name(case: Case, referral: Referral, activity_names: Mapping[Activity, str]) -> str:
    """Which referral, as the officer knows it: "WT4C for Rhiannon Ffug (applicant)"."""
    activity = activity_names.get(referral.activity, referral.activity.value)
    party = next((p for p in case.parties if p.id == referral.party_id), None)
    if party is None:
        return _("{activity} for a party since removed").format(activity=activity)
    role = {
        PartyRole.APPLICANT: _("{activity} for {name} (applicant)"),
        PartyRole.RESPONDENT: _("{activity} for {name} (respondent)"),
        PartyRole.OTHER_FAMILY_MEMBER: _("{activity} for {name} (other family member)"),
    }[party.role]
    return role.format(activity=activity, name=party.name)
